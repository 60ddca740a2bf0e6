import { displayLines, shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, headlineOf, monitorDashboardUrl, monitorFacts, quotedName, resultWithoutSecrets, settingsOf } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const TELEGRAM_TIMEOUT_MS = 10_000;

/** The three characters Telegram's HTML parse mode needs escaped (https://core.telegram.org/bots/api#html-style). */
export const escapeTelegram = (s: string): string => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);

/** A message's text is at most 4096 characters after entities are parsed; the output is cut well before. */
const MAX_OUTPUT = 2_500;

/**
 * A `sendMessage` call (https://core.telegram.org/bots/api#sendmessage): the headline in bold,
 * the details, the output in a `<pre>` block and a link to the monitor's dashboard page, in the
 * HTML parse mode with link previews off.
 */
export function telegramMessage(n: Notification, chatId: string, dashboardUrl: string | null) {
  const s = n.snapshot;
  const head = headlineOf(n);
  const what = n.event === 'channel.test' ? 'channel' : 'monitor';
  const lines = [`${head.emoji} <b>${head.title}: ${what} ${escapeTelegram(quotedName(s.name))}</b>`, escapeTelegram(head.summary), '', escapeTelegram(head.detail)];
  const facts = monitorFacts(n);
  if (facts.length > 0) lines.push('', ...facts.map((f) => `<b>${f.name}:</b> ${escapeTelegram(f.value)}`));
  if (s.output) lines.push('', '<b>Last lines of its output:</b>', `<pre>${escapeTelegram(shortened(displayLines(s.output), MAX_OUTPUT))}</pre>`);
  if (dashboardUrl !== null) lines.push('', `<a href="${escapeTelegram(dashboardUrl).replace(/"/g, '&quot;')}">Open in CronPeek</a>`);
  // "Integer or String" (a channel's @username): as text, a long id keeps every digit.
  return { chat_id: chatId, text: lines.join('\n'), parse_mode: 'HTML', link_preview_options: { is_disabled: true } };
}

/** Telegram's refusals: `{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}` (https://core.telegram.org/bots/api#making-requests). */
function telegramReason(body: string): string {
  const answer = answerObject(body);
  return typeof answer?.description === 'string' ? answer.description.slice(0, 300) : answerText(body);
}

/** A 429's `parameters.retry_after`, in seconds (https://core.telegram.org/bots/api#responseparameters). */
function telegramRetryAfter(body: string): number | null {
  const parameters = answerObject(body)?.parameters as { retry_after?: unknown } | undefined;
  const seconds = parameters?.retry_after;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds * 1000 : null;
}

const TELEGRAM: HttpChannel = { label: 'Telegram', targetLabel: 'Telegram Bot API', reasonOf: telegramReason, retryAfterOf: telegramRetryAfter };

export interface TelegramOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Sends through the Bot API at `config.telegramUrl` with the channel object's `botToken` and
 * `chatId`. Telegram answers `{"ok": true, …}`; 429 retries after `retry_after`; 400 (`chat not
 * found`), 401 (a revoked token) and 403 (the bot was removed) are final. The token is part of
 * the URL's path, so no error ever quotes the URL.
 */
export function telegramNotifier(config: NotifyConfig, options: TelegramOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? TELEGRAM_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['botToken', 'chatId']);
      if (settings === null) return { outcome: 'failed', error: 'Telegram channel has no settings' };
      const url = `${config.telegramUrl.replace(/\/+$/, '')}/bot${settings.botToken}/sendMessage`;
      const body = JSON.stringify(telegramMessage(n, settings.chatId, monitorDashboardUrl(config.publicUrl, n)));
      return resultWithoutSecrets(await postAlert({ url, body }, TELEGRAM, config, { ...options, timeoutMs }), [settings.botToken]);
    },
  };
}
