import { displayLines, shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, headlineOf, monitorDashboardUrl, monitorFacts, quotedName, resultWithoutSecrets, settingsOf, urlSecrets } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const MSTEAMS_TIMEOUT_MS = 10_000;

/**
 * Adaptive Cards read a markdown subset in TextBlocks and fact values (bold, italic, lists, links:
 * https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/text-features): each of its
 * characters in user text is backslash-escaped (a link needs its `[…]`), so a monitor name shows as written.
 */
export const escapeTeams = (s: string): string =>
  s.replace(/[\\*_~`[\]<>]/g, (c) => `\\${c}`)
    // A line that would start a list or a heading.
    .replace(/^(\s*)([-+#])/gm, '$1\\$2')
    .replace(/^(\s*\d+)\./gm, '$1\\.');

/** The title's colour: `attention` (red) down, `good` (green) up, `warning` flapping, `accent` test. */
const COLOURS: Record<string, string> = { '🔴': 'attention', '🟢': 'good', '🟠': 'warning', '🧪': 'accent' };

/**
 * The body a Teams "Post to a channel when a webhook request is received" workflow posts
 * (https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498):
 * a message whose one attachment is an Adaptive Card 1.4, the version Teams renders
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#adaptive-card).
 */
export function teamsMessage(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const head = headlineOf(n);
  const what = n.event === 'channel.test' ? 'channel' : 'monitor';
  const body: unknown[] = [
    { type: 'TextBlock', text: `${head.emoji} ${head.title}: ${what} ${escapeTeams(quotedName(s.name))}`, weight: 'Bolder', size: 'Medium', color: COLOURS[head.emoji] ?? 'attention', wrap: true },
    { type: 'TextBlock', text: escapeTeams(head.summary), isSubtle: true, spacing: 'None', wrap: true },
    { type: 'TextBlock', text: escapeTeams(head.detail), wrap: true },
  ];
  const facts = monitorFacts(n);
  if (facts.length > 0) body.push({ type: 'FactSet', facts: facts.map((f) => ({ title: f.name, value: escapeTeams(f.value) })) });
  if (s.output) {
    body.push(
      { type: 'TextBlock', text: 'Last lines of its output', weight: 'Bolder', wrap: true },
      // Monospace text is still markdown: escaped like the rest.
      { type: 'TextBlock', text: escapeTeams(shortened(displayLines(s.output), 2_000)), fontType: 'Monospace', wrap: true },
    );
  }
  const actions = dashboardUrl === null ? [] : [{ type: 'Action.OpenUrl', title: 'Open in CronPeek', url: dashboardUrl }];
  const card = { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, ...(actions.length > 0 ? { actions } : {}), msteams: { width: 'Full' } };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

/** A workflow trigger's refusal is Azure's `{"error": {"code": …, "message": …}}` (WorkflowNotFound, DirectApiAuthorizationRequired…). */
function teamsReason(body: string): string {
  const error = answerObject(body)?.error as { code?: unknown; message?: unknown } | undefined;
  if (typeof error !== 'object' || error === null) return answerText(body);
  const parts = [error.code, error.message].filter((p): p is string => typeof p === 'string');
  return parts.length > 0 ? parts.join(': ').slice(0, 300) : answerText(body);
}

const MSTEAMS: HttpChannel = { label: 'Microsoft Teams', targetLabel: 'Microsoft Teams workflow', reasonOf: teamsReason };

export interface MsTeamsOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Posts an Adaptive Card to a Teams Workflows webhook (the channel object's `url`, whose `sig`
 * is the secret). The trigger answers 202 and posts the card itself; 429 and 5xx retry.
 */
export function msteamsNotifier(config: NotifyConfig, options: MsTeamsOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? MSTEAMS_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['url']);
      if (settings === null) return { outcome: 'failed', error: 'Microsoft Teams channel has no settings' };
      const body = JSON.stringify(teamsMessage(n, monitorDashboardUrl(config.publicUrl, n)));
      return resultWithoutSecrets(await postAlert({ url: settings.url, body }, MSTEAMS, config, { ...options, timeoutMs }), urlSecrets(settings.url));
    },
  };
}
