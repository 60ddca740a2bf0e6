import { notSentOnPlanMessage, onEveryPlan, planAllows } from '../domain/channels';
import { deliveryRecord, givenUp } from '../domain/delivery';
import type { Notification } from '../domain/types';
import type { SendResult } from '../notify/types';
import { forEachConcurrently } from './concurrency';
import type { Deps } from './context';

/** A claim outlives the slowest send (webhooks time out after 10 s) with room to record the result. */
export const LEASE_MS = 60_000;
const BATCH = 50;
const PARALLEL_SENDS = 8;

export interface DeliveryReport {
  attempted: number;
  delivered: number;
  logged: number;
  retrying: number;
  failed: number;
}

async function sendOne(deps: Deps, n: Notification): Promise<SendResult> {
  // The monitor supplies the webhook's signing key; and once its owner has deleted it, alerts
  // about it are noise, so they are recorded as not sent instead.
  const monitor = await deps.store.getMonitor(n.monitorId);
  if (monitor === null) return { outcome: 'failed', error: 'not sent: the monitor was deleted' };
  if (!onEveryPlan(n.channel)) {
    // Channels some plans lack follow the account's plan at send time: after a downgrade the
    // monitor keeps its settings, but alerts on those channels are recorded as not sent.
    const account = await deps.store.getAccount(n.accountId);
    if (account !== null && !planAllows(account.plan, n.channel)) {
      return { outcome: 'failed', error: notSentOnPlanMessage(n.channel, account.plan) };
    }
  }
  try {
    return await deps.notifiers[n.channel].send(n, { webhookSecret: monitor.webhookSecret });
  } catch (err) {
    // A notifier that throws has hit something unexpected; keep the alert and try again later.
    return { outcome: 'retry', error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Delivers one batch of due notifications: claim each (a lease, so a crashed worker's claim
 * lapses and the row is retried), send outside any transaction, then record the outcome. Two
 * workers racing for the same row cannot both claim it. Returns what this batch did.
 */
export async function deliverDueNotifications(deps: Deps, now: Date, limit = BATCH): Promise<DeliveryReport> {
  const report: DeliveryReport = { attempted: 0, delivered: 0, logged: 0, retrying: 0, failed: 0 };
  const due = await deps.store.findDueNotifications(now, limit);
  const deliverOne = async (n: Notification) => {
    // Rows are claimed one by one as workers free up, possibly well after `now`: the lease is
    // measured from the moment of the claim, or it could lapse while the send is still running.
    const claimAt = new Date(Math.max(now.getTime(), deps.clock().getTime()));
    const claimed = await deps.store.claimNotification(n.id, claimAt, new Date(claimAt.getTime() + LEASE_MS));
    if (claimed === null) return;
    report.attempted++;
    const result = givenUp(claimed.attempts) ?? (await sendOne(deps, claimed));
    const record = deliveryRecord(result, claimed.attempts, deps.clock());
    const recorded = await deps.store.recordDelivery(claimed.id, claimed.attempts, record);
    const fields = { notification: claimed.id, channel: claimed.channel, event: claimed.event, attempt: claimed.attempts };
    if (!recorded) {
      deps.log.warn('delivery result not recorded: the claim lapsed and was taken over', { ...fields, outcome: result.outcome });
      return;
    }
    if (record.state === 'pending') {
      report.retrying++;
      deps.log.warn('alert will be retried', { ...fields, error: record.lastError, nextAttemptAt: record.nextAttemptAt?.toISOString() });
    } else {
      report[record.state]++;
      if (record.state === 'failed') deps.log.error('alert failed', { ...fields, error: record.lastError });
    }
  };
  await forEachConcurrently(due, PARALLEL_SENDS, async (n) => {
    try {
      await deliverOne(n);
    } catch (err) {
      // A store error or a bad row: set the notification aside (a claimed row's lease has already
      // moved it; an unclaimed one would otherwise be picked first again on every run).
      const error = err instanceof Error ? err.message : String(err);
      const until = new Date(deps.clock().getTime() + LEASE_MS);
      deps.log.error('delivery step failed; set aside', { notification: n.id, error, retryAt: until.toISOString() });
      await deps.store.postponeNotification(n.id, until, `delivery step failed: ${error}`).catch((postponeErr: unknown) => {
        deps.log.error('notification could not be set aside', { notification: n.id, error: String(postponeErr) });
      });
    }
  });
  return report;
}
