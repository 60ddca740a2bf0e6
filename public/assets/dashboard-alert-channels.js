// CronPeek dashboard, Alert channels panel: the account's channel objects (list, create, edit,
// delete, test). The kinds and their settings mirror the registry, CHANNELS in
// functions/src/domain/channels.ts. Data from the API (names, masked settings, vendors' error
// texts) is only ever written with textContent or values, never as HTML.
(function () {
  'use strict';

  var ui = window.cronpeekDashboard;
  var el = ui.el;
  var show = ui.show;
  var hide = ui.hide;
  var api = ui.api;

  var URL_FIELD = { name: 'url', label: 'Webhook URL', type: 'url', secret: true };
  /** The 14 kinds in registry order: their labels and `config` fields. */
  var KINDS = [
    { kind: 'email', label: 'E-mail', fields: [{ name: 'address', label: 'E-mail address', type: 'email' }] },
    {
      kind: 'webhook', label: 'Webhook', fields: [
        { name: 'url', label: 'URL', type: 'url', secret: true },
        { name: 'method', label: 'Method', choices: ['POST', 'PUT', 'PATCH', 'GET'], optional: true },
        { name: 'headers', label: 'Extra headers, one "Name: value" a line', headers: true, optional: true, secret: true },
        { name: 'body', label: 'Body template ($NAME, $STATUS, $EVENT, $REASON, $OUTPUT, $MONITOR_ID, $NOW, $JSON)', multiline: true, optional: true },
      ],
    },
    { kind: 'slack', label: 'Slack', fields: [{ name: 'url', label: 'Slack incoming-webhook URL', type: 'url', secret: true }] },
    { kind: 'pagerduty', label: 'PagerDuty', fields: [{ name: 'routingKey', label: 'Events API v2 integration key', secret: true }] },
    { kind: 'discord', label: 'Discord', fields: [URL_FIELD] },
    { kind: 'msteams', label: 'Microsoft Teams', fields: [{ name: 'url', label: 'Workflows webhook URL', type: 'url', secret: true }] },
    { kind: 'telegram', label: 'Telegram', fields: [{ name: 'botToken', label: 'Bot token', secret: true }, { name: 'chatId', label: 'Chat id or @channelname' }] },
    {
      kind: 'ntfy', label: 'ntfy', fields: [
        { name: 'topic', label: 'Topic' },
        { name: 'server', label: 'Server (empty: ntfy.sh)', type: 'url', optional: true },
        { name: 'token', label: 'Access token', secret: true, optional: true },
      ],
    },
    { kind: 'opsgenie', label: 'Opsgenie', fields: [{ name: 'apiKey', label: 'API integration key', secret: true }, { name: 'region', label: 'Region', choices: ['us', 'eu'], optional: true }] },
    { kind: 'pushover', label: 'Pushover', fields: [{ name: 'userKey', label: 'User or group key', secret: true }, { name: 'appToken', label: 'Application token', secret: true }] },
    { kind: 'googlechat', label: 'Google Chat', fields: [URL_FIELD] },
    { kind: 'mattermost', label: 'Mattermost', fields: [URL_FIELD] },
    { kind: 'gotify', label: 'Gotify', fields: [{ name: 'server', label: 'Server URL', type: 'url' }, { name: 'appToken', label: 'Application token', secret: true }] },
    {
      kind: 'matrix', label: 'Matrix', fields: [
        { name: 'homeserver', label: 'Homeserver URL', type: 'url' },
        { name: 'roomId', label: 'Room id (!opaque:server)' },
        { name: 'accessToken', label: 'Access token', secret: true },
      ],
    },
  ];
  var EVENT_NAMES = { down: 'down', up: 'up', still_down: 'reminders', flapping: 'flapping' };

  function kindOf(kind) {
    for (var i = 0; i < KINDS.length; i++) if (KINDS[i].kind === kind) return KINDS[i];
    return { kind: kind, label: String(kind), fields: [] };
  }

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    signedIn: $('signed-in'),
    error: $('ac-error'),
    done: $('ac-done'),
    secret: $('ac-secret'),
    secretValue: $('ac-secret-value'),
    list: $('ac-list'),
    none: $('ac-none'),
    formTitle: $('ac-form-title'),
    form: $('ac-form'),
    kind: $('ac-kind'),
    name: $('ac-name'),
    config: $('ac-config'),
    isDefault: $('ac-default'),
    save: $('ac-save'),
    cancel: $('ac-cancel'),
  };

  // The channels shown, and the one being edited (null: the form creates).
  var channels = [];
  var editing = null;

  // --- The list ------------------------------------------------------------------------------

  /** A setting as text: a masked secret, a header map as "Name: value" pairs. */
  function settingText(value) {
    if (value !== null && typeof value === 'object') return Object.keys(value).map(function (k) { return k + ': ' + value[k]; }).join(', ');
    return String(value);
  }

  function channelItem(c) {
    var kind = kindOf(c.kind);
    var head = el('div', { className: 'mp-item-head' }, [
      el('strong', { className: 'ac-name', text: c.name }),
      el('span', { className: 'badge status-new', text: kind.label }),
    ]);
    if (c.isDefault) head.appendChild(el('span', { className: 'badge status-up', text: 'default', title: 'Attached to monitors created from now on' }));
    var meta = el('dl', { className: 'mp-item-meta' }, [
      el('div', {}, [el('dt', { text: 'Alerts' }), el('dd', { text: (c.events || []).map(function (e) { return EVENT_NAMES[e] || e; }).join(', ') })]),
    ]);
    Object.keys(c.config || {}).forEach(function (field) {
      meta.appendChild(el('div', {}, [el('dt', { text: field }), el('dd', { text: settingText(c.config[field]) })]));
    });
    var result = el('span', { className: 'ac-result', role: 'status' });
    var test = el('button', { type: 'button', className: 'secondary small', text: 'Test', 'aria-label': 'Test ' + c.name });
    var edit = el('button', { type: 'button', className: 'secondary small', text: 'Edit', 'aria-label': 'Edit ' + c.name });
    var remove = el('button', { type: 'button', className: 'secondary small danger', text: 'Delete', 'aria-label': 'Delete ' + c.name });
    test.addEventListener('click', function () { testChannel(c, test, result); });
    edit.addEventListener('click', function () { startEdit(c); });
    remove.addEventListener('click', function () { deleteChannel(c); });
    var actions = el('div', { className: 'ac-actions' }, [test, edit, remove, result]);
    return el('li', { className: 'mp-item', 'data-channel-id': c.channelId }, [head, meta, actions]);
  }

  function render() {
    els.list.replaceChildren.apply(els.list, channels.map(channelItem));
    els.none.hidden = channels.length > 0;
  }

  /** The account's channels, oldest first; the monitor page asks for them too. */
  function load() {
    return api('GET', '/api/v1/channels').then(function (data) {
      channels = data && Array.isArray(data.channels) ? data.channels : [];
      return channels;
    });
  }

  function refresh() {
    if (!ui.storedKey()) return Promise.resolve();
    return load()
      .then(function () { hide(els.error); render(); })
      .catch(function (error) { show(els.error, error.message); });
  }

  // --- Test and delete -----------------------------------------------------------------------

  /** What a test answered: `delivered`, `failed: <the vendor's error>`, or the state. */
  function testResultText(r) {
    if (r.state === 'failed') return 'failed: ' + (r.lastError || 'no reason given');
    return String(r.state);
  }

  function testChannel(c, button, result) {
    button.disabled = true;
    result.textContent = 'Sending a test alert…';
    result.className = 'ac-result';
    return api('POST', '/api/v1/channels/' + encodeURIComponent(c.channelId) + '/test')
      .then(function (r) {
        result.textContent = testResultText(r);
        result.className = 'ac-result ' + (r.state === 'failed' ? 'ac-failed' : 'ac-ok');
      })
      .catch(function (error) {
        result.textContent = 'failed: ' + error.message;
        result.className = 'ac-result ac-failed';
      })
      .then(function () { button.disabled = false; });
  }

  function deleteChannel(c) {
    if (!window.confirm('Delete the channel "' + c.name + '"? It is detached from every monitor, and its queued alerts are not sent.')) return;
    hide(els.error);
    hide(els.done);
    api('DELETE', '/api/v1/channels/' + encodeURIComponent(c.channelId))
      .then(function () {
        if (editing && editing.channelId === c.channelId) resetForm();
        show(els.done, 'Deleted the channel "' + c.name + '".');
        return refresh();
      })
      .catch(function (error) { show(els.error, error.message); });
  }

  // --- The form: create and edit -------------------------------------------------------------

  function fieldId(f) { return 'ac-config-' + f.name; }

  function fieldInput(f) {
    var id = fieldId(f);
    if (f.choices) {
      var options = (f.optional ? [new Option('Default', '')] : []).concat(f.choices.map(function (v) { return new Option(v, v); }));
      var select = el('select', { id: id, name: f.name });
      select.replaceChildren.apply(select, options);
      return select;
    }
    if (f.headers || f.multiline) return el('textarea', { id: id, name: f.name, rows: '3', spellcheck: 'false' });
    return el('input', { id: id, name: f.name, type: f.secret ? 'password' : f.type || 'text', autocomplete: 'off', spellcheck: 'false' });
  }

  /** The chosen kind's fields; when editing, secrets stay empty (empty keeps the current one). */
  function renderFields() {
    var kind = kindOf(els.kind.value);
    els.config.replaceChildren.apply(els.config, kind.fields.map(function (f) {
      var hintText = editing && f.secret ? 'Now ' + settingText((editing.config || {})[f.name] || 'not set') + '; empty keeps it.' : f.optional ? 'Optional.' : '';
      var input = fieldInput(f);
      var children = [el('label', { for: fieldId(f), text: f.label }), input];
      if (hintText) {
        input.setAttribute('aria-describedby', fieldId(f) + '-hint');
        children.push(el('span', { id: fieldId(f) + '-hint', className: 'hint', text: hintText }));
      }
      if (editing && !f.secret && editing.config && editing.config[f.name] !== undefined) input.value = String(editing.config[f.name]);
      return el('div', { className: f.multiline || f.headers || f.type === 'url' ? 'field wide' : 'field' }, children);
    }));
  }

  /** "Name: value" lines as a header map; null when a line is not of that form. */
  function headersOf(text) {
    var headers = {};
    var lines = text.split('\n').filter(function (l) { return l.trim() !== ''; });
    for (var i = 0; i < lines.length; i++) {
      var at = lines[i].indexOf(':');
      if (at < 1) return null;
      headers[lines[i].slice(0, at).trim()] = lines[i].slice(at + 1).trim();
    }
    return headers;
  }

  /** The config to send: what was filled in; when editing, only what changed (null removes an optional field). */
  function configOf(kind) {
    var config = {};
    for (var i = 0; i < kind.fields.length; i++) {
      var f = kind.fields[i];
      var raw = $(fieldId(f)).value;
      var value = f.headers || f.multiline ? raw : raw.trim();
      var before = editing && editing.config ? editing.config[f.name] : undefined;
      if (value === '') {
        if (editing && f.optional && !f.secret && before !== undefined) config[f.name] = null;
        continue;
      }
      if (editing && !f.secret && before === value) continue;
      if (f.headers) {
        var headers = headersOf(value);
        if (headers === null) throw new ui.ApiError(400, 'Write each header on its own line as "Name: value".');
        config[f.name] = headers;
      } else config[f.name] = value;
    }
    return config;
  }

  function eventsChosen() {
    return Array.prototype.slice.call(els.form.querySelectorAll('input[name="events"]:checked')).map(function (i) { return i.value; });
  }

  function startEdit(c) {
    editing = c;
    els.kind.value = c.kind;
    els.kind.disabled = true;
    els.name.value = c.name;
    els.isDefault.checked = !!c.isDefault;
    Array.prototype.forEach.call(els.form.querySelectorAll('input[name="events"]'), function (i) { i.checked = (c.events || []).indexOf(i.value) !== -1; });
    els.formTitle.textContent = 'Edit channel "' + c.name + '"';
    els.save.textContent = 'Save channel';
    els.cancel.hidden = false;
    renderFields();
    els.name.focus();
  }

  function resetForm() {
    editing = null;
    els.form.reset();
    els.kind.disabled = false;
    els.formTitle.textContent = 'New channel';
    els.save.textContent = 'Create channel';
    els.cancel.hidden = true;
    renderFields();
  }

  function submit(event) {
    event.preventDefault();
    hide(els.error);
    hide(els.done);
    var kind = kindOf(els.kind.value);
    var body;
    try {
      body = { name: els.name.value.trim(), config: configOf(kind), events: eventsChosen(), isDefault: els.isDefault.checked };
    } catch (error) {
      show(els.error, error.message);
      return;
    }
    var was = editing;
    if (was && Object.keys(body.config).length === 0) delete body.config;
    if (!was) body.kind = kind.kind;
    els.save.disabled = true;
    api(was ? 'PATCH' : 'POST', '/api/v1/channels' + (was ? '/' + encodeURIComponent(was.channelId) : ''), body)
      .then(function (c) {
        resetForm();
        showSecret(c.webhookSecret);
        show(els.done, (was ? 'Saved the channel "' : 'Created the channel "') + c.name + '".');
        return refresh();
      })
      .catch(function (error) { show(els.error, error.message); })
      .then(function () { els.save.disabled = false; });
  }

  function showSecret(secret) {
    els.secretValue.value = secret || '';
    els.secret.hidden = !secret;
  }

  // --- Wiring --------------------------------------------------------------------------------

  els.kind.replaceChildren.apply(els.kind, KINDS.map(function (k) { return new Option(k.label, k.kind); }));
  els.kind.addEventListener('change', renderFields);
  els.form.addEventListener('submit', submit);
  els.cancel.addEventListener('click', resetForm);
  // No Reload button: coming back to the tab or the window reloads it, as it does the list.
  window.addEventListener('cronpeek:back', function () { if (!els.signedIn.hidden) refresh(); });
  renderFields();

  // Showing the list (signing in, or back from a monitor's page) reloads the channels; signing out forgets them.
  new MutationObserver(function () {
    if (!els.signedIn.hidden) refresh();
  }).observe(els.signedIn, { attributes: true, attributeFilter: ['hidden'] });
  new MutationObserver(function () {
    if ($('signed-out').hidden) return;
    channels = [];
    render();
    els.none.hidden = true;
    showSecret(null);
    [els.error, els.done].forEach(hide);
    if (editing) resetForm();
  }).observe($('signed-out'), { attributes: true, attributeFilter: ['hidden'] });
  if (!els.signedIn.hidden) refresh();

  ui.channels = { KINDS: KINDS, kindOf: kindOf, load: load, testResultText: testResultText };
})();
