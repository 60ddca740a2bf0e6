import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import type { AlertChannel, Notification } from '../../src/domain/types';
import type { InspectableStore } from '../../src/store/inspection';
import type { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { makeChannel } from '../support/factories';
import { newChannelId } from '../../src/services/secrets';
import { ApiClient, type CreatedMonitor, signupPro } from '../support/http-client';
import { storeKinds } from '../support/stores';

/** Flips this far apart never count as flapping (more than 6 within 30 minutes would). */
const APART_S = 20 * 60;

/** The delivery logs: a monitor's alerts and a channel object's, newest first, paged like /pings. */
describe.each(storeKinds())('delivery logs over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: Express;
  let api: ApiClient;
  let clock: FakeClock;
  let key: string;
  let accountId: string;

  const proAccount = () => signupPro(api, store);

  async function channel(owner: string, overrides: Partial<AlertChannel> = {}): Promise<AlertChannel> {
    const c = makeChannel(owner, { kind: 'webhook', name: 'Ops hook', config: { url: 'https://hooks.example.com/cronpeek' }, events: ['down', 'up'], createdAt: clock.now(), ...overrides });
    expect(await store.createChannel(c, 100)).toBe('created');
    return c;
  }

  /** One outage and its recovery through the ping URL: a down and an up alert, each to every channel. */
  async function outage(m: CreatedMonitor): Promise<void> {
    clock.advance(APART_S);
    await api.ping(m.pingUrl, { signal: 'fail' }).expect(200);
    clock.advance(APART_S);
    await api.ping(m.pingUrl).expect(200);
  }

  const monitorLog = (k: string, id: string, query = '') => request(app).get(`/api/v1/monitors/${id}/notifications${query}`).set('x-api-key', k);
  const channelLog = (k: string, id: string, query = '') => request(app).get(`/api/v1/channels/${id}/notifications${query}`).set('x-api-key', k);

  /** Every entry of a log, page by page, with `between` run after each page. */
  async function readAll(get: (query: string) => request.Test, limit: number, between: () => Promise<void> = async () => {}) {
    const entries: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await get(`?limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`).expect(200);
      expect(res.body.notifications.length).toBeLessThanOrEqual(limit);
      entries.push(...res.body.notifications);
      cursor = res.body.nextCursor;
      await between();
    } while (cursor !== null);
    return entries;
  }

  /** Newest first: by creation time, then id (descending), as the store orders them. */
  const newestFirst = (rows: Notification[]) =>
    [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((n) => n.id);

  beforeEach(async () => {
    store = await kind.open();
    const deps = testDeps(store, { plan: 'pro' });
    clock = deps.fakeClock;
    app = createApp(deps);
    api = new ApiClient(app);
    ({ key, accountId } = await proAccount());
  });
  afterEach(async () => {
    await store.close();
  });

  test('a monitor\'s log lists its alerts newest first: its own fields\' (channelId null) and its channel objects\'', async () => {
    const hook = await channel(accountId);
    const m = await api.createMonitor(key, { channels: [hook.id] });
    await outage(m);
    const res = await monitorLog(key, m.monitorId).expect(200);
    expect(res.body.nextCursor).toBeNull();
    const rows = await store.listNotifications(m.monitorId);
    expect(rows).toHaveLength(4);
    expect(res.body.notifications.map((e: { notificationId: string }) => e.notificationId)).toEqual(newestFirst(rows));
    expect(res.body.notifications.map((e: Record<string, unknown>) => [e.event, e.channel, e.channelId])).toEqual(
      expect.arrayContaining([
        ['monitor.up', 'email', null],
        ['monitor.up', 'webhook', hook.id],
        ['monitor.down', 'email', null],
        ['monitor.down', 'webhook', hook.id],
      ]),
    );
    expect(res.body.notifications.slice(0, 2).map((e: { event: string }) => e.event)).toEqual(['monitor.up', 'monitor.up']);
  });

  test('an entry shows the row\'s delivery: state, attempts, error and times; a claimed row is pending', async () => {
    const m = await api.createMonitor(key);
    clock.advance(APART_S);
    await api.ping(m.pingUrl, { signal: 'fail' }).expect(200);
    const [row] = await store.listNotifications(m.monitorId);
    const leaseUntil = new Date(clock.now().getTime() + 60_000);
    expect(await store.claimNotification(row.id, clock.now(), leaseUntil)).not.toBeNull();
    const res = await monitorLog(key, m.monitorId).expect(200);
    expect(res.body.notifications).toEqual([
      {
        notificationId: row.id,
        monitorId: m.monitorId,
        channel: 'email',
        channelId: null,
        event: 'monitor.down',
        state: 'pending',
        attempts: 1,
        lastError: null,
        createdAt: row.createdAt.toISOString(),
        deliveredAt: null,
        nextAttemptAt: leaseUntil.toISOString(),
      },
    ]);
    expect(await store.recordDelivery(row.id, 1, { state: 'failed', nextAttemptAt: null, lastError: 'HTTP 404: no_service', deliveredAt: null })).toBe(true);
    expect((await monitorLog(key, m.monitorId).expect(200)).body.notifications[0]).toMatchObject({ state: 'failed', attempts: 1, lastError: 'HTTP 404: no_service', nextAttemptAt: null, deliveredAt: null });
  });

  test('a channel\'s log lists its alerts from every monitor and its test alerts (monitorId null), nothing else', async () => {
    const hook = await channel(accountId);
    const other = await channel(accountId);
    const a = await api.createMonitor(key, { channels: [hook.id, other.id] });
    const b = await api.createMonitor(key, { channels: [hook.id] });
    await outage(a);
    await outage(b);
    const at = new Date(clock.now().getTime() + 1000);
    const test: Notification = {
      id: `test_${hook.id}_1`,
      flipId: '',
      monitorId: '',
      accountId,
      channel: 'webhook',
      channelId: hook.id,
      event: 'channel.test',
      target: hook.id,
      createdAt: at,
      state: 'delivered',
      attempts: 1,
      nextAttemptAt: null,
      lastError: null,
      deliveredAt: at,
      snapshot: { monitorId: '', name: hook.name, schedule: 0, grace: 0, lastPingAt: null },
    };
    await store.insertNotification(test);

    const res = await channelLog(key, hook.id).expect(200);
    const rows = [...(await store.listNotifications(a.monitorId)), ...(await store.listNotifications(b.monitorId))].filter((n) => n.channelId === hook.id);
    expect(rows).toHaveLength(4);
    expect(res.body.notifications.map((e: { notificationId: string }) => e.notificationId)).toEqual([test.id, ...newestFirst(rows)]);
    expect(res.body.notifications[0]).toEqual({
      notificationId: test.id,
      monitorId: null,
      channel: 'webhook',
      channelId: hook.id,
      event: 'channel.test',
      state: 'delivered',
      attempts: 1,
      lastError: null,
      createdAt: at.toISOString(),
      deliveredAt: at.toISOString(),
      nextAttemptAt: null,
    });
    expect(res.body.notifications.every((e: { channelId: string }) => e.channelId === hook.id)).toBe(true);
    // The test alert is in the channel's log only, not in any monitor's.
    const aLog = await monitorLog(key, a.monitorId).expect(200);
    expect(aLog.body.notifications.map((e: { notificationId: string }) => e.notificationId)).not.toContain(test.id);
  });

  test.each([
    ['monitor', (k: string, id: string, q: string) => monitorLog(k, id, q)],
    ['channel', (k: string, id: string, q: string) => channelLog(k, id, q)],
  ] as const)('a %s log pages with no repeat and no skip while new alerts arrive', async (owner, log) => {
    const hook = await channel(accountId, { events: ['down', 'up'] });
    const m = await api.createMonitor(key, { channels: [hook.id] });
    for (let i = 0; i < 4; i++) await outage(m);
    const rowsOf = async () => (await store.listNotifications(m.monitorId)).filter((n) => owner === 'monitor' || n.channelId === hook.id);
    const before = newestFirst(await rowsOf());
    expect(before.length).toBeGreaterThanOrEqual(8);

    const id = owner === 'monitor' ? m.monitorId : hook.id;
    // After each page another outage queues new alerts, all newer than any page's cursor.
    const paged = await readAll((q) => log(key, id, q), 3, () => outage(m));
    expect(paged.map((e) => e.notificationId)).toEqual(before);

    // The new ones lead a fresh read.
    const after = newestFirst(await rowsOf());
    expect(after.length).toBeGreaterThan(before.length);
    expect((await readAll((q) => log(key, id, q), 100)).map((e) => e.notificationId)).toEqual(after);
  });

  test('the default page is 50 and limit reaches 100', async () => {
    const m = await api.createMonitor(key);
    for (let i = 0; i < 30; i++) await outage(m);
    const first = await monitorLog(key, m.monitorId).expect(200);
    expect(first.body.notifications).toHaveLength(50);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const all = await monitorLog(key, m.monitorId, '?limit=100').expect(200);
    expect(all.body.notifications).toHaveLength(60);
    expect(all.body.nextCursor).toBeNull();
  });

  test.each([
    ['?limit=0', 'limit must be a whole number from 1 to 100.'],
    ['?limit=101', 'limit must be a whole number from 1 to 100.'],
    ['?limit=ten', 'limit must be a whole number from 1 to 100.'],
    ['?cursor=nope!', 'cursor is not valid: pass the nextCursor of a previous page unchanged.'],
  ])('%s is refused with 400 on both logs', async (query, error) => {
    const hook = await channel(accountId);
    const m = await api.createMonitor(key);
    expect((await monitorLog(key, m.monitorId, query).expect(400)).body).toEqual({ error });
    expect((await channelLog(key, hook.id, query).expect(400)).body).toEqual({ error });
  });

  describe('whose log', () => {
    test('another account\'s monitor is 403 and an unknown one 404, as for its pings', async () => {
      const other = await proAccount();
      const theirs = await api.createMonitor(other.key);
      await outage(theirs);
      expect((await monitorLog(key, theirs.monitorId).expect(403)).body).toEqual({ error: 'This monitor belongs to another account.' });
      expect((await monitorLog(key, '0123456789abcdef').expect(404)).body).toEqual({ error: 'Monitor not found.' });
      await monitorLog(other.key, theirs.monitorId).expect(200);
    });

    test.each([
      ['another account\'s', async () => (await channel((await proAccount()).accountId)).id],
      ['an unknown', async () => newChannelId()],
      ['a malformed', async () => 'ch_NOPE'],
    ])('%s channel is 404, one answer for all', async (_what, idOf) => {
      const id = await idOf();
      expect((await channelLog(key, id).expect(404)).body).toEqual({ error: 'Channel not found.' });
    });

    test('no key is 401', async () => {
      const hook = await channel(accountId);
      await request(app).get(`/api/v1/channels/${hook.id}/notifications`).expect(401);
    });
  });
});
