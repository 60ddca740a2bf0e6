import { shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, monitorDashboardUrl, plainMessage, reportedStatus, resultWithoutSecrets, settingsOf } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const PUSHOVER_TIMEOUT_MS = 10_000;

/**
 * High (1: past quiet hours) for an outage, normal for a recovery or a flapping monitor, low
 * (-1: no sound) for a test (https://pushover.net/api#priority). Never 2, which needs receipts.
 */
export function pushoverPriority(n: Notification): -1 | 0 | 1 {
  switch (n.event) {
    case 'monitor.down':
    case 'monitor.still_down':
      return 1;
    case 'monitor.settled':
      return reportedStatus(n) === 'down' ? 1 : 0;
    case 'monitor.up':
    case 'monitor.flapping':
      return 0;
    case 'channel.test':
      return -1;
  }
}

/**
 * A message (https://pushover.net/api#messages): plain text (no `html`, so a name shows as
 * written), title at most 250 characters, message 1024, url 512, url_title 100.
 */
export function pushoverMessage(n: Notification, keys: { userKey: string; appToken: string }, dashboardUrl: string | null) {
  const { title, text } = plainMessage(n);
  return {
    token: keys.appToken,
    user: keys.userKey,
    title: shortened(title, 250),
    message: shortened(text.slice(title.length).trim(), 1_024),
    priority: pushoverPriority(n),
    timestamp: Math.floor(n.createdAt.getTime() / 1000),
    ...(dashboardUrl === null ? {} : { url: dashboardUrl, url_title: 'Open in CronPeek' }),
  };
}

/** Pushover's refusals: `{"status": 0, "errors": ["application token is invalid"], "request": …}` (https://pushover.net/api#response). */
function pushoverReason(body: string): string {
  const errors = answerObject(body)?.errors;
  return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string').join('; ').slice(0, 300) : answerText(body);
}

const PUSHOVER: HttpChannel = { label: 'Pushover', targetLabel: 'Pushover API', reasonOf: pushoverReason };

export interface PushoverOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Sends to the channel object's `userKey` (a user or group) through its application's
 * `appToken`, at `config.pushoverUrl`. Pushover answers `{"status": 1}`; 4xx (an invalid key or
 * token) is final, 5xx and 429 (the application's monthly limit) retry.
 */
export function pushoverNotifier(config: NotifyConfig, options: PushoverOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? PUSHOVER_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['userKey', 'appToken']);
      if (settings === null) return { outcome: 'failed', error: 'Pushover channel has no settings' };
      const body = JSON.stringify(pushoverMessage(n, settings, monitorDashboardUrl(config.publicUrl, n)));
      return resultWithoutSecrets(await postAlert({ url: config.pushoverUrl, body }, PUSHOVER, config, { ...options, timeoutMs }), [settings.userKey, settings.appToken]);
    },
  };
}
