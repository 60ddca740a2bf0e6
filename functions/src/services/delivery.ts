import { channelSpec, notSentOnPlanMessage, onEveryPlan, planAllows, subscriptionOf } from '../domain/channels';
import { deliveryRecord, givenUp, type AttemptOutcome } from '../domain/delivery';
import { emailCapHour, notSentOverEmailCap, PLANS } from '../domain/plans';
import type { Notification } from '../domain/types';
import type { DeliveryContext } from '../notify/types';
import type { Deps } from './context';
import { emailPermit } from './email-confirmation';
import { quietOutcome, type QuietOutcome } from './quiet-delivery';

/** A claim outlives the slowest send (webhooks time out after 10 s) with room to record the result. */
export const LEASE_MS = 60_000;
/** Alerts in flight at once in one dispatcher, all accounts together. */
export const PARALLEL_SENDS = 8;
/**
 * Alerts of one account in flight at once: an account whose targets never answer holds at most
 * this many slots, and the rest stay free for everyone else. At most PARALLEL_SENDS /
 * ACCOUNT_SENDS accounts are at their cap together, within Firestore's 10 values for `not-in`.
 */
export const ACCOUNT_SENDS = 2;

export interface DeliveryReport {
  attempted: number;
  delivered: number;
  logged: number;
  retrying: number;
  failed: number;
  /** Held for a quiet period or a parent's outage, to be looked at again when it ends. */
  held: number;
  /** Not sent and owed to nobody (a parent explained the outage, or it settled while quiet). */
  suppressed: number;
}

export const emptyReport = (): DeliveryReport => ({ attempted: 0, delivered: 0, logged: 0, retrying: 0, failed: 0, held: 0, suppressed: 0 });

/**
 * Counts an alert e-mail against the hourly caps of its account's plan (`EmailCaps`), where
 * e-mail really goes out: why it is not sent, or null. An alert counts once, on its first
 * attempt, so retries through a SendGrid outage do not spend the allowance. Over a cap it is
 * recorded as not sent and not retried: the flood it belongs to is what the cap stops.
 */
async function emailCapRefusal(deps: Deps, n: Notification): Promise<string | null> {
  if (!deps.mailer.delivers || n.attempts > 1) return null;
  const account = await deps.store.getAccount(n.accountId);
  const caps = PLANS[account?.plan ?? 'free'].alertEmailsPerHour;
  const recipient = n.target.trim().toLowerCase();
  const counted = await deps.store.countAlertEmail(n.accountId, recipient, emailCapHour(deps.clock()), caps);
  return counted === 'counted' ? null : notSentOverEmailCap(counted, caps, recipient);
}

type Prepared = { row: Notification; context: DeliveryContext } | { notSent: string } | { quiet: Exclude<QuietOutcome, { outcome: 'send' }> };

/**
 * What an alert to a channel object is sent with: the channel as it is now (a fixed URL or
 * token applies to retries, and no secret sits in the outbox). A channel deleted meanwhile, or
 * no longer told about this event, is not sent to.
 */
async function forChannel(deps: Deps, n: Notification, channelId: string): Promise<Prepared> {
  const channel = await deps.store.getChannel(channelId);
  if (channel === null || channel.accountId !== n.accountId) return { notSent: 'not sent: the channel was deleted' };
  const subscription = subscriptionOf(n.event);
  if (subscription !== null && !channel.events.includes(subscription)) return { notSent: `not sent: the channel no longer takes ${subscription} alerts` };
  // A kind a monitor field can also set keeps that one value in `target`, where its notifier reads it.
  const field = channelSpec(channel.kind).targetField;
  const value = field === undefined ? undefined : channel.config[field];
  const row = typeof value === 'string' ? { ...n, target: value } : n;
  return { row, context: { webhookSecret: channel.webhookSecret, config: channel.config } };
}

/**
 * The row as its notifier sees it and what it is sent with. The monitor supplies a monitor
 * field's webhook signing key; and once its owner has deleted it, alerts about it are noise, so
 * they are recorded as not sent instead. The quiet rules (maintenance, snooze, parents) may hold
 * or suppress it first. A channel's test alert is about no monitor, and always goes.
 */
async function prepare(deps: Deps, n: Notification): Promise<Prepared> {
  if (n.monitorId === '') return n.channelId === null ? { row: n, context: { webhookSecret: null } } : forChannel(deps, n, n.channelId);
  const monitor = await deps.store.getMonitor(n.monitorId);
  if (monitor === null || monitor.accountId !== n.accountId) return { notSent: 'not sent: the monitor was deleted' };
  const quiet = await quietOutcome(deps, n, monitor);
  if (quiet.outcome !== 'send') return { quiet };
  if (n.channelId !== null) return forChannel(deps, quiet.row, n.channelId);
  return { row: quiet.row, context: { webhookSecret: monitor.webhookSecret } };
}

async function sendOne(deps: Deps, n: Notification): Promise<AttemptOutcome> {
  const prepared = await prepare(deps, n);
  if ('notSent' in prepared) return { outcome: 'failed', error: prepared.notSent };
  if ('quiet' in prepared) return prepared.quiet;
  const { row, context } = prepared;
  if (!onEveryPlan(row.channel)) {
    // Channels some plans lack follow the account's plan at send time: after a downgrade the
    // monitor keeps its settings, but alerts on those channels are recorded as not sent.
    const account = await deps.store.getAccount(row.accountId);
    if (account !== null && !planAllows(account.plan, row.channel)) {
      return { outcome: 'failed', error: notSentOnPlanMessage(row.channel, account.plan) };
    }
  }
  if (row.channel === 'email') {
    // E-mail goes only to an address that wants this account's alerts, with a one-click unsubscribe.
    const permit = await emailPermit(deps, row);
    if ('notSent' in permit) return { outcome: 'failed', error: permit.notSent };
    context.unsubscribe = permit.unsubscribe;
    const overCap = await emailCapRefusal(deps, row);
    if (overCap !== null) return { outcome: 'failed', error: overCap };
  }
  try {
    return await deps.notifiers[row.channel].send(row, context);
  } catch (err) {
    // A notifier that throws has hit something unexpected; keep the alert and try again later.
    return { outcome: 'retry', error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Sends a row this caller has claimed (or written as claimed), as the dispatcher does, and
 * answers the outcome without recording it: a channel's test button, which answers at once.
 */
export const sendNow = sendOne;

/** Claims the row for this worker with a lease measured from the moment of the claim. */
function claim(deps: Deps, n: Notification, dueAt: Date): Promise<Notification | null> {
  // Rows can be claimed well after they were found (slots free up over time): a lease measured
  // from `dueAt` could lapse while the send is still running.
  const claimAt = new Date(Math.max(dueAt.getTime(), deps.clock().getTime()));
  return deps.store.claimNotification(n.id, claimAt, new Date(claimAt.getTime() + LEASE_MS));
}

/** Sends a claimed row (unless it has been given up) and records the outcome: what it became, or null if another claim took over. */
async function deliverClaimed(deps: Deps, claimed: Notification): Promise<keyof DeliveryReport | null> {
  const result = givenUp(claimed.attempts) ?? (await sendOne(deps, claimed));
  const record = deliveryRecord(result, claimed.attempts, deps.clock());
  const recorded = await deps.store.recordDelivery(claimed.id, claimed.attempts, record);
  const fields = { notification: claimed.id, channel: claimed.channel, event: claimed.event, attempt: claimed.attempts };
  if (!recorded) {
    deps.log.warn('delivery result not recorded: the claim lapsed and was taken over', { ...fields, outcome: result.outcome });
    return null;
  }
  if (record.state === 'pending') {
    deps.log.warn('alert will be retried', { ...fields, error: record.lastError, nextAttemptAt: record.nextAttemptAt?.toISOString() });
    if (record.nextAttemptAt !== null) deps.onDue?.(record.nextAttemptAt);
    return 'retrying';
  }
  if (record.state === 'held' && record.nextAttemptAt !== null) deps.onDue?.(record.nextAttemptAt);
  if (record.state === 'failed') deps.log.error('alert failed', { ...fields, error: record.lastError });
  return record.state;
}

/**
 * A store error or a bad row: the notification is set aside (a claimed row's lease has already
 * moved it; an unclaimed one would otherwise be picked first again on every run).
 */
async function setAside(deps: Deps, n: Notification, err: unknown): Promise<void> {
  const error = err instanceof Error ? err.message : String(err);
  const until = new Date(deps.clock().getTime() + LEASE_MS);
  deps.log.error('delivery step failed; set aside', { notification: n.id, error, retryAt: until.toISOString() });
  await deps.store.postponeNotification(n.id, until, `delivery step failed: ${error}`).catch((postponeErr: unknown) => {
    deps.log.error('notification could not be set aside', { notification: n.id, error: String(postponeErr) });
  });
}

/**
 * Up to `free` of the due rows, taking accounts in turn (in the order of their earliest row) and
 * none past ACCOUNT_SENDS in flight, so one account's queue can never take every slot.
 */
export function pickFairly(due: readonly Notification[], free: number, inFlight: (accountId: string) => number): Notification[] {
  const queues = new Map<string, Notification[]>();
  for (const n of due) {
    const queue = queues.get(n.accountId);
    if (queue === undefined) queues.set(n.accountId, [n]);
    else queue.push(n);
  }
  const picked: Notification[] = [];
  const taken = new Map<string, number>();
  for (let round = 0; picked.length < free; round++) {
    const before = picked.length;
    for (const [accountId, queue] of queues) {
      if (picked.length === free) break;
      const mine = taken.get(accountId) ?? 0;
      if (round >= queue.length || inFlight(accountId) + mine >= ACCOUNT_SENDS) continue;
      picked.push(queue[round]);
      taken.set(accountId, mine + 1);
    }
    if (picked.length === before) break;
  }
  return picked;
}

export interface DispatcherOptions {
  /** The instant rows must be due by: a run's fixed `now`, or the clock for a dispatcher that lives on. */
  dueAt: () => Date;
  /** False once no more rows may be claimed (the checker's time budget is spent). */
  keepClaiming?: () => boolean;
}

/**
 * Keeps up to PARALLEL_SENDS alerts in flight, at most ACCOUNT_SENDS of any one account: each
 * free slot is filled from the due rows, accounts in turn, and a finished send frees its slot
 * for the next. Each row is claimed (a lease, so a crashed worker's claim lapses and the row is
 * retried), sent outside any transaction and its outcome recorded; two workers racing for the
 * same row cannot both claim it. Sends go on in the background: `fill()` returns once the free
 * slots are taken, `idle()` once every send has finished.
 */
export class DeliveryDispatcher {
  private inFlight = 0;
  private readonly perAccount = new Map<string, number>();
  private readonly sends = new Set<Promise<void>>();
  /**
   * Rows whose delivery step failed here, until when: set aside in the store too, but that write
   * may have failed with the rest, so they are skipped here as well and a store fault cannot spin.
   */
  private readonly setAsideUntil = new Map<string, number>();
  private filling: Promise<void> | null = null;
  private fillAgain = false;
  /** Whether due rows may have been left for want of a slot: a finished send then fills again. */
  private backlog = false;
  private stopped = false;
  private report = emptyReport();

  constructor(
    private readonly deps: Deps,
    private readonly options: DispatcherOptions,
  ) {}

  /** Claims due rows into the free slots; resolves once they are claimed, not once they are sent. */
  fill(): Promise<void> {
    // A fill asked for while one runs makes that one go round again rather than run beside it.
    this.fillAgain = true;
    this.filling ??= this.fillWhileAsked();
    return this.filling;
  }

  /** Resolves once nothing is being claimed or sent. */
  async idle(): Promise<void> {
    while (this.filling !== null || this.sends.size > 0) await Promise.allSettled([this.filling, ...this.sends]);
  }

  /** Claims nothing more; resolves once the sends in flight have finished. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.idle();
  }

  /** What was claimed and how the finished sends ended since the last call; counting then starts afresh. */
  takeReport(): DeliveryReport {
    const report = this.report;
    this.report = emptyReport();
    return report;
  }

  private accountSends = (accountId: string): number => this.perAccount.get(accountId) ?? 0;

  private async fillWhileAsked(): Promise<void> {
    try {
      while (this.fillAgain) {
        this.fillAgain = false;
        await this.fillSlots();
      }
    } finally {
      // In the same turn as the last check of `fillAgain`, so no request can fall between the two.
      this.filling = null;
    }
  }

  private async fillSlots(): Promise<void> {
    for (;;) {
      const free = PARALLEL_SENDS - this.inFlight;
      if (free <= 0 || this.stopped || this.options.keepClaiming?.() === false) {
        this.backlog = true;
        return;
      }
      // Accounts at their cap are left out of the query, so the rows queued behind theirs are reached.
      const atCap = [...this.perAccount].filter(([, sends]) => sends >= ACCOUNT_SENDS).map(([accountId]) => accountId);
      const found = await this.deps.store.findDueNotifications(this.options.dueAt(), free, atCap);
      const now = this.deps.clock().getTime();
      for (const [id, until] of this.setAsideUntil) if (until <= now) this.setAsideUntil.delete(id);
      const due = found.filter((n) => !this.setAsideUntil.has(n.id));
      const picked = pickFairly(due, free, this.accountSends);
      await Promise.all(picked.map((n) => this.start(n)));
      this.backlog = atCap.length > 0 || found.length === free || picked.length < due.length;
      if (picked.length === 0 || !this.backlog) return;
    }
  }

  /** Takes a slot for the row and claims it; the send then runs on, and frees the slot when done. */
  private async start(n: Notification): Promise<void> {
    this.hold(n.accountId, 1);
    let claimed: Notification | null = null;
    try {
      claimed = await claim(this.deps, n, this.options.dueAt());
    } catch (err) {
      await this.stepFailed(n, err);
    }
    if (claimed === null) {
      this.hold(n.accountId, -1);
      return;
    }
    this.report.attempted++;
    const send = deliverClaimed(this.deps, claimed)
      .then((outcome) => {
        if (outcome !== null) this.report[outcome]++;
      })
      .catch((err: unknown) => this.stepFailed(n, err))
      .finally(() => {
        this.sends.delete(send);
        this.hold(n.accountId, -1);
        if (this.backlog && !this.stopped) this.refill();
      });
    this.sends.add(send);
  }

  private stepFailed(n: Notification, err: unknown): Promise<void> {
    this.setAsideUntil.set(n.id, this.deps.clock().getTime() + LEASE_MS);
    return setAside(this.deps, n, err);
  }

  private hold(accountId: string, change: 1 | -1): void {
    this.inFlight += change;
    const sends = this.accountSends(accountId) + change;
    if (sends === 0) this.perAccount.delete(accountId);
    else this.perAccount.set(accountId, sends);
  }

  /** A fill started by a finished send has no caller to report to: its failure is logged. */
  private refill(): void {
    this.fill().catch((err: unknown) => {
      this.deps.log.error('finding due alerts failed', { error: err instanceof Error ? err.message : String(err) });
    });
  }
}

/**
 * Delivers the notifications due at `now`, filling slots fairly until none is left that may be
 * claimed (or `keepClaiming` says stop), and waits for every send. Returns what it did.
 */
export async function deliverDueNotifications(deps: Deps, now: Date, options: { keepClaiming?: () => boolean } = {}): Promise<DeliveryReport> {
  const dispatcher = new DeliveryDispatcher(deps, { dueAt: () => now, keepClaiming: options.keepClaiming });
  await dispatcher.fill();
  await dispatcher.idle();
  return dispatcher.takeReport();
}
