import { SETTLE_MS } from '../domain/alerts';
import { displayLine, displayLines } from '../domain/text';
import type { Notification } from '../domain/types';
import { downSummary, duration, FLAPPING_TEXT, heldSince, lastPingOf, reminderText, reportedStatus, scheduleText, when, whyDown } from './message';
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

/** A message's emoji and title, the one-line summary after the name, and the sentence under the title. */
interface Headline {
  emoji: string;
  title: string;
  summary: string;
  detail: string;
}

function headlineOf(n: Notification): Headline {
  const s = n.snapshot;
  const status = reportedStatus(n);
  switch (n.event) {
    case 'monitor.down':
      return {
        emoji: '🔴',
        title: 'DOWN',
        summary: downSummary(s),
        detail: `${escapeSlack(whyDown(s))} Declared down at ${when(n.createdAt)}.`,
      };
    case 'monitor.up':
      return { emoji: '🟢', title: 'UP', summary: `pinged again at ${when(n.createdAt)}`, detail: `A ping arrived at ${when(n.createdAt)}; the job is reporting on schedule again.` };
    case 'monitor.flapping':
      return {
        emoji: '🟠',
        title: 'FLAPPING',
        summary: `${FLAPPING_TEXT}; ${status} now`,
        detail: `It ${FLAPPING_TEXT} and is ${status} now. Alerts about it pause until it has held one status for ${SETTLE_MS / 60_000} minutes; one message then says where it settled.`,
      };
    case 'monitor.still_down':
      return {
        emoji: '🔴',
        title: 'STILL DOWN',
        summary: reminderText(n),
        detail: `It is still down (${reminderText(n)}). Acknowledge it on the dashboard to stop the reminders for this outage.`,
      };
    case 'monitor.settled':
      return {
        emoji: status === 'up' ? '🟢' : '🔴',
        title: status.toUpperCase(),
        summary: `settled after flapping, ${status} since ${when(heldSince(n))}`,
        detail: `It stopped flapping: it has been ${status} since ${when(heldSince(n))}.${status === 'up' ? ' The job is reporting on schedule again.' : ''}`,
      };
  }
}

/**
 * An incoming-webhook message: `text` is the notification fallback (and all that older clients
 * show); the blocks carry the details and a link to the dashboard.
 */
export function slackMessage(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const name = escapeSlack(displayLine(s.name));
  const head = headlineOf(n);
  const text = `${head.emoji} ${head.title}: ${name} — ${head.summary}`;
  const lastPing = lastPingOf(n);
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${head.emoji} *${head.title}: ${name}*\n${head.detail}` } },
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
