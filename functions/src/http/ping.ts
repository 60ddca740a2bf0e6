import type http from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import type { Express } from 'express';
import proxyaddr from 'proxy-addr';
import { AppError, ErrorCode } from '../domain/errors';
import type { Monitor, PingMethod } from '../domain/types';
import type { Deps } from '../services/context';
import { recordPing, type PingInput } from '../services/ping';
import { AUTO_CREATE_SCHEDULE, monitorBySlug, pingKeyAccount } from '../services/fleet';
import type { MonitorInput } from '../services/monitors';
import { PING_KEY_PATTERN, PING_TOKEN_PATTERN } from '../services/secrets';
import { DEFAULT_PING_SNOOZE, snoozeByPingToken } from '../services/snooze';
import { errorAnswer, logUnhandled, parseBody } from './errors';
import { API_HEADERS, PING_CORS_HEADERS } from './headers';
import { addressKey, limitGuard, type LimitGuard } from './limits';
import { createMonitorBody, snoozeQuery } from './schemas';

/** Run ids are opaque to CronPeek; printable ASCII keeps them safe to show and to match. */
const RID_PATTERN = /^[\x21-\x7e]{1,64}$/;

/**
 * The signal a ping URL carries: its last segment (`start`, `fail`, an exit code 0–255; none for
 * the plain URL) and `?rid=` (as parsed from the query: a list when given twice). Checked before
 * the token is looked up, so a malformed signal changes nothing.
 */
export function signalOf(signal: string | undefined, rawRid: unknown): Pick<PingInput, 'kind' | 'exitCode' | 'rid'> {
  if (rawRid !== undefined && typeof rawRid !== 'string') throw new AppError(ErrorCode.BadRequest, 'rid must be given once.');
  // An empty rid (an unset shell variable) is no rid: refusing it would lose the job's signal.
  if (rawRid !== undefined && rawRid !== '' && !RID_PATTERN.test(rawRid)) {
    throw new AppError(ErrorCode.BadRequest, 'rid must be 1 to 64 printable ASCII characters without spaces.');
  }
  const rid = rawRid === undefined || rawRid === '' ? null : rawRid;
  if (signal === undefined) return { kind: 'success', exitCode: null, rid };
  if (signal === 'start') return { kind: 'start', exitCode: null, rid };
  if (signal === 'fail') return { kind: 'fail', exitCode: null, rid };
  if (/^\d{1,3}$/.test(signal) && Number(signal) <= 255) {
    const exitCode = Number(signal);
    return { kind: exitCode === 0 ? 'success' : 'fail', exitCode, rid };
  }
  throw new AppError(ErrorCode.BadRequest, 'Unknown signal: use /start, /fail or an exit code from 0 to 255.');
}

/** A ping request, whichever way it arrived. */
export interface PingRequest {
  token: string;
  method: PingMethod;
  source: string | null;
  userAgent: string | null;
  body: Buffer | null;
  signal: string | undefined;
  rid: unknown;
  /** `?for=` and `?until=` of a snooze (`/snooze`), as parsed from the query; ignored otherwise. */
  snooze?: { for?: unknown; until?: unknown };
}

/** What a ping URL answers (as JSON; HEAD gets the status and headers only). */
export interface PingAnswer {
  ok: true;
  monitor: string;
  status: Monitor['status'];
}

/** What `/snooze` on a ping URL answers: the monitor's id (the job host may not know it) and when the snooze ends. */
export interface SnoozeAnswer {
  ok: true;
  monitor: string;
  snoozedUntil: string;
}

/** `/snooze` on a ping URL: `?for=` seconds or `?until=` a time, an hour when neither is given. Records no ping. */
async function snoozeWithToken(deps: Deps, r: PingRequest): Promise<SnoozeAnswer> {
  const query = parseBody(snoozeQuery, { ...r.snooze });
  const request = query.for === undefined && query.until === undefined ? { for: DEFAULT_PING_SNOOZE } : query;
  const monitor = await snoozeByPingToken(deps, r.token, request);
  return { ok: true, monitor: monitor.id, snoozedUntil: (monitor.snoozedUntil as Date).toISOString() };
}

/** A ping proper: the signal checked, then recorded. */
async function pingWithToken(deps: Deps, r: PingRequest): Promise<PingAnswer> {
  const monitor = await recordPing(deps, {
    token: r.token,
    method: r.method,
    source: r.source,
    userAgent: r.userAgent,
    body: r.body,
    ...signalOf(r.signal, r.rid),
  });
  return { ok: true, monitor: monitor.name, status: monitor.status };
}

/** Query parameters of a ping by slug that creates its monitor (`?create=1&schedule=&tz=&grace=`), as parsed. */
export interface SlugPingQuery {
  create?: unknown;
  schedule?: unknown;
  tz?: unknown;
  grace?: unknown;
}

/** A query value as a create body holds it: digits as a number (seconds), anything else as given. */
const queryValue = (v: unknown): unknown => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v);

/** `?create=1` (or `true`): the monitor a ping by slug should be created as, checked as a create body is; null without it. */
function autoCreateInput(slug: string, q: SlugPingQuery): MonitorInput | null {
  if (q.create !== '1' && q.create !== 'true') return null;
  const body: Record<string, unknown> = { name: slug, schedule: q.schedule === undefined ? AUTO_CREATE_SCHEDULE : queryValue(q.schedule) };
  if (q.tz !== undefined) body.tz = q.tz;
  if (q.grace !== undefined) body.grace = queryValue(q.grace);
  return parseBody(createMonitorBody, body);
}

/**
 * A ping by slug (`/ping/<pingKey>/<slug>[/<signal>]`): the account found by its ping key, the
 * monitor by its slug (created with `?create=1` when there is none: then 201), then the same ping
 * or snooze as on the monitor's own URL, counted against the same per-monitor rate limit. An
 * unknown key or slug counts against the client address, as an unknown token does.
 */
export async function handleSlugPing(
  deps: Deps,
  limits: LimitGuard,
  r: Omit<PingRequest, 'token'> & { pingKey: string; slug: string; query: SlugPingQuery },
): Promise<{ status: 200 | 201; answer: PingAnswer | SnoozeAnswer }> {
  const counted = PING_KEY_PATTERN.test(r.pingKey);
  const address = addressKey(r.source ?? '');
  if (counted) await limits.refuseIfOver('unknownPing', address);
  // Checked before anything is looked up or created: a malformed signal or rid changes nothing.
  if (r.signal !== 'snooze') signalOf(r.signal, r.rid);
  let found: { monitor: Monitor; created: boolean };
  try {
    const account = await pingKeyAccount(deps, r.pingKey);
    found = await monitorBySlug(deps, account, r.slug, autoCreateInput(r.slug, r.query));
  } catch (err) {
    if (counted && err instanceof AppError && err.code === ErrorCode.NotFound) await limits.count('unknownPing', address);
    throw err;
  }
  const token = found.monitor.pingToken;
  await limits.take('ping', token);
  const request: PingRequest = { ...r, token };
  const answer = r.signal === 'snooze' ? await snoozeWithToken(deps, request) : await pingWithToken(deps, request);
  return { status: found.created ? 201 : 200, answer };
}

/**
 * A ping, as both the Express route and the embedded fast path handle it: counted against the
 * token's rate limit, its signal checked, then recorded; `/snooze` is counted the same way and
 * snoozes the monitor instead. Resolves once the ping is stored. A ping to an unknown token
 * counts against its client address; an address past that limit is refused before its token is
 * looked up or counted, so a sweep through made-up tokens costs neither storage reads nor limiter memory.
 */
export async function handlePing(deps: Deps, limits: LimitGuard, r: PingRequest): Promise<PingAnswer | SnoozeAnswer> {
  // Only well-formed tokens are counted: anything else is a 404 that costs no storage anyway.
  const counted = PING_TOKEN_PATTERN.test(r.token);
  const address = addressKey(r.source ?? '');
  if (counted) {
    await limits.refuseIfOver('unknownPing', address);
    await limits.take('ping', r.token);
  }
  try {
    return r.signal === 'snooze' ? await snoozeWithToken(deps, r) : await pingWithToken(deps, r);
  } catch (err) {
    if (counted && err instanceof AppError && err.code === ErrorCode.NotFound) await limits.count('unknownPing', address);
    throw err;
  }
}

/**
 * The shape of ping URL the fast path takes: `/api/v1/ping/<token>[/<signal>][?query]` (or
 * without `/api`, as on the function's own URL; `/snooze` is one of the signals), in its plain
 * form. Anything else (a trailing slash, percent-escapes, other capitalisation, an odd-looking
 * token) is left to the Express route, which stays the reference for every edge case.
 */
const FAST_PING_URL = /^(?:\/api)?\/v1\/ping\/([A-Za-z0-9_-]{24})(?:\/([A-Za-z0-9]{1,8}))?(?:\?(.*))?$/;

/** Headers of every ping answer: the API's own, plus the ping URLs' CORS (see `pingCors`). */
const PING_HEADERS: Record<string, string> = { ...API_HEADERS, ...PING_CORS_HEADERS };
/** The same, listed once: the hot path sets them without building a list per request. */
const PING_HEADER_LIST = Object.entries(PING_HEADERS);

/**
 * The embedded server's lean path for the hot route: GET and HEAD pings (what cron jobs send),
 * answered without going through Express's router and middleware, which cost more CPU than the
 * ping itself (see docs/performance.md). It reads the same request facts the
 * Express route reads (the client address through the app's own `trust proxy` setting), calls
 * the same `handlePing`, and answers with the same status, headers and JSON. Every other
 * request, POST pings with a body included, goes to `app`.
 *
 * For the API description this is `GET|HEAD /v1/ping/{token}`, `/v1/ping/{token}/{signal}` and
 * `/v1/ping/{token}/snooze`: the Express routes of the same paths remain declared in
 * `routes/pings.ts` (and serve Cloud Functions).
 */
export function withPingFastPath(deps: Deps, app: http.RequestListener & Pick<Express, 'get'>): http.RequestListener {
  const limits = limitGuard(deps);
  const trust = app.get('trust proxy fn') as Parameters<typeof proxyaddr>[1];
  return (req, res) => {
    const match = req.method === 'GET' || req.method === 'HEAD' ? FAST_PING_URL.exec(req.url ?? '') : null;
    if (match === null) {
      app(req, res);
      return;
    }
    const [, token, signal, query] = match;
    const params: ParsedUrlQuery = query === undefined ? {} : parseQuery(query);
    const request: PingRequest = {
      token,
      method: req.method as PingMethod,
      source: proxyaddr(req, trust) || null,
      userAgent: req.headers['user-agent'] ?? null,
      body: null,
      signal,
      rid: params.rid,
      snooze: signal === 'snooze' ? { for: params.for, until: params.until } : undefined,
    };
    const head = req.method === 'HEAD';
    const path = () => (req.url ?? '').split('?')[0];
    handlePing(deps, limits, request).then(
      (answer) => send(res, head, 200, PING_HEADER_LIST, head ? null : answer),
      (err: unknown) => {
        const answer = errorAnswer(err);
        if (answer.unexpected) logUnhandled(deps.log, 'unhandled error', req.method!, path(), err);
        send(res, head, answer.status, Object.entries({ ...PING_HEADERS, ...answer.headers }), answer.body);
      },
    ).catch((err: unknown) => {
      // Answering itself failed: too late for JSON; never an unhandled rejection.
      logUnhandled(deps.log, 'error after the response started', req.method!, path(), err);
      res.destroy();
    });
  };
}

/** Answers as the Express route does: HEAD gets an error's headers but a success's status alone (`body` null). */
function send(res: http.ServerResponse, head: boolean, status: number, headers: ReadonlyArray<[string, string]>, body: object | null): void {
  for (const [name, value] of headers) res.setHeader(name, value);
  res.statusCode = status;
  if (body === null) {
    res.end();
    return;
  }
  // Two-space JSON, as the Express app answers (`json spaces`).
  const json = JSON.stringify(body, null, 2);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(head ? undefined : json);
}
