import { ForcedAnswers, serve, type StandInAnswer, type StandInRequest } from './serve';

/**
 * Telegram's Bot API (https://core.telegram.org/bots/api) as a real local HTTP(S) server:
 * `POST /bot<token>/sendMessage` with a JSON body. Answers are Telegram's envelope
 * (https://core.telegram.org/bots/api#making-requests): `{"ok": true, "result": <Message>}`, or
 * `{"ok": false, "error_code", "description", "parameters"?: {"retry_after"}}` with the same
 * HTTP status. Text in the HTML parse mode is checked the way Telegram parses it
 * (https://core.telegram.org/bots/api#html-style): only its tags, `&` only in its entities.
 */

/** A message the stand-in delivered to a chat. */
export interface TelegramMessage {
  chatId: string | number;
  text: string;
  parseMode: string | undefined;
  linkPreviewDisabled: boolean;
  userAgent: string | undefined;
}

export interface TelegramFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface TelegramStandIn {
  /** For `CRONPEEK_TELEGRAM_URL`. */
  origin: string;
  port: number;
  /** The one bot token the stand-in knows. */
  botToken: string;
  /** The sendMessage URL of that bot. */
  url: string;
  requests: StandInRequest[];
  messages: TelegramMessage[];
  fail: ForcedAnswers<TelegramFailure>;
  close(): Promise<void>;
}

export const TELEGRAM_BOT_TOKEN = '123456789:AAHcronpeekStandInSecret_0123456789ab';
const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/** Why Telegram could not parse this HTML (its own words), or null. */
export function htmlProblem(text: string): string | null {
  const open: string[] = [];
  const token = /<(\/?)([a-z-]*)([^<>]*)>|<|&(#\d+|#x[0-9a-f]+|[a-z]+)?;?/gi;
  for (const m of text.matchAll(token)) {
    const at = `at byte offset ${Buffer.byteLength(text.slice(0, m.index))}`;
    if (m[0] === '<' || (m[0].startsWith('<') && m[2] === '')) return `can't parse entities: Unclosed start tag ${at}`;
    if (m[0].startsWith('&')) {
      const entity = m[4] ?? '';
      if (!m[0].endsWith(';') || !(['lt', 'gt', 'amp', 'quot'].includes(entity) || entity.startsWith('#'))) return `can't parse entities: Character entity expected ${at}`;
      continue;
    }
    const [, closing, tag] = m;
    if (!TAGS.has(tag.toLowerCase())) return `can't parse entities: Unsupported start tag "${tag}" ${at}`;
    if (closing) {
      if (open.pop() !== tag.toLowerCase()) return `can't parse entities: Can't find end tag corresponding to start tag "${tag}"`;
    } else open.push(tag.toLowerCase());
  }
  return open.length > 0 ? `can't parse entities: Can't find end tag corresponding to start tag "${open.at(-1)}"` : null;
}

/** The text as users see it: tags gone, entities decoded; Telegram counts its 4096 characters on this. */
const visible = (html: string) => html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

export async function startTelegramStandIn(tls?: { key: string; cert: string }): Promise<TelegramStandIn> {
  const requests: StandInRequest[] = [];
  const messages: TelegramMessage[] = [];
  const fail = new ForcedAnswers<TelegramFailure>();
  const json = (status: number, body: unknown, headers?: Record<string, string>): StandInAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body), headers });
  const refuse = (status: number, description: string) => json(status, { ok: false, error_code: status, description });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced.status, forced.json, forced.headers);
    const path = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    if (!path) return refuse(404, 'Not Found');
    if (path[1] !== TELEGRAM_BOT_TOKEN) return refuse(401, 'Unauthorized');
    if (path[2] !== 'sendMessage') return refuse(404, 'Not Found: method not found');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return refuse(400, 'Bad Request: invalid JSON');
    }
    const chatId = body.chat_id;
    if ((typeof chatId !== 'string' && typeof chatId !== 'number') || chatId === '') return refuse(400, 'Bad Request: chat_id is empty');
    if (typeof chatId === 'string' && !/^(-?\d+|@[A-Za-z0-9_]{5,32})$/.test(chatId)) return refuse(400, 'Bad Request: chat not found');
    if (typeof body.text !== 'string' || body.text.trim() === '') return refuse(400, 'Bad Request: message text is empty');
    if (body.parse_mode !== undefined && body.parse_mode !== 'HTML' && body.parse_mode !== 'MarkdownV2' && body.parse_mode !== 'Markdown') return refuse(400, 'Bad Request: unsupported parse_mode');
    const problem = body.parse_mode === 'HTML' ? htmlProblem(body.text) : null;
    if (problem) return refuse(400, `Bad Request: ${problem}`);
    const shown = body.parse_mode === 'HTML' ? visible(body.text) : body.text;
    if (shown.length > 4096) return refuse(400, 'Bad Request: message is too long');
    const preview = body.link_preview_options as { is_disabled?: unknown } | undefined;
    messages.push({ chatId, text: body.text, parseMode: body.parse_mode as string | undefined, linkPreviewDisabled: preview?.is_disabled === true, userAgent: req.headers['user-agent'] });
    const chat = typeof chatId === 'number' || /^-?\d+$/.test(chatId) ? { id: Number(chatId), type: Number(chatId) < 0 ? 'supergroup' : 'private' } : { id: -1001234567890, type: 'channel', username: chatId.slice(1) };
    return json(200, { ok: true, result: { message_id: messages.length, date: Math.floor(Date.now() / 1000), chat, text: shown } });
  }, tls);
  return { ...server, botToken: TELEGRAM_BOT_TOKEN, url: `${server.origin}/bot${TELEGRAM_BOT_TOKEN}/sendMessage`, requests, messages, fail };
}
