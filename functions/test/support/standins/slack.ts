import { ForcedAnswers, serve, type StandInRequest } from './serve';

/** A message the stand-in accepted, as Slack would post it to the channel. */
export interface SlackMessage {
  path: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  userAgent: string | undefined;
}

/** An answer to force, with the body Slack sends for it (`no_service`, `channel_is_archived`…). */
export interface SlackFailure {
  status: number;
  body: string;
}

export interface SlackStandIn {
  origin: string;
  port: number;
  /** An incoming-webhook URL on this stand-in, shaped like Slack's. */
  webhookUrl: string;
  /** Every request, valid or not. */
  requests: StandInRequest[];
  /** Messages that would have reached the channel. */
  messages: SlackMessage[];
  /** Forced answers, one per request, before the stand-in judges the request itself. */
  fail: ForcedAnswers<SlackFailure>;
  close(): Promise<void>;
}

const WEBHOOK_PATH = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;
const BLOCK_TYPES = new Set(['section', 'actions', 'context', 'divider', 'header', 'image']);

/** Why Slack would refuse this body, in Slack's words; null when it would post it. */
function refusal(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'invalid_payload';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'invalid_payload';
  const { text, blocks } = parsed as { text?: unknown; blocks?: unknown };
  if (text === undefined && blocks === undefined) return 'no_text';
  if (text !== undefined && (typeof text !== 'string' || text.trim() === '')) return 'no_text';
  if (blocks !== undefined) {
    if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
    for (const b of blocks) {
      if (typeof b !== 'object' || b === null || !BLOCK_TYPES.has((b as { type?: string }).type ?? '')) return 'invalid_blocks';
      const { type, text: t, fields, elements } = b as { type: string; text?: { type?: string; text?: unknown }; fields?: unknown; elements?: unknown };
      if (type === 'section') {
        if (t === undefined && fields === undefined) return 'invalid_blocks';
        if (t !== undefined && (typeof t.text !== 'string' || t.text.length > 3000 || (t.type !== 'mrkdwn' && t.type !== 'plain_text'))) return 'invalid_blocks';
        if (fields !== undefined && (!Array.isArray(fields) || fields.length > 10)) return 'invalid_blocks';
      }
      if (type === 'actions') {
        if (!Array.isArray(elements) || elements.length === 0) return 'invalid_blocks';
        for (const e of elements as Array<{ type?: string; url?: unknown; text?: { type?: string } }>) {
          if (e.type !== 'button' || e.text?.type !== 'plain_text') return 'invalid_blocks';
          if (e.url !== undefined && (typeof e.url !== 'string' || !/^https?:\/\//.test(e.url))) return 'invalid_blocks';
        }
      }
    }
  }
  return null;
}

/**
 * Slack's incoming webhooks as a real local HTTP(S) server: only POSTs of JSON to a
 * `/services/T…/B…/…` path are accepted, answered `200 ok` in plain text; a malformed body gets
 * 400 `invalid_payload` (or `no_text`, `invalid_blocks`), an unknown path 404 `no_service`.
 */
export async function startSlackStandIn(tls?: { key: string; cert: string }): Promise<SlackStandIn> {
  const requests: StandInRequest[] = [];
  const messages: SlackMessage[] = [];
  const fail = new ForcedAnswers<SlackFailure>();
  const text = (status: number, body: string) => ({ status, contentType: 'text/html', body });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return text(forced.status, forced.body);
    if (req.method !== 'POST') return text(405, 'invalid_method');
    if (!WEBHOOK_PATH.test(req.path)) return text(404, 'no_service');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return text(400, 'invalid_payload');
    const refused = refusal(req.body);
    if (refused) return text(400, refused);
    const parsed = JSON.parse(req.body) as { text: string; blocks?: Array<Record<string, unknown>> };
    messages.push({ path: req.path, text: parsed.text, blocks: parsed.blocks ?? [], userAgent: req.headers['user-agent'] });
    return text(200, 'ok');
  }, tls);
  return {
    ...server,
    webhookUrl: `${server.origin}/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c`,
    requests,
    messages,
    fail,
  };
}
