// The page an address's owner answers from: the token comes in the URL fragment (#token=…, which
// browsers never send to a server), and nothing changes until a button is pressed, since mail
// scanners open links. Answers are plain POSTs to the public API.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  var token = params.get('token') || '';
  var action = params.get('action') === 'unsubscribe' ? 'unsubscribe' : 'confirm';

  var panels = { confirm: $('confirm-panel'), unsubscribe: $('unsubscribe-panel'), resubscribe: $('resubscribe-panel') };
  var buttons = [$('confirm'), $('decline'), $('unsubscribe'), $('resubscribe')];
  var result = $('result');
  var problem = $('problem');

  var RESULTS = {
    confirmed: function (email) { return email + ' is confirmed: this account\'s alerts now reach it.'; },
    declined: function (email) { return email + ' declined: this account never e-mails it again.'; },
    unsubscribed: function (email) { return email + ' is unsubscribed: this account\'s alerts no longer reach it.'; },
  };

  function show(panel) {
    Object.keys(panels).forEach(function (name) { panels[name].hidden = name !== panel; });
  }

  function say(box, text) {
    result.hidden = true;
    problem.hidden = true;
    box.textContent = text;
    box.hidden = false;
  }

  function answer(path, body) {
    buttons.forEach(function (b) { b.disabled = true; });
    return fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) throw new Error(data && data.error ? data.error : 'The answer could not be recorded (HTTP ' + res.status + ').');
          return data;
        });
      })
      .then(function (data) {
        say(result, (RESULTS[data.status] || function (email) { return email + ': ' + data.status; })(data.email));
        // After an unsubscribe the same token subscribes again; a confirmation token is spent.
        show(data.status === 'unsubscribed' ? 'resubscribe' : null);
      })
      .catch(function (error) { say(problem, error.message); })
      .then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  }

  $('confirm').addEventListener('click', function () { answer('/api/v1/email/confirm', { token: token }); });
  $('decline').addEventListener('click', function () { answer('/api/v1/email/decline', { token: token }); });
  $('unsubscribe').addEventListener('click', function () {
    answer('/api/v1/email/unsubscribe?token=' + encodeURIComponent(token));
  });
  $('resubscribe').addEventListener('click', function () { answer('/api/v1/email/confirm', { token: token }); });

  if (!token) {
    show(null);
    say(problem, 'This link has no token. Open the whole link from the e-mail, or copy it into the address bar.');
  } else {
    show(action);
  }
})();
