// CronPeek dashboard, Status pages panel: the account's public status pages (list with their
// public address, create one for chosen monitors or a tag, delete). Data from the API (titles,
// slugs, monitor names) is only ever written with textContent or attributes, never as HTML.
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
    error: $('sp-error'),
    done: $('sp-done'),
    list: $('sp-list'),
    none: $('sp-none'),
    form: $('sp-form'),
    title: $('sp-page-title'),
    slug: $('sp-slug'),
    which: $('sp-which'),
    choices: $('sp-monitor-choices'),
    tagField: $('sp-tag-field'),
    tag: $('sp-tag'),
    save: $('sp-save'),
  };

  // The account's monitors by id, for each page's "shows" line.
  var monitorNames = {};
  // Answers of a load started before the latest one are dropped (a sign-out, a quick reload).
  var generation = 0;

  function showsText(p) {
    if (!Array.isArray(p.monitors)) return 'Shows every monitor tagged ' + p.monitors.tag;
    return 'Shows ' + p.monitors.map(function (id) { return monitorNames[id] || id; }).join(', ');
  }

  function pageItem(p) {
    var remove = el('button', { type: 'button', className: 'danger small', text: 'Delete', 'aria-label': 'Delete status page ' + p.title });
    remove.addEventListener('click', function () { deletePage(p, remove); });
    return el('li', { className: 'mp-item', 'data-page-id': p.id }, [
      el('div', { className: 'mp-item-head' }, [el('strong', { className: 'ac-name', text: p.title }), remove]),
      el('p', { className: 'sp-link' }, [el('a', { href: p.url, className: 'sp-url', text: p.url })]),
      el('p', { className: 'hint', text: showsText(p) }),
    ]);
  }

  /** The monitors to tick, keeping the ticks already made (a new monitor comes ticked). */
  function renderChoices(monitors) {
    var ticked = {};
    var known = {};
    Array.prototype.forEach.call(els.choices.querySelectorAll('input'), function (box) {
      known[box.value] = true;
      ticked[box.value] = box.checked;
    });
    els.choices.replaceChildren.apply(els.choices, monitors.map(function (m) {
      var box = el('input', { type: 'checkbox', value: m.monitorId });
      box.checked = known[m.monitorId] ? ticked[m.monitorId] : true;
      return el('label', { className: 'mp-check' }, [box, el('span', { text: ' ' + m.name })]);
    }));
  }

  function load() {
    var mine = ++generation;
    return Promise.all([api('GET', '/api/v1/status-pages'), api('GET', '/api/v1/monitors')])
      .then(function (answers) {
        if (mine !== generation) return;
        hide(els.error);
        var monitors = answers[1].monitors || [];
        monitorNames = {};
        monitors.forEach(function (m) { monitorNames[m.monitorId] = m.name; });
        renderChoices(monitors);
        var pages = answers[0].statusPages || [];
        els.list.replaceChildren.apply(els.list, pages.map(pageItem));
        els.none.hidden = pages.length > 0;
      })
      .catch(function (error) { if (mine === generation && error.status !== 401) show(els.error, error.message); });
  }

  function deletePage(p, button) {
    if (!window.confirm('Delete the status page "' + p.title + '"? Its address stops working at once.')) return;
    hide(els.error);
    hide(els.done);
    button.disabled = true;
    api('DELETE', '/api/v1/status-pages/' + encodeURIComponent(p.id))
      .then(function () { show(els.done, 'Deleted "' + p.title + '".'); return load(); })
      .catch(function (error) { show(els.error, error.message); button.disabled = false; });
  }

  /** The new page's body, or what to fix, in the form's words. */
  function pageOf() {
    var body = { title: els.title.value.trim(), slug: els.slug.value.trim() };
    if (body.title === '') return 'Give the page a title.';
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(body.slug)) return 'The address takes 2 to 63 lower-case letters, digits and dashes, starting with a letter or digit.';
    if (byTag()) {
      var tag = els.tag.value.trim();
      if (tag === '') return 'Say which tag the page shows.';
      body.monitors = { tag: tag };
      return body;
    }
    body.monitors = Array.prototype.filter.call(els.choices.querySelectorAll('input'), function (box) { return box.checked; }).map(function (box) { return box.value; });
    if (body.monitors.length === 0) return 'Tick the monitors the page shows, or choose a tag.';
    return body;
  }

  els.form.addEventListener('submit', function (event) {
    event.preventDefault();
    hide(els.error);
    hide(els.done);
    var body = pageOf();
    if (typeof body === 'string') {
      show(els.error, body);
      return;
    }
    els.save.disabled = true;
    api('POST', '/api/v1/status-pages', body)
      .then(function (p) {
        show(els.done, 'Created "' + p.title + '": ' + p.url);
        els.title.value = '';
        els.slug.value = '';
        els.tag.value = '';
        return load();
      })
      .catch(function (error) { show(els.error, error.message); })
      .then(function () { els.save.disabled = false; });
  });

  function byTag() { return els.which.value === 'tag'; }
  function syncForm() {
    els.tagField.hidden = !byTag();
    els.choices.hidden = byTag();
  }
  els.which.addEventListener('change', syncForm);
  // No Reload button: coming back to the tab or the window reloads it, as it does the list.
  window.addEventListener('cronpeek:back', function () { if (!els.signedIn.hidden) load(); });
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
    if (!els.signedIn.hidden) load();
    else if (!els.signedOut.hidden) reset();
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
