import type { DeliveryRecord } from '../domain/delivery';
import type { MaintenanceWindow, WindowSettings } from '../domain/maintenance';
import type { StatusPage } from '../domain/status-pages';
import type { EmailCaps, PlanId } from '../domain/plans';
import type { Recipient } from '../domain/recipients';
import type { MonitorUpdate } from '../domain/settings';
import type { PingTransition, Transition } from '../domain/transitions';
import type { Account, AccountDefaults, AlertChannel, Flip, Monitor, Notification, Ping, ReadKey } from '../domain/types';

/**
 * Decides what an event does to a monitor as the store currently holds it. Adapters call it
 * inside their transaction (and may call it again on retry), so it must be pure.
 */
export type Decide = (monitor: Monitor) => Transition | null;

/** Decides what a ping does to its monitor; a ping is always recorded, so there is always a transition. */
export type DecidePing = (monitor: Monitor) => PingTransition;

export interface Applied {
  /** The monitor after the change (or as it was, when `decide` returned null). */
  monitor: Monitor;
  transition: Transition | null;
}

/** A ping as the service hands it over; its run duration is decided by the transition it causes. */
export type PingData = Omit<Ping, 'monitorId' | 'expiresAt' | 'duration' | 'bodyTruncated'> & { bodyTruncated?: boolean };

/**
 * Where a history item sits in its newest-first order: time, then a per-monitor sequence, then
 * the item's id. All three are fixed when the item is written, so a page that starts after a
 * key never repeats or skips an item, however many arrive meanwhile.
 */
export interface PageKey {
  at: Date;
  seq: number;
  id: string;
}

export interface HistoryQuery {
  limit: number;
  /** Only items strictly after this key (older); null from the newest. */
  before: PageKey | null;
  /** Only items at or after this instant; null for all. */
  since: Date | null;
}

/** What counting an alert e-mail came to: counted, or refused by the account's or the recipient's hourly cap. */
export type EmailCount = 'counted' | 'account_cap' | 'recipient_cap';

/** The two counters an alert e-mail counts against: its account's, and its recipient address's (across accounts). */
export function emailCounters(accountId: string, recipient: string): [account: string, recipient: string] {
  return [`account:${accountId}`, `recipient:${recipient}`];
}

/** How many bytes of ping bodies each plan's accounts keep, and how often an account is totalled. */
export interface BodyBudget {
  bytes: Record<PlanId, number>;
  checkEvery: number;
}

/** What a ping's body counts against its account's budget: its size in bytes as stored (UTF-8). */
export const bodySize = (body: string | null): number => (body === null ? 0 : Buffer.byteLength(body));

/** Whose deliveries a delivery log lists: one monitor's, or one channel object's. */
export type NotificationOwner = { monitorId: string } | { channelId: string };

/** What an owner's edit of a channel object writes; its kind and id never change. */
export type ChannelUpdate = Partial<Pick<AlertChannel, 'name' | 'config' | 'events' | 'isDefault'>>;

/** What an owner's edit of a maintenance window writes: any of its settings (a form's fields set, the other form's null). */
export type WindowUpdate = Partial<WindowSettings>;

/** What an owner's edit of a status page writes; its id, account and creation never change. */
export type StatusPageUpdate = Partial<Pick<StatusPage, 'slug' | 'title' | 'description' | 'monitors'>>;

export interface Page<T> {
  items: T[];
  /** The key of the last item when more follow it; null on the last page. */
  next: PageKey | null;
}

/** A dashboard session: its credential (`cps_…`) is kept as its SHA-256 only, like every key. */
export interface Session {
  /** `ses_` and 16 hex characters: how its owner names it, never the secret. */
  id: string;
  accountId: string;
  sessionHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** The browser that signed in, as it named itself (capped); null when it did not. */
  userAgent: string | null;
}

/**
 * The storage port: what the services call, nothing else (reads only tests make are in
 * `inspection.ts`). Each adapter (SQLite, Firestore) maps it onto its own storage and passes the
 * shared contract suite. Writes that depend on a read are atomic:
 * a lost race is reported through the return value, never by overwriting someone else's write.
 */
export interface Store {
  /** 'email_taken' when an account already has this (normalised) e-mail. */
  createAccount(account: Account): Promise<'created' | 'email_taken'>;
  findAccountByKeyHash(apiKeyHash: string): Promise<Account | null>;
  /** The account with this e-mail; the caller passes it trimmed and lower-cased, as accounts store it. */
  findAccountByEmail(email: string): Promise<Account | null>;
  /**
   * Gives the account a new API key, but only while it still has `currentKeyHash`: of two
   * concurrent rotations with one key, one wins. The old key stops working when this returns.
   * False when the key was already replaced or the account is gone.
   */
  replaceApiKey(accountId: string, currentKeyHash: string, newKeyHash: string): Promise<boolean>;
  /**
   * Keeps a recovery token (its hash) on the account with this e-mail, replacing any earlier
   * one. False when no account has the e-mail.
   */
  saveRecoveryToken(email: string, tokenHash: string, expiresAt: Date): Promise<boolean>;
  /**
   * Redeems a recovery token, atomically: when the account with this e-mail holds `tokenHash`
   * and it has not expired at `now`, its key becomes `newKeyHash` (the old one stops working)
   * and the token is forgotten. False, changing nothing, otherwise; of concurrent redemptions
   * of one token exactly one succeeds.
   */
  redeemRecoveryToken(email: string, tokenHash: string, now: Date, newKeyHash: string): Promise<boolean>;
  /**
   * Deletes the account and everything it owns: its monitors with their pings and flips, its
   * notifications, its recipient records, channel objects and maintenance windows, its key, read-only keys, sessions and sign-in link and its e-mail (which may then sign up again). False when it did not exist.
   * When this returns the key no longer works, the e-mail is free and every monitor is gone (its
   * ping token too); pings, flips and notifications go afterwards, as `finishDeletions` says.
   */
  deleteAccount(accountId: string): Promise<boolean>;

  /**
   * Creates the monitor and counts it against its account, atomically refusing when the
   * account already holds `maxMonitors` (null: no limit). Its attached channels are written as
   * their channel objects are in the same transaction (see `editMonitor`). 'slug_taken' (nothing
   * written) when another monitor of the account has the monitor's slug: of concurrent creates
   * with one slug exactly one is created.
   */
  createMonitor(monitor: Monitor, maxMonitors: number | null): Promise<'created' | 'limit_reached' | 'slug_taken'>;
  /** The account's monitor with this slug; null when none has it. */
  findMonitorBySlug(accountId: string, slug: string): Promise<Monitor | null>;
  /**
   * Gives the monitor `slug` (null: none), atomically freeing its old one. 'slug_taken' (nothing
   * written) when another monitor of its account has it; null when the monitor does not exist.
   * Deleting the monitor (or its account) frees its slug.
   */
  setMonitorSlug(id: string, slug: string | null): Promise<Monitor | null | 'slug_taken'>;
  /**
   * Gives the account a ping key (its hash), replacing the one it had, which stops working when
   * this returns. False when the account does not exist.
   */
  setPingKey(accountId: string, pingKeyHash: string): Promise<boolean>;
  /** The account whose ping key has this hash; null when none has (never made, replaced, or its account deleted). */
  findAccountByPingKeyHash(pingKeyHash: string): Promise<Account | null>;
  /** The account's monitors, newest first. */
  listMonitors(accountId: string): Promise<Monitor[]>;
  getMonitor(id: string): Promise<Monitor | null>;
  /** The monitor whose public badge has this key; null when none has. */
  findMonitorByBadgeKey(badgeKey: string): Promise<Monitor | null>;
  /**
   * The monitor with this ping token, read without recording anything: snoozing from the job host
   * with only the ping URL names the monitor this way. Null when no monitor has the token (a
   * deleted monitor's token included), as `recordPing` would find none.
   */
  findMonitorByPingToken(pingToken: string): Promise<Monitor | null>;
  /**
   * Deletes the monitor, its pings and flips, and frees its slot. False when it did not exist.
   * When this returns the monitor is gone (reads miss it, its ping token stops working); its pings
   * and flips, a million of them perhaps, go afterwards, as `finishDeletions` says.
   */
  deleteMonitor(id: string): Promise<boolean>;
  /**
   * Removes what deleted monitors and accounts left behind (pings, flips, notifications) in small
   * batches, until none is left or `keepGoing` answers false; returns how many rows or documents
   * it removed. A deletion starts this in the background itself; the checker calls it on every
   * run, so that one cut short (a restart, a Cloud Function instance that ended) is finished.
   */
  finishDeletions(keepGoing: () => boolean): Promise<number>;

  /**
   * Records a ping for the monitor with this token and applies `decide` to it, atomically:
   * the ping row, the monitor's changes, the flip and its notifications land together or not
   * at all. The ping expires when the transition says. Null when no monitor has the token.
   */
  recordPing(pingToken: string, ping: PingData, decide: DecidePing): Promise<Applied | null>;
  /** Applies `decide` to the monitor atomically (its changes, flip and notifications). Null when it does not exist. */
  updateMonitor(id: string, decide: Decide): Promise<Applied | null>;
  /**
   * Moves a monitor's `alertAt` forward to `until` (never back, and only while it has one),
   * without decoding the monitor: the checker sets aside a monitor it failed to process this
   * way, so one bad monitor cannot stop the others' alerts run after run.
   */
  postponeMonitor(id: string, until: Date): Promise<void>;
  /**
   * Applies an owner's edit of settings atomically: `edit` sees the monitor as stored and returns
   * the fields to write (it may be called again on retry, so it must be pure). Writes no flip:
   * an edit never changes the status. Null when the monitor does not exist. Attached channels it
   * writes (`channels`) are taken as their channel objects are in the same transaction: kind and
   * events copied from each, and one deleted meanwhile or another account's left out, so an
   * attachment never outlives a concurrent delete or misses a concurrent events change.
   */
  editMonitor(id: string, edit: (monitor: Monitor) => MonitorUpdate): Promise<Monitor | null>;
  /** Ids of monitors whose `alertAt` is at or before `now`, earliest first. */
  findDueMonitors(now: Date, limit: number): Promise<string[]>;
  /**
   * The earliest moment anything is due: the first monitor `alertAt` or notification
   * `nextAttemptAt` (a lapsed lease included), null when nothing is. Two indexed minimums; the
   * embedded server arms its timer on it.
   */
  nextDueAt(): Promise<Date | null>;
  /**
   * How many monitor transitions the checker should have in flight at once, when the store
   * prefers a number of its own: SQLite commits the writes that arrive together in one
   * transaction, so a whole batch at once shares one commit. Absent: the checker's default.
   */
  readonly sweepParallelism?: number;
  /** A page of the monitor's pings, newest first. */
  pingHistory(monitorId: string, query: HistoryQuery): Promise<Page<Ping>>;
  /** A page of the monitor's status changes, newest first. */
  flipHistory(monitorId: string, query: HistoryQuery): Promise<Page<Flip>>;
  /** Removes pings whose `expiresAt` has passed; returns how many. */
  purgeExpiredPings(now: Date, limit: number): Promise<number>;
  /**
   * Keeps each account's stored ping bodies within its plan's budget. An account is totalled
   * once one of its monitors has stored `budget.checkEvery` body bytes since its last total; when
   * its bodies add up to more than `budget.bytes[plan]`, its oldest pings lose their bodies (the
   * pings stay, with `bodyTruncated`) until the rest fit. Works until `keepGoing` answers false
   * (an account left over budget is taken up again by the next call); returns how many bodies it dropped.
   */
  trimPingBodies(budget: BodyBudget, keepGoing: () => boolean): Promise<number>;

  /**
   * Notifications whose `nextAttemptAt` is at or before `now` (pending, or claimed with a lapsed
   * lease), earliest first, leaving out those of `exceptAccounts` (at most 10: accounts already
   * at their share of delivery, so the rows behind theirs can be reached). A row that cannot be
   * read is not returned but set aside, as `readDueRows` in `domain/delivery.ts` decides, so one
   * bad row cannot stop every other alert.
   */
  findDueNotifications(now: Date, limit: number, exceptAccounts?: readonly string[]): Promise<Notification[]>;
  /**
   * Claims a due notification for delivery: sets it `processing`, counts the attempt and moves
   * `nextAttemptAt` to `leaseUntil`. Null when someone else claimed it first or it is no longer due.
   */
  claimNotification(id: string, now: Date, leaseUntil: Date): Promise<Notification | null>;
  /**
   * Makes the account's `held` notifications due at `now` (those of `monitorIds` only, when given),
   * so the quiet rules look at them again at once: a snooze lifted or a window removed or
   * shortened ends what they waited for. Rows claimed meanwhile are left alone. Returns how many.
   */
  wakeHeldNotifications(accountId: string, monitorIds: readonly string[] | null, now: Date): Promise<number>;
  /** Like `postponeMonitor` for a notification's `nextAttemptAt`; `reason` becomes its `lastError`. */
  postponeNotification(id: string, until: Date, reason: string): Promise<void>;
  /**
   * Records the outcome of the attempt that claimed it (and `record.attempts` as its attempt count, when
   * given: a hold was no attempt); false when that claim was lost to another.
   */
  recordDelivery(id: string, attempt: number, record: DeliveryRecord): Promise<boolean>;

  /**
   * Counts an alert e-mail to `recipient` (trimmed and lower-cased) in clock hour `hour` (epoch
   * milliseconds / 3,600,000), against its account's and its recipient's caps, atomically: both
   * counts grow only when both are below their caps, so deliveries running together (in any
   * number of processes) never pass one. A refused e-mail is not counted.
   */
  countAlertEmail(accountId: string, recipient: string, hour: number, caps: EmailCaps): Promise<EmailCount>;

  /** The account with this id (delivery checks its plan before sending to a Pro channel). */
  getAccount(id: string): Promise<Account | null>;
  /** Moves the account to `plan`; the account as it is afterwards, or null when it does not exist. */
  setAccountPlan(accountId: string, plan: PlanId): Promise<Account | null>;
  /** Replaces the account's defaults for new monitors; null when the account is gone. */
  setAccountDefaults(accountId: string, defaults: AccountDefaults): Promise<Account | null>;

  /** The record of an address an account alerts, by its id (`recipientId`); null when the account never named it. */
  getRecipient(id: string): Promise<Recipient | null>;
  /**
   * Writes a recipient record compare-and-set: with `readVersion` null it is created (false when
   * it exists meanwhile), otherwise it replaces the version read (false when another write came
   * first). Of two concurrent confirmation requests one is written, so one e-mail goes out.
   * An account's records go when the account is deleted.
   */
  saveRecipient(next: Recipient, readVersion: number | null): Promise<boolean>;

  /**
   * Keeps a sign-in link's token (its hash) for the account with this e-mail, replacing the link
   * it held before (which stops working). False when no account has the e-mail.
   */
  saveSignInToken(email: string, tokenHash: string, expiresAt: Date): Promise<boolean>;
  /**
   * Spends a sign-in token, atomically: the id of its account when it exists and has not expired
   * at `now`, null otherwise. Of concurrent redemptions of one token exactly one gets the id.
   */
  redeemSignInToken(tokenHash: string, now: Date): Promise<string | null>;
  /**
   * Creates the dashboard session. Its account's sessions expired at `now` are dropped, and the
   * oldest others while it would hold more than `maxSessions`. 'no_account' (nothing written)
   * when the account does not exist. Deleting the account deletes its sessions; rotating its
   * main key does not.
   */
  createSession(session: Session, maxSessions: number, now: Date): Promise<'created' | 'no_account'>;
  /** The session with this hash, expired or not; null when none has it (never made, revoked, dropped, or its account deleted). */
  findSessionByHash(sessionHash: string): Promise<Session | null>;
  /** The account's sessions (expired ones too, until dropped), newest first. */
  listSessions(accountId: string): Promise<Session[]>;
  /** Ends the account's session `id`; it stops working when this returns. False when the account has no such session. */
  deleteSession(accountId: string, id: string): Promise<boolean>;

  /**
   * Creates the read-only key, atomically refusing when its account already holds `maxKeys` (or
   * does not exist). Deleting the account deletes its keys; rotating its main key does not.
   */
  createReadKey(key: ReadKey, maxKeys: number): Promise<'created' | 'limit_reached'>;
  /** The read-only key with this hash; null when none has it (never made, revoked, or its account deleted). */
  findReadKeyByHash(keyHash: string): Promise<ReadKey | null>;
  /** The account's read-only keys, oldest first. */
  listReadKeys(accountId: string): Promise<ReadKey[]>;
  /** Revokes the account's key `id`; it stops working when this returns. False when the account has no such key. */
  deleteReadKey(accountId: string, id: string): Promise<boolean>;

  /**
   * Creates the channel object, atomically refusing when its account already holds
   * `maxChannels`. Deleting the account deletes its channels.
   */
  createChannel(channel: AlertChannel, maxChannels: number): Promise<'created' | 'limit_reached'>;
  /** The account's channel objects, oldest first. */
  listChannels(accountId: string): Promise<AlertChannel[]>;
  getChannel(id: string): Promise<AlertChannel | null>;
  /**
   * Applies an owner's edit atomically (`edit` may run again on retry, so it must be pure). When
   * its events change, the copy each attached monitor keeps (`Monitor.channels`) is refreshed
   * too, so later alerts follow the new events. Null when the channel does not exist.
   */
  updateChannel(id: string, edit: (channel: AlertChannel) => ChannelUpdate): Promise<AlertChannel | null>;
  /**
   * Deletes the channel object and detaches it from every monitor it was attached to. Its
   * queued alerts stay, and are recorded as not sent when their turn comes. False when it did not exist.
   */
  deleteChannel(id: string): Promise<boolean>;
  /**
   * A page of the deliveries of one monitor or one channel object, newest first (by `createdAt`,
   * then id; `PageKey.seq` is always 0 for notifications).
   */
  notificationHistory(owner: NotificationOwner, query: HistoryQuery): Promise<Page<Notification>>;
  /** Writes a notification row as given: a channel's test alert, kept in its delivery log. */
  insertNotification(n: Notification): Promise<void>;

  /**
   * Creates the status page, atomically refusing when its account already holds `maxPages`
   * (or does not exist), and when another page (any account's) has its slug. Deleting the
   * account deletes its pages and frees their slugs.
   */
  createStatusPage(page: StatusPage, maxPages: number): Promise<'created' | 'limit_reached' | 'slug_taken'>;
  /** The account's status pages, oldest first. */
  listStatusPages(accountId: string): Promise<StatusPage[]>;
  getStatusPage(id: string): Promise<StatusPage | null>;
  /** The page at `/status/<slug>`; null when none has the slug. */
  findStatusPageBySlug(slug: string): Promise<StatusPage | null>;
  /**
   * Writes the fields `edit` names, atomically; a new slug is taken and the old one freed in the
   * same step. 'slug_taken' (nothing written) when another page has the new slug; null when the page does not exist.
   */
  updateStatusPage(id: string, edit: StatusPageUpdate): Promise<StatusPage | null | 'slug_taken'>;
  /** Deletes the page and frees its slug. False when it did not exist. */
  deleteStatusPage(id: string): Promise<boolean>;

  /**
   * Creates the maintenance window, atomically refusing when its account already holds
   * `maxWindows`. Deleting the account deletes its windows.
   */
  createWindow(window: MaintenanceWindow, maxWindows: number): Promise<'created' | 'limit_reached'>;
  /** The account's maintenance windows, oldest first (delivery reads them whole to decide an alert). */
  listWindows(accountId: string): Promise<MaintenanceWindow[]>;
  getWindow(id: string): Promise<MaintenanceWindow | null>;
  /** Applies an owner's edit atomically (`edit` may run again on retry, so it must be pure); null when the window does not exist. */
  updateWindow(id: string, edit: (window: MaintenanceWindow) => WindowUpdate): Promise<MaintenanceWindow | null>;
  /** Deletes the window; alerts it held are looked at again when they come due. False when it did not exist. */
  deleteWindow(id: string): Promise<boolean>;

  close(): Promise<void>;
}
