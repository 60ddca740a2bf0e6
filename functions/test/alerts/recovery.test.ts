import { transition } from '../../src/domain/transitions';
import { runCheck } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, missDeadline, newMonitor, notificationOf, ping } from './support/world';

describe.each(storeKinds())('recovery and quiet flips on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  const events = () => target.requests.map((r) => JSON.parse(r.body).event as string);

  test('a ping after an outage delivers monitor.up on every channel', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await missDeadline(deps, m);
    deps.fakeClock.advance(600);
    const recoveredAt = deps.clock();
    await ping(deps, m);
    await runCheck(deps, { budgetMs: 10_000 });

    expect(events()).toEqual(['monitor.down', 'monitor.up']);
    expect(JSON.parse(target.requests[1].body)).toMatchObject({ occurredAt: recoveredAt.toISOString(), monitor: { status: 'up' } });
    expect(await notificationOf(store, m, 'webhook', 'monitor.up')).toMatchObject({ state: 'delivered' });
    expect(await notificationOf(store, m, 'email', 'monitor.up')).toMatchObject({ state: 'logged' });
  });

  test('the first ping of a new monitor alerts nobody', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await runCheck(deps, { budgetMs: 10_000 });
    expect((await store.listFlips(m.id)).map((f) => `${f.from}->${f.to}`)).toEqual(['new->up']);
    expect(await store.listNotifications(m.id)).toEqual([]);
    expect(target.requests).toHaveLength(0);
  });

  test('pausing and resuming alerts nobody', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await store.updateMonitor(m.id, (cur) => transition(cur, 'pause', deps.clock(), { manualResume: true }));
    await ping(deps, m);
    deps.fakeClock.advance(60);
    await store.updateMonitor(m.id, (cur) => transition(cur, 'resume', deps.clock()));
    await runCheck(deps, { budgetMs: 10_000 });
    expect((await store.listFlips(m.id)).map((f) => `${f.from}->${f.to}`)).toEqual(['new->up', 'up->paused', 'paused->up']);
    expect(await store.listNotifications(m.id)).toEqual([]);
    expect(target.requests).toHaveLength(0);
  });

  test('pausing a down monitor and resuming it alerts nobody', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await missDeadline(deps, m);
    await store.updateMonitor(m.id, (cur) => transition(cur, 'pause', deps.clock()));
    deps.fakeClock.advance(60);
    await store.updateMonitor(m.id, (cur) => transition(cur, 'resume', deps.clock()));
    await runCheck(deps, { budgetMs: 10_000 });
    expect(events()).toEqual(['monitor.down']);
    expect((await store.listNotifications(m.id)).map((n) => n.event)).toEqual(['monitor.down', 'monitor.down']);
  });

  test('going down sets lastAlert to the moment of the outage', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps);
    await ping(deps, m);
    expect((await store.getMonitor(m.id))?.lastAlertAt).toBeNull();
    await missDeadline(deps, m);
    expect(await store.getMonitor(m.id)).toMatchObject({ status: 'down', lastAlertAt: deps.clock() });
  });

  test('a recovery leaves lastAlert at the outage', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps);
    await ping(deps, m);
    await missDeadline(deps, m);
    const downAt = deps.clock();
    deps.fakeClock.advance(600);
    await ping(deps, m);
    expect(await store.getMonitor(m.id)).toMatchObject({ status: 'up', lastAlertAt: downAt });
  });
});
