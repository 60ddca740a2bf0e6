import { transition } from '../../../src/domain/transitions';
import type { InspectableStore } from '../../../src/store/inspection';
import { makeAccount, makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, pingData, scenes, t0 } from './support';

/** The storage contract for transitions and the outbox: which monitors are due, the rows a flip writes, and notification delivery. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { withMonitor, upMonitor, pendingNotification } = scenes(() => store);

  describe('transitions and the outbox', () => {
    test('only monitors whose deadline has passed are due, earliest first', async () => {
      const a = await upMonitor({ schedule: 60, grace: 60 });
      const b = await upMonitor({ schedule: 60, grace: 50 });
      await upMonitor({ schedule: 3600, grace: 60 });
      await withMonitor();
      expect(await store.findDueMonitors(at(109), 10)).toEqual([]);
      expect(await store.findDueMonitors(at(120), 10)).toEqual([b.id, a.id]);
      expect(await store.findDueMonitors(at(120), 1)).toEqual([b.id]);
    });

    test('a missed deadline flips the monitor down with one notification per channel', async () => {
      const m = await upMonitor({ alertWebhook: 'https://hooks.example.com/a', webhookSecret: 'whsec_x' });
      const due = m.alertAt!;
      const applied = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
      expect(applied!.monitor).toMatchObject({ status: 'down', alertAt: null, lastAlertAt: due });
      expect(await store.getMonitor(m.id)).toEqual(applied!.monitor);
      const rows = await store.listNotifications(m.id);
      expect(rows.map((n) => [n.channel, n.event, n.state, n.attempts])).toEqual([
        ['email', 'monitor.down', 'pending', 0],
        ['webhook', 'monitor.down', 'pending', 0],
      ]);
      expect(rows[0].snapshot).toEqual({
        monitorId: m.id,
        name: m.name,
        schedule: m.schedule,
        grace: m.grace,
        lastPingAt: at(0),
        outageId: `${m.id}_${due.getTime()}_down`,
        cron: null, tz: null, reason: 'missed', output: null,
      });
      expect(await store.findDueMonitors(due, 10)).toEqual([]);
    });

    test('the adapter writes the outbox rows and ping expiry the transition carries, and decides none itself', async () => {
      const m = await upMonitor({ alertWebhook: 'https://hooks.example.com/a', webhookSecret: 'whsec_x' });
      const due = m.alertAt!;
      await store.updateMonitor(m.id, (mon) => {
        const t = transition(mon, 'deadline', due)!;
        return { ...t, notifications: t.notifications.filter((n) => n.channel === 'webhook') };
      });
      expect((await store.listNotifications(m.id)).map((n) => n.channel)).toEqual(['webhook']);
      const expiresAt = at(123);
      await store.recordPing(m.pingToken, pingData(at(100)), (mon) => ({ ...transition(mon, 'ping', at(100)), ping: { expiresAt, duration: null } }));
      expect((await store.listPings(m.id, 1))[0].expiresAt).toEqual(expiresAt);
    });

    test('a decision of "no change" writes nothing', async () => {
      const m = await upMonitor();
      const applied = await store.updateMonitor(m.id, () => null);
      expect(applied).toEqual({ monitor: m, transition: null });
      expect(await store.getMonitor(m.id)).toEqual(m);
    });

    test('updating an unknown monitor reports null', async () => {
      expect(await store.updateMonitor('0123456789abcdef', (mon) => transition(mon, 'pause', t0))).toBeNull();
    });

    test('postponing moves a due monitor forward, never back, and leaves a monitor without a deadline alone', async () => {
      const m = await upMonitor();
      const due = m.alertAt!;
      await store.postponeMonitor(m.id, new Date(due.getTime() + 300_000));
      expect(await store.findDueMonitors(due, 10)).toEqual([]);
      expect((await store.getMonitor(m.id))!.alertAt).toEqual(new Date(due.getTime() + 300_000));
      await store.postponeMonitor(m.id, due);
      expect((await store.getMonitor(m.id))!.alertAt).toEqual(new Date(due.getTime() + 300_000));
      const fresh = await withMonitor();
      await store.postponeMonitor(fresh.id, due);
      expect((await store.getMonitor(fresh.id))!.alertAt).toBeNull();
      await store.postponeMonitor('0123456789abcdef', due);
    });

    test('a ping after an outage records the recovery and its notification', async () => {
      const m = await upMonitor();
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', m.alertAt!));
      const back = at(10_000);
      const applied = await store.recordPing(m.pingToken, pingData(back), (mon) => transition(mon, 'ping', back));
      expect(applied!.monitor.status).toBe('up');
      expect((await store.listNotifications(m.id)).map((n) => n.event)).toEqual(['monitor.down', 'monitor.up']);
    });
  });

  describe('notification delivery', () => {
    test('a pending notification is due from its creation', async () => {
      const { n, due } = await pendingNotification();
      expect((await store.findDueNotifications(due, 10)).map((x) => x.id)).toEqual([n.id]);
      expect(await store.findDueNotifications(at(-1), 10)).toEqual([]);
    });

    test('a claim counts the attempt and holds a lease', async () => {
      const { n, due } = await pendingNotification();
      const lease = at(999_999);
      const claimed = await store.claimNotification(n.id, due, lease);
      expect(claimed).toMatchObject({ id: n.id, state: 'processing', attempts: 1, nextAttemptAt: lease });
      expect(await store.findDueNotifications(due, 10)).toEqual([]);
    });

    test('a lapsed lease can be claimed again, and the stale claimer cannot record', async () => {
      const { n, due } = await pendingNotification();
      const lease = new Date(due.getTime() + 60_000);
      await store.claimNotification(n.id, due, lease);
      expect(await store.claimNotification(n.id, new Date(lease.getTime() - 1), at(999_999))).toBeNull();
      const second = await store.claimNotification(n.id, lease, at(999_999));
      expect(second!.attempts).toBe(2);
      const record = { state: 'delivered' as const, nextAttemptAt: null, lastError: null, deliveredAt: lease };
      expect(await store.recordDelivery(n.id, 1, record)).toBe(false);
      expect(await store.recordDelivery(n.id, 2, record)).toBe(true);
      expect(await store.getNotification(n.id)).toMatchObject({ state: 'delivered', nextAttemptAt: null, deliveredAt: lease, attempts: 2 });
    });

    test('a retry is recorded with its error and becomes due again later', async () => {
      const { n, due } = await pendingNotification();
      await store.claimNotification(n.id, due, at(999_999));
      const retryAt = new Date(due.getTime() + 30_000);
      await store.recordDelivery(n.id, 1, { state: 'pending', nextAttemptAt: retryAt, lastError: 'webhook answered 500', deliveredAt: null });
      expect(await store.getNotification(n.id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'webhook answered 500' });
      expect(await store.findDueNotifications(due, 10)).toEqual([]);
      expect((await store.findDueNotifications(retryAt, 10)).map((x) => x.id)).toEqual([n.id]);
    });

    test('postponing moves a due notification forward with the reason, and leaves a final one alone', async () => {
      const { n, due } = await pendingNotification();
      const later = new Date(due.getTime() + 60_000);
      await store.postponeNotification(n.id, later, 'delivery step failed: boom');
      expect(await store.findDueNotifications(due, 10)).toEqual([]);
      expect(await store.getNotification(n.id)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: later, lastError: 'delivery step failed: boom' });
      await store.claimNotification(n.id, later, at(999_999));
      await store.recordDelivery(n.id, 1, { state: 'delivered', nextAttemptAt: null, lastError: null, deliveredAt: later });
      await store.postponeNotification(n.id, at(10 ** 6), 'late');
      expect(await store.getNotification(n.id)).toMatchObject({ state: 'delivered', nextAttemptAt: null, lastError: null });
    });

    test('a final state is never due again', async () => {
      const { n, due } = await pendingNotification();
      await store.claimNotification(n.id, due, at(999_999));
      await store.recordDelivery(n.id, 1, { state: 'failed', nextAttemptAt: null, lastError: 'webhook answered 404', deliveredAt: null });
      expect(await store.findDueNotifications(at(10 ** 9), 10)).toEqual([]);
      expect(await store.claimNotification(n.id, at(10 ** 9), at(10 ** 9 + 60))).toBeNull();
    });
  });

  describe('plans and Pro channels', () => {
    test('an outage notifies every channel once, and the recovery names the outage it ends', async () => {
      const account = makeAccount({ plan: 'pro' });
      await store.createAccount(account);
      const m = makeMonitor({
        accountId: account.id,
        alertWebhook: 'https://example.com/hook',
        webhookSecret: 'whsec_x',
        alertSlack: 'https://hooks.slack.com/services/T0/B0/abc',
        alertPagerDuty: 'b'.repeat(32),
      });
      await store.createMonitor(m, null);
      await store.recordPing(m.pingToken, pingData(t0), (mon) => transition(mon, 'ping', t0));
      const due = at(m.schedule + m.grace);
      const down = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
      // A second checker deciding the same deadline finds nothing left to do.
      expect((await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due)))!.transition).toBeNull();
      const back = at(m.schedule + m.grace + 300);
      await store.recordPing(m.pingToken, pingData(back), (mon) => transition(mon, 'ping', back));
      const rows = await store.listNotifications(m.id);
      // Rows of one flip share its time; their order among themselves is not part of the contract.
      expect(rows.map((n) => [n.event, n.channel, n.target]).sort()).toEqual([
        ['monitor.down', 'email', m.alertEmail],
        ['monitor.down', 'pagerduty', m.alertPagerDuty],
        ['monitor.down', 'slack', m.alertSlack],
        ['monitor.down', 'webhook', m.alertWebhook],
        ['monitor.up', 'email', m.alertEmail],
        ['monitor.up', 'pagerduty', m.alertPagerDuty],
        ['monitor.up', 'slack', m.alertSlack],
        ['monitor.up', 'webhook', m.alertWebhook],
      ]);
      expect(new Set(rows.map((n) => n.snapshot.outageId))).toEqual(new Set([`${m.id}_${down!.transition!.flip!.at.getTime()}_down`]));
    });
  });

  describe('held and suppressed deliveries', () => {
    const log = (monitorId: string) => store.notificationHistory({ monitorId }, { limit: 10, before: null, since: null });

    test('a held row waits until its time without using up an attempt, then is due and claimable again', async () => {
      const { n, due } = await pendingNotification();
      await store.claimNotification(n.id, due, at(999_999));
      const until = new Date(due.getTime() + 7_200_000);
      const reason = `held: maintenance until ${until.toISOString()}`;
      expect(await store.recordDelivery(n.id, 1, { state: 'held', nextAttemptAt: until, lastError: reason, deliveredAt: null, attempts: 0 })).toBe(true);
      const held = { state: 'held', attempts: 0, nextAttemptAt: until, lastError: reason, deliveredAt: null };
      expect(await store.getNotification(n.id)).toMatchObject(held);
      expect(await store.findDueNotifications(new Date(until.getTime() - 1), 10)).toEqual([]);
      expect(await store.nextDueAt()).toEqual(until);
      const [found] = await store.findDueNotifications(until, 10);
      expect(found).toMatchObject({ id: n.id, ...held });
      expect((await log(n.monitorId)).items).toEqual([found]);
      expect(await store.claimNotification(n.id, until, at(999_999))).toMatchObject({ state: 'processing', attempts: 1 });
    });

    test('a suppressed row is final: never due again, and its log says why', async () => {
      const { n, due } = await pendingNotification();
      await store.claimNotification(n.id, due, at(999_999));
      const reason = 'suppressed: parent "db-host" is down';
      expect(await store.recordDelivery(n.id, 1, { state: 'suppressed', nextAttemptAt: null, lastError: reason, deliveredAt: null, attempts: 0 })).toBe(true);
      const suppressed = { state: 'suppressed', attempts: 0, nextAttemptAt: null, lastError: reason, deliveredAt: null };
      expect(await store.getNotification(n.id)).toMatchObject(suppressed);
      expect(await store.findDueNotifications(at(10 ** 9), 10)).toEqual([]);
      expect(await store.claimNotification(n.id, at(10 ** 9), at(10 ** 9 + 60))).toBeNull();
      expect(await store.nextDueAt()).toBeNull();
      expect((await log(n.monitorId)).items).toEqual([expect.objectContaining({ id: n.id, ...suppressed })]);
    });

    test('a held row claimed again can end suppressed; the stale claim cannot record over it', async () => {
      const { n, due } = await pendingNotification();
      await store.claimNotification(n.id, due, at(999_999));
      const until = new Date(due.getTime() + 60_000);
      await store.recordDelivery(n.id, 1, { state: 'held', nextAttemptAt: until, lastError: 'held: parent "db-host" is down', deliveredAt: null, attempts: 0 });
      await store.claimNotification(n.id, until, at(999_999));
      const suppressed = { state: 'suppressed' as const, nextAttemptAt: null, lastError: 'suppressed: recovered while its parent was down', deliveredAt: null, attempts: 0 };
      expect(await store.recordDelivery(n.id, 2, suppressed)).toBe(false);
      expect(await store.recordDelivery(n.id, 1, suppressed)).toBe(true);
      expect(await store.getNotification(n.id)).toMatchObject(suppressed);
    });
  });
});
