import { deadlineAfter, defaultGrace } from '../../src/domain/schedule';
import { applyChanges, deadlineBase, transition } from '../../src/domain/transitions';
import { notificationsFor } from '../../src/domain/alerts';
import { makeMonitor } from '../support/factories';

const now = new Date('2026-03-28T02:00:00.000Z');
const later = (s: number) => new Date(now.getTime() + s * 1000);
const every = (schedule: number) => ({ schedule, cron: null, tz: null });

describe('defaultGrace', () => {
  test('is 10% of the schedule', () => {
    expect(defaultGrace(every(86_400), now)).toBe(8_640);
  });
  test('is never below a minute', () => {
    expect(defaultGrace(every(60), now)).toBe(60);
    expect(defaultGrace(every(300), now)).toBe(60);
  });
  test('rounds to whole seconds', () => {
    expect(defaultGrace(every(6_005), now)).toBe(601);
  });
});

describe('deadlineAfter', () => {
  test('is the ping time plus schedule plus grace', () => {
    expect(deadlineAfter(now, every(3600), 360)!.toISOString()).toBe('2026-03-28T03:06:00.000Z');
  });
});

describe('a ping', () => {
  test('turns a new monitor up and records a flip without alerting', () => {
    const m = makeMonitor({ status: 'new' });
    const t = transition(m, 'ping', now)!;
    expect(t.changes).toEqual({ status: 'up', alertAt: deadlineAfter(now, m, m.grace), lastPingAt: now, countPing: true, flipCount: 1, consecutiveSuccesses: 1 });
    expect(t.flip).toMatchObject({ from: 'new', to: 'up', reason: 'ping', at: now });
    expect(notificationsFor(t.flip!, m)).toEqual([]);
  });

  test('keeps an up monitor up, moves its deadline and records no flip', () => {
    const m = makeMonitor({ status: 'up', alertAt: later(10) });
    const t = transition(m, 'ping', later(5))!;
    expect(t.flip).toBeNull();
    expect(t.changes.alertAt).toEqual(deadlineAfter(later(5), m, m.grace));
  });

  test('brings a down monitor back up with a recovery flip', () => {
    const m = makeMonitor({ status: 'down', alertAt: null });
    const t = transition(m, 'ping', now)!;
    expect(t.changes.status).toBe('up');
    expect(t.flip).toMatchObject({ from: 'down', to: 'up', reason: 'ping' });
  });

  test('is counted but leaves a monitor paused with manualResume paused with no deadline', () => {
    const m = makeMonitor({ status: 'paused', manualResume: true });
    const t = transition(m, 'ping', now)!;
    expect(t.changes).toEqual({ status: 'paused', alertAt: null, lastPingAt: now, countPing: true });
    expect(t.flip).toBeNull();
  });

  test('resumes a paused monitor: up with a full period from the ping, recorded as a flip that alerts nobody', () => {
    const m = makeMonitor({ status: 'paused', lastPingAt: null });
    const t = transition(m, 'ping', now);
    expect(t.changes).toEqual({
      status: 'up', alertAt: deadlineAfter(now, m, m.grace), lastPingAt: now, countPing: true, manualResume: false, flipCount: 1, consecutiveSuccesses: 1,
    });
    expect(t.flip).toMatchObject({ from: 'paused', to: 'up', reason: 'ping' });
    expect(t.notifications).toEqual([]);
  });
});

describe('a pause', () => {
  test('remembers whether only an explicit resume may end it', () => {
    expect(transition(makeMonitor({ status: 'up' }), 'pause', now, { manualResume: true })!.changes.manualResume).toBe(true);
    expect(transition(makeMonitor({ status: 'up' }), 'pause', now)!.changes.manualResume).toBe(false);
  });

  test('with manualResume still ends with an explicit resume, which clears it', () => {
    const m = makeMonitor({ status: 'paused', manualResume: true, lastPingAt: later(-60) });
    const t = transition(m, 'resume', now)!;
    expect(t.changes).toMatchObject({ status: 'up', manualResume: false, alertAt: deadlineAfter(now, m, m.grace) });
  });
});

describe('a passed deadline', () => {
  test('turns an up monitor down, clears its deadline and stamps the alert', () => {
    const m = makeMonitor({ status: 'up', alertAt: now });
    const t = transition(m, 'deadline', now)!;
    expect(t.changes).toEqual({
      status: 'down',
      alertAt: null,
      lastAlertAt: now,
      countPing: false,
      flipCount: 1,
      recentFlips: [now],
      consecutiveFailures: 1,
      reminders: { downSince: now, acknowledgedAt: null, remindersSent: 0, nextReminderAt: null },
    });
    expect(t.flip).toMatchObject({ from: 'up', to: 'down', reason: 'missed' });
  });

  test('does nothing before the deadline', () => {
    expect(transition(makeMonitor({ status: 'up', alertAt: later(1) }), 'deadline', now)).toBeNull();
  });

  test('never takes down a monitor that has not pinged yet', () => {
    expect(transition(makeMonitor({ status: 'new', alertAt: null }), 'deadline', later(10 ** 7))).toBeNull();
  });

  test('does nothing to a monitor that is already down (a second sweep lost the race)', () => {
    expect(transition(makeMonitor({ status: 'down', alertAt: null }), 'deadline', now)).toBeNull();
  });

  test('does nothing to a paused monitor', () => {
    expect(transition(makeMonitor({ status: 'paused', alertAt: null }), 'deadline', now)).toBeNull();
  });
});

describe('pause and resume', () => {
  test('pausing clears the deadline and flips without alerting', () => {
    const m = makeMonitor({ status: 'up', alertAt: later(100) });
    const t = transition(m, 'pause', now)!;
    expect(t.changes).toMatchObject({ status: 'paused', alertAt: null });
    expect(t.flip).toMatchObject({ from: 'up', to: 'paused', reason: 'pause' });
    expect(notificationsFor(t.flip!, m)).toEqual([]);
  });

  test('pausing a paused monitor is not a change', () => {
    expect(transition(makeMonitor({ status: 'paused' }), 'pause', now)).toBeNull();
  });

  test('resuming a monitor that pinged before gives it one full period', () => {
    const m = makeMonitor({ status: 'paused', lastPingAt: later(-10_000) });
    const t = transition(m, 'resume', now)!;
    expect(t.changes).toMatchObject({ status: 'up', alertAt: deadlineAfter(now, m, m.grace), resumedAt: now });
    expect(notificationsFor(t.flip!, m)).toEqual([]);
  });

  test('resuming a monitor that never pinged returns it to new', () => {
    const t = transition(makeMonitor({ status: 'paused', lastPingAt: null }), 'resume', now)!;
    expect(t.changes).toMatchObject({ status: 'new', alertAt: null });
  });

  test('resuming a monitor that is not paused is not a change', () => {
    expect(transition(makeMonitor({ status: 'up' }), 'resume', now)).toBeNull();
  });
});

describe('flip ids', () => {
  test('are the same for the same change, so racing writers collide', () => {
    const m = makeMonitor({ status: 'up', alertAt: now });
    expect(transition(m, 'deadline', now)!.flip!.id).toBe(transition(m, 'deadline', now)!.flip!.id);
  });

  test('differ when the same status is reached again within the same millisecond', () => {
    let m = makeMonitor({ status: 'up', alertAt: later(100), lastPingAt: later(-10) });
    const ids: string[] = [];
    for (const event of ['pause', 'resume', 'pause', 'resume'] as const) {
      const t = transition(m, event, now)!;
      ids.push(t.flip!.id);
      m = applyChanges(m, t.changes);
    }
    expect(new Set(ids).size).toBe(4);
    expect(m.flipCount).toBe(4);
  });
});

describe('deadlineBase', () => {
  test('is the last ping, or the resume when that came later', () => {
    expect(deadlineBase(makeMonitor({ lastPingAt: null, resumedAt: null }))).toBeNull();
    expect(deadlineBase(makeMonitor({ lastPingAt: later(-50), resumedAt: null }))).toEqual(later(-50));
    expect(deadlineBase(makeMonitor({ lastPingAt: later(-50), resumedAt: later(-10) }))).toEqual(later(-10));
    expect(deadlineBase(makeMonitor({ lastPingAt: later(-5), resumedAt: later(-10) }))).toEqual(later(-5));
  });
});

describe('applyChanges', () => {
  test('counts the ping and keeps fields the change does not name', () => {
    const m = makeMonitor({ status: 'up', pingCount: 4, lastAlertAt: later(-50), alertAt: later(10) });
    const after = applyChanges(m, transition(m, 'ping', now)!.changes);
    expect(after).toMatchObject({ pingCount: 5, lastPingAt: now, lastAlertAt: later(-50), status: 'up' });
  });
});

describe('what a transition carries for the adapters to persist', () => {
  test('a missed deadline brings one outbox row per channel of the monitor as it was', () => {
    const m = makeMonitor({ status: 'up', alertAt: later(-1), alertWebhook: 'https://hooks.example.com/x' });
    const t = transition(m, 'deadline', now)!;
    expect(t.notifications.map((n) => [n.channel, n.event, n.target])).toEqual([
      ['email', 'monitor.down', m.alertEmail],
      ['webhook', 'monitor.down', 'https://hooks.example.com/x'],
    ]);
    expect(t.notifications).toEqual(notificationsFor(t.flip!, m));
  });

  test('a change without a flip brings no outbox rows', () => {
    const m = makeMonitor({ status: 'up', alertAt: later(10) });
    expect(transition(m, 'ping', now).notifications).toEqual([]);
  });

  test("a ping's expiry follows the monitor's history window", () => {
    expect(transition(makeMonitor({ historyDays: 7 }), 'ping', now).ping.expiresAt).toEqual(later(7 * 86_400));
    expect(transition(makeMonitor({ historyDays: null }), 'ping', now).ping.expiresAt).toBeNull();
  });

  test('events that record no ping carry no ping expiry', () => {
    expect(transition(makeMonitor({ status: 'up' }), 'pause', now)!.ping).toBeUndefined();
  });
});
