import type { Flip, Monitor } from './types';

/** Bounds of the reminder settings: `remindEvery` in seconds (a minute to 30 days), `remindLimit` per outage. */
export const MIN_REMIND_EVERY = 60;
export const MAX_REMIND_EVERY = 2_592_000;
export const MAX_REMIND_LIMIT = 1_000;

/** What the alert policy keeps on a monitor about the reminders of its current outage. */
export type ReminderState = Pick<Monitor, 'downSince' | 'acknowledgedAt' | 'remindersSent' | 'nextReminderAt'>;

const NO_OUTAGE: ReminderState = { downSince: null, acknowledgedAt: null, remindersSent: 0, nextReminderAt: null };

const later = (at: Date, seconds: number): Date => new Date(at.getTime() + seconds * 1000);

/**
 * The reminder state a flip leaves (`m` before it), or null when it leaves it alone. A flip to
 * down starts an outage whose first reminder is due `remindEvery` after it; any flip away from
 * down ends the outage, its acknowledgement and its reminders.
 */
export function remindersAfterFlip(flip: Flip, m: Pick<Monitor, 'remindEvery'>): ReminderState | null {
  if (flip.to === 'down') {
    return { ...NO_OUTAGE, downSince: flip.at, nextReminderAt: m.remindEvery === null ? null : later(flip.at, m.remindEvery) };
  }
  if (flip.from === 'down') return NO_OUTAGE;
  return null;
}

/**
 * When the checker must look at the monitor for its next reminder: only while it is down and
 * does not flap (a flapping monitor's flips alert nobody; it reminds again once it settles).
 */
export function pendingReminder(m: Pick<Monitor, 'status' | 'flappingSince' | 'nextReminderAt'>): Date | null {
  return m.status === 'down' && m.flappingSince === null ? m.nextReminderAt : null;
}

/** Whether a reminder is due at `now`. */
export function reminderDue(m: Monitor, now: Date): boolean {
  const due = pendingReminder(m);
  return due !== null && m.acknowledgedAt === null && due.getTime() <= now.getTime();
}

/**
 * The state after reminder number `n` went out at `now`: the next is due `remindEvery` after the
 * one just sent (or after `now`, when the checker was so late that it would already be due, so a
 * late sweep never sends a burst), and none once the outage has had `remindLimit`.
 */
export function remindersAfterSending(m: Monitor, n: number, now: Date): ReminderState {
  const state = { downSince: m.downSince, acknowledgedAt: m.acknowledgedAt, remindersSent: n };
  if (m.remindEvery === null || (m.remindLimit !== null && n >= m.remindLimit)) return { ...state, nextReminderAt: null };
  const next = later(m.nextReminderAt ?? now, m.remindEvery);
  return { ...state, nextReminderAt: next.getTime() > now.getTime() ? next : later(now, m.remindEvery) };
}

/** The state after an acknowledgement at `now`: no more reminders until the outage ends (the first acknowledgement's time is kept). */
export function remindersAfterAcknowledging(m: Monitor, now: Date): ReminderState {
  return { downSince: m.downSince, acknowledgedAt: m.acknowledgedAt ?? now, remindersSent: m.remindersSent, nextReminderAt: null };
}

/**
 * When the next reminder of a down monitor is due after its reminder settings changed (`m` as
 * edited): the one the outage would have reached with the new `remindEvery`, or now if that has
 * passed; null when it is not down, acknowledged, off, or past its limit.
 */
export function rescheduledReminder(m: Monitor, now: Date): Date | null {
  if (m.status !== 'down' || m.downSince === null || m.acknowledgedAt !== null || m.remindEvery === null) return null;
  if (m.remindLimit !== null && m.remindersSent >= m.remindLimit) return null;
  const next = later(m.downSince, m.remindEvery * (m.remindersSent + 1));
  return next.getTime() > now.getTime() ? next : now;
}

/** The earlier of two due times, either of which may be absent. */
export function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

/**
 * The state when a flapping monitor settles down at `at` (null: unchanged): reminders it would
 * have sent while flapping wait `remindEvery` after the settled alert rather than follow it at once.
 */
export function remindersAfterSettling(m: Monitor, at: Date): ReminderState | null {
  if (m.status !== 'down' || m.nextReminderAt === null || m.remindEvery === null) return null;
  const afterSettled = later(at, m.remindEvery);
  const next = m.nextReminderAt.getTime() > afterSettled.getTime() ? m.nextReminderAt : afterSettled;
  return { downSince: m.downSince, acknowledgedAt: m.acknowledgedAt, remindersSent: m.remindersSent, nextReminderAt: next };
}
