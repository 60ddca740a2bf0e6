import { displayLine, displayLines } from '../domain/text';
import type { Notification } from '../domain/types';
import { duration, headlineOf, lastPingOf, resultWithoutSecrets, scheduleText, settingsOf, urlSecrets, when } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const SLACK_TIMEOUT_MS = 10_000;

/** The host a URL names, lower-cased and without a trailing dot; null for what is not a URL. */
function hostOf(target: string): string | null {
  try {
    return new URL(target).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return null;
  }
}

/**
 * Whether a URL is a Slack incoming webhook: its host is Slack's own (`hooks.slack.com`) or one a
 * self-hoster lists in `CRONPEEK_SLACK_HOSTS` (a stand-in). A webhook there only understands Slack messages.
 */
export function isSlackWebhook(target: string, slackHosts: readonly string[] = ['hooks.slack.com']): boolean {
  const host = hostOf(target);
  return host !== null && slackHosts.includes(host);
}

/** Slack reads `&`, `<` and `>` as markup, so a monitor name must have them escaped. */
const escapeSlack = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * An incoming-webhook message: `text` is the notification fallback (and all that older clients
 * show); the blocks carry the details and a link to the dashboard.
 */
export function slackMessage(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const name = escapeSlack(displayLine(s.name));
  const head = headlineOf(n);
  const detail = escapeSlack(head.detail);
  const text = `${head.emoji} ${head.title}: ${name} — ${head.summary}`;
  const lastPing = lastPingOf(n);
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${head.emoji} *${head.title}: ${name}*\n${detail}` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Schedule*\n${s.cron ? escapeSlack(scheduleText(s)) : `every ${duration(s.schedule)}`}` },
        { type: 'mrkdwn', text: `*Grace*\n${duration(s.grace)}` },
        { type: 'mrkdwn', text: `*Last ping*\n${when(lastPing, s.tz)}` },
        { type: 'mrkdwn', text: `*Monitor id*\n\`${s.monitorId}\`` },
      ],
    },
  ];
  if (s.output) {
    // The failing run's last lines in a code block; escaped, and without backticks that would end it.
    const output = escapeSlack(displayLines(s.output)).replace(/`/g, "'");
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Last lines of its output*\n` + '```' + output + '```' } });
  }
  if (dashboardUrl !== null) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the CronPeek dashboard' }, url: dashboardUrl }],
    });
  }
  return { text, blocks };
}

/** Slack's refusals are short texts (`no_service`, `invalid_payload`…), quoted on one line. */
const SLACK: HttpChannel = {
  label: 'Slack',
  targetLabel: 'Slack webhook',
  reasonOf: (body) => body.trim().replace(/\s+/g, ' ').slice(0, 200),
};

export interface SlackOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Posts to a Slack incoming webhook: a Slack channel object's `config.url`, or the monitor's
 * `alertSlack` (the row's target). Slack answers 200 `ok`; otherwise its answer is a short
 * error text (`invalid_payload`, `no_service`, `channel_is_archived`…) kept in `lastError`.
 * 404 and 410 (the webhook or its channel is gone) are final, as is any other 4xx but 408/429.
 *
 * A channel object's URL was checked against the Slack hosts when it was saved; it is checked
 * again here, since `CRONPEEK_SLACK_HOSTS` may have changed since, and a host outside them is
 * final. A monitor's `alertSlack` was never held to Slack's host (Slack-compatible servers such
 * as Mattermost are in use there), so it is posted to as before.
 */
export function slackNotifier(config: NotifyConfig, options: SlackOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? SLACK_TIMEOUT_MS;
  const dashboardUrl = config.publicUrl === null ? null : `${config.publicUrl}/dashboard.html`;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['url']);
      if (context.config !== undefined && settings === null) return { outcome: 'failed', error: 'Slack channel has no settings' };
      const url = settings?.url ?? n.target;
      if (settings !== null && !isSlackWebhook(url, config.slackHosts)) {
        return { outcome: 'failed', error: `Slack webhook URL must be on ${config.slackHosts.join(' or ')}, not ${hostOf(url) ?? 'an invalid URL'}` };
      }
      const result = await postAlert({ url, body: JSON.stringify(slackMessage(n, dashboardUrl)) }, SLACK, config, { ...options, timeoutMs });
      return resultWithoutSecrets(result, urlSecrets(url));
    },
  };
}
