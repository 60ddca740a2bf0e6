// CronPeek dashboard, one monitor's page (#monitor/<id>): its details and badge, pause and resume,
// acknowledging an outage (which stops its reminders),
// its settings, and its ping and status-change history a page at a time. Data from the API
// (names, ping bodies, user agents) is only ever written with textContent or values, never as HTML.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var PAGE_SIZE = 20;
  var ROUTE = /^#monitor\/([0-9a-f]{16})$/;
  var STATUSES = { new: 'status-new', up: 'status-up', down: 'status-down', paused: 'status-paused' };
  var KINDS = { success: 'status-up', start: 'status-new', fail: 'status-down' };

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    signedIn: $('signed-in'),
    signedOut: $('signed-out'),
    listRefresh: $('refresh'),
    page: $('monitor-page'),
    name: $('mp-name'),
    status: $('mp-status'),
    flapping: $('mp-flapping'),
    id: $('mp-id'),
    refresh: $('mp-refresh'),
    error: $('mp-error'),
    schedule: $('mp-schedule'),
    tags: $('mp-tags'),
    grace: $('mp-grace'),
    lastPing: $('mp-last-ping'),
    nextDue: $('mp-next-due'),
    deadline: $('mp-deadline'),
    pingCount: $('mp-ping-count'),
    lastAlert: $('mp-last-alert'),
    alertEmail: $('mp-alert-email'),
    alertWebhook: $('mp-alert-webhook'),
    created: $('mp-created'),
    pingUrl: $('mp-ping-url'),
    copyPingUrl: $('mp-copy-ping-url'),
    badgeImg: $('mp-badge-img'),
    noBadge: $('mp-no-badge'),
    badgeMarkdown: $('mp-badge-markdown'),
    copyBadge: $('mp-copy-badge'),
    pauseState: $('mp-pause-state'),
    manualResume: $('mp-manual-resume'),
    pause: $('mp-pause'),
    resume: $('mp-resume'),
    reminderState: $('mp-reminder-state'),
    acknowledge: $('mp-acknowledge'),
    controlError: $('mp-control-error'),
    controlDone: $('mp-control-done'),
    form: $('mp-edit-form'),
    editName: $('mp-edit-name'),
    editSchedule: $('mp-edit-schedule'),
    editTags: $('mp-edit-tags'),
    editTz: $('mp-edit-tz'),
    editGrace: $('mp-edit-grace'),
    editRemindEvery: $('mp-edit-remind-every'),
    editRemindLimit: $('mp-edit-remind-limit'),
    editAlertAfter: $('mp-edit-alert-after'),
    editRecoverAfter: $('mp-edit-recover-after'),
    editMaxRuntime: $('mp-edit-max-runtime'),
    editMinRuntime: $('mp-edit-min-runtime'),
    streak: $('mp-streak'),
    editEmail: $('mp-edit-email'),
    editWebhook: $('mp-edit-webhook'),
    save: $('mp-save'),
    editError: $('mp-edit-error'),
    editSaved: $('mp-edit-saved'),
    pings: $('mp-pings'),
    noPings: $('mp-no-pings'),
    pingsError: $('mp-pings-error'),
    morePings: $('mp-more-pings'),
    flips: $('mp-flips'),
    noFlips: $('mp-no-flips'),
    flipsError: $('mp-flips-error'),
    moreFlips: $('mp-more-flips'),
  };

  // The monitor shown and what its history pages have reached; `generation` drops answers that
  // arrive after the page moved on to another monitor.
  var shown = null;
  var monitorId = null;
  var generation = 0;
  var cursors = { pings: null, flips: null };

  // --- HTTP ----------------------------------------------------------------------------------

  var api = ui.api;

  function monitorPath(suffix) {
    return '/api/v1/monitors/' + encodeURIComponent(monitorId) + (suffix || '');
  }

  // --- DOM helpers and formatting ------------------------------------------------------------

  var el = ui.el;
  var show = ui.show;
  var hide = ui.hide;

  var plural = ui.plural;
  var duration = ui.duration;

  function scheduleText(m) {
    if (typeof m.schedule === 'string') return 'cron ' + m.schedule + ' (' + (m.tz || 'UTC') + ')';
    var text = duration(m.schedule);
    return 'every ' + (text.indexOf('1 ') === 0 ? text.slice(2) : text);
  }

  /** A time in the viewer's zone, with the exact instant as its tooltip. */
  function timeNode(iso, empty) {
    if (!iso) return el('span', { className: 'hint', text: empty });
    var local = new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
    return el('time', { datetime: iso, title: iso, text: local });
  }

  function setFact(dd, node) { dd.replaceChildren(node); }

  function statusBadge(status) {
    return el('span', { className: 'badge ' + (STATUSES[status] || 'status-unknown'), text: String(status) });
  }

  function copy(button, text) {
    var label = button.textContent;
    window.cronpeekCopy(text).then(
      function () { button.textContent = 'Copied'; },
      function () { button.textContent = 'Copy failed'; }
    );
    setTimeout(function () { button.textContent = label; }, 1500);
  }

  // --- Details -------------------------------------------------------------------------------

  /** The badge is served by this same origin's API, which the page's CSP allows images from. */
  function sameOriginPath(url) {
    try {
      var u = new URL(url, location.href);
      return u.pathname + u.search;
    } catch (e) {
      return null;
    }
  }

  function renderMonitor(m) {
    shown = m;
    els.name.textContent = m.name;
    els.status.replaceChildren(ui.stateBadge(m));
    // While it flaps its status changes alert nobody, so the page says so next to the status.
    els.flapping.hidden = !m.flappingSince;
    els.flapping.title = m.flappingSince
      ? 'Flapping since ' + new Date(m.flappingSince).toLocaleString() + ': no alerts until it has held one status for 30 minutes.'
      : '';
    els.id.textContent = m.monitorId;
    els.schedule.textContent = scheduleText(m);
    var chips = ui.tagChips(m.tags);
    if (chips) els.tags.replaceChildren(chips);
    else els.tags.textContent = 'None';
    els.grace.textContent = duration(m.grace);
    setFact(els.lastPing, timeNode(m.lastPing, 'never'));
    var waiting = m.status === 'paused' ? 'paused' : m.status === 'down' ? 'down: alerted' : 'after the first ping';
    setFact(els.nextDue, timeNode(m.nextDue, waiting));
    var deadline = m.nextDue && m.status === 'up' ? new Date(Date.parse(m.nextDue) + m.grace * 1000).toISOString() : null;
    setFact(els.deadline, timeNode(deadline, m.status === 'up' ? '—' : waiting));
    els.streak.textContent = streakText(m);
    els.pingCount.textContent = String(m.pingCount);
    setFact(els.lastAlert, timeNode(m.lastAlert, 'none'));
    els.alertEmail.textContent = m.alertEmail ? m.alertEmail + emailStandingText(m.alertEmailStatus) : 'none';
    els.alertWebhook.textContent = m.alertWebhook || 'none';
    setFact(els.created, timeNode(m.createdAt, '—'));
    els.pingUrl.textContent = m.pingUrl;

    var badgePath = m.badgeUrl ? sameOriginPath(m.badgeUrl) : null;
    els.badgeImg.hidden = badgePath === null;
    els.noBadge.hidden = badgePath !== null;
    // Reloaded with the monitor, so a refreshed page shows the status the badge shows now.
    if (badgePath !== null) els.badgeImg.src = badgePath + (badgePath.indexOf('?') < 0 ? '?' : '&') + 'v=' + m.status;
    else els.badgeImg.removeAttribute('src');
    els.badgeMarkdown.value = m.badgeUrl ? '![CronPeek status](' + m.badgeUrl + ')' : '';
    els.copyBadge.disabled = !m.badgeUrl;

    var paused = m.status === 'paused';
    els.pause.disabled = paused;
    els.resume.disabled = !paused;
    els.manualResume.disabled = paused;
    els.pauseState.textContent = paused
      ? (m.manualResume
        ? 'Paused until resumed here: pings are recorded but do not resume it.'
        : 'Paused: the next ping resumes it.')
      : 'Watched: it goes down and alerts when a ping is late.';
    renderReminders(m);
    fillForm(m);
    // The page's other panels (quiet times) render the same answer instead of asking again.
    els.page.dispatchEvent(new CustomEvent('cronpeek:monitor', { detail: m }));
  }

  /** The runs in a row that count toward going down (or, while down, toward recovering), against the monitor's tolerance. */
  /** Where the alert address stands: alerts wait for its yes where e-mail really goes out. */
  function emailStandingText(status) {
    if (status === 'pending') return ' (not confirmed yet)';
    if (status === 'declined') return ' (declined: no alerts are sent to it)';
    if (status === 'unsubscribed') return ' (unsubscribed: no alerts are sent to it)';
    return '';
  }

  function streakText(m) {
    var failures = m.consecutiveFailures || 0;
    var successes = m.consecutiveSuccesses || 0;
    if (m.status === 'down') return successes + ' of ' + (m.recoverAfter || 1) + ' successes to recover';
    if (failures > 0) return failures + ' of ' + (m.alertAfter || 1) + ' failures before an alert';
    return (successes === 1 ? '1 success' : successes + ' successes') + ' in a row; alerts after ' + plural(m.alertAfter || 1, 'failure');
  }

  /** Where the outage's reminders stand, and the button that stops them while the monitor is down. */
  function renderReminders(m) {
    var down = m.status === 'down';
    els.acknowledge.hidden = !down;
    els.acknowledge.disabled = !down || m.acknowledged;
    var every = m.remindEvery ? 'every ' + duration(m.remindEvery) + (m.remindLimit ? ', at most ' + m.remindLimit + ' per outage' : '') : null;
    var text;
    if (!down) text = every ? 'Reminders while down: ' + every + '.' : 'No reminders while down (set them in Settings).';
    else if (m.acknowledged) text = 'Outage acknowledged: no more reminders until it ends.';
    else if (m.nextReminderAt) text = 'Down: ' + plural(m.remindersSent, 'reminder') + ' sent, next at ' + new Date(m.nextReminderAt).toLocaleString() + '.';
    else text = every ? 'Down: ' + plural(m.remindersSent, 'reminder') + ' sent, no more for this outage.' : 'Down: no reminders set.';
    els.reminderState.textContent = text;
  }

  var FORM_FIELDS = [
    'editName', 'editSchedule', 'editTags', 'editTz', 'editGrace', 'editRemindEvery', 'editRemindLimit',
    'editAlertAfter', 'editRecoverAfter', 'editMaxRuntime', 'editMinRuntime', 'editEmail', 'editWebhook',
  ];
  /** The tolerance settings the form edits: its input, and the value that empty stands for (null when none). */
  var TOLERANCE_INPUTS = [
    ['alertAfter', 'editAlertAfter', 1],
    ['recoverAfter', 'editRecoverAfter', 1],
    ['maxRuntime', 'editMaxRuntime', null],
    ['minRuntime', 'editMinRuntime', null],
  ];
  var settingText = function (v) { return v === null || v === undefined ? '' : String(v); };
  // The values the settings form was last filled with: a form the user has changed since is left
  // alone when the monitor is shown again (after a pause, a refresh), so an edit in progress survives.
  var filled = null;
  function formValues() { return FORM_FIELDS.map(function (f) { return els[f].value; }).join('\u0000'); }

  function fillForm(m) {
    if (filled !== null && formValues() !== filled) return;
    els.editName.value = m.name;
    els.editSchedule.value = String(m.schedule);
    els.editTags.value = (m.tags || []).join(', ');
    els.editTz.value = m.tz || '';
    els.editGrace.value = String(m.grace);
    els.editRemindEvery.value = m.remindEvery === null || m.remindEvery === undefined ? '' : String(m.remindEvery);
    els.editRemindLimit.value = m.remindLimit === null || m.remindLimit === undefined ? '' : String(m.remindLimit);
    TOLERANCE_INPUTS.forEach(function (t) { els[t[1]].value = settingText(m[t[0]]); });
    els.editEmail.value = m.alertEmail || '';
    els.editWebhook.value = m.alertWebhook || '';
    filled = formValues();
  }

  // --- History -------------------------------------------------------------------------------

  function pingItem(p) {
    var kind = p.kind + (p.exitCode !== null && p.exitCode !== undefined ? ' (exit ' + p.exitCode + ')' : '');
    var head = el('div', { className: 'mp-item-head' }, [
      timeNode(p.at, '—'),
      el('span', { className: 'badge ' + (KINDS[p.kind] || 'status-unknown'), text: kind }),
      el('span', { className: 'mp-method', text: p.method }),
    ]);
    if (p.duration !== null && p.duration !== undefined) head.appendChild(el('span', { className: 'hint mp-inline', text: 'run took ' + p.duration + ' s' }));
    var meta = el('dl', { className: 'mp-item-meta' }, [
      el('div', {}, [el('dt', { text: 'Source' }), el('dd', { text: p.source || 'unknown' })]),
      el('div', {}, [el('dt', { text: 'User agent' }), el('dd', { text: p.userAgent || 'none' })]),
    ]);
    var body;
    if (p.body === null || p.body === undefined || p.body === '') {
      // A body dropped to keep the account within its body budget leaves the ping marked truncated.
      body = el('p', { className: 'hint', text: p.bodyTruncated ? 'Body dropped: the account keeps only its newest bodies, as much as its plan allows.' : 'No body.' });
    } else {
      var summary = el('summary', { text: 'Body (' + plural(p.body.length, 'character') + ')' });
      if (p.bodyTruncated) summary.appendChild(el('span', { className: 'badge status-paused mp-truncated', text: 'truncated' }));
      body = el('details', { className: 'mp-body' }, [summary, el('pre', { text: p.body })]);
    }
    return el('li', { className: 'mp-item' }, [head, meta, body]);
  }

  function flipItem(f) {
    var head = el('div', { className: 'mp-item-head' }, [
      timeNode(f.at, '—'),
      statusBadge(f.from),
      el('span', { className: 'mp-arrow', 'aria-label': 'to', text: '→' }),
      statusBadge(f.to),
      el('span', { className: 'mp-reason', text: f.reason }),
    ]);
    // A change during a maintenance window alerted nobody at the time.
    if (f.inMaintenance) head.appendChild(el('span', { className: 'badge status-paused mp-quiet', text: 'in maintenance' }));
    return el('li', { className: 'mp-item' }, [head]);
  }

  var HISTORY = {
    pings: { list: els.pings, none: els.noPings, error: els.pingsError, more: els.morePings, field: 'pings', item: pingItem },
    flips: { list: els.flips, none: els.noFlips, error: els.flipsError, more: els.moreFlips, field: 'flips', item: flipItem },
  };

  /** Loads the first page (`append` false) or the page after the last one shown. */
  function loadHistory(what, append) {
    var h = HISTORY[what];
    var mine = generation;
    var query = '?limit=' + PAGE_SIZE + (append && cursors[what] ? '&cursor=' + encodeURIComponent(cursors[what]) : '');
    h.more.disabled = true;
    return api('GET', monitorPath('/' + what + query))
      .then(function (data) {
        if (mine !== generation) return;
        hide(h.error);
        var items = Array.isArray(data && data[h.field]) ? data[h.field] : [];
        var nodes = items.map(h.item);
        if (append) nodes.forEach(function (n) { h.list.appendChild(n); });
        else h.list.replaceChildren.apply(h.list, nodes);
        cursors[what] = data.nextCursor || null;
        h.more.hidden = cursors[what] === null;
        h.none.hidden = h.list.children.length > 0;
      })
      .catch(function (error) {
        if (mine !== generation) return;
        failed(error, h.error);
      })
      .then(function () { h.more.disabled = false; });
  }

  // --- Loading and routing -------------------------------------------------------------------

  /** A key the API no longer takes: back to the list, whose own refresh signs the tab out. */
  function failed(error, box) {
    if (error.status === 401) {
      location.hash = '';
      return;
    }
    show(box, error.message);
  }

  function loadMonitor() {
    var mine = generation;
    return api('GET', monitorPath())
      .then(function (m) {
        if (mine !== generation) return;
        hide(els.error);
        renderMonitor(m);
      })
      .catch(function (error) {
        if (mine !== generation) return;
        failed(error, els.error);
      });
  }

  function reloadAll() {
    return Promise.all([loadMonitor(), loadHistory('pings', false), loadHistory('flips', false)]);
  }

  function clearPage() {
    shown = null;
    cursors = { pings: null, flips: null };
    els.name.textContent = 'Monitor';
    els.status.replaceChildren();
    els.id.textContent = '';
    [els.pings, els.flips].forEach(function (list) { list.replaceChildren(); });
    [els.morePings, els.moreFlips, els.noPings, els.noFlips, els.badgeImg, els.noBadge, els.flapping].forEach(function (n) { n.hidden = true; });
    [els.error, els.controlError, els.controlDone, els.editError, els.editSaved, els.pingsError, els.flipsError].forEach(hide);
    els.manualResume.checked = false;
    els.form.reset();
    filled = null;
  }

  function openPage(id) {
    generation += 1;
    monitorId = id;
    clearPage();
    els.signedIn.hidden = true;
    els.page.hidden = false;
    window.scrollTo(0, 0);
    return reloadAll();
  }

  function closePage() {
    if (els.page.hidden) return;
    generation += 1;
    monitorId = null;
    clearPage();
    els.page.hidden = true;
    if (els.signedOut.hidden) {
      els.signedIn.hidden = false;
      // The list shows what changed here (status, name, pings) without waiting for its timer.
      els.listRefresh.click();
    }
  }

  function route() {
    var match = ROUTE.exec(location.hash);
    if (match && ui.storedKey() && els.signedOut.hidden) {
      if (match[1] !== monitorId) openPage(match[1]);
    } else if (location.hash !== '#content') {
      // The skip link's target is the only other hash this page uses; it keeps the page open.
      closePage();
    }
  }

  // --- Actions -------------------------------------------------------------------------------

  var DONE = { pause: 'Paused', resume: 'Resumed', acknowledge: 'Acknowledged the outage of' };

  function control(action) {
    hide(els.controlError);
    hide(els.controlDone);
    var body = action === 'pause' && els.manualResume.checked ? { manualResume: true } : undefined;
    els.pause.disabled = true;
    els.resume.disabled = true;
    els.acknowledge.disabled = true;
    var mine = generation;
    return api('POST', monitorPath('/' + action), body)
      .then(function (m) {
        if (mine !== generation) return;
        renderMonitor(m);
        show(els.controlDone, DONE[action] + ' "' + m.name + '".');
        els.manualResume.checked = false;
        return loadHistory('flips', false);
      })
      .catch(function (error) {
        if (mine !== generation) return;
        failed(error, els.controlError);
        // A 409 means the page was out of date (another tab, a ping): show the monitor as it is now.
        return loadMonitor();
      });
  }

  els.pause.addEventListener('click', function () { control('pause'); });
  els.resume.addEventListener('click', function () { control('resume'); });
  els.acknowledge.addEventListener('click', function () { control('acknowledge'); });

  function numberOrText(raw) {
    return /^\d+$/.test(raw) ? Number(raw) : raw;
  }

  /** Only the fields the user changed; an emptied optional field removes that setting. */
  function editOf(m) {
    var edit = {};
    var name = els.editName.value.trim();
    if (name !== m.name) edit.name = name;
    var schedule = els.editSchedule.value.trim();
    var tz = els.editTz.value.trim();
    if (schedule !== String(m.schedule)) edit.schedule = numberOrText(schedule);
    // The whole list is sent when it changed: PATCH replaces a monitor's tags, [] removes them.
    var tags = ui.parseTags(els.editTags.value);
    if (tags.join(',') !== (m.tags || []).join(',')) edit.tags = tags;
    // A zone belongs to a cron schedule: sent with a new cron line (left out, the monitor's zone
    // stays), or alone to read the current line in another zone. Seconds take no zone.
    if (typeof edit.schedule === 'string') {
      if (tz !== '') edit.tz = tz;
    } else if (edit.schedule === undefined && typeof m.schedule === 'string' && tz !== (m.tz || '')) {
      edit.tz = tz === '' ? null : tz;
    }
    var grace = els.editGrace.value.trim();
    if (grace !== String(m.grace)) edit.grace = grace === '' ? null : numberOrText(grace);
    // Empty turns reminders off (or removes the limit).
    var remindEvery = els.editRemindEvery.value.trim();
    if (remindEvery !== (m.remindEvery ? String(m.remindEvery) : '')) edit.remindEvery = remindEvery === '' ? null : numberOrText(remindEvery);
    var remindLimit = els.editRemindLimit.value.trim();
    if (remindLimit !== (m.remindLimit ? String(m.remindLimit) : '')) edit.remindLimit = remindLimit === '' ? null : numberOrText(remindLimit);
    // Empty puts a count back to 1 (null) and removes a run-time limit; an unchanged value is not sent.
    TOLERANCE_INPUTS.forEach(function (t) {
      var value = els[t[1]].value.trim();
      if (value === settingText(m[t[0]]) || (value === '' && m[t[0]] === t[2])) return;
      edit[t[0]] = value === '' ? null : numberOrText(value);
    });
    var email = els.editEmail.value.trim();
    if (email !== (m.alertEmail || '')) edit.alertEmail = email === '' ? null : email;
    var webhook = els.editWebhook.value.trim();
    if (webhook !== (m.alertWebhook || '')) edit.alertWebhook = webhook === '' ? null : webhook;
    return edit;
  }

  els.form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (shown === null) return;
    hide(els.editError);
    hide(els.editSaved);
    var edit = editOf(shown);
    if (Object.keys(edit).length === 0) {
      show(els.editSaved, 'Nothing to change.');
      return;
    }
    els.save.disabled = true;
    var mine = generation;
    api('PATCH', monitorPath(), edit)
      .then(function (m) {
        if (mine !== generation) return;
        filled = null;
        renderMonitor(m);
        var parts = [el('p', { text: 'Saved "' + m.name + '".' })];
        if (m.webhookSecret) {
          parts.push(el('p', { text: 'Webhook signing secret (shown only now, save it):' }));
          parts.push(el('p', {}, [el('code', { className: 'mp-secret', text: m.webhookSecret })]));
        }
        els.editSaved.replaceChildren.apply(els.editSaved, parts);
        els.editSaved.hidden = false;
      })
      .catch(function (error) {
        if (mine !== generation) return;
        failed(error, els.editError);
      })
      .then(function () { els.save.disabled = false; });
  });

  els.refresh.addEventListener('click', function () { if (monitorId) reloadAll(); });
  els.morePings.addEventListener('click', function () { loadHistory('pings', true); });
  els.moreFlips.addEventListener('click', function () { loadHistory('flips', true); });
  els.copyPingUrl.addEventListener('click', function () { if (shown) copy(els.copyPingUrl, shown.pingUrl); });
  els.copyBadge.addEventListener('click', function () { copy(els.copyBadge, els.badgeMarkdown.value); });

  window.addEventListener('hashchange', route);
  // Signing in or out (the dashboard's own panels) opens or closes this page with the address.
  new MutationObserver(function () {
    if (!els.signedOut.hidden) closePage();
    else route();
  }).observe(els.signedOut, { attributes: true, attributeFilter: ['hidden'] });
  route();
})();
