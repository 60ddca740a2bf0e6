// CronPeek dashboard, account panel: export and import. Export downloads `GET /api/v1/export` as a
// file; import reads a file (a CronPeek export or Healthchecks' check list), shows the report of a
// dry run (`POST /api/v1/import?dryRun=1`) and imports only when asked, then shows the final
// report and has the monitor list reload. Data from the file and the API is only ever written with
// textContent or attributes, never as HTML.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var el = ui.el;
  var show = ui.show;
  var hide = ui.hide;
  var api = ui.api;
  var plural = ui.plural;

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    signedOut: $('signed-out'),
    exportButton: $('tx-export'),
    file: $('tx-file'),
    error: $('tx-error'),
    report: $('tx-report'),
    summary: $('tx-summary'),
    list: $('tx-list'),
    importButton: $('tx-import'),
    cancel: $('tx-cancel'),
  };
  /** The document of the last dry run, imported as it was checked; null when there is none to import. */
  var pending = null;
  var generation = 0;

  /** What each result is called, before the import (dry run) and after; a word, never colour alone. */
  var RESULTS = {
    created: { className: 'status-up', dry: 'would be created', done: 'created' },
    updated: { className: 'status-running', dry: 'would be updated', done: 'updated' },
    unchanged: { className: 'status-new', dry: 'unchanged', done: 'unchanged' },
    skipped: { className: 'status-down', dry: 'would be skipped', done: 'skipped' },
  };

  /** Today's date in this browser as YYYY-MM-DD. */
  function today() {
    var d = new Date();
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate());
  }

  function download(data) {
    var blob = new Blob([JSON.stringify(data, null, 2) + '\n'], { type: 'application/json' });
    var url = URL.createObjectURL(blob);
    var link = el('a', { href: url, download: 'cronpeek-export-' + today() + '.json', hidden: 'hidden' });
    document.body.appendChild(link);
    link.click();
    link.remove();
    // Revoked a little later: some browsers start reading the URL after click() returns.
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  els.exportButton.addEventListener('click', function () {
    hide(els.error);
    els.exportButton.disabled = true;
    var mine = generation;
    api('GET', '/api/v1/export')
      .then(function (data) { if (mine === generation) download(data); })
      .catch(function (error) { if (mine === generation) show(els.error, error.message); })
      .then(function () { els.exportButton.disabled = false; });
  });

  function resultItem(entry, dryRun) {
    var result = RESULTS[entry.result] || { className: 'status-unknown', dry: String(entry.result), done: String(entry.result) };
    var head = [
      el('strong', { className: 'tx-name', text: String(entry.name) }),
      el('span', { className: 'badge ' + result.className, text: dryRun ? result.dry : result.done }),
    ];
    if (entry.slug) head.splice(1, 0, el('code', { className: 'tx-slug', text: String(entry.slug) }));
    var children = [el('div', { className: 'mp-item-head' }, head)];
    if (entry.reason) children.push(el('p', { className: 'tx-reason', text: String(entry.reason) }));
    if (entry.unmapped && entry.unmapped.length > 0) {
      children.push(el('p', { className: 'tx-unmapped' }, [
        el('span', { className: 'tx-label', text: 'Not imported: ' }),
        el('span', { className: 'tx-fields', text: entry.unmapped.map(String).join(', ') }),
      ]));
    }
    return el('li', { className: 'mp-item tx-item', 'data-result': String(entry.result) }, children);
  }

  /** The counts as a sentence: "2 would be created, 1 unchanged." */
  function counts(report) {
    var parts = ['created', 'updated', 'unchanged', 'skipped']
      .filter(function (k) { return report[k] > 0; })
      .map(function (k) { return report[k] + ' ' + (report.dryRun ? RESULTS[k].dry : RESULTS[k].done); });
    return parts.length > 0 ? parts.join(', ') + '.' : 'the file has no monitors.';
  }

  function showReport(report, fileName) {
    var total = (report.monitors || []).length;
    var changes = (report.created || 0) + (report.updated || 0);
    els.summary.textContent = report.dryRun
      ? 'Nothing is imported yet. ' + fileName + ' has ' + plural(total, 'monitor') + ': ' + counts(report)
      : 'Imported ' + fileName + ': ' + counts(report);
    els.list.replaceChildren.apply(els.list, (report.monitors || []).map(function (m) { return resultItem(m, report.dryRun); }));
    els.report.hidden = false;
    if (report.dryRun && changes > 0) {
      els.importButton.textContent = 'Import ' + plural(changes, 'monitor');
      els.importButton.hidden = false;
      els.cancel.hidden = false;
    } else {
      if (report.dryRun) els.summary.textContent += ' There is nothing to import.';
      pending = null;
      els.importButton.hidden = true;
      els.cancel.hidden = true;
    }
  }

  /** Drops the report and the document read; `keepFile` leaves the file input's choice (a new file was just chosen). */
  function reset(keepFile) {
    generation += 1;
    pending = null;
    if (!keepFile) els.file.value = '';
    els.list.replaceChildren();
    els.summary.textContent = '';
    els.report.hidden = true;
    els.importButton.hidden = true;
    els.cancel.hidden = true;
    els.importButton.disabled = false;
    hide(els.error);
  }

  els.file.addEventListener('change', function () {
    var file = els.file.files && els.file.files[0];
    var name = file ? file.name : '';
    reset(true);
    if (!file) return;
    var mine = generation;
    file.text()
      .then(function (text) {
        var doc;
        try { doc = JSON.parse(text); } catch (e) { doc = undefined; }
        if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
          var err = new Error(name + ' is not a JSON file. Choose a CronPeek export or a Healthchecks check list (.json).');
          throw err;
        }
        return api('POST', '/api/v1/import?dryRun=1', doc).then(function (report) {
          if (mine !== generation) return;
          pending = { doc: doc, name: name };
          showReport(report, name);
        });
      })
      .catch(function (error) {
        if (mine !== generation) return;
        els.file.value = '';
        show(els.error, error.message);
      });
  });

  els.importButton.addEventListener('click', function () {
    if (!pending) return;
    var chosen = pending;
    var mine = generation;
    hide(els.error);
    els.importButton.disabled = true;
    api('POST', '/api/v1/import', chosen.doc)
      .then(function (report) {
        if (mine !== generation) return;
        showReport(report, chosen.name);
        pending = null;
        els.file.value = '';
        els.summary.focus();
        window.dispatchEvent(new CustomEvent('cronpeek:list-stale'));
      })
      .catch(function (error) { if (mine === generation) show(els.error, error.message); })
      .then(function () { els.importButton.disabled = false; });
  });

  els.cancel.addEventListener('click', function () {
    reset(false);
    els.file.focus();
  });

  // Signing out drops the report and the file read.
  new MutationObserver(function () { if (!els.signedOut.hidden) reset(false); })
    .observe(els.signedOut, { attributes: true, attributeFilter: ['hidden'] });
})();
