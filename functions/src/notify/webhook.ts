import { createHmac } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { NotifyConfig } from '../config';
import { isPrivateAddress } from './address';
import { webhookPayload } from './message';
import type { Notifier, SendResult } from './types';

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = 'X-CronPeek-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe-style receivers expect. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

class RefusedTarget extends Error {}

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

const transient = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** POSTs the signed, versioned JSON payload; 2xx is delivered, 408/429/5xx and network errors retry. */
export function webhookNotifier(config: NotifyConfig, clock: () => Date): Notifier {
  return {
    send(n, { webhookSecret }): Promise<SendResult> {
      const body = JSON.stringify(webhookPayload(n));
      const timestamp = Math.floor(clock().getTime() / 1000);
      let url: URL;
      try {
        url = new URL(n.target);
      } catch {
        return Promise.resolve({ outcome: 'failed', error: 'webhook URL is not valid' });
      }
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        'User-Agent': config.userAgent,
        'X-CronPeek-Event': n.event,
        'X-CronPeek-Delivery': n.id,
      };
      if (webhookSecret) headers[SIGNATURE_HEADER] = signatureHeader(webhookSecret, timestamp, body);
      const transport = url.protocol === 'https:' ? https : http;
      return new Promise<SendResult>((resolve) => {
        const req = transport.request(
          url,
          {
            method: 'POST',
            headers,
            timeout: WEBHOOK_TIMEOUT_MS,
            lookup: config.allowPrivateWebhooks ? undefined : guardedLookup,
          },
          (res) => {
            const status = res.statusCode ?? 0;
            res.resume();
            if (status >= 200 && status < 300) resolve({ outcome: 'delivered' });
            else if (transient(status)) resolve({ outcome: 'retry', error: `webhook answered ${status}` });
            else resolve({ outcome: 'failed', error: `webhook answered ${status}` });
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`)));
        req.on('error', (err) => {
          if (err instanceof RefusedTarget) resolve({ outcome: 'failed', error: err.message });
          else resolve({ outcome: 'retry', error: `webhook unreachable: ${err.message}` });
        });
        // IP literals skip `lookup`, so they are checked here.
        const host = url.hostname.replace(/^\[|\]$/g, '');
        if (!config.allowPrivateWebhooks && isIPLiteral(host) && isPrivateAddress(host)) {
          req.destroy(new RefusedTarget(`refused: ${host} is a private address`));
          return;
        }
        req.end(body);
      });
    },
  };
}

function isIPLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
