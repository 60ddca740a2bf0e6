import type { MaintenanceWindow } from '../../domain/maintenance';
import type { Recipient } from '../../domain/recipients';
import type { ReminderState } from '../../domain/reminders';
import type { MonitorUpdate } from '../../domain/settings';
import type { Account, AlertChannel, AlertSnapshot, AttachedChannel, Flip, Monitor, Notification, OpenRun, Ping, ReadKey } from '../../domain/types';
import { bodySize, type PageKey } from '../port';

/**
 * How CronPeek's data sits in SQLite, the twin of `firestore/layout.ts`: each table's columns and
 * the mapping between its rows and the domain's objects, both ways. `schema.ts` creates the
 * tables. Times are stored as milliseconds since the epoch. Inserts list their values by position
 * (`…_COLUMNS` and `…Values` side by side): binding by name costs about a microsecond more per
 * row, which the ping path notices.
 */
export type Row = Record<string, unknown>;

export const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
const reqDate = (v: unknown): Date => new Date(Number(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const flag = (v: boolean): number => (v ? 1 : 0);

/** `INSERT INTO table (a, b, …) VALUES (?, ?, …)` for columns given in the order of their values. */
export function insertSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}

/** Open runs are a small JSON array on the monitor row, rewritten whole by each signal. */
export const openRunsJson = (runs: OpenRun[]): string => JSON.stringify(runs.map((r) => ({ rid: r.rid, at: r.at.getTime() })));
const toOpenRuns = (v: unknown): OpenRun[] =>
  (JSON.parse(String(v ?? '[]')) as Array<{ rid: string | null; at: number }>).map((r) => ({ rid: r.rid, at: new Date(r.at) }));

/** A monitor's recent flip times: a small JSON array of milliseconds, rewritten whole with each flip. */
export const recentFlipsJson = (times: Date[]): string => JSON.stringify(times.map((t) => t.getTime()));
const toRecentFlips = (v: unknown): Date[] => (JSON.parse(String(v ?? '[]')) as number[]).map((t) => new Date(t));

/** A monitor's attached channels: a small JSON array of {id, kind, events}, in attachment order, rewritten whole. */
export const attachedJson = (channels: readonly AttachedChannel[]): string =>
  JSON.stringify(channels.map((c) => ({ id: c.id, kind: c.kind, events: c.events })));
/** Rows written before channel objects have '[]' (the column's default). */
export const toAttached = (v: unknown): AttachedChannel[] => JSON.parse(String(v ?? '[]')) as AttachedChannel[];

/** A monitor's tags: a small JSON array of strings; rows written before tags have '[]' (the column's default). */
const tagsJson = (tags: readonly string[]): string => JSON.stringify(tags);
const toTags = (v: unknown): string[] => JSON.parse(String(v ?? '[]')) as string[];

/** A transition's reminder state as the monitor update binds it: per column, whether to set it and its value. */
export function remindersValues(r: ReminderState | undefined): unknown[] {
  const set = r === undefined ? 0 : 1;
  return [set, ms(r?.downSince ?? null), set, ms(r?.acknowledgedAt ?? null), set, r?.remindersSent ?? 0, set, ms(r?.nextReminderAt ?? null)];
}

/**
 * `alert_email` predates removable e-mail alerts and is NOT NULL; SQLite cannot drop that
 * without rebuilding the table, so an empty string stands for "no e-mail alerts".
 */
const NO_EMAIL = '';
const emailColumn = (e: string | null): string => e ?? NO_EMAIL;

/** The column each editable monitor field is stored in. */
export const EDITABLE_COLUMNS: Record<keyof MonitorUpdate, string> = {
  name: 'name',
  schedule: 'schedule',
  cron: 'cron',
  tz: 'tz',
  grace: 'grace',
  alertEmail: 'alert_email',
  alertWebhook: 'alert_webhook',
  webhookSecret: 'webhook_secret',
  alertSlack: 'alert_slack',
  alertPagerDuty: 'alert_pagerduty',
  channels: 'channels',
  tags: 'tags',
  snoozedUntil: 'snoozed_until',
  dependsOn: 'depends_on',
  alertAt: 'alert_at',
  remindEvery: 'remind_every',
  remindLimit: 'remind_limit',
  nextReminderAt: 'next_reminder_at',
  alertAfter: 'alert_after',
  recoverAfter: 'recover_after',
  maxRuntime: 'max_runtime',
  minRuntime: 'min_runtime',
};

/** An edited field's value as its column holds it. */
export function columnValue(field: keyof MonitorUpdate, value: unknown): unknown {
  if (field === 'alertEmail') return emailColumn(value as string | null);
  if (field === 'channels') return attachedJson(value as AttachedChannel[]);
  if (field === 'tags' || field === 'dependsOn') return tagsJson(value as string[]);
  return value instanceof Date ? value.getTime() : value;
}

export const ACCOUNT_COLUMNS = ['id', 'email', 'api_key_hash', 'plan', 'created_at', 'monitor_count', 'default_remind_every'] as const;

export function accountValues(a: Account): unknown[] {
  return [a.id, a.email, a.apiKeyHash, a.plan, ms(a.createdAt), a.monitorCount, a.defaults.remindEvery];
}

export function toAccount(r: Row): Account {
  return {
    id: String(r.id),
    email: String(r.email),
    apiKeyHash: String(r.api_key_hash),
    plan: r.plan as Account['plan'],
    createdAt: reqDate(r.created_at),
    monitorCount: Number(r.monitor_count),
    defaults: { remindEvery: num(r.default_remind_every) },
    pingKeyHash: str(r.ping_key_hash),
  };
}

export const MONITOR_COLUMNS = [
  'id', 'account_id', 'name', 'schedule', 'grace', 'alert_email', 'alert_webhook', 'webhook_secret', 'ping_token',
  'status', 'created_at', 'last_ping_at', 'last_alert_at', 'ping_count', 'alert_at', 'history_days', 'alert_slack',
  'alert_pagerduty', 'cron', 'tz', 'last_start_at', 'last_duration', 'open_runs', 'manual_resume', 'badge_key',
  'resumed_at', 'flip_count', 'recent_flips', 'flapping_since', 'remind_every', 'remind_limit', 'down_since', 'acknowledged_at',
  'reminders_sent', 'next_reminder_at', 'alert_after', 'recover_after', 'max_runtime', 'min_runtime', 'consecutive_failures',
  'consecutive_successes', 'missed_due_at', 'channels', 'tags', 'snoozed_until', 'depends_on', 'slug',
] as const;

export function monitorValues(m: Monitor): unknown[] {
  return [
    m.id, m.accountId, m.name, m.schedule, m.grace, emailColumn(m.alertEmail), m.alertWebhook, m.webhookSecret, m.pingToken,
    m.status, ms(m.createdAt), ms(m.lastPingAt), ms(m.lastAlertAt), m.pingCount, ms(m.alertAt), m.historyDays, m.alertSlack,
    m.alertPagerDuty, m.cron, m.tz, ms(m.lastStartAt), m.lastDuration, openRunsJson(m.openRuns), flag(m.manualResume), m.badgeKey,
    ms(m.resumedAt), m.flipCount, recentFlipsJson(m.recentFlips), ms(m.flappingSince), m.remindEvery, m.remindLimit, ms(m.downSince),
    ms(m.acknowledgedAt), m.remindersSent, ms(m.nextReminderAt), m.alertAfter, m.recoverAfter, m.maxRuntime, m.minRuntime,
    m.consecutiveFailures, m.consecutiveSuccesses, ms(m.missedDueAt), attachedJson(m.channels), tagsJson(m.tags),
    ms(m.snoozedUntil), tagsJson(m.dependsOn), m.slug ?? null,
  ];
}

/** Where each monitor column sits in a row read as an array of values (`SELECT_MONITOR` in better-sqlite3's raw mode). */
const M = Object.fromEntries(MONITOR_COLUMNS.map((c, i) => [c, i])) as Record<(typeof MONITOR_COLUMNS)[number], number>;

/**
 * The columns of `monitorFromValues`, in its order. The ping path reads a monitor this way: a
 * row as an array costs about half of what better-sqlite3 takes to build it as an object of 46
 * named properties (issue 24, docs/performance.md).
 */
export const SELECT_MONITOR = `SELECT ${MONITOR_COLUMNS.join(', ')} FROM monitors`;

export function toMonitor(r: Row): Monitor {
  return monitorFromValues(MONITOR_COLUMNS.map((c) => r[c]));
}

/** A monitor from its columns' values in `MONITOR_COLUMNS` order: the one mapping of a monitor row. */
export function monitorFromValues(v: unknown[]): Monitor {
  return {
    id: String(v[M.id]),
    accountId: String(v[M.account_id]),
    channels: toAttached(v[M.channels]),
    tags: toTags(v[M.tags]),
    // Rows written before slugs have none.
    slug: str(v[M.slug]),
    // Rows written before maintenance: not snoozed, no parents (the columns' defaults).
    snoozedUntil: date(v[M.snoozed_until]),
    dependsOn: toTags(v[M.depends_on]),
    name: String(v[M.name]),
    schedule: Number(v[M.schedule]),
    cron: str(v[M.cron]),
    tz: str(v[M.tz]),
    grace: Number(v[M.grace]),
    alertEmail: v[M.alert_email] === NO_EMAIL ? null : String(v[M.alert_email]),
    alertWebhook: (v[M.alert_webhook] as string | null) ?? null,
    webhookSecret: (v[M.webhook_secret] as string | null) ?? null,
    alertSlack: (v[M.alert_slack] as string | null) ?? null,
    alertPagerDuty: (v[M.alert_pagerduty] as string | null) ?? null,
    pingToken: String(v[M.ping_token]),
    badgeKey: str(v[M.badge_key]),
    status: v[M.status] as Monitor['status'],
    manualResume: Number(v[M.manual_resume]) === 1,
    createdAt: reqDate(v[M.created_at]),
    lastPingAt: date(v[M.last_ping_at]),
    lastAlertAt: date(v[M.last_alert_at]),
    pingCount: Number(v[M.ping_count]),
    alertAt: date(v[M.alert_at]),
    historyDays: v[M.history_days] === null ? null : Number(v[M.history_days]),
    lastStartAt: date(v[M.last_start_at]),
    lastDuration: num(v[M.last_duration]),
    openRuns: toOpenRuns(v[M.open_runs]),
    resumedAt: date(v[M.resumed_at]),
    flipCount: Number(v[M.flip_count]),
    recentFlips: toRecentFlips(v[M.recent_flips]),
    flappingSince: date(v[M.flapping_since]),
    remindEvery: num(v[M.remind_every]),
    remindLimit: num(v[M.remind_limit]),
    downSince: date(v[M.down_since]),
    alertAfter: Number(v[M.alert_after]),
    recoverAfter: Number(v[M.recover_after]),
    maxRuntime: num(v[M.max_runtime]),
    minRuntime: num(v[M.min_runtime]),
    consecutiveFailures: Number(v[M.consecutive_failures]),
    consecutiveSuccesses: Number(v[M.consecutive_successes]),
    missedDueAt: date(v[M.missed_due_at]),
    acknowledgedAt: date(v[M.acknowledged_at]),
    remindersSent: Number(v[M.reminders_sent] ?? 0),
    nextReminderAt: date(v[M.next_reminder_at]),
  };
}

/** `seq` is not listed: it is the row id, given by SQLite, and orders pings of the same millisecond. */
export const PING_COLUMNS = [
  'monitor_id', 'at', 'method', 'kind', 'source', 'user_agent', 'body', 'expires_at', 'exit_code', 'rid', 'duration', 'body_truncated',
  'body_size',
] as const;

export function pingValues(p: Ping): unknown[] {
  return [
    p.monitorId, ms(p.at), p.method, p.kind, p.source, p.userAgent, p.body, ms(p.expiresAt), p.exitCode, p.rid, p.duration,
    flag(p.bodyTruncated), bodySize(p.body),
  ];
}

export function toPing(r: Row): Ping {
  return {
    monitorId: String(r.monitor_id),
    at: reqDate(r.at),
    method: r.method as Ping['method'],
    kind: r.kind as Ping['kind'],
    exitCode: num(r.exit_code),
    rid: str(r.rid),
    duration: num(r.duration),
    source: (r.source as string | null) ?? null,
    userAgent: (r.user_agent as string | null) ?? null,
    body: (r.body as string | null) ?? null,
    bodyTruncated: Number(r.body_truncated) === 1,
    expiresAt: date(r.expires_at),
  };
}

/** A ping's place in its history: the row id is both its sequence and its id. */
export const pingPageKey = (r: Row): PageKey => ({ at: reqDate(r.at), seq: Number(r.seq), id: String(r.seq) });

export const FLIP_COLUMNS = ['id', 'monitor_id', 'from_status', 'to_status', 'at', 'reason'] as const;

export function flipValues(f: Flip): unknown[] {
  return [f.id, f.monitorId, f.from, f.to, ms(f.at), f.reason];
}

export function toFlip(r: Row): Flip {
  return {
    id: String(r.id),
    monitorId: String(r.monitor_id),
    from: r.from_status as Flip['from'],
    to: r.to_status as Flip['to'],
    at: reqDate(r.at),
    reason: r.reason as Flip['reason'],
  };
}

/** A flip's place in its history, read with its row id as `seq`. */
export const flipPageKey = (r: Row): PageKey => ({ at: reqDate(r.at), seq: Number(r.seq), id: String(r.id) });

export const NOTIFICATION_COLUMNS = [
  'id', 'flip_id', 'monitor_id', 'account_id', 'channel', 'event', 'target', 'created_at', 'state', 'attempts',
  'next_attempt_at', 'last_error', 'delivered_at', 'snapshot', 'channel_id',
] as const;

/** The alert's snapshot of its monitor is a JSON object in one column. */
export function notificationValues(n: Notification): unknown[] {
  return [
    n.id, n.flipId, n.monitorId, n.accountId, n.channel, n.event, n.target, ms(n.createdAt), n.state, n.attempts,
    ms(n.nextAttemptAt), n.lastError, ms(n.deliveredAt), JSON.stringify({ ...n.snapshot, lastPingAt: ms(n.snapshot.lastPingAt) }), n.channelId,
  ];
}

export function toNotification(r: Row): Notification {
  const snap = JSON.parse(String(r.snapshot)) as Omit<AlertSnapshot, 'lastPingAt'> & { lastPingAt: number | null };
  return {
    id: String(r.id),
    flipId: String(r.flip_id),
    channelId: str(r.channel_id),
    monitorId: String(r.monitor_id),
    accountId: String(r.account_id),
    channel: r.channel as Notification['channel'],
    event: r.event as Notification['event'],
    target: String(r.target),
    createdAt: reqDate(r.created_at),
    state: r.state as Notification['state'],
    attempts: Number(r.attempts),
    nextAttemptAt: date(r.next_attempt_at),
    lastError: (r.last_error as string | null) ?? null,
    deliveredAt: date(r.delivered_at),
    snapshot: { ...snap, lastPingAt: date(snap.lastPingAt) },
  };
}

export const RECIPIENT_COLUMNS = [
  'id', 'account_id', 'email', 'status', 'confirm_token_hash', 'confirm_expires_at', 'unsubscribe_token', 'version', 'updated_at',
] as const;

export function recipientValues(r: Recipient): unknown[] {
  return [r.id, r.accountId, r.email, r.status, r.confirmTokenHash, ms(r.confirmExpiresAt), r.unsubscribeToken, r.version, ms(r.updatedAt)];
}

export function toRecipient(r: Row): Recipient {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    email: String(r.email),
    status: r.status as Recipient['status'],
    confirmTokenHash: str(r.confirm_token_hash),
    confirmExpiresAt: date(r.confirm_expires_at),
    unsubscribeToken: String(r.unsubscribe_token),
    version: Number(r.version),
    updatedAt: reqDate(r.updated_at),
  };
}

/** A notification's place in a delivery log: its time, then its id (`seq` is unused). */
export const notificationPageKey = (r: Row): PageKey => ({ at: reqDate(r.created_at), seq: 0, id: String(r.id) });

export const CHANNEL_COLUMNS = ['id', 'account_id', 'kind', 'name', 'config', 'events', 'is_default', 'webhook_secret', 'created_at'] as const;

/** A channel object's config and events are JSON in their columns. */
export function channelValues(c: AlertChannel): unknown[] {
  return [c.id, c.accountId, c.kind, c.name, JSON.stringify(c.config), JSON.stringify(c.events), flag(c.isDefault), c.webhookSecret, ms(c.createdAt)];
}

export function toChannel(r: Row): AlertChannel {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    kind: r.kind as AlertChannel['kind'],
    name: String(r.name),
    config: JSON.parse(String(r.config)) as AlertChannel['config'],
    events: JSON.parse(String(r.events)) as AlertChannel['events'],
    isDefault: Number(r.is_default) === 1,
    webhookSecret: str(r.webhook_secret),
    createdAt: reqDate(r.created_at),
  };
}

export const WINDOW_COLUMNS = ['id', 'account_id', 'name', 'monitors', 'schedule', 'tz', 'duration', 'start_at', 'end_at', 'created_at'] as const;

/** A window's monitors are JSON in their column: `"*"` (every monitor of the account) or an array of ids. */
export const windowMonitorsJson = (monitors: MaintenanceWindow['monitors']): string => JSON.stringify(monitors);
const toWindowMonitors = (v: unknown): MaintenanceWindow['monitors'] => {
  const parsed = JSON.parse(String(v)) as unknown;
  return parsed === '*' ? '*' : (parsed as unknown[]).map(String);
};

export function windowValues(w: MaintenanceWindow): unknown[] {
  return [w.id, w.accountId, w.name, windowMonitorsJson(w.monitors), w.schedule, w.tz, w.duration, ms(w.start), ms(w.end), ms(w.createdAt)];
}

export function toWindow(r: Row): MaintenanceWindow {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    name: String(r.name),
    monitors: toWindowMonitors(r.monitors),
    schedule: str(r.schedule),
    tz: str(r.tz),
    duration: num(r.duration),
    start: date(r.start_at),
    end: date(r.end_at),
    createdAt: reqDate(r.created_at),
  };
}

export const READ_KEY_COLUMNS = ['id', 'account_id', 'key_hash', 'name', 'access', 'created_at'] as const;

export function readKeyValues(k: ReadKey): unknown[] {
  return [k.id, k.accountId, k.keyHash, k.name, k.access, ms(k.createdAt)];
}

export function toReadKey(r: Row): ReadKey {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    keyHash: String(r.key_hash),
    name: String(r.name),
    access: r.access as ReadKey['access'],
    createdAt: reqDate(r.created_at),
  };
}
