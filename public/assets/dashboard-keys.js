// CronPeek dashboard, account panel: read-only keys (create one and show it this once with a copy
// button, list them, revoke one). The list never holds a key itself, only its name and id. Data
// from the API is only ever written with textContent or values, never as HTML.
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
    form: $('rk-form'),
    name: $('rk-name'),
    create: $('rk-create'),
    reveal: $('rk-new'),
    value: $('rk-new-value'),
    copy: $('rk-copy'),
    list: $('rk-list'),
    none: $('rk-none'),
    error: $('rk-error'),
    done: $('rk-done'),
  };
  var generation = 0;

  function keyItem(k) {
    var revoke = el('button', { type: 'button', className: 'danger small', text: 'Revoke', 'aria-label': 'Revoke read-only key ' + k.name });
    revoke.addEventListener('click', function () { revokeKey(k, revoke); });
    var created = el('time', { datetime: k.createdAt, title: k.createdAt, text: new Date(k.createdAt).toLocaleDateString(undefined, { dateStyle: 'medium' }) });
    return el('li', { className: 'mp-item rk-item', 'data-key-id': k.keyId }, [
      el('div', { className: 'mp-item-head' }, [
        el('strong', { className: 'ac-name rk-name', text: k.name }),
        el('span', { className: 'hint mp-inline' }, [el('span', { text: 'reads only, created ' }), created]),
        revoke,
      ]),
    ]);
  }

  function load() {
    var mine = ++generation;
    return api('GET', '/api/v1/account/keys')
      .then(function (data) {
        if (mine !== generation) return;
        hide(els.error);
        var keys = data.keys || [];
        els.list.replaceChildren.apply(els.list, keys.map(keyItem));
        els.none.hidden = keys.length > 0;
      })
      .catch(function (error) { if (mine === generation && error.status !== 401) show(els.error, error.message); });
  }

  function revokeKey(k, button) {
    if (!window.confirm('Revoke the read-only key "' + k.name + '"? Whatever uses it stops working at once.')) return;
    hide(els.error);
    hide(els.done);
    button.disabled = true;
    api('DELETE', '/api/v1/account/keys/' + encodeURIComponent(k.keyId))
      .then(function () { show(els.done, 'Revoked "' + k.name + '".'); return load(); })
      .catch(function (error) { show(els.error, error.message); button.disabled = false; });
  }

  els.form.addEventListener('submit', function (event) {
    event.preventDefault();
    hide(els.error);
    hide(els.done);
    var name = els.name.value.trim();
    if (name === '') {
      show(els.error, 'Say what the key is for, such as Grafana.');
      return;
    }
    els.create.disabled = true;
    api('POST', '/api/v1/account/keys', { name: name, access: 'read' })
      .then(function (k) {
        els.name.value = '';
        els.value.value = k.apiKey;
        els.copy.textContent = 'Copy key';
        els.reveal.hidden = false;
        els.value.focus();
        els.value.select();
        return load();
      })
      .catch(function (error) { show(els.error, error.message); })
      .then(function () { els.create.disabled = false; });
  });

  els.copy.addEventListener('click', function () {
    window.cronpeekCopy(els.value.value).then(
      function () { els.copy.textContent = 'Copied'; },
      function () { els.copy.textContent = 'Copy failed'; }
    );
  });

  // Signing out drops the shown key and the list; a monitor's page opened meanwhile keeps them.
  var signedOut = $('signed-out');
  new MutationObserver(function () {
    if (!els.signedIn.hidden) { load(); return; }
    if (signedOut.hidden) return;
    generation += 1;
    els.value.value = '';
    els.reveal.hidden = true;
    els.list.replaceChildren();
    els.none.hidden = true;
    hide(els.error);
    hide(els.done);
  }).observe(els.signedIn, { attributes: true, attributeFilter: ['hidden'] });
  if (!els.signedIn.hidden) load();
})();
