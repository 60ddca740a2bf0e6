import { displayLines, shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, commonMarkText, headlineOf, monitorDashboardUrl, monitorFacts, plainMessage, reportedStatus, resultWithoutSecrets, settingsOf } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const GOTIFY_TIMEOUT_MS = 10_000;

/**
 * Gotify priorities run 0–10; its Android app alerts loudly from 8, notifies from 4, and keeps
 * 1–3 quiet (https://github.com/gotify/android#message-priorities). A settled monitor is told
 * like its status.
 */
export function gotifyPriority(n: Notification): number {
  switch (n.event) {
    case 'monitor.down':
    case 'monitor.still_down':
      return 8;
    case 'monitor.flapping':
      return 5;
    case 'monitor.up':
      return 4;
    case 'monitor.settled':
      return reportedStatus(n) === 'down' ? 8 : 4;
    case 'channel.test':
      return 2;
  }
}

/**
 * A message for `POST /message` (https://gotify.net/docs/pushmsg): the plain title, a markdown
 * body (rendered as such through the `client::display` extra, so user text is escaped), and the
 * monitor's dashboard page as what a tap on the notification opens (`client::notification`,
 * https://gotify.net/docs/msgextras).
 */
export function gotifyMessage(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const head = headlineOf(n);
  // Markdown joins lines of a paragraph: each fact is its own paragraph.
  const parts = [commonMarkText(head.detail)];
  if (s.output) parts.push(`**Last lines of its output**\n\n\`\`\`\n${shortened(displayLines(s.output).replace(/`/g, "'"), 3_000)}\n\`\`\``);
  parts.push(...monitorFacts(n).map((f) => `**${f.name}:** ${commonMarkText(f.value)}`));
  if (dashboardUrl !== null) parts.push(`[Open the CronPeek dashboard](${dashboardUrl})`);
  return {
    title: plainMessage(n).title,
    message: parts.join('\n\n'),
    priority: gotifyPriority(n),
    extras: {
      'client::display': { contentType: 'text/markdown' },
      ...(dashboardUrl === null ? {} : { 'client::notification': { click: { url: dashboardUrl } } }),
    },
  };
}

/** Gotify's refusals are `{"error": "Unauthorized", "errorCode": 401, "errorDescription": …}` (https://gotify.net/api-docs). */
function gotifyReason(body: string): string {
  const answer = answerObject(body);
  if (answer === null) return answerText(body);
  const parts = [answer.error, answer.errorDescription].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length === 0 ? answerText(body) : parts.join(': ').replace(/\s+/g, ' ').slice(0, 300);
}

/** The server's `/message` endpoint; the server may sit under a path (`https://example.com/gotify`). */
function messageUrl(server: string): string {
  try {
    const url = new URL(server);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/message`;
    return url.toString();
  } catch {
    return server; // postAlert refuses it: "Gotify server URL is not valid".
  }
}

const GOTIFY: HttpChannel = { label: 'Gotify', targetLabel: 'Gotify server', reasonOf: gotifyReason };

export interface GotifyOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Posts to a Gotify server's `/message` with the application token in `X-Gotify-Key` (a header,
 * not the `?token=` query, so the token stays out of access logs). Gotify answers 200 with the
 * stored message; 401/403 (a wrong or deleted token) and 400 are final; 429 and 5xx retry.
 */
export function gotifyNotifier(config: NotifyConfig, options: GotifyOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? GOTIFY_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['server', 'appToken']);
      if (settings === null) return { outcome: 'failed', error: 'Gotify channel has no settings' };
      if (!/^[\x21-\x7e]+$/.test(settings.appToken)) return { outcome: 'failed', error: 'Gotify application token is not valid' };
      const url = messageUrl(settings.server);
      const body = JSON.stringify(gotifyMessage(n, monitorDashboardUrl(config.publicUrl, n)));
      const result = await postAlert({ url, body, headers: { 'X-Gotify-Key': settings.appToken } }, GOTIFY, config, { ...options, timeoutMs });
      return resultWithoutSecrets(result, [settings.appToken]);
    },
  };
}
