import { displayLines, shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, headlineOf, monitorDashboardUrl, monitorFacts, quotedName, resultWithoutSecrets, settingsOf, urlSecrets } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const GOOGLECHAT_TIMEOUT_MS = 10_000;

/**
 * Chat's text markup (https://developers.google.com/workspace/chat/format-messages) has no
 * escape: `<users/all>` mentions everyone, `<url|text>` is a link, `*`, `_`, `~` and backquotes
 * format. In user text each becomes its look-alike, so a name reads as written and does nothing.
 */
const LOOK_ALIKES: Record<string, string> = { '<': '‹', '>': '›', '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };
export const escapeGoogleChat = (s: string): string => s.replace(/[<>*_~`]/g, (c) => LOOK_ALIKES[c]);

/**
 * A text message (https://developers.google.com/workspace/chat/quickstart/webhooks): the
 * headline in bold, the details, the output in a monospace block, and the dashboard link as
 * `<url|text>`; at most 4096 characters.
 */
export function googleChatMessage(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const head = headlineOf(n);
  const what = n.event === 'channel.test' ? 'channel' : 'monitor';
  const lines = [`${head.emoji} *${head.title}: ${what} ${escapeGoogleChat(quotedName(s.name))}* — ${escapeGoogleChat(head.summary)}`, escapeGoogleChat(head.detail)];
  const facts = monitorFacts(n);
  if (facts.length > 0) lines.push('', ...facts.map((f) => `*${f.name}:* ${escapeGoogleChat(f.value)}`));
  if (s.output) lines.push('', '*Last lines of its output:*', '```', escapeGoogleChat(shortened(displayLines(s.output), 2_500)), '```');
  if (dashboardUrl !== null) lines.push('', `<${dashboardUrl}|Open in CronPeek>`);
  return { text: lines.join('\n') };
}

/** Google's refusals: `{"error": {"code": 400, "message": …, "status": "INVALID_ARGUMENT"}}` (https://cloud.google.com/apis/design/errors). */
function googleChatReason(body: string): string {
  const error = answerObject(body)?.error as { message?: unknown; status?: unknown } | undefined;
  if (typeof error !== 'object' || error === null) return answerText(body);
  const parts = [error.status, error.message].filter((p): p is string => typeof p === 'string');
  return parts.length > 0 ? parts.join(': ').slice(0, 300) : answerText(body);
}

const GOOGLECHAT: HttpChannel = { label: 'Google Chat', targetLabel: 'Google Chat webhook', reasonOf: googleChatReason };

export interface GoogleChatOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Posts to a Google Chat space's incoming webhook (the channel object's `url`, whose `key` and
 * `token` are the secret). Chat answers 200 with the message; 429 (one message a second per
 * space) and 5xx retry; 400, 403, 404 are final.
 */
export function googlechatNotifier(config: NotifyConfig, options: GoogleChatOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? GOOGLECHAT_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['url']);
      if (settings === null) return { outcome: 'failed', error: 'Google Chat channel has no settings' };
      const body = JSON.stringify(googleChatMessage(n, monitorDashboardUrl(config.publicUrl, n)));
      return resultWithoutSecrets(await postAlert({ url: settings.url, body }, GOOGLECHAT, config, { ...options, timeoutMs }), urlSecrets(settings.url));
    },
  };
}
