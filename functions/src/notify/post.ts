import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { isPrivateAddress } from './address';
import type { CircuitBreaker } from './circuit';
import { isTransientStatus, type NotifyConfig, type SendResult } from './types';

/** Hostname → addresses, like `dns.lookup(…, { all: true })`. The seam tests resolve names through. */
export type Resolve = (hostname: string) => Promise<dns.LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true });

/** How outgoing alert requests reach their targets; production uses the defaults. */
export interface ConnectOptions {
  /** Name resolution; the private-address check applies to whatever it returns. */
  resolve?: Resolve;
  /** Extra trusted certificate authorities (PEM), for a local HTTPS stand-in in tests. */
  ca?: string;
  /** Deadline for resolving the host and opening the connection; CONNECT_TIMEOUT_MS unless a test needs less. */
  connectTimeoutMs?: number;
  /** The process's per-host circuit breaker; without one every request is tried. */
  circuit?: CircuitBreaker;
}

/**
 * A host that cannot even be reached in this long is given up on well before the whole
 * exchange's deadline, so an unreachable target holds a delivery slot for 3 s, not 10.
 */
export const CONNECT_TIMEOUT_MS = 3_000;

export interface PostOptions extends ConnectOptions {
  /** Deadline for the whole exchange, connect to the end of the answer. */
  timeoutMs: number;
  /** Allow private, loopback and link-local targets (self-hosting only). */
  allowPrivate: boolean;
  /** POST unless a webhook template says otherwise. */
  method?: string;
}

/** What came of one POST: an answer (status and the first bytes of its body), or why there was none. */
export type PostResult =
  | { kind: 'answered'; status: number; body: string; retryAfterMs: number | null }
  | { kind: 'refused'; error: string }
  | { kind: 'timeout'; error: string }
  | { kind: 'unreachable'; error: string };

/** The longest wait a `Retry-After` is honoured for; a target asking for more is tried again after this. */
export const MAX_RETRY_AFTER_MS = 6 * 3_600_000;

/** A `Retry-After` header (delay-seconds or an HTTP date) as milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return null;
  // Seconds may carry a fraction (Discord's do); anything else is read as an HTTP date.
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Math.ceil(Number(value) * 1000) : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Answers are read up to this many bytes: enough for Slack's and PagerDuty's error texts. */
const MAX_ANSWER_BYTES = 4_096;

class RefusedTarget extends Error {}
class TimedOut extends Error {}

/**
 * Resolves through `resolve`, then (unless private targets are allowed) refuses private
 * addresses. Checking here, at connect time, rather than before the request, leaves no window
 * for DNS rebinding.
 */
function lookupVia(resolve: Resolve, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const list = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (list.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
        if (bad) return callback(new RefusedTarget(`refused: ${hostname} resolves to private address ${bad.address}`), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
        callback(null, list[0].address, list[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** Checks a target URL before any connection: http(s) only, and no private IP literal. */
export function checkTarget(target: string, allowPrivate: boolean): { url: URL } | { error: string } {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { error: 'URL is not valid' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `URL must be http(s), not ${url.protocol}` };
  // IP literals never reach `lookup`, so they are judged here, before any connection is opened.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && net.isIP(host) !== 0 && isPrivateAddress(host)) return { error: `refused: ${host} is a private address` };
  return { url };
}

/**
 * POSTs `body` to a URL already passed through `checkTarget`. Redirects are not followed (a
 * redirect could lead past the address check), and every request gets a fresh connection: a
 * pooled socket from another target must never carry a delivery past the check.
 */
export function postJson(url: URL, body: string, headers: Record<string, string>, options: PostOptions): Promise<PostResult> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    const contentType: Record<string, string> = body === '' ? {} : { 'Content-Type': 'application/json' };
    const req = transport.request(url, {
      method: options.method ?? 'POST',
      headers: { ...contentType, 'Content-Length': String(Buffer.byteLength(body)), ...headers },
      agent: false,
      lookup: lookupVia(options.resolve ?? systemResolve, options.allowPrivate),
      ...(options.ca && url.protocol === 'https:' ? { ca: options.ca } : {}),
    });
    // One deadline for the whole exchange: a socket timeout alone would let a target that
    // trickles bytes hold the delivery (and its lease) indefinitely.
    const timeoutSeconds = options.timeoutMs / 1000;
    const deadline = setTimeout(() => req.destroy(new TimedOut(`no answer within ${timeoutSeconds} s`)), options.timeoutMs);
    const connectMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    const connecting = setTimeout(() => req.destroy(new TimedOut(`no connection within ${connectMs / 1000} s`)), connectMs);
    // Every request has a fresh socket (agent: false), so its `connect` ends the connect phase.
    req.on('socket', (socket) => socket.once('connect', () => clearTimeout(connecting)));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        clearTimeout(deadline);
        clearTimeout(connecting);
        const wait = retryAfterMs(res.headers['retry-after'], Date.now());
        resolve({ kind: 'answered', status, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES), retryAfterMs: wait });
      };
      res.on('data', (c: Buffer) => {
        if (size < MAX_ANSWER_BYTES) chunks.push(c);
        size += c.length;
        // The rest of a huge answer is not worth waiting for.
        if (size >= MAX_ANSWER_BYTES) {
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      // The status is what matters; an answer cut short after it still counts.
      res.on('error', finish);
      res.on('close', finish);
    });
    req.on('error', (err) => {
      clearTimeout(deadline);
      clearTimeout(connecting);
      if (err instanceof RefusedTarget) resolve({ kind: 'refused', error: err.message });
      else if (err instanceof TimedOut) resolve({ kind: 'timeout', error: err.message });
      else resolve({ kind: 'unreachable', error: err.message });
    });
    req.end(body);
  });
}

/** How a channel that POSTs names itself in errors, and what it quotes from a refusal's answer. */
export interface HttpChannel {
  /** Starts each error: `Slack answered 404: no_service`, `webhook timed out: …`. */
  label: string;
  /** How a target that fails the check is named, when not by `label` (`Slack webhook URL is not valid`). */
  targetLabel?: string;
  /** The useful part of a non-2xx answer's body; the error leaves it out when empty. */
  reasonOf?: (body: string) => string;
  /**
   * How long a transient answer's body says to wait, in ms, for a vendor that says it there and
   * not (or not only) in `Retry-After` (Telegram's `parameters.retry_after`); the header wins.
   */
  retryAfterOf?: (body: string) => number | null;
}

/** An alert POST: the target URL (still unchecked), the JSON body and the channel's own headers. */
export interface AlertPost {
  url: string;
  body: string;
  headers?: Record<string, string>;
  /** POST unless given (a webhook template's method). */
  method?: string;
}

/**
 * What one POST's outcome means for the alert, the same for every channel that POSTs: 2xx is
 * delivered; 408, 429, 5xx, timeouts and unreachable targets retry; other answers and refused
 * targets are final.
 */
function sendResultOf(result: PostResult, channel: HttpChannel): SendResult {
  switch (result.kind) {
    case 'answered': {
      const { status } = result;
      if (status >= 200 && status < 300) return { outcome: 'delivered' };
      const reason = channel.reasonOf?.(result.body) ?? '';
      const error = `${channel.label} answered ${status}${reason ? `: ${reason}` : ''}`;
      if (!isTransientStatus(status)) return { outcome: 'failed', error };
      const fromBody = result.retryAfterMs === null ? (channel.retryAfterOf?.(result.body) ?? null) : null;
      const wait = result.retryAfterMs ?? (fromBody === null ? null : Math.min(Math.max(fromBody, 0), MAX_RETRY_AFTER_MS));
      return wait === null ? { outcome: 'retry', error } : { outcome: 'retry', error, retryAfterMs: wait };
    }
    case 'refused':
      return { outcome: 'failed', error: result.error };
    case 'timeout':
      return { outcome: 'retry', error: `${channel.label} timed out: ${result.error}` };
    case 'unreachable':
      return { outcome: 'retry', error: `${channel.label} unreachable: ${result.error}` };
  }
}

/**
 * Checks the target, POSTs the alert with CronPeek's User-Agent within `timeoutMs`, and reports
 * the outcome. A target that fails the check is final: trying again cannot change it. A host
 * whose circuit is open is not tried: the alert is retried later, like after a timeout.
 */
export async function postAlert(post: AlertPost, channel: HttpChannel, config: NotifyConfig, options: ConnectOptions & { timeoutMs: number }): Promise<SendResult> {
  const checked = checkTarget(post.url, config.allowPrivateWebhooks);
  if ('error' in checked) return { outcome: 'failed', error: checked.error.startsWith('refused') ? checked.error : `${channel.targetLabel ?? channel.label} ${checked.error}` };
  const host = checked.url.host;
  const open = options.circuit?.check(host);
  if (open) {
    const error = `${channel.label} not tried: circuit open for host ${host} after ${open.failures} timeouts or connection failures in a row, until ${open.until.toISOString()}`;
    return { outcome: 'retry', error };
  }
  const headers = { 'User-Agent': config.userAgent, ...post.headers };
  const result = await postJson(checked.url, post.body, headers, { ...options, allowPrivate: config.allowPrivateWebhooks, method: post.method });
  // A refused target (a private address) was never contacted: it says nothing about the host.
  if (result.kind !== 'refused') options.circuit?.record(host, result.kind === 'timeout' || result.kind === 'unreachable');
  return sendResultOf(result, channel);
}
