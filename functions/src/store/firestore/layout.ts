import { createHash } from 'node:crypto';
import { FieldValue, Timestamp, type DocumentData, type DocumentSnapshot } from 'firebase-admin/firestore';
import type { MaintenanceWindow } from '../../domain/maintenance';
import type { Recipient } from '../../domain/recipients';
import type { ReminderState } from '../../domain/reminders';
import type { Account, AlertChannel, AlertSnapshot, AttachedChannel, Flip, Monitor, Notification, OpenRun, Ping, ReadKey } from '../../domain/types';
import { bodySize } from '../port';

/**
 * How CronPeek's data sits in Firestore. Every query the adapter makes has its index in
 * `firestore.indexes.json` at the repository root; fields not listed there are exempt from
 * indexing, so keep the two in step.
 *
 *   accounts/{accountId}            the account; `monitorCount` is what the plan limit checks;
 *                                   `recoveryTokenHash` and `recoveryExpiresAt` hold a lost-key token;
 *                                   `channelCount` is what the channel cap checks
 *   channels/{channelId}            a channel object; queried by `accountId` (ordered by `createdAt`, `seq`)
 *   apiKeys/{sha256 of the key}     { accountId }: authentication is a document read, not a query
 *   emails/{normalised e-mail}      { accountId }: `create()` makes e-mails unique
 *   monitors/{monitorId}            the monitor; queried by `pingToken`, by `badgeKey`, by `accountId`, by `alertAt`,
 *                                   and by `channelIds` (array-contains: the monitors a channel is attached to)
 *   monitors/{id}/pings/{autoId}    ping history; `expiresAt` carries the TTL policy; queried across
 *                                   monitors by `accountId` with `bodySize` (to total an account's
 *                                   bodies) and with `bodyAt` (its oldest bodies, to trim them)
 *   monitors/{id}/flips/{flipId}    status changes, ordered by `at` then `seq`
 *   notifications/{notificationId}  the alert outbox; queried by `nextAttemptAt`, by `monitorId` and
 *                                   by `channelId` (delivery logs, newest first by `createdAt`), and
 *                                   by `accountId` (to delete an account's)
 *   rateLimits/{counterId}          abuse-limit counters (`limits.ts`), and the hourly alert e-mail
 *                                   counters (`alertEmailCounterId`); `expiresAt` carries their TTL
 *   recipients/{recipientId}        an address an account alerts and whether it confirmed; the id is
 *                                   derived from both (`recipientId`), so lookups are document reads;
 *                                   queried by `accountId` only to delete an account's
 *   maintenanceWindows/{windowId}   a maintenance window; queried by `accountId` (ordered by `createdAt`,
 *                                   `seq`); the account's `windowCount` is what the cap checks
 */
export const ACCOUNTS = 'accounts';
/**
 * monitorSlugs/{accountId}:{slug}   { monitorId, accountId }: `create()` in the monitor's transaction
 *                                   makes a slug unique in its account; a ping by slug reads it, then the monitor
 * pingKeys/{sha256 of the key}      { accountId }: the account's ping key, as `apiKeys` holds its main key
 */
export const MONITOR_SLUGS = 'monitorSlugs';
export const PING_KEYS = 'pingKeys';
export const monitorSlugId = (accountId: string, slug: string): string => `${accountId}:${slug}`;
export const API_KEYS = 'apiKeys';
export const EMAILS = 'emails';
export const MONITORS = 'monitors';
export const PINGS = 'pings';
export const FLIPS = 'flips';
export const NOTIFICATIONS = 'notifications';
export const CHANNELS = 'channels';
export const WINDOWS = 'maintenanceWindows';
/**
 * deletions/{kind}:{id}: a deleted monitor (its pings and flips) or account (its notifications)
 * whose documents are still being removed; see `FirestoreStore.finishDeletions`.
 */
export const DELETIONS = 'deletions';
export type DeletionKind = 'monitor' | 'account';

export function deletionDoc(kind: DeletionKind, ownerId: string): DocumentData {
  return { kind, ownerId };
}

/** The fields of a ping whose body was dropped to keep its account within budget. */
export const BODY_DROPPED: DocumentData = { body: null, bodySize: 0, bodyAt: FieldValue.delete(), bodyTruncated: true };
export const RECIPIENTS = 'recipients';

/** An hourly alert e-mail counter (an account, or a recipient address, hashed) in the rate-limit collection. */
export function alertEmailCounterId(counter: string, hour: number): string {
  return `alertEmail_${createHash('sha256').update(counter).digest('hex').slice(0, 32)}_${hour}`;
}

/** Document ids cannot contain `/`; escaping `%` first keeps the mapping one-to-one. */
export function emailDocId(email: string): string {
  return email.replace(/%/g, '%25').replace(/\//g, '%2F');
}

const ts = (d: Date | null): Timestamp | null => (d === null ? null : Timestamp.fromDate(d));
const date = (v: unknown): Date | null => (v instanceof Timestamp ? v.toDate() : null);
const reqDate = (v: unknown): Date => (v as Timestamp).toDate();
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Open runs as the monitor document holds them: a small array, rewritten whole by each signal. */
export const openRunsDoc = (runs: OpenRun[]): DocumentData[] => runs.map((r) => ({ rid: r.rid, at: ts(r.at) }));
/** The reminder state of a monitor's outage as its document holds it (same field names). */
export const remindersDoc = (r: ReminderState): DocumentData => ({
  downSince: ts(r.downSince),
  acknowledgedAt: ts(r.acknowledgedAt),
  remindersSent: r.remindersSent,
  nextReminderAt: ts(r.nextReminderAt),
});
const toOpenRuns = (v: unknown): OpenRun[] =>
  Array.isArray(v) ? v.map((r: DocumentData) => ({ rid: str(r.rid), at: reqDate(r.at) })) : [];

function data(snap: DocumentSnapshot): DocumentData {
  const d = snap.data();
  if (d === undefined) throw new Error(`${snap.ref.path} does not exist`);
  return d;
}

export function accountDoc(a: Account): DocumentData {
  return {
    email: a.email,
    apiKeyHash: a.apiKeyHash,
    plan: a.plan,
    createdAt: ts(a.createdAt),
    monitorCount: a.monitorCount,
    // Settings new monitors take when they do not set them.
    defaults: { remindEvery: a.defaults.remindEvery },
    // Counts every monitor ever created, never decremented: it orders an account's monitors created in the same millisecond.
    monitorSeq: 0,
    // Lost-key recovery: the hash of the one token the account may hold, and when it expires.
    recoveryTokenHash: null,
    recoveryExpiresAt: null,
    // Channel objects held (the cap checks it), and created ever (it orders those of the same millisecond).
    channelCount: 0,
    channelSeq: 0,
    // Maintenance windows held (the cap checks it), and created ever (it orders those of the same millisecond).
    windowCount: 0,
    windowSeq: 0,
    // The hash of the account's ping key (pings by slug); its `pingKeys` document finds the account.
    pingKeyHash: null,
  };
}

export function toAccount(snap: DocumentSnapshot): Account {
  const d = data(snap);
  return {
    id: snap.id,
    email: d.email,
    apiKeyHash: d.apiKeyHash,
    plan: d.plan,
    createdAt: reqDate(d.createdAt),
    monitorCount: d.monitorCount,
    // Accounts stored before defaults have none.
    defaults: { remindEvery: num(d.defaults?.remindEvery) },
    // Accounts stored before ping keys have none.
    pingKeyHash: str(d.pingKeyHash),
  };
}

/** `seq` is the monitor's place in its account's creation order (see `monitorSeq`). */
export function monitorDoc(m: Monitor, seq: number): DocumentData {
  return {
    accountId: m.accountId,
    name: m.name,
    schedule: m.schedule,
    cron: m.cron,
    tz: m.tz,
    grace: m.grace,
    alertEmail: m.alertEmail,
    alertWebhook: m.alertWebhook,
    webhookSecret: m.webhookSecret,
    alertSlack: m.alertSlack,
    alertPagerDuty: m.alertPagerDuty,
    pingToken: m.pingToken,
    badgeKey: m.badgeKey,
    status: m.status,
    manualResume: m.manualResume,
    createdAt: ts(m.createdAt),
    lastPingAt: ts(m.lastPingAt),
    lastAlertAt: ts(m.lastAlertAt),
    pingCount: m.pingCount,
    alertAt: ts(m.alertAt),
    historyDays: m.historyDays,
    lastStartAt: ts(m.lastStartAt),
    lastDuration: m.lastDuration,
    openRuns: openRunsDoc(m.openRuns),
    resumedAt: ts(m.resumedAt),
    seq,
    // How many flips the monitor has had; each flip takes the next number, so same-millisecond flips keep their order.
    flipCount: m.flipCount,
    // The alert policy's record for flapping: recent alerting flips, and since when it flaps.
    recentFlips: m.recentFlips.map(ts),
    flappingSince: ts(m.flappingSince),
    // Reminders: the settings, and the state of the current outage's reminders.
    remindEvery: m.remindEvery,
    remindLimit: m.remindLimit,
    downSince: ts(m.downSince),
    acknowledgedAt: ts(m.acknowledgedAt),
    remindersSent: m.remindersSent,
    nextReminderAt: ts(m.nextReminderAt),
    // Tolerance and run-time limits, the counts of runs in a row, and the last tolerated miss.
    alertAfter: m.alertAfter,
    recoverAfter: m.recoverAfter,
    maxRuntime: m.maxRuntime,
    minRuntime: m.minRuntime,
    consecutiveFailures: m.consecutiveFailures,
    consecutiveSuccesses: m.consecutiveSuccesses,
    missedDueAt: ts(m.missedDueAt),
    ...attachedDoc(m.channels),
    // Tags, in the order given; the list filters by them after reading the account's monitors, so no index.
    tags: [...m.tags],
    // Unique in the account through its `monitorSlugs` document, which a ping by slug reads; never queried.
    slug: m.slug ?? null,
    // Quiet times: read by delivery with the monitor, never queried.
    snoozedUntil: ts(m.snoozedUntil),
    dependsOn: [...m.dependsOn],
  };
}

/**
 * The attached channels as a monitor document holds them: the copies in attachment order, and
 * their ids alone, which an array-contains query finds a channel's monitors by.
 */
export function attachedDoc(channels: readonly AttachedChannel[]): DocumentData {
  return { channels: channels.map((c) => ({ id: c.id, kind: c.kind, events: [...c.events] })), channelIds: channels.map((c) => c.id) };
}

/** Documents written before channel objects have no `channels`. */
export const toAttached = (v: unknown): AttachedChannel[] =>
  Array.isArray(v) ? v.map((c: DocumentData) => ({ id: String(c.id), kind: c.kind, events: [...(c.events as AttachedChannel['events'])] })) : [];

export function toMonitor(snap: DocumentSnapshot): Monitor {
  const d = data(snap);
  return {
    id: snap.id,
    accountId: d.accountId,
    channels: toAttached(d.channels),
    // Documents written before tags have none.
    tags: Array.isArray(d.tags) ? d.tags.map(String) : [],
    // Documents written before slugs have none.
    slug: str(d.slug),
    // Documents written before maintenance: not snoozed, no parents.
    snoozedUntil: date(d.snoozedUntil),
    dependsOn: Array.isArray(d.dependsOn) ? d.dependsOn.map(String) : [],
    name: d.name,
    schedule: d.schedule,
    cron: str(d.cron),
    tz: str(d.tz),
    grace: d.grace,
    alertEmail: d.alertEmail,
    alertWebhook: str(d.alertWebhook),
    webhookSecret: str(d.webhookSecret),
    alertSlack: str(d.alertSlack),
    alertPagerDuty: str(d.alertPagerDuty),
    pingToken: d.pingToken,
    badgeKey: str(d.badgeKey),
    status: d.status,
    manualResume: d.manualResume === true,
    createdAt: reqDate(d.createdAt),
    lastPingAt: date(d.lastPingAt),
    lastAlertAt: date(d.lastAlertAt),
    pingCount: d.pingCount,
    alertAt: date(d.alertAt),
    historyDays: typeof d.historyDays === 'number' ? d.historyDays : null,
    lastStartAt: date(d.lastStartAt),
    lastDuration: num(d.lastDuration),
    openRuns: toOpenRuns(d.openRuns),
    resumedAt: date(d.resumedAt),
    // Documents written before flips were counted have none.
    flipCount: typeof d.flipCount === 'number' ? d.flipCount : 0,
    // Documents written before flapping was told have neither field.
    recentFlips: Array.isArray(d.recentFlips) ? d.recentFlips.map(reqDate) : [],
    flappingSince: date(d.flappingSince),
    // Documents written before reminders have none of their fields: reminders off, no outage state.
    remindEvery: num(d.remindEvery),
    remindLimit: num(d.remindLimit),
    downSince: date(d.downSince),
    acknowledgedAt: date(d.acknowledgedAt),
    remindersSent: typeof d.remindersSent === 'number' ? d.remindersSent : 0,
    nextReminderAt: date(d.nextReminderAt),
    // Documents written before tolerance have none of its fields: one failure alerts, one success recovers, no run-time limits.
    alertAfter: typeof d.alertAfter === 'number' ? d.alertAfter : 1,
    recoverAfter: typeof d.recoverAfter === 'number' ? d.recoverAfter : 1,
    maxRuntime: num(d.maxRuntime),
    minRuntime: num(d.minRuntime),
    consecutiveFailures: typeof d.consecutiveFailures === 'number' ? d.consecutiveFailures : 0,
    consecutiveSuccesses: typeof d.consecutiveSuccesses === 'number' ? d.consecutiveSuccesses : 0,
    missedDueAt: date(d.missedDueAt),
  };
}

/**
 * `seq` breaks ties between pings of the same millisecond: it is the count the monitor had when
 * the ping was read plus one, exact for pings that follow one another (concurrent pings of the
 * same instant may share it, and their order is then arbitrary).
 */
export function pingDoc(p: Ping, seq: number, accountId: string): DocumentData {
  const doc: DocumentData = {
    at: ts(p.at),
    method: p.method,
    kind: p.kind,
    exitCode: p.exitCode,
    rid: p.rid,
    duration: p.duration,
    source: p.source,
    userAgent: p.userAgent,
    body: p.body,
    bodyTruncated: p.bodyTruncated,
    expiresAt: ts(p.expiresAt),
    seq,
    accountId,
    bodySize: bodySize(p.body),
  };
  // Only pings that keep a body have `bodyAt`: a query ordered by it sees nothing else.
  if (p.body !== null) doc.bodyAt = ts(p.at);
  return doc;
}

export function toPing(monitorId: string, snap: DocumentSnapshot): Ping {
  const d = data(snap);
  return {
    monitorId,
    at: reqDate(d.at),
    method: d.method,
    // Pings stored before signals existed have no kind: they were all successes.
    kind: d.kind ?? 'success',
    exitCode: num(d.exitCode),
    rid: str(d.rid),
    duration: num(d.duration),
    source: str(d.source),
    userAgent: str(d.userAgent),
    body: str(d.body),
    bodyTruncated: d.bodyTruncated === true,
    expiresAt: date(d.expiresAt),
  };
}

export function flipDoc(f: Flip, seq: number): DocumentData {
  return { from: f.from, to: f.to, at: ts(f.at), reason: f.reason, seq };
}

export function toFlip(monitorId: string, snap: DocumentSnapshot): Flip {
  const d = data(snap);
  return { id: snap.id, monitorId, from: d.from, to: d.to, at: reqDate(d.at), reason: d.reason };
}

export function notificationDoc(n: Notification): DocumentData {
  return {
    flipId: n.flipId,
    channelId: n.channelId,
    monitorId: n.monitorId,
    accountId: n.accountId,
    channel: n.channel,
    event: n.event,
    target: n.target,
    createdAt: ts(n.createdAt),
    state: n.state,
    attempts: n.attempts,
    nextAttemptAt: ts(n.nextAttemptAt),
    lastError: n.lastError,
    deliveredAt: ts(n.deliveredAt),
    snapshot: { ...n.snapshot, lastPingAt: ts(n.snapshot.lastPingAt) },
  };
}

export function toNotification(snap: DocumentSnapshot): Notification {
  const d = data(snap);
  const s = d.snapshot as Omit<AlertSnapshot, 'lastPingAt'> & { lastPingAt: unknown };
  return {
    id: snap.id,
    flipId: d.flipId,
    // Rows written before channel objects have none.
    channelId: str(d.channelId),
    monitorId: d.monitorId,
    accountId: d.accountId,
    channel: d.channel,
    event: d.event,
    target: d.target,
    createdAt: reqDate(d.createdAt),
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: date(d.nextAttemptAt),
    lastError: str(d.lastError),
    deliveredAt: date(d.deliveredAt),
    snapshot: {
      monitorId: s.monitorId,
      name: s.name,
      schedule: s.schedule,
      grace: s.grace,
      lastPingAt: date(s.lastPingAt),
      ...(typeof s.outageId === 'string' ? { outageId: s.outageId } : {}),
      // A flapping or settled alert says which status it reports; a settled one has no reason.
      ...(s.status === 'up' || s.status === 'down' ? { status: s.status, cron: s.cron ?? null, tz: s.tz ?? null } : {}),
      ...(s.reason !== undefined ? { cron: s.cron ?? null, tz: s.tz ?? null, reason: s.reason, output: s.output ?? null } : {}),
      // A reminder says which one it is, and since when its monitor is down.
      ...(s.reminder !== undefined ? { cron: s.cron ?? null, tz: s.tz ?? null, reminder: s.reminder } : {}),
    },
  };
}

/** A recipient record; its id is the document id. */
export function recipientDoc(r: Recipient): DocumentData {
  return {
    accountId: r.accountId,
    email: r.email,
    status: r.status,
    confirmTokenHash: r.confirmTokenHash,
    confirmExpiresAt: ts(r.confirmExpiresAt),
    unsubscribeToken: r.unsubscribeToken,
    version: r.version,
    updatedAt: ts(r.updatedAt),
  };
}

export function toRecipient(snap: DocumentSnapshot): Recipient {
  const d = data(snap);
  return {
    id: snap.id,
    accountId: d.accountId,
    email: d.email,
    status: d.status,
    confirmTokenHash: str(d.confirmTokenHash),
    confirmExpiresAt: date(d.confirmExpiresAt),
    unsubscribeToken: d.unsubscribeToken,
    version: d.version,
    updatedAt: reqDate(d.updatedAt),
  };
}

/** A channel object; `seq` is its place in its account's creation order (see `channelSeq`). */
export function channelDoc(c: AlertChannel, seq: number): DocumentData {
  return {
    accountId: c.accountId,
    kind: c.kind,
    name: c.name,
    config: c.config,
    events: c.events,
    isDefault: c.isDefault,
    webhookSecret: c.webhookSecret,
    createdAt: ts(c.createdAt),
    seq,
  };
}

export function toChannel(snap: DocumentSnapshot): AlertChannel {
  const d = data(snap);
  return {
    id: snap.id,
    accountId: d.accountId,
    kind: d.kind,
    name: d.name,
    config: d.config,
    events: d.events,
    isDefault: d.isDefault === true,
    webhookSecret: str(d.webhookSecret),
    createdAt: reqDate(d.createdAt),
  };
}

/**
 * readKeys/{sha256 of the key}: a read-only key. Authentication is a document read, as for the
 * main key (`apiKeys`); queried by `accountId` only (listing, revoking, deleting an account's),
 * at most 20 documents, sorted in memory by `createdAt` then `seq` (the account's `readKeySeq`),
 * so no composite index. The account's `readKeyCount` is what the cap checks.
 */
export const READ_KEYS = 'readKeys';

export function readKeyDoc(k: ReadKey, seq: number): DocumentData {
  return { keyId: k.id, accountId: k.accountId, name: k.name, access: k.access, createdAt: ts(k.createdAt), seq };
}

export function toReadKey(snap: DocumentSnapshot): ReadKey {
  const d = data(snap);
  return { id: d.keyId, accountId: d.accountId, keyHash: snap.id, name: d.name, access: d.access, createdAt: reqDate(d.createdAt) };
}

/**
 * A maintenance window; `seq` is its place in its account's creation order (see `windowSeq`).
 * `monitors` is the string `'*'` or an array of ids, as the domain has it.
 */
export function windowDoc(w: MaintenanceWindow, seq: number): DocumentData {
  return { ...windowSettingsDoc(w), accountId: w.accountId, createdAt: ts(w.createdAt), seq };
}

/** The fields an edit of a window rewrites: all its settings. */
export function windowSettingsDoc(w: MaintenanceWindow): DocumentData {
  return {
    name: w.name,
    monitors: w.monitors === '*' ? '*' : [...w.monitors],
    schedule: w.schedule,
    tz: w.tz,
    duration: w.duration,
    start: ts(w.start),
    end: ts(w.end),
  };
}

export function toWindow(snap: DocumentSnapshot): MaintenanceWindow {
  const d = data(snap);
  return {
    id: snap.id,
    accountId: d.accountId,
    name: d.name,
    monitors: d.monitors === '*' ? '*' : (d.monitors as unknown[]).map(String),
    schedule: str(d.schedule),
    tz: str(d.tz),
    duration: num(d.duration),
    start: date(d.start),
    end: date(d.end),
    createdAt: reqDate(d.createdAt),
  };
}
