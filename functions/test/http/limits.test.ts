import request from 'supertest';
import { createApp } from '../../src/http/app';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_DIR } from '../../src/config';
import { DEFAULT_RULES, MemoryRateLimiter, RULE_VARIABLES, rulesFrom, type RateLimiter, type Rules } from '../../src/limits';
import { cloudLimiter, FirestoreRateLimiter } from '../../src/store/firestore/limits';
import type { InspectableStore } from '../../src/store/inspection';
import { clearProject } from '../support/emulator';
import { testDeps } from '../support/deps';
import { FakeClock } from '../support/clock';
import { ApiClient, pingPath } from '../support/http-client';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun, sqliteKind } from '../support/stores';
import { openMeteredStore, type UsageMeter } from '../firestore/support/usage';

const OFF: Rules = { signup: null, recoveryByAddress: null, recoveryByEmail: null, failedAuth: null, management: null, ping: null };
const rules = (overrides: Partial<Rules>): Rules => ({ ...OFF, ...overrides });

describe('limit settings', () => {
  test('the docs page states the default limits and documents 429', () => {
    const html = fs.readFileSync(path.join(REPO_DIR, 'public', 'index.html'), 'utf8');
    const section = html.slice(html.indexOf('<section id="rate-limits"'), html.indexOf('<section id="errors"'));
    expect(DEFAULT_RULES.ping).toEqual({ limit: 100, windowSeconds: 60 });
    expect(section).toContain('<td>Pings (every ping URL and signal, and <a href="#snooze-by-ping">snoozes with a ping URL</a>)</td><td>100 a minute</td>');
    expect(DEFAULT_RULES.management).toEqual({ limit: 120, windowSeconds: 60 });
    expect(section).toContain('<td>120 a minute</td><td>account</td>');
    expect(DEFAULT_RULES.signup).toEqual({ limit: 10, windowSeconds: 3600 });
    expect(section).toContain('<td>Sign-ups</td><td>10 an hour</td>');
    expect(DEFAULT_RULES.failedAuth).toEqual({ limit: 20, windowSeconds: 600 });
    expect(section).toContain('<td>20 per 10 minutes');
    expect([DEFAULT_RULES.recoveryByAddress, DEFAULT_RULES.recoveryByEmail]).toEqual([{ limit: 10, windowSeconds: 3600 }, { limit: 3, windowSeconds: 3600 }]);
    expect(section).toContain('<td>10 an hour / 3 an hour</td>');
    expect(html).toMatch(/<tr><td><code>429<\/code><\/td>/);
    const operations = fs.readFileSync(path.join(REPO_DIR, 'docs', 'operations.md'), 'utf8');
    for (const name of Object.values(RULE_VARIABLES)) expect(operations).toContain(`| \`${name}\` |`);
    expect(operations).toContain('| `CRONPEEK_RATE_LIMITS` |');
  });

  test('limits are on by default, with the documented defaults', () => {
    expect(rulesFrom({})).toEqual(DEFAULT_RULES);
    expect(DEFAULT_RULES.signup).toEqual({ limit: 10, windowSeconds: 3600 });
    expect(DEFAULT_RULES.ping).toEqual({ limit: 100, windowSeconds: 60 });
  });

  test('CRONPEEK_RATE_LIMITS=off switches every limit off', () => {
    expect(rulesFrom({ CRONPEEK_RATE_LIMITS: 'off' })).toBeNull();
  });

  test('each bucket is set by its own variable, or switched off alone', () => {
    const r = rulesFrom({ CRONPEEK_LIMIT_SIGNUPS: '3/60', CRONPEEK_LIMIT_PINGS: 'off' });
    expect(r).toEqual({ ...DEFAULT_RULES, signup: { limit: 3, windowSeconds: 60 }, ping: null });
  });

  test.each([
    ['CRONPEEK_RATE_LIMITS', 'maybe'],
    ['CRONPEEK_LIMIT_SIGNUPS', '10'],
    ['CRONPEEK_LIMIT_MANAGEMENT', '0/60'],
    ['CRONPEEK_LIMIT_FAILED_AUTH', 'ten/60'],
  ])('a bad %s=%s is refused with its name', (name, value) => {
    expect(() => rulesFrom({ [name]: value })).toThrow(name);
  });
});

const missing = firestoreMissing();
if (missing !== null) markFirestoreNotRun(missing);

type Made = { limiter: RateLimiter; close(): Promise<void> };
const limiterKinds: Array<[string, (r: Rules) => Made]> = [
  ['memory', (r) => ({ limiter: new MemoryRateLimiter(r), close: async () => {} })],
];
if (missing === null) {
  limiterKinds.push([
    'firestore',
    (r) => {
      const projectId = emulatorProjectId();
      const { store } = openMeteredStore(projectId);
      return {
        limiter: new FirestoreRateLimiter(store.db, r),
        close: async () => {
          await store.close();
          await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
        },
      };
    },
  ]);
}

describe.each(limiterKinds)('%s rate limiter', (_name, make) => {
  const t0 = new Date('2026-03-28T02:00:10.000Z'); // 10 s into a minute window
  const at = (s: number) => new Date(t0.getTime() + s * 1000);
  let made: Made;
  beforeEach(() => {
    made = make(rules({ ping: { limit: 3, windowSeconds: 60 }, signup: { limit: 1, windowSeconds: 3600 } }));
  });
  afterEach(() => made.close());

  test('allows the limit in a window, then refuses until the window ends', async () => {
    const { limiter } = made;
    for (let i = 0; i < 3; i++) expect(await limiter.take('ping', 'tok', at(i))).toEqual({ allowed: true, retryAfterSeconds: 50 - i });
    expect(await limiter.take('ping', 'tok', at(5))).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(await limiter.take('ping', 'tok', at(50))).toMatchObject({ allowed: true });
  });

  test('keys and buckets count separately', async () => {
    const { limiter } = made;
    for (let i = 0; i < 3; i++) await limiter.take('ping', 'a', t0);
    expect(await limiter.take('ping', 'a', t0)).toMatchObject({ allowed: false });
    expect(await limiter.take('ping', 'b', t0)).toMatchObject({ allowed: true });
    expect(await limiter.take('signup', 'a', t0)).toMatchObject({ allowed: true });
  });

  test('a check counts nothing', async () => {
    const { limiter } = made;
    await limiter.take('signup', 'addr', t0);
    expect(await limiter.check('signup', 'addr', t0)).toMatchObject({ allowed: false });
    expect(await limiter.check('signup', 'other', t0)).toMatchObject({ allowed: true });
    expect(await limiter.take('signup', 'other', t0)).toMatchObject({ allowed: true });
  });

  test('a bucket without a rule is never limited', async () => {
    for (let i = 0; i < 20; i++) expect(await made.limiter.take('management', 'acct', t0)).toMatchObject({ allowed: true });
  });
});

(missing === null ? describe : describe.skip)('Firestore rate limiter cost', () => {
  let projectId: string;
  let store: Awaited<ReturnType<typeof openMeteredStore>>['store'];
  let meter: UsageMeter;
  beforeEach(() => {
    projectId = emulatorProjectId();
    ({ store, meter } = openMeteredStore(projectId));
  });
  afterEach(async () => {
    await store.close();
    await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
  });

  test('a counted request costs two reads and one write, no transaction; a refused one, one read', async () => {
    const limiter = new FirestoreRateLimiter(store.db, rules({ ping: { limit: 1, windowSeconds: 60 } }));
    const now = new Date('2026-03-28T02:00:00.000Z');
    meter.take();
    await limiter.take('ping', 'token', now);
    expect(meter.take()).toMatchObject({ reads: 2, writes: 1, transactions: 0 });
    await limiter.take('ping', 'token', now);
    expect(meter.take()).toMatchObject({ reads: 1, writes: 0 });
  });

  test('on Cloud Functions a ping is limited in the instance’s memory, at no Firestore cost; other limits stay in Firestore', async () => {
    const limiter = cloudLimiter(store.db, rules({ ping: { limit: 2, windowSeconds: 60 }, signup: { limit: 1, windowSeconds: 3600 } }));
    const now = new Date('2026-03-28T02:00:00.000Z');
    meter.take();
    expect(await limiter.take('ping', 'token', now)).toMatchObject({ allowed: true });
    expect(await limiter.take('ping', 'token', now)).toMatchObject({ allowed: true });
    expect(await limiter.take('ping', 'token', now)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(meter.take()).toMatchObject({ reads: 0, writes: 0 });
    await limiter.take('signup', '203.0.113.9', now);
    expect(meter.take()).toMatchObject({ reads: 2, writes: 1 });
    // The sign-up counter is shared: another instance (another limiter) sees it.
    const otherInstance = cloudLimiter(store.db, rules({ signup: { limit: 1, windowSeconds: 3600 } }));
    expect(await otherInstance.take('signup', '203.0.113.9', now)).toMatchObject({ allowed: false });
  });
});

describe('limits over HTTP', () => {
  let store: InspectableStore;
  let clock: FakeClock;
  let app: ReturnType<typeof createApp>;
  let api: ApiClient;
  beforeEach(async () => {
    store = await sqliteKind.open();
  });
  afterEach(() => store.close());

  function withRules(r: Rules) {
    const deps = testDeps(store, { limiter: new MemoryRateLimiter(r), plan: 'pro' });
    clock = deps.fakeClock;
    // One trusted proxy: each test chooses its client address with X-Forwarded-For.
    app = createApp(deps, { trustProxy: 1 });
    api = new ApiClient(app);
  }
  const from = (address: string) => ({ 'X-Forwarded-For': address });
  /** A sign-up from `address`, not yet sent. */
  const signupFrom = (address = '198.51.100.1') => api.signupRequest().set(from(address));

  function expectLimited(res: request.Response, message: RegExp) {
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toEqual({ error: expect.stringMatching(message) });
  }

  test('sign-ups per address', async () => {
    withRules(rules({ signup: { limit: 2, windowSeconds: 3600 } }));
    await signupFrom().expect(201);
    await signupFrom().expect(201);
    const refused = await signupFrom();
    expectLimited(refused, /^Too many sign-ups from this address\. Try again in \d+ s\.$/);
    expect(refused.headers['retry-after']).toBe(String(3600 - ((clock.now().getTime() / 1000) % 3600)));
    await signupFrom('198.51.100.2').expect(201);
    clock.advance(3600);
    await signupFrom().expect(201);
  });

  test('failed authentications per address, after which even a good key is refused from there', async () => {
    withRules(rules({ failedAuth: { limit: 3, windowSeconds: 600 }, signup: null }));
    const key = (await signupFrom().expect(201)).body.apiKey;
    const bad = 'cpk_' + '0'.repeat(32);
    for (let i = 0; i < 3; i++) await request(app).get('/api/v1/monitors').set(from('203.0.113.66')).set('x-api-key', bad).expect(401);
    expectLimited(await request(app).get('/api/v1/monitors').set(from('203.0.113.66')).set('x-api-key', key), /^Too many requests with a missing or invalid API key/);
    await request(app).get('/api/v1/monitors').set(from('203.0.113.67')).set('x-api-key', key).expect(200);
  });

  test('management calls per key cover every authenticated route', async () => {
    withRules(rules({ management: { limit: 4, windowSeconds: 60 } }));
    const key = (await signupFrom().expect(201)).body.apiKey;
    const other = (await signupFrom().expect(201)).body.apiKey;
    const created = await api.createMonitor(key, { name: 'a', schedule: 60 });
    await request(app).get('/api/v1/monitors').set('x-api-key', key).expect(200);
    await request(app).get(`/api/v1/monitors/${created.monitorId}/status`).set('x-api-key', key).expect(200);
    await request(app).get('/api/v1/monitors/0123456789abcdef/status').set('x-api-key', key).expect(404);
    expectLimited(await request(app).delete(`/api/v1/monitors/${created.monitorId}`).set('x-api-key', key), /^Too many API calls with this key/);
    expect(await store.getMonitor(created.monitorId)).not.toBeNull();
    await request(app).get('/api/v1/monitors').set('x-api-key', other).expect(200);
  });

  test('pings per token: refused pings are not stored, other monitors are unaffected, the next window is open', async () => {
    withRules(rules({ ping: { limit: 3, windowSeconds: 60 } }));
    const key = (await signupFrom().expect(201)).body.apiKey;
    const a = await api.createMonitor(key, { name: 'a', schedule: 60 });
    const b = await api.createMonitor(key, { name: 'b', schedule: 60 });
    for (let i = 0; i < 3; i++) await api.ping(a.pingUrl).expect(200);
    const refused = await api.ping(a.pingUrl, { body: 'x' });
    expectLimited(refused, /^Too many pings for this monitor/);
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    expect((await store.getMonitor(a.monitorId))!.pingCount).toBe(3);
    expect(await store.listPings(a.monitorId, 10)).toHaveLength(3);
    await api.ping(b.pingUrl).expect(200);
    clock.advance(60);
    await api.ping(a.pingUrl).expect(200);
  });

  test('signals share their monitor’s ping limit: a start, an exit code and a failure count like pings', async () => {
    withRules(rules({ ping: { limit: 3, windowSeconds: 60 } }));
    const key = (await signupFrom().expect(201)).body.apiKey;
    const a = await api.createMonitor(key, { name: 'a', schedule: 60 });
    const path = pingPath(a.pingUrl);
    await request(app).get(`${path}/start?rid=r1`).expect(200);
    await request(app).post(`${path}/0?rid=r1`).send('done').expect(200);
    await request(app).get(path).expect(200);
    const refused = await request(app).post(`${path}/fail`).send('boom');
    expectLimited(refused, /^Too many pings for this monitor/);
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    expect((await store.getMonitor(a.monitorId))!).toMatchObject({ status: 'up', pingCount: 3 });
  });

  test('without a limiter (the test default) nothing is limited', async () => {
    app = createApp(testDeps(store));
    for (let i = 0; i < 15; i++) await request(app).post('/api/v1/accounts').send({ email: `free${i}@example.com` }).expect(201);
  });
});
