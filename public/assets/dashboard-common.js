/* What the dashboard's scripts share: the API key kept for this tab, the API call, and the small
   DOM helpers. Data from the API is only ever written with textContent or attributes, never as
   HTML; `el` is the one way the dashboard builds elements. */
(function () {
  'use strict';

  var KEY_STORAGE = 'cronpeek.apiKey';
  /** Whether "Remember this browser" was last left ticked; kept so a link opened later follows it. */
  var REMEMBER_STORAGE = 'cronpeek.remember';

  /** A dashboard session's credential (`cps_`), as opposed to an API key. */
  function isSession(credential) { return typeof credential === 'string' && credential.indexOf('cps_') === 0; }

  /**
   * The credential this tab uses, or null (none, or storage disabled): one kept for this tab (an
   * API key, or a session not remembered) wins over a session remembered by the browser.
   */
  function storedKey() {
    var inTab = null;
    try { inTab = sessionStorage.getItem(KEY_STORAGE); } catch (e) { inTab = null; }
    if (inTab) return inTab;
    try { return localStorage.getItem(KEY_STORAGE); } catch (e) { return null; }
  }

  /**
   * Keeps `credential`: a session the user asked to remember in local storage (new tabs and deep
   * links find it), anything else in this tab's session storage only. The other place is cleared.
   */
  function keepCredential(credential, remember) {
    var keep = remember && isSession(credential) ? 'localStorage' : 'sessionStorage';
    var drop = keep === 'localStorage' ? 'sessionStorage' : 'localStorage';
    try { window[keep].setItem(KEY_STORAGE, credential); } catch (e) { /* storage disabled: it lives until reload */ }
    try { window[drop].removeItem(KEY_STORAGE); } catch (e) { /* nothing stored */ }
  }

  /** Forgets the credential wherever it was kept. */
  function forgetCredential() {
    ['sessionStorage', 'localStorage'].forEach(function (where) {
      try { window[where].removeItem(KEY_STORAGE); } catch (e) { /* nothing stored */ }
    });
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

  /**
   * What a monitor is doing, as the list and its page show it: its status, or, for an up monitor,
   * `running` while a run is open and `late` while it is past its expected time within grace (the
   * API's `running` and `late`). Each state has a symbol and a word, so colour is never the only cue.
   */
  // Text symbols that common fonts carry: emoji such as an alarm clock or a pause sign show as an
  // empty box on a system without an emoji font.
  var STATES = {
    new: { icon: '\u25CB', label: 'New', hint: 'Waiting for its first ping.' },
    up: { icon: '\u2714', label: 'Up', hint: 'Pinging on schedule.' },
    late: { icon: '\u25F7', label: 'Late', hint: 'Past its expected time, still within grace: not down yet.' },
    running: { icon: '\u25B6', label: 'Running', hint: 'A run has started and not ended yet.' },
    down: { icon: '\u2716', label: 'Down', hint: 'Missed its schedule or reported a failure; alerts were sent.' },
    paused: { icon: '\u2016', label: 'Paused', hint: 'Not monitored until resumed.' },
  };
  function monitorState(m) {
    if (m.status === 'up' && m.running) return 'running';
    if (m.status === 'up' && m.late) return 'late';
    return STATES[m.status] ? m.status : 'new';
  }
  /** The state badge: symbol (hidden from screen readers) and word, with the hint as its title. */
  function stateBadge(m) {
    var key = monitorState(m);
    var state = STATES[key];
    return el('span', { className: 'badge state status-' + key, 'data-state': key, title: state.hint }, [
      el('span', { className: 'state-icon', 'aria-hidden': 'true', text: state.icon }),
      el('span', { className: 'state-label', text: ' ' + state.label }),
    ]);
  }

  /**
   * The tags typed in a tags field: words split at commas and spaces, duplicates dropped, order
   * kept. Not lower-cased or checked: the API refuses a bad tag with a message naming it.
   */
  function parseTags(text) {
    var seen = {};
    return String(text).split(/[\s,]+/).filter(function (t) {
      if (t === '' || seen[t]) return false;
      seen[t] = true;
      return true;
    });
  }

  /** A monitor's tags as a list of chips (text only) named `label` when given, or null when it has none. */
  function tagChips(tags, label) {
    if (!tags || tags.length === 0) return null;
    return el('ul', label ? { className: 'tag-list', 'aria-label': label } : { className: 'tag-list' }, tags.map(function (t) {
      return el('li', { className: 'tag-chip', text: String(t) });
    }));
  }

  /**
   * A monitor's quiet states as badges, each a word (never colour alone): snoozed until when, in a
   * maintenance window, or its down alert held for a parent that is down (the API's `snoozedUntil`,
   * `inMaintenance`, `suppressedBy`). Empty when none applies.
   */
  function quietBadges(m) {
    var badge = function (key, text, title) { return el('span', { className: 'badge status-paused mp-quiet', 'data-quiet': key, title: title, text: text }); };
    var nodes = [];
    if (m.snoozedUntil) {
      var until = new Date(m.snoozedUntil).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
      nodes.push(badge('snoozed', 'snoozed until ' + until, 'Its alerts wait until the snooze ends.'));
    }
    if (m.inMaintenance) nodes.push(badge('maintenance', 'in maintenance', 'A maintenance window covering it is on: its alerts wait until it ends.'));
    if (m.suppressedBy) nodes.push(badge('held', 'held: parent ' + m.suppressedBy.name + ' is down', 'Its down alert waits for the monitor it depends on.'));
    return nodes;
  }

  /**
   * An API error in a form's own words: each API field name in `message` (`alertWebhook`, `tz`)
   * becomes what `words` says the form calls it, and the sentence starts with a capital. The API
   * names its fields so scripts can act on them; a person filling in a form sees labels instead.
   */
  function formWords(message, words) {
    var names = Object.keys(words).sort(function (a, b) { return b.length - a.length; });
    if (names.length === 0) return message;
    var text = String(message).replace(new RegExp('\\b(' + names.join('|') + ')\\b', 'g'), function (name) { return words[name]; });
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  /** A whole number of the unit (60 for minutes, 3600 for hours) as seconds; undefined when empty, NaN when not a positive whole number. */
  function unitSeconds(raw, unit) {
    var text = String(raw).trim();
    if (text === '') return undefined;
    if (!/^\d+$/.test(text) || Number(text) < 1) return NaN;
    return Number(text) * unit;
  }

  /** Seconds as a number of the largest of hours or minutes that divides them, for a number + unit pair of inputs; null when neither does. */
  function secondsToUnit(seconds) {
    if (seconds % 3600 === 0) return { value: seconds / 3600, unit: 3600 };
    if (seconds % 60 === 0) return { value: seconds / 60, unit: 60 };
    return null;
  }

  /** The number of monitors down, in the tab's title: "(2 down) CronPeek Dashboard". */
  var BASE_TITLE = document.title;
  function setDownCount(count) {
    document.title = count > 0 ? '(' + count + ' down) ' + BASE_TITLE : BASE_TITLE;
  }

  /** A slug refused with 409: another monitor of the account has it (the new-monitor form and the settings say so alike). */
  function slugTaken(slug) {
    return 'Another monitor already uses the slug ' + slug + '. Choose another, or leave it empty.';
  }

  function show(box, text) { box.textContent = text; box.hidden = false; }
  function hide(box) { box.textContent = ''; box.hidden = true; }

  window.cronpeekDashboard = { KEY_STORAGE: KEY_STORAGE, REMEMBER_STORAGE: REMEMBER_STORAGE, isSession: isSession, storedKey: storedKey, keepCredential: keepCredential, forgetCredential: forgetCredential, ApiError: ApiError, api: api, el: el, show: show, hide: hide, plural: plural, duration: duration, monitorState: monitorState, stateBadge: stateBadge, quietBadges: quietBadges, parseTags: parseTags, tagChips: tagChips, formWords: formWords, slugTaken: slugTaken, unitSeconds: unitSeconds, secondsToUnit: secondsToUnit, setDownCount: setDownCount };
})();
