import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { runCheck } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import type { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient, pingPath } from '../support/http-client';
import { storeKinds } from '../support/stores';
import request from 'supertest';

const TEN_MINUTES = 600;

describe.each(storeKinds())('reminders and acknowledgement through the API on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: Express;
  let clock: FakeClock;
  let api: ApiClient;
  let check: () => Promise<unknown>;

  beforeEach(async () => {
    store = await kind.open();
    const deps = testDeps(store);
    clock = deps.fakeClock;
    app = createApp(deps);
    api = new ApiClient(app);
    check = () => runCheck(deps, { budgetMs: 10_000 });
  });
  afterEach(async () => {
    await store.close();
  });

  /** A monitor with reminders every ten minutes that has just failed: down since now. */
  async function downMonitor(key: string, settings: Record<string, unknown> = {}) {
    const created = await api.createMonitor(key, { remindEvery: TEN_MINUTES, ...settings });
    await request(app).get(pingPath(created.pingUrl, 'fail')).expect(200);
    return created.monitorId;
  }
  const reminders = async (id: string) =>
    (await store.listNotifications(id)).filter((n) => n.event === 'monitor.still_down').map((n) => n.snapshot.reminder?.number);

  test('a new monitor has reminders off, and its status says where its reminders stand', async () => {
    const key = await api.signup();
    const { monitorId } = await api.createMonitor(key);
    const res = await api.status(key, monitorId).expect(200);
    expect(res.body).toMatchObject({ remindEvery: null, remindLimit: null, downSince: null, acknowledged: false, remindersSent: 0, nextReminderAt: null });
  });

  test('remindEvery and remindLimit are set at creation and changed or removed with PATCH', async () => {
    const key = await api.signup();
    const { monitorId } = await api.createMonitor(key, { remindEvery: 3600, remindLimit: 5 });
    expect((await api.status(key, monitorId).expect(200)).body).toMatchObject({ remindEvery: 3600, remindLimit: 5 });
    const edited = await api.editMonitor(key, monitorId, { remindEvery: 120, remindLimit: null }).expect(200);
    expect(edited.body).toMatchObject({ remindEvery: 120, remindLimit: null });
    expect((await api.editMonitor(key, monitorId, { remindEvery: null }).expect(200)).body.remindEvery).toBeNull();
  });

  test.each([
    [{ remindEvery: 59 }, 'remindEvery must be at least 60 seconds'],
    [{ remindEvery: 2_592_001 }, 'remindEvery must be at most 2592000 seconds'],
    [{ remindEvery: 90.5 }, 'remindEvery must be a whole number from 60 to 2592000 seconds'],
    [{ remindLimit: 0 }, 'remindLimit must be at least 1'],
    [{ remindLimit: 1001 }, 'remindLimit must be at most 1000'],
  ])('%j is refused with 400', async (settings, message) => {
    const key = await api.signup();
    const res = await api.createMonitorRequest(key, settings).expect(400);
    expect(res.body.error).toContain(message);
  });

  test('a down monitor reminds every remindEvery until its limit, and its status counts them', async () => {
    const key = await api.signup();
    const id = await downMonitor(key, { remindLimit: 2 });
    const downAt = clock.now();
    expect((await api.status(key, id).expect(200)).body).toMatchObject({
      status: 'down',
      downSince: downAt.toISOString(),
      nextReminderAt: new Date(downAt.getTime() + TEN_MINUTES * 1000).toISOString(),
    });
    clock.advance(TEN_MINUTES - 1);
    await check();
    expect(await reminders(id)).toEqual([]);
    clock.advance(1);
    await check();
    expect(await reminders(id)).toEqual([1]);
    clock.advance(TEN_MINUTES);
    await check();
    clock.advance(TEN_MINUTES);
    await check();
    expect(await reminders(id)).toEqual([1, 2]);
    expect((await api.status(key, id).expect(200)).body).toMatchObject({ status: 'down', remindersSent: 2, nextReminderAt: null, acknowledged: false });
  });

  test('acknowledging stops the reminders until the outage ends; the next outage reminds again', async () => {
    const key = await api.signup();
    const id = await downMonitor(key);
    clock.advance(TEN_MINUTES);
    await check();
    const acked = await api.acknowledge(key, id).expect(200);
    expect(acked.body).toMatchObject({ status: 'down', acknowledged: true, remindersSent: 1, nextReminderAt: null });
    clock.advance(3 * TEN_MINUTES);
    await check();
    expect(await reminders(id)).toEqual([1]);

    const { pingUrl } = (await api.status(key, id).expect(200)).body as { pingUrl: string };
    await request(app).get(pingPath(pingUrl)).expect(200);
    expect((await api.status(key, id).expect(200)).body).toMatchObject({ status: 'up', acknowledged: false, downSince: null });
    await request(app).get(pingPath(pingUrl, 'fail')).expect(200);
    clock.advance(TEN_MINUTES);
    await check();
    expect(await reminders(id)).toEqual([1, 1]);
  });

  test('a monitor that is not down cannot be acknowledged: 409', async () => {
    const key = await api.signup();
    const { monitorId } = await api.createMonitor(key, { remindEvery: TEN_MINUTES });
    const res = await api.acknowledge(key, monitorId).expect(409);
    expect(res.body).toEqual({ error: 'This monitor is not down: only an outage can be acknowledged.' });
  });

  test("someone else's monitor answers 403 and an unknown one 404", async () => {
    const owner = await api.signup();
    const id = await downMonitor(owner);
    await api.acknowledge(await api.signup(), id).expect(403);
    await api.acknowledge(owner, '0123456789abcdef').expect(404);
    expect((await api.status(owner, id).expect(200)).body.acknowledged).toBe(false);
  });

  test('pausing a down monitor ends its reminders', async () => {
    const key = await api.signup();
    const id = await downMonitor(key);
    await api.pause(key, id).expect(200);
    clock.advance(3 * TEN_MINUTES);
    await check();
    expect(await reminders(id)).toEqual([]);
  });

  test("PATCH /account sets the default remindEvery that new monitors take; existing monitors keep theirs", async () => {
    const key = await api.signup();
    const before = await api.createMonitor(key);
    const res = await request(app).patch('/api/v1/account').set('x-api-key', key).send({ defaults: { remindEvery: 3600 } }).expect(200);
    expect(res.body.defaults).toEqual({ remindEvery: 3600 });
    expect((await request(app).get('/api/v1/account').set('x-api-key', key).expect(200)).body.defaults).toEqual({ remindEvery: 3600 });

    const after = await api.createMonitor(key);
    const own = await api.createMonitor(key, { remindEvery: 120 });
    expect((await api.status(key, after.monitorId).expect(200)).body.remindEvery).toBe(3600);
    expect((await api.status(key, own.monitorId).expect(200)).body.remindEvery).toBe(120);
    expect((await api.status(key, before.monitorId).expect(200)).body.remindEvery).toBeNull();

    await request(app).patch('/api/v1/account').set('x-api-key', key).send({ defaults: { remindEvery: null } }).expect(200);
    expect((await api.status(key, (await api.createMonitor(key)).monitorId).expect(200)).body.remindEvery).toBeNull();
  });

  test.each([
    [{ defaults: { remindEvery: 30 } }, 'defaults.remindEvery must be at least 60 seconds'],
    [{ defaults: { remindEvery: 120, remindLimit: 3 } }, 'Unknown field remindLimit'],
    [{ defaults: { remindEvery: 120 }, plan: 'pro' }, 'Unknown field plan'],
  ])('PATCH /account refuses %j with 400', async (body, message) => {
    const key = await api.signup();
    const res = await request(app).patch('/api/v1/account').set('x-api-key', key).send(body).expect(400);
    expect(res.body.error).toContain(message);
  });

  test('turning reminders on for a monitor already down schedules the first from the outage start', async () => {
    const key = await api.signup();
    const id = await downMonitor(key, { remindEvery: undefined });
    const downAt = clock.now();
    clock.advance(60);
    const res = await api.editMonitor(key, id, { remindEvery: 3600 }).expect(200);
    expect(res.body.nextReminderAt).toBe(new Date(downAt.getTime() + 3600_000).toISOString());
  });
});
