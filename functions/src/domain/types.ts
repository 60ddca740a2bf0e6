import type { PlanId } from './plans';

export type MonitorStatus = 'new' | 'up' | 'down' | 'paused';

export interface Account {
  id: string;
  email: string;
  apiKeyHash: string;
  plan: PlanId;
  createdAt: Date;
  monitorCount: number;
}

export interface Monitor {
  id: string;
  accountId: string;
  name: string;
  /** Expected seconds between pings. */
  schedule: number;
  /** Seconds past the schedule before the monitor is declared down. */
  grace: number;
  /** Where e-mail alerts go: the override given at creation, else the account's e-mail. */
  alertEmail: string;
  alertWebhook: string | null;
  /** HMAC key for webhook signatures; shown once, when the webhook is set. */
  webhookSecret: string | null;
  /** A Slack incoming-webhook URL (Pro). */
  alertSlack: string | null;
  /** A PagerDuty Events API v2 integration (routing) key (Pro). */
  alertPagerDuty: string | null;
  pingToken: string;
  status: MonitorStatus;
  createdAt: Date;
  lastPingAt: Date | null;
  lastAlertAt: Date | null;
  pingCount: number;
  /** When the monitor goes down unless pinged; null while it cannot go down (new, down, paused). */
  alertAt: Date | null;
  /** How long this monitor's pings are kept, copied from the plan at creation; null keeps them. */
  historyDays: number | null;
}

export type PingMethod = 'GET' | 'POST' | 'HEAD';

export interface Ping {
  monitorId: string;
  at: Date;
  method: PingMethod;
  kind: 'success';
  source: string | null;
  userAgent: string | null;
  /** At most PING_BODY_LIMIT bytes of what the job sent, decoded as UTF-8. */
  body: string | null;
  expiresAt: Date | null;
}

export type FlipReason = 'ping' | 'missed' | 'pause' | 'resume';

export interface Flip {
  id: string;
  monitorId: string;
  from: MonitorStatus;
  to: MonitorStatus;
  at: Date;
  reason: FlipReason;
}

export type Channel = 'email' | 'webhook' | 'slack' | 'pagerduty';
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
}

export type AlertEvent = 'monitor.down' | 'monitor.up';
export type NotificationState = 'pending' | 'processing' | 'delivered' | 'logged' | 'failed';

/**
 * One alert for one channel: an outbox row. While it can still be attempted `nextAttemptAt`
 * says when (for a claimed row, when its lease ends); it is null once the row is final.
 */
export interface Notification {
  id: string;
  flipId: string;
  monitorId: string;
  accountId: string;
  channel: Channel;
  event: AlertEvent;
  target: string;
  createdAt: Date;
  state: NotificationState;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
  snapshot: AlertSnapshot;
}
