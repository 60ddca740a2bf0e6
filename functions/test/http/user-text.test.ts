import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { InspectableStore } from '../../src/store/inspection';
import { alertDeps, missDeadline, newMonitor, ping } from '../alerts/support/world';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { testDeps } from '../support/deps';
import { ApiClient } from '../support/http-client';
import { storeKinds } from '../support/stores';
import { BIDI_CONTROLS, XML_CHARS } from '../support/xml';

const REFUSED = 'name must not contain control characters or bidirectional overrides.';

const UNSAFE_NAMES: Array<[string, string]> = [
  ['a line feed', 'backup\nBcc: victim@example.com'],
  ['a CR LF', 'backup\r\nSubject: hi'],
  ['a tab', 'backup\tdaily'],
  ['a BEL', 'backup\u0007'],
  ['DEL', 'back\u007fup'],
  ['a C1 control (NEL)', 'back\u0085up'],
  ['a right-to-left override', 'invoice\u202Efdp.exe'],
  ['a left-to-right isolate', 'a\u2066b\u2069'],
  ['a right-to-left mark', 'a\u200Fb'],
  ['an Arabic letter mark', 'a\u061Cb'],
  ['a line separator', 'a\u2028b'],
  ['a noncharacter XML cannot hold', 'a\uFFFFb'],
  ['an unpaired surrogate', 'a\uD800b'],
];

/** Monitor names are the user's words in CronPeek's e-mails, alerts and badges: they must stay in their place. */
describe.each(storeKinds())('user text in its place on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: Express;
  let api: ApiClient;

  beforeEach(async () => {
    store = await kind.open();
    app = createApp(testDeps(store));
    api = new ApiClient(app);
  });
  afterEach(async () => {
    await store.close();
  });

  test.each(UNSAFE_NAMES)('a name with %s is refused with 400 on create, and nothing is created', async (_what, name) => {
    const key = await api.signup();
    expect((await api.createMonitorRequest(key, { name }).expect(400)).body).toEqual({ error: REFUSED });
    expect((await api.listMonitors(key).expect(200)).body.count).toBe(0);
  });

  test.each(UNSAFE_NAMES)('a name with %s is refused with 400 on edit, and the name stays', async (_what, name) => {
    const key = await api.signup();
    const m = await api.createMonitor(key, { name: 'nightly' });
    expect((await api.editMonitor(key, m.monitorId, { name }).expect(400)).body).toEqual({ error: REFUSED });
    expect((await api.monitor(key, m.monitorId).expect(200)).body.name).toBe('nightly');
  });

  test('names in any script, with emoji and quotes, are accepted as written; surrounding line breaks are trimmed', async () => {
    const key = await api.signup();
    for (const name of ['Sauvegarde — données', '夜间备份 نسخ احتياطي', '👩‍💻 deploy 🇪🇺', '“db” "db"']) {
      expect((await api.createMonitor(key, { name })).name).toBe(name);
    }
    expect((await api.createMonitor(key, { name: '\nnightly\r\n' })).name).toBe('nightly');
  });

  /** A monitor whose name was stored before names were checked. */
  async function storedWithName(name: string) {
    const key = await api.signup();
    const m = await api.createMonitor(key, { name: 'placeholder' });
    expect(await store.editMonitor(m.monitorId, () => ({ name }))).not.toBeNull();
    const status = await api.status(key, m.monitorId).expect(200);
    return new URL(status.body.badgeUrl as string).pathname;
  }

  test('a stored name with control characters and a bidirectional override still makes a well-formed SVG badge', async () => {
    const badge = await storedWithName('db\u0001 backup\u202E\uFFFF nightly');
    const res = await request(app).get(badge).buffer(true).parse((r, cb) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => (text += d));
      r.on('end', () => cb(null, text));
    });
    expect(res.status).toBe(200);
    const svg = res.body as string;
    expect(svg).toMatch(XML_CHARS);
    expect(svg).not.toMatch(BIDI_CONTROLS);
    expect(svg).toContain('<title>db backup nightly: new</title>');
    const json = await request(app).get(badge.replace(/\.svg$/, '.json')).expect(200);
    expect(json.body.label).toBe('db backup nightly');
  });

  test('a long stored name is cut between characters, never inside an emoji', async () => {
    const badge = await storedWithName(`${'x'.repeat(38)}😀😀😀`);
    const svg = (await request(app).get(badge).expect(200)).body.toString('utf8') as string;
    expect(svg).toMatch(XML_CHARS);
    expect(svg).toContain(`<title>${'x'.repeat(38)}😀…: new</title>`);
  });
});

describe.each(storeKinds())('a stored name with line breaks in an alert e-mail on %s', (_name, kind) => {
  let store: InspectableStore;
  let sendgrid: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
  });
  afterEach(async () => {
    await sendgrid.close();
    await store.close();
  });

  test('the subject is one line, with the name between quotes CronPeek wrote', async () => {
    const deps = alertDeps(store, { notify: { sendgridApiKey: 'SG.test-key', sendgridApiUrl: sendgrid.origin } });
    // The services store what they are given: this is a name saved before names were checked.
    const m = await newMonitor(deps, { name: 'Backup\r\nBcc: victim@example.com\u202E “x” (failed)' });
    await ping(deps, m);
    await missDeadline(deps, m);
    expect(sendgrid.requests).toHaveLength(1);
    const mail = JSON.parse(sendgrid.requests[0].body) as { subject: string; content: Array<{ value: string }> };
    expect(mail.subject).toBe('[CronPeek] DOWN: monitor “Backup Bcc: victim@example.com "x" (failed)”');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.content[0].value.split('\n')[0]).toBe('Your monitor “Backup Bcc: victim@example.com "x" (failed)” is DOWN.');
  });
});
