import { MAX_ATTEMPTS } from '../../src/domain/alerts';
import { deliveryRecord } from '../../src/domain/delivery';
import { deliverDueNotifications, LEASE_MS } from '../../src/services/delivery';
import type { Monitor, Notification } from '../../src/domain/types';
import { sweepDueMonitors } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, newMonitor, notificationOf, ping, type AlertDeps } from './support/world';

/** A worker that claims a notification and then dies must not lose the alert, nor get to record late. */
describe.each(storeKinds())('abandoned delivery claims on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  let deps: AlertDeps;
  let monitor: Monitor;
  let abandoned: Notification;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
    deps = alertDeps(store);
    monitor = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, monitor);
    deps.fakeClock.advance(monitor.schedule + monitor.grace);
    await sweepDueMonitors(deps, deps.clock());
    const pending = await notificationOf(store, monitor, 'webhook');
    // The crashed worker: it claims, and is never heard from again.
    const now = deps.clock();
    const claimed = await store.claimNotification(pending.id, now, new Date(now.getTime() + LEASE_MS));
    if (claimed === null) throw new Error('the first claim must succeed');
    abandoned = claimed;
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  test('the claim counts an attempt and holds the row as processing until the lease ends', async () => {
    expect(abandoned).toMatchObject({ state: 'processing', attempts: 1, nextAttemptAt: new Date(deps.clock().getTime() + LEASE_MS) });
  });

  test('is not redelivered while its lease holds', async () => {
    deps.fakeClock.advance(LEASE_MS / 1000 - 1);
    const report = await deliverDueNotifications(deps, deps.clock());
    expect(target.requests).toHaveLength(0);
    expect(report.attempted).toBe(1); // the e-mail only
  });

  test('is delivered by a later run once its lease has passed', async () => {
    deps.fakeClock.advance(LEASE_MS / 1000 + 1);
    await deliverDueNotifications(deps, deps.clock());
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0].headers['x-cronpeek-delivery']).toBe(abandoned.id);
    expect(await store.getNotification(abandoned.id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  test('the stale claimer cannot record its late result over the redelivery', async () => {
    deps.fakeClock.advance(LEASE_MS / 1000 + 1);
    await deliverDueNotifications(deps, deps.clock());
    const late = deliveryRecord({ outcome: 'failed', error: 'webhook answered 410' }, abandoned.attempts, deps.clock());
    expect(await store.recordDelivery(abandoned.id, abandoned.attempts, late)).toBe(false);
    expect(await store.getNotification(abandoned.id)).toMatchObject({ state: 'delivered', attempts: 2, lastError: null });
  });

  test('the stale claimer cannot record while the row is claimed again', async () => {
    const now = deps.fakeClock.advance(LEASE_MS / 1000 + 1);
    const second = await store.claimNotification(abandoned.id, now, new Date(now.getTime() + LEASE_MS));
    expect(second).toMatchObject({ attempts: 2 });
    const late = deliveryRecord({ outcome: 'delivered' }, abandoned.attempts, now);
    expect(await store.recordDelivery(abandoned.id, abandoned.attempts, late)).toBe(false);
    expect(await store.recordDelivery(abandoned.id, 2, late)).toBe(true);
  });

  test('a notification whose claims keep being abandoned is given up after the last attempt', async () => {
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      const now = deps.fakeClock.advance(LEASE_MS / 1000);
      expect(await store.claimNotification(abandoned.id, now, new Date(now.getTime() + LEASE_MS))).toMatchObject({ attempts: attempt });
    }
    deps.fakeClock.advance(LEASE_MS / 1000);
    await deliverDueNotifications(deps, deps.clock());
    expect(target.requests).toHaveLength(0);
    expect(await store.getNotification(abandoned.id)).toMatchObject({
      state: 'failed',
      attempts: MAX_ATTEMPTS + 1,
      nextAttemptAt: null,
      lastError: `gave up after ${MAX_ATTEMPTS} attempts, some abandoned without a result`,
    });
  });
});
