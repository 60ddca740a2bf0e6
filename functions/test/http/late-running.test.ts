import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { runCheck } from '../../src/services/checker';
import type { Store } from '../../src/store/port';
import type { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient } from '../support/http-client';
import { storeKinds } from '../support/stores';

// Issue 23: `late` (past the expected time, within grace) and `running` (a run is open) on every
// monitor answer, derived from the stored monitor and the clock, never a status value.
const PERIOD = 300;
const GRACE = 120;

describe.each(storeKinds())('late and running on monitor answers on %s', (_name, kind) => {
  let store: Store;
  let app: Express;
  let api: ApiClient;
  let clock: FakeClock;
  let check: () => Promise<unknown>;
  let key: string;

  beforeEach(async () => {
    store = await kind.open();
    const deps = testDeps(store);
    clock = deps.fakeClock;
    app = createApp(deps);
    api = new ApiClient(app);
    check = () => runCheck(deps, { budgetMs: 10_000 });
    key = await api.signup();
  });
  afterEach(async () => {
    await store.close();
  });

  const flags = (body: Record<string, unknown>) => ({ status: body.status, late: body.late, running: body.running });
  const listed = async (monitorId: string) => {
    const res = await api.listMonitors(key).expect(200);
    return flags(res.body.monitors.find((m: { monitorId: string }) => m.monitorId === monitorId));
  };

  test('a new monitor is neither late nor running, in the create, list and status answers', async () => {
    const created = await api.createMonitorRequest(key, { schedule: PERIOD, grace: GRACE }).expect(201);
    expect(flags(created.body)).toEqual({ status: 'new', late: false, running: false });
    expect(await listed(created.body.monitorId)).toEqual({ status: 'new', late: false, running: false });
    clock.advance(PERIOD * 10);
    expect(flags((await api.status(key, created.body.monitorId).expect(200)).body)).toEqual({ status: 'new', late: false, running: false });
  });

  test('just before the expected time it is on time, just past it late, past grace down and no longer late', async () => {
    const { monitorId, pingUrl } = await api.createMonitor(key, { schedule: PERIOD, grace: GRACE });
    await api.ping(pingUrl).expect(200);
    clock.advance(PERIOD - 1);
    expect(flags((await api.status(key, monitorId).expect(200)).body)).toEqual({ status: 'up', late: false, running: false });
    clock.advance(2);
    expect(flags((await api.status(key, monitorId).expect(200)).body)).toEqual({ status: 'up', late: true, running: false });
    expect(await listed(monitorId)).toEqual({ status: 'up', late: true, running: false });
    // The other answers that show a monitor say so too.
    expect(flags((await api.editMonitor(key, monitorId, { name: 'renamed' }).expect(200)).body)).toMatchObject({ late: true });
    clock.advance(GRACE);
    await check();
    expect(flags((await api.status(key, monitorId).expect(200)).body)).toEqual({ status: 'down', late: false, running: false });
    // A ping brings it back on time.
    await api.ping(pingUrl).expect(200);
    expect(flags((await api.status(key, monitorId).expect(200)).body)).toEqual({ status: 'up', late: false, running: false });
  });

  test('a start ping makes it running until its end', async () => {
    const { monitorId, pingUrl } = await api.createMonitor(key, { schedule: PERIOD, grace: GRACE });
    await api.ping(pingUrl).expect(200);
    clock.advance(10);
    await api.ping(pingUrl, { signal: 'start' }).expect(200);
    expect(flags((await api.status(key, monitorId).expect(200)).body)).toEqual({ status: 'up', late: false, running: true });
    expect(await listed(monitorId)).toEqual({ status: 'up', late: false, running: true });
    clock.advance(30);
    await api.ping(pingUrl).expect(200);
    expect(flags((await api.status(key, monitorId).expect(200)).body)).toEqual({ status: 'up', late: false, running: false });
  });

  test('a paused monitor is never late, and pause, resume and acknowledge answers carry both fields', async () => {
    const { monitorId, pingUrl } = await api.createMonitor(key, { schedule: PERIOD, grace: GRACE });
    await api.ping(pingUrl).expect(200);
    clock.advance(PERIOD + 1);
    const paused = await api.pause(key, monitorId).expect(200);
    expect(flags(paused.body)).toEqual({ status: 'paused', late: false, running: false });
    const resumed = await api.resume(key, monitorId).expect(200);
    expect(flags(resumed.body)).toMatchObject({ late: false, running: false });
    await api.ping(pingUrl, { signal: 'fail' }).expect(200);
    const acknowledged = await api.acknowledge(key, monitorId).expect(200);
    expect(flags(acknowledged.body)).toEqual({ status: 'down', late: false, running: false });
  });
});
