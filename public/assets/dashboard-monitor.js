// CronPeek dashboard, one monitor's page (#monitor/<id>): why it is down, its details and badge,
// pause, resume and delete, acknowledging an outage (which stops its reminders), its settings, and
// one event log of its pings, status changes and alerts, newest first, a page at a time. It
// follows the server by itself while the tab is visible. Data from the API (names, ping bodies,
// user agents) is only ever written with textContent or values, never as HTML.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var PAGE_SIZE = 20;
  var REFRESH_MS = 15000;
  var ROUTE = /^#monitor\/([0-9a-f]{16})$/;
  var STATUSES = { new: 'status-new', up: 'status-up', down: 'status-down', paused: 'status-paused' };
  var KINDS = { success: 'status-up', start: 'status-new', fail: 'status-down' };

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    signedIn: $('signed-in'),
    signedOut: $('signed-out'),
    page: $('monitor-page'),
    name: $('mp-name'),
    status: $('mp-status'),
    flapping: $('mp-flapping'),
    id: $('mp-id'),
    error: $('mp-error'),
    why: $('mp-why'),
    whyText: $('mp-why-text'),
    whyOutput: $('mp-why-output'),
    remove: $('mp-delete'),
    slug: $('mp-slug'),
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
    editSlug: $('mp-edit-slug'),
    editSchedule: $('mp-edit-schedule'),
    editTags: $('mp-edit-tags'),
    editTz: $('mp-edit-tz'),
    editGrace: $('mp-edit-grace'),
    editGraceUnit: $('mp-edit-grace-unit'),
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
    events: $('mp-events'),
    noEvents: $('mp-no-events'),
    eventsError: $('mp-events-error'),
    moreEvents: $('mp-more-events'),
  };

  // The monitor shown and what its history pages have reached; `generation` drops answers that
  // arrive after the page moved on to another monitor.
  var shown = null;
  var monitorId = null;
  var generation = 0;
  var refreshTimer = null;

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
    if (m.slug) els.slug.replaceChildren(el('code', { text: m.slug }));
    else els.slug.textContent = 'None';
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
    renderWhy();
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
    'editName', 'editSlug', 'editSchedule', 'editTags', 'editTz', 'editGrace', 'editGraceUnit', 'editRemindEvery', 'editRemindLimit',
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
    els.editSlug.value = m.slug || '';
    els.editSchedule.value = String(m.schedule);
    els.editTags.value = (m.tags || []).join(', ');
    els.editTz.value = m.tz || '';
    var grace = ui.secondsToUnit(m.grace) || { value: m.grace / 60, unit: 60 };
    els.editGrace.value = String(grace.value);
    els.editGraceUnit.value = String(grace.unit);
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
      // A failure's output is what the reader came for: shown open.
      body = el('details', p.kind === 'fail' ? { className: 'mp-body', open: '' } : { className: 'mp-body' }, [summary, el('pre', { text: p.body })]);
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

  // --- The event log: pings, status changes and alerts merged, newest first ---------------------
  //
  // Each of the three histories is paged by the API on its own. The log keeps what it has fetched
  // of each and shows the newest item among them, but only while every history that has more to
  // give still has something fetched: otherwise an older item could be shown before a newer one
  // that is not loaded yet. A history that runs dry mid-page is fetched again before going on.

  // In the order that wins a tie: a ping's status change, and the alert it made, carry the ping's
  // time, and newest first shows each consequence above its cause.
  var STREAMS = [
    { path: 'notifications', field: 'notifications', at: function (d) { return d.createdAt; }, item: function (d) { return ui.deliveryItem(d); } },
    { path: 'flips', field: 'flips', at: function (f) { return f.at; }, item: flipItem },
    { path: 'pings', field: 'pings', at: function (p) { return p.at; }, item: pingItem },
  ];
  var LABELS = { pings: 'Ping', flips: 'Status', notifications: 'Alert' };
  var log = null;
  /** The newest status change and failing ping seen on the log's first page, for "why it is down". */
  var latest = { flip: null, failure: null };

  function newLog() {
    return STREAMS.map(function (s) { return { stream: s, buffer: [], cursor: null, done: false }; });
  }

  function fetchStream(state, mine) {
    var query = '?limit=' + PAGE_SIZE + (state.cursor ? '&cursor=' + encodeURIComponent(state.cursor) : '');
    return api('GET', monitorPath('/' + state.stream.path + query)).then(function (data) {
      // Another monitor's page by now: stop, leaving this one's histories as they were.
      if (mine !== generation) {
        state.done = true;
        return;
      }
      var items = Array.isArray(data && data[state.stream.field]) ? data[state.stream.field] : [];
      if (state.cursor === null && state.stream.path === 'flips') latest.flip = items[0] || null;
      if (state.cursor === null && state.stream.path === 'pings') {
        latest.failure = items.filter(function (p) { return p.kind === 'fail'; })[0] || null;
      }
      state.buffer = state.buffer.concat(items);
      state.cursor = data.nextCursor || null;
      state.done = state.cursor === null;
    });
  }

  // Each load of the log from its newest item gets a number; an older one's answer is dropped.
  var logGeneration = 0;

  /** Moves up to `count` items from the fetched histories in `state` into `list`, fetching where one ran dry. */
  function showEvents(state, list, count, current) {
    var dry = state.filter(function (st) { return st.buffer.length === 0 && !st.done; });
    if (dry.length > 0) {
      return Promise.all(dry.map(function (st) { return fetchStream(st, generation); })).then(function () {
        if (!current()) return;
        return showEvents(state, list, count, current);
      });
    }
    var shownNow = 0;
    while (shownNow < count) {
      var newest = null;
      var blocked = false;
      state.forEach(function (st) {
        if (st.buffer.length === 0) {
          if (!st.done) blocked = true;
          return;
        }
        if (newest === null || Date.parse(st.stream.at(st.buffer[0])) > Date.parse(newest.stream.at(newest.buffer[0]))) newest = st;
      });
      if (blocked || newest === null) break;
      var path = newest.stream.path;
      var item = newest.stream.item(newest.buffer.shift());
      item.setAttribute('data-event', path === 'pings' ? 'ping' : path === 'flips' ? 'flip' : 'delivery');
      var head = item.querySelector('.mp-item-head');
      if (head) head.insertBefore(el('span', { className: 'mp-event-kind', text: LABELS[path] }), head.firstChild);
      list.appendChild(item);
      shownNow += 1;
    }
    if (shownNow < count && state.some(function (st) { return st.buffer.length === 0 && !st.done; })) {
      return showEvents(state, list, count - shownNow, current);
    }
    return Promise.resolve();
  }

  function renderEventsState() {
    var more = log.some(function (st) { return st.buffer.length > 0 || !st.done; });
    els.moreEvents.hidden = !more;
    els.noEvents.hidden = els.events.children.length > 0;
  }

  /**
   * The log from its newest item (`append` false), keeping as many items as were shown so a live
   * refresh does not undo "Load more", built off-screen and swapped in whole; or the next page.
   */
  function loadEvents(append) {
    var mine = generation;
    var myLog = append ? logGeneration : ++logGeneration;
    var current = function () { return mine === generation && myLog === logGeneration; };
    var state = append ? log : newLog();
    var list = append ? els.events : el('ol', {});
    var count = append ? PAGE_SIZE : Math.max(PAGE_SIZE, els.events.children.length);
    els.moreEvents.disabled = true;
    return showEvents(state, list, count, current)
      .then(function () {
        if (!current()) return;
        if (!append) {
          log = state;
          els.events.replaceChildren.apply(els.events, Array.prototype.slice.call(list.children));
        }
        hide(els.eventsError);
        renderEventsState();
        renderWhy();
      })
      .catch(function (error) {
        if (!current()) return;
        failed(error, els.eventsError);
      })
      .then(function () { els.moreEvents.disabled = false; });
  }

  // --- Why it is down (or late) -----------------------------------------------------------------

  function shortTime(iso) {
    return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }

  /** The last lines of a failing run's output, as the alert quotes it. */
  function tail(text) {
    var lines = String(text).split('\n');
    return lines.slice(Math.max(0, lines.length - 20)).join('\n').slice(-2000);
  }

  function renderWhy() {
    var m = shown;
    var text = null;
    var output = null;
    if (m && m.status === 'down') {
      var flip = latest.flip && latest.flip.to === 'down' ? latest.flip : null;
      var since = flip ? flip.at : m.downSince;
      var reason = flip ? flip.reason : '';
      var failure = latest.failure;
      var prefix = since ? 'Down since ' + shortTime(since) + ': ' : 'Down: ';
      if (/^missed/.test(reason)) {
        var expected = new Date(Date.parse(flip.at) - m.grace * 1000).toISOString();
        text = prefix + (m.lastPing ? 'no ping since ' + shortTime(m.lastPing) : 'no ping yet') + ', expected by ' + shortTime(expected) +
          ' (grace ' + duration(m.grace) + ').' + (reason !== 'missed' ? ' ' + reason.replace(/^missed /, '') : '');
      } else if (/^started but never finished/.test(reason)) {
        text = prefix + 'a run started' + (m.lastStart ? ' at ' + shortTime(m.lastStart) : '') + ' and did not finish within its grace (' + duration(m.grace) + ').';
      } else if ((/^(failed|exit code)/.test(reason)) && failure) {
        text = prefix + 'the run at ' + shortTime(failure.at) + ' failed' +
          (failure.exitCode !== null && failure.exitCode !== undefined ? ' with exit code ' + failure.exitCode : '') + '.' +
          (/in a row/.test(reason) ? ' (' + reason.replace(/^[^(]*\(/, '').replace(/\)$/, '') + ')' : '');
        if (failure.body) output = tail(failure.body);
      } else if (reason) {
        text = prefix + reason + '.';
      } else {
        text = prefix.replace(/: $/, '.');
      }
    } else if (m && m.status === 'up' && m.late && m.nextDue) {
      text = 'Late: a ping was expected by ' + shortTime(m.nextDue) + '; it goes down at ' +
        shortTime(new Date(Date.parse(m.nextDue) + m.grace * 1000).toISOString()) + ' unless one arrives.';
    }
    els.why.hidden = text === null;
    els.why.className = 'callout mp-why ' + (m && m.status === 'down' ? 'error' : 'warn');
    els.whyText.textContent = text || '';
    els.whyOutput.hidden = output === null;
    els.whyOutput.textContent = output || '';
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
    return Promise.all([loadMonitor(), loadEvents(false)]);
  }

  function clearPage() {
    shown = null;
    log = newLog();
    latest = { flip: null, failure: null };
    els.name.textContent = 'Monitor';
    els.status.replaceChildren();
    els.id.textContent = '';
    els.events.replaceChildren();
    [els.moreEvents, els.noEvents, els.badgeImg, els.noBadge, els.flapping, els.why].forEach(function (n) { n.hidden = true; });
    [els.error, els.controlError, els.controlDone, els.editError, els.editSaved, els.eventsError].forEach(hide);
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
    startRefresh();
    return reloadAll();
  }

  // While the page is open and the tab visible, it follows the server, so it has no Refresh
  // button: the monitor, and the log's newest items (as many as are shown, so "load more" is not
  // undone), every REFRESH_MS. Coming back to the tab or the window reloads at once, and the
  // page's other panels (channels, dependencies) reload with it.
  function startRefresh() {
    stopRefresh();
    refreshTimer = setInterval(function () { if (!document.hidden && monitorId) reloadAll(); }, REFRESH_MS);
  }
  function stopRefresh() {
    if (refreshTimer !== null) clearInterval(refreshTimer);
    refreshTimer = null;
  }
  function welcomeBack() {
    if (!monitorId || refreshTimer === null) return;
    reloadAll();
    els.page.dispatchEvent(new CustomEvent('cronpeek:reload'));
  }
  document.addEventListener('visibilitychange', function () { if (!document.hidden) welcomeBack(); });
  window.addEventListener('focus', welcomeBack);

  function closePage() {
    if (els.page.hidden) return;
    generation += 1;
    monitorId = null;
    stopRefresh();
    clearPage();
    els.page.hidden = true;
    if (els.signedOut.hidden) {
      els.signedIn.hidden = false;
      // The list shows what changed here (status, name, pings) without waiting for its timer.
      window.dispatchEvent(new CustomEvent('cronpeek:list-stale'));
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
        return loadEvents(false);
      })
      .catch(function (error) {
        if (mine !== generation) return;
        failed(error, els.controlError);
        // A 409 means the page was out of date (another tab, a ping): show the monitor as it is now.
        return loadMonitor();
      });
  }

  els.remove.addEventListener('click', function () {
    if (shown === null) return;
    var name = shown.name;
    if (!window.confirm('Delete the monitor "' + name + '"? Its ping URL stops working and its history is removed. This cannot be undone.')) return;
    hide(els.controlError);
    hide(els.controlDone);
    els.remove.disabled = true;
    var mine = generation;
    api('DELETE', monitorPath())
      .then(function () {
        if (mine !== generation) return;
        // Back to the list, which says what happened.
        location.hash = '';
        window.dispatchEvent(new CustomEvent('cronpeek:deleted', { detail: { name: name } }));
      })
      .catch(function (error) {
        if (mine !== generation) return;
        failed(error, els.controlError);
      })
      .then(function () { els.remove.disabled = false; });
  });

  els.pause.addEventListener('click', function () { control('pause'); });
  els.resume.addEventListener('click', function () { control('resume'); });
  els.acknowledge.addEventListener('click', function () { control('acknowledge'); });

  function numberOrText(raw) {
    return /^\d+$/.test(raw) ? Number(raw) : raw;
  }

  /** What the settings form calls the API's fields, for its error messages. */
  var EDIT_WORDS = {
    name: 'monitor name', slug: 'slug', schedule: 'schedule', tz: 'time zone', grace: 'grace', tags: 'tags',
    remindEvery: 'remind every', remindLimit: 'reminders per outage', alertAfter: 'alert after', recoverAfter: 'recover after',
    maxRuntime: 'max run time', minRuntime: 'min run time', alertEmail: 'alert email', alertWebhook: 'alert webhook',
  };

  /** Only the fields the user changed; an emptied optional field removes that setting. */
  function editOf(m) {
    var edit = {};
    var name = els.editName.value.trim();
    if (name !== m.name) edit.name = name;
    var slug = els.editSlug.value.trim();
    if (slug !== (m.slug || '')) edit.slug = slug === '' ? null : slug;
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
    var grace = ui.unitSeconds(els.editGrace.value, Number(els.editGraceUnit.value));
    if (grace !== m.grace) edit.grace = grace === undefined ? null : grace;
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
    if (isNaN(ui.unitSeconds(els.editGrace.value, 60))) {
      show(els.editError, 'Grace must be a whole number of ' + (els.editGraceUnit.value === '3600' ? 'hours' : 'minutes') + ', at least 1, or empty.');
      return;
    }
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
        // An edit meets a conflict only over a new slug: another monitor of the account has it.
        var message = error.status === 409 && typeof edit.slug === 'string' ? ui.slugTaken(edit.slug) : ui.formWords(error.message, EDIT_WORDS);
        failed({ status: error.status, message: message }, els.editError);
      })
      .then(function () { els.save.disabled = false; });
  });

  els.moreEvents.addEventListener('click', function () { loadEvents(true); });
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
