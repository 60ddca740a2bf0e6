// CronPeek dashboard, one monitor's page (#monitor/<id>): which of the account's alert channels it
// alerts (saved with PATCH channels), and how one of its deliveries reads in the page's event log
// (dashboard-monitor.js merges them in). Follows the page that dashboard-monitor.js opens; data
// from the API is only ever written with textContent.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var el = ui.el;
  var show = ui.show;
  var hide = ui.hide;
  var api = ui.api;
  var ROUTE = /^#monitor\/([0-9a-f]{16})$/;
  var STATES = { pending: 'status-new', delivered: 'status-up', failed: 'status-down', held: 'status-paused', suppressed: 'status-unknown', logged: 'status-paused' };

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    page: $('monitor-page'),
    form: $('mp-channels-form'),
    choices: $('mp-channel-choices'),
    noChannels: $('mp-no-channels'),
    save: $('mp-channels-save'),
    error: $('mp-channels-error'),
    saved: $('mp-channels-saved'),
  };

  // The monitor shown; `generation` drops answers that arrive after the page moved on.
  var monitorId = null;
  var generation = 0;
  var names = {};
  // The ticks as last drawn or saved: a reload leaves ticks the user changed since alone.
  var drawn = '';

  function ticked() {
    return Array.prototype.map.call(els.choices.querySelectorAll('input[name="channel"]:checked'), function (i) { return i.value; }).join(',');
  }

  function monitorPath(suffix) { return '/api/v1/monitors/' + encodeURIComponent(monitorId) + (suffix || ''); }

  // --- Channels it alerts --------------------------------------------------------------------

  function choice(c, attached) {
    var box = el('input', { type: 'checkbox', name: 'channel', value: c.channelId });
    box.checked = attached.indexOf(c.channelId) !== -1;
    var kind = ui.channels.kindOf(c.kind).label;
    return el('label', { className: 'mp-check' }, [box, el('span', { text: c.name + ' (' + kind + ')' })]);
  }

  function renderChoices(channels, attached) {
    names = {};
    channels.forEach(function (c) { names[c.channelId] = c.name; });
    els.choices.replaceChildren.apply(els.choices, channels.map(function (c) { return choice(c, attached); }));
    els.noChannels.hidden = channels.length > 0;
    els.save.disabled = channels.length === 0;
    drawn = ticked();
    // The event log may have shown deliveries before the names arrived: name their channels now.
    Array.prototype.forEach.call(document.querySelectorAll('#mp-events li[data-channel-id]'), function (li) {
      var reason = li.querySelector('.mp-reason');
      var id = li.getAttribute('data-channel-id');
      if (reason && names[id]) reason.textContent = li.getAttribute('data-channel-kind') + ' "' + names[id] + '"';
    });
  }

  function loadChoices() {
    var mine = generation;
    return Promise.all([ui.channels.load(), api('GET', monitorPath())])
      .then(function (answers) {
        if (mine !== generation) return;
        hide(els.error);
        renderChoices(answers[0], Array.isArray(answers[1].channels) ? answers[1].channels : []);
      })
      .catch(function (error) {
        if (mine !== generation) return;
        if (error.status !== 401) show(els.error, error.message);
      });
  }

  els.form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (!monitorId) return;
    hide(els.error);
    hide(els.saved);
    var ids = Array.prototype.slice.call(els.choices.querySelectorAll('input[name="channel"]:checked')).map(function (i) { return i.value; });
    var mine = generation;
    els.save.disabled = true;
    api('PATCH', monitorPath(), { channels: ids })
      .then(function (m) {
        if (mine !== generation) return;
        var attached = Array.isArray(m.channels) ? m.channels : ids;
        drawn = ticked();
        show(els.saved, attached.length === 0 ? 'This monitor alerts no channel objects now.' : 'This monitor alerts ' + attached.map(function (id) { return names[id] || id; }).join(', ') + '.');
      })
      .catch(function (error) { if (mine === generation) show(els.error, error.message); })
      .then(function () { els.save.disabled = false; });
  });

  // --- Deliveries ----------------------------------------------------------------------------

  function timeNode(iso) {
    if (!iso) return el('span', { className: 'hint', text: '—' });
    return el('time', { datetime: iso, title: iso, text: new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) });
  }

  function deliveryItem(d) {
    var kind = ui.channels.kindOf(d.channel).label;
    var where = kind + (d.channelId ? ' "' + (names[d.channelId] || d.channelId) + '"' : ' (monitor field)');
    var head = el('div', { className: 'mp-item-head' }, [
      timeNode(d.createdAt),
      el('span', { className: 'badge mp-state ' + (STATES[d.state] || 'status-unknown'), text: String(d.state) }),
      el('span', { className: 'mp-method', text: String(d.event) }),
      el('span', { className: 'mp-reason', text: where }),
    ]);
    var meta = el('dl', { className: 'mp-item-meta' }, [el('div', {}, [el('dt', { text: 'Attempts' }), el('dd', { text: String(d.attempts) })])]);
    if (d.deliveredAt) meta.appendChild(el('div', {}, [el('dt', { text: 'Delivered' }), el('dd', {}, [timeNode(d.deliveredAt)])]));
    if (d.nextAttemptAt && d.state === 'pending') meta.appendChild(el('div', {}, [el('dt', { text: 'Next attempt' }), el('dd', {}, [timeNode(d.nextAttemptAt)])]));
    // A held alert waits for a quiet time or a parent's outage to end; it is looked at again then.
    if (d.nextAttemptAt && d.state === 'held') meta.appendChild(el('div', {}, [el('dt', { text: 'Looked at again' }), el('dd', {}, [timeNode(d.nextAttemptAt)])]));
    if (d.lastError && (d.state === 'held' || d.state === 'suppressed')) meta.appendChild(el('div', {}, [el('dt', { text: 'Why' }), el('dd', { text: d.lastError })]));
    else if (d.lastError) meta.appendChild(el('div', {}, [el('dt', { text: 'Error' }), el('dd', { className: 'mp-error-text', text: d.lastError })]));
    var attrs = { className: 'mp-item', 'data-notification-id': d.notificationId };
    if (d.channelId) {
      attrs['data-channel-id'] = d.channelId;
      attrs['data-channel-kind'] = kind;
    }
    return el('li', attrs, [head, meta]);
  }

  /** A delivery as the event log shows it; the page's event log calls it. */
  ui.deliveryItem = function (d) {
    var item = deliveryItem(d);
    item.setAttribute('data-event', 'delivery');
    return item;
  };

  // --- Following the page --------------------------------------------------------------------

  function clear() {
    names = {};
    els.choices.replaceChildren();
    els.noChannels.hidden = true;
    [els.error, els.saved].forEach(hide);
    els.save.disabled = true;
  }

  function reload() {
    return loadChoices();
  }

  function follow() {
    var match = ROUTE.exec(location.hash);
    var id = !els.page.hidden && match ? match[1] : null;
    if (id === monitorId) return;
    generation += 1;
    monitorId = id;
    clear();
    if (id) reload();
  }

  // Coming back to the tab reloads the page (dashboard-monitor.js), the channels with it.
  els.page.addEventListener('cronpeek:reload', function () { if (monitorId && ticked() === drawn) reload(); });
  new MutationObserver(follow).observe(els.page, { attributes: true, attributeFilter: ['hidden'] });
  window.addEventListener('hashchange', follow);
  follow();
})();
