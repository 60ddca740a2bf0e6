import { createHmac, timingSafeEqual } from 'node:crypto';
import { ForcedAnswers, serve, type StandInRequest } from './serve';

/**
 * A webhook receiver as a real local HTTP server: whatever CronPeek's docs (docs/alerts.md, the
 * webhook payload and templates) say a receiver gets. It accepts any method on `/hook…`, reads the
 * body as its Content-Type says (JSON, a form, or text), checks `X-CronPeek-Signature` when it
 * knows the secret, the way docs/alerts.md tells receivers to (HMAC-SHA256 of `<t>.<raw body>`),
 * and answers 204. A JSON body that does not parse is answered 400, as a real JSON receiver would.
 */

/** A request the receiver accepted. */
export interface WebhookDelivery {
  method: string;
  path: string;
  /** The URL's query, decoded. */
  query: Record<string, string>;
  headers: StandInRequest['headers'];
  /** The raw body, as signed. */
  body: string;
  /** The body parsed: JSON, or a form's fields; null when empty or another type. */
  parsed: unknown;
  /** Whether `X-CronPeek-Signature` verified against the secret; null when the receiver knows none. */
  signatureValid: boolean | null;
}

export interface WebhookFailure {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export interface WebhookStandIn {
  origin: string;
  port: number;
  /** A URL on the receiver. */
  url: string;
  requests: StandInRequest[];
  messages: WebhookDelivery[];
  fail: ForcedAnswers<WebhookFailure>;
  close(): Promise<void>;
}

function signatureValid(secret: string, header: string | string[] | undefined, body: string): boolean {
  const parts = Object.fromEntries(String(header ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
  if (!/^\d+$/.test(parts.t ?? '') || typeof parts.v1 !== 'string') return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The body as its Content-Type says, or an error for a JSON body that is not JSON. */
function parsedBody(contentType: string, body: string): { parsed: unknown } | { error: string } {
  if (body === '') return { parsed: null };
  const media = contentType.split(';')[0].trim().toLowerCase();
  if (media.endsWith('json')) {
    try {
      return { parsed: JSON.parse(body) };
    } catch (err) {
      return { error: `invalid JSON: ${(err as Error).message}` };
    }
  }
  if (media === 'application/x-www-form-urlencoded') return { parsed: Object.fromEntries(new URLSearchParams(body)) };
  return { parsed: null };
}

export async function startWebhookStandIn(options: { secret?: string } = {}): Promise<WebhookStandIn> {
  const requests: StandInRequest[] = [];
  const messages: WebhookDelivery[] = [];
  const fail = new ForcedAnswers<WebhookFailure>();
  const answer = (a: WebhookFailure) => ({ status: a.status, contentType: 'application/json', body: a.json === undefined ? '' : JSON.stringify(a.json), headers: a.headers });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return answer(forced);
    const url = new URL(req.path, 'http://receiver.test');
    if (!url.pathname.startsWith('/hook')) return answer({ status: 404, json: { error: 'no such hook' } });
    const body = parsedBody(String(req.headers['content-type'] ?? ''), req.body);
    if ('error' in body) return answer({ status: 400, json: { error: body.error } });
    messages.push({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: req.body,
      parsed: body.parsed,
      signatureValid: options.secret === undefined ? null : signatureValid(options.secret, req.headers['x-cronpeek-signature'], req.body),
    });
    return answer({ status: 204 });
  });
  return { ...server, url: `${server.origin}/hook`, requests, messages, fail };
}
