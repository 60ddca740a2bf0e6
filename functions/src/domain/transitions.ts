import { notificationsFor } from './alerts';
import { pingExpiresAt } from './plans';
import { deadlineAfter } from './schedule';
import type { Flip, FlipReason, Monitor, MonitorStatus, Notification } from './types';

export type MonitorEvent = 'ping' | 'deadline' | 'pause' | 'resume';

/** The fields an event changes. `countPing` is an increment so concurrent pings add up. */
export interface MonitorChanges {
  status: MonitorStatus;
  alertAt: Date | null;
  lastPingAt?: Date;
  lastAlertAt?: Date;
  countPing: boolean;
}

/**
 * Everything an event does, decided here so that the adapters only persist it: the monitor's
 * changes, the flip, the outbox rows that flip creates, and for an event that records a ping,
 * when that ping expires.
 */
export interface Transition {
  changes: MonitorChanges;
  /** Set when the status changes; every status change is recorded as a flip. */
  flip: Flip | null;
  /** The alerts the flip sends (one per channel); written in the same transaction as the flip. */
  notifications: Notification[];
  /** Only for events that record a ping: when it may be forgotten (null keeps it). */
  ping?: { expiresAt: Date | null };
}

/** A transition of an event that records a ping. */
export type PingTransition = Transition & { ping: { expiresAt: Date | null } };

/** The transition for `changes` and `flip`, with the notifications the flip creates (`m` as before it). */
function decided(m: Monitor, changes: MonitorChanges, flip: Flip | null): Transition {
  return { changes, flip, notifications: flip ? notificationsFor(flip, m) : [] };
}

function withPing(m: Monitor, t: Transition, now: Date): PingTransition {
  return { ...t, ping: { expiresAt: pingExpiresAt(m.historyDays, now) } };
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
export function transition(m: Monitor, event: 'ping', now: Date): PingTransition;
export function transition(m: Monitor, event: MonitorEvent, now: Date): Transition | null;
export function transition(m: Monitor, event: MonitorEvent, now: Date): Transition | null {
  switch (event) {
    case 'ping': {
      // A paused monitor records pings but stays paused until it is resumed explicitly.
      if (m.status === 'paused') {
        return withPing(m, decided(m, { status: 'paused', alertAt: null, lastPingAt: now, countPing: true }, null), now);
      }
      const changes = { status: 'up' as const, alertAt: deadlineAfter(now, m.schedule, m.grace), lastPingAt: now, countPing: true };
      return withPing(m, decided(m, changes, flipTo(m, 'up', now, 'ping')), now);
    }
    case 'deadline': {
      if (m.status !== 'up' || m.alertAt === null || m.alertAt.getTime() > now.getTime()) return null;
      return decided(m, { status: 'down', alertAt: null, lastAlertAt: now, countPing: false }, flipTo(m, 'down', now, 'missed'));
    }
    case 'pause': {
      if (m.status === 'paused') return null;
      return decided(m, { status: 'paused', alertAt: null, countPing: false }, flipTo(m, 'paused', now, 'pause'));
    }
    case 'resume': {
      if (m.status !== 'paused') return null;
      // A resumed monitor that has pinged before gets one full period before it can go down.
      if (m.lastPingAt === null) {
        return decided(m, { status: 'new', alertAt: null, countPing: false }, flipTo(m, 'new', now, 'resume'));
      }
      return decided(m, { status: 'up', alertAt: deadlineAfter(now, m.schedule, m.grace), countPing: false }, flipTo(m, 'up', now, 'resume'));
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
