import { createHmac } from 'node:crypto';
import { webhookPayload } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import { isSlackWebhook, slackNotifier } from './slack';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = 'X-CronPeek-Signature';
/** Receivers are arbitrary servers: a refusal is reported by its status, not by whatever page came with it. */
const WEBHOOK: HttpChannel = { label: 'webhook' };

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe-style receivers expect. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export interface WebhookOptions extends ConnectOptions {
  /** Deadline for the whole exchange, connect to response; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * POSTs the signed, versioned JSON payload; 2xx is delivered, 408/429/5xx and network errors
 * retry. A Slack incoming webhook (host `hooks.slack.com`) refuses that JSON, so it gets Slack's
 * message format instead, exactly as an `alertSlack` target would.
 */
export function webhookNotifier(config: NotifyConfig, clock: () => Date, options: WebhookOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const slack = slackNotifier(config, options);
  return {
    async send(n, context): Promise<SendResult> {
      if (isSlackWebhook(n.target)) return slack.send(n, context);
      const body = JSON.stringify(webhookPayload(n));
      const headers: Record<string, string> = { 'X-CronPeek-Event': n.event, 'X-CronPeek-Delivery': n.id };
      if (context.webhookSecret) headers[SIGNATURE_HEADER] = signatureHeader(context.webhookSecret, Math.floor(clock().getTime() / 1000), body);
      return postAlert({ url: n.target, body, headers }, WEBHOOK, config, { ...options, timeoutMs });
    },
  };
}
