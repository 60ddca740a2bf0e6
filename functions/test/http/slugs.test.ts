import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { InspectableStore } from '../../src/store/inspection';
import { changePlan } from '../../src/services/plans';
import type { Deps } from '../../src/services/context';
import { testDeps } from '../support/deps';
import { ApiClient } from '../support/http-client';
import { storeKinds } from '../support/stores';

const PING_KEY = /^pk_[0-9a-f]{32}$/;

/** Slugs, the account's ping key, pings by slug (with auto-create) and upsert by slug (issue 22). */
describe.each(storeKinds())('monitor slugs and pings by slug on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: Express;
  let api: ApiClient;
  let deps: Deps;
  let key: string;

  beforeEach(async () => {
    store = await kind.open();
    deps = testDeps(store);
    app = createApp(deps);
    api = new ApiClient(app);
    key = await api.signup();
  });
  afterEach(async () => {
    await store.close();
  });

  const pingKeyOf = async (k: string): Promise<string> => (await request(app).post('/api/v1/account/ping-key').set('x-api-key', k).expect(200)).body.pingKey as string;
  const upsert = (k: string, slug: string, body: Record<string, unknown>) => request(app).put(`/api/v1/monitors/by-slug/${slug}`).set('x-api-key', k).send(body);

  describe('slugs', () => {
    test('are optional, shown as null when unset, and set on create and PATCH', async () => {
      const plain = await api.createMonitor(key);
      expect(plain.slug).toBeNull();
      expect((await api.monitor(key, plain.monitorId).expect(200)).body.slug).toBeNull();
      const named = await api.createMonitor(key, { slug: 'db-backup' });
      expect(named.slug).toBe('db-backup');
      expect((await api.listMonitors(key).expect(200)).body.monitors.map((m: { slug: string | null }) => m.slug).sort()).toEqual(['db-backup', null]);
      const edited = await api.editMonitor(key, plain.monitorId, { slug: 'web_1' }).expect(200);
      expect(edited.body.slug).toBe('web_1');
      // Freed by a change, a slug can be taken by another monitor.
      await api.editMonitor(key, named.monitorId, { slug: 'db-backup-2', name: 'Renamed' }).expect(200);
      expect((await api.monitor(key, named.monitorId)).body).toMatchObject({ slug: 'db-backup-2', name: 'Renamed' });
      await api.editMonitor(key, plain.monitorId, { slug: 'db-backup' }).expect(200);
      await api.editMonitor(key, plain.monitorId, { slug: null }).expect(200);
      expect((await api.monitor(key, plain.monitorId)).body.slug).toBeNull();
    });

    test('a clash within the account is 409 on create and PATCH; other accounts may use the same slug', async () => {
      const first = await api.createMonitor(key, { slug: 'nightly' });
      const res = await api.createMonitorRequest(key, { slug: 'nightly' }).expect(409);
      expect(res.body.error).toMatch(/slug nightly/);
      const second = await api.createMonitor(key, { slug: 'other' });
      await api.editMonitor(key, second.monitorId, { slug: 'nightly', name: 'Not applied' }).expect(409);
      expect((await api.monitor(key, second.monitorId)).body).toMatchObject({ slug: 'other', name: second.name });
      await api.editMonitor(key, first.monitorId, { slug: 'nightly' }).expect(200);
      const stranger = await api.signup();
      await api.createMonitor(stranger, { slug: 'nightly' });
      expect((await api.listMonitors(key)).body.count).toBe(2);
    });

    test('deleting a monitor frees its slug', async () => {
      const m = await api.createMonitor(key, { slug: 'reused' });
      await request(app).delete(`/api/v1/monitors/${m.monitorId}`).set('x-api-key', key).expect(200);
      await api.createMonitor(key, { slug: 'reused' });
    });

    test.each([
      ['start', /signals/],
      ['fail', /signals/],
      ['snooze', /signals/],
      ['log', /signals/],
      ['123', /all digits/],
      ['Upper', /lower-case/],
      ['-lead', /starting with/],
      ['a'.repeat(101), /1 to 100/],
      ['sp ace', /lower-case/],
    ])('refuses the slug %s with 400', async (slug, message) => {
      const res = await api.createMonitorRequest(key, { slug }).expect(400);
      expect(res.body.error).toMatch(message);
    });

    test('ten concurrent creates of one slug make one monitor', async () => {
      const statuses = await Promise.all(Array.from({ length: 10 }, () => api.createMonitorRequest(key, { slug: 'race' }).then((r) => r.status)));
      expect(statuses.sort()).toEqual([201, ...Array(9).fill(409)]);
      expect((await api.listMonitors(key)).body.count).toBe(1);
    });
  });

  describe('the ping key', () => {
    test('is created and rotated by POST /account/ping-key, shown once, and GET /account says whether there is one', async () => {
      expect((await request(app).get('/api/v1/account').set('x-api-key', key).expect(200)).body.hasPingKey).toBe(false);
      const first = await pingKeyOf(key);
      expect(first).toMatch(PING_KEY);
      expect((await request(app).get('/api/v1/account').set('x-api-key', key).expect(200)).body.hasPingKey).toBe(true);
      await api.createMonitor(key, { slug: 'job' });
      await request(app).get(`/api/v1/ping/${first}/job`).expect(200);
      const second = await pingKeyOf(key);
      expect(second).not.toBe(first);
      // The old key stops working at once.
      expect((await request(app).get(`/api/v1/ping/${first}/job`).expect(404)).body).toEqual({ error: 'Unknown ping key.' });
      await request(app).get(`/api/v1/ping/${second}/job`).expect(200);
    });

    test('is refused to a read-only key', async () => {
      const reader = (await request(app).post('/api/v1/account/keys').set('x-api-key', key).send({ name: 'r', access: 'read' }).expect(201)).body.apiKey as string;
      await request(app).post('/api/v1/account/ping-key').set('x-api-key', reader).expect(403);
    });

    test('is kept as its hash only', async () => {
      const pingKey = await pingKeyOf(key);
      const account = await store.findAccountByPingKeyHash((await import('../../src/services/secrets')).hashSecret(pingKey));
      expect(account?.pingKeyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(account)).not.toContain(pingKey);
    });
  });

  describe('pings by slug', () => {
    let pingKey: string;
    beforeEach(async () => {
      pingKey = await pingKeyOf(key);
    });

    test('record a ping with the same methods, signals, rid and bodies as the monitor URL', async () => {
      const m = await api.createMonitor(key, { slug: 'backup' });
      const base = `/api/v1/ping/${pingKey}/backup`;
      expect((await request(app).get(base).expect(200)).body).toEqual({ ok: true, monitor: m.name, status: 'up' });
      await request(app).head(base).expect(200);
      await request(app).get(`${base}/start?rid=run-1`).expect(200);
      await request(app).post(`${base}/fail?rid=run-1`).set('Content-Type', 'text/plain').send('disk full').expect(200);
      await request(app).get(`${base}/0`).expect(200);
      await request(app).get(`${base}/bogus`).expect(400);
      await request(app).get(`${base}?rid=${'x'.repeat(65)}`).expect(400);
      const pings = (await request(app).get(`/api/v1/monitors/${m.monitorId}/pings`).set('x-api-key', key).expect(200)).body.pings as Array<{ kind: string; body: string | null; rid: string | null }>;
      expect(pings.map((p) => p.kind)).toEqual(['success', 'fail', 'start', 'success', 'success']);
      expect(pings[1]).toMatchObject({ body: 'disk full', rid: 'run-1' });
      const snoozed = await request(app).get(`${base}/snooze?for=600`).expect(200);
      expect(snoozed.body).toMatchObject({ ok: true, monitor: m.monitorId });
    });

    test('an unknown slug is 404 without create, an unknown ping key 404', async () => {
      const res = await request(app).get(`/api/v1/ping/${pingKey}/nope`).expect(404);
      expect(res.body.error).toMatch(/slug nope.*create=1/);
      await request(app).get(`/api/v1/ping/pk_${'0'.repeat(32)}/nope`).expect(404);
      await request(app).get(`/api/v1/ping/pk_${'0'.repeat(32)}/nope/start`).expect(404);
      expect((await api.listMonitors(key)).body.count).toBe(0);
    });

    test('?create=1 creates the monitor (201), named after its slug with create defaults; then 200', async () => {
      const first = await request(app).get(`/api/v1/ping/${pingKey}/fresh-job?create=1`).expect(201);
      expect(first.body).toEqual({ ok: true, monitor: 'fresh-job', status: 'up' });
      await request(app).get(`/api/v1/ping/${pingKey}/fresh-job?create=1`).expect(200);
      const [m] = (await api.listMonitors(key)).body.monitors;
      expect(m).toMatchObject({ name: 'fresh-job', slug: 'fresh-job', schedule: 86400, grace: 8640, pingCount: 2 });
    });

    test('?create=1 takes schedule (seconds or cron), tz and grace; a start signal may create too', async () => {
      await request(app).get(`/api/v1/ping/${pingKey}/every-5?create=1&schedule=300&grace=60`).expect(201);
      await request(app).get(`/api/v1/ping/${pingKey}/cron-job/start?create=1&schedule=${encodeURIComponent('30 2 * * *')}&tz=Europe/Berlin`).expect(201);
      const monitors = (await api.listMonitors(key)).body.monitors as Array<Record<string, unknown>>;
      expect(monitors.find((m) => m.slug === 'every-5')).toMatchObject({ schedule: 300, grace: 60 });
      expect(monitors.find((m) => m.slug === 'cron-job')).toMatchObject({ schedule: '30 2 * * *', tz: 'Europe/Berlin', running: true });
      await request(app).get(`/api/v1/ping/${pingKey}/bad-schedule?create=1&schedule=banana`).expect(400);
      await request(app).get(`/api/v1/ping/${pingKey}/start?create=1`).expect(400);
      expect((await api.listMonitors(key)).body.count).toBe(2);
    });

    test("?create=1 holds the plan's monitor limit", async () => {
      for (let i = 0; i < 5; i++) await api.createMonitor(key);
      const res = await request(app).get(`/api/v1/ping/${pingKey}/one-too-many?create=1`).expect(403);
      expect(res.body.error).toMatch(/limit/i);
    });

    test('ten concurrent first pings of one new slug create exactly one monitor and record all ten pings', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () => request(app).get(`/api/v1/ping/${pingKey}/stampede?create=1`)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      const { monitors, count } = (await api.listMonitors(key)).body;
      expect(count).toBe(1);
      expect(monitors[0]).toMatchObject({ slug: 'stampede', pingCount: 10 });
      const pings = (await request(app).get(`/api/v1/monitors/${monitors[0].monitorId}/pings`).set('x-api-key', key).expect(200)).body.pings;
      expect(pings).toHaveLength(10);
      expect((await request(app).get('/api/v1/account').set('x-api-key', key)).body.monitorsUsed).toBe(1);
    });
  });

  describe('upsert by slug', () => {
    const body = { name: 'Deploy job', schedule: 3600, grace: 300, tags: ['prod'], alertEmail: 'ops@example.com' };

    test('creates (201), then answers the same body with 200 and changes nothing', async () => {
      const created = await upsert(key, 'deploy', body).expect(201);
      expect(created.body).toMatchObject({ slug: 'deploy', name: 'Deploy job', schedule: 3600, grace: 300, tags: ['prod'], alertEmail: 'ops@example.com' });
      const before = await store.getMonitor(created.body.monitorId);
      const again = await upsert(key, 'deploy', body).expect(200);
      const third = await upsert(key, 'deploy', body).expect(200);
      expect(third.body).toEqual(again.body);
      expect(again.body).toEqual({ ...created.body });
      expect(await store.getMonitor(created.body.monitorId)).toEqual(before);
      expect((await api.listMonitors(key)).body.count).toBe(1);
    });

    test('updates what differs (200) and keeps the ping token', async () => {
      const created = await upsert(key, 'deploy', body).expect(201);
      const updated = await upsert(key, 'deploy', { ...body, schedule: 600, tags: ['prod', 'eu'] }).expect(200);
      expect(updated.body).toMatchObject({ monitorId: created.body.monitorId, schedule: 600, tags: ['prod', 'eu'], pingUrl: created.body.pingUrl });
      const cron = await upsert(key, 'deploy', { name: 'Deploy job', schedule: '0 * * * *', tz: 'Europe/Paris' }).expect(200);
      expect(cron.body).toMatchObject({ schedule: '0 * * * *', tz: 'Europe/Paris' });
      const same = await upsert(key, 'deploy', { name: 'Deploy job', schedule: '0 * * * *', tz: 'Europe/Paris' }).expect(200);
      expect(same.body).toEqual(cron.body);
    });

    test('refuses a bad slug or a body slug that is not the URL one; is a write a read-only key cannot make', async () => {
      await upsert(key, 'start', body).expect(400);
      await upsert(key, 'deploy', { ...body, slug: 'other' }).expect(400);
      await upsert(key, 'deploy', { name: 'x' }).expect(400);
      const reader = (await request(app).post('/api/v1/account/keys').set('x-api-key', key).send({ name: 'r', access: 'read' }).expect(201)).body.apiKey as string;
      await upsert(reader, 'deploy', body).expect(403);
      await upsert('cpk_' + '0'.repeat(32), 'deploy', body).expect(401);
    });

    test("holds the plan's monitor limit", async () => {
      for (let i = 0; i < 5; i++) await api.createMonitor(key);
      await upsert(key, 'deploy', body).expect(403);
      await changePlan(deps, { email: (await request(app).get('/api/v1/account').set('x-api-key', key)).body.email, plan: 'pro' });
      await upsert(key, 'deploy', body).expect(201);
    });

    test('ten concurrent upserts of one new slug make one monitor', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () => upsert(key, 'racing', body)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      expect((await api.listMonitors(key)).body.count).toBe(1);
    });
  });
});
