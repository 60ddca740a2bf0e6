import type { Channel, Notification } from '../domain/types';

/** What a channel reports back about one delivery attempt. */
export type SendResult =
  | { outcome: 'delivered' }
  /** No transport is configured (e-mail without a SendGrid key): the message was written to the log. */
  | { outcome: 'logged' }
  /** Worth trying again later: network errors, timeouts, 408, 429, 5xx. */
  | { outcome: 'retry'; error: string }
  /** Trying again cannot help: other 4xx, a refused target. */
  | { outcome: 'failed'; error: string };

export interface Notifier {
  send(notification: Notification, deliveryContext: { webhookSecret: string | null }): Promise<SendResult>;
}

export type Notifiers = Record<Channel, Notifier>;

/** HTTP answers after which trying again later may succeed: timeouts, rate limits, server errors. */
export const isTransientStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;
