import { notificationId, notificationsFor } from '../../../src/domain/alerts';
import { channelSpec, type Channel } from '../../../src/domain/channels';
import { transition } from '../../../src/domain/transitions';
import type { AlertEvent, Monitor, Notification } from '../../../src/domain/types';
import { makeMonitor } from '../../support/factories';

export const FLIP_AT = new Date('2026-03-28T02:00:00.000Z');
export const LAST_PING_AT = new Date('2026-03-28T00:54:00.000Z');

/**
 * A real outbox row, made the way the store makes it: from a flip of a factory monitor whose
 * field for `channel` is `target` (e-mail also goes to ops@example.com unless it is the channel).
 * A kind without a monitor field is attached through an account-level channel object instead;
 * its row is the flip's e-mail row with its own id, channel and target.
 */
export function alertFor(channel: Channel, target: string, event: AlertEvent = 'monitor.down', overrides: Partial<Monitor> = {}): Notification {
  const field = channelSpec(channel).monitorField;
  const monitor = makeMonitor({
    status: event === 'monitor.down' ? 'up' : 'down',
    alertAt: event === 'monitor.down' ? FLIP_AT : null,
    lastPingAt: LAST_PING_AT,
    ...(field === undefined ? {} : { [field]: target }),
    webhookSecret: channel === 'webhook' ? 'whsec_test' : null,
    ...overrides,
  });
  const t = transition(monitor, event === 'monitor.down' ? 'deadline' : 'ping', FLIP_AT);
  const rows = t?.flip ? notificationsFor(t.flip, monitor) : [];
  const row = field === undefined ? rows.find((n) => n.channel === 'email') : rows.find((n) => n.channel === channel);
  if (!row) throw new Error(`no ${channel} ${event} notification for this monitor`);
  return field === undefined ? { ...row, id: notificationId(row.flipId, channel), channel, target } : row;
}
