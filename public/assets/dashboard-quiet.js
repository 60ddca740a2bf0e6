// CronPeek dashboard, one monitor's page (#monitor/<id>): its quiet times. Badges next to its
// status ("snoozed until …", "in maintenance", "held: parent X is down"), snoozing it for an hour
// or a day and lifting the snooze, and the monitors it depends on. Renders every monitor answer
// dashboard-monitor.js shows (its `cronpeek:monitor` event) and the answers of its own calls.
// Data from the API is only ever written with textContent.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var el = ui.el;
  var show = ui.show;
  var hide = ui.hide;
  var api = ui.api;
  var ROUTE = /^#monitor\/([0-9a-f]{16})$/;

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    page: $('monitor-page'),
    badges: $('mp-quiet-badges'),
    state: $('mp-snooze-state'),
    hour: $('mp-snooze-hour'),
    day: $('mp-snooze-day'),
    lift: $('mp-snooze-lift'),
    form: $('mp-depends-form'),
    choices: $('mp-depends-choices'),
    none: $('mp-no-depends'),
    save: $('mp-depends-save'),
    error: $('mp-quiet-error'),
    done: $('mp-quiet-done'),
  };

  // The monitor shown, its latest answer, and the account's other monitors (id → name).
  var monitorId = null;
  var shown = null;
  var generation = 0;
  var others = [];
  // What the dependency checkboxes were last drawn from: the page refreshes itself every few
  // seconds, and redrawing the same choices would undo boxes the user has ticked but not saved.
  var choicesDrawnFrom = null;

  function monitorPath(suffix) { return '/api/v1/monitors/' + encodeURIComponent(monitorId) + (suffix || ''); }

  function localTime(iso) { return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }); }

  function renderBadges(m) { els.badges.replaceChildren.apply(els.badges, ui.quietBadges(m)); }

  function renderChoices(m) {
    var mine = m.dependsOn || [];
    var candidates = others.filter(function (o) { return o.monitorId !== m.monitorId; });
    var source = JSON.stringify([mine, candidates.map(function (o) { return [o.monitorId, o.name]; })]);
    if (source === choicesDrawnFrom) return;
    choicesDrawnFrom = source;
    els.choices.replaceChildren.apply(els.choices, candidates.map(function (o) {
      var box = el('input', { type: 'checkbox', name: 'depends-on', value: o.monitorId });
      box.checked = mine.indexOf(o.monitorId) !== -1;
      return el('label', { className: 'mp-check' }, [box, el('span', { text: o.name })]);
    }));
    els.none.hidden = candidates.length > 0;
    els.save.disabled = candidates.length === 0;
  }

  function render(m) {
    if (!m || m.monitorId !== monitorId) return;
    shown = m;
    renderBadges(m);
    els.state.textContent = m.snoozedUntil
      ? 'Snoozed until ' + localTime(m.snoozedUntil) + ': watched as always, its alerts wait until then.'
      : 'Not snoozed.';
    els.lift.disabled = !m.snoozedUntil;
    renderChoices(m);
  }

  function loadOthers() {
    var mine = generation;
    return api('GET', '/api/v1/monitors')
      .then(function (data) {
        if (mine !== generation) return;
        others = data.monitors || [];
        if (shown) renderChoices(shown);
      })
      .catch(function (error) { if (mine === generation && error.status !== 401) show(els.error, error.message); });
  }

  function call(method, path, body, done) {
    hide(els.error);
    hide(els.done);
    var mine = generation;
    var buttons = [els.hour, els.day, els.lift, els.save];
    buttons.forEach(function (b) { b.disabled = true; });
    return api(method, path, body)
      .then(function (m) {
        if (mine !== generation) return;
        render(m);
        show(els.done, done(m));
      })
      .catch(function (error) { if (mine === generation) show(els.error, error.message); })
      .then(function () {
        [els.hour, els.day].forEach(function (b) { b.disabled = false; });
        els.lift.disabled = !(shown && shown.snoozedUntil);
        els.save.disabled = els.choices.children.length === 0;
      });
  }

  function snooze(seconds) {
    call('POST', monitorPath('/snooze'), { for: seconds }, function (m) { return 'Snoozed "' + m.name + '" until ' + localTime(m.snoozedUntil) + '.'; });
  }
  els.hour.addEventListener('click', function () { snooze(3600); });
  els.day.addEventListener('click', function () { snooze(86400); });
  els.lift.addEventListener('click', function () {
    call('DELETE', monitorPath('/snooze'), undefined, function (m) { return 'Lifted the snooze of "' + m.name + '".'; });
  });

  els.form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (!monitorId) return;
    var ids = Array.prototype.map.call(els.choices.querySelectorAll('input:checked'), function (i) { return i.value; });
    call('PATCH', monitorPath(), { dependsOn: ids }, function (m) {
      var names = (m.dependsOn || []).map(function (id) {
        var o = others.filter(function (x) { return x.monitorId === id; })[0];
        return o ? o.name : id;
      });
      return names.length === 0 ? '"' + m.name + '" depends on no other monitor now.' : '"' + m.name + '" depends on ' + names.join(', ') + '.';
    });
  });

  // --- Following the page --------------------------------------------------------------------

  function clear() {
    shown = null;
    others = [];
    els.badges.replaceChildren();
    els.choices.replaceChildren();
    choicesDrawnFrom = null;
    els.state.textContent = '';
    els.none.hidden = true;
    els.lift.disabled = true;
    els.save.disabled = true;
    hide(els.error);
    hide(els.done);
  }

  function follow() {
    var match = ROUTE.exec(location.hash);
    var id = !els.page.hidden && match ? match[1] : null;
    if (id === monitorId) return;
    generation += 1;
    monitorId = id;
    clear();
    if (id) loadOthers();
  }

  els.page.addEventListener('cronpeek:monitor', function (event) { render(event.detail); });
  els.page.addEventListener('cronpeek:reload', function () { if (monitorId) loadOthers(); });
  new MutationObserver(follow).observe(els.page, { attributes: true, attributeFilter: ['hidden'] });
  window.addEventListener('hashchange', follow);
  follow();
})();
