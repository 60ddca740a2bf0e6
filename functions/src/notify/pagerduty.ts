import { ROUTING_KEY_PATTERN } from '../domain/channels';
import { displayLine } from '../domain/text';
import type { Notification } from '../domain/types';
import { downReason, downSummary, FLAPPING_TEXT, heldSince, lastPingOf, reminderText, reportedStatus, when } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const PAGERDUTY_TIMEOUT_MS = 10_000;
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/**
 * One incident per outage: the trigger and the resolve that ends it carry the same key, built
 * from the flip that started the outage. Rows older than `outageId` fall back to their own flip.
 */
export const dedupKeyOf = (n: Notification): string => `cronpeek-${n.snapshot.outageId ?? n.flipId}`;

/** What an alert does to its incident, and how PagerDuty titles and classes it. */
interface IncidentEvent {
  action: 'trigger' | 'resolve';
  summary: string;
  severity: 'critical' | 'error' | 'info';
  class: string;
}

/**
 * Down triggers, up resolves. A flapping monitor triggers on the key of its current outage (a
 * monitor that starts flapping while up keeps the outage its last down opened), and its flips
 * then send nothing; settling up resolves that incident, settling down keeps it open for the
 * recovery to resolve, since every alert until then carries the same key.
 */
function incidentEvent(n: Notification, name: string): IncidentEvent {
  const s = n.snapshot;
  const reason = downReason(s);
  const status = reportedStatus(n);
  switch (n.event) {
    case 'monitor.down': {
      const what = reason === 'missed' ? 'missed ping' : reason === 'started but never finished' ? 'hung run' : 'job failure';
      return { action: 'trigger', summary: `DOWN: ${name} — ${downSummary(s)}`, severity: 'critical', class: what };
    }
    case 'monitor.up':
      return { action: 'resolve', summary: `UP: ${name} — pinged again at ${when(n.createdAt, n.snapshot.tz)}`, severity: 'critical', class: 'missed ping' };
    case 'monitor.flapping':
      return { action: 'trigger', summary: `FLAPPING: ${name} — ${FLAPPING_TEXT}; ${status} now`, severity: 'error', class: 'flapping' };
    case 'monitor.still_down':
      // Never queued (the registry gives PagerDuty no reminders); were one sent, it joins the open incident.
      return { action: 'trigger', summary: `STILL DOWN: ${name} — ${reminderText(n)}`, severity: 'critical', class: 'reminder' };
    case 'monitor.settled':
      return {
        action: status === 'up' ? 'resolve' : 'trigger',
        summary: `${status.toUpperCase()}: ${name} — settled after flapping, ${status} since ${when(heldSince(n), n.snapshot.tz)}`,
        severity: 'critical',
        class: 'settled after flapping',
      };
    case 'channel.test':
      // A test pages nobody: PagerDuty raises an `info` event as a low-urgency incident at most.
      return { action: 'trigger', summary: `TEST: ${name} — a test alert from CronPeek; nothing is down`, severity: 'info', class: 'test' };
  }
}

/** An Events API v2 event: `trigger` when the monitor goes down, `resolve` when it pings again (see `incidentEvent`). */
export function pagerdutyEvent(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const lastPing = lastPingOf(n);
  // What PagerDuty shows as the incident's title and component is one line; `custom_details` keeps the name as stored.
  const name = displayLine(s.name);
  const incident = incidentEvent(n, name);
  return {
    routing_key: n.target,
    event_action: incident.action,
    dedup_key: dedupKeyOf(n),
    payload: {
      // PagerDuty caps the summary at 1024 characters; a monitor name is at most 100.
      summary: incident.summary,
      source: `cronpeek monitor ${s.monitorId}`,
      severity: incident.severity,
      timestamp: n.createdAt.toISOString(),
      component: name,
      class: incident.class,
      custom_details: {
        monitorId: s.monitorId,
        name: s.name,
        status: reportedStatus(n),
        schedule: s.cron ?? s.schedule,
        ...(s.cron ? { tz: s.tz ?? 'UTC' } : {}),
        grace: s.grace,
        lastPing: lastPing === null ? null : lastPing.toISOString(),
        reason: n.event === 'monitor.up' ? 'ping' : n.event === 'monitor.settled' ? 'settled' : downReason(s),
        output: n.event === 'monitor.up' ? null : (s.output ?? null),
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
    async send(n, context): Promise<SendResult> {
      // A channel object's key is in its config; a monitor's `alertPagerDuty` is the row's target.
      const configured = context.config?.routingKey;
      const routingKey = typeof configured === 'string' ? configured : n.target;
      if (!ROUTING_KEY_PATTERN.test(routingKey)) return { outcome: 'failed', error: 'PagerDuty routing key is not 32 letters and digits' };
      const body = JSON.stringify(pagerdutyEvent({ ...n, target: routingKey }, dashboardUrl));
      return postAlert({ url: config.pagerdutyUrl, body }, PAGERDUTY, config, { ...options, timeoutMs });
    },
  };
}
