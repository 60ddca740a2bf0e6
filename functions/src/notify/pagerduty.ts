import { ROUTING_KEY_PATTERN } from '../domain/channels';
import type { Notification } from '../domain/types';
import { downReason, when } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const PAGERDUTY_TIMEOUT_MS = 10_000;
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/**
 * One incident per outage: the trigger and the resolve that ends it carry the same key, built
 * from the flip that started the outage. Rows older than `outageId` fall back to their own flip.
 */
export const dedupKeyOf = (n: Notification): string => `cronpeek-${n.snapshot.outageId ?? n.flipId}`;

/** An Events API v2 event: `trigger` when the monitor goes down, `resolve` when it pings again. */
export function pagerdutyEvent(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const down = n.event === 'monitor.down';
  const lastPing = down ? s.lastPingAt : n.createdAt;
  const reason = downReason(s);
  return {
    routing_key: n.target,
    event_action: down ? 'trigger' : 'resolve',
    dedup_key: dedupKeyOf(n),
    payload: {
      // PagerDuty caps the summary at 1024 characters; a monitor name is at most 100.
      summary: down
        ? `DOWN: ${s.name} — ${reason === 'missed' ? `no ping since ${when(s.lastPingAt)}` : reason}`
        : `UP: ${s.name} — pinged again at ${when(n.createdAt)}`,
      source: `cronpeek monitor ${s.monitorId}`,
      severity: 'critical',
      timestamp: n.createdAt.toISOString(),
      component: s.name,
      class: !down || reason === 'missed' ? 'missed ping' : reason === 'started but never finished' ? 'hung run' : 'job failure',
      custom_details: {
        monitorId: s.monitorId,
        name: s.name,
        status: down ? 'down' : 'up',
        schedule: s.cron ?? s.schedule,
        ...(s.cron ? { tz: s.tz ?? 'UTC' } : {}),
        grace: s.grace,
        lastPing: lastPing === null ? null : lastPing.toISOString(),
        reason: down ? reason : 'ping',
        output: down ? (s.output ?? null) : null,
      },
    },
    client: 'CronPeek',
    ...(dashboardUrl !== null ? { client_url: dashboardUrl } : {}),
  };
}

/** PagerDuty's explanation of a refusal (`{"message": …, "errors": […]}`), when it gave one. */
function pagerdutyReason(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; errors?: unknown };
    const parts = [typeof parsed.message === 'string' ? parsed.message : null];
    if (Array.isArray(parsed.errors)) parts.push(...parsed.errors.filter((e): e is string => typeof e === 'string'));
    return parts.filter((p) => p !== null).join('; ').slice(0, 300);
  } catch {
    return body.trim().replace(/\s+/g, ' ').slice(0, 200);
  }
}

const PAGERDUTY: HttpChannel = { label: 'PagerDuty', reasonOf: pagerdutyReason };

export interface PagerDutyOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Sends Events API v2 events to `config.pagerdutyUrl`; the notification's target is the routing
 * key. PagerDuty answers 202; 400 (an invalid event or key) is final; 429 and 5xx retry.
 */
export function pagerdutyNotifier(config: NotifyConfig, options: PagerDutyOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? PAGERDUTY_TIMEOUT_MS;
  const dashboardUrl = config.publicUrl === null ? null : `${config.publicUrl}/dashboard.html`;
  return {
    async send(n): Promise<SendResult> {
      if (!ROUTING_KEY_PATTERN.test(n.target)) return { outcome: 'failed', error: 'PagerDuty routing key is not 32 letters and digits' };
      const body = JSON.stringify(pagerdutyEvent(n, dashboardUrl));
      return postAlert({ url: config.pagerdutyUrl, body }, PAGERDUTY, config, { ...options, timeoutMs });
    },
  };
}
