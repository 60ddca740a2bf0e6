import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import request from 'supertest';
import { REPO_DIR } from '../../src/config';
import { createApp } from '../../src/http/app';
import type { Store } from '../../src/store/port';
import { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { sqliteKind } from '../support/stores';
import { capturingLogger } from '../notify/support/logger';

/** Checks public/cronpeek.postman_collection.json against the real app; no browser involved. */

interface PostmanRequest {
  method: string;
  header: Array<{ key: string; value: string }>;
  url: { raw: string; host: string[]; path: string[]; query?: Array<{ key: string; value: string }> };
  body?: { mode: string; raw: string };
}
interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  request?: PostmanRequest;
  event?: Array<{ listen: string; script: { exec: string[] } }>;
  response?: Array<{ name: string; code: number; body: string; header?: Array<{ key: string; value: string }> }>;
}
interface Collection {
  info: { name: string; schema: string };
  variable: Array<{ key: string; value: string }>;
  item: PostmanItem[];
}
type Leaf = PostmanItem & { request: PostmanRequest };

const COLLECTION_PATH = path.join(REPO_DIR, 'public', 'cronpeek.postman_collection.json');
const readCollection = (): Collection => JSON.parse(fs.readFileSync(COLLECTION_PATH, 'utf8')) as Collection;

/** The requests in the order Postman's runner sends them (depth first). */
function requestsOf(items: PostmanItem[]): Leaf[] {
  return items.flatMap((it) => (it.item ? requestsOf(it.item) : it.request ? [it as Leaf] : []));
}

/** The endpoints as the API document names them, then the cron monitor and its schedule preview, a monitor that depends on another, the list filtered by tag, the job signals, snooze (by key and by ping URL), managing one monitor, its badges and alert channels (a second monitor PATCH attaches a channel), maintenance windows, status pages (and one public page's JSON), read-only keys (a third monitor PATCH, refused to the read-only key), sign-in with its sessions (a second POST /auth/sessions, with the account key), and fleets: the ping key, a ping by slug, the upsert by slug, export and import. */
const DOCUMENTED_ENDPOINTS = [
  'DELETE /api/v1/account',
  'DELETE /api/v1/account/keys/:keyId',
  'DELETE /api/v1/account/sessions/current',
  'DELETE /api/v1/channels/:id',
  'DELETE /api/v1/maintenance/:id',
  'DELETE /api/v1/monitors/:id',
  'DELETE /api/v1/monitors/:id/snooze',
  'DELETE /api/v1/status-pages/:id',
  'GET /api/health',
  'GET /api/v1/account',
  'GET /api/v1/account/keys',
  'GET /api/v1/account/sessions',
  'GET /api/v1/badge/:key.json',
  'GET /api/v1/badge/:key.svg',
  'GET /api/v1/channels',
  'GET /api/v1/channels/:id',
  'GET /api/v1/channels/:id/notifications',
  'GET /api/v1/export',
  'GET /api/v1/maintenance',
  'GET /api/v1/maintenance/:id',
  'GET /api/v1/metrics',
  'GET /api/v1/monitors',
  'GET /api/v1/monitors',
  'GET /api/v1/monitors/:id',
  'GET /api/v1/monitors/:id/flips',
  'GET /api/v1/monitors/:id/notifications',
  'GET /api/v1/monitors/:id/pings',
  'GET /api/v1/monitors/:id/status',
  'GET /api/v1/ping/:pingKey/:slug',
  'GET /api/v1/ping/:token',
  'GET /api/v1/ping/:token/fail',
  'GET /api/v1/ping/:token/snooze',
  'GET /api/v1/ping/:token/start',
  'GET /api/v1/schedule/preview',
  'GET /api/v1/status-pages',
  'GET /api/v1/status-pages/:id',
  'GET /status/:slug.json',
  'HEAD /api/v1/ping/:token',
  'PATCH /api/v1/account',
  'PATCH /api/v1/channels/:id',
  'PATCH /api/v1/maintenance/:id',
  'PATCH /api/v1/monitors/:id',
  'PATCH /api/v1/monitors/:id',
  'PATCH /api/v1/monitors/:id',
  'PATCH /api/v1/status-pages/:id',
  'POST /api/v1/account/confirm-email',
  'POST /api/v1/account/keys',
  'POST /api/v1/account/ping-key',
  'POST /api/v1/account/rotate-key',
  'POST /api/v1/accounts',
  'POST /api/v1/accounts/recover',
  'POST /api/v1/accounts/recover/confirm',
  'POST /api/v1/auth/email-link',
  'POST /api/v1/auth/sessions',
  'POST /api/v1/auth/sessions',
  'POST /api/v1/channels',
  'POST /api/v1/channels/:id/test',
  'POST /api/v1/email/confirm',
  'POST /api/v1/email/unsubscribe',
  'POST /api/v1/import',
  'POST /api/v1/maintenance',
  'POST /api/v1/monitors',
  'POST /api/v1/monitors',
  'POST /api/v1/monitors',
  'POST /api/v1/monitors/:id/acknowledge',
  'POST /api/v1/monitors/:id/pause',
  'POST /api/v1/monitors/:id/resume',
  'POST /api/v1/monitors/:id/snooze',
  'POST /api/v1/ping/:token',
  'POST /api/v1/ping/:token/0',
  'POST /api/v1/ping/:token/3',
  'POST /api/v1/status-pages',
  'PUT /api/v1/monitors/by-slug/:slug',
];

const endpointOf = (r: PostmanRequest): string =>
  `${r.method} /${r.url.path.map((p) => (p === '{{monitorId}}' || p === '{{channelId}}' || p === '{{windowId}}' || p === '{{statusPageId}}' ? ':id' : p === '{{keyId}}' ? ':keyId' : p === '{{pingToken}}' ? ':token' : p === '{{pingKey}}' ? ':pingKey' : p === '{{slug}}' ? ':slug' : p.replace('{{badgeKey}}', ':key').replace('{{statusPageSlug}}', ':slug'))).join('/')}`;

function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`collection uses undefined variable {{${name}}}`);
    return vars[name];
  });
}

/** Sends one collection request, with its variables filled in, to the app through supertest. */
function send(app: ReturnType<typeof createApp>, r: PostmanRequest, vars: Record<string, string>) {
  const url = substitute(r.url.raw, vars);
  const agent = request(app);
  const methods = { GET: agent.get, POST: agent.post, PUT: agent.put, HEAD: agent.head, PATCH: agent.patch, DELETE: agent.delete } as const;
  const method = methods[r.method as keyof typeof methods];
  if (!method) throw new Error(`unexpected method ${r.method}`);
  let req = method.call(agent, url);
  for (const h of r.header) req = req.set(h.key, substitute(h.value, vars));
  return r.body ? req.send(substitute(r.body.raw, vars)) : req;
}

describe('Postman collection (public/cronpeek.postman_collection.json)', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  let clock: FakeClock;

  let log: ReturnType<typeof capturingLogger>;
  beforeEach(async () => {
    store = await sqliteKind.open();
    clock = new FakeClock();
    log = capturingLogger();
    // Address confirmation on, as `npm start` has it: sign-ups send their welcome e-mail to the log.
    app = createApp(testDeps(store, { clock, log, verifyEmails: true }));
  });

  /** The first match of `pattern` in an e-mail of this purpose written to the log (no SendGrid here). */
  async function tokenFromLog(purpose: string, pattern: RegExp): Promise<string> {
    const mailed = () => log.lines.find((l) => l.fields.purpose === purpose);
    for (let i = 0; i < 100 && mailed() === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const token = pattern.exec(String(mailed()?.fields.text))?.[1];
    if (token === undefined) throw new Error(`no ${purpose} e-mail in the log: ${JSON.stringify(log.lines)}`);
    return token;
  }
  afterEach(async () => {
    await store.close();
  });

  let emails = 0;
  const freshEmail = () => `postman${++emails}@example.com`;

  test('is valid JSON in the Postman v2.1 collection format', () => {
    const collection = readCollection();

    expect(collection.info).toMatchObject({ name: 'CronPeek API', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' });
    for (const { request: r } of requestsOf(collection.item)) {
      const query = (r.url.query ?? []).map((q) => `${q.key}=${q.value}`).join('&');
      expect(r.url.raw).toBe(`${r.url.host.join('.')}/${r.url.path.join('/')}${query ? `?${query}` : ''}`);
    }
  });

  test('declares baseUrl (http://localhost:3000), apiKey, monitorId, pingToken, channelId, childMonitorId, windowId, readOnlyKey, keyId, statusPageSlug, statusPageId, signInToken, session and sessionId', () => {
    const vars = Object.fromEntries(readCollection().variable.map((v) => [v.key, v.value]));

    expect(vars).toMatchObject({ baseUrl: 'http://localhost:3000', apiKey: '', monitorId: '', pingToken: '', channelId: '', childMonitorId: '', windowId: '', readOnlyKey: '', keyId: '' });
    expect(vars).toMatchObject({ statusPageSlug: '', statusPageId: '', signInToken: '', session: '', sessionId: '' });
  });

  test('names every documented endpoint, and nothing else', () => {
    const endpoints = requestsOf(readCollection().item).map((it) => endpointOf(it.request));

    expect([...endpoints].sort()).toEqual(DOCUMENTED_ENDPOINTS);
  });

  test("every saved example response has a JSON body (or none, for HEAD; an SVG image for the .svg badge; Prometheus' text for the metrics)", () => {
    const examples = requestsOf(readCollection().item).flatMap((it) => (it.response ?? []).map((ex) => ({ request: it.name, ...ex })));
    const typed = (prefix: string) => (ex: { header?: Array<{ key: string; value: string }> }): boolean => (ex.header ?? []).some((h) => h.key === 'Content-Type' && h.value.startsWith(prefix));
    const isSvg = typed('image/svg+xml');
    const isMetrics = typed('text/plain; version=0.0.4');

    expect(examples.length).toBeGreaterThanOrEqual(DOCUMENTED_ENDPOINTS.length);
    expect(examples.filter(isSvg).map((ex) => ex.request)).toEqual(['Badge (SVG)']);
    expect(examples.filter(isMetrics).map((ex) => ex.request)).toEqual(['Prometheus metrics']);
    for (const ex of examples) {
      if (isSvg(ex)) expect(ex.body).toMatch(/^<svg [\s\S]*<\/svg>$/);
      else if (isMetrics(ex)) expect(ex.body).toMatch(/^# HELP cronpeek_monitor_up [\s\S]*\n$/);
      else if (ex.body !== '') expect(() => JSON.parse(ex.body)).not.toThrow();
    }
  });

  test('the saved badge examples are what the app draws for an up monitor named "Nightly DB Backup"', async () => {
    const apiKey = (await request(app).post('/api/v1/accounts').send({ email: freshEmail() }).expect(201)).body.apiKey as string;
    const created = await request(app).post('/api/v1/monitors').set('x-api-key', apiKey).send({ name: 'Nightly DB Backup', schedule: 86400 }).expect(201);
    await request(app).get(new URL(created.body.pingUrl as string).pathname).expect(200);
    const status = await request(app).get(`/api/v1/monitors/${created.body.monitorId as string}/status`).set('x-api-key', apiKey).expect(200);
    const badgePath = new URL(status.body.badgeUrl as string).pathname;
    const saved = (name: string) => (requestsOf(readCollection().item).find((it) => it.name === name)?.response ?? []).find((ex) => ex.code === 200)?.body;

    const svg = await request(app).get(badgePath).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => done(null, text));
    }).expect(200);
    expect(svg.body).toBe(saved('Badge (SVG)'));
    expect((await request(app).get(badgePath.replace(/\.svg$/, '.json')).expect(200)).body).toEqual(JSON.parse(saved('Badge (shields.io JSON)') as string));
    expect((await request(app).get(badgePath.replace(/[0-9a-f]{32}/, '0'.repeat(32)).replace(/\.svg$/, '.json')).expect(404)).body).toEqual(
      JSON.parse((requestsOf(readCollection().item).find((it) => it.name === 'Badge (shields.io JSON)')?.response ?? []).find((ex) => ex.code === 404)?.body as string),
    );
  });

  test("each request's method and path is a route the app answers (not 404, not 405)", async () => {
    const answers: string[] = [];
    for (const item of requestsOf(readCollection().item)) {
      // A fresh account and monitor per request, so no request depends on another one's effects.
      const signup = await request(app).post('/api/v1/accounts').send({ email: freshEmail() }).expect(201);
      const apiKey = signup.body.apiKey as string;
      const created = await request(app).post('/api/v1/monitors').set('x-api-key', apiKey).send({ name: 'probe', schedule: 60 }).expect(201);
      const status = await request(app).get(`/api/v1/monitors/${created.body.monitorId as string}/status`).set('x-api-key', apiKey).expect(200);
      const channel = await request(app).post('/api/v1/channels').set('x-api-key', apiKey).send({ kind: 'email', name: 'probe', config: { address: 'probe@example.com' } }).expect(201);
      const window = await request(app).post('/api/v1/maintenance').set('x-api-key', apiKey).send({ name: 'probe', monitors: '*', schedule: '0 3 * * 0', duration: 3600 }).expect(201);
      const readOnly = await request(app).post('/api/v1/account/keys').set('x-api-key', apiKey).send({ name: 'probe', access: 'read' }).expect(201);
      const statusPage = await request(app).post('/api/v1/status-pages').set('x-api-key', apiKey).send({ slug: `probe-${answers.length}`, title: 'probe', monitors: [created.body.monitorId] }).expect(201);
      const session = await request(app).post('/api/v1/auth/sessions').set('x-api-key', apiKey).send({}).expect(201);
      const pingKey = await request(app).post('/api/v1/account/ping-key').set('x-api-key', apiKey).expect(200);
      const vars = {
        baseUrl: '',
        email: freshEmail(),
        signupEmail: freshEmail(),
        recoveryToken: '',
        confirmationToken: '',
        unsubscribeToken: '',
        apiKey,
        monitorId: created.body.monitorId as string,
        channelId: channel.body.channelId as string,
        childMonitorId: '',
        windowId: window.body.id as string,
        readOnlyKey: readOnly.body.apiKey as string,
        keyId: readOnly.body.keyId as string,
        statusPageId: statusPage.body.id as string,
        statusPageSlug: statusPage.body.slug as string,
        signInToken: '',
        session: session.body.session as string,
        sessionId: session.body.sessionId as string,
        pingKey: pingKey.body.pingKey as string,
        slug: 'probe-slug',
        pingToken: (created.body.pingUrl as string).split('/api/v1/ping/')[1],
        badgeKey: /\/badge\/([0-9a-f]+)\.svg$/.exec(status.body.badgeUrl as string)?.[1] as string,
      };

      const res = await send(app, item.request, vars);

      answers.push(`${endpointOf(item.request)} -> ${res.status}`);
    }

    expect(answers.filter((a) => / -> 40[45]$/.test(a))).toEqual([]);
    expect(answers).toHaveLength(DOCUMENTED_ENDPOINTS.length);
  });

  /** Runs the collection as Postman's runner does: each request's pre-request script, the request, its test script. */
  async function runCollection(vars: Record<string, string>) {
    const results: Array<{ request: string; test: string; error: string | null }> = [];
    const collectionVariables = { get: (key: string) => vars[key], set: (key: string, value: unknown) => void (vars[key] = String(value)) };
    for (const item of requestsOf(readCollection().item)) {
      for (const event of item.event ?? []) {
        if (event.listen === 'prerequest') vm.runInNewContext(event.script.exec.join('\n'), { pm: { collectionVariables } });
      }
      // A second passes between requests, as it would in Postman: each status change has its own instant.
      clock.advance(1);
      const res = await send(app, item.request, vars);
      const pm = {
        test(name: string, fn: () => void) {
          try {
            fn();
            results.push({ request: item.name, test: name, error: null });
          } catch (err) {
            results.push({ request: item.name, test: name, error: String(err) });
          }
        },
        response: {
          code: res.status,
          // supertest leaves an SVG answer's text unset and gives its bytes as body.
          text: () => res.text ?? (Buffer.isBuffer(res.body) ? res.body.toString('utf8') : ''),
          json: () => JSON.parse(res.text) as unknown,
          headers: { get: (name: string) => res.headers[name.toLowerCase()] as string | undefined },
        },
        collectionVariables,
      };
      for (const event of item.event ?? []) {
        if (event.listen === 'test') vm.runInNewContext(event.script.exec.join('\n'), { pm });
      }
    }
    return results;
  }

  const collectionVars = (): Record<string, string> => ({
    ...Object.fromEntries(readCollection().variable.map((v) => [v.key, v.value])),
    baseUrl: '',
    email: 'you@example.com',
  });

  test('run in order, its test scripts store apiKey, monitorId, pingToken, badgeKey, channelId, childMonitorId, windowId, readOnlyKey and keyId and all pass', async () => {
    const vars = collectionVars();
    const results = await runCollection(vars);

    expect(results.filter((r) => r.error !== null)).toEqual([]);
    expect(new Set(results.map((r) => r.request)).size).toBe(DOCUMENTED_ENDPOINTS.length);
    expect(vars.apiKey).toMatch(/^cpk_[0-9a-f]{32}$/);
    expect(vars.monitorId).toMatch(/^[0-9a-f]{16}$/);
    expect(vars.pingToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(vars.badgeKey).toMatch(/^[0-9a-f]{32}$/);
    expect(vars.channelId).toMatch(/^ch_[0-9a-f]{16}$/);
    expect(vars.childMonitorId).toMatch(/^[0-9a-f]{16}$/);
    expect(vars.windowId).toMatch(/^mw_[0-9a-f]{16}$/);
    expect(vars.readOnlyKey).toMatch(/^cpr_[0-9a-f]{32}$/);
    expect(vars.keyId).toMatch(/^key_[0-9a-f]{16}$/);
    expect(vars.statusPageId).toMatch(/^sp_[0-9a-f]{16}$/);
    expect(vars.session).toMatch(/^cps_[0-9a-f]{32}$/);
    expect(results.filter((r) => r.request.startsWith('Badge')).map((r) => r.test)).toEqual([
      'Status is 200',
      'Anyone may embed it and caches may keep it a minute',
      'Is an SVG image naming the monitor and its status',
      'Status is 200',
      'Anyone may embed it and caches may keep it a minute',
      'Is a shields.io endpoint answer',
    ]);
  });

  test('run twice against one server, every test passes both times: each run signs up a fresh e-mail', async () => {
    const first = collectionVars();
    const second = collectionVars();
    const results = [...(await runCollection(first)), ...(await runCollection(second))];

    expect(results.filter((r) => r.error !== null)).toEqual([]);
    expect(first.signupEmail).toMatch(/^you\+[a-z0-9]+@example\.com$/);
    expect(second.signupEmail).not.toBe(first.signupEmail);
  });

  test('the "List monitors by tag" examples are what the app answers: the tagged monitor alone, and a 400 for an unknown status', async () => {
    const item = requestsOf(readCollection().item).find((it) => it.name === 'List monitors by tag') as Leaf;
    const example = (code: number) => (item.response ?? []).find((ex) => ex.code === code)!;
    const apiKey = (await request(app).post('/api/v1/accounts').send({ email: freshEmail() }).expect(201)).body.apiKey as string;
    const create = requestsOf(readCollection().item).find((it) => it.name === 'Create monitor') as Leaf;
    const tagged = await send(app, create.request, { baseUrl: '', apiKey }).expect(201);
    await request(app).post('/api/v1/monitors').set('x-api-key', apiKey).send({ name: 'Nightly DB Backup (untagged)', schedule: 86400 }).expect(201);
    await request(app).post('/api/v1/monitors').set('x-api-key', apiKey).send({ name: 'Log rotation', schedule: 86400, tags: ['backup'] }).expect(201);
    const shown = JSON.parse(example(200).body) as { monitors: Array<Record<string, unknown>>; count: number };

    const res = await send(app, item.request, { baseUrl: '', apiKey }).expect(200);

    expect(res.body.monitors.map((m: { monitorId: string }) => m.monitorId)).toEqual([tagged.body.monitorId]);
    expect(res.body.count).toBe(shown.count);
    expect(Object.keys(res.body.monitors[0]).sort()).toEqual(Object.keys(shown.monitors[0]).sort());
    expect(res.body.monitors[0]).toMatchObject({ name: shown.monitors[0].name, status: shown.monitors[0].status, tags: shown.monitors[0].tags });
    const refused = await request(app).get('/api/v1/monitors?status=late').set('x-api-key', apiKey);
    expect(refused.status).toBe(example(400).code);
    expect(refused.body).toEqual(JSON.parse(example(400).body));
  });

  test('the maintenance, snooze and read-only key examples have the fields the app answers, and the refusal is its words', async () => {
    const items = requestsOf(readCollection().item);
    const byName = (name: string) => items.find((it) => it.name === name) as Leaf;
    const saved = (name: string, code: number) => JSON.parse((byName(name).response ?? []).find((ex) => ex.code === code)!.body) as Record<string, unknown>;
    const apiKey = (await request(app).post('/api/v1/accounts').send({ email: freshEmail() }).expect(201)).body.apiKey as string;
    const monitor = await send(app, byName('Create monitor').request, { baseUrl: '', apiKey }).expect(201);
    const vars = { baseUrl: '', apiKey, monitorId: monitor.body.monitorId as string, pingToken: (monitor.body.pingUrl as string).split('/api/v1/ping/')[1] };

    const window = await send(app, byName('Create maintenance window').request, vars).expect(201);
    const snoozed = await send(app, byName('Snooze monitor').request, vars).expect(200);
    const byPing = await send(app, byName('Snooze with the ping URL').request, vars).expect(200);
    const key = await send(app, byName('Create read-only key').request, vars).expect(201);
    const refused = await send(app, byName('A change with the read-only key is refused').request, { ...vars, readOnlyKey: key.body.apiKey as string });

    expect(Object.keys(window.body).sort()).toEqual(Object.keys(saved('Create maintenance window', 201)).sort());
    expect(Object.keys(snoozed.body).sort()).toEqual(Object.keys(saved('Snooze monitor', 200)).sort());
    expect(Object.keys(byPing.body).sort()).toEqual(Object.keys(saved('Snooze with the ping URL', 200)).sort());
    expect(Object.keys(key.body).sort()).toEqual(Object.keys(saved('Create read-only key', 201)).sort());
    expect([refused.status, refused.body]).toEqual([403, saved('A change with the read-only key is refused', 403)]);
    expect((await request(app).get(`/api/v1/monitors/${vars.monitorId}`).set('x-api-key', apiKey).expect(200)).body.name).toBe(monitor.body.name);
  });

  test('the fleet examples have the fields the app answers, and the fixed answers are its words', async () => {
    const items = requestsOf(readCollection().item);
    const byName = (name: string) => items.find((it) => it.name === name) as Leaf;
    const saved = (name: string, code: number) => JSON.parse((byName(name).response ?? []).find((ex) => ex.code === code)!.body) as Record<string, unknown>;
    const keys = (o: unknown) => Object.keys(o as object).sort();
    const apiKey = (await request(app).post('/api/v1/accounts').send({ email: freshEmail() }).expect(201)).body.apiKey as string;
    const vars: Record<string, string> = { baseUrl: '', apiKey, slug: 'nightly-db-backup' };

    const pingKey = await send(app, byName('Create ping key').request, vars).expect(200);
    vars.pingKey = pingKey.body.pingKey as string;
    const created = await send(app, byName('Ping by slug (creates the monitor)').request, vars).expect(201);
    const unknown = await send(app, byName('Ping by slug (creates the monitor)').request, { ...vars, pingKey: `pk_${'0'.repeat(32)}` }).expect(404);
    const upserted = await send(app, byName('Upsert monitor by slug').request, vars).expect(200);
    const reserved = await send(app, byName('Upsert monitor by slug').request, { ...vars, slug: 'start' }).expect(400);
    const exported = await send(app, byName('Export monitors').request, vars).expect(200);
    const report = await send(app, byName('Import monitors (dry run)').request, vars).expect(200);

    expect(keys(pingKey.body)).toEqual(keys(saved('Create ping key', 200)));
    expect(created.body).toEqual(saved('Ping by slug (creates the monitor)', 201));
    expect(unknown.body).toEqual(saved('Ping by slug (creates the monitor)', 404));
    expect(keys(upserted.body)).toEqual(keys(saved('Upsert monitor by slug', 200)));
    expect(reserved.body).toEqual(saved('Upsert monitor by slug', 400));
    const documented = saved('Export monitors', 200) as { monitors: object[]; channels: object[] };
    expect([keys(exported.body), keys(exported.body.monitors[0])]).toEqual([keys(documented), keys(documented.monitors[0])]);
    expect(report.body).toEqual(saved('Import monitors (dry run)', 200));
  });

  test('the status page and sign-in examples have the fields the app answers, and the fixed answers are its words', async () => {
    const items = requestsOf(readCollection().item);
    const byName = (name: string) => items.find((it) => it.name === name) as Leaf;
    const saved = (name: string, code: number) => JSON.parse((byName(name).response ?? []).find((ex) => ex.code === code)!.body) as Record<string, unknown>;
    const keys = (o: unknown) => Object.keys(o as object).sort();
    const apiKey = (await request(app).post('/api/v1/accounts').send({ email: freshEmail() }).expect(201)).body.apiKey as string;
    const monitor = await send(app, byName('Create monitor').request, { baseUrl: '', apiKey }).expect(201);
    const vars = { baseUrl: '', apiKey, monitorId: monitor.body.monitorId as string, statusPageSlug: 'docs-acme', signupEmail: freshEmail(), signInToken: 'A'.repeat(43) };

    const page = await send(app, byName('Create status page').request, vars).expect(201);
    const shown = await send(app, byName('Public status page (JSON)').request, vars).expect(200);
    const second = await request(app).post('/api/v1/status-pages').set('x-api-key', apiKey).send({ slug: 'docs-other', title: 'x', monitors: { tag: 'prod' } }).expect(403);
    const otherKey = (await request(app).post('/api/v1/accounts').send({ email: freshEmail() }).expect(201)).body.apiKey as string;
    const taken = await request(app).post('/api/v1/status-pages').set('x-api-key', otherKey).send({ slug: 'docs-acme', title: 'x', monitors: { tag: 'prod' } }).expect(409);
    const link = await send(app, byName('Ask for a sign-in link').request, vars).expect(202);
    const badToken = await send(app, byName("Sign in with the link's token").request, vars).expect(401);
    const session = await send(app, byName('Start a session with the account key').request, vars).expect(201);
    const listed = await send(app, byName('List sessions').request, { ...vars, session: session.body.session as string }).expect(200);
    const notASession = await send(app, byName('Sign out').request, { ...vars, session: apiKey }).expect(404);

    expect(keys(page.body)).toEqual(keys(saved('Create status page', 201)));
    const documented = saved('Public status page (JSON)', 200) as { monitors: Array<Record<string, unknown>> };
    expect([keys(shown.body), keys(shown.body.monitors[0]), keys(shown.body.monitors[0].uptime)]).toEqual([keys(documented), keys(documented.monitors[0]), keys(documented.monitors[0].uptime)]);
    expect(second.body).toEqual(saved('Create status page', 403));
    expect(taken.body).toEqual({ error: (saved('Create status page', 409).error as string).replace('acme', 'docs-acme') });
    expect(link.body).toEqual(saved('Ask for a sign-in link', 202));
    expect(badToken.body).toEqual(saved("Sign in with the link's token", 401));
    expect([keys(session.body), keys(session.body.account)]).toEqual([keys(saved('Start a session with the account key', 201)), keys(saved('Start a session with the account key', 201).account)]);
    const documentedList = saved('List sessions', 200) as { sessions: object[] };
    expect([keys(listed.body), keys(listed.body.sessions[0])]).toEqual([keys(documentedList), keys(documentedList.sessions[0])]);
    expect(notASession.body).toEqual(saved('Sign out', 404));
  });

  test("a run that is given the token from the welcome e-mail's link confirms the account's address", async () => {
    const vars = collectionVars();
    const items = requestsOf(readCollection().item);
    const byName = (name: string) => items.find((it) => it.name === name) as Leaf;
    const apiKey = (await request(app).post('/api/v1/accounts').send({ email: freshEmail() }).expect(201)).body.apiKey as string;
    vars.confirmationToken = await tokenFromLog('e-mail confirmation', /#token=([0-9a-f]{32}\.[A-Za-z0-9_-]{43})/);
    expect((await send(app, byName('Confirm an alert address').request, vars).expect(200)).body.status).toBe('confirmed');
    expect((await request(app).get('/api/v1/account').set('x-api-key', apiKey).expect(200)).body.emailConfirmed).toBe(true);
  });

  test("a run that is given the token from the sign-in e-mail's link signs in, lists its session and signs out", async () => {
    const items = requestsOf(readCollection().item);
    const byName = (name: string) => items.find((it) => it.name === name) as Leaf;
    const email = freshEmail();
    const apiKey = (await request(app).post('/api/v1/accounts').send({ email }).expect(201)).body.apiKey as string;
    const vars: Record<string, string> = { baseUrl: '', apiKey, signupEmail: email, signInToken: '', session: '', sessionId: '' };
    await send(app, byName('Ask for a sign-in link').request, vars).expect(202);
    vars.signInToken = await tokenFromLog('sign-in link', /#signin=([A-Za-z0-9_-]{43})/);
    const signedIn = await send(app, byName("Sign in with the link's token").request, vars).expect(201);
    vars.session = signedIn.body.session as string;
    const listed = await send(app, byName('List sessions').request, vars).expect(200);
    expect(listed.body.sessions).toEqual([expect.objectContaining({ sessionId: signedIn.body.sessionId, current: true })]);
    await send(app, byName('Sign out').request, vars).expect(200);
    await request(app).get('/api/v1/account').set('x-api-key', vars.session).expect(401);
  });

  test('a run that is given the token from the recovery e-mail trades it for a working key', async () => {
    const vars = collectionVars();
    const items = requestsOf(readCollection().item);
    const byName = (name: string) => items.find((it) => it.name === name) as Leaf;
    for (const event of byName('Create account').event ?? []) {
      if (event.listen === 'prerequest') vm.runInNewContext(event.script.exec.join('\n'), { pm: { collectionVariables: { get: (k: string) => vars[k], set: (k: string, v: unknown) => void (vars[k] = String(v)) } } });
    }
    const oldKey = (await send(app, byName('Create account').request, vars).expect(201)).body.apiKey as string;
    await send(app, byName('Recover a lost key').request, vars).expect(202);
    // The embedded server without SendGrid: the e-mail, token included, goes to the log.
    vars.recoveryToken = await tokenFromLog('account recovery', /^([A-Za-z0-9_-]{43})$/m);
    const res = await send(app, byName('Confirm recovery').request, vars).expect(200);
    await request(app).get('/api/v1/account').set('Authorization', `Bearer ${res.body.apiKey as string}`).expect(200);
    await request(app).get('/api/v1/account').set('x-api-key', oldKey).expect(401);
  });
});
