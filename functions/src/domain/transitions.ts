import { flipAlert, nextAlertAt, notificationsFor, settledNotificationsFor, settlesAt, stillDownNotificationsFor } from './alerts';
import { pingExpiresAt } from './plans';
import {
  earliest,
  pendingReminder,
  reminderDue,
  remindersAfterAcknowledging,
  remindersAfterFlip,
  remindersAfterSending,
  remindersAfterSettling,
  type ReminderState,
} from './reminders';
import { deadlineAfter } from './schedule';
import { afterFailure, afterSuccess, finishedTooFast, ranTooLong, streakCleared, withStreak } from './tolerance';
import type { FailureReason, Flip, FlipReason, Monitor, MonitorStatus, Notification, OpenRun } from './types';

/**
 * What a job reported on its ping URL: the plain URL and `/0` are a success, `/start` a start,
 * `/fail` and `/1`…`/255` a failure. `rid` pairs a start with its end when runs overlap;
 * `output` is the tail of the body the job sent, quoted in a failure's alert.
 */
export interface Signal {
  kind: 'success' | 'start' | 'fail';
  exitCode: number | null;
  rid: string | null;
  output: string | null;
}

/**
 * `'ping'` is a plain success without a run id, as the original ping URL sends it;
 * `'acknowledge'` is someone taking on a down monitor's outage (its reminders stop).
 */
export type MonitorEvent = 'ping' | 'deadline' | 'pause' | 'resume' | 'acknowledge' | Signal;

/** A start stays open until its end arrives; beyond this many the oldest is forgotten. */
export const MAX_OPEN_RUNS = 20;

/** What some events say besides their name. */
export interface EventDetail {
  /** For 'pause': only an explicit resume ends it; pings are recorded but do not. */
  manualResume?: boolean;
}

/** The fields an event changes. `countPing` is an increment so concurrent pings add up. */
export interface MonitorChanges {
  status: MonitorStatus;
  alertAt: Date | null;
  lastPingAt?: Date;
  lastAlertAt?: Date;
  lastStartAt?: Date;
  lastDuration?: number;
  /** The open runs after the event, when it changed them. */
  openRuns?: OpenRun[];
  countPing: boolean;
  /** Set by a pause (how it may end) and cleared by whatever ends it. */
  manualResume?: boolean;
  /** Set by a resume: the deadline it arms counts from here, not from the last ping. */
  resumedAt?: Date;
  /** The monitor's flip count after the event: set with every flip, the flip's own number. */
  flipCount?: number;
  /** Set when the alert policy's record of recent flips changes (see `flipAlert`). */
  recentFlips?: Date[];
  /** Set when the monitor starts (a date) or stops (null) flapping. */
  flappingSince?: Date | null;
  /** Set, whole, when the reminders of its outage change (see `domain/reminders.ts`). */
  reminders?: ReminderState;
  /** Set when a run's outcome changes the counts of failed or successful runs in a row (see `domain/tolerance.ts`). */
  consecutiveFailures?: number;
  consecutiveSuccesses?: number;
  /** Set by a miss that tolerance lets pass: the expected run time it missed. */
  missedDueAt?: Date;
}

/**
 * Everything an event does, decided here so that the adapters only persist it: the monitor's
 * changes, the flip, the outbox rows that flip creates, and for an event that records a ping,
 * when that ping expires and how long the run it ended took.
 */
export interface Transition {
  changes: MonitorChanges;
  /** Set when the status changes; every status change is recorded as a flip. */
  flip: Flip | null;
  /** The alerts the flip sends (one per channel); written in the same transaction as the flip. */
  notifications: Notification[];
  /** Only for events that record a ping: when it may be forgotten (null keeps it), and for the end of a run its duration in ms. */
  ping?: PingDecision;
}

export interface PingDecision {
  expiresAt: Date | null;
  duration: number | null;
}

/** A transition of an event that records a ping. */
export type PingTransition = Transition & { ping: PingDecision };

/**
 * The transition for `changes` and `flip`, with the notifications the flip creates and what it
 * means for flapping (`m` as before it). `changes.alertAt` is the deadline the event armed; while
 * the monitor flaps, the checker must also look at it when it settles.
 */
function decided(m: Monitor, changes: MonitorChanges, flip: Flip | null, output: string | null = null): Transition {
  if (flip === null) return { changes: { ...changes, alertAt: nextAlertAt(m, earliest(changes.alertAt, pendingReminder(m))) }, flip, notifications: [] };
  const { flap } = flipAlert(flip, m);
  const { lastAlertAt, ...rest } = changes;
  // While it flaps its flips alert nobody: `lastAlertAt` stays on the alert that was sent, whose outage they share.
  const alerted = m.flappingSince === null && lastAlertAt !== undefined ? { lastAlertAt } : {};
  const flapAfter = { recentFlips: m.recentFlips, flappingSince: m.flappingSince, ...flap };
  // A down monitor's next reminder is a due time too (none while it flaps).
  const reminders = remindersAfterFlip(flip, m);
  const reminderAt = pendingReminder({ status: changes.status, flappingSince: flapAfter.flappingSince, nextReminderAt: (reminders ?? m).nextReminderAt });
  const alertAt = nextAlertAt(flapAfter, earliest(changes.alertAt, reminderAt));
  return {
    changes: { ...rest, ...alerted, alertAt, flipCount: m.flipCount + 1, ...flap, ...(reminders !== null ? { reminders } : {}) },
    flip,
    notifications: notificationsFor(flip, m, output),
  };
}

function withPing(m: Monitor, t: Transition, now: Date, duration: number | null = null): PingTransition {
  return { ...t, ping: { expiresAt: pingExpiresAt(m.historyDays, now), duration } };
}

/**
 * Flip ids are deterministic, so two writers racing on the same change collide instead of doubling
 * it. The flip's number (the monitor's flip count after it) keeps them unique when the same status
 * is reached twice within one millisecond.
 */
export function flipId(monitorId: string, at: Date, to: MonitorStatus, n: number): string {
  return `${monitorId}_${at.getTime()}_${to}_${n}`;
}

function flipTo(m: Monitor, to: MonitorStatus, at: Date, reason: FlipReason): Flip | null {
  if (m.status === to) return null;
  return { id: flipId(m.id, at, to, m.flipCount + 1), monitorId: m.id, from: m.status, to, at, reason };
}

const later = (a: Date | null, b: Date | null): Date | null => (a === null || (b !== null && b.getTime() > a.getTime()) ? b : a);

/**
 * The instant a monitor's deadline counts from: its last ping, its resume, or the run it last
 * missed without going down, whichever came last (a resumed monitor gets one full period from the
 * resume, whenever it last pinged; after a tolerated miss, the next run is expected one schedule on).
 */
export function deadlineBase(m: Monitor): Date | null {
  return later(later(m.lastPingAt, m.resumedAt), m.missedDueAt);
}

const SUCCESS: Signal = { kind: 'success', exitCode: null, rid: null, output: null };

/** The deadline of an up monitor as its last ping, resume or oldest open run armed it; null for any other status. */
function deadlineOf(m: Monitor): Date | null {
  const base = deadlineBase(m);
  if (m.status !== 'up' || base === null) return null;
  return armedAlertAt(m, m.openRuns, base);
}

/**
 * A flapping monitor that has held its status until it settles: one `monitor.settled` per
 * channel, flapping ends, and only its deadline (if up) is watched again. No flip: the status
 * stays. Null while it does not flap, has not held long enough, or its deadline comes first (it
 * then goes down, a flip like any other while it flaps).
 */
function settle(m: Monitor, now: Date): Transition | null {
  const at = settlesAt(m);
  if (at === null || at.getTime() > now.getTime() || (m.status !== 'up' && m.status !== 'down')) return null;
  const deadline = deadlineOf(m);
  if (deadline !== null && deadline.getTime() <= at.getTime()) return null;
  const heldSince = m.recentFlips.at(-1) ?? m.flappingSince ?? at;
  const lastFlip = flipId(m.id, heldSince, m.status, m.flipCount);
  const reminders = remindersAfterSettling(m, at);
  const reminderAt = m.status === 'down' ? (reminders ?? m).nextReminderAt : null;
  const changes: MonitorChanges = {
    status: m.status,
    alertAt: earliest(deadline, reminderAt),
    countPing: false,
    recentFlips: [],
    flappingSince: null,
    ...(reminders !== null ? { reminders } : {}),
  };
  return { changes, flip: null, notifications: settledNotificationsFor(m, lastFlip, at) };
}

/**
 * Reminder number n of a down monitor's outage, due now: one `monitor.still_down` per channel,
 * and the next reminder (if any) becomes its due time. No flip: the status stays down.
 */
function remind(m: Monitor, now: Date): Transition {
  const n = m.remindersSent + 1;
  const reminders = remindersAfterSending(m, n, now);
  const changes: MonitorChanges = { status: 'down', alertAt: nextAlertAt(m, reminders.nextReminderAt), countPing: false, reminders };
  return { changes, flip: null, notifications: stillDownNotificationsFor(m, n, m.nextReminderAt ?? now) };
}

/** Someone took on the outage: no more reminders until it ends. Null when the monitor is not down. */
function acknowledge(m: Monitor, now: Date): Transition | null {
  if (m.status !== 'down') return null;
  // A down monitor's due time is its next reminder (or, while it flaps, when it settles): the reminder goes.
  const changes: MonitorChanges = { status: 'down', alertAt: nextAlertAt(m, null), countPing: false, reminders: remindersAfterAcknowledging(m, now) };
  return { changes, flip: null, notifications: [] };
}

/** When an open run has outlived its limit: `maxRuntime` when set, else grace ("started but never finished"). */
export function runDeadline(m: Monitor, run: OpenRun): Date {
  return new Date(run.at.getTime() + (m.maxRuntime ?? m.grace) * 1000);
}

/**
 * While a run is open the monitor goes down when the oldest open run outlives its limit
 * (`runDeadline`); otherwise at the next expected time plus grace. Both are the one stored
 * `alertAt`, so the checker still asks nothing but `alertAt <= now`.
 */
export function armedAlertAt(m: Monitor, openRuns: OpenRun[], endedAt: Date): Date | null {
  if (openRuns.length > 0) return runDeadline(m, openRuns[0]);
  return deadlineAfter(endedAt, m, m.grace);
}

/** The open run an end belongs to: the one with its `rid`, else (no rid sent) the latest. */
function pairedRun(openRuns: OpenRun[], rid: string | null): number {
  if (rid !== null) return openRuns.findIndex((r) => r.rid === rid);
  return openRuns.length - 1;
}

/**
 * The runs still open after an end that closed `paired`. Runs without a rid cannot be told apart,
 * so one that ended also closes the older ones: the job has evidently moved on from them. A
 * monitor that is down does not keep waiting for runs already past their limit: the outage they
 * belong to has been reported, and a recovery must not turn straight into a second alert for them.
 */
function stillOpen(m: Monitor, paired: OpenRun | null, now: Date): OpenRun[] {
  return m.openRuns.filter((r) => {
    if (r === paired) return false;
    if (paired !== null && paired.rid === null && r.rid === null && r.at.getTime() <= paired.at.getTime()) return false;
    return m.status !== 'down' || runDeadline(m, r).getTime() > now.getTime();
  });
}

function signal(m: Monitor, s: Signal, now: Date): PingTransition {
  const paused = m.status === 'paused';
  if (s.kind === 'start') {
    // A repeated rid restarts that run rather than opening a second one.
    const others = m.openRuns.filter((r) => s.rid === null || r.rid !== s.rid);
    const openRuns = [...others, { rid: s.rid, at: now }].slice(-MAX_OPEN_RUNS);
    // A down monitor stays down until a success; a paused one is not watched.
    const watched = m.status === 'up' || m.status === 'new';
    const changes: MonitorChanges = {
      status: m.status,
      alertAt: watched ? armedAlertAt(m, openRuns, now) : m.alertAt,
      lastPingAt: now,
      lastStartAt: now,
      openRuns,
      countPing: true,
    };
    return withPing(m, decided(m, changes, null), now);
  }

  const i = pairedRun(m.openRuns, s.rid);
  const paired = i < 0 ? null : m.openRuns[i];
  const duration = paired === null ? null : now.getTime() - paired.at.getTime();
  const openRuns = stillOpen(m, paired, now);
  const ended = {
    lastPingAt: now,
    ...(duration !== null ? { lastDuration: duration } : {}),
    ...(openRuns.length !== m.openRuns.length ? { openRuns } : {}),
    countPing: true,
  };

  // A success that ran shorter than `minRuntime` is a failed run.
  const failure: FailureReason | null =
    s.kind === 'fail' ? (s.exitCode === null ? 'failed' : `exit code ${s.exitCode}`) : finishedTooFast(m.minRuntime, duration);
  // A success ends a pause (as on Healthchecks) unless the pause asked for an explicit resume;
  // a failure to a paused monitor is recorded and alerts nobody.
  if (paused && (m.manualResume || failure !== null)) {
    return withPing(m, decided(m, { status: 'paused', alertAt: null, ...ended }, null), now, duration);
  }
  const next = armedAlertAt(m, openRuns, now);
  const t = failure !== null ? failedRun(m, failure, ended, next, now, s.output) : succeededRun(m, ended, next, now);
  return withPing(m, t, now, duration);
}

/** What ending a run changes whatever its outcome (see `signal`). */
type RunEnd = Omit<MonitorChanges, 'status' | 'alertAt'>;

/**
 * A failed run is counted; the monitor goes down once `alertAfter` of them come in a row. Until
 * then it keeps its status, and `next` (the deadline of the next run) is its deadline. A monitor
 * already down stays down without a second alert. `at` is the failure's time (a missed deadline's own).
 */
function failedRun(m: Monitor, reason: FailureReason, end: RunEnd, next: Date | null, at: Date, output: string | null = null): Transition {
  const streak = afterFailure(m);
  const failures = m.consecutiveFailures + 1;
  if (m.status !== 'down' && failures < m.alertAfter) {
    // A new monitor is not expected on its schedule before its first success: only an open run has a deadline.
    const runs = end.openRuns ?? m.openRuns;
    const alertAt = m.status !== 'new' ? next : runs.length > 0 ? runDeadline(m, runs[0]) : null;
    return decided(m, { status: m.status, alertAt, ...end, ...streak }, null);
  }
  const flip = flipTo(m, 'down', at, withStreak(reason, failures));
  return decided(m, { status: 'down', alertAt: null, ...(flip ? { lastAlertAt: at } : {}), ...end, ...streak }, flip, output);
}

/**
 * A successful run is counted; a down monitor is up again once `recoverAfter` of them come in a
 * row (until then it stays down, with no deadline). An up monitor's deadline becomes `next`.
 */
function succeededRun(m: Monitor, end: RunEnd, next: Date | null, now: Date): Transition {
  const streak = afterSuccess(m);
  if (m.status === 'down' && m.consecutiveSuccesses + 1 < m.recoverAfter) return decided(m, { status: 'down', alertAt: null, ...end, ...streak }, null);
  const resumed = m.status === 'paused' ? { manualResume: false } : {};
  return decided(m, { status: 'up', alertAt: next, ...end, ...resumed, ...streak }, flipTo(m, 'up', now, 'ping'));
}

/**
 * A deadline passed on a watched monitor: the oldest open run outlived its limit, or the expected
 * run never came. A failed run like any other; while tolerated, runs past their limit are given
 * up and the deadline moves to the next expected run plus grace.
 */
function missedRun(m: Monitor, deadline: Date): Transition {
  const hung = m.openRuns.length > 0;
  const reason: FailureReason = !hung ? 'missed' : m.maxRuntime !== null ? ranTooLong(m.maxRuntime) : 'started but never finished';
  if (m.consecutiveFailures + 1 >= m.alertAfter) return failedRun(m, reason, { ...(hung ? { openRuns: [] } : {}), countPing: false }, null, deadline);
  if (hung) {
    const openRuns = m.openRuns.filter((r) => runDeadline(m, r).getTime() > deadline.getTime());
    // The start set the last ping, so the next run is expected one schedule after it (or the next open run's limit).
    return failedRun(m, reason, { openRuns, countPing: false }, armedAlertAt(m, openRuns, deadlineBase(m) ?? deadline), deadline);
  }
  const missedDueAt = new Date(deadline.getTime() - m.grace * 1000);
  return failedRun(m, reason, { missedDueAt, countPing: false }, deadlineAfter(missedDueAt, m, m.grace), deadline);
}

/**
 * The single owner of every status change. Returns null when the event does not apply to the
 * monitor as it is now (a deadline that a ping already moved, resuming a monitor that is not
 * paused): callers treat that as losing a race, not as an error.
 */
export function transition(m: Monitor, event: 'ping' | Signal, now: Date): PingTransition;
export function transition(m: Monitor, event: MonitorEvent, now: Date, detail?: EventDetail): Transition | null;
export function transition(m: Monitor, event: MonitorEvent, now: Date, detail: EventDetail = {}): Transition | null {
  if (typeof event === 'object') return signal(m, event, now);
  switch (event) {
    case 'ping':
      return signal(m, SUCCESS, now);
    case 'deadline': {
      if (m.alertAt === null || m.alertAt.getTime() > now.getTime()) return null;
      const settled = settle(m, now);
      if (settled !== null) return settled;
      if (reminderDue(m, now)) return remind(m, now);
      if (m.status === 'paused' || m.status === 'down') return null;
      // The outage began at the deadline, not when a checker noticed: the flip (and so every
      // alert's `occurredAt`) carries it, and racing checkers compute the same flip id.
      return missedRun(m, m.alertAt);
    }
    case 'pause': {
      if (m.status === 'paused') return null;
      // Runs open when the monitor is paused are not waited for after it resumes.
      const changes: MonitorChanges = {
        status: 'paused',
        alertAt: null,
        openRuns: [],
        countPing: false,
        manualResume: detail.manualResume ?? false,
        ...streakCleared(m),
      };
      return decided(m, changes, flipTo(m, 'paused', now, 'pause'));
    }
    case 'acknowledge':
      return acknowledge(m, now);
    case 'resume': {
      if (m.status !== 'paused') return null;
      // A resumed monitor that has pinged before gets one full period before it can go down.
      if (m.lastPingAt === null) {
        return decided(m, { status: 'new', alertAt: null, countPing: false, manualResume: false, resumedAt: now }, flipTo(m, 'new', now, 'resume'));
      }
      const changes: MonitorChanges = { status: 'up', alertAt: deadlineAfter(now, m, m.grace), countPing: false, manualResume: false, resumedAt: now };
      return decided(m, changes, flipTo(m, 'up', now, 'resume'));
    }
  }
}

/** The monitor as it is after `changes`. */
export function applyChanges(m: Monitor, changes: MonitorChanges): Monitor {
  return {
    ...m,
    status: changes.status,
    alertAt: changes.alertAt,
    lastPingAt: changes.lastPingAt ?? m.lastPingAt,
    lastAlertAt: changes.lastAlertAt ?? m.lastAlertAt,
    lastStartAt: changes.lastStartAt ?? m.lastStartAt,
    lastDuration: changes.lastDuration ?? m.lastDuration,
    openRuns: changes.openRuns ?? m.openRuns,
    manualResume: changes.manualResume ?? m.manualResume,
    resumedAt: changes.resumedAt ?? m.resumedAt,
    flipCount: changes.flipCount ?? m.flipCount,
    recentFlips: changes.recentFlips ?? m.recentFlips,
    flappingSince: changes.flappingSince === undefined ? m.flappingSince : changes.flappingSince,
    consecutiveFailures: changes.consecutiveFailures ?? m.consecutiveFailures,
    consecutiveSuccesses: changes.consecutiveSuccesses ?? m.consecutiveSuccesses,
    missedDueAt: changes.missedDueAt ?? m.missedDueAt,
    pingCount: m.pingCount + (changes.countPing ? 1 : 0),
    ...changes.reminders,
  };
}
