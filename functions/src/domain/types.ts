import type { Channel, ChannelConfig, ChannelEvent } from './channels';
import type { PlanId } from './plans';

export type { Channel, ChannelConfig, ChannelEvent } from './channels';

/**
 * A channel object: where alerts go, defined once per account and attached to monitors
 * (`/api/v1/channels`). Its kind never changes; its config is validated by the channel registry.
 */
export interface AlertChannel {
  id: string;
  accountId: string;
  kind: Channel;
  name: string;
  /** The kind's settings (`CHANNELS[kind].config`); secret fields are never answered as stored. */
  config: ChannelConfig;
  /** What it is told about; alerts of other events skip it. */
  events: ChannelEvent[];
  /** Attached to the account's new monitors that do not name their channels. */
  isDefault: boolean;
  /** A webhook channel's HMAC signing key, answered once when the channel is created; null for other kinds. */
  webhookSecret: string | null;
  createdAt: Date;
}

/**
 * A channel object as a monitor keeps it: its id, and the kind and events copied from it so that
 * a flip makes its alerts from the monitor alone (no channel read on the ping path). The store
 * refreshes the copies when a channel's events change and removes them when it is deleted.
 */
export interface AttachedChannel {
  id: string;
  kind: Channel;
  events: ChannelEvent[];
}

/** Every status a monitor can have. */
export const MONITOR_STATUSES = ['new', 'up', 'down', 'paused'] as const;
export type MonitorStatus = (typeof MONITOR_STATUSES)[number];

export interface Account {
  id: string;
  email: string;
  apiKeyHash: string;
  plan: PlanId;
  createdAt: Date;
  monitorCount: number;
  /** Settings its new monitors take when they do not set them. */
  defaults: AccountDefaults;
  /** SHA-256 of the account's ping key (`pk_…`, pings by slug); null or absent when it has none. */
  pingKeyHash?: string | null;
}

/** An account's defaults for new monitors (`PATCH /api/v1/account`). */
export interface AccountDefaults {
  /** `remindEvery` of a new monitor that sets none; null: no reminders. */
  remindEvery: number | null;
}

export interface Monitor {
  id: string;
  accountId: string;
  name: string;
  /** Expected seconds between pings; for a cron monitor, the gap between two firings when the schedule was set. */
  schedule: number;
  /** A 5-field cron expression the job runs on; null for a plain period. */
  cron: string | null;
  /** The IANA zone `cron` is read in; null for a plain period. */
  tz: string | null;
  /** Seconds past the schedule before the monitor is declared down. */
  grace: number;
  // The alert* fields are the channel registry's monitor fields (`domain/channels.ts`), each a stored column.
  /** Where e-mail alerts go: the override given, else the account's e-mail; null when removed (no e-mail alerts). */
  alertEmail: string | null;
  alertWebhook: string | null;
  /** HMAC key for webhook signatures; shown once, when the webhook is set. */
  webhookSecret: string | null;
  /** A Slack incoming-webhook URL (Pro). */
  alertSlack: string | null;
  /** A PagerDuty Events API v2 integration (routing) key (Pro). */
  alertPagerDuty: string | null;
  /** The account's channel objects this monitor alerts, in the order they were attached. */
  channels: AttachedChannel[];
  /** Lower-case words the owner groups monitors by (`domain/tags.ts`), in the order given; the list filters by them. */
  tags: string[];
  /** The name a job can ping it by with the account's ping key (`domain/slugs.ts`), unique in its account; null or absent: none. */
  slug?: string | null;
  pingToken: string;
  /**
   * The key of the monitor's public status badge: read-only and separate from the ping token, so
   * a badge in a README never reveals how to ping. Null for monitors stored before badges (Firestore).
   */
  badgeKey: string | null;
  status: MonitorStatus;
  /** Set by a pause that only an explicit resume may end; otherwise a ping to a paused monitor resumes it. */
  manualResume: boolean;
  createdAt: Date;
  lastPingAt: Date | null;
  lastAlertAt: Date | null;
  pingCount: number;
  /**
   * When the checker must look at the monitor: when it goes down unless pinged, or while it flaps
   * when it settles, if that comes first; null while neither can happen (new, paused, down and not flapping).
   */
  alertAt: Date | null;
  /** How long this monitor's pings are kept, copied from the plan at creation; null keeps them. */
  historyDays: number | null;
  /** When the job last signalled a start. */
  lastStartAt: Date | null;
  /** Milliseconds the last run that reported a start and an end took. */
  lastDuration: number | null;
  /** Runs that reported a start and no end yet, oldest first; at most MAX_OPEN_RUNS. */
  openRuns: OpenRun[];
  /** When the monitor was last resumed; its deadline counts from this or its last ping, whichever is later. */
  resumedAt: Date | null;
  /** How many status changes the monitor has had: each flip takes the next number, which keeps flip ids unique. */
  flipCount: number;
  /**
   * When its latest alerting flips (up ⇄ down) happened, oldest first: those within the flapping
   * window, at most one more than the flapping limit (see `domain/alerts.ts`).
   */
  recentFlips: Date[];
  /** When it started flapping; null while it does not flap. Its flips alert nobody meanwhile. */
  flappingSince: Date | null;
  /** Seconds between `monitor.still_down` reminders while it is down; null sends none. */
  remindEvery: number | null;
  /** How many reminders one outage sends at most; null: no limit. */
  remindLimit: number | null;
  /** When its current outage began (its flip to down); null while it is not down. */
  downSince: Date | null;
  /** When someone acknowledged the current outage (no more reminders); null until then, and once it ends. */
  acknowledgedAt: Date | null;
  /** Reminders sent for the current outage. */
  remindersSent: number;
  /** When the next reminder is due; null while none will be sent (off, acknowledged, limit reached, not down). */
  nextReminderAt: Date | null;
  /** Failed runs in a row before it goes down (1: the first failure). */
  alertAfter: number;
  /** Successful runs in a row before a down monitor is up again. */
  recoverAfter: number;
  /** Seconds a started run may take before it counts as failed; null: grace bounds it ("started but never finished"). */
  maxRuntime: number | null;
  /** Seconds a run must take at least; one that ends sooner counts as failed. Null: no minimum. */
  minRuntime: number | null;
  /** Failed runs in a row (a success resets it); it goes down when this reaches `alertAfter`. */
  consecutiveFailures: number;
  /** Successful runs in a row (a failure resets it); a down monitor is up when this reaches `recoverAfter`. */
  consecutiveSuccesses: number;
  /**
   * The expected run time of the latest miss that tolerance let pass: deadlines count from it when
   * it is later than the last ping, so the next one is the run after it. Null until one is tolerated.
   */
  missedDueAt: Date | null;
  /** Until when its owner snoozed it: watched and recorded as always, its alerts held (`domain/quiet.ts`); null when not snoozed. */
  snoozedUntil: Date | null;
  /** Monitors of the same account whose outage explains this one's: while one is down or quiet, this one's down alerts are suppressed. */
  dependsOn: string[];
}

/** A run the job announced with a start signal; `rid` pairs it with its end when runs overlap. */
export interface OpenRun {
  rid: string | null;
  at: Date;
}

export type PingMethod = 'GET' | 'POST' | 'HEAD';

export interface Ping {
  monitorId: string;
  at: Date;
  method: PingMethod;
  kind: PingKind;
  /** The exit code the job reported (`/ping/:token/<code>`); null when it sent none. */
  exitCode: number | null;
  /** The run id the job sent (`?rid=`), pairing a start with its end. */
  rid: string | null;
  /** For an end paired with a start: how long the run took, in milliseconds. */
  duration: number | null;
  source: string | null;
  userAgent: string | null;
  /**
   * The start of what the job sent, decoded as UTF-8: up to 10 KB for a failure, 1 KB otherwise
   * (`bodyLimitFor` in services/ping.ts). Null when it sent nothing, or when the body was dropped
   * to keep the account within its plan's body budget.
   */
  body: string | null;
  /** True when the job sent more than is kept (a body dropped for the budget included). */
  bodyTruncated: boolean;
  expiresAt: Date | null;
}

/** A success (the plain ping URL, `/0`), a start, or a failure (`/fail`, `/1`…`/255`). */
export type PingKind = 'success' | 'start' | 'fail';

/** Why a run failed: the down reasons, which are what alerts tell the user. */
export type FailureReason =
  | 'missed'
  | 'failed'
  | 'started but never finished'
  | `exit code ${number}`
  | `ran longer than ${string}`
  | `finished too fast (${string})`;

/** Why a status changed; a down flip after more than one failed run in a row says how many (`missed (3rd failure in a row)`). */
export type FlipReason = 'ping' | 'pause' | 'resume' | FailureReason | `${FailureReason} (${string} failure in a row)`;

export interface Flip {
  id: string;
  monitorId: string;
  from: MonitorStatus;
  to: MonitorStatus;
  at: Date;
  reason: FlipReason;
}

/** What an alert says about its monitor, frozen at the moment of the flip. */
export interface AlertSnapshot {
  monitorId: string;
  name: string;
  schedule: number;
  grace: number;
  lastPingAt: Date | null;
  /**
   * The id of the flip that started this outage: the down alert's own flip, and for the up
   * alert the down flip it ends. Channels that pair a recovery with its alert (PagerDuty's
   * `dedup_key`) derive their key from it. Absent on rows written before it existed.
   */
  outageId?: string;
  /** The cron expression and its zone, for cron monitors. */
  cron?: string | null;
  tz?: string | null;
  /** Why the monitor flipped: `missed`, `failed`, `exit code 3`, `started but never finished`, `ping`. */
  reason?: FlipReason;
  /** The last lines of what the failing run sent in its POST body. */
  output?: string | null;
  /** For `monitor.flapping`, the status its latest flip reached; for `monitor.settled`, the status it settled in. */
  status?: 'up' | 'down';
  /**
   * For `monitor.still_down`: which reminder this is (1-based), the outage's limit (null: none),
   * and when the outage began, as ISO text so that both stores keep the snapshot as it is.
   */
  reminder?: { number: number; limit: number | null; downSince: string };
  /** Set on an alert that was held and sent when the quiet period it fell in ended: which kind of quiet it was. */
  afterQuiet?: 'maintenance' | 'snooze';
  /** Set on a down alert held while a parent was down and sent once the parent recovered: the parent's name. */
  afterParent?: string;
}

/**
 * An outage and its recovery; `monitor.flapping` when a monitor keeps changing status (its flips
 * then alert nobody), and `monitor.settled` once it has held one status long enough again;
 * `monitor.still_down` reminds, every `remindEvery`, of an outage nobody has acknowledged.
 */
export type AlertEvent = 'monitor.down' | 'monitor.up' | 'monitor.flapping' | 'monitor.settled' | 'monitor.still_down' | 'channel.test';
/**
 * `held`: waiting for a quiet period (window or snooze) or a parent's outage to end, `nextAttemptAt`
 * says when it is looked at again; `suppressed`: final, not sent and owed to nobody (`lastError` says why).
 */
export type NotificationState = 'pending' | 'processing' | 'held' | 'delivered' | 'logged' | 'failed' | 'suppressed';

/**
 * One alert for one channel: an outbox row. While it can still be attempted `nextAttemptAt`
 * says when (for a claimed row, when its lease ends); it is null once the row is final.
 */
export interface Notification {
  id: string;
  flipId: string;
  monitorId: string;
  accountId: string;
  /** The kind of channel it goes to. */
  channel: Channel;
  /**
   * The channel object it goes to, whose config delivery reads at send time (so a fixed URL or
   * token applies to retries, and no secret is copied into the outbox); null for the monitor's
   * own alert fields, whose value is `target`.
   */
  channelId: string | null;
  event: AlertEvent;
  /** The monitor field's value (an address, a URL, a key); for a channel object, its id. */
  target: string;
  createdAt: Date;
  state: NotificationState;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
  snapshot: AlertSnapshot;
}

/** What a key lets its holder do: the account's main key changes anything, a read-only key reads only. */
export type KeyAccess = 'full' | 'read';

/**
 * A read-only API key of an account (`POST /api/v1/account/keys`): it reads what the account's
 * main key reads and changes nothing. Only its SHA-256 is kept; the key is shown once.
 */
export interface ReadKey {
  /** `key_` and 16 hex characters: how its owner names it to revoke it. */
  id: string;
  accountId: string;
  keyHash: string;
  name: string;
  access: 'read';
  createdAt: Date;
}
