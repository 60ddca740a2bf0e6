import { FAULT_RETRY_MS, runCheck, sweepDueMonitors } from '../../src/services/checker';
import { LEASE_MS } from '../../src/services/delivery';
import type { InspectableStore } from '../../src/store/inspection';
import type { Store } from '../../src/store/port';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, dueWebhookMonitors, notificationOf } from './support/world';

/**
 * The real store, except that `method` throws for the records `failFor` names: the unexpected
 * exception a bad row or a store fault raises, driven through the real checker.
 */
function failing(store: Store, method: 'updateMonitor' | 'claimNotification', failFor: Set<string>): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === method) {
        return (id: string, ...rest: unknown[]) => {
          if (failFor.has(id)) return Promise.reject(new Error(`unreadable record ${id}`));
          return (value as (...a: unknown[]) => unknown).call(target, id, ...rest);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

describe.each(storeKinds())('checker fault isolation on %s', (_name, kind) => {
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

  test('a monitor whose update throws is logged and set aside, and the other alerts still go out', async () => {
    const setup = alertDeps(store);
    const [a, bad, c] = await dueWebhookMonitors(setup, 3, target.origin);
    const broken = new Set([bad.id]);
    const deps = { ...setup, store: failing(store, 'updateMonitor', broken) };

    const report = await runCheck(deps, { budgetMs: 10_000 });

    expect(report).toMatchObject({ due: 3, flipped: 2, failed: 1 });
    expect(target.requests.map((r) => r.path).sort()).toEqual(['/hook/0', '/hook/2']);
    expect((await store.getMonitor(a.id))!.status).toBe('down');
    expect((await store.getMonitor(c.id))!.status).toBe('down');
    const setAside = await store.getMonitor(bad.id);
    expect(setAside).toMatchObject({ status: 'up', alertAt: new Date(deps.clock().getTime() + FAULT_RETRY_MS) });
    const line = setup.lines.find((l) => l.message === 'monitor check failed; set aside');
    expect(line).toMatchObject({ level: 'error', fields: { monitor: bad.id, error: `unreadable record ${bad.id}` } });
    expect(JSON.stringify(line)).not.toMatch(/\n\s+at /);

    // Until then the next runs leave it alone; once repaired, it is flipped and alerted.
    expect(await runCheck(deps, { budgetMs: 10_000 })).toMatchObject({ due: 0, failed: 0 });
    broken.clear();
    deps.fakeClock.advance(FAULT_RETRY_MS / 1000);
    expect(await runCheck(deps, { budgetMs: 10_000 })).toMatchObject({ due: 1, flipped: 1, failed: 0 });
    expect(target.requests.map((r) => r.path).sort()).toEqual(['/hook/0', '/hook/1', '/hook/2']);
  });

  test('a notification whose claim throws is set aside, and the others are delivered', async () => {
    const setup = alertDeps(store);
    const monitors = await dueWebhookMonitors(setup, 3, target.origin);
    // Flip them all first, so their notifications exist, then break one notification's claim.
    expect((await sweepDueMonitors(setup, setup.clock())).flipped).toBe(3);
    const bad = await notificationOf(store, monitors[1], 'webhook');
    const broken = new Set([bad.id]);
    const deps = { ...setup, store: failing(store, 'claimNotification', broken) };

    const report = await runCheck(deps, { budgetMs: 10_000 });

    expect(report.delivery).toMatchObject({ attempted: 5, delivered: 2, logged: 3 });
    expect(target.requests.map((r) => r.path).sort()).toEqual(['/hook/0', '/hook/2']);
    expect(await store.getNotification(bad.id)).toMatchObject({
      state: 'pending',
      attempts: 0,
      nextAttemptAt: new Date(deps.clock().getTime() + LEASE_MS),
      lastError: `delivery step failed: unreadable record ${bad.id}`,
    });
    broken.clear();
    deps.fakeClock.advance(LEASE_MS / 1000);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(target.requests.map((r) => r.path).sort()).toEqual(['/hook/0', '/hook/1', '/hook/2']);
    expect(await store.getNotification(bad.id)).toMatchObject({ state: 'delivered', attempts: 1 });
  });
});
