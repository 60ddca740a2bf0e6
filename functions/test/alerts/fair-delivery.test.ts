import type { Account, Monitor, Notification } from '../../src/domain/types';
import { CIRCUIT_FAILURES } from '../../src/notify/circuit';
import { sweepDueMonitors } from '../../src/services/checker';
import { ACCOUNT_SENDS, deliverDueNotifications, pickFairly } from '../../src/services/delivery';
import type { InspectableStore } from '../../src/store/inspection';
import { storeKinds } from '../support/stores';
import { alertDeps, newAccount, newMonitor, notificationOf, ping, type AlertDeps } from './support/world';
import { startCountingReceiver, startTarpit, type CountingReceiver, type Tarpit } from './support/tarpit';

/** The tarpit's sends give up after this; short, so the runs here take a second or two. */
const TIMEOUT_MS = 400;

/** `count` monitors of `account`, each with a webhook to `origin`, pinged now. */
async function pingedWebhookMonitors(deps: AlertDeps, account: Account, count: number, origin: string): Promise<Monitor[]> {
  const monitors: Monitor[] = [];
  for (let i = 0; i < count; i++) {
    const m = await newMonitor(deps, { name: `job ${i}`, alertWebhook: `${origin}/hook/${account.id}/${i}` }, account);
    await ping(deps, m);
    monitors.push(m);
  }
  return monitors;
}

/** Moves the clock to the monitors' deadline and sweeps, so their alerts are queued at that instant. */
async function flipAtDeadline(deps: AlertDeps, m: Monitor): Promise<void> {
  const deadline = (await deps.store.getMonitor(m.id))!.alertAt!;
  deps.fakeClock.set(deadline.toISOString());
  await sweepDueMonitors(deps, deps.clock());
}

describe.each(storeKinds())('fair delivery between accounts on %s', (_name, kind) => {
  let store: InspectableStore;
  let tarpit: Tarpit;
  let receiver: CountingReceiver;
  beforeEach(async () => {
    store = await kind.open();
    tarpit = await startTarpit();
    receiver = await startCountingReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await tarpit.close();
    await store.close();
  });

  /**
   * Account A's queue (12 webhooks to the tarpit, queued first) and account B's one webhook to a
   * receiver, queued ten seconds later, so B's alert is last in the due order.
   */
  async function tarpitQueueThenOther(deps: AlertDeps) {
    const noisy = await pingedWebhookMonitors(deps, await newAccount(deps), 12, tarpit.origin);
    deps.fakeClock.advance(10);
    const [other] = await pingedWebhookMonitors(deps, await newAccount(deps), 1, receiver.origin);
    await flipAtDeadline(deps, noisy[0]);
    await flipAtDeadline(deps, other);
    return { noisy, other };
  }

  test("another account's alert is sent before any of the noisy account's sends has timed out", async () => {
    // A deadline far beyond the test's pace: the order of events, not their timing, decides.
    const deps = alertDeps(store, { webhookTimeoutMs: 10_000 });
    const { other } = await tarpitQueueThenOther(deps);
    let givenUpOnBefore = -1;
    receiver.onRequest(() => {
      givenUpOnBefore = tarpit.closed;
      // Seen: the tarpit now hangs up, so the noisy sends end at once instead of timing out.
      void tarpit.close();
    });

    await deliverDueNotifications(deps, deps.clock());

    expect(givenUpOnBefore).toBe(0);
    expect(await notificationOf(store, other, 'webhook')).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  test('one account never has more than two alerts in flight, and all of them go out in one run', async () => {
    const deps = alertDeps(store);
    // Long enough that the account's two sends overlap even on Firestore's slower claims.
    const slow = await startCountingReceiver(500);
    try {
      const monitors = await pingedWebhookMonitors(deps, await newAccount(deps), 6, slow.origin);
      await flipAtDeadline(deps, monitors[0]);

      const report = await deliverDueNotifications(deps, deps.clock());

      expect(slow.mostAtOnce).toBe(ACCOUNT_SENDS);
      expect(slow.paths).toHaveLength(6);
      expect(report).toMatchObject({ attempted: 12, delivered: 6, logged: 6 });
    } finally {
      await slow.close();
    }
  });

  test("once one host has timed out three times, that host's other alerts are recorded as retries without a connection", async () => {
    const deps = alertDeps(store, { webhookTimeoutMs: TIMEOUT_MS });
    const { noisy } = await tarpitQueueThenOther(deps);

    await deliverDueNotifications(deps, deps.clock());

    // The sends that open the circuit, and at most those already under way when it opened.
    expect(tarpit.opened).toBeGreaterThanOrEqual(CIRCUIT_FAILURES);
    expect(tarpit.opened).toBeLessThan(CIRCUIT_FAILURES + ACCOUNT_SENDS);
    const rows = await Promise.all(noisy.map((m) => notificationOf(store, m, 'webhook')));
    const skipped = rows.filter((n) => n.lastError?.includes('circuit open for host 127.0.0.1:'));
    expect(skipped).toHaveLength(noisy.length - tarpit.opened);
    // Counted as an attempt like any other retry: the give-up schedule stays bounded.
    expect(skipped.every((n) => n.state === 'pending' && n.attempts === 1)).toBe(true);
  });
});

describe('picking due alerts fairly', () => {
  const row = (accountId: string, i: number) => ({ id: `${accountId}${i}`, accountId }) as Notification;
  const ids = (rows: Notification[]) => rows.map((n) => n.id);

  test('accounts take turns in the order of their earliest alert, each up to its cap', () => {
    const due = [row('a', 1), row('a', 2), row('a', 3), row('b', 1), row('c', 1), row('c', 2), row('c', 3)];
    expect(ids(pickFairly(due, 8, () => 0))).toEqual(['a1', 'b1', 'c1', 'a2', 'c2']);
  });

  test('alerts already in flight count toward the cap', () => {
    const due = [row('a', 1), row('a', 2), row('b', 1)];
    expect(ids(pickFairly(due, 8, (account) => (account === 'a' ? 1 : 0)))).toEqual(['a1', 'b1']);
  });

  test('no more than the free slots are picked', () => {
    const due = [row('a', 1), row('b', 1), row('c', 1)];
    expect(ids(pickFairly(due, 2, () => 0))).toEqual(['a1', 'b1']);
  });
});
