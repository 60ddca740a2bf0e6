import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { InspectableStore } from '../../src/store/inspection';
import { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient, type CreatedMonitor } from '../support/http-client';
import { storeKinds } from '../support/stores';

/**
 * Monitor dependencies over HTTP (issue 21): `dependsOn` on create and PATCH, the rules it is
 * checked by (same account, no repeat, not itself, no cycle), the pruning when a parent is
 * deleted, and `suppressedBy` in the answers while a parent explains a child's outage.
 */
describe.each(storeKinds())('monitor dependencies over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let clock: FakeClock;
  let app: Express;
  let api: ApiClient;
  let key: string;

  beforeEach(async () => {
    store = await kind.open();
    clock = new FakeClock('2026-12-02T17:00:00.000Z');
    app = createApp(testDeps(store, { clock, plan: 'pro' }));
    api = new ApiClient(app);
    key = await api.signup();
  });
  afterEach(async () => {
    await store.close();
  });

  type Created = CreatedMonitor & { dependsOn: string[] };

  async function monitor(name: string, dependsOn?: unknown, owner = key): Promise<Created> {
    const body = dependsOn === undefined ? { name } : { name, dependsOn };
    return (await api.createMonitor(owner, body)) as Created;
  }

  const parentsOf = async (id: string) => (await store.getMonitor(id))!.dependsOn;
  const down = (m: CreatedMonitor) => api.ping(m.pingUrl, { signal: 'fail' }).expect(200);
  const up = (m: CreatedMonitor) => api.ping(m.pingUrl).expect(200);
  const suppressedBy = async (m: CreatedMonitor) => (await api.status(key, m.monitorId).expect(200)).body.suppressedBy;

  describe('on create', () => {
    test('the parents are kept in the order given and every answer shows them', async () => {
      const db = await monitor('db-host');
      const net = await monitor('network');
      const child = await monitor('backup', [net.monitorId, db.monitorId]);
      expect(child.dependsOn).toEqual([net.monitorId, db.monitorId]);
      expect(await parentsOf(child.monitorId)).toEqual([net.monitorId, db.monitorId]);
      expect((await api.status(key, child.monitorId)).body.dependsOn).toEqual([net.monitorId, db.monitorId]);
      const listed = (await api.listMonitors(key)).body.monitors.find((m: { monitorId: string }) => m.monitorId === child.monitorId);
      expect(listed.dependsOn).toEqual([net.monitorId, db.monitorId]);
    });

    test.each([
      ['left out', undefined],
      ['null', null],
      ['[]', []],
    ])('%s means no parents', async (_case, dependsOn) => {
      const m = await monitor('lonely', dependsOn);
      expect(m.dependsOn).toEqual([]);
      expect(await parentsOf(m.monitorId)).toEqual([]);
    });

    test('an id nobody has is refused with a 400 naming it, and nothing is created', async () => {
      const res = await api.createMonitorRequest(key, { name: 'child', dependsOn: ['0123456789abcdef'] }).expect(400);
      expect(res.body).toEqual({ error: 'dependsOn names 0123456789abcdef, which is not a monitor of this account.' });
      expect((await api.listMonitors(key)).body.count).toBe(0);
    });

    test('another account’s monitor is refused like one nobody has', async () => {
      const theirs = await monitor('their db', undefined, await api.signup());
      const res = await api.createMonitorRequest(key, { name: 'child', dependsOn: [theirs.monitorId] }).expect(400);
      expect(res.body).toEqual({ error: `dependsOn names ${theirs.monitorId}, which is not a monitor of this account.` });
      expect((await api.listMonitors(key)).body.count).toBe(0);
    });

    test.each([
      ['a repeated id', (p: string) => [p, p], (p: string) => `dependsOn lists ${p} twice.`],
      ['a malformed id', () => ['../etc/passwd'], () => 'dependsOn must list monitor ids (16 hex digits).'],
      ['a number', () => [5], () => 'dependsOn must list monitor ids (strings).'],
      ['a string instead of a list', (p: string) => p, () => 'dependsOn must be a list of at most 10 monitor ids.'],
      ['eleven ids', () => Array.from({ length: 11 }, (_, i) => i.toString(16).padStart(16, '0')), () => 'dependsOn must be a list of at most 10 monitor ids.'],
    ])('%s is refused with a 400', async (_case, list, message) => {
      const parent = await monitor('parent');
      const res = await api.createMonitorRequest(key, { name: 'child', dependsOn: list(parent.monitorId) }).expect(400);
      expect(res.body).toEqual({ error: message(parent.monitorId) });
      expect((await api.listMonitors(key)).body.count).toBe(1);
    });
  });

  describe('on PATCH', () => {
    test('a list replaces the parents; an edit leaving it out keeps them', async () => {
      const a = await monitor('a');
      const b = await monitor('b');
      const child = await monitor('child', [a.monitorId]);
      expect((await api.editMonitor(key, child.monitorId, { dependsOn: [b.monitorId, a.monitorId] }).expect(200)).body.dependsOn).toEqual([b.monitorId, a.monitorId]);
      expect((await api.editMonitor(key, child.monitorId, { name: 'renamed' }).expect(200)).body.dependsOn).toEqual([b.monitorId, a.monitorId]);
      expect(await parentsOf(child.monitorId)).toEqual([b.monitorId, a.monitorId]);
    });

    test.each([
      ['null', null],
      ['[]', []],
    ])('%s clears the parents', async (_case, dependsOn) => {
      const a = await monitor('a');
      const child = await monitor('child', [a.monitorId]);
      expect((await api.editMonitor(key, child.monitorId, { dependsOn }).expect(200)).body.dependsOn).toEqual([]);
      expect(await parentsOf(child.monitorId)).toEqual([]);
    });

    test('the monitor itself is refused', async () => {
      const m = await monitor('m');
      const res = await api.editMonitor(key, m.monitorId, { dependsOn: [m.monitorId] }).expect(400);
      expect(res.body).toEqual({ error: 'dependsOn must not include the monitor itself.' });
      expect(await parentsOf(m.monitorId)).toEqual([]);
    });

    test('a cycle of three is refused, naming the chain, and changes nothing', async () => {
      const a = await monitor('a');
      const b = await monitor('b', [a.monitorId]);
      const c = await monitor('c', [b.monitorId]);
      const res = await api.editMonitor(key, a.monitorId, { dependsOn: [c.monitorId] }).expect(400);
      expect(res.body).toEqual({ error: `dependsOn would make a cycle: ${a.monitorId} → ${c.monitorId} → ${b.monitorId} → ${a.monitorId}.` });
      expect(await parentsOf(a.monitorId)).toEqual([]);
    });

    test('a cycle of two is refused', async () => {
      const a = await monitor('a');
      const b = await monitor('b', [a.monitorId]);
      await api.editMonitor(key, a.monitorId, { dependsOn: [b.monitorId] }).expect(400);
    });

    test('another account’s monitor or an unknown one is refused, and changes nothing', async () => {
      const a = await monitor('a');
      const child = await monitor('child', [a.monitorId]);
      const theirs = await monitor('theirs', undefined, await api.signup());
      for (const id of [theirs.monitorId, 'fedcba9876543210']) {
        const res = await api.editMonitor(key, child.monitorId, { dependsOn: [id] }).expect(400);
        expect(res.body).toEqual({ error: `dependsOn names ${id}, which is not a monitor of this account.` });
      }
      expect(await parentsOf(child.monitorId)).toEqual([a.monitorId]);
    });
  });

  test('deleting a parent takes it out of its children’s lists, and nothing else changes', async () => {
    const a = await monitor('a');
    const b = await monitor('b');
    const child = await monitor('child', [a.monitorId, b.monitorId]);
    const other = await monitor('other', [b.monitorId]);
    const before = (await api.status(key, child.monitorId)).body;
    await request(app).delete(`/api/v1/monitors/${a.monitorId}`).set('x-api-key', key).expect(200);
    expect(await parentsOf(child.monitorId)).toEqual([b.monitorId]);
    expect(await parentsOf(other.monitorId)).toEqual([b.monitorId]);
    expect((await api.status(key, child.monitorId)).body).toEqual({ ...before, dependsOn: [b.monitorId] });
  });

  describe('suppressedBy', () => {
    test('names the parent while both are down, in every answer; null otherwise', async () => {
      const parent = await monitor('db-host');
      const child = await monitor('backup', [parent.monitorId]);
      await down(parent);
      // The child is up (well, new): nothing to explain.
      expect(await suppressedBy(child)).toBeNull();
      await down(child);
      const expected = { id: parent.monitorId, name: 'db-host' };
      expect(await suppressedBy(child)).toEqual(expected);
      expect((await api.monitor(key, child.monitorId)).body.suppressedBy).toEqual(expected);
      expect((await api.editMonitor(key, child.monitorId, { grace: 600 })).body.suppressedBy).toEqual(expected);
      const listed = (await api.listMonitors(key)).body.monitors as Array<{ monitorId: string; suppressedBy: unknown }>;
      expect(Object.fromEntries(listed.map((m) => [m.monitorId, m.suppressedBy]))).toEqual({ [child.monitorId]: expected, [parent.monitorId]: null });
      await up(parent);
      expect(await suppressedBy(child)).toBeNull();
    });

    test('a filtered list that leaves the parent out still names it', async () => {
      const parent = await monitor('db-host');
      const child = await monitor('backup', [parent.monitorId]);
      await down(parent);
      await down(child);
      const listed = (await request(app).get('/api/v1/monitors?q=backup').set('x-api-key', key).expect(200)).body.monitors;
      expect(listed.map((m: { suppressedBy: unknown }) => m.suppressedBy)).toEqual([{ id: parent.monitorId, name: 'db-host' }]);
    });

    test('names the first parent, in dependsOn order, that is down', async () => {
      const first = await monitor('first');
      const second = await monitor('second');
      const child = await monitor('child', [first.monitorId, second.monitorId]);
      await down(second);
      await down(child);
      expect(await suppressedBy(child)).toEqual({ id: second.monitorId, name: 'second' });
      await down(first);
      expect(await suppressedBy(child)).toEqual({ id: first.monitorId, name: 'first' });
    });

    test('a snoozed parent explains a down child while its snooze lasts', async () => {
      const parent = await monitor('db-host');
      const child = await monitor('backup', [parent.monitorId]);
      await up(parent);
      await request(app).post(`/api/v1/monitors/${parent.monitorId}/snooze`).set('x-api-key', key).send({ for: 600 }).expect(200);
      await down(child);
      expect(await suppressedBy(child)).toEqual({ id: parent.monitorId, name: 'db-host' });
      clock.advance(600);
      expect(await suppressedBy(child)).toBeNull();
    });

    test('a parent in a maintenance window explains a down child while the window is on', async () => {
      const parent = await monitor('db-host');
      const child = await monitor('backup', [parent.monitorId]);
      await up(parent);
      await request(app)
        .post('/api/v1/maintenance')
        .set('x-api-key', key)
        .send({ name: 'db upgrade', monitors: [parent.monitorId], start: '2026-12-02T17:00:00Z', end: '2026-12-02T18:00:00Z' })
        .expect(201);
      await down(child);
      expect(await suppressedBy(child)).toEqual({ id: parent.monitorId, name: 'db-host' });
      clock.set('2026-12-02T18:00:00Z');
      expect(await suppressedBy(child)).toBeNull();
    });
  });
});
