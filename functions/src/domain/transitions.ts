import { deadlineAfter } from './schedule';
import type { Flip, FlipReason, Monitor, MonitorStatus } from './types';

export type MonitorEvent = 'ping' | 'deadline' | 'pause' | 'resume';

/** The fields an event changes. `countPing` is an increment so concurrent pings add up. */
export interface MonitorChanges {
  status: MonitorStatus;
  alertAt: Date | null;
  lastPingAt?: Date;
  lastAlertAt?: Date;
  countPing: boolean;
}

export interface Transition {
  changes: MonitorChanges;
  /** Set when the status changes; every status change is recorded as a flip. */
  flip: Flip | null;
}

/** Flip ids are deterministic, so two writers racing on the same change collide instead of doubling it. */
export function flipId(monitorId: string, at: Date, to: MonitorStatus): string {
  return `${monitorId}_${at.getTime()}_${to}`;
}

function flipTo(m: Monitor, to: MonitorStatus, at: Date, reason: FlipReason): Flip | null {
  if (m.status === to) return null;
  return { id: flipId(m.id, at, to), monitorId: m.id, from: m.status, to, at, reason };
}

/**
 * The single owner of every status change. Returns null when the event does not apply to the
 * monitor as it is now (a deadline that a ping already moved, resuming a monitor that is not
 * paused): callers treat that as losing a race, not as an error.
 */
export function transition(m: Monitor, event: MonitorEvent, now: Date): Transition | null {
  switch (event) {
    case 'ping': {
      // A paused monitor records pings but stays paused until it is resumed explicitly.
      if (m.status === 'paused') {
        return { changes: { status: 'paused', alertAt: null, lastPingAt: now, countPing: true }, flip: null };
      }
      const flip = flipTo(m, 'up', now, 'ping');
      return {
        changes: { status: 'up', alertAt: deadlineAfter(now, m.schedule, m.grace), lastPingAt: now, countPing: true },
        flip,
      };
    }
    case 'deadline': {
      if (m.status !== 'up' || m.alertAt === null || m.alertAt.getTime() > now.getTime()) return null;
      return {
        changes: { status: 'down', alertAt: null, lastAlertAt: now, countPing: false },
        flip: flipTo(m, 'down', now, 'missed'),
      };
    }
    case 'pause': {
      if (m.status === 'paused') return null;
      return { changes: { status: 'paused', alertAt: null, countPing: false }, flip: flipTo(m, 'paused', now, 'pause') };
    }
    case 'resume': {
      if (m.status !== 'paused') return null;
      // A resumed monitor that has pinged before gets one full period before it can go down.
      if (m.lastPingAt === null) {
        return { changes: { status: 'new', alertAt: null, countPing: false }, flip: flipTo(m, 'new', now, 'resume') };
      }
      return {
        changes: { status: 'up', alertAt: deadlineAfter(now, m.schedule, m.grace), countPing: false },
        flip: flipTo(m, 'up', now, 'resume'),
      };
    }
  }
}

/** The monitor as it is after `changes`. */
export function applyChanges(m: Monitor, changes: MonitorChanges): Monitor {
  return {
    ...m,
    status: changes.status,
    alertAt: changes.alertAt,
    lastPingAt: changes.lastPingAt ?? m.lastPingAt,
    lastAlertAt: changes.lastAlertAt ?? m.lastAlertAt,
    pingCount: m.pingCount + (changes.countPing ? 1 : 0),
  };
}
