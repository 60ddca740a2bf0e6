import { notificationsFor, SETTLE_MS, stillDownNotificationsFor } from '../../../src/domain/alerts';
import { CHANNEL_EVENTS, type Channel } from '../../../src/domain/channels';
import { applyChanges, transition, type Signal } from '../../../src/domain/transitions';
import type { Monitor, Notification } from '../../../src/domain/types';
import { makeMonitor } from '../../support/factories';
import { FLIP_AT, LAST_PING_AT } from './alert';

/** The channel object the alerts below go to, attached to its monitor for every event. */
export const CHANNEL_ID = 'ch_0123456789abcdef';

const attachedTo = (kind: Channel): Partial<Monitor> => ({ alertEmail: null, channels: [{ id: CHANNEL_ID, kind, events: [...CHANNEL_EVENTS] }] });

const rowFor = (rows: Notification[], event: string): Notification => {
  const row = rows.find((n) => n.channelId === CHANNEL_ID && n.event === event);
  if (!row) throw new Error(`no ${event} row for the attached channel`);
  return row;
};

/**
 * A real outbox row for a channel object of `kind` attached to a factory monitor, made the way
 * the store makes it: the monitor goes down at FLIP_AT (its last ping at LAST_PING_AT), or
 * comes back up then.
 */
export function channelAlert(kind: Channel, event: 'monitor.down' | 'monitor.up' = 'monitor.down', overrides: Partial<Monitor> = {}): Notification {
  const down = event === 'monitor.down';
  const monitor = makeMonitor({ status: down ? 'up' : 'down', alertAt: down ? FLIP_AT : null, lastPingAt: LAST_PING_AT, ...attachedTo(kind), ...overrides });
  const t = transition(monitor, down ? 'deadline' : 'ping', FLIP_AT);
  return rowFor(t?.flip ? notificationsFor(t.flip, monitor) : [], event);
}

/** The down alert of an outage and the up alert that ends it, both about the same outage. */
export function outageAlerts(kind: Channel, overrides: Partial<Monitor> = {}): { down: Notification; up: Notification } {
  const down = channelAlert(kind, 'monitor.down', overrides);
  const up = channelAlert(kind, 'monitor.up', { ...overrides, id: down.monitorId, lastAlertAt: FLIP_AT });
  return { down, up };
}

const at = (minutes: number) => new Date(FLIP_AT.getTime() + minutes * 60_000);
const FAIL: Signal = { kind: 'fail', exitCode: null, rid: null, output: null };

/**
 * One flapping episode: an up monitor fails and recovers a minute apart until it flaps (its 7th
 * change, a failure, leaves it down), then settles `settle`. Its last down alert, flapping alert and settled alert.
 */
export function flappingAlerts(kind: Channel, settle: 'up' | 'down'): { down: Notification; flapping: Notification; settled: Notification } {
  let m: Monitor = makeMonitor({ status: 'up', lastPingAt: FLIP_AT, alertAt: at(66), ...attachedTo(kind) });
  const sent: Notification[] = [];
  const apply = (event: Signal | 'ping' | 'deadline', when: Date) => {
    const t = transition(m, event, when)!;
    m = applyChanges(m, t.changes);
    sent.push(...t.notifications);
  };
  for (let i = 1; i <= 7; i++) apply(i % 2 === 1 ? FAIL : 'ping', at(i));
  if (settle === 'up') apply('ping', at(8));
  apply('deadline', new Date((settle === 'up' ? at(8) : at(7)).getTime() + SETTLE_MS));
  // The outage the flapping alert joins is the one the last down before it opened.
  return { down: rowFor([...sent].reverse(), 'monitor.down'), flapping: rowFor(sent, 'monitor.flapping'), settled: rowFor(sent, 'monitor.settled') };
}

/** Reminder 2 of 5 of an outage that began at FLIP_AT, three hours later. */
export function stillDownAlert(kind: Channel): Notification {
  const m = makeMonitor({ status: 'down', downSince: FLIP_AT, lastAlertAt: FLIP_AT, lastPingAt: LAST_PING_AT, remindLimit: 5, ...attachedTo(kind) });
  return rowFor(stillDownNotificationsFor(m, 2, new Date(FLIP_AT.getTime() + 3 * 3_600_000)), 'monitor.still_down');
}

/**
 * A channel's test alert, as the test button queues it: about the channel (its name in the
 * snapshot), not about a monitor.
 */
export function channelTestAlert(kind: Channel, channelName = 'Ops room'): Notification {
  const row = channelAlert(kind);
  return {
    ...row,
    id: `test_${CHANNEL_ID}_1`,
    flipId: `test_${CHANNEL_ID}_1`,
    monitorId: '',
    event: 'channel.test',
    snapshot: { monitorId: '', name: channelName, schedule: 0, grace: 0, lastPingAt: null },
  };
}

/** What a notifier reads at send time for an alert to a channel object: its config, secrets included. */
export const contextWith = (config: Record<string, string>) => ({ webhookSecret: null, config });
