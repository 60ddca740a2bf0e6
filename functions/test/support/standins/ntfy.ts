import { ForcedAnswers, serve, type StandInAnswer, type StandInRequest } from './serve';

/**
 * An ntfy server as a real local HTTP(S) server, taking messages published as JSON to its root
 * (https://docs.ntfy.sh/publish/#publish-as-json): `topic` required, `title`, `message`,
 * `priority` 1-5, `tags` a list of strings, `click` a URL. It answers 200 with the message
 * (`{"id", "time", "expires", "event": "message", "topic", …}`) or ntfy's error JSON
 * `{"code", "http", "error", "link"}`. Given `token`, its topics need `Authorization: Bearer
 * <token>` (https://docs.ntfy.sh/publish/#access-tokens): none is 401, a wrong one 403.
 */

/** A message the stand-in published to its topic. */
export interface NtfyMessage {
  topic: string;
  title?: string;
  message?: string;
  priority?: number;
  tags?: string[];
  click?: string;
  authorization: string | undefined;
  userAgent: string | undefined;
}

export interface NtfyFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface NtfyStandIn {
  /** The server's URL, for a channel's `server` or `CRONPEEK_NTFY_URL`. */
  origin: string;
  port: number;
  url: string;
  requests: StandInRequest[];
  messages: NtfyMessage[];
  fail: ForcedAnswers<NtfyFailure>;
  close(): Promise<void>;
}

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

/** What ntfy would refuse in a JSON message, in its words (code, error); null when it would publish it. */
function problem(m: Record<string, unknown>): [number, string] | null {
  if (typeof m.topic !== 'string' || !TOPIC.test(m.topic)) return [40009, 'invalid request: topic invalid'];
  if (m.priority !== undefined && (!Number.isInteger(m.priority) || (m.priority as number) < 1 || (m.priority as number) > 5)) return [40007, 'invalid priority'];
  if (m.tags !== undefined && (!Array.isArray(m.tags) || m.tags.some((t) => typeof t !== 'string'))) return [40011, 'invalid request: tags invalid'];
  for (const field of ['title', 'message']) if (m[field] !== undefined && typeof m[field] !== 'string') return [40011, `invalid request: ${field} invalid`];
  if (m.click !== undefined && (typeof m.click !== 'string' || !/^https?:\/\//.test(m.click))) return [40013, 'invalid request: click URL invalid'];
  if (typeof m.message === 'string' && Buffer.byteLength(m.message) > 4096) return [41301, 'message too large'];
  return null;
}

export async function startNtfyStandIn(options: { token?: string; tls?: { key: string; cert: string } } = {}): Promise<NtfyStandIn> {
  const requests: StandInRequest[] = [];
  const messages: NtfyMessage[] = [];
  const fail = new ForcedAnswers<NtfyFailure>();
  const json = (status: number, body: unknown, headers?: Record<string, string>): StandInAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body), headers });
  const refuse = (status: number, code: number, error: string) => json(status, { code, http: status, error, link: 'https://ntfy.sh/docs/publish/' });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced.status, forced.json, forced.headers);
    if (req.method !== 'POST' && req.method !== 'PUT') return refuse(405, 40501, 'method not allowed');
    if (req.path !== '/') return refuse(404, 40401, 'page not found');
    const authorization = req.headers.authorization;
    if (options.token !== undefined) {
      if (authorization === undefined) return refuse(401, 40101, 'unauthorized');
      if (authorization !== `Bearer ${options.token}`) return refuse(403, 40301, 'forbidden');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return refuse(400, 40017, 'invalid request: request body must be message JSON');
    }
    const refused = problem(body);
    if (refused) return refuse(refused[0] >= 41300 ? 413 : 400, refused[0], refused[1]);
    const message = { ...(body as Omit<NtfyMessage, 'authorization' | 'userAgent'>), authorization, userAgent: req.headers['user-agent'] };
    messages.push(message);
    const time = Math.floor(Date.now() / 1000);
    return json(200, { id: `m${messages.length}cronpeek`, time, expires: time + 43_200, event: 'message', ...body });
  }, options.tls);
  return { ...server, url: server.origin, requests, messages, fail };
}
