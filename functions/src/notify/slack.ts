import { displayLine, displayLines } from '../domain/text';
import type { Notification } from '../domain/types';
import { duration, headlineOf, lastPingOf, scheduleText, when } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig } from './types';

export const SLACK_TIMEOUT_MS = 10_000;

/** Slack's own incoming-webhook host: a webhook there only understands Slack messages. */
export function isSlackWebhook(target: string): boolean {
  try {
    return new URL(target).hostname.toLowerCase() === 'hooks.slack.com';
  } catch {
    return false;
  }
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
        { type: 'mrkdwn', text: `*Last ping*\n${when(lastPing)}` },
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
 * Posts to a Slack incoming webhook. Slack answers 200 `ok`; otherwise its answer is a short
 * error text (`invalid_payload`, `no_service`, `channel_is_archived`…) kept in `lastError`.
 * 404 and 410 (the webhook or its channel is gone) are final, as is any other 4xx but 408/429.
 */
export function slackNotifier(config: NotifyConfig, options: SlackOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? SLACK_TIMEOUT_MS;
  const dashboardUrl = config.publicUrl === null ? null : `${config.publicUrl}/dashboard.html`;
  return {
    send: (n) => postAlert({ url: n.target, body: JSON.stringify(slackMessage(n, dashboardUrl)) }, SLACK, config, { ...options, timeoutMs }),
  };
}
