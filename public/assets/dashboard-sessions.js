// CronPeek dashboard, account panel: the browsers signed in by e-mail link (this one marked, any
// other signed out with a click). The list names sessions by id and browser, never by credential.
// Data from the API is only ever written with textContent or attributes, never as HTML.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var el = ui.el;
  var show = ui.show;
  var hide = ui.hide;
  var api = ui.api;

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    signedIn: $('signed-in'),
    signedOut: $('signed-out'),
    list: $('ses-list'),
    none: $('ses-none'),
    error: $('ses-error'),
    done: $('ses-done'),
  };
  // Answers of a load started before the latest one are dropped (a sign-out, a quick reload).
  var generation = 0;

  function day(iso) {
    return el('time', { datetime: iso, title: iso, text: new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) });
  }

  /** One session: its browser, when it began and ends, and a sign-out button unless it is this one. */
  function sessionItem(s) {
    var browser = s.userAgent ? String(s.userAgent) : 'Unknown browser';
    var head = [
      el('strong', { className: 'ac-name rk-name', text: browser }),
      el('span', { className: 'hint mp-inline' }, [el('span', { text: 'signed in ' }), day(s.createdAt), el('span', { text: ', until ' }), day(s.expiresAt)]),
    ];
    if (s.current) {
      head.push(el('span', { className: 'badge status-up ses-current', text: 'This browser' }));
    } else {
      var end = el('button', { type: 'button', className: 'danger small', text: 'Sign out', 'aria-label': 'Sign out the session of ' + browser + ' (' + s.sessionId + ')' });
      end.addEventListener('click', function () { endSession(s, end); });
      head.push(end);
    }
    return el('li', { className: 'mp-item rk-item', 'data-session-id': s.sessionId }, [el('div', { className: 'mp-item-head' }, head)]);
  }

  function load() {
    var mine = ++generation;
    return api('GET', '/api/v1/account/sessions')
      .then(function (data) {
        if (mine !== generation) return;
        hide(els.error);
        var sessions = data.sessions || [];
        els.list.replaceChildren.apply(els.list, sessions.map(sessionItem));
        els.none.hidden = sessions.length > 0;
      })
      .catch(function (error) { if (mine === generation && error.status !== 401) show(els.error, error.message); });
  }

  function endSession(s, button) {
    hide(els.error);
    hide(els.done);
    button.disabled = true;
    api('DELETE', '/api/v1/account/sessions/' + encodeURIComponent(s.sessionId))
      .then(function () { show(els.done, 'Signed out that browser.'); return load(); })
      .catch(function (error) { show(els.error, error.message); button.disabled = false; });
  }

  function reset() {
    generation += 1;
    els.list.replaceChildren();
    els.none.hidden = true;
    hide(els.error);
    hide(els.done);
  }

  // Loaded on signing in; dropped on signing out (a monitor's page opened meanwhile keeps it).
  new MutationObserver(function () {
    if (!els.signedIn.hidden) load();
    else if (!els.signedOut.hidden) reset();
  }).observe(els.signedIn, { attributes: true, attributeFilter: ['hidden'] });
  if (!els.signedIn.hidden) load();
})();
