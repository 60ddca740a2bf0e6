import { displayLine, displayLines, shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, commonMarkText, headlineOf, monitorDashboardUrl, monitorFacts, plainMessage, resultWithoutSecrets, settingsOf, urlSecrets } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const MATTERMOST_TIMEOUT_MS = 10_000;

/** Attachment colours by headline: red down, green up, orange flapping, grey test. */
const COLOURS: Record<string, string> = { '🔴': '#d62728', '🟢': '#2ca02c', '🟠': '#ff7f0e', '🧪': '#7f7f7f' };

/**
 * A monitor name as Mattermost shows it: in an inline code span, where neither markdown nor an
 * `@channel`/`@here`/`@all` mention is interpreted (Mattermost looks for mentions outside code
 * only: https://github.com/mattermost/mattermost/issues/7076), so a name shows as written and
 * pings nobody. A backtick would end the span early.
 */
const codeName = (name: string): string => `\`${displayLine(name).replace(/`/g, "'")}\``;

/**
 * An incoming-webhook post (https://developers.mattermost.com/integrate/webhooks/incoming/): a
 * markdown `text` line that notifications show, and one Slack-compatible attachment
 * (https://developers.mattermost.com/integrate/reference/message-attachments/) with a colour bar,
 * the detail, the failing run's output, the monitor's facts and a link to its dashboard page.
 * `username` is used only where the server lets integrations override it; elsewhere it is ignored.
 */
export function mattermostMessage(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const head = headlineOf(n);
  const what = n.event === 'channel.test' ? 'channel' : 'monitor';
  const output = s.output ? `\n\n**Last lines of its output**\n\`\`\`\n${shortened(displayLines(s.output).replace(/`/g, "'"), 3_000)}\n\`\`\`` : '';
  const attachment = {
    fallback: plainMessage(n).title,
    color: COLOURS[head.emoji] ?? COLOURS['🔴'],
    text: `${commonMarkText(head.detail)}${output}`,
    fields: monitorFacts(n).map((f) => ({ short: true, title: f.name, value: commonMarkText(f.value) })),
    ...(dashboardUrl === null ? {} : { title: 'Open the CronPeek dashboard', title_link: dashboardUrl }),
  };
  return {
    username: 'CronPeek',
    text: `${head.emoji} **${head.title}**: ${what} ${codeName(s.name)} — ${commonMarkText(head.summary)}`,
    attachments: [attachment],
  };
}

/**
 * Mattermost's refusals are its AppError JSON, `{"id", "message", "detailed_error", "status_code"}`
 * (https://api.mattermost.com/#tag/errors): the message, and the detail when there is one.
 */
function mattermostReason(body: string): string {
  const answer = answerObject(body);
  if (answer === null || typeof answer.message !== 'string') return answerText(body);
  const detail = typeof answer.detailed_error === 'string' && answer.detailed_error !== '' ? ` (${answer.detailed_error})` : '';
  return `${answer.message}${detail}`.replace(/\s+/g, ' ').slice(0, 300);
}

const MATTERMOST: HttpChannel = { label: 'Mattermost', targetLabel: 'Mattermost webhook', reasonOf: mattermostReason };

export interface MattermostOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Posts to a Mattermost incoming webhook (the channel object's `url`, whose path is its secret).
 * Mattermost answers 200 `ok`; 429 and 5xx retry, other 4xx (an unknown or disabled webhook,
 * `Invalid webhook`) are final with Mattermost's message.
 */
export function mattermostNotifier(config: NotifyConfig, options: MattermostOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? MATTERMOST_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['url']);
      if (settings === null) return { outcome: 'failed', error: 'Mattermost channel has no settings' };
      const body = JSON.stringify(mattermostMessage(n, monitorDashboardUrl(config.publicUrl, n)));
      return resultWithoutSecrets(await postAlert({ url: settings.url, body }, MATTERMOST, config, { ...options, timeoutMs }), urlSecrets(settings.url));
    },
  };
}
