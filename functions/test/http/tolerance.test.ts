import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { ApiClient } from '../support/http-client';
import { storeKinds } from '../support/stores';

describe.each(storeKinds())('tolerance and run-time limits over HTTP on %s', (_name, kind) => {
  let store: Store;
  let app: Express;
  let api: ApiClient;
  let key: string;

  beforeEach(async () => {
    store = await kind.open();
    app = createApp(testDeps(store));
    api = new ApiClient(app);
    key = await api.signup();
  });
  afterEach(async () => {
    await store.close();
  });

  test('a new monitor alerts on the first failure and recovers on the first success, with no run-time limits', async () => {
    const created = await api.createMonitor(key);
    const status = await api.status(key, created.monitorId).expect(200);
    expect(status.body).toMatchObject({
      alertAfter: 1,
      recoverAfter: 1,
      maxRuntime: null,
      minRuntime: null,
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
    });
  });

  test('creation takes the settings and the status shows them', async () => {
    const created = await api.createMonitor(key, { alertAfter: 3, recoverAfter: 2, maxRuntime: 1800, minRuntime: 30 });
    const status = await api.status(key, created.monitorId).expect(200);
    expect(status.body).toMatchObject({ alertAfter: 3, recoverAfter: 2, maxRuntime: 1800, minRuntime: 30 });
  });

  test.each([
    [{ alertAfter: 0 }, 'alertAfter must be at least 1.'],
    [{ alertAfter: 101 }, 'alertAfter must be at most 100.'],
    [{ recoverAfter: 1.5 }, 'recoverAfter must be a whole number from 1 to 100.'],
    [{ maxRuntime: 0 }, 'maxRuntime must be at least 1 seconds.'],
    [{ minRuntime: '30' }, 'minRuntime must be a whole number from 1 to 31536000 seconds.'],
    [{ minRuntime: 60, maxRuntime: 60 }, 'minRuntime (60) must be less than maxRuntime (60).'],
  ])('creation refuses %j with 400', async (body, error) => {
    const res = await api.createMonitorRequest(key, body).expect(400);
    expect(res.body).toEqual({ error });
  });

  test('an edit changes them, null puts them back, and a minimum above the kept maximum is refused', async () => {
    const { monitorId } = await api.createMonitor(key, { maxRuntime: 600 });
    const edited = await api.editMonitor(key, monitorId, { alertAfter: 5, minRuntime: 10 }).expect(200);
    expect(edited.body).toMatchObject({ alertAfter: 5, recoverAfter: 1, maxRuntime: 600, minRuntime: 10 });
    const refused = await api.editMonitor(key, monitorId, { minRuntime: 600 }).expect(400);
    expect(refused.body).toEqual({ error: 'minRuntime (600) must be less than maxRuntime (600).' });
    // Removing the maximum lifts the bound on the minimum.
    await api.editMonitor(key, monitorId, { maxRuntime: null, minRuntime: 600 }).expect(200);
    const reset = await api.editMonitor(key, monitorId, { alertAfter: null, minRuntime: null }).expect(200);
    expect(reset.body).toMatchObject({ alertAfter: 1, maxRuntime: null, minRuntime: null });
  });

  test('with alertAfter 3 the third failed run in a row takes the monitor down, and the flip says so', async () => {
    const { monitorId, pingUrl } = await api.createMonitor(key, { alertAfter: 3 });
    await api.ping(pingUrl).expect(200);
    for (const n of [1, 2]) {
      await api.ping(pingUrl, { signal: 'fail' }).expect(200);
      const status = await api.status(key, monitorId).expect(200);
      expect(status.body).toMatchObject({ status: 'up', consecutiveFailures: n, consecutiveSuccesses: 0 });
    }
    await api.ping(pingUrl, { signal: '4' }).expect(200);
    const status = await api.status(key, monitorId).expect(200);
    expect(status.body).toMatchObject({ status: 'down', consecutiveFailures: 3 });
    const flips = await api.flips(key, monitorId).expect(200);
    expect(flips.body.flips[0]).toMatchObject({ from: 'up', to: 'down', reason: 'exit code 4 (3rd failure in a row)' });
  });

  test('with recoverAfter 2 a down monitor needs two successes in a row', async () => {
    const { monitorId, pingUrl } = await api.createMonitor(key, { recoverAfter: 2 });
    await api.ping(pingUrl).expect(200);
    await api.ping(pingUrl, { signal: 'fail' }).expect(200);
    await api.ping(pingUrl).expect(200);
    expect((await api.status(key, monitorId).expect(200)).body).toMatchObject({ status: 'down', consecutiveSuccesses: 1, consecutiveFailures: 0 });
    await api.ping(pingUrl, { signal: '0' }).expect(200);
    expect((await api.status(key, monitorId).expect(200)).body).toMatchObject({ status: 'up', consecutiveSuccesses: 2 });
  });
});
