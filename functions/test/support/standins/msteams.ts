import { ForcedAnswers, serve, type StandInAnswer, type StandInRequest } from './serve';

/**
 * A Teams Workflows webhook ("Post to a channel when a webhook request is received",
 * https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498)
 * as a real local HTTP(S) server. The trigger URL is Power Automate's
 * `/workflows/<id>/triggers/manual/paths/invoke?api-version=…&sp=…&sv=1.0&sig=…`; a request is
 * accepted with 202 and an empty body, as the trigger does. The template's "Post card in a chat
 * or channel" step needs a message with an Adaptive Card attachment
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#adaptive-card);
 * where the real flow would fail later, out of sight, this stand-in refuses at once with Azure's
 * error shape `{"error": {"code", "message"}}`, so tests see the mistake.
 */

/** A card the stand-in posted to the channel. */
export interface TeamsCard {
  $schema?: string;
  type: 'AdaptiveCard';
  version: string;
  body: Array<Record<string, unknown>>;
  actions?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

export interface TeamsMessage {
  card: TeamsCard;
  userAgent: string | undefined;
}

export interface TeamsFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface TeamsStandIn {
  origin: string;
  port: number;
  /** A Workflows trigger URL on this stand-in, shaped like Power Automate's. */
  url: string;
  /** The trigger URL's signature (`sig`), the secret part. */
  sig: string;
  requests: StandInRequest[];
  messages: TeamsMessage[];
  fail: ForcedAnswers<TeamsFailure>;
  close(): Promise<void>;
}

const WORKFLOW_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const SIG = 'Xq3vJ9kLm2Np8Rs4Tu6Vw0Yz1Ab5Cd7Ef9Gh3Ij5Kl';
const ELEMENTS = new Set(['TextBlock', 'FactSet', 'ColumnSet', 'Container', 'Image', 'RichTextBlock', 'ActionSet']);

/** Why the flow's "Post card" step would fail on this body; null when it would post the card. */
function cardProblem(body: unknown): string | null {
  const m = body as { type?: unknown; attachments?: unknown } | null;
  if (typeof m !== 'object' || m === null || m.type !== 'message') return 'The request body must be a message (type "message").';
  if (!Array.isArray(m.attachments) || m.attachments.length === 0) return 'The message has no attachments.';
  const a = m.attachments[0] as { contentType?: unknown; content?: unknown };
  if (a.contentType !== 'application/vnd.microsoft.card.adaptive') return 'The attachment is not an Adaptive Card.';
  const card = a.content as Partial<TeamsCard> | null;
  if (typeof card !== 'object' || card === null || card.type !== 'AdaptiveCard' || typeof card.version !== 'string') return 'The attachment content is not an Adaptive Card.';
  if (!Array.isArray(card.body) || card.body.some((e) => !ELEMENTS.has((e as { type?: string }).type ?? ''))) return 'The card body has an unknown element.';
  for (const e of card.body) {
    if (e.type === 'TextBlock' && (typeof e.text !== 'string' || e.text === '')) return 'A TextBlock has no text.';
    if (e.type === 'FactSet' && (!Array.isArray(e.facts) || e.facts.some((f: { title?: unknown; value?: unknown }) => typeof f.title !== 'string' || typeof f.value !== 'string'))) return 'A FactSet is invalid.';
  }
  const actions = card.actions ?? [];
  if (!Array.isArray(actions) || actions.some((x) => x.type !== 'Action.OpenUrl' || typeof x.url !== 'string' || !/^https?:\/\//.test(x.url))) return 'The card has an invalid action.';
  return null;
}

export async function startTeamsStandIn(tls?: { key: string; cert: string }): Promise<TeamsStandIn> {
  const requests: StandInRequest[] = [];
  const messages: TeamsMessage[] = [];
  const fail = new ForcedAnswers<TeamsFailure>();
  const json = (status: number, body: unknown, headers?: Record<string, string>): StandInAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body), headers });
  const error = (status: number, code: string, message: string) => json(status, { error: { code, message } });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced.status, forced.json, forced.headers);
    const url = new URL(req.path, 'http://stand-in');
    if (url.pathname !== `/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke`) return error(404, 'WorkflowNotFound', 'The workflow could not be found.');
    if (url.searchParams.get('sig') !== SIG) return error(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.');
    if (req.method !== 'POST') return error(405, 'MethodNotAllowed', 'The trigger only accepts POST.');
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      return error(400, 'InvalidRequestContent', 'The request content is not valid JSON.');
    }
    const problem = cardProblem(body);
    if (problem) return error(400, 'InvalidRequestContent', problem);
    const card = (body as { attachments: Array<{ content: TeamsCard }> }).attachments[0].content;
    messages.push({ card, userAgent: req.headers['user-agent'] });
    return { status: 202, contentType: 'application/json', body: '' };
  }, tls);
  const query = `api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
  return { ...server, url: `${server.origin}/workflows/${WORKFLOW_ID}/triggers/manual/paths/invoke?${query}`, sig: SIG, requests, messages, fail };
}
