import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { sweepDueMonitors } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { testDeps, TEST_PUBLIC_URL } from '../support/deps';
import { ApiClient } from '../support/http-client';
import { storeKinds } from '../support/stores';
import type { FakeClock } from '../support/clock';

const LIMIT_MESSAGE = 'Monitor limit reached (5). Upgrade your plan for more monitors.';

describe.each(storeKinds())('HTTP API on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: Express;
  let clock: FakeClock;
  let api: ApiClient;

  beforeEach(async () => {
    store = await kind.open();
    const deps = testDeps(store);
    clock = deps.fakeClock;
    app = createApp(deps);
    // A daily schedule unless a test gives one: the shapes below show 86400 and its grace, 8640.
    api = new ApiClient(app, { schedule: 86400 });
  });
  afterEach(async () => {
    await store.close();
  });

  const tokenOf = (pingUrl: string) => pingUrl.split('/').pop() as string;

  describe('health', () => {
    test('answers ok with the service version and the current time', async () => {
      const res = await request(app).get('/api/health').expect(200);
      expect(res.body).toEqual({ status: 'ok', service: 'cronpeek', version: '1.0.0', timestamp: clock.now().toISOString() });
    });
  });

  describe('create account', () => {
    test('returns a new key, the plan and its monitor allowance', async () => {
      const res = await request(app).post('/api/v1/accounts').send({ email: 'dev@company.com' }).expect(201);
      expect(res.body).toEqual({ apiKey: expect.stringMatching(/^cpk_[0-9a-f]{32}$/), plan: 'free', monitors: 5 });
    });

    test('refuses a known e-mail, whatever its case and spacing, without revealing the key', async () => {
      await request(app).post('/api/v1/accounts').send({ email: 'dev@company.com' }).expect(201);
      const res = await request(app).post('/api/v1/accounts').send({ email: '  DEV@Company.com ' }).expect(409);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(JSON.stringify(res.body)).not.toMatch(/cpk_/);
    });

    test('on the pro plan the allowance is unlimited', async () => {
      const proApp = createApp(testDeps(store, { plan: 'pro' }));
      const res = await request(proApp).post('/api/v1/accounts').send({ email: 'pro@company.com' }).expect(201);
      expect(res.body).toMatchObject({ plan: 'pro', monitors: null });
    });

    test.each([
      ['a missing e-mail', {}, 'email is required.'],
      ['an invalid e-mail', { email: 'not-an-email' }, 'email must be a valid email address.'],
      ['an e-mail that is not a string', { email: 42 }, 'email must be a string.'],
    ])('refuses %s with 400', async (_what, body, message) => {
      const res = await request(app).post('/api/v1/accounts').send(body).expect(400);
      expect(res.body).toEqual({ error: message });
    });

    test('refuses malformed JSON with 400', async () => {
      const res = await request(app).post('/api/v1/accounts').set('Content-Type', 'application/json').send('{"email": ').expect(400);
      expect(res.body).toEqual({ error: 'Malformed JSON in request body.' });
    });

    test.each([
      ['an array', '[{"email":"a@b.co"}]'],
      ['a string', '"a@b.co"'],
      ['null', 'null'],
    ])('refuses a body that is %s with 400', async (_what, raw) => {
      const res = await request(app).post('/api/v1/accounts').set('Content-Type', 'application/json').send(raw).expect(400);
      expect(res.body).toEqual({ error: 'Request body must be a JSON object.' });
    });

    test('refuses a body over 64 KB with 413', async () => {
      const res = await request(app)
        .post('/api/v1/accounts')
        .send({ email: 'big@company.com', padding: 'x'.repeat(70 * 1024) })
        .expect(413);
      expect(res.body).toEqual({ error: 'Request body is too large.' });
    });

    test('answers other methods with 405 and Allow', async () => {
      const res = await request(app).get('/api/v1/accounts').expect(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.body.error).toMatch(/not allowed/);
    });
  });

  describe('authentication', () => {
    test('a missing key is 401', async () => {
      const res = await request(app).get('/api/v1/monitors').expect(401);
      expect(res.body).toEqual({ error: 'Missing API key. Send it in the x-api-key header.' });
    });

    test.each([['malformed', 'nope'], ['well-formed but unknown', `cpk_${'0'.repeat(32)}`]])('a %s key is 401', async (_what, key) => {
      const res = await request(app).get('/api/v1/monitors').set('x-api-key', key).expect(401);
      expect(res.body).toEqual({ error: 'Invalid API key.' });
    });
  });

  describe('create monitor', () => {
    test('returns the documented shape with a ping URL on the public origin', async () => {
      const key = await api.signup();
      const res = await request(app)
        .post('/api/v1/monitors')
        .set('x-api-key', key)
        .send({ name: '  Nightly DB Backup ', schedule: 86400, grace: 3600, extra: 'ignored' })
        .expect(201);
      expect(res.body).toEqual({
        monitorId: expect.stringMatching(/^[0-9a-f]{16}$/),
        name: 'Nightly DB Backup',
        pingUrl: expect.stringMatching(new RegExp(`^${TEST_PUBLIC_URL}/api/v1/ping/[A-Za-z0-9_-]{24}$`)),
        schedule: 86400,
        grace: 3600,
        status: 'new',
        late: false,
        running: false,
        channels: [],
        tags: [],
        slug: null,
        snoozedUntil: null,
        dependsOn: [],
        inMaintenance: false,
        suppressedBy: null,
      });
    });

    test('defaults grace to 10% of the schedule', async () => {
      expect((await api.createMonitor(await api.signup(), { schedule: 86400 })).grace).toBe(8640);
    });

    test('defaults grace to at least a minute', async () => {
      expect((await api.createMonitor(await api.signup(), { schedule: 60 })).grace).toBe(60);
    });

    test('gives every monitor its own ping token', async () => {
      const key = await api.signup();
      const a = await api.createMonitor(key);
      const b = await api.createMonitor(key);
      expect(tokenOf(a.pingUrl)).not.toBe(tokenOf(b.pingUrl));
    });

    test.each([
      ['a missing name', { schedule: 60 }, 'name is required.'],
      ['an empty name', { name: '   ', schedule: 60 }, 'name must not be empty.'],
      ['a name over 100 characters', { name: 'x'.repeat(101), schedule: 60 }, 'name must be at most 100 characters.'],
      ['a missing schedule', { name: 'a' }, 'schedule is required.'],
      ['a schedule under a minute', { name: 'a', schedule: 59 }, 'schedule must be at least 60 seconds.'],
      ['a fractional schedule', { name: 'a', schedule: 90.5 }, 'schedule must be an integer number of seconds.'],
      ['a schedule given as a string', { name: 'a', schedule: '3600' }, 'schedule must be a number of seconds (a JSON number, not a string) or a 5-field cron expression.'],
      ['a schedule over a year', { name: 'a', schedule: 31_536_001 }, 'schedule must be at most 31536000 seconds (one year).'],
      ['a grace under a minute', { name: 'a', schedule: 60, grace: 10 }, 'grace must be at least 60 seconds.'],
      ['an invalid alert e-mail', { name: 'a', schedule: 60, alertEmail: 'nope' }, 'alertEmail must be a valid email address.'],
      ['a webhook that is not http(s)', { name: 'a', schedule: 60, alertWebhook: 'ftp://example.com/x' }, 'alertWebhook must be an http(s) URL.'],
      ['a webhook over 2048 characters', { name: 'a', schedule: 60, alertWebhook: `https://example.com/${'x'.repeat(2048)}` }, 'alertWebhook must be at most 2048 characters.'],
    ])('refuses %s with 400 and creates nothing', async (_what, body, message) => {
      const key = await api.signup();
      const res = await request(app).post('/api/v1/monitors').set('x-api-key', key).send(body).expect(400);
      expect(res.body).toEqual({ error: message });
      expect((await request(app).get('/api/v1/monitors').set('x-api-key', key)).body.count).toBe(0);
    });

    test('refuses a webhook on the free plan with 403', async () => {
      const key = await api.signup();
      const res = await request(app)
        .post('/api/v1/monitors')
        .set('x-api-key', key)
        .send({ name: 'a', schedule: 60, alertWebhook: 'https://hooks.example.com/x' })
        .expect(403);
      expect(res.body.error).toMatch(/Pro plan/);
    });

    test('returns the webhook secret once on the pro plan', async () => {
      const proApp = createApp(testDeps(store, { plan: 'pro' }));
      const { body } = await request(proApp).post('/api/v1/accounts').send({ email: 'hooks@company.com' });
      const res = await request(proApp)
        .post('/api/v1/monitors')
        .set('x-api-key', body.apiKey)
        .send({ name: 'a', schedule: 60, alertWebhook: 'https://hooks.example.com/x' })
        .expect(201);
      expect(res.body.webhookSecret).toMatch(/^whsec_/);
      const shown = await request(proApp).get(`/api/v1/monitors/${res.body.monitorId}/status`).set('x-api-key', body.apiKey);
      expect(JSON.stringify(shown.body)).not.toContain(res.body.webhookSecret);
    });

    test('the free plan stops at five monitors with the documented message', async () => {
      const key = await api.signup();
      for (let i = 0; i < 5; i++) await api.createMonitor(key);
      const res = await request(app).post('/api/v1/monitors').set('x-api-key', key).send({ name: 'six', schedule: 60 }).expect(403);
      expect(res.body).toEqual({ error: LIMIT_MESSAGE });
    });

    test('twelve concurrent creates on a free account give exactly five monitors', async () => {
      const key = await api.signup();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => request(app).post('/api/v1/monitors').set('x-api-key', key).send({ name: `m${i}`, schedule: 60 })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(5);
      expect(results.filter((r) => r.status === 403).every((r) => r.body.error === LIMIT_MESSAGE)).toBe(true);
      expect((await request(app).get('/api/v1/monitors').set('x-api-key', key)).body.count).toBe(5);
    });
  });

  describe('list monitors', () => {
    test('lists the account’s monitors newest first in the documented shape', async () => {
      const key = await api.signup();
      const first = await api.createMonitor(key, { name: 'first' });
      clock.advance(1);
      const second = await api.createMonitor(key, { name: 'second' });
      await api.createMonitor(await api.signup(), { name: 'someone else' });
      const res = await request(app).get('/api/v1/monitors').set('x-api-key', key).expect(200);
      expect(res.body.count).toBe(2);
      expect(res.body.monitors.map((m: { monitorId: string }) => m.monitorId)).toEqual([second.monitorId, first.monitorId]);
      expect(res.body.monitors[1]).toEqual({
        monitorId: first.monitorId,
        name: 'first',
        status: 'new',
        late: false,
        running: false,
        schedule: 86400,
        grace: 8640,
        lastPing: null,
        pingCount: 0,
        pingUrl: first.pingUrl,
        nextDue: null,
        lastDuration: null,
        channels: [],
        tags: [],
        slug: null,
        snoozedUntil: null,
        dependsOn: [],
        inMaintenance: false,
        suppressedBy: null,
      });
    });
  });

  describe('monitor status', () => {
    test('shows last ping, last alert and count', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await request(app).get(`/api/v1/ping/${tokenOf(m.pingUrl)}`).expect(200);
      const res = await api.status(key, m.monitorId).expect(200);
      expect(res.body).toMatchObject({
        monitorId: m.monitorId,
        name: 'Nightly DB Backup',
        status: 'up',
        schedule: 86400,
        grace: 8640,
        lastPing: clock.now().toISOString(),
        lastAlert: null,
        pingCount: 1,
      });
    });

    test('an unknown id is 404', async () => {
      const res = await api.status(await api.signup(), '0123456789abcdef').expect(404);
      expect(res.body).toEqual({ error: 'Monitor not found.' });
    });

    test('a malformed id is 404', async () => {
      await api.status(await api.signup(), '..%2F..%2Fetc').expect(404);
    });

    test('another account’s monitor is 403', async () => {
      const m = await api.createMonitor(await api.signup());
      const res = await api.status(await api.signup(), m.monitorId).expect(403);
      expect(res.body).toEqual({ error: 'This monitor belongs to another account.' });
    });
  });

  describe('delete monitor', () => {
    test('deletes it and frees its slot', async () => {
      const key = await api.signup();
      const monitors = [];
      for (let i = 0; i < 5; i++) monitors.push(await api.createMonitor(key));
      const res = await request(app).delete(`/api/v1/monitors/${monitors[0].monitorId}`).set('x-api-key', key).expect(200);
      expect(res.body).toEqual({ deleted: true });
      await api.status(key, monitors[0].monitorId).expect(404);
      await request(app).get(`/api/v1/ping/${tokenOf(monitors[0].pingUrl)}`).expect(404);
      await api.createMonitor(key);
    });

    test('another account’s monitor is refused with 403 and kept', async () => {
      const owner = await api.signup();
      const m = await api.createMonitor(owner);
      await request(app).delete(`/api/v1/monitors/${m.monitorId}`).set('x-api-key', await api.signup()).expect(403);
      await api.status(owner, m.monitorId).expect(200);
    });

    test('an unknown monitor is 404', async () => {
      await request(app).delete('/api/v1/monitors/0123456789abcdef').set('x-api-key', await api.signup()).expect(404);
    });
  });

  describe('ping', () => {
    test.each(['get', 'post'] as const)('%s records the run and answers with the monitor', async (method) => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const res = await request(app)[method](`/api/v1/ping/${tokenOf(m.pingUrl)}`).expect(200);
      expect(res.body).toEqual({ ok: true, monitor: 'Nightly DB Backup', status: 'up' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect((await api.status(key, m.monitorId)).body.pingCount).toBe(1);
    });

    test('HEAD records the run and answers 200 with no body', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const res = await request(app).head(`/api/v1/ping/${tokenOf(m.pingUrl)}`).expect(200);
      expect(res.text ?? '').toBe('');
      expect((await api.status(key, m.monitorId)).body.pingCount).toBe(1);
    });

    test('works at the function’s own URL without the /api prefix', async () => {
      const m = await api.createMonitor(await api.signup());
      await request(app).get(`/v1/ping/${tokenOf(m.pingUrl)}`).expect(200);
    });

    test('POST accepts any body and content type; a success keeps the first 1 KB, a failure 10 KB', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const body = 'line\n'.repeat(4000);
      await request(app).post(`/api/v1/ping/${tokenOf(m.pingUrl)}`).set('Content-Type', 'application/json').send(body).expect(200);
      const [ping] = await store.listPings(m.monitorId, 1);
      expect(ping.body).toBe(body.slice(0, 1024));
      expect(ping).toMatchObject({ method: 'POST', kind: 'success', bodyTruncated: true });
      await request(app).post(`/api/v1/ping/${tokenOf(m.pingUrl)}/fail`).set('Content-Type', 'text/plain').send(body).expect(200);
      const [failure] = await store.listPings(m.monitorId, 1);
      expect(failure.body).toBe(body.slice(0, 10 * 1024));
      expect(failure).toMatchObject({ method: 'POST', kind: 'fail', bodyTruncated: true });
    });

    test('records the user agent and source address', async () => {
      const m = await api.createMonitor(await api.signup());
      await request(app).get(`/api/v1/ping/${tokenOf(m.pingUrl)}`).set('User-Agent', 'backup.sh/1.0').expect(200);
      const [ping] = await store.listPings(m.monitorId, 1);
      expect(ping.userAgent).toBe('backup.sh/1.0');
      expect(ping.source).toMatch(/127\.0\.0\.1|::1/);
    });

    test('a body over 1 MB is refused with 413 and not counted', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await request(app)
        .post(`/api/v1/ping/${tokenOf(m.pingUrl)}`)
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.alloc(1024 * 1024 + 1))
        .expect(413);
      expect((await api.status(key, m.monitorId)).body.pingCount).toBe(0);
    });

    test.each([['unknown', 'A'.repeat(24)], ['malformed', 'not a token']])('an %s token is 404', async (_what, token) => {
      const res = await request(app).get(`/api/v1/ping/${encodeURIComponent(token)}`).expect(404);
      expect(res.body).toEqual({ error: 'Unknown ping token.' });
    });

    test('other methods are 405', async () => {
      const m = await api.createMonitor(await api.signup());
      const res = await request(app).put(`/api/v1/ping/${tokenOf(m.pingUrl)}`).expect(405);
      expect(res.headers.allow).toBe('GET, POST, HEAD');
    });

    test('forty concurrent pings are all counted', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const results = await Promise.all(Array.from({ length: 40 }, () => request(app).get(`/api/v1/ping/${tokenOf(m.pingUrl)}`)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect((await api.status(key, m.monitorId)).body.pingCount).toBe(40);
      expect(await store.listPings(m.monitorId, 100)).toHaveLength(40);
    });
  });

  describe('missed pings', () => {
    test('a sweep past the deadline turns an up monitor down, and a later ping brings it back', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 3600, grace: 600 });
      const token = tokenOf(m.pingUrl);
      await request(app).get(`/api/v1/ping/${token}`).expect(200);

      clock.advance(3600 + 600 - 1);
      await sweepDueMonitors({ store, log: silentLogger }, clock.now());
      expect((await api.status(key, m.monitorId)).body.status).toBe('up');

      const downAt = clock.advance(1);
      await sweepDueMonitors({ store, log: silentLogger }, clock.now());
      expect((await api.status(key, m.monitorId)).body).toMatchObject({ status: 'down', lastAlert: downAt.toISOString() });

      clock.advance(120);
      const res = await request(app).get(`/api/v1/ping/${token}`).expect(200);
      expect(res.body.status).toBe('up');
      expect((await api.status(key, m.monitorId)).body).toMatchObject({ status: 'up', pingCount: 2 });
    });

    test('a monitor that never pinged does not go down', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 60 });
      clock.advance(10 * 86_400);
      await sweepDueMonitors({ store, log: silentLogger }, clock.now());
      expect((await api.status(key, m.monitorId)).body.status).toBe('new');
    });
  });

  describe('cron monitors', () => {
    test('accept a 5-field expression with a zone and echo both', async () => {
      const key = await api.signup();
      const res = await request(app)
        .post('/api/v1/monitors')
        .set('x-api-key', key)
        .send({ name: 'Nightly', schedule: '30 2 * * *', tz: 'Europe/Berlin' })
        .expect(201);
      expect(res.body).toEqual({
        monitorId: expect.stringMatching(/^[0-9a-f]{16}$/),
        name: 'Nightly',
        pingUrl: expect.any(String),
        schedule: '30 2 * * *',
        tz: 'Europe/Berlin',
        // 10% of the gap between the next two firings: 03:00 CEST on 29 March (02:30 is skipped), then 02:30 on the 30th.
        grace: 8460,
        status: 'new',
        late: false,
        running: false,
        channels: [],
        tags: [],
        slug: null,
        snoozedUntil: null,
        dependsOn: [],
        inMaintenance: false,
        suppressedBy: null,
      });
      const shown = (await api.status(key, res.body.monitorId).expect(200)).body;
      expect(shown).toMatchObject({ schedule: '30 2 * * *', tz: 'Europe/Berlin', nextDue: null, lastStart: null, lastDuration: null });
    });

    test('default the zone to UTC', async () => {
      const m = await api.createMonitor(await api.signup(), { schedule: '0 * * * *' });
      expect(m).toMatchObject({ schedule: '0 * * * *', tz: 'UTC', grace: 360 });
    });

    test('show the next cron time after the last ping as nextDue', async () => {
      const key = await api.signup();
      // The fake clock starts at 2026-03-28T02:00Z (03:00 CET); the next 02:30 in Berlin falls into the skipped hour.
      const m = await api.createMonitor(key, { schedule: '30 2 * * *', tz: 'Europe/Berlin' });
      await request(app).get(`/api/v1/ping/${tokenOf(m.pingUrl)}`).expect(200);
      expect((await api.status(key, m.monitorId)).body.nextDue).toBe('2026-03-29T01:00:00.000Z');
    });

    test.each([
      ['a zone with a numeric schedule', { schedule: 3600, tz: 'UTC' }, /^tz applies to cron schedules only/],
      ['an unknown zone', { schedule: '0 2 * * *', tz: 'Moon/Base' }, /^tz must be an IANA time zone/],
      ['a zone that is not a string', { schedule: '0 2 * * *', tz: 1 }, /^tz must be an IANA time zone/],
      ['a six-field expression', { schedule: '*/5 * * * * *' }, /^schedule must be a 5-field cron expression/],
      ['an invalid expression', { schedule: '0 25 * * *' }, /^schedule is not a valid cron expression/],
      ['an expression that never fires', { schedule: '0 0 31 2 *' }, /^schedule never fires/],
      ['a schedule of the wrong type', { schedule: true }, /^schedule must be a number of seconds or a 5-field cron expression/],
    ])('refuse %s with 400 naming the field, creating nothing', async (_what, body, message) => {
      const key = await api.signup();
      const res = await request(app).post('/api/v1/monitors').set('x-api-key', key).send({ name: 'x', ...body }).expect(400);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(res.body.error).toMatch(message);
      expect((await request(app).get('/api/v1/monitors').set('x-api-key', key)).body.count).toBe(0);
    });

    test('a numeric monitor’s answers carry no tz', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      expect(m).not.toHaveProperty('tz');
      expect((await api.status(key, m.monitorId)).body).not.toHaveProperty('tz');
    });
  });

  describe('signals', () => {
    async function pinged(key: string, body: Record<string, unknown> = {}) {
      const m = await api.createMonitor(key, { schedule: 3600, grace: 600, ...body });
      const token = tokenOf(m.pingUrl);
      await request(app).get(`/api/v1/ping/${token}`).expect(200);
      return { ...m, token };
    }
    const pingsOf = (id: string) => store.listPings(id, 10);

    test.each(['get', 'post', 'head'] as const)('/start by %s is recorded and keeps the monitor up', async (method) => {
      const key = await api.signup();
      const m = await pinged(key);
      clock.advance(5);
      await request(app)[method](`/api/v1/ping/${m.token}/start?rid=run-1`).expect(200);
      const [p] = await pingsOf(m.monitorId);
      expect(p).toMatchObject({ kind: 'start', rid: 'run-1', method: method.toUpperCase() });
      expect((await api.status(key, m.monitorId)).body).toMatchObject({ status: 'up', lastStart: clock.now().toISOString(), pingCount: 2 });
    });

    test('start then success records the run duration in seconds with millisecond precision', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      await request(app).post(`/api/v1/ping/${m.token}/start`).expect(200);
      clock.advance(12.345);
      await request(app).post(`/api/v1/ping/${m.token}`).expect(200);
      expect((await api.status(key, m.monitorId)).body.lastDuration).toBe(12.345);
      expect((await pingsOf(m.monitorId))[0]).toMatchObject({ kind: 'success', duration: 12_345 });
    });

    test('overlapping runs are paired by rid', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      await request(app).get(`/api/v1/ping/${m.token}/start?rid=a`).expect(200);
      clock.advance(10);
      await request(app).get(`/api/v1/ping/${m.token}/start?rid=b`).expect(200);
      clock.advance(5);
      await request(app).get(`/api/v1/ping/${m.token}/0?rid=a`).expect(200);
      expect((await api.status(key, m.monitorId)).body.lastDuration).toBe(15);
      clock.advance(20);
      await request(app).get(`/api/v1/ping/${m.token}/0?rid=b`).expect(200);
      expect((await api.status(key, m.monitorId)).body.lastDuration).toBe(25);
    });

    test('a start with no end past grace turns the monitor down, saying so', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      await request(app).get(`/api/v1/ping/${m.token}/start`).expect(200);
      clock.advance(599);
      await sweepDueMonitors({ store, log: silentLogger }, clock.now());
      expect((await api.status(key, m.monitorId)).body.status).toBe('up');
      clock.advance(1);
      expect(await sweepDueMonitors({ store, log: silentLogger }, clock.now())).toMatchObject({ due: 1, flipped: 1 });
      expect((await api.status(key, m.monitorId)).body.status).toBe('down');
      expect((await store.listFlips(m.monitorId)).pop()).toMatchObject({ to: 'down', reason: 'started but never finished' });
      expect((await store.listNotifications(m.monitorId)).map((n) => [n.event, n.snapshot.reason])).toEqual([['monitor.down', 'started but never finished']]);
    });

    test.each([
      ['fail', 'failed', null],
      ['3', 'exit code 3', 3],
      ['255', 'exit code 255', 255],
    ])('/%s turns the monitor down at once with an alert', async (signal, reason, exitCode) => {
      const key = await api.signup();
      const m = await pinged(key);
      const res = await request(app).post(`/api/v1/ping/${m.token}/${signal}`).send('line 1\nerror: boom\n').expect(200);
      expect(res.body).toEqual({ ok: true, monitor: 'Nightly DB Backup', status: 'down' });
      expect((await pingsOf(m.monitorId))[0]).toMatchObject({ kind: 'fail', exitCode });
      expect((await store.listFlips(m.monitorId)).pop()).toMatchObject({ to: 'down', reason });
      const [n] = await store.listNotifications(m.monitorId);
      expect(n).toMatchObject({ event: 'monitor.down', snapshot: { reason, output: 'line 1\nerror: boom' } });
    });

    test('/0 after a failure brings the monitor up with a recovery', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      await request(app).get(`/api/v1/ping/${m.token}/1`).expect(200);
      clock.advance(60);
      const res = await request(app).get(`/api/v1/ping/${m.token}/0`).expect(200);
      expect(res.body.status).toBe('up');
      expect((await store.listNotifications(m.monitorId)).map((n) => n.event)).toEqual(['monitor.down', 'monitor.up']);
      expect((await pingsOf(m.monitorId))[0]).toMatchObject({ kind: 'success', exitCode: 0 });
    });

    test.each(['256', '-1', '1.5', '0x1', '007a', 'finish', '1000'])('/%s is 400 and records nothing', async (signal) => {
      const key = await api.signup();
      const m = await pinged(key);
      const res = await request(app).get(`/api/v1/ping/${m.token}/${signal}`).expect(400);
      expect(res.body).toEqual({ error: 'Unknown signal: use /start, /fail or an exit code from 0 to 255.' });
      expect(await pingsOf(m.monitorId)).toHaveLength(1);
    });

    test('a rid over 64 characters is 400 and records nothing', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      await request(app).get(`/api/v1/ping/${m.token}/start?rid=${'x'.repeat(65)}`).expect(400);
      await request(app).get(`/api/v1/ping/${m.token}/start?rid=a&rid=b`).expect(400);
      await request(app).get(`/api/v1/ping/${m.token}/start?rid=${'x'.repeat(64)}`).expect(200);
      expect(await pingsOf(m.monitorId)).toHaveLength(2);
    });

    test('an empty rid counts as none, so a job with an unset variable still reports', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      await request(app).get(`/api/v1/ping/${m.token}/start?rid=`).expect(200);
      expect((await pingsOf(m.monitorId))[0]).toMatchObject({ kind: 'start', rid: null });
    });

    test('an unknown token on a signal is 404', async () => {
      await request(app).get('/api/v1/ping/AAAAAAAAAAAAAAAAAAAAAAAA/start').expect(404);
    });

    test('signals answer other methods with 405', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      const res = await request(app).delete(`/api/v1/ping/${m.token}/start`).expect(405);
      expect(res.headers.allow).toBe('GET, POST, HEAD');
    });

    test('signals answer any origin and their preflight, like the plain ping URL', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      const res = await request(app).post(`/api/v1/ping/${m.token}/3`).set('Origin', 'https://jobs.example.org').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const pre = await request(app).options(`/api/v1/ping/${m.token}/start`).set('Origin', 'https://jobs.example.org').expect(204);
      expect(pre.headers['access-control-allow-methods']).toBe('GET, HEAD, POST');
    });

    test('signals work at the function’s own URL without the /api prefix', async () => {
      const key = await api.signup();
      const m = await pinged(key);
      await request(app).get(`/v1/ping/${m.token}/start`).expect(200);
    });
  });

  describe('errors', () => {
    test('an unknown route is a JSON 404', async () => {
      const res = await request(app).get('/api/v2/anything').expect(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toEqual({ error: 'No route for GET /api/v2/anything.' });
    });

    test('responses never carry a stack trace or framework banner', async () => {
      const res = await request(app).post('/api/v1/monitors').set('x-api-key', await api.signup()).set('Content-Type', 'application/json').send('{oops');
      expect(res.status).toBe(400);
      expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });
});
