import { ForcedAnswers, serve, type StandInAnswer, type StandInRequest } from './serve';

/**
 * Discord's execute-webhook endpoint as a real local HTTP(S) server, checking bodies against
 * https://discord.com/developers/docs/resources/webhook#execute-webhook and the embed limits in
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits. It answers as
 * Discord does: 204 (200 with the message under `?wait=true`); 400 `{"message": "Invalid Form
 * Body", "code": 50035, "errors": …}`; 404 `{"message": "Unknown Webhook", "code": 10015}`; a
 * forced 429 `{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}`
 * (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit).
 */

export interface DiscordEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  timestamp?: string;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  [field: string]: unknown;
}

/** A message the stand-in posted to the channel. */
export interface DiscordMessage {
  content?: string;
  embeds: DiscordEmbed[];
  allowed_mentions?: { parse?: string[] };
  userAgent: string | undefined;
}

export interface DiscordFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface DiscordStandIn {
  origin: string;
  port: number;
  /** A webhook URL on this stand-in, shaped like Discord's. */
  url: string;
  requests: StandInRequest[];
  messages: DiscordMessage[];
  fail: ForcedAnswers<DiscordFailure>;
  close(): Promise<void>;
}

export const DISCORD_WEBHOOK_TOKEN = 'dQw4w9WgXcQ-cronpeek_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN';
const WEBHOOK_PATH = /^\/api\/webhooks\/(\d{17,20})\/([A-Za-z0-9_-]{60,100})(\?.*)?$/;

const isText = (v: unknown, max: number, required = false): boolean => (v === undefined && !required) || (typeof v === 'string' && v.length <= max && (!required || v.trim() !== ''));

/** What Discord would refuse in an embed, as its `errors` paths; empty when it would post it. */
function embedProblems(e: DiscordEmbed, i: number): string[] {
  const problems: string[] = [];
  const at = (field: string) => `embeds.${i}.${field}`;
  if (!isText(e.title, 256)) problems.push(at('title'));
  if (!isText(e.description, 4096)) problems.push(at('description'));
  if (e.url !== undefined && (typeof e.url !== 'string' || !/^https?:\/\//.test(e.url))) problems.push(at('url'));
  if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) problems.push(at('color'));
  if (e.timestamp !== undefined && (typeof e.timestamp !== 'string' || Number.isNaN(Date.parse(e.timestamp)))) problems.push(at('timestamp'));
  if (e.fields !== undefined) {
    if (!Array.isArray(e.fields) || e.fields.length > 25) problems.push(at('fields'));
    else e.fields.forEach((f, j) => {
      if (!isText(f?.name, 256, true) || !isText(f?.value, 1024, true)) problems.push(at(`fields.${j}`));
    });
  }
  const total = [e.title, e.description, ...(e.fields ?? []).flatMap((f) => [f?.name, f?.value])].reduce((sum, t) => sum + (typeof t === 'string' ? t.length : 0), 0);
  if (total > 6000) problems.push(at('total'));
  return problems;
}

function messageProblems(m: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!isText(m.content, 2000)) problems.push('content');
  if (m.embeds !== undefined && (!Array.isArray(m.embeds) || m.embeds.length > 10)) problems.push('embeds');
  else (m.embeds as DiscordEmbed[] | undefined)?.forEach((e, i) => problems.push(...(typeof e === 'object' && e !== null ? embedProblems(e, i) : [`embeds.${i}`])));
  return problems;
}

export async function startDiscordStandIn(tls?: { key: string; cert: string }): Promise<DiscordStandIn> {
  const requests: StandInRequest[] = [];
  const messages: DiscordMessage[] = [];
  const fail = new ForcedAnswers<DiscordFailure>();
  const json = (status: number, body: unknown, headers?: Record<string, string>): StandInAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body), headers });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced.status, forced.json, forced.headers);
    const path = WEBHOOK_PATH.exec(req.path);
    if (!path || path[2] !== DISCORD_WEBHOOK_TOKEN) return json(404, { message: 'Unknown Webhook', code: 10015 });
    if (req.method !== 'POST') return json(405, { message: '405: Method Not Allowed', code: 0 });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return json(400, { message: 'Cannot send an empty message', code: 50006 });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(400, { message: 'The request body contains invalid JSON.', code: 50109 });
    }
    const empty = (body.content === undefined || body.content === '') && (!Array.isArray(body.embeds) || body.embeds.length === 0);
    if (empty) return json(400, { message: 'Cannot send an empty message', code: 50006 });
    const problems = messageProblems(body);
    if (problems.length > 0) return json(400, { message: 'Invalid Form Body', code: 50035, errors: Object.fromEntries(problems.map((p) => [p, { _errors: [{ code: 'BASE_TYPE_INVALID' }] }])) });
    const message = { content: body.content as string | undefined, embeds: (body.embeds ?? []) as DiscordEmbed[], allowed_mentions: body.allowed_mentions as DiscordMessage['allowed_mentions'], userAgent: req.headers['user-agent'] };
    messages.push(message);
    if (/[?&]wait=true/.test(req.path)) return json(200, { id: String(1_200_000_000_000_000_000n + BigInt(messages.length)), type: 0, content: message.content ?? '', embeds: message.embeds, webhook_id: path[1] });
    return { status: 204, contentType: 'application/json', body: '' };
  }, tls);
  return { ...server, url: `${server.origin}/api/webhooks/1234567890123456789/${DISCORD_WEBHOOK_TOKEN}`, requests, messages, fail };
}
