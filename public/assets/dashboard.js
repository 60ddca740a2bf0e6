// CronPeek dashboard: plain DOM code over the public API. Data from the API is only ever written
// with textContent or attributes, never as HTML.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var REFRESH_MS = 15000;
  var STATUSES = { new: 'status-new', up: 'status-up', down: 'status-down', paused: 'status-paused' };

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    signedOut: $('signed-out'),
    signedIn: $('signed-in'),
    signupForm: $('signup-form'),
    signupEmail: $('signup-email'),
    signupError: $('signup-error'),
    keyForm: $('key-form'),
    keyInput: $('key-input'),
    keyError: $('key-error'),
    linkForm: $('link-form'),
    linkEmail: $('link-email'),
    remember: $('remember-browser'),
    linkNotice: $('link-notice'),
    linkError: $('link-error'),
    newMonitorToggle: $('new-monitor-toggle'),
    newMonitorPanel: $('new-monitor-panel'),
    newKey: $('new-key'),
    newKeyValue: $('new-key-value'),
    copyNewKey: $('copy-new-key'),
    dismissNewKey: $('dismiss-new-key'),
    keyHint: $('key-hint-value'),
    keyHintLabel: $('key-hint-label'),
    signOut: $('sign-out'),
    monitorForm: $('monitor-form'),
    name: $('monitor-name'),
    slug: $('monitor-slug'),
    schedule: $('monitor-schedule'),
    cron: $('monitor-cron'),
    tz: $('monitor-tz'),
    preset: $('schedule-preset'),
    scheduleField: $('monitor-schedule-field'),
    cronField: $('monitor-cron-field'),
    atField: $('monitor-at-field'),
    at: $('monitor-at'),
    weekday: $('monitor-weekday'),
    grace: $('monitor-grace'),
    graceUnit: $('monitor-grace-unit'),
    preview: $('schedule-preview'),
    previewNote: $('schedule-preview-note'),
    alertEmail: $('monitor-email'),
    alertWebhook: $('monitor-webhook'),
    alertSlack: $('monitor-slack'),
    alertPagerDuty: $('monitor-pagerduty'),
    tags: $('monitor-tags'),
    filters: $('monitor-filters'),
    filterQ: $('filter-q'),
    filterStatus: $('filter-status'),
    filterTag: $('filter-tag'),
    filterCount: $('filter-count'),
    filterClear: $('filter-clear'),
    noMatches: $('no-matches'),
    createButton: $('create-monitor'),
    monitorError: $('monitor-error'),
    monitorCreated: $('monitor-created'),
    updated: $('list-updated'),
    listError: $('list-error'),
    listNotice: $('list-notice'),
    rows: $('monitor-rows'),
    empty: $('no-monitors'),
    accountEmail: $('account-email'),
    accountEmailStatus: $('account-email-status'),
    emailConfirmation: $('email-confirmation'),
    resendConfirmation: $('resend-confirmation'),
    accountNotice: $('account-notice'),
    accountPlan: $('account-plan'),
    accountMonitors: $('account-monitors'),
    accountHistory: $('account-history'),
    accountChannels: $('account-channels'),
    accountPanel: $('account-panel'),
    rotateKey: $('rotate-key'),
    accountError: $('account-error'),
  };

  var refreshTimer = null;
  var loading = false;
  // Each list request's number: an answer to an older one (filters changed meanwhile) is dropped.
  var listGeneration = 0;
  // Every tag seen in a list answer since signing in, for the tag filter's choices: a filtered
  // list shows only some tags, and the choices must not shrink to them.
  var knownTags = {};

  // --- The credential: an API key for this tab, or a session (remembered by the browser or not) --

  function writeKey(key, remember) {
    ui.keepCredential(key, remember === true);
    currentKey = key;
  }
  function forgetKey() {
    ui.forgetCredential();
    currentKey = null;
  }
  var currentKey = ui.storedKey();

  // --- HTTP ----------------------------------------------------------------------------------

  /** Calls the API with this tab's key; see dashboard-common.js. */
  function api(method, path, body, key) {
    return ui.api(method, path, body, key === undefined ? currentKey : key);
  }

  // --- Small DOM helpers ---------------------------------------------------------------------

  var el = ui.el;
  var showMessage = ui.show;
  var hideMessage = ui.hide;

  var copyText = window.cronpeekCopy;

  function copyButton(label, textFn, ariaLabel) {
    var button = el('button', { type: 'button', className: 'secondary small', text: label });
    if (ariaLabel) button.setAttribute('aria-label', ariaLabel);
    button.addEventListener('click', function () {
      copyText(textFn()).then(
        function () { button.textContent = 'Copied'; },
        function () { button.textContent = 'Copy failed'; }
      );
      setTimeout(function () { button.textContent = label; }, 1500);
    });
    return button;
  }

  // --- Formatting ----------------------------------------------------------------------------

  var plural = ui.plural;
  var duration = ui.duration;

  function every(seconds) {
    var text = duration(seconds);
    return 'every ' + (text.indexOf('1 ') === 0 ? text.slice(2) : text);
  }

  /** A cron monitor's schedule is its expression (with its zone); otherwise a period in seconds. */
  function scheduleText(m) {
    if (typeof m.schedule === 'string') return 'cron ' + m.schedule + ' (' + (m.tz || 'UTC') + ')';
    return every(m.schedule);
  }

  /** When the next run is expected, in the viewer's own time zone; "after the first ping" while new. */
  function nextRun(m) {
    if (!m.nextDue) return el('span', { className: 'hint', text: m.status === 'paused' ? 'paused' : 'after the first ping' });
    var local = new Date(m.nextDue).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    return el('time', { datetime: m.nextDue, title: m.nextDue, text: local });
  }

  /** How long the last run that sent a start and an end took (seconds, to the millisecond). */
  function runTime(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return (Math.round(seconds * 10) / 10) + ' s';
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + ' min ' + Math.round(seconds - minutes * 60) + ' s';
    return Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
  }

  function relativeTime(iso, now) {
    var then = Date.parse(iso);
    if (isNaN(then)) return 'unknown';
    var s = Math.round((now - then) / 1000);
    if (s < 5) return 'just now';
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    return plural(Math.floor(s / 86400), 'day') + ' ago';
  }

  // --- Views ---------------------------------------------------------------------------------

  function showSignedOut() {
    stopRefresh();
    ui.setDownCount(0);
    els.signedIn.hidden = true;
    els.signedOut.hidden = false;
    els.rows.replaceChildren();
    knownTags = {};
    clearFilters();
    [els.accountEmail, els.accountEmailStatus, els.accountPlan, els.accountMonitors, els.accountHistory, els.accountChannels].forEach(function (dd) {
      dd.textContent = '…';
    });
    els.emailConfirmation.hidden = true;
    hideMessage(els.accountNotice);
    ui.account = null;
  }

  function showSignedIn() {
    // A monitor link kept for after signing in is spent (or moot) once signed in.
    takeReturn();
    hideMessage(els.linkNotice);
    els.signedOut.hidden = true;
    els.signedIn.hidden = false;
    renderCredential();
    refreshList();
    startRefresh();
  }

  /** The session bar: which key is in use (its ends only), or that an e-mail link signed this browser in. */
  function renderCredential() {
    var session = ui.isSession(currentKey);
    els.keyHintLabel.textContent = session ? 'Signed in by e-mail link' : 'Signed in with key ';
    els.keyHint.textContent = session ? '' : currentKey.slice(0, 4) + '…' + currentKey.slice(-4);
    els.keyHint.hidden = session;
  }

  // The list (and the tab title's count of monitors down) follows the server by itself, so it
  // has no Refresh button: every REFRESH_MS while the tab is visible, and at once when the tab
  // becomes visible again or the window gets the focus back (another window was in front).
  function startRefresh() {
    stopRefresh();
    refreshTimer = setInterval(function () { if (!document.hidden) refreshList(); }, REFRESH_MS);
  }
  // The account's other panels (channels, maintenance, status pages) reload on `cronpeek:back`.
  function cameBack() {
    if (refreshTimer === null) return;
    refreshList();
    window.dispatchEvent(new CustomEvent('cronpeek:back'));
  }
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) cameBack();
  });
  window.addEventListener('focus', cameBack);
  // A monitor's page closing: the list shows what changed there without waiting for its timer.
  window.addEventListener('cronpeek:list-stale', function () {
    if (refreshTimer !== null) refreshList();
  });
  function stopRefresh() {
    if (refreshTimer !== null) clearInterval(refreshTimer);
    refreshTimer = null;
  }

  function statusBadge(status) {
    return el('span', { className: 'badge ' + (STATUSES[status] || 'status-unknown'), text: String(status) });
  }

  function monitorRow(m, now) {
    var lastPing = m.lastPing
      ? el('time', { datetime: m.lastPing, title: new Date(m.lastPing).toLocaleString(), text: relativeTime(m.lastPing, now) })
      : el('span', { className: 'hint', text: 'never' });
    var remove = el('button', { type: 'button', className: 'danger small', text: 'Delete', 'aria-label': 'Delete monitor ' + m.name });
    remove.addEventListener('click', function () { deleteMonitor(m, remove); });
    return el('tr', { 'data-monitor-id': m.monitorId }, [
      el('td', { 'data-label': 'Name' }, [
        el('div', {}, [
          // Opens the monitor's own page (history, settings, pause): assets/dashboard-monitor.js.
          el('a', { className: 'monitor-name', href: '#monitor/' + m.monitorId, text: m.name }),
          // A fleet knows its monitors by slug: shown in place of the id when there is one.
          m.slug ? el('span', { className: 'monitor-id', title: 'Slug; id ' + m.monitorId, text: m.slug }) : el('span', { className: 'monitor-id', text: m.monitorId }),
        ].concat(ui.tagChips(m.tags, 'Tags of ' + m.name) || [])),
      ]),
      // Quiet states (snoozed, in maintenance, held for a parent) follow the status as words.
      el('td', { 'data-label': 'Status' }, [el('div', { className: 'status-cell' }, [ui.stateBadge(m)].concat(ui.quietBadges(m)))]),
      el('td', { 'data-label': 'Schedule', text: scheduleText(m) + ', grace ' + duration(m.grace) }),
      el('td', { 'data-label': 'Last ping' }, [lastPing]),
      el('td', { 'data-label': 'Next run' }, [nextRun(m)]),
      el('td', { 'data-label': 'Last run took', className: 'num', text: runTime(m.lastDuration) }),
      el('td', { 'data-label': 'Pings', className: 'num', text: String(m.pingCount) }),
      el('td', { 'data-label': 'Ping URL' }, [
        el('div', { className: 'ping-url' }, [
          el('code', { text: m.pingUrl, title: m.pingUrl }),
          copyButton('Copy', function () { return m.pingUrl; }, 'Copy ping URL of ' + m.name),
        ]),
      ]),
      el('td', {}, [remove]),
    ]);
  }

  function renderMonitors(monitors, filtered) {
    var now = Date.now();
    els.rows.replaceChildren.apply(els.rows, monitors.map(function (m) { return monitorRow(m, now); }));
    els.empty.hidden = monitors.length > 0 || filtered;
    els.noMatches.hidden = monitors.length > 0 || !filtered;
    els.filterCount.hidden = !filtered;
    els.filterCount.textContent = filtered ? plural(monitors.length, 'monitor') + ' match' + (monitors.length === 1 ? 'es' : '') + ' these filters.' : '';
    monitors.forEach(function (m) { (m.tags || []).forEach(function (t) { knownTags[t] = true; }); });
    renderTagChoices();
    els.updated.textContent = 'Updated ' + new Date(now).toLocaleTimeString();
  }

  // --- Filters: sent as the list's query parameters (tag, status, q) -------------------------

  /** The tag filter's choices: every tag seen, sorted, keeping the one chosen. */
  function renderTagChoices() {
    var chosen = els.filterTag.value;
    if (chosen !== '') knownTags[chosen] = true;
    var options = [el('option', { value: '', text: 'Any tag' })].concat(Object.keys(knownTags).sort().map(function (t) {
      return el('option', { value: t, text: t });
    }));
    els.filterTag.replaceChildren.apply(els.filterTag, options);
    els.filterTag.value = chosen;
  }

  /** The list's query string for the filters set, '' when none is. */
  function filterQuery() {
    var params = new URLSearchParams();
    if (els.filterTag.value !== '') params.append('tag', els.filterTag.value);
    if (els.filterStatus.value !== '') params.append('status', els.filterStatus.value);
    var q = els.filterQ.value.trim();
    if (q !== '') params.append('q', q);
    var query = params.toString();
    return query === '' ? '' : '?' + query;
  }

  var searchTimer = null;
  els.filterQ.addEventListener('input', function () {
    if (searchTimer !== null) clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { searchTimer = null; refreshList(true); }, 250);
  });
  els.filterStatus.addEventListener('change', function () { refreshList(true); });
  els.filterTag.addEventListener('change', function () { refreshList(true); });
  els.filters.addEventListener('submit', function (event) {
    event.preventDefault();
    refreshList(true);
  });
  function clearFilters() {
    els.filterQ.value = '';
    els.filterStatus.value = '';
    els.filterTag.value = '';
    renderTagChoices();
  }
  els.filterClear.addEventListener('click', function () {
    clearFilters();
    refreshList(true);
  });

  function authFailed(error) {
    var session = ui.isSession(currentKey);
    forgetKey();
    showSignedOut();
    if (session) showMessage(els.linkError, error.message);
    else showMessage(els.keyError, 'Your API key was not accepted: ' + error.message);
  }

  // --- Account panel -------------------------------------------------------------------------

  var PLAN_NAMES = { free: 'Free', pro: 'Pro' };
  // Every kind of the registry (functions/src/domain/channels.ts), in its order.
  var CHANNEL_NAMES = {
    email: 'Email', webhook: 'Webhook', slack: 'Slack', pagerduty: 'PagerDuty', discord: 'Discord', msteams: 'Microsoft Teams',
    telegram: 'Telegram', ntfy: 'ntfy', opsgenie: 'Opsgenie', pushover: 'Pushover', googlechat: 'Google Chat',
    mattermost: 'Mattermost', gotify: 'Gotify', matrix: 'Matrix',
  };
  var EMAIL_STATUSES = {
    confirmed: 'Yes',
    pending: 'Not yet: open the link in the e-mail CronPeek sent it',
    declined: 'No: it declined this account\'s alerts',
    unsubscribed: 'No: it unsubscribed from this account\'s alerts',
  };

  function renderAccount(a) {
    els.accountEmail.textContent = a.email;
    els.accountEmailStatus.textContent = EMAIL_STATUSES[a.emailStatus] || String(a.emailStatus);
    els.emailConfirmation.hidden = a.emailStatus !== 'pending';
    els.accountPlan.textContent = PLAN_NAMES[a.plan] || String(a.plan);
    els.accountMonitors.textContent = a.monitorsAllowed === null
      ? a.monitorsUsed + ' (unlimited)'
      : a.monitorsUsed + ' of ' + a.monitorsAllowed;
    els.accountHistory.textContent = a.historyDays === null ? 'Unlimited' : plural(a.historyDays, 'day');
    els.accountChannels.textContent = (a.channels || []).map(function (c) { return CHANNEL_NAMES[c] || String(c); }).join(', ');
  }

  function refreshAccount() {
    if (!currentKey) return Promise.resolve();
    return api('GET', '/api/v1/account')
      .then(function (data) {
        hideMessage(els.accountError);
        renderAccount(data);
        // The account panel's other parts (the ping key) render the same answer, now or, for a
        // script that runs after it came, when they start.
        ui.account = data;
        els.accountPanel.dispatchEvent(new CustomEvent('cronpeek:account', { detail: data }));
      })
      .catch(function (error) {
        if (error.status === 401) authFailed(error);
        else showMessage(els.accountError, error.message);
      });
  }

  function showNewKey(key) {
    els.newKeyValue.value = key;
    els.copyNewKey.textContent = 'Copy key';
    els.newKey.hidden = false;
    els.newKeyValue.focus();
    els.newKeyValue.select();
  }

  els.rotateKey.addEventListener('click', function () {
    if (!window.confirm('Rotate your API key? The current key stops working at once: update every script and integration that uses it.')) return;
    hideMessage(els.accountError);
    els.rotateKey.disabled = true;
    api('POST', '/api/v1/account/rotate-key')
      .then(function (data) {
        // A session stays valid across a rotation; only a tab signed in with the old key switches.
        if (!ui.isSession(currentKey)) writeKey(data.apiKey);
        renderCredential();
        showNewKey(data.apiKey);
      })
      .catch(function (error) {
        if (error.status === 401) authFailed(error);
        else showMessage(els.accountError, error.message);
      })
      .then(function () { els.rotateKey.disabled = false; });
  });

  els.resendConfirmation.addEventListener('click', function () {
    hideMessage(els.accountError);
    hideMessage(els.accountNotice);
    els.resendConfirmation.disabled = true;
    api('POST', '/api/v1/account/confirm-email')
      .then(function (data) { showMessage(els.accountNotice, data.message); })
      .catch(function (error) {
        if (error.status === 401) authFailed(error);
        else showMessage(els.accountError, error.message);
      })
      .then(function () { els.resendConfirmation.disabled = false; });
  });

  /** Reloads the list with the filters set; `filtersChanged` sends it even while one is loading. */
  function refreshList(filtersChanged) {
    if ((loading && filtersChanged !== true) || !currentKey) return Promise.resolve();
    if (filtersChanged !== true) refreshAccount();
    loading = true;
    var mine = ++listGeneration;
    var query = filterQuery();
    return api('GET', '/api/v1/monitors' + query)
      .then(function (data) {
        if (mine !== listGeneration) return;
        hideMessage(els.listError);
        var monitors = Array.isArray(data && data.monitors) ? data.monitors : [];
        renderMonitors(monitors, query !== '');
        return countDown(query === '' ? monitors : null);
      })
      .catch(function (error) {
        if (mine !== listGeneration) return;
        if (error.status === 401) authFailed(error);
        else showMessage(els.listError, error.message);
      })
      .then(function () {
        if (mine !== listGeneration) return;
        loading = false;
      });
  }

  /**
   * Puts the number of monitors down in the tab's title. An unfiltered list has them all; behind a
   * filter they are asked for on their own, so the count never depends on what the list shows.
   */
  function countDown(all) {
    if (all !== null) {
      ui.setDownCount(all.filter(function (m) { return m.status === 'down'; }).length);
      return Promise.resolve();
    }
    return api('GET', '/api/v1/monitors?status=down').then(
      function (data) { ui.setDownCount(Array.isArray(data && data.monitors) ? data.monitors.length : 0); },
      function () { /* the list's own answer reports failures */ }
    );
  }

  // A monitor deleted from its own page: the list says so when it comes back.
  window.addEventListener('cronpeek:deleted', function (event) {
    showMessage(els.listNotice, 'Deleted "' + event.detail.name + '".');
    refreshList();
  });

  function deleteMonitor(m, button) {
    if (!window.confirm('Delete the monitor "' + m.name + '"? Its ping URL stops working. This cannot be undone.')) return;
    button.disabled = true;
    api('DELETE', '/api/v1/monitors/' + encodeURIComponent(m.monitorId))
      .then(function () {
        hideMessage(els.listError);
        return refreshList();
      })
      .catch(function (error) {
        button.disabled = false;
        if (error.status === 401) authFailed(error);
        else showMessage(els.listError, error.message);
      });
  }

  // --- Forms ---------------------------------------------------------------------------------

  function numberOrRaw(input) {
    var raw = input.value.trim();
    if (raw === '') return undefined;
    var n = Number(raw);
    return isNaN(n) ? raw : n;
  }

  function optionalText(input) {
    var value = input.value.trim();
    return value === '' ? undefined : value;
  }

  els.signupForm.addEventListener('submit', function (event) {
    event.preventDefault();
    hideMessage(els.signupError);
    var button = els.signupForm.querySelector('button');
    button.disabled = true;
    api('POST', '/api/v1/accounts', { email: els.signupEmail.value.trim() })
      .then(function (data) {
        writeKey(data.apiKey);
        els.signupForm.reset();
        showSignedIn();
        showNewKey(data.apiKey);
      })
      .catch(function (error) { showMessage(els.signupError, error.message); })
      .then(function () { button.disabled = false; });
  });

  els.keyForm.addEventListener('submit', function (event) {
    event.preventDefault();
    hideMessage(els.keyError);
    var key = els.keyInput.value.trim();
    if (key === '') {
      showMessage(els.keyError, 'Paste the API key you received when you signed up.');
      return;
    }
    writeKey(key);
    els.keyForm.reset();
    showSignedIn();
  });

  els.copyNewKey.addEventListener('click', function () {
    copyText(els.newKeyValue.value).then(
      function () { els.copyNewKey.textContent = 'Copied'; },
      function () { els.copyNewKey.textContent = 'Copy failed: select it and copy by hand'; }
    );
  });

  els.dismissNewKey.addEventListener('click', function () {
    els.newKey.hidden = true;
    els.newKeyValue.value = '';
    els.copyNewKey.textContent = 'Copy key';
  });

  els.signOut.addEventListener('click', function () {
    // A session is ended on the server too, so the credential is worthless wherever it was copied.
    if (ui.isSession(currentKey)) api('DELETE', '/api/v1/account/sessions/current').catch(function () { /* ended or expired already */ });
    forgetKey();
    els.newKey.hidden = true;
    els.newKeyValue.value = '';
    hideMessage(els.monitorCreated);
    hideMessage(els.monitorError);
    showSignedOut();
  });

  // --- New monitor: schedule presets, seconds or a cron line, and its next runs -----------------

  /** What the new-monitor form calls the API's fields, for its error messages. */
  var CREATE_WORDS = {
    name: 'name', schedule: 'schedule', tz: 'time zone', grace: 'grace', alertEmail: 'alert email',
    alertWebhook: 'alert webhook', alertSlack: 'Slack webhook URL', alertPagerDuty: 'PagerDuty integration key', tags: 'tags', slug: 'slug',
  };

  /** Presets sent as a cron line, read in the form's time zone. */
  function cronPreset() {
    return els.preset.value === 'cron' || els.preset.value === 'daily' || els.preset.value === 'weekly';
  }

  /** "Every day / week at a time": the time (and weekday) as a cron line, or undefined without a time. */
  function atCron() {
    var m = /^(\d{2}):(\d{2})/.exec(els.at.value);
    if (!m) return undefined;
    var line = Number(m[2]) + ' ' + Number(m[1]) + ' * * ';
    return line + (els.preset.value === 'weekly' ? els.weekday.value : '*');
  }

  /** The error words for the chosen kind of schedule. */
  function scheduleWords() {
    if (els.preset.value === 'cron') return Object.assign({}, CREATE_WORDS, { schedule: 'cron line' });
    if (cronPreset()) return Object.assign({}, CREATE_WORDS, { schedule: 'time' });
    if (els.preset.value === 'seconds') return Object.assign({}, CREATE_WORDS, { schedule: 'seconds between runs' });
    return CREATE_WORDS;
  }

  /** The schedule the form describes: a preset's or the typed seconds (a number or raw text), or a cron line. */
  function chosenSchedule() {
    if (els.preset.value === 'cron') return optionalText(els.cron);
    if (cronPreset()) return atCron();
    if (els.preset.value === 'seconds') return numberOrRaw(els.schedule);
    return Number(els.preset.value);
  }

  function showScheduleFields() {
    els.scheduleField.hidden = els.preset.value !== 'seconds';
    els.cronField.hidden = els.preset.value !== 'cron';
    els.atField.hidden = els.preset.value !== 'daily' && els.preset.value !== 'weekly';
    els.weekday.hidden = els.preset.value !== 'weekly';
  }

  /** An instant in `zone` (the viewer's own when the zone is not one the browser knows), with the zone named. */
  function zonedTime(iso, zone) {
    var options = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
    try {
      return new Date(iso).toLocaleString(undefined, Object.assign({ timeZone: zone }, options));
    } catch (e) {
      return new Date(iso).toLocaleString(undefined, options);
    }
  }

  var previewTimer = null;
  var previewGeneration = 0;
  /** Asks the API when the schedule would expect its next three runs, and lists them in the chosen zone. */
  function updatePreview() {
    var mine = ++previewGeneration;
    var schedule = chosenSchedule();
    var zone = els.tz.value.trim() || 'UTC';
    if (schedule === undefined || schedule === '' || !currentKey) {
      els.preview.replaceChildren();
      els.previewNote.textContent = els.preset.value === 'cron' ? 'Type a cron line to see when it runs.' : cronPreset() ? 'Choose a time to see when it runs.' : '';
      return Promise.resolve();
    }
    var cron = typeof schedule === 'string';
    var query = '?count=3&schedule=' + encodeURIComponent(String(schedule)) + (cron ? '&tz=' + encodeURIComponent(zone) : '');
    return api('GET', '/api/v1/schedule/preview' + query).then(
      function (data) {
        if (mine !== previewGeneration) return;
        var shownZone = cron ? data.tz : zone;
        els.preview.replaceChildren.apply(els.preview, (data.next || []).map(function (iso) {
          return el('li', {}, [el('time', { datetime: iso, title: iso, text: zonedTime(iso, shownZone) })]);
        }));
        els.previewNote.textContent = cron
          ? 'In ' + data.tz + '. Each run may be up to the grace late before an alert.'
          : 'Counted from a ping now; each next run is expected ' + every(data.period) + ' after the last ping.';
      },
      function (error) {
        if (mine !== previewGeneration) return;
        els.preview.replaceChildren();
        els.previewNote.textContent = ui.formWords(error.message, scheduleWords());
      }
    );
  }
  function schedulePreview() {
    if (previewTimer !== null) clearTimeout(previewTimer);
    previewTimer = setTimeout(function () { previewTimer = null; updatePreview(); }, 300);
  }

  els.preset.addEventListener('change', function () {
    showScheduleFields();
    if (els.preset.value === 'cron') els.cron.focus();
    else if (els.preset.value === 'seconds') els.schedule.focus();
    else if (cronPreset()) els.at.focus();
    schedulePreview();
  });
  els.weekday.addEventListener('change', schedulePreview);
  [els.schedule, els.cron, els.at, els.tz].forEach(function (input) { input.addEventListener('input', schedulePreview); });

  els.monitorForm.addEventListener('submit', function (event) {
    event.preventDefault();
    hideMessage(els.monitorError);
    hideMessage(els.monitorCreated);
    var schedule = chosenSchedule();
    var cron = cronPreset();
    if (schedule === undefined) {
      showMessage(els.monitorError, els.preset.value === 'cron' ? 'Type a cron line, such as 30 2 * * *, or choose another schedule.'
        : cron ? 'Choose the time of day the job runs.' : 'Type the seconds between runs, at least 60.');
      return;
    }
    var grace = ui.unitSeconds(els.grace.value, Number(els.graceUnit.value));
    if (grace !== undefined && isNaN(grace)) {
      showMessage(els.monitorError, 'Grace must be a whole number of ' + (els.graceUnit.value === '3600' ? 'hours' : 'minutes') + ', at least 1, or empty.');
      return;
    }
    var slug = optionalText(els.slug);
    var body = {
      name: els.name.value,
      slug: slug,
      schedule: schedule,
      tz: cron ? optionalText(els.tz) : undefined,
      grace: grace,
      alertEmail: optionalText(els.alertEmail),
      alertWebhook: optionalText(els.alertWebhook),
      alertSlack: optionalText(els.alertSlack),
      alertPagerDuty: optionalText(els.alertPagerDuty),
    };
    var tags = ui.parseTags(els.tags.value);
    if (tags.length > 0) body.tags = tags;
    els.createButton.disabled = true;
    api('POST', '/api/v1/monitors', body)
      .then(function (m) {
        els.name.value = '';
        els.slug.value = '';
        els.cron.value = '';
        els.grace.value = '';
        els.alertEmail.value = '';
        els.alertWebhook.value = '';
        els.alertSlack.value = '';
        els.alertPagerDuty.value = '';
        els.tags.value = '';
        var parts = [el('p', { text: 'Created "' + m.name + '". Call this URL at the end of each successful run:' }),
          el('p', {}, [el('code', { text: m.pingUrl })])];
        if (m.webhookSecret) {
          parts.push(el('p', { text: 'Webhook signing secret (shown only now, save it): ' }));
          parts.push(el('p', {}, [el('code', { text: m.webhookSecret })]));
        }
        els.monitorCreated.replaceChildren.apply(els.monitorCreated, parts);
        els.monitorCreated.hidden = false;
        return refreshList();
      })
      .catch(function (error) {
        if (error.status === 401) authFailed(error);
        // The one conflict a create can meet: the slug is taken.
        else if (error.status === 409 && slug !== undefined) showMessage(els.monitorError, ui.slugTaken(slug));
        else showMessage(els.monitorError, ui.formWords(error.message, els.preset.value === 'seconds' ? CREATE_WORDS : scheduleWords()));
      })
      .then(function () { els.createButton.disabled = false; });
  });

  /** "New monitor" shows the form above the list (and hides it again), so the list comes first. */
  function setNewMonitorOpen(open) {
    els.newMonitorPanel.hidden = !open;
    els.newMonitorToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) {
      els.name.focus();
      updatePreview();
    }
  }
  els.newMonitorToggle.addEventListener('click', function () { setNewMonitorOpen(els.newMonitorPanel.hidden); });
  $('new-monitor-close').addEventListener('click', function () {
    setNewMonitorOpen(false);
    els.newMonitorToggle.focus();
  });

  showScheduleFields();

  // A cron schedule is most often meant in the viewer's own zone.
  try {
    els.tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch (e) {
    els.tz.value = 'UTC';
  }

  // --- Sign in by e-mail link ------------------------------------------------------------------

  var SIGN_IN_FRAGMENT = /^#signin=([A-Za-z0-9_-]{1,200})$/;
  var LINK_SENT = 'If an account uses this address, a sign-in link is on its way. Open it in this browser.';

  function rememberChoice() {
    try { return localStorage.getItem(ui.REMEMBER_STORAGE) !== 'no'; } catch (e) { return true; }
  }
  els.remember.checked = rememberChoice();
  els.remember.addEventListener('change', function () {
    try { localStorage.setItem(ui.REMEMBER_STORAGE, els.remember.checked ? 'yes' : 'no'); } catch (e) { /* not kept */ }
  });

  els.linkForm.addEventListener('submit', function (event) {
    event.preventDefault();
    hideMessage(els.linkError);
    hideMessage(els.linkNotice);
    var email = els.linkEmail.value.trim();
    if (email === '') {
      showMessage(els.linkError, 'Type the e-mail address of your account.');
      return;
    }
    var button = els.linkForm.querySelector('button');
    button.disabled = true;
    // The same words whatever the answer, so the form never tells which addresses have accounts.
    api('POST', '/api/v1/auth/email-link', { email: email }, null)
      .then(function () { showMessage(els.linkNotice, LINK_SENT); }, function (error) {
        if (error.status === 400 || error.status === 429 || error.status === 0) showMessage(els.linkError, error.message);
        else showMessage(els.linkNotice, LINK_SENT);
      })
      .then(function () { button.disabled = false; });
  });

  // A link to a monitor opened while signed out is kept until the sign-in link (opened in another
  // tab, often) signs this browser in, which then opens that monitor: links in alerts and chats
  // land where they point. Kept no longer than a sign-in link lives.
  var RETURN_STORAGE = 'cronpeek.returnTo';
  var RETURN_MS = 15 * 60 * 1000;
  var MONITOR_LINK = /^#monitor\/[0-9a-f]{16}$/;
  function keepReturn() {
    if (currentKey || !MONITOR_LINK.test(location.hash)) return;
    try { localStorage.setItem(RETURN_STORAGE, JSON.stringify({ hash: location.hash, at: Date.now() })); } catch (e) { return; }
    showMessage(els.linkNotice, 'Sign in to see this monitor: once you are in, it opens.');
  }
  function takeReturn() {
    var kept = null;
    try {
      kept = JSON.parse(localStorage.getItem(RETURN_STORAGE) || 'null');
      localStorage.removeItem(RETURN_STORAGE);
    } catch (e) { return null; }
    if (!kept || !MONITOR_LINK.test(kept.hash) || !(Date.now() - kept.at < RETURN_MS)) return null;
    return kept.hash;
  }

  /** Trades a sign-in link's token for a session, kept as "Remember this browser" says. */
  function redeemLink(token) {
    var remember = els.remember.checked;
    showSignedOut();
    showMessage(els.linkNotice, 'Signing you in…');
    return ui.api('POST', '/api/v1/auth/sessions', { token: token, remember: remember }, null)
      .then(function (data) {
        hideMessage(els.linkNotice);
        writeKey(data.session, remember);
        var back = takeReturn();
        if (back !== null) history.replaceState(null, '', location.pathname + location.search + back);
        showSignedIn();
      })
      .catch(function (error) {
        hideMessage(els.linkNotice);
        showMessage(els.linkError, error.message);
      });
  }

  /** A `#signin=` fragment leaves the address bar (and history) at once, then is redeemed. */
  function takeSignInFragment() {
    var match = SIGN_IN_FRAGMENT.exec(location.hash);
    if (!match) return false;
    history.replaceState(null, '', location.pathname + location.search);
    redeemLink(match[1]);
    return true;
  }
  window.addEventListener('hashchange', takeSignInFragment);

  if (takeSignInFragment()) return;
  keepReturn();
  window.addEventListener('hashchange', keepReturn);
  if (currentKey) showSignedIn();
  else showSignedOut();
})();
