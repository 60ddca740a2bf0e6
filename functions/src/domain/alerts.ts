import { channelSpec, MONITOR_CHANNELS, subscriptionOf, type Channel } from './channels';
import type { AlertEvent, AlertSnapshot, Flip, Monitor, Notification } from './types';

export type { AlertSnapshot } from './types';

/** The key of the outage that began when the monitor went down at `downAt`. */
function outageKey(monitorId: string, downAt: Date): string {
  return `${monitorId}_${downAt.getTime()}_down`;
}

/**
 * The outage a down or up alert belongs to, seen from the monitor as it is while down: a flip to
 * down that alerts sets `lastAlertAt` to its own time, so the key can be rebuilt from it (while a
 * monitor flaps, its quiet flips leave it on the outage the flapping alert belongs to). The key is
 * the id down flips had before flip ids were numbered, so alerts queued and incidents opened
 * then still pair with their recovery.
 */
export function outageIdOf(flip: Flip, m: Monitor): string {
  if (flip.to === 'down') return outageKey(m.id, flip.at);
  if (m.lastAlertAt === null) return flip.id;
  return outageKey(m.id, m.lastAlertAt);
}

/** The outage a monitor is in now (the key its down alert's rows carry as `snapshot.outageId`); null while it is not down. */
export function currentOutageId(m: Pick<Monitor, 'id' | 'status' | 'lastAlertAt'>): string | null {
  return m.status === 'down' && m.lastAlertAt !== null ? outageKey(m.id, m.lastAlertAt) : null;
}

/** How much of a failing run's output an alert quotes: its last lines, within a size. */
export const OUTPUT_LINES = 20;
export const OUTPUT_CHARS = 2_000;

/** The last `OUTPUT_LINES` lines of a run's output, at most `OUTPUT_CHARS` characters; null when blank. */
export function outputTail(body: string | null): string | null {
  if (body === null) return null;
  const lines = body.replace(/\r\n?/g, '\n').replace(/\s+$/, '').split('\n');
  const tail = lines.slice(-OUTPUT_LINES).join('\n');
  const cut = tail.length > OUTPUT_CHARS ? tail.slice(tail.length - OUTPUT_CHARS) : tail;
  return cut.trim().length === 0 ? null : cut;
}

/**
 * Only real outages and their recoveries alert; first pings, pauses and resumes do not. A new
 * monitor that reports a failure (or a start that never finishes) on its first run is an outage too.
 */
export function alertEventOf(flip: Flip): AlertEvent | null {
  if ((flip.from === 'up' || flip.from === 'new') && flip.to === 'down') return 'monitor.down';
  if (flip.from === 'down' && flip.to === 'up') return 'monitor.up';
  return null;
}

/** A monitor flaps when it changes status (up ⇄ down) more than FLAP_LIMIT times within FLAP_WINDOW_MS. */
export const FLAP_LIMIT = 6;
export const FLAP_WINDOW_MS = 30 * 60_000;
/** A flapping monitor settles once it has held one status this long. */
export const SETTLE_MS = 30 * 60_000;

/** What the alert policy keeps on a monitor to tell that it flaps. */
export type FlapState = Pick<Monitor, 'recentFlips' | 'flappingSince'>;

/** When a flapping monitor will have held its status long enough to settle; null while it does not flap. */
export function settlesAt(m: FlapState): Date | null {
  if (m.flappingSince === null) return null;
  const lastFlip = m.recentFlips.at(-1) ?? m.flappingSince;
  return new Date(lastFlip.getTime() + SETTLE_MS);
}

/**
 * The monitor's `alertAt`, the one time the checker looks at it: its `deadline`, or while it flaps
 * the moment it settles, whichever comes first. `m` is the monitor as the event leaves it.
 */
export function nextAlertAt(m: FlapState, deadline: Date | null): Date | null {
  const settle = settlesAt(m);
  if (settle === null || (deadline !== null && deadline.getTime() <= settle.getTime())) return deadline;
  return settle;
}

/** What one flip means for alerts: the event it sends (null: none), and the flap state it changes. */
export interface FlipAlert {
  event: AlertEvent | null;
  flap: Partial<FlapState>;
}

/**
 * The alert policy for a flip (`m` as it was before it). Outages and recoveries alert, unless
 * the monitor flaps: the flip that makes more than FLAP_LIMIT within FLAP_WINDOW_MS sends one
 * `monitor.flapping` instead, and the flips after it alert nobody until it settles
 * (`settledNotificationsFor`). Every flip is still recorded. A pause ends flapping and starts the
 * count afresh: its owner is looking at it, and a paused monitor is not watched.
 */
export function flipAlert(flip: Flip, m: Monitor): FlipAlert {
  if (flip.to === 'paused') {
    const counted = m.recentFlips.length > 0 || m.flappingSince !== null;
    return { event: null, flap: counted ? { recentFlips: [], flappingSince: null } : {} };
  }
  const event = alertEventOf(flip);
  if (event === null) return { event: null, flap: {} };
  const windowStart = flip.at.getTime() - FLAP_WINDOW_MS;
  const recentFlips = [...m.recentFlips.filter((t) => t.getTime() > windowStart), flip.at].slice(-(FLAP_LIMIT + 1));
  if (m.flappingSince !== null) return { event: null, flap: { recentFlips } };
  if (recentFlips.length > FLAP_LIMIT) return { event: 'monitor.flapping', flap: { recentFlips, flappingSince: flip.at } };
  return { event, flap: { recentFlips } };
}

/** A row's id: the alert's key and where it goes (a kind for a monitor field, a channel object's id). */
export function notificationId(flipIdValue: string, suffix: string): string {
  return `${flipIdValue}_${suffix}`;
}

/** One alert about a monitor: the flip it is about, what it says, when, and what its rows' ids start with. */
interface AlertOf {
  flipId: string;
  event: AlertEvent;
  at: Date;
  key: string;
}

/** Where one outbox row goes: a monitor field's value, or a channel object the monitor is attached to. */
interface RowTarget {
  channel: Channel;
  channelId: string | null;
  target: string;
  /** What the row's id ends with: the kind for a monitor field, the channel's id for an object. */
  suffix: string;
}

/**
 * The targets an alert goes to: each channel the monitor's own fields set, then each channel
 * object attached to it that subscribes to the alert's event.
 */
function targetsOf(m: Monitor, event: AlertEvent): RowTarget[] {
  const fields = MONITOR_CHANNELS.flatMap(({ kind, field }): RowTarget[] => {
    const value = m[field];
    return value === null ? [] : [{ channel: kind, channelId: null, target: value, suffix: kind }];
  });
  const subscription = subscriptionOf(event);
  const attached = m.channels
    .filter((c) => subscription !== null && c.events.includes(subscription))
    .map((c): RowTarget => ({ channel: c.kind, channelId: c.id, target: c.id, suffix: c.id }));
  return [...fields, ...attached];
}

/** One outbox row per target (`targetsOf`), each with the same snapshot. */
function outboxRows(m: Monitor, alert: AlertOf, details: Partial<AlertSnapshot>): Notification[] {
  return targetsOf(m, alert.event).map(({ channel, channelId, target, suffix }) => ({
    id: notificationId(alert.key, suffix),
    flipId: alert.flipId,
    monitorId: m.id,
    accountId: m.accountId,
    channel,
    channelId,
    event: alert.event,
    target,
    createdAt: alert.at,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: alert.at,
    lastError: null,
    deliveredAt: null,
    snapshot: { monitorId: m.id, name: m.name, schedule: m.schedule, grace: m.grace, lastPingAt: m.lastPingAt, cron: m.cron, tz: m.tz, ...details },
  }));
}

/**
 * The outbox rows a flip creates, as `flipAlert` decides: one per channel the monitor's own
 * fields set (`m` is the monitor as it was before the flip). They are written in the same
 * transaction as the flip itself.
 */
export function notificationsFor(flip: Flip, m: Monitor, output: string | null = null): Notification[] {
  const { event } = flipAlert(flip, m);
  if (event === null) return [];
  const status = event === 'monitor.flapping' ? { status: flip.to as 'up' | 'down' } : {};
  return outboxRows(m, { flipId: flip.id, event, at: flip.at, key: flip.id }, { outageId: outageIdOf(flip, m), reason: flip.reason, output, ...status });
}

/**
 * The outbox rows of a flapping monitor that has held its status until `at`: one
 * `monitor.settled` per channel, saying where it settled. `lastFlipId` is the flip it has held
 * since. They share the outage of the flapping alert (flips while flapping leave `lastAlertAt`
 * alone), so PagerDuty resolves that incident when the monitor settles up, and keeps it open
 * for the recovery to resolve when it settles down.
 */
export function settledNotificationsFor(m: Monitor, lastFlipId: string, at: Date): Notification[] {
  const outageId = m.lastAlertAt === null ? lastFlipId : outageKey(m.id, m.lastAlertAt);
  const status = m.status === 'down' ? 'down' : 'up';
  return outboxRows(m, { flipId: lastFlipId, event: 'monitor.settled', at, key: `${lastFlipId}_settled` }, { outageId, status });
}

/**
 * The outbox rows of reminder number `n` of the outage `m` is in (`m` before it): one
 * `monitor.still_down` per channel, dated when it was due. Their ids name the outage and the
 * number, so two checkers racing on the same reminder collide instead of sending it twice.
 */
export function stillDownNotificationsFor(m: Monitor, n: number, at: Date): Notification[] {
  const downSince = m.downSince ?? at;
  const outageId = m.lastAlertAt === null ? outageKey(m.id, downSince) : outageKey(m.id, m.lastAlertAt);
  const reminder = { number: n, limit: m.remindLimit, downSince: downSince.toISOString() };
  const rows = outboxRows(m, { flipId: outageId, event: 'monitor.still_down', at, key: `${outageId}_reminder_${n}` }, { outageId, reminder });
  return rows.filter((row) => channelSpec(row.channel).reminders !== false);
}

/** First retry after 30 s, doubling up to an hour between attempts. */
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_GAP_MS = 3_600_000;
/** Attempts before a notification is given up: the last one lands about five hours after the first. */
export const MAX_ATTEMPTS = 12;

/** When to try again after failed attempt number `attempt` (1-based); null once attempts are spent. */
export function nextRetryAt(attempt: number, now: Date): Date | null {
  if (attempt >= MAX_ATTEMPTS) return null;
  const gap = Math.min(MAX_RETRY_GAP_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
  return new Date(now.getTime() + gap);
}
