import { shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, headlineOf, monitorDashboardUrl, plainMessage, reportedStatus, resultWithoutSecrets, settingsOf } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const NTFY_TIMEOUT_MS = 10_000;

/**
 * How urgent each alert is on the phone (priority 1 min … 5 max, https://docs.ntfy.sh/publish/#message-priority)
 * and the emoji short code it is tagged with (https://docs.ntfy.sh/emojis/): an outage is urgent, a test is not.
 */
export function ntfyUrgency(n: Notification): { priority: 1 | 2 | 3 | 4 | 5; tags: string[] } {
  switch (n.event) {
    case 'monitor.down':
      return { priority: 5, tags: ['rotating_light'] };
    case 'monitor.still_down':
      return { priority: 4, tags: ['rotating_light'] };
    case 'monitor.up':
      return { priority: 3, tags: ['white_check_mark'] };
    case 'monitor.flapping':
      return { priority: 4, tags: ['warning'] };
    case 'monitor.settled':
      return reportedStatus(n) === 'down' ? { priority: 4, tags: ['rotating_light'] } : { priority: 3, tags: ['white_check_mark'] };
    case 'channel.test':
      return { priority: 2, tags: ['test_tube'] };
  }
}

/**
 * A message published as JSON to the server's root (https://docs.ntfy.sh/publish/#publish-as-json):
 * the headline as the title, the rest as plain text (ntfy renders no markup unless asked), and
 * the monitor's dashboard page as the click action.
 */
export function ntfyMessage(n: Notification, topic: string, dashboardUrl: string | null) {
  const { title, text } = plainMessage(n);
  const head = headlineOf(n);
  const urgency = ntfyUrgency(n);
  return {
    topic,
    // The tag shows the emoji before the title: the headline's own would say it twice.
    title: shortened(title.slice(head.emoji.length).trim(), 250),
    message: shortened(text.slice(title.length).trim(), 4_000),
    priority: urgency.priority,
    tags: urgency.tags,
    ...(dashboardUrl === null ? {} : { click: dashboardUrl }),
  };
}

/** ntfy's refusals: `{"code": 40301, "http": 403, "error": "forbidden", "link": …}` (https://docs.ntfy.sh/publish/#response). */
function ntfyReason(body: string): string {
  const answer = answerObject(body);
  if (typeof answer?.error !== 'string') return answerText(body);
  return `${answer.error.slice(0, 200)}${typeof answer.code === 'number' ? ` (code ${answer.code})` : ''}`;
}

const NTFY: HttpChannel = { label: 'ntfy', targetLabel: 'ntfy server', reasonOf: ntfyReason };

export interface NtfyOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Publishes to the channel object's `topic` on its `server` (`config.ntfyUrl` when it names
 * none), with its access `token` as a Bearer token when it has one
 * (https://docs.ntfy.sh/publish/#access-tokens). ntfy answers 200 with the message; 429 and 5xx
 * retry; 401/403 (a topic that needs a token) and 400 are final.
 */
export function ntfyNotifier(config: NotifyConfig, options: NtfyOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? NTFY_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['topic'], ['server', 'token']);
      if (settings === null) return { outcome: 'failed', error: 'ntfy channel has no settings' };
      const url = `${(settings.server ?? config.ntfyUrl).replace(/\/+$/, '')}/`;
      const body = JSON.stringify(ntfyMessage(n, settings.topic, monitorDashboardUrl(config.publicUrl, n)));
      const headers: Record<string, string> = settings.token === undefined ? {} : { Authorization: `Bearer ${settings.token}` };
      return resultWithoutSecrets(await postAlert({ url, body, headers }, NTFY, config, { ...options, timeoutMs }), [settings.token]);
    },
  };
}
