// CronPeek dashboard, Slack & PagerDuty panel: shows a monitor's Pro alert channels and sets or
// removes them with PATCH. Data from the API is only ever written with textContent or values.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var $ = function (id) { return document.getElementById(id); };
  var rowsBox = $('monitor-rows');
  var els = {
    signedIn: $('signed-in'),
    form: $('channels-form'),
    monitor: $('channels-monitor'),
    slack: $('channels-slack'),
    pagerduty: $('channels-pagerduty'),
    save: $('channels-save'),
    clearSlack: $('channels-clear-slack'),
    clearPagerDuty: $('channels-clear-pagerduty'),
    error: $('channels-error'),
    saved: $('channels-saved'),
  };
  // What the selected monitor has now, to send only the fields the user changed.
  var current = null;

  var api = ui.api;
  var show = ui.show;
  var hide = ui.hide;

  function setEnabled(on) {
    [els.slack, els.pagerduty, els.save, els.clearSlack, els.clearPagerDuty].forEach(function (e) { e.disabled = !on; });
  }

  /**
   * Refills the monitor choice from the list the dashboard shows (it refreshes every 15 s),
   * keeping the selection while that monitor still exists. Rebuilt only when the list changed.
   */
  var shownIds = '';
  function syncMonitors() {
    var rows = Array.prototype.slice.call(rowsBox.querySelectorAll('tr[data-monitor-id]'));
    var monitors = rows.map(function (r) {
      var name = r.querySelector('.monitor-name');
      return { id: r.getAttribute('data-monitor-id'), name: name ? name.textContent : '' };
    });
    var ids = monitors.map(function (m) { return m.id + '\u0000' + m.name; }).join('\u0001');
    if (ids === shownIds) return;
    shownIds = ids;
    var selected = els.monitor.value;
    var options = [new Option('Choose a monitor', '')].concat(monitors.map(function (m) { return new Option(m.name + ' (' + m.id + ')', m.id); }));
    els.monitor.replaceChildren.apply(els.monitor, options);
    var still = monitors.some(function (m) { return m.id === selected; });
    els.monitor.value = still ? selected : '';
    if (!still) showMonitor(null);
  }

  function showMonitor(status) {
    current = status;
    els.slack.value = status && status.alertSlack ? status.alertSlack : '';
    els.pagerduty.value = status && status.alertPagerDuty ? status.alertPagerDuty : '';
    setEnabled(status !== null);
    els.clearSlack.disabled = !(status && status.alertSlack);
    els.clearPagerDuty.disabled = !(status && status.alertPagerDuty);
  }

  function loadStatus(id) {
    hide(els.error);
    if (id === '') { showMonitor(null); return Promise.resolve(); }
    return api('GET', '/api/v1/monitors/' + encodeURIComponent(id) + '/status')
      .then(showMonitor)
      .catch(function (error) { showMonitor(null); show(els.error, error.message); });
  }

  function patch(edit, done) {
    hide(els.error);
    hide(els.saved);
    var id = els.monitor.value;
    setEnabled(false);
    return api('PATCH', '/api/v1/monitors/' + encodeURIComponent(id), edit)
      .then(function () {
        show(els.saved, done);
        return loadStatus(id);
      })
      .catch(function (error) {
        show(els.error, error.message);
        setEnabled(current !== null);
      });
  }

  els.monitor.addEventListener('change', function () { hide(els.saved); loadStatus(els.monitor.value); });

  els.form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (current === null) return;
    var edit = {};
    var slack = els.slack.value.trim();
    var pagerduty = els.pagerduty.value.trim();
    // An emptied field removes the channel; an unchanged one is left out of the edit.
    if (slack !== (current.alertSlack || '')) edit.alertSlack = slack === '' ? null : slack;
    if (pagerduty !== (current.alertPagerDuty || '')) edit.alertPagerDuty = pagerduty === '' ? null : pagerduty;
    if (Object.keys(edit).length === 0) { show(els.saved, 'Nothing to change.'); return; }
    patch(edit, 'Saved the alert channels of "' + current.name + '".');
  });
  els.clearSlack.addEventListener('click', function () {
    if (current) patch({ alertSlack: null }, 'Slack alerts removed from "' + current.name + '".');
  });
  els.clearPagerDuty.addEventListener('click', function () {
    if (current) patch({ alertPagerDuty: null }, 'PagerDuty alerts removed from "' + current.name + '".');
  });

  new MutationObserver(syncMonitors).observe(rowsBox, { childList: true, subtree: true, characterData: true });
  // Signing out empties the list; messages about the previous account go with it.
  new MutationObserver(function () {
    if (els.signedIn.hidden) { hide(els.error); hide(els.saved); }
  }).observe(els.signedIn, { attributes: true, attributeFilter: ['hidden'] });
  syncMonitors();
})();
