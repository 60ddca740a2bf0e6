import { MONITOR_CHANNELS, type Channel } from './channels';
import type { AlertEvent, Flip, Monitor, Notification } from './types';

export type { AlertSnapshot } from './types';

/** The key of the outage that began when the monitor went down at `downAt`. */
function outageKey(monitorId: string, downAt: Date): string {
  return `${monitorId}_${downAt.getTime()}_down`;
}

/**
 * The outage a down or up alert belongs to, seen from the monitor as it is while down: a flip to
 * down always sets `lastAlertAt` to its own time, so the key can be rebuilt from it. The key is
 * the id down flips had before flip ids were numbered, so alerts queued and incidents opened
 * then still pair with their recovery.
 */
export function outageIdOf(flip: Flip, m: Monitor): string {
  if (flip.to === 'down') return outageKey(m.id, flip.at);
  if (m.lastAlertAt === null) return flip.id;
  return outageKey(m.id, m.lastAlertAt);
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

export function notificationId(flipIdValue: string, channel: Channel): string {
  return `${flipIdValue}_${channel}`;
}

/**
 * The outbox rows a flip creates: one per channel the monitor's own fields set (`m` is the
 * monitor as it was before the flip). They are written in the same transaction as the flip itself.
 */
export function notificationsFor(flip: Flip, m: Monitor, output: string | null = null): Notification[] {
  const event = alertEventOf(flip);
  if (event === null) return [];
  const targets = MONITOR_CHANNELS.map(({ kind, field }) => [kind, m[field]] as const);
  return targets
    .filter((t): t is readonly [Channel, string] => t[1] !== null)
    .map(([channel, target]) => ({
      id: notificationId(flip.id, channel),
      flipId: flip.id,
      monitorId: m.id,
      accountId: m.accountId,
      channel,
      event,
      target,
      createdAt: flip.at,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: flip.at,
      lastError: null,
      deliveredAt: null,
      snapshot: {
        monitorId: m.id,
        name: m.name,
        schedule: m.schedule,
        grace: m.grace,
        lastPingAt: m.lastPingAt,
        outageId: outageIdOf(flip, m),
        cron: m.cron,
        tz: m.tz,
        reason: flip.reason,
        output,
      },
    }));
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
