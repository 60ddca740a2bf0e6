/* What the dashboard's scripts share: the API key kept for this tab, the API call, and the small
   DOM helpers. Data from the API is only ever written with textContent or attributes, never as
   HTML; `el` is the one way the dashboard builds elements. */
(function () {
  'use strict';

  var KEY_STORAGE = 'cronpeek.apiKey';

  /** The API key kept for this tab, or null (none, or storage disabled). */
  function storedKey() {
    try { return sessionStorage.getItem(KEY_STORAGE); } catch (e) { return null; }
  }

  /** A failed call: the HTTP status (0 when the server could not be reached) and the API's `error`. */
  function ApiError(status, message) {
    this.status = status;
    this.message = message;
  }

  /**
   * Calls the API with `key` (the stored key when omitted); resolves with the parsed body,
   * rejects with an ApiError carrying the answer's `error`.
   */
  function api(method, path, body, key) {
    var headers = { Accept: 'application/json' };
    var apiKey = key === undefined ? storedKey() : key;
    if (apiKey) headers['x-api-key'] = apiKey;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    }).then(
      function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (res.ok) return data;
          var message = data && typeof data.error === 'string' ? data.error : 'The server answered ' + res.status + '.';
          throw new ApiError(res.status, message);
        });
      },
      function () {
        throw new ApiError(0, 'Could not reach the CronPeek API. Check your connection and try again.');
      }
    );
  }

  /** An element with `props` (`text` sets textContent, `className` the class, others attributes). */
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (name) {
        if (name === 'text') node.textContent = props[name];
        else if (name === 'className') node.className = props[name];
        else node.setAttribute(name, props[name]);
      });
    }
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  /** `n unit`, with the unit in the plural unless n is 1. */
  function plural(n, unit) { return n + ' ' + unit + (n === 1 ? '' : 's'); }

  /** A number of seconds in the largest whole unit: "2 hours", "90 seconds". */
  function duration(seconds) {
    var units = [[604800, 'week'], [86400, 'day'], [3600, 'hour'], [60, 'minute']];
    for (var i = 0; i < units.length; i++) {
      if (seconds % units[i][0] === 0) return plural(seconds / units[i][0], units[i][1]);
    }
    return plural(seconds, 'second');
  }

  function show(box, text) { box.textContent = text; box.hidden = false; }
  function hide(box) { box.textContent = ''; box.hidden = true; }

  window.cronpeekDashboard = { KEY_STORAGE: KEY_STORAGE, storedKey: storedKey, ApiError: ApiError, api: api, el: el, show: show, hide: hide, plural: plural, duration: duration };
})();
