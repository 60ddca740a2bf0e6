import { MAX_ATTEMPTS, nextRetryAt } from './alerts';
import type { Notification } from './types';

/**
 * The notification state machine, once for both stores and the delivery service: what an attempt
 * leaves on its row, when a row is given up, and what becomes of a row that cannot be read.
 * Claiming (pending → processing with a lease) is each store's compare-and-set.
 */

/**
 * What one attempt came to, as a channel reports it (notify's `SendResult` has this shape), or as
 * the quiet rules decide before any send (`services/quiet-delivery.ts`): held until a time, or
 * suppressed for good, each with the reason the delivery log shows.
 */
export type AttemptOutcome =
  | { outcome: 'delivered' | 'logged' }
  | { outcome: 'retry' | 'failed'; error: string; retryAfterMs?: number }
  | { outcome: 'held'; until: Date; reason: string }
  | { outcome: 'suppressed'; reason: string };

/** What a delivery attempt leaves on its notification row. */
export interface DeliveryRecord {
  state: 'pending' | 'held' | 'delivered' | 'logged' | 'failed' | 'suppressed';
  nextAttemptAt: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
  /** The row's attempt count afterwards, when not the claim's: a hold gives its claim back, so waiting never uses up attempts. */
  attempts?: number;
}

/** What attempt number `attempt` leaves on the row: final states clear `nextAttemptAt`, retries set it. */
export function deliveryRecord(result: AttemptOutcome, attempt: number, now: Date): DeliveryRecord {
  switch (result.outcome) {
    case 'delivered':
    case 'logged':
      return { state: result.outcome, nextAttemptAt: null, lastError: null, deliveredAt: now };
    case 'failed':
      return { state: 'failed', nextAttemptAt: null, lastError: result.error, deliveredAt: null };
    case 'held':
      return { state: 'held', nextAttemptAt: result.until, lastError: result.reason, deliveredAt: null, attempts: attempt - 1 };
    case 'suppressed':
      return { state: 'suppressed', nextAttemptAt: null, lastError: result.reason, deliveredAt: null, attempts: attempt - 1 };
    case 'retry': {
      const backoff = nextRetryAt(attempt, now);
      // A target that said how long to wait (Retry-After) is not tried sooner than that.
      const asked = result.retryAfterMs === undefined ? 0 : now.getTime() + result.retryAfterMs;
      const next = backoff === null ? null : new Date(Math.max(backoff.getTime(), asked));
      return next === null
        ? { state: 'failed', nextAttemptAt: null, lastError: `gave up after ${attempt} attempts: ${result.error}`, deliveredAt: null }
        : { state: 'pending', nextAttemptAt: next, lastError: result.error, deliveredAt: null };
    }
  }
}

/**
 * Every claim counts as an attempt, abandoned ones too: a row whose sends keep killing the worker
 * would otherwise be claimed forever. Past MAX_ATTEMPTS claims the row fails without a send;
 * null while it may still be sent.
 */
export function givenUp(attempts: number): AttemptOutcome | null {
  if (attempts <= MAX_ATTEMPTS) return null;
  return { outcome: 'failed', error: `gave up after ${attempts - 1} attempts, some abandoned without a result` };
}

/** How long a notification row that cannot be read is set aside before it is tried again. */
export const UNREADABLE_RETRY_MS = 3_600_000;

/** What a store writes on a row it cannot read: its next attempt moved on, the reason as its last error. */
export interface SetAside {
  nextAttemptAt: Date;
  lastError: string;
}

/**
 * Reads due notification rows. A row that cannot be read is not returned but set aside for
 * UNREADABLE_RETRY_MS with the reason, so one bad row cannot stop every other alert, run after
 * run; the store writes each `setAside` on its row.
 */
export function readDueRows<R>(
  rows: R[],
  read: (row: R) => Notification,
  now: Date,
): { readable: Notification[]; unreadable: Array<{ row: R; setAside: SetAside }> } {
  const readable: Notification[] = [];
  const unreadable: Array<{ row: R; setAside: SetAside }> = [];
  for (const row of rows) {
    try {
      readable.push(read(row));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      unreadable.push({ row, setAside: { nextAttemptAt: new Date(now.getTime() + UNREADABLE_RETRY_MS), lastError: `unreadable row set aside: ${reason}` } });
    }
  }
  return { readable, unreadable };
}
