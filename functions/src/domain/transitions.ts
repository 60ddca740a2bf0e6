import { flipAlert, nextAlertAt, notificationsFor, settledNotificationsFor, settlesAt } from './alerts';
import { pingExpiresAt } from './plans';
import { deadlineAfter } from './schedule';
import type { Flip, FlipReason, Monitor, MonitorStatus, Notification, OpenRun } from './types';

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

/** `'ping'` is a plain success without a run id, as the original ping URL sends it. */
export type MonitorEvent = 'ping' | 'deadline' | 'pause' | 'resume' | Signal;

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
  if (flip === null) return { changes: { ...changes, alertAt: nextAlertAt(m, changes.alertAt) }, flip, notifications: [] };
  const { flap } = flipAlert(flip, m);
  const { lastAlertAt, ...rest } = changes;
  // While it flaps its flips alert nobody: `lastAlertAt` stays on the alert that was sent, whose outage they share.
  const alerted = m.flappingSince === null && lastAlertAt !== undefined ? { lastAlertAt } : {};
  const alertAt = nextAlertAt({ recentFlips: m.recentFlips, flappingSince: m.flappingSince, ...flap }, changes.alertAt);
  return {
    changes: { ...rest, ...alerted, alertAt, flipCount: m.flipCount + 1, ...flap },
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

/**
 * The instant a monitor's deadline counts from: its last ping, or its resume when that came
 * later (a resumed monitor gets one full period from the resume, whenever it last pinged).
 */
export function deadlineBase(m: Monitor): Date | null {
  if (m.resumedAt !== null && (m.lastPingAt === null || m.resumedAt.getTime() > m.lastPingAt.getTime())) return m.resumedAt;
  return m.lastPingAt;
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
  const changes: MonitorChanges = { status: m.status, alertAt: deadline, countPing: false, recentFlips: [], flappingSince: null };
  return { changes, flip: null, notifications: settledNotificationsFor(m, lastFlip, at) };
}

/**
 * While a run is open the monitor goes down when the oldest open run has had `grace` to finish
 * ("started but never finished"); otherwise at the next expected time plus grace. Both are the
 * one stored `alertAt`, so the checker still asks nothing but `alertAt <= now`.
 */
export function armedAlertAt(m: Monitor, openRuns: OpenRun[], endedAt: Date): Date | null {
  if (openRuns.length > 0) return new Date(openRuns[0].at.getTime() + m.grace * 1000);
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
 * monitor that is down does not keep waiting for runs already past their grace: the outage they
 * belong to has been reported, and a recovery must not turn straight into a second alert for them.
 */
function stillOpen(m: Monitor, paired: OpenRun | null, now: Date): OpenRun[] {
  return m.openRuns.filter((r) => {
    if (r === paired) return false;
    if (paired !== null && paired.rid === null && r.rid === null && r.at.getTime() <= paired.at.getTime()) return false;
    return m.status !== 'down' || r.at.getTime() + m.grace * 1000 > now.getTime();
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

  // A success ends a pause (as on Healthchecks) unless the pause asked for an explicit resume;
  // a failure to a paused monitor is recorded and alerts nobody.
  if (paused && (m.manualResume || s.kind !== 'success')) {
    return withPing(m, decided(m, { status: 'paused', alertAt: null, ...ended }, null), now, duration);
  }

  if (s.kind === 'fail') {
    // A failure is an outage at once; a monitor already down stays down without a second alert.
    const reason: FlipReason = s.exitCode === null ? 'failed' : `exit code ${s.exitCode}`;
    const flip = flipTo(m, 'down', now, reason);
    const changes: MonitorChanges = { status: 'down', alertAt: null, ...(flip ? { lastAlertAt: now } : {}), ...ended };
    return withPing(m, decided(m, changes, flip, s.output), now, duration);
  }

  const changes: MonitorChanges = { status: 'up', alertAt: armedAlertAt(m, openRuns, now), ...ended, ...(paused ? { manualResume: false } : {}) };
  return withPing(m, decided(m, changes, flipTo(m, 'up', now, 'ping')), now, duration);
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
      if (m.status === 'paused' || m.status === 'down') return null;
      // The deadline is the oldest open run's when one is open (see armedAlertAt): it is abandoned.
      const hung = m.openRuns.length > 0;
      return decided(
        m,
        { status: 'down', alertAt: null, lastAlertAt: now, ...(hung ? { openRuns: [] } : {}), countPing: false },
        flipTo(m, 'down', now, hung ? 'started but never finished' : 'missed'),
      );
    }
    case 'pause': {
      if (m.status === 'paused') return null;
      // Runs open when the monitor is paused are not waited for after it resumes.
      const changes: MonitorChanges = { status: 'paused', alertAt: null, openRuns: [], countPing: false, manualResume: detail.manualResume ?? false };
      return decided(m, changes, flipTo(m, 'paused', now, 'pause'));
    }
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
    pingCount: m.pingCount + (changes.countPing ? 1 : 0),
  };
}
