import { ForcedAnswers, serve, type StandInRequest } from './serve';

/**
 * A Gotify server as a real local HTTP server, checked against https://gotify.net/docs/pushmsg,
 * https://gotify.net/docs/msgextras and the API's `Message` model (https://gotify.net/api-docs):
 * `POST /message` authenticated by an application token (`X-Gotify-Key`, or `?token=`), JSON with
 * a non-empty `message`, an optional `title`, an integer `priority` and an `extras` object, answered
 * 200 with the stored message. Refusals are `{"error", "errorCode", "errorDescription"}`.
 */

/** A message the stand-in stored, as the Gotify app would show it. */
export interface GotifyMessage {
  id: number;
  appid: number;
  title: string;
  message: string;
  priority: number;
  extras?: Record<string, unknown>;
  date: string;
}

export interface GotifyFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface GotifyStandIn {
  origin: string;
  port: number;
  /** The server URL a channel names (the stand-in's origin). */
  url: string;
  /** The application token it accepts. */
  appToken: string;
  requests: StandInRequest[];
  messages: GotifyMessage[];
  fail: ForcedAnswers<GotifyFailure>;
  close(): Promise<void>;
}

export const GOTIFY_APP_TOKEN = 'AzyoeNS.D4iJLVa';

export const gotifyError = (status: number, error: string, errorDescription: string): GotifyFailure => ({
  status,
  json: { error, errorCode: status, errorDescription },
});

/** What Gotify says is wrong with the message; null when it would store it. */
function problem(body: Record<string, unknown>): string | null {
  if (typeof body.message !== 'string' || body.message === '') return "Field 'message' is required";
  if (body.title !== undefined && typeof body.title !== 'string') return "Field 'title' must be a string";
  if (body.priority !== undefined && (!Number.isInteger(body.priority) || (body.priority as number) < 0 || (body.priority as number) > 10)) {
    return "Field 'priority' must be an integer from 0 to 10";
  }
  const extras = body.extras as Record<string, unknown> | undefined;
  if (extras === undefined) return null;
  if (typeof extras !== 'object' || extras === null || Array.isArray(extras)) return "Field 'extras' must be an object";
  // Extras keys are namespaced `<top-level namespace>::[<sub namespace>::]<action>` (msgextras).
  if (Object.keys(extras).some((k) => !/^[a-z]+::([a-z]+::)?[a-z]+$/i.test(k))) return "Field 'extras' has an invalid key";
  const display = extras['client::display'] as { contentType?: unknown } | undefined;
  if (display !== undefined && !['text/plain', 'text/markdown'].includes(display.contentType as string)) return 'client::display contentType must be text/plain or text/markdown';
  const click = (extras['client::notification'] as { click?: { url?: unknown } } | undefined)?.click;
  if (click !== undefined && (typeof click.url !== 'string' || !/^https?:\/\//.test(click.url))) return 'client::notification click url must be a URL';
  return null;
}

/** `basePath`: the server sits under a path, as behind a reverse proxy (`https://example.com/gotify`). */
export async function startGotifyStandIn(options: { basePath?: string } = {}): Promise<GotifyStandIn> {
  const base = options.basePath ?? '';
  const requests: StandInRequest[] = [];
  const messages: GotifyMessage[] = [];
  const fail = new ForcedAnswers<GotifyFailure>();
  const json = (a: GotifyFailure) => ({ status: a.status, contentType: 'application/json', body: JSON.stringify(a.json), headers: a.headers });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced);
    const url = new URL(req.path, 'http://gotify.test');
    if (url.pathname !== `${base}/message`) return json(gotifyError(404, 'Not Found', 'page not found'));
    if (req.method !== 'POST') return json(gotifyError(405, 'Method Not Allowed', 'method not allowed'));
    const token = req.headers['x-gotify-key'] ?? url.searchParams.get('token');
    if (token !== GOTIFY_APP_TOKEN) return json(gotifyError(401, 'Unauthorized', 'you need to provide a valid access token or user credentials to access this api'));
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(gotifyError(400, 'Bad Request', 'invalid character in JSON'));
    }
    const wrong = typeof body === 'object' && body !== null && !Array.isArray(body) ? problem(body) : 'body must be an object';
    if (wrong) return json(gotifyError(400, 'Bad Request', wrong));
    const stored: GotifyMessage = {
      id: messages.length + 1,
      appid: 1,
      title: (body.title as string | undefined) ?? 'CronPeek',
      message: body.message as string,
      priority: (body.priority as number | undefined) ?? 0,
      ...(body.extras ? { extras: body.extras as Record<string, unknown> } : {}),
      date: new Date().toISOString(),
    };
    messages.push(stored);
    return { status: 200, contentType: 'application/json', body: JSON.stringify(stored) };
  });
  return { ...server, url: `${server.origin}${base}`, appToken: GOTIFY_APP_TOKEN, requests, messages, fail };
}
