import { ForcedAnswers, serve, type StandInAnswer, type StandInRequest } from './serve';

/**
 * A Google Chat space's incoming webhook
 * (https://developers.google.com/workspace/chat/quickstart/webhooks) as a real local HTTP(S)
 * server: `POST /v1/spaces/<space>/messages?key=…&token=…` with a JSON message that has `text`
 * (at most 4096 characters) or `cardsV2`. It answers 200 with the created message
 * (https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages), or
 * Google's error shape `{"error": {"code", "message", "status"}}` (https://cloud.google.com/apis/design/errors).
 */

/** A message the stand-in posted to the space. */
export interface GoogleChatMessage {
  text?: string;
  cardsV2?: unknown[];
  userAgent: string | undefined;
}

export interface GoogleChatFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface GoogleChatStandIn {
  origin: string;
  port: number;
  /** A webhook URL on this stand-in, shaped like Chat's. */
  url: string;
  /** The webhook's `token`, its secret part (with `key`). */
  token: string;
  requests: StandInRequest[];
  messages: GoogleChatMessage[];
  fail: ForcedAnswers<GoogleChatFailure>;
  close(): Promise<void>;
}

const SPACE = 'AAAAcronpeek';
const KEY = 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI';
const TOKEN = 'Xk3mQ9vL2pR8sT4uW6yZ0aB1cD5eF7gH9iJ3kL5mN7o%3D';

export async function startGoogleChatStandIn(tls?: { key: string; cert: string }): Promise<GoogleChatStandIn> {
  const requests: StandInRequest[] = [];
  const messages: GoogleChatMessage[] = [];
  const fail = new ForcedAnswers<GoogleChatFailure>();
  const json = (status: number, body: unknown, headers?: Record<string, string>): StandInAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body), headers });
  const error = (code: number, status: string, message: string) => json(code, { error: { code, message, status } });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced.status, forced.json, forced.headers);
    const url = new URL(req.path, 'http://stand-in');
    if (url.pathname !== `/v1/spaces/${SPACE}/messages`) return error(404, 'NOT_FOUND', 'Requested entity was not found.');
    if (url.searchParams.get('key') !== KEY) return error(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
    if (url.searchParams.get('token') !== decodeURIComponent(TOKEN)) return error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    if (req.method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const { text, cardsV2 } = body as { text?: unknown; cardsV2?: unknown };
    if ((typeof text !== 'string' || text.trim() === '') && !Array.isArray(cardsV2)) return error(400, 'INVALID_ARGUMENT', 'Message cannot be empty. Discarded message must contain text or cards.');
    if (text !== undefined && (typeof text !== 'string' || text.length > 4096)) return error(400, 'INVALID_ARGUMENT', 'Invalid value at \'message.text\': the text is too long.');
    messages.push({ text: text as string | undefined, cardsV2: cardsV2 as unknown[] | undefined, userAgent: req.headers['user-agent'] });
    const name = `spaces/${SPACE}/messages/m${messages.length}.m${messages.length}`;
    return json(200, {
      name,
      sender: { name: 'users/114022495153014004089', displayName: 'CronPeek', type: 'BOT' },
      text: text ?? '',
      createTime: new Date().toISOString(),
      space: { name: `spaces/${SPACE}`, type: 'ROOM' },
      thread: { name: `spaces/${SPACE}/threads/t${messages.length}` },
    });
  }, tls);
  return { ...server, url: `${server.origin}/v1/spaces/${SPACE}/messages?key=${KEY}&token=${TOKEN}`, token: decodeURIComponent(TOKEN), requests, messages, fail };
}
