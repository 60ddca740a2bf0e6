import { FLAP_LIMIT, notificationsFor, SETTLE_MS } from '../../src/domain/alerts';
import { editMonitor } from '../../src/domain/settings';
import { applyChanges, transition, type MonitorEvent, type Signal, type Transition } from '../../src/domain/transitions';
import type { Monitor, Notification } from '../../src/domain/types';
import { makeMonitor } from '../support/factories';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const FAIL: Signal = { kind: 'fail', exitCode: null, rid: null, output: null };

/** An up monitor with e-mail and PagerDuty alerts, pinged at t0 (hourly schedule, 6 minutes' grace). */
function upMonitor(overrides: Partial<Monitor> = {}): Monitor {
  const m = makeMonitor({ alertPagerDuty: '0123456789abcdef0123456789abcdef', ...overrides });
  return applyChanges(m, transition(m, 'ping', t0).changes);
}

/** Applies one event and keeps what it wrote, the way a store does. */
class Driven {
  notifications: Notification[] = [];
  flips = 0;
  constructor(public m: Monitor) {}
  apply(event: MonitorEvent, when: Date): Transition | null {
    const t = transition(this.m, event, when);
    if (t === null) return null;
    this.m = applyChanges(this.m, t.changes);
    this.notifications.push(...t.notifications);
    if (t.flip) this.flips++;
    return t;
  }
  /** Fails, then pings, `pairs` times, one change every `gap` seconds from `from`; returns when the last change happened. */
  flap(pairs: number, from: number, gap: number): number {
    let s = from;
    for (let i = 0; i < pairs; i++) {
      this.apply(FAIL, at(s));
      s += gap;
      this.apply('ping', at(s));
      s += gap;
    }
    return s - gap;
  }
  events(): string[] {
    return this.notifications.filter((n) => n.channel === 'email').map((n) => n.event);
  }
}

describe('flapping', () => {
  test('six changes within 30 minutes alert as usual; the seventh sends one monitor.flapping per channel instead', () => {
    const d = new Driven(upMonitor());
    d.flap(3, 60, 60);
    expect(d.events()).toEqual(['monitor.down', 'monitor.up', 'monitor.down', 'monitor.up', 'monitor.down', 'monitor.up']);
    const t = d.apply(FAIL, at(60 * 7))!;
    expect(t.notifications.map((n) => [n.channel, n.event, n.snapshot.status])).toEqual([
      ['email', 'monitor.flapping', 'down'],
      ['pagerduty', 'monitor.flapping', 'down'],
    ]);
    expect(d.m.flappingSince).toEqual(at(60 * 7));
  });

  test('while it flaps every change is recorded as a flip and alerts nobody', () => {
    const d = new Driven(upMonitor());
    d.flap(10, 60, 30);
    expect(d.flips).toBe(20);
    const alternating = [...Array(FLAP_LIMIT).keys()].map((i): string => (i % 2 === 0 ? 'monitor.down' : 'monitor.up'));
    expect(d.events()).toEqual([...alternating, 'monitor.flapping']);
  });

  test('changes spread over more than 30 minutes never make it flap', () => {
    const d = new Driven(upMonitor());
    d.flap(10, 60, 5 * 60 + 1);
    expect(d.events()).not.toContain('monitor.flapping');
    expect(d.notifications.filter((n) => n.channel === 'email')).toHaveLength(20);
  });

  test('a flapping monitor that is down is looked at again when it will have held its status for 30 minutes', () => {
    const d = new Driven(upMonitor());
    const last = d.flap(4, 60, 60);
    d.apply(FAIL, at(last + 60));
    expect(d.m.status).toBe('down');
    expect(d.m.alertAt).toEqual(new Date(at(last + 60).getTime() + SETTLE_MS));
  });

  test('a flapping monitor that is up is looked at when it settles or at its deadline, whichever comes first', () => {
    const hourly = new Driven(upMonitor());
    const last = hourly.flap(4, 60, 60);
    expect(hourly.m.status).toBe('up');
    expect(hourly.m.alertAt).toEqual(new Date(at(last).getTime() + SETTLE_MS));
    const everyFiveMinutes = new Driven(upMonitor({ schedule: 300, grace: 60 }));
    const end = everyFiveMinutes.flap(4, 10, 10);
    expect(everyFiveMinutes.m.alertAt).toEqual(at(end + 360));
  });

  test('settling sends one monitor.settled per channel saying where it settled, and ends flapping without a flip', () => {
    const d = new Driven(upMonitor());
    const last = d.flap(4, 60, 60);
    const downAt = last + 60;
    d.apply(FAIL, at(downAt));
    expect(d.apply('deadline', new Date(at(downAt).getTime() + SETTLE_MS - 1))).toBeNull();
    const settleAt = new Date(at(downAt).getTime() + SETTLE_MS);
    const t = d.apply('deadline', settleAt)!;
    expect(t.flip).toBeNull();
    expect(t.notifications.map((n) => [n.channel, n.event, n.snapshot.status, n.createdAt])).toEqual([
      ['email', 'monitor.settled', 'down', settleAt],
      ['pagerduty', 'monitor.settled', 'down', settleAt],
    ]);
    expect(d.m).toMatchObject({ status: 'down', flappingSince: null, recentFlips: [], alertAt: null });
    expect(d.apply('deadline', at(downAt + 7200))).toBeNull();
  });

  test('a monitor that settles up watches its own deadline again, and its next outage alerts as usual', () => {
    const d = new Driven(upMonitor());
    const last = d.flap(4, 60, 60);
    const settleAt = new Date(at(last).getTime() + SETTLE_MS);
    d.apply('deadline', settleAt);
    expect(d.notifications.at(-1)!.snapshot.status).toBe('up');
    expect(d.m.alertAt).toEqual(at(last + 3600 + 360));
    d.apply('deadline', at(last + 3600 + 360));
    expect(d.events().at(-1)).toBe('monitor.down');
  });

  test('an up flapping monitor whose deadline comes before it would settle goes down, and settles 30 minutes later', () => {
    const d = new Driven(upMonitor({ schedule: 300, grace: 60 }));
    const last = d.flap(4, 10, 10);
    const t = d.apply('deadline', at(last + 360))!;
    expect(t.flip).toMatchObject({ to: 'down', reason: 'missed' });
    expect(t.notifications).toEqual([]);
    expect(d.m.alertAt).toEqual(new Date(at(last + 360).getTime() + SETTLE_MS));
  });

  test('the flapping alert, the settled alert and the recovery share one outage, so PagerDuty pairs them', () => {
    const d = new Driven(upMonitor());
    const last = d.flap(4, 60, 60);
    const downAt = last + 60;
    d.apply(FAIL, at(downAt));
    d.apply('deadline', new Date(at(downAt).getTime() + SETTLE_MS));
    d.apply('ping', at(downAt + 7200));
    const pagerduty = d.notifications.filter((n) => n.channel === 'pagerduty');
    const episode = pagerduty.filter((n) => ['monitor.flapping', 'monitor.settled'].includes(n.event) || n === pagerduty.at(-1));
    expect(episode.map((n) => n.event)).toEqual(['monitor.flapping', 'monitor.settled', 'monitor.up']);
    expect(new Set(episode.map((n) => n.snapshot.outageId)).size).toBe(1);
  });

  test('while it flaps lastAlertAt stays on the alert that was sent', () => {
    const d = new Driven(upMonitor());
    d.flap(3, 60, 60);
    d.apply(FAIL, at(420));
    d.apply('ping', at(480));
    d.apply(FAIL, at(540));
    expect(d.m.lastAlertAt).toEqual(at(420));
  });

  test('a pause ends flapping without a settled alert, and the count starts afresh', () => {
    const d = new Driven(upMonitor());
    d.flap(4, 60, 60);
    d.apply('pause', at(600));
    expect(d.m).toMatchObject({ flappingSince: null, recentFlips: [], alertAt: null });
    d.apply('resume', at(660));
    const before = d.notifications.length;
    d.apply(FAIL, at(720));
    expect(d.notifications.slice(before).map((n) => n.event)).toEqual(['monitor.down', 'monitor.down']);
  });

  test('notificationsFor tells the flip that starts flapping by the monitor before it', () => {
    const m = upMonitor({ recentFlips: [at(60), at(120), at(180), at(240), at(300), at(360)] });
    const t = transition(m, FAIL, at(420));
    expect(notificationsFor(t.flip!, m).map((n) => n.event)).toEqual(['monitor.flapping', 'monitor.flapping']);
  });

  test('an edit of a down flapping monitor keeps it looked at when it settles', () => {
    const d = new Driven(upMonitor());
    const last = d.flap(4, 60, 60);
    d.apply(FAIL, at(last + 60));
    const update = editMonitor(d.m, { schedule: 600 }, { schedule: 600, cron: null, tz: null }, 'whsec_x', at(last + 120));
    expect(update.alertAt).toBeUndefined();
  });
});
