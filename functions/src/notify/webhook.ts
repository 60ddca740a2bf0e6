import { createHmac } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import type { NotifyConfig } from '../config';
import { isPrivateAddress } from './address';
import { webhookPayload } from './message';
import { isTransientStatus, type Notifier, type SendResult } from './types';

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = 'X-CronPeek-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe-style receivers expect. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

class RefusedTarget extends Error {}
class TimedOut extends Error {}

/**
 * Resolves like the default lookup, then refuses private addresses. Checking here, at connect
 * time, rather than before the request, leaves no window for DNS rebinding.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new RefusedTarget(`refused: ${hostname} resolves to private address ${bad.address}`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0].address, list[0].family);
  });
};


export interface WebhookOptions {
  /** Deadline for the whole exchange, connect to response headers; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** POSTs the signed, versioned JSON payload; 2xx is delivered, 408/429/5xx and network errors retry. */
export function webhookNotifier(config: NotifyConfig, clock: () => Date, options: WebhookOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  // Own agents without keep-alive: a pooled socket from another configuration (or a target that
  // has since moved) must never carry a delivery past the address check.
  const agents = { 'http:': new http.Agent({ keepAlive: false }), 'https:': new https.Agent({ keepAlive: false }) };
  return {
    send(n, { webhookSecret }): Promise<SendResult> {
      let url: URL;
      try {
        url = new URL(n.target);
      } catch {
        return Promise.resolve({ outcome: 'failed', error: 'webhook URL is not valid' });
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return Promise.resolve({ outcome: 'failed', error: `webhook URL must be http(s), not ${url.protocol}` });
      }
      // IP literals never reach `lookup`, so they are judged here, before any connection is opened.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!config.allowPrivateWebhooks && net.isIP(host) !== 0 && isPrivateAddress(host)) {
        return Promise.resolve({ outcome: 'failed', error: `refused: ${host} is a private address` });
      }
      const body = JSON.stringify(webhookPayload(n));
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        'User-Agent': config.userAgent,
        'X-CronPeek-Event': n.event,
        'X-CronPeek-Delivery': n.id,
      };
      if (webhookSecret) headers[SIGNATURE_HEADER] = signatureHeader(webhookSecret, Math.floor(clock().getTime() / 1000), body);
      const transport = url.protocol === 'https:' ? https : http;
      return new Promise<SendResult>((resolve) => {
        const req = transport.request(url, {
          method: 'POST',
          headers,
          agent: agents[url.protocol as 'http:' | 'https:'],
          lookup: config.allowPrivateWebhooks ? undefined : guardedLookup,
        });
        // One deadline for the whole exchange: a socket timeout alone would let a target that
        // trickles bytes hold the delivery (and its lease) indefinitely.
        const deadline = setTimeout(() => req.destroy(new TimedOut(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
        req.on('response', (res) => {
          const status = res.statusCode ?? 0;
          // The answer is the status; the body is drained and then the connection is let go.
          res.on('error', () => {});
          res.on('close', () => clearTimeout(deadline));
          res.resume();
          if (status >= 200 && status < 300) resolve({ outcome: 'delivered' });
          else if (isTransientStatus(status)) resolve({ outcome: 'retry', error: `webhook answered ${status}` });
          else resolve({ outcome: 'failed', error: `webhook answered ${status}` });
        });
        req.on('error', (err) => {
          clearTimeout(deadline);
          if (err instanceof RefusedTarget) resolve({ outcome: 'failed', error: err.message });
          else if (err instanceof TimedOut) resolve({ outcome: 'retry', error: `webhook timed out: ${err.message}` });
          else resolve({ outcome: 'retry', error: `webhook unreachable: ${err.message}` });
        });
        req.end(body);
      });
    },
  };
}
