import { createHmac } from 'node:crypto';
import type { NotifyConfig } from '../config';
import { webhookPayload } from './message';
import { checkTarget, postJson, type ConnectOptions } from './post';
import { isSlackWebhook, slackNotifier } from './slack';
import { isTransientStatus, type Notifier, type SendResult } from './types';

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = 'X-CronPeek-Signature';

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
      const checked = checkTarget(n.target, config.allowPrivateWebhooks);
      if ('error' in checked) return { outcome: 'failed', error: checked.error.startsWith('refused') ? checked.error : `webhook ${checked.error}` };
      const body = JSON.stringify(webhookPayload(n));
      const headers: Record<string, string> = {
        'User-Agent': config.userAgent,
        'X-CronPeek-Event': n.event,
        'X-CronPeek-Delivery': n.id,
      };
      if (context.webhookSecret) headers[SIGNATURE_HEADER] = signatureHeader(context.webhookSecret, Math.floor(clock().getTime() / 1000), body);
      const result = await postJson(checked.url, body, headers, { ...options, timeoutMs, allowPrivate: config.allowPrivateWebhooks });
      switch (result.kind) {
        case 'answered': {
          const { status } = result;
          if (status >= 200 && status < 300) return { outcome: 'delivered' };
          if (isTransientStatus(status)) return { outcome: 'retry', error: `webhook answered ${status}` };
          return { outcome: 'failed', error: `webhook answered ${status}` };
        }
        case 'refused':
          return { outcome: 'failed', error: result.error };
        case 'timeout':
          return { outcome: 'retry', error: `webhook timed out: ${result.error}` };
        case 'unreachable':
          return { outcome: 'retry', error: `webhook unreachable: ${result.error}` };
      }
    },
  };
}
