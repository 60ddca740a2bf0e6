import { SETTLE_MS } from '../../src/domain/alerts';
import { editMonitor } from '../../src/domain/settings';
import { applyChanges, transition, type MonitorEvent, type Signal, type Transition } from '../../src/domain/transitions';
import type { Monitor, Notification } from '../../src/domain/types';
import { makeMonitor } from '../support/factories';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const FAIL: Signal = { kind: 'fail', exitCode: null, rid: null, output: null };
const TEN_MINUTES = 600;

/** An up monitor pinged at t0 (hourly, 6 minutes' grace) with e-mail, webhook and PagerDuty alerts. */
function upMonitor(overrides: Partial<Monitor> = {}): Monitor {
  const m = makeMonitor({
    alertWebhook: 'https://hooks.example.com/cron',
    alertPagerDuty: '0123456789abcdef0123456789abcdef',
    remindEvery: TEN_MINUTES,
    ...overrides,
  });
  return applyChanges(m, transition(m, 'ping', t0).changes);
}

/** Applies events the way a store does, keeping the notifications they create. */
class Driven {
  notifications: Notification[] = [];
  constructor(public m: Monitor) {}
  apply(event: MonitorEvent, when: Date): Transition | null {
    const t = transition(this.m, event, when);
    if (t === null) return null;
    this.m = applyChanges(this.m, t.changes);
    this.notifications.push(...t.notifications);
    return t;
  }
  /** What the checker does at `when`: the deadline event, if the monitor is due by then. */
  sweep(when: Date): Transition | null {
    if (this.m.alertAt === null || this.m.alertAt.getTime() > when.getTime()) return null;
    return this.apply('deadline', when);
  }
  reminders(): Notification[] {
    return this.notifications.filter((n) => n.event === 'monitor.still_down');
  }
}

/** A monitor that went down by a failure at t0 + 100 s. */
function downMonitor(overrides: Partial<Monitor> = {}): Driven {
  const d = new Driven(upMonitor(overrides));
  d.apply(FAIL, at(100));
  return d;
}

describe('reminders while a monitor is down', () => {
  test('the outage starts with the down flip, and its first reminder is its due time', () => {
    const d = downMonitor();
    expect(d.m).toMatchObject({ status: 'down', downSince: at(100), remindersSent: 0, acknowledgedAt: null, nextReminderAt: at(700), alertAt: at(700) });
  });

  test('a reminder goes out every remindEvery after the down alert, on every channel but PagerDuty, without a flip', () => {
    const d = downMonitor();
    expect(d.apply('deadline', at(699))).toBeNull();
    const first = d.apply('deadline', at(700))!;
    expect(first.flip).toBeNull();
    expect(first.notifications.map((n) => [n.channel, n.event, n.snapshot.reminder?.number])).toEqual([
      ['email', 'monitor.still_down', 1],
      ['webhook', 'monitor.still_down', 1],
    ]);
    expect(d.m).toMatchObject({ status: 'down', remindersSent: 1, nextReminderAt: at(1300), alertAt: at(1300) });
    d.sweep(at(1300));
    expect(d.reminders().filter((n) => n.channel === 'email').map((n) => [n.createdAt, n.snapshot.reminder])).toEqual([
      [at(700), { number: 1, limit: null, downSince: at(100).toISOString() }],
      [at(1300), { number: 2, limit: null, downSince: at(100).toISOString() }],
    ]);
  });

  test('a reminder has an id made of its outage and number, so two checkers deciding it write the same rows', () => {
    const d = downMonitor();
    const one = transition(d.m, 'deadline', at(700))!;
    const other = transition(d.m, 'deadline', at(705))!;
    expect(other.notifications.map((n) => n.id)).toEqual(one.notifications.map((n) => n.id));
    d.apply('deadline', at(700));
    const next = transition(d.m, 'deadline', at(1300))!;
    expect(next.notifications.map((n) => n.id)).not.toEqual(one.notifications.map((n) => n.id));
  });

  test('no reminders while remindEvery is off (the default)', () => {
    const d = downMonitor({ remindEvery: null });
    expect(d.m.nextReminderAt).toBeNull();
    expect(d.m.alertAt).toBeNull();
  });

  test('they stop once the outage has sent remindLimit', () => {
    const d = downMonitor({ remindLimit: 2 });
    d.sweep(at(700));
    d.sweep(at(1300));
    expect(d.m).toMatchObject({ remindersSent: 2, nextReminderAt: null, alertAt: null });
    expect(d.apply('deadline', at(1900))).toBeNull();
    expect(d.reminders().filter((n) => n.channel === 'email').map((n) => n.snapshot.reminder?.limit)).toEqual([2, 2]);
  });

  test('a checker running late sends the one reminder due, and the next comes remindEvery later, not in a burst', () => {
    const d = downMonitor();
    d.sweep(at(3100));
    expect(d.reminders().filter((n) => n.channel === 'email')).toHaveLength(1);
    expect(d.m.nextReminderAt).toEqual(at(3700));
  });

  test('a recovery ends them: the up monitor only has its deadline again', () => {
    const d = downMonitor();
    d.sweep(at(700));
    d.apply('ping', at(900));
    expect(d.m).toMatchObject({ status: 'up', downSince: null, remindersSent: 0, nextReminderAt: null, acknowledgedAt: null });
    expect(d.m.alertAt).toEqual(at(900 + 3600 + 360));
    expect(d.apply('deadline', at(1300))).toBeNull();
  });

  test('a reminder racing a recovery: whichever is decided second sees the other, so no reminder follows the up alert', () => {
    const remindedFirst = downMonitor();
    remindedFirst.sweep(at(700));
    const up = remindedFirst.apply('ping', at(700))!;
    expect(up.notifications.map((n) => n.event)).toContain('monitor.up');

    const recoveredFirst = downMonitor();
    recoveredFirst.apply('ping', at(700));
    expect(recoveredFirst.apply('deadline', at(700))).toBeNull();
    expect(recoveredFirst.reminders()).toEqual([]);
  });

  test('pausing a down monitor ends them', () => {
    const d = downMonitor();
    d.apply('pause', at(200));
    expect(d.m).toMatchObject({ status: 'paused', downSince: null, nextReminderAt: null, alertAt: null });
  });

  test('an acknowledgement stops them until the outage ends; a new outage reminds again', () => {
    const d = downMonitor();
    d.sweep(at(700));
    const ack = d.apply('acknowledge', at(800))!;
    expect(ack.flip).toBeNull();
    expect(ack.notifications).toEqual([]);
    expect(d.m).toMatchObject({ status: 'down', acknowledgedAt: at(800), remindersSent: 1, nextReminderAt: null, alertAt: null });
    expect(d.apply('deadline', at(1300))).toBeNull();

    d.apply('ping', at(2000));
    expect(d.m.acknowledgedAt).toBeNull();
    d.apply(FAIL, at(2100));
    expect(d.m).toMatchObject({ downSince: at(2100), acknowledgedAt: null, remindersSent: 0, nextReminderAt: at(2700) });
    d.sweep(at(2700));
    expect(d.reminders().filter((n) => n.channel === 'email').map((n) => n.snapshot.reminder?.number)).toEqual([1, 1]);
  });

  test('acknowledging again keeps the first acknowledgement', () => {
    const d = downMonitor();
    d.apply('acknowledge', at(800));
    d.apply('acknowledge', at(900));
    expect(d.m.acknowledgedAt).toEqual(at(800));
  });

  test('only a down monitor can be acknowledged', () => {
    const m = upMonitor();
    expect(transition(m, 'acknowledge', at(10))).toBeNull();
    expect(transition(makeMonitor(), 'acknowledge', at(10))).toBeNull();
  });

  test('a monitor that went down by missing its deadline reminds too', () => {
    const d = new Driven(upMonitor());
    const deadline = d.m.alertAt!;
    d.sweep(deadline);
    expect(d.m.status).toBe('down');
    const downAt = d.m.downSince!;
    expect(d.m.nextReminderAt).toEqual(new Date(downAt.getTime() + TEN_MINUTES * 1000));
    d.sweep(d.m.nextReminderAt!);
    expect(d.reminders().map((n) => n.channel)).toEqual(['email', 'webhook']);
  });

  test('no reminders while it flaps; once it settles down, the next one is remindEvery after the settled alert', () => {
    const d = new Driven(upMonitor());
    for (let i = 0; i < 3; i++) {
      d.apply(FAIL, at(60 + i * 120));
      d.apply('ping', at(120 + i * 120));
    }
    d.apply(FAIL, at(420));
    expect(d.m.flappingSince).toEqual(at(420));
    const settlesAt = new Date(at(420).getTime() + SETTLE_MS);
    expect(d.m.alertAt).toEqual(settlesAt);
    d.sweep(settlesAt);
    expect(d.notifications.at(-1)?.event).toBe('monitor.settled');
    expect(d.reminders()).toEqual([]);
    expect(d.m.alertAt).toEqual(new Date(settlesAt.getTime() + TEN_MINUTES * 1000));
  });
});

describe('editing the reminder settings', () => {
  test('turning reminders on for a down monitor counts from the outage start, and is due now when that has passed', () => {
    const d = downMonitor({ remindEvery: null });
    const soon = editMonitor(d.m, { remindEvery: 3600 }, null, 'secret', at(200));
    expect(soon).toMatchObject({ remindEvery: 3600, nextReminderAt: at(3700), alertAt: at(3700) });
    const late = editMonitor(d.m, { remindEvery: 60 }, null, 'secret', at(1000));
    expect(late).toMatchObject({ nextReminderAt: at(1000), alertAt: at(1000) });
  });

  test('turning them off, or a limit already reached, clears the due reminder', () => {
    const d = downMonitor();
    d.sweep(at(700));
    expect(editMonitor(d.m, { remindEvery: null }, null, 'secret', at(800))).toMatchObject({ nextReminderAt: null, alertAt: null });
    expect(editMonitor(d.m, { remindLimit: 1 }, null, 'secret', at(800))).toMatchObject({ remindLimit: 1, nextReminderAt: null, alertAt: null });
  });

  test('an up monitor only stores the settings', () => {
    expect(editMonitor(upMonitor(), { remindEvery: 120, remindLimit: 3 }, null, 'secret', at(10))).toEqual({ remindEvery: 120, remindLimit: 3 });
  });
});
