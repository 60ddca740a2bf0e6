import { randomUUID } from 'node:crypto';
import { ForcedAnswers, serve, type StandInAnswer, type StandInRequest } from './serve';

/**
 * Pushover's message API (https://pushover.net/api) as a real local HTTP(S) server: `POST
 * /1/messages.json`, form-encoded or JSON, with `token` (the application), `user` (a user or
 * group key) and `message` required; `title` at most 250 characters, `message` 1024, `url` 512,
 * `url_title` 100, `priority` -2..2 (2 needs `retry` and `expire`), `timestamp` a Unix time.
 * It answers 200 `{"status": 1, "request"}`, or 4xx `{"status": 0, "errors": […], "request",
 * <field>: "invalid"}` (https://pushover.net/api#response).
 */

/** A message the stand-in pushed to the user's devices. */
export interface PushoverMessage {
  user: string;
  title?: string;
  message: string;
  priority?: number;
  url?: string;
  url_title?: string;
  timestamp?: number;
  contentType: string;
  userAgent: string | undefined;
}

export interface PushoverFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface PushoverStandIn {
  origin: string;
  port: number;
  /** The messages endpoint, for `CRONPEEK_PUSHOVER_URL`. */
  url: string;
  requests: StandInRequest[];
  messages: PushoverMessage[];
  fail: ForcedAnswers<PushoverFailure>;
  close(): Promise<void>;
}

/** The application token and the user key the stand-in knows (30 letters and digits each, as Pushover's). */
export const PUSHOVER_APP_TOKEN = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
export const PUSHOVER_USER_KEY = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';

/** The request's fields, from JSON or a form; numbers in a form stay text, as Pushover reads them. */
function fieldsOf(req: StandInRequest): Record<string, unknown> | null {
  const type = String(req.headers['content-type'] ?? '');
  try {
    if (type.startsWith('application/json')) return JSON.parse(req.body) as Record<string, unknown>;
    if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(req.body));
  } catch {
    return null;
  }
  return null;
}

/** Pushover's errors for these fields, keyed by field; empty when it would push the message. */
function fieldErrors(f: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  const text = (field: string, max: number) => {
    const v = f[field];
    if (v !== undefined && (typeof v !== 'string' || v.length > max)) errors[field] = `${field} is too long (maximum ${max} characters)`;
  };
  if (f.token !== PUSHOVER_APP_TOKEN) errors.token = 'application token is invalid';
  else if (f.user !== PUSHOVER_USER_KEY) errors.user = 'user identifier is not a valid user, group, or subscribed user key';
  if (typeof f.message !== 'string' || f.message.trim() === '') errors.message = 'message cannot be blank';
  else text('message', 1024);
  text('title', 250);
  text('url', 512);
  text('url_title', 100);
  const priority = Number(f.priority ?? 0);
  if (!Number.isInteger(priority) || priority < -2 || priority > 2) errors.priority = 'priority is invalid';
  else if (priority === 2 && (f.retry === undefined || f.expire === undefined)) errors.retry = 'retry and expire are required for emergency priority';
  if (f.timestamp !== undefined && !Number.isInteger(Number(f.timestamp))) errors.timestamp = 'timestamp is invalid';
  return errors;
}

export async function startPushoverStandIn(tls?: { key: string; cert: string }): Promise<PushoverStandIn> {
  const requests: StandInRequest[] = [];
  const messages: PushoverMessage[] = [];
  const fail = new ForcedAnswers<PushoverFailure>();
  const json = (status: number, body: unknown, headers?: Record<string, string>): StandInAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body), headers });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced.status, forced.json, forced.headers);
    if (req.method !== 'POST' || req.path !== '/1/messages.json') return json(404, { status: 0, errors: ['not found'], request: randomUUID() });
    const fields = fieldsOf(req);
    if (fields === null) return json(400, { status: 0, errors: ['message cannot be blank'], message: 'invalid', request: randomUUID() });
    const errors = fieldErrors(fields);
    if (Object.keys(errors).length > 0) {
      return json(400, { ...Object.fromEntries(Object.keys(errors).map((k) => [k, 'invalid'])), errors: Object.values(errors), status: 0, request: randomUUID() });
    }
    const number = (v: unknown) => (v === undefined ? undefined : Number(v));
    messages.push({
      user: fields.user as string,
      title: fields.title as string | undefined,
      message: fields.message as string,
      priority: number(fields.priority),
      url: fields.url as string | undefined,
      url_title: fields.url_title as string | undefined,
      timestamp: number(fields.timestamp),
      contentType: String(req.headers['content-type']),
      userAgent: req.headers['user-agent'],
    });
    return json(200, { status: 1, request: randomUUID() });
  }, tls);
  return { ...server, url: `${server.origin}/1/messages.json`, requests, messages, fail };
}
