import { MONITOR_CHANNELS, type ChannelField } from '../domain/channels';
import type { RecipientStatus } from '../domain/recipients';
import { nextDueAfter } from '../domain/schedule';
import { deadlineBase } from '../domain/transitions';
import type { Flip, Monitor, Notification, Ping } from '../domain/types';
import type { QuietView } from '../services/quiet-view';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** A monitor's schedule as the API shows it: the cron expression, or the period in seconds. */
export const scheduleOf = (m: Monitor): number | string => m.cron ?? m.schedule;

/** `tz` is shown for cron monitors only: a period in seconds has no zone, and its answers stay as documented. */
const zoneOf = (m: Monitor): { tz?: string } => (m.cron !== null && m.tz !== null ? { tz: m.tz } : {});

/** Durations are stored in milliseconds and shown in seconds, to the millisecond. */
export const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

/** When the next run is expected: null while the monitor is new or paused. */
export function nextDue(m: Monitor): string | null {
  const base = deadlineBase(m);
  if (m.status === 'new' || m.status === 'paused' || base === null) return null;
  return iso(nextDueAfter(m, base));
}

/**
 * Added with the late and running states (issue 23), derived, not stored, so no new status value:
 * `late` while an up monitor is past its expected time but not yet down (the checker turns it down
 * once grace has passed too), `running` while a start ping's run is open.
 */
export function progress(m: Monitor, now: Date): { late: boolean; running: boolean } {
  const due = nextDue(m);
  return { late: due !== null && m.status === 'up' && Date.parse(due) <= now.getTime(), running: m.openRuns.length > 0 };
}

export const pingUrl = (publicUrl: string, m: Monitor): string => `${publicUrl}/api/v1/ping/${m.pingToken}`;

/** The public SVG badge; `.json` instead of `.svg` gives the shields.io endpoint. */
export const badgeUrl = (publicUrl: string, m: Monitor): string | null => (m.badgeKey === null ? null : `${publicUrl}/api/v1/badge/${m.badgeKey}.svg`);

/**
 * Added with maintenance windows, snooze and dependencies (issue 21): the snooze while it lasts,
 * the parents, and what the quiet view found (`services/quiet-view.ts`), which the route reads.
 */
function quietFields(q: QuietView) {
  return { snoozedUntil: iso(q.snoozedUntil), dependsOn: [...q.dependsOn], inMaintenance: q.inMaintenance, suppressedBy: q.suppressedBy };
}

/** A monitor as the list shows it: the documented fields, then its ping URL. */
export function monitorSummary(m: Monitor, publicUrl: string, now: Date, quiet: QuietView) {
  return {
    monitorId: m.id,
    name: m.name,
    status: m.status,
    ...progress(m, now),
    schedule: scheduleOf(m),
    ...zoneOf(m),
    grace: m.grace,
    lastPing: iso(m.lastPingAt),
    pingCount: m.pingCount,
    pingUrl: pingUrl(publicUrl, m),
    // Added with cron schedules and signals: the list shows when each job runs next and how long
    // its last run took without a call per monitor.
    nextDue: nextDue(m),
    lastDuration: seconds(m.lastDuration),
    // Added with channel objects: the ids of those it alerts, in the order they were attached.
    channels: channelIds(m),
    // Added with tags: the monitor's tags, in the order they were given; [] for none.
    tags: [...m.tags],
    // Added with slugs (issue 22): the name the account's ping key pings it by; null for none.
    slug: m.slug ?? null,
    ...quietFields(quiet),
  };
}

const channelIds = (m: Monitor): string[] => m.channels.map((c) => c.id);

/** The monitor's channel fields, in registry order; null where a channel is off. */
function channelSettings(m: Monitor): Record<ChannelField, string | null> {
  return Object.fromEntries(MONITOR_CHANNELS.map(({ field }) => [field, m[field]])) as Record<ChannelField, string | null>;
}

/**
 * A monitor as the status endpoint shows it: the list's fields plus the last alert and settings,
 * with where its alert address stands (`alertEmailStatus`: e-mail waits for `confirmed`).
 */
export function monitorStatus(m: Monitor, publicUrl: string, alertEmailStatus: RecipientStatus | null, now: Date, quiet: QuietView) {
  return {
    ...monitorSummary(m, publicUrl, now, quiet),
    lastAlert: iso(m.lastAlertAt),
    ...channelSettings(m),
    alertEmailStatus,
    createdAt: iso(m.createdAt),
    lastStart: iso(m.lastStartAt),
    manualResume: m.manualResume,
    // Added with status badges: a read-only URL, safe to publish (it cannot ping or change anything).
    badgeUrl: badgeUrl(publicUrl, m),
    // Added with flapping: while set, the monitor's status changes alert nobody until it settles.
    flappingSince: iso(m.flappingSince),
    ...reminders(m),
    ...tolerance(m),
  };
}

/** Added with tolerance and run-time limits: the settings, and the runs in a row that count toward them. */
function tolerance(m: Monitor) {
  return {
    alertAfter: m.alertAfter,
    recoverAfter: m.recoverAfter,
    maxRuntime: m.maxRuntime,
    minRuntime: m.minRuntime,
    consecutiveFailures: m.consecutiveFailures,
    consecutiveSuccesses: m.consecutiveSuccesses,
  };
}

/** Added with reminders: the settings, and where the current outage's reminders stand. */
function reminders(m: Monitor) {
  return {
    remindEvery: m.remindEvery,
    remindLimit: m.remindLimit,
    downSince: iso(m.downSince),
    acknowledged: m.acknowledgedAt !== null,
    remindersSent: m.remindersSent,
    nextReminderAt: iso(m.nextReminderAt),
  };
}

/** The creation response: the documented shape, plus the webhook secret, shown this once. */
export function createdMonitor(m: Monitor, publicUrl: string, now: Date, quiet: QuietView) {
  return {
    monitorId: m.id,
    name: m.name,
    pingUrl: pingUrl(publicUrl, m),
    schedule: scheduleOf(m),
    ...zoneOf(m),
    grace: m.grace,
    status: m.status,
    ...progress(m, now),
    channels: channelIds(m),
    tags: [...m.tags],
    slug: m.slug ?? null,
    ...quietFields(quiet),
    ...(m.webhookSecret !== null ? { webhookSecret: m.webhookSecret } : {}),
  };
}

/** An edited monitor: the status shape, plus the new webhook secret when the edit set a webhook. */
export function editedMonitor(m: Monitor, publicUrl: string, alertEmailStatus: RecipientStatus | null, newWebhookSecret: boolean, now: Date, quiet: QuietView) {
  return {
    ...monitorStatus(m, publicUrl, alertEmailStatus, now, quiet),
    ...(newWebhookSecret && m.webhookSecret !== null ? { webhookSecret: m.webhookSecret } : {}),
  };
}

export function pingEntry(p: Ping) {
  return {
    at: p.at.toISOString(),
    method: p.method,
    kind: p.kind,
    exitCode: p.exitCode,
    rid: p.rid,
    duration: seconds(p.duration),
    source: p.source,
    userAgent: p.userAgent,
    body: p.body,
    bodyTruncated: p.bodyTruncated,
  };
}

/** A status change; `inMaintenance` (issue 21) says whether a window of the account covered the monitor then. */
export function flipEntry(f: Flip & { inMaintenance: boolean }) {
  return { at: f.at.toISOString(), from: f.from, to: f.to, reason: f.reason, inMaintenance: f.inMaintenance };
}

/**
 * One alert in a delivery log. A claimed row (`processing`) is shown as `pending`: to the reader
 * it is still on its way. `monitorId` is null for a channel's test alert (stored as ''),
 * `channelId` null for the monitor's own alert fields.
 */
export function deliveryEntry(n: Notification) {
  return {
    notificationId: n.id,
    monitorId: n.monitorId === '' ? null : n.monitorId,
    channel: n.channel,
    channelId: n.channelId,
    event: n.event,
    state: n.state === 'processing' ? 'pending' : n.state,
    attempts: n.attempts,
    lastError: n.lastError,
    createdAt: n.createdAt.toISOString(),
    deliveredAt: iso(n.deliveredAt),
    nextAttemptAt: iso(n.nextAttemptAt),
  };
}
