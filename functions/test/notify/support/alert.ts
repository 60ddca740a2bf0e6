import { notificationsFor } from '../../../src/domain/alerts';
import { transition } from '../../../src/domain/transitions';
import type { AlertEvent, Channel, Monitor, Notification } from '../../../src/domain/types';
import { makeMonitor } from '../../support/factories';

export const FLIP_AT = new Date('2026-03-28T02:00:00.000Z');
export const LAST_PING_AT = new Date('2026-03-28T00:54:00.000Z');

/** A real outbox row, made the way the store makes it: from a flip of a factory monitor. */
export function alertFor(channel: Channel, target: string, event: AlertEvent = 'monitor.down', overrides: Partial<Monitor> = {}): Notification {
  const monitor = makeMonitor({
    status: event === 'monitor.down' ? 'up' : 'down',
    alertAt: event === 'monitor.down' ? FLIP_AT : null,
    lastPingAt: LAST_PING_AT,
    alertEmail: channel === 'email' ? target : 'ops@example.com',
    alertWebhook: channel === 'webhook' ? target : null,
    webhookSecret: channel === 'webhook' ? 'whsec_test' : null,
    alertSlack: channel === 'slack' ? target : null,
    alertPagerDuty: channel === 'pagerduty' ? target : null,
    ...overrides,
  });
  const t = transition(monitor, event === 'monitor.down' ? 'deadline' : 'ping', FLIP_AT);
  const row = t?.flip ? notificationsFor(t.flip, monitor).find((n) => n.channel === channel) : undefined;
  if (!row) throw new Error(`no ${channel} ${event} notification for this monitor`);
  return row;
}
