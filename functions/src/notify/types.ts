import type { Channel, ChannelConfig, Notification } from '../domain/types';

/** How notifiers reach the outside world; `config.ts` builds it from the environment. */
export interface NotifyConfig {
  /** SendGrid API key; without one, e-mails are written to the log instead of sent. */
  sendgridApiKey: string | null;
  /** Overrides SendGrid's API origin (a local fake in tests). */
  sendgridApiUrl: string | null;
  emailFrom: string;
  /** Allow webhooks to private and loopback addresses (self-hosting only). */
  allowPrivateWebhooks: boolean;
  userAgent: string;
  /** PagerDuty Events API v2 endpoint (`CRONPEEK_PAGERDUTY_URL`; EU accounts and tests change it). */
  pagerdutyUrl: string;
  /** Origin of the dashboard that Slack and PagerDuty alerts link to; null leaves the link out. */
  publicUrl: string | null;
  /** Hosts a Slack URL may name (`CRONPEEK_SLACK_HOSTS`; `hooks.slack.com`). */
  slackHosts: readonly string[];
  /** Telegram Bot API origin (`CRONPEEK_TELEGRAM_URL`; `https://api.telegram.org`). */
  telegramUrl: string;
  /** Pushover's messages endpoint (`CRONPEEK_PUSHOVER_URL`; `https://api.pushover.net/1/messages.json`). */
  pushoverUrl: string;
  /** Opsgenie's API origins by region (`CRONPEEK_OPSGENIE_URL`, `CRONPEEK_OPSGENIE_EU_URL`). */
  opsgenieUrls: { us: string; eu: string };
  /** The ntfy server of a channel that names none (`CRONPEEK_NTFY_URL`; `https://ntfy.sh`). */
  ntfyUrl: string;
}

/** What a channel reports back about one delivery attempt. */
export type SendResult =
  | { outcome: 'delivered' }
  /** No transport is configured (e-mail without a SendGrid key): the message was written to the log. */
  | { outcome: 'logged' }
  /**
   * Worth trying again later: network errors, timeouts, 408, 429, 5xx. `retryAfterMs` when the
   * answer said how long to wait (`Retry-After`): the next attempt is no sooner.
   */
  | { outcome: 'retry'; error: string; retryAfterMs?: number }
  /** Trying again cannot help: other 4xx, a refused target. */
  | { outcome: 'failed'; error: string };

/** The links that stop an account's alerts to one address (RFC 8058 one-click, and a page for people). */
export interface UnsubscribeLinks {
  /** POSTed by the mail client (`List-Unsubscribe`). */
  oneClickUrl: string;
  /** The page a reader opens from the e-mail's text. */
  pageUrl: string;
}

/** What delivery knows about an alert beyond its row: the monitor's webhook key, an e-mail's unsubscribe links. */
export interface DeliveryContext {
  /** The webhook's signing key: the monitor's for `alertWebhook`, the channel object's for a webhook channel. */
  webhookSecret: string | null;
  unsubscribe?: UnsubscribeLinks;
  /**
   * For an alert to a channel object: its config as stored (secrets included), read at send
   * time. Kinds that a monitor field can set also find their one value in `notification.target`.
   */
  config?: ChannelConfig;
}

export interface Notifier {
  send(notification: Notification, deliveryContext: DeliveryContext): Promise<SendResult>;
}

/** One notifier per channel kind of the registry (`domain/channels.ts`). */
export type Notifiers = Record<Channel, Notifier>;

/** HTTP answers after which trying again later may succeed: timeouts, rate limits, server errors. */
export const isTransientStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;
