// CronPeek dashboard, account panel: the account's ping key, with which a job pings its monitor by
// slug (`/api/v1/ping/<pingKey>/<slug>`, `?create=1` creating it). Whether one exists comes with
// the account (`hasPingKey`); the key itself is answered once, when created or rotated, and shown
// then with a copy button and a ping URL to start from.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var show = ui.show;
  var hide = ui.hide;

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    panel: $('account-panel'),
    signedOut: $('signed-out'),
    state: $('pk-state'),
    create: $('pk-create'),
    reveal: $('pk-new'),
    value: $('pk-new-value'),
    copy: $('pk-copy'),
    example: $('pk-example'),
    copyExample: $('pk-copy-example'),
    error: $('pk-error'),
    done: $('pk-done'),
  };
  var EXAMPLE_SLUG = 'my-job';
  var hasKey = null;

  function render(exists) {
    hasKey = exists;
    els.state.textContent = exists
      ? 'This account has a ping key. Rotating it replaces it: ping URLs with the old key stop working.'
      : 'No ping key yet: monitors are pinged by their own ping URLs.';
    els.create.textContent = exists ? 'Rotate ping key' : 'Create ping key';
  }

  function clear() {
    hasKey = null;
    els.state.textContent = '…';
    els.create.textContent = 'Create ping key';
    els.reveal.hidden = true;
    els.value.value = '';
    els.example.value = '';
    hide(els.error);
    hide(els.done);
  }

  function copy(button, text) {
    var label = button.textContent;
    window.cronpeekCopy(text).then(
      function () { button.textContent = 'Copied'; },
      function () { button.textContent = 'Copy failed: select it and copy by hand'; }
    );
    setTimeout(function () { button.textContent = label; }, 1500);
  }

  els.create.addEventListener('click', function () {
    var rotating = hasKey === true;
    if (rotating && !window.confirm('Rotate the ping key? Every ping URL with the current key stops working at once: update the jobs that use it.')) return;
    hide(els.error);
    hide(els.done);
    els.create.disabled = true;
    ui.api('POST', '/api/v1/account/ping-key')
      .then(function (data) {
        render(true);
        els.value.value = data.pingKey;
        els.example.value = location.origin + '/api/v1/ping/' + data.pingKey + '/' + EXAMPLE_SLUG + '?create=1';
        els.reveal.hidden = false;
        show(els.done, rotating ? 'Rotated the ping key: the old one no longer pings.' : 'Created a ping key.');
        els.value.focus();
        els.value.select();
      })
      .catch(function (error) { show(els.error, error.message); })
      .then(function () { els.create.disabled = false; });
  });
  els.copy.addEventListener('click', function () { copy(els.copy, els.value.value); });
  els.copyExample.addEventListener('click', function () { copy(els.copyExample, els.example.value); });

  // The account answer the dashboard loads (and reloads with the list) says whether a key exists.
  els.panel.addEventListener('cronpeek:account', function (event) { render(event.detail.hasPingKey === true); });
  new MutationObserver(function () { if (!els.signedOut.hidden) clear(); })
    .observe(els.signedOut, { attributes: true, attributeFilter: ['hidden'] });
  if (ui.account) render(ui.account.hasPingKey === true);
})();
