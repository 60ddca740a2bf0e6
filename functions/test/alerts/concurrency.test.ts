import { runCheck, sweepDueMonitors } from '../../src/services/checker';
import { deliverDueNotifications } from '../../src/services/delivery';
import type { Monitor } from '../../src/domain/types';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, dueWebhookMonitors, newMonitor, notificationOf, ping, type AlertDeps } from './support/world';

const MONITORS = 4;

/** Overlapping checker runs (two instances of the scheduled function, or a slow timer) must not double anything. */
describe.each(storeKinds())('concurrent checker runs on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
    // A slow target keeps both runs in flight at once.
    target.answer(() => ({ status: 200, delayMs: 50 }));
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  const dueMonitors = (deps: AlertDeps) => dueWebhookMonitors(deps, MONITORS, target.origin);

  async function expectOneOutageEach(monitors: Monitor[]) {
    for (const m of monitors) {
      expect((await store.listFlips(m.id)).filter((f) => f.to === 'down')).toHaveLength(1);
      const rows = await store.listNotifications(m.id);
      expect(rows.map((n) => `${n.channel}:${n.event}`).sort()).toEqual(['email:monitor.down', 'webhook:monitor.down']);
    }
  }

  test('two checker runs at once flip each due monitor once and make one notification per channel', async () => {
    const deps = alertDeps(store);
    const monitors = await dueMonitors(deps);
    const reports = await Promise.all([runCheck(deps, { budgetMs: 10_000 }), runCheck(deps, { budgetMs: 10_000 })]);
    expect(reports[0].flipped + reports[1].flipped).toBe(MONITORS);
    await expectOneOutageEach(monitors);
  });

  test('two checker runs at once post each webhook once', async () => {
    const deps = alertDeps(store);
    await dueMonitors(deps);
    await Promise.all([runCheck(deps, { budgetMs: 10_000 }), runCheck(deps, { budgetMs: 10_000 })]);
    expect(target.requests.map((r) => r.path).sort()).toEqual(Array.from({ length: MONITORS }, (_, i) => `/hook/${i}`));
  });

  test('two sweeps at once flip each due monitor once', async () => {
    const deps = alertDeps(store);
    const monitors = await dueMonitors(deps);
    const now = deps.clock();
    const passes = await Promise.all([sweepDueMonitors(deps, now), sweepDueMonitors(deps, now)]);
    expect(passes[0].flipped + passes[1].flipped).toBe(MONITORS);
    await expectOneOutageEach(monitors);
  });

  test('two deliveries at once send each notification exactly once', async () => {
    const deps = alertDeps(store);
    const monitors = await dueMonitors(deps);
    await sweepDueMonitors(deps, deps.clock());
    const reports = await Promise.all([deliverDueNotifications(deps, deps.clock()), deliverDueNotifications(deps, deps.clock())]);

    expect(reports[0].attempted + reports[1].attempted).toBe(2 * MONITORS);
    const perDelivery = new Map<string, number>();
    for (const r of target.requests) {
      const id = r.headers['x-cronpeek-delivery'] as string;
      perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    }
    expect(perDelivery.size).toBe(MONITORS);
    expect([...perDelivery.values()].every((count) => count === 1)).toBe(true);
    const emailIds = (await Promise.all(monitors.map((m) => store.listNotifications(m.id)))).flat().filter((n) => n.channel === 'email').map((n) => n.id);
    const loggedEmails = deps.lines.filter((l) => emailIds.includes(l.fields.notification as string) && l.fields.to !== undefined);
    expect(loggedEmails).toHaveLength(MONITORS);
  });

  test('a claim\'s lease runs from when it is claimed, so a slow batch cannot have its rows taken over mid-send', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    deps.fakeClock.advance(m.schedule + m.grace);
    await sweepDueMonitors(deps, deps.clock());
    const foundAt = deps.clock();
    // Two minutes pass between finding the batch and claiming this row (slow sends ahead of it).
    deps.fakeClock.advance(120);
    target.answer(() => ({ status: 200, delayMs: 100 }));

    const slow = deliverDueNotifications(deps, foundAt);
    await target.waitForRequests(1);
    await deliverDueNotifications(deps, deps.clock());
    await slow;
    expect(target.requests).toHaveLength(1);
    expect(await notificationOf(store, m, 'webhook')).toMatchObject({ state: 'delivered', attempts: 1 });
  });
});
