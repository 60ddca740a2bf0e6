// CronPeek dashboard, Maintenance panel: the account's maintenance windows (list with whether each
// is on now or when it next starts, create a recurring or one-off window for all or chosen
// monitors, delete). Data from the API (names, monitor names) is only ever written with
// textContent or values, never as HTML.
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
    error: $('mw-error'),
    done: $('mw-done'),
    list: $('mw-list'),
    none: $('mw-none'),
    form: $('mw-form'),
    kind: $('mw-kind'),
    name: $('mw-name'),
    schedule: $('mw-schedule'),
    tz: $('mw-tz'),
    duration: $('mw-duration'),
    start: $('mw-start'),
    end: $('mw-end'),
    all: $('mw-all'),
    choices: $('mw-monitor-choices'),
    save: $('mw-save'),
  };

  // The account's monitors by id, for the windows' "covers" line and the form's choices.
  var monitorNames = {};
  // Answers of a load started before the latest one are dropped (a sign-out, a quick reload).
  var generation = 0;

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { return ''; }
  }

  function when(iso) {
    return el('time', { datetime: iso, title: iso, text: new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) });
  }

  /** How often the window comes: its cron line, zone and length, or its one-off span. */
  function timingText(w) {
    if (w.schedule !== null) return 'Repeats: cron ' + w.schedule + ' (' + (w.tz || 'UTC') + '), lasting ' + ui.duration(w.duration);
    return 'Once';
  }

  function coversText(w) {
    if (w.monitors === '*') return 'Covers all monitors';
    var names = w.monitors.map(function (id) { return monitorNames[id] || id; });
    return 'Covers ' + names.join(', ');
  }

  /** "On now until …", or "Next: … to …", or "Over" for a one-off window that has passed. */
  function standing(w) {
    if (w.active) {
      return el('p', { className: 'mw-standing' }, [
        el('span', { className: 'badge status-paused mw-state', 'data-state': 'active', text: 'On now' }),
        el('span', { text: ' until ' }), when(w.activeUntil),
      ]);
    }
    if (w.nextStart) {
      return el('p', { className: 'mw-standing' }, [
        el('span', { className: 'badge status-new mw-state', 'data-state': 'next', text: 'Next' }),
        el('span', { text: ' ' }), when(w.nextStart), el('span', { text: ' to ' }), when(w.nextEnd),
      ]);
    }
    return el('p', { className: 'mw-standing' }, [el('span', { className: 'badge status-unknown mw-state', 'data-state': 'over', text: 'Over' })]);
  }

  function windowItem(w) {
    var remove = el('button', { type: 'button', className: 'danger small', text: 'Delete', 'aria-label': 'Delete maintenance window ' + w.name });
    remove.addEventListener('click', function () { deleteWindow(w, remove); });
    var span = w.schedule === null ? [el('span', { text: ': ' }), when(w.start), el('span', { text: ' to ' }), when(w.end)] : [];
    return el('li', { className: 'mp-item', 'data-window-id': w.id }, [
      el('div', { className: 'mp-item-head' }, [el('strong', { className: 'ac-name mw-name', text: w.name }), remove]),
      standing(w),
      el('p', { className: 'hint mw-line' }, [el('span', { text: timingText(w) })].concat(span)),
      el('p', { className: 'hint mw-line', text: coversText(w) }),
    ]);
  }

  function renderChoices(monitors) {
    var checked = {};
    Array.prototype.forEach.call(els.choices.querySelectorAll('input:checked'), function (i) { checked[i.value] = true; });
    els.choices.replaceChildren.apply(els.choices, monitors.map(function (m) {
      var box = el('input', { type: 'checkbox', name: 'mw-monitor', value: m.monitorId });
      box.checked = !!checked[m.monitorId];
      return el('label', { className: 'mp-check' }, [box, el('span', { text: m.name })]);
    }));
  }

  function load() {
    var mine = ++generation;
    return Promise.all([api('GET', '/api/v1/maintenance'), api('GET', '/api/v1/monitors')])
      .then(function (answers) {
        if (mine !== generation) return;
        hide(els.error);
        monitorNames = {};
        answers[1].monitors.forEach(function (m) { monitorNames[m.monitorId] = m.name; });
        renderChoices(answers[1].monitors);
        var windows = answers[0].windows || [];
        els.list.replaceChildren.apply(els.list, windows.map(windowItem));
        els.none.hidden = windows.length > 0;
      })
      .catch(function (error) {
        if (mine === generation && error.status !== 401) show(els.error, error.message);
      });
  }

  function deleteWindow(w, button) {
    if (!window.confirm('Delete the maintenance window "' + w.name + '"? Alerts it is holding are sent now if nothing else keeps them quiet.')) return;
    hide(els.error);
    hide(els.done);
    button.disabled = true;
    api('DELETE', '/api/v1/maintenance/' + encodeURIComponent(w.id))
      .then(function () { show(els.done, 'Deleted "' + w.name + '".'); return load(); })
      .catch(function (error) { show(els.error, error.message); button.disabled = false; });
  }

  function kind() { return els.kind.value === 'once' ? 'once' : 'recurring'; }

  function syncForm() {
    var k = kind();
    Array.prototype.forEach.call(els.form.querySelectorAll('[data-mw-kind]'), function (field) {
      field.hidden = field.getAttribute('data-mw-kind') !== k;
    });
    els.choices.hidden = els.all.checked;
  }

  /** A datetime-local value (the browser's zone) as an ISO instant; '' when empty or unreadable. */
  function instant(value) {
    var t = value ? new Date(value) : null;
    return t && !isNaN(t.getTime()) ? t.toISOString() : '';
  }

  /** The request body, or a message in the form's words when something it needs is missing. */
  function windowOf() {
    var body = { name: els.name.value.trim() };
    if (body.name === '') return 'Give the window a name.';
    if (els.all.checked) body.monitors = '*';
    else {
      body.monitors = Array.prototype.map.call(els.choices.querySelectorAll('input:checked'), function (i) { return i.value; });
      if (body.monitors.length === 0) return 'Choose the monitors it covers, or tick "All monitors".';
    }
    if (kind() === 'recurring') {
      body.schedule = els.schedule.value.trim();
      if (body.schedule === '') return 'Say when it starts, as a cron line such as 0 3 * * 0.';
      if (els.tz.value.trim() !== '') body.tz = els.tz.value.trim();
      var minutes = Number(els.duration.value);
      if (!Number.isInteger(minutes) || minutes < 1) return 'Say how many minutes it lasts.';
      body.duration = minutes * 60;
    } else {
      body.start = instant(els.start.value);
      body.end = instant(els.end.value);
      if (body.start === '' || body.end === '') return 'Say when it starts and when it ends.';
    }
    return body;
  }

  els.form.addEventListener('submit', function (event) {
    event.preventDefault();
    hide(els.error);
    hide(els.done);
    var body = windowOf();
    if (typeof body === 'string') {
      show(els.error, body);
      return;
    }
    els.save.disabled = true;
    api('POST', '/api/v1/maintenance', body)
      .then(function (w) {
        show(els.done, 'Created "' + w.name + '".');
        els.name.value = '';
        return load();
      })
      .catch(function (error) { show(els.error, error.message); })
      .then(function () { els.save.disabled = false; });
  });

  els.kind.addEventListener('change', syncForm);
  els.all.addEventListener('change', syncForm);
  // No Reload button: coming back to the tab or the window reloads it, as it does the list.
  window.addEventListener('cronpeek:back', function () { if (!els.signedIn.hidden) load(); });
  if (els.tz.value === '') els.tz.value = browserZone();
  syncForm();

  function reset() {
    generation += 1;
    els.list.replaceChildren();
    els.choices.replaceChildren();
    els.none.hidden = true;
    hide(els.error);
    hide(els.done);
  }
  new MutationObserver(function () {
    if (els.signedIn.hidden) reset();
    else load();
  }).observe(els.signedIn, { attributes: true, attributeFilter: ['hidden'] });
  // A monitor created or deleted in the list (it refreshes every 15 s) joins or leaves the choices.
  var rowsBox = $('monitor-rows');
  var listedIds = '';
  new MutationObserver(function () {
    var ids = Array.prototype.map.call(rowsBox.querySelectorAll('tr[data-monitor-id]'), function (r) { return r.getAttribute('data-monitor-id'); }).join(',');
    if (ids === listedIds || els.signedIn.hidden) return;
    listedIds = ids;
    load();
  }).observe(rowsBox, { childList: true });
  if (!els.signedIn.hidden) load();
})();
