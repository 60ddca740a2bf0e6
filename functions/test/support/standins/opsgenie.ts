import { randomUUID } from 'node:crypto';
import { ForcedAnswers, serve, type StandInAnswer, type StandInRequest } from './serve';

/**
 * Opsgenie's Alert API (https://docs.opsgenie.com/docs/alert-api) as a real local HTTP(S)
 * server: `POST /v2/alerts` creates (deduplicated by `alias`), `POST
 * /v2/alerts/<identifier>/close?identifierType=alias` closes. Requests need `Authorization:
 * GenieKey <apiKey>`. Accepted requests answer 202 `{"result": "Request will be processed",
 * "took", "requestId"}`; refusals `{"message", "took", "requestId"}` with 401, 404, or 422 and
 * `errors` for an invalid field (https://docs.opsgenie.com/docs/response).
 */

/** An accepted create or close request. */
export interface OpsgenieRequest {
  action: 'create' | 'close';
  alias: string;
  body: Record<string, unknown>;
  userAgent: string | undefined;
}

export interface OpsgenieFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface OpsgenieStandIn {
  /** For `CRONPEEK_OPSGENIE_URL` (or the EU one). */
  origin: string;
  port: number;
  url: string;
  apiKey: string;
  requests: StandInRequest[];
  /** Accepted creates and closes, in order. */
  messages: OpsgenieRequest[];
  /** Alerts by alias, as Opsgenie would hold them, with how many creates joined each. */
  alerts: Map<string, { status: 'open' | 'closed'; count: number; priority: string }>;
  fail: ForcedAnswers<OpsgenieFailure>;
  close(): Promise<void>;
}

export const OPSGENIE_API_KEY = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

const isText = (v: unknown, max: number) => v === undefined || (typeof v === 'string' && v.length <= max);

/** Opsgenie's per-field errors for a create request; empty when it would take it. */
function createErrors(b: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  if (typeof b.message !== 'string' || b.message.trim() === '') errors.message = 'Message can not be empty.';
  else if (b.message.length > 130) errors.message = 'Message can not be longer than 130 characters.';
  if (!isText(b.alias, 512)) errors.alias = 'Alias can not be longer than 512 characters.';
  if (!isText(b.description, 15_000)) errors.description = 'Description can not be longer than 15000 characters.';
  if (!isText(b.source, 100)) errors.source = 'Source can not be longer than 100 characters.';
  if (!isText(b.entity, 512)) errors.entity = 'Entity can not be longer than 512 characters.';
  if (b.priority !== undefined && !['P1', 'P2', 'P3', 'P4', 'P5'].includes(b.priority as string)) errors.priority = 'Priority should be one of [P1, P2, P3, P4, P5]';
  if (b.tags !== undefined && (!Array.isArray(b.tags) || b.tags.length > 20 || b.tags.some((t) => typeof t !== 'string' || t.length > 50))) errors.tags = 'Tags are invalid.';
  const details = b.details as Record<string, unknown> | undefined;
  if (details !== undefined && (typeof details !== 'object' || details === null || Object.values(details).some((v) => typeof v !== 'string'))) errors.details = 'Details must be a map of strings.';
  return errors;
}

export async function startOpsgenieStandIn(tls?: { key: string; cert: string }): Promise<OpsgenieStandIn> {
  const requests: StandInRequest[] = [];
  const messages: OpsgenieRequest[] = [];
  const alerts: OpsgenieStandIn['alerts'] = new Map();
  const fail = new ForcedAnswers<OpsgenieFailure>();
  const json = (status: number, body: unknown, headers?: Record<string, string>): StandInAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body), headers });
  const answer = (status: number, fields: Record<string, unknown>) => json(status, { ...fields, took: 0.004, requestId: randomUUID() });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced.status, forced.json, forced.headers);
    const auth = /^GenieKey (.+)$/.exec(String(req.headers.authorization ?? ''));
    if (!auth) return answer(401, { message: 'Key format is not valid!' });
    if (auth[1] !== OPSGENIE_API_KEY) return answer(401, { message: 'Could not authenticate' });
    const url = new URL(req.path, 'http://stand-in');
    const closing = /^\/v2\/alerts\/([^/]+)\/close$/.exec(url.pathname);
    if (req.method !== 'POST' || (url.pathname !== '/v2/alerts' && !closing)) return answer(404, { message: 'Could not find the requested resource.' });
    let body: Record<string, unknown>;
    try {
      body = req.body === '' ? {} : (JSON.parse(req.body) as Record<string, unknown>);
    } catch {
      return answer(400, { message: 'Request body is not valid JSON.' });
    }
    if (closing) {
      if (url.searchParams.get('identifierType') !== 'alias') return answer(422, { message: 'Request is not processable: only aliases are used here.' });
      const alias = decodeURIComponent(closing[1]);
      messages.push({ action: 'close', alias, body, userAgent: req.headers['user-agent'] });
      const alert = alerts.get(alias);
      if (alert) alert.status = 'closed';
      return answer(202, { result: 'Request will be processed' });
    }
    const errors = createErrors(body);
    if (Object.keys(errors).length > 0) return answer(422, { message: 'Request body is not processable. Please check the errors.', errors });
    const alias = typeof body.alias === 'string' ? body.alias : (body.message as string);
    messages.push({ action: 'create', alias, body, userAgent: req.headers['user-agent'] });
    const open = alerts.get(alias);
    // An open alert with the alias only counts the create again (https://docs.opsgenie.com/docs/alert-deduplication).
    if (open?.status === 'open') open.count += 1;
    else alerts.set(alias, { status: 'open', count: 1, priority: (body.priority as string | undefined) ?? 'P3' });
    return answer(202, { result: 'Request will be processed' });
  }, tls);
  return { ...server, url: server.origin, apiKey: OPSGENIE_API_KEY, requests, messages, alerts, fail };
}
