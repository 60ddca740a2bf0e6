import { MAX_ATTEMPTS } from '../../src/domain/alerts';
import { runCheck } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, missDeadline, newMonitor, notificationOf, ping } from './support/world';

describe.each(storeKinds())('retry schedule on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
    target.answer(() => ({ status: 503 }));
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  test('a target that keeps failing is retried with exponential backoff for over an hour, then failed', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await missDeadline(deps, m);
    const firstAttemptAt = deps.clock().getTime();

    const gaps: number[] = [];
    for (let n = await notificationOf(store, m, 'webhook'); n.state === 'pending'; n = await notificationOf(store, m, 'webhook')) {
      if (n.nextAttemptAt === null || gaps.length > MAX_ATTEMPTS) throw new Error('a pending notification must have a next attempt');
      gaps.push((n.nextAttemptAt.getTime() - deps.clock().getTime()) / 1000);
      deps.fakeClock.set(n.nextAttemptAt.toISOString());
      await runCheck(deps, { budgetMs: 10_000 });
    }

    expect(gaps).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]);
    expect(deps.clock().getTime() - firstAttemptAt).toBeGreaterThan(3_600_000);
    expect(target.requests).toHaveLength(MAX_ATTEMPTS);
    expect(await notificationOf(store, m, 'webhook')).toMatchObject({
      state: 'failed',
      attempts: MAX_ATTEMPTS,
      nextAttemptAt: null,
      lastError: `gave up after ${MAX_ATTEMPTS} attempts: webhook answered 503`,
    });
  });

  test('a failed alert is not attempted again', async () => {
    const deps = alertDeps(store);
    target.answer(() => ({ status: 404 }));
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await missDeadline(deps, m);
    for (let hour = 0; hour < 8; hour++) {
      deps.fakeClock.advance(3600);
      await runCheck(deps, { budgetMs: 10_000 });
    }
    expect(target.requests).toHaveLength(1);
  });
});
