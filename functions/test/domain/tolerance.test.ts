import { checkRuntimeLimits, editMonitor } from '../../src/domain/settings';
import { deadlineAfter } from '../../src/domain/schedule';
import { ordinal, runtimeText, splitStreak, withStreak } from '../../src/domain/tolerance';
import { applyChanges, deadlineBase, transition, type MonitorEvent, type Signal } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import { makeMonitor } from '../support/factories';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const fail = (exitCode: number | null = null): Signal => ({ kind: 'fail', exitCode, rid: null, output: null });

/** An up monitor that pinged at t0: every hour, 6 minutes' grace, so its deadline is 3960 s on. */
const up = (overrides: Partial<Monitor> = {}) =>
  makeMonitor({ status: 'up', lastPingAt: t0, alertAt: at(3960), alertWebhook: 'https://example.com/h', ...overrides });

/** Applies events in order, as a store would; the monitor after them, and every flip on the way. */
function run(m: Monitor, events: Array<[number, MonitorEvent]>) {
  const flips = [];
  for (const [s, e] of events) {
    const t = transition(m, e, at(s));
    if (t === null) continue;
    if (t.flip) flips.push({ ...t.flip, alerts: t.notifications.map((n) => [n.event, n.snapshot.reason]) });
    m = applyChanges(m, t.changes);
  }
  return { m, flips };
}

describe('alertAfter', () => {
  test('a tolerated miss keeps the monitor up, counts it and re-arms the deadline one schedule later', () => {
    const { m, flips } = run(up({ alertAfter: 3 }), [[3960, 'deadline']]);
    expect(flips).toEqual([]);
    expect(m).toMatchObject({ status: 'up', consecutiveFailures: 1, alertAt: at(3960 + 3600), missedDueAt: at(3600) });
    expect(deadlineBase(m)).toEqual(at(3600));
  });

  test('the third miss in a row takes it down, and the reason and the alert name the count', () => {
    const { m, flips } = run(up({ alertAfter: 3 }), [[3960, 'deadline'], [7560, 'deadline'], [11_160, 'deadline']]);
    expect(m).toMatchObject({ status: 'down', consecutiveFailures: 3, alertAt: null });
    expect(flips).toEqual([
      expect.objectContaining({ from: 'up', to: 'down', at: at(11_160), reason: 'missed (3rd failure in a row)', alerts: [
        ['monitor.down', 'missed (3rd failure in a row)'],
        ['monitor.down', 'missed (3rd failure in a row)'],
      ] }),
    ]);
  });

  test('counts /fail, exit codes and misses alike', () => {
    const { m, flips } = run(up({ alertAfter: 3 }), [[100, fail()], [3700 + 360, 'deadline'], [7000, fail(2)]]);
    expect(m.status).toBe('down');
    expect(flips.map((f) => f.reason)).toEqual(['exit code 2 (3rd failure in a row)']);
  });

  test('a tolerated /fail keeps the monitor up with the next run expected one period after it', () => {
    const { m, flips } = run(up({ alertAfter: 2 }), [[100, fail()]]);
    expect(flips).toEqual([]);
    expect(m).toMatchObject({ status: 'up', consecutiveFailures: 1, consecutiveSuccesses: 0, alertAt: at(100 + 3600 + 360) });
  });

  test('a success between failures starts the count again', () => {
    const { m, flips } = run(up({ alertAfter: 3 }), [[100, fail()], [200, fail()], [300, 'ping'], [400, fail()], [500, fail()]]);
    expect(flips).toEqual([]);
    expect(m).toMatchObject({ status: 'up', consecutiveFailures: 2, consecutiveSuccesses: 0 });
  });

  test('keeps a new monitor new until the count is reached', () => {
    const m = makeMonitor({ status: 'new', alertAfter: 2 });
    const first = run(m, [[10, fail()]]);
    expect(first.m).toMatchObject({ status: 'new', consecutiveFailures: 1 });
    expect(run(first.m, [[20, fail()]]).flips.map((f) => [f.from, f.to, f.reason])).toEqual([['new', 'down', 'failed (2nd failure in a row)']]);
  });

  test('gives a new monitor no schedule deadline after a tolerated failure: it cannot go down for a missed ping', () => {
    const failed = run(makeMonitor({ status: 'new', alertAfter: 2 }), [[10, fail()]]).m;
    expect(failed.alertAt).toBeNull();
    const hung = run(makeMonitor({ status: 'new', alertAfter: 2, maxRuntime: 60 }), [[10, { ...fail(), kind: 'start' }], [70, 'deadline']]).m;
    expect(hung).toMatchObject({ status: 'new', consecutiveFailures: 1, openRuns: [], alertAt: null });
  });

  test('at its default of 1 the first failure takes the monitor down with the reason as before', () => {
    const { flips } = run(up(), [[3960, 'deadline']]);
    expect(flips.map((f) => f.reason)).toEqual(['missed']);
  });

  test('a failure while down is counted and sends nothing more', () => {
    const down = run(up(), [[3960, 'deadline']]).m;
    const t = transition(down, fail(), at(4000));
    expect(t.flip).toBeNull();
    expect(t.notifications).toEqual([]);
    expect(t.changes).toMatchObject({ status: 'down', consecutiveFailures: 2 });
  });

  test('with a cron schedule a tolerated miss re-arms at the next firing after the missed one, plus grace', () => {
    // Daily at 03:00 UTC, 10 minutes' grace; pinged on the 28th at 03:00:05.
    const lastPing = new Date('2026-03-28T03:00:05.000Z');
    const cron = { schedule: 86_400, cron: '0 3 * * *', tz: 'UTC', grace: 600 };
    const m = makeMonitor({ status: 'up', ...cron, lastPingAt: lastPing, alertAt: deadlineAfter(lastPing, cron, 600), alertAfter: 2 });
    expect(m.alertAt).toEqual(new Date('2026-03-29T03:10:00.000Z'));
    const missed = applyChanges(m, transition(m, 'deadline', new Date('2026-03-29T03:10:01.000Z'))!.changes);
    expect(missed).toMatchObject({ status: 'up', consecutiveFailures: 1, alertAt: new Date('2026-03-30T03:10:00.000Z') });
    const t = transition(missed, 'deadline', new Date('2026-03-30T03:10:00.000Z'))!;
    expect(t.flip).toMatchObject({ to: 'down', at: new Date('2026-03-30T03:10:00.000Z'), reason: 'missed (2nd failure in a row)' });
  });

  test('an edit of the grace after a tolerated miss counts from the missed run, not from the older ping', () => {
    const missed = run(up({ alertAfter: 3 }), [[3960, 'deadline']]).m;
    const update = editMonitor(missed, { grace: 600 }, null, 'secret', at(4000));
    expect(update.alertAt).toEqual(at(3600 + 3600 + 600));
  });
});

describe('recoverAfter', () => {
  const down = () => run(up({ recoverAfter: 2 }), [[3960, 'deadline']]).m;

  test('one success leaves a monitor down, counted, with no deadline and no alert', () => {
    const t = transition(down(), 'ping', at(5000));
    expect(t.flip).toBeNull();
    expect(t.notifications).toEqual([]);
    expect(t.changes).toMatchObject({ status: 'down', alertAt: null, consecutiveSuccesses: 1, consecutiveFailures: 0 });
  });

  test('the second success in a row brings it up with the recovery alert', () => {
    const { m, flips } = run(down(), [[5000, 'ping'], [6000, 'ping']]);
    expect(m).toMatchObject({ status: 'up', consecutiveSuccesses: 2 });
    expect(flips.map((f) => [f.from, f.to, f.at, f.alerts[0]?.[0]])).toEqual([['down', 'up', at(6000), 'monitor.up']]);
  });

  test('a failure between successes starts the count again', () => {
    const { m, flips } = run(down(), [[5000, 'ping'], [5500, fail()], [6000, 'ping']]);
    expect(flips).toEqual([]);
    expect(m).toMatchObject({ status: 'down', consecutiveSuccesses: 1 });
  });

  test('does not hold back a new monitor: its first success brings it up', () => {
    expect(transition(makeMonitor({ status: 'new', recoverAfter: 3 }), 'ping', at(1)).flip).toMatchObject({ from: 'new', to: 'up' });
  });
});

test('a pause starts the counts afresh', () => {
  const failed = run(up({ alertAfter: 3 }), [[100, fail()], [200, fail()]]).m;
  const recovering = run(up({ recoverAfter: 3 }), [[3960, 'deadline'], [4000, 'ping']]).m;
  expect(recovering).toMatchObject({ consecutiveFailures: 0, consecutiveSuccesses: 1 });
  for (const m of [failed, recovering]) {
    expect(run(m, [[5000, 'pause']]).m).toMatchObject({ status: 'paused', consecutiveFailures: 0, consecutiveSuccesses: 0 });
  }
});

test('an edit that sends null puts alertAfter and recoverAfter back to 1 and removes run-time limits', () => {
  const m = up({ alertAfter: 5, recoverAfter: 2, maxRuntime: 600, minRuntime: 10 });
  expect(editMonitor(m, { alertAfter: null, recoverAfter: null, maxRuntime: null, minRuntime: null }, null, 's', at(1))).toEqual({
    alertAfter: 1,
    recoverAfter: 1,
    maxRuntime: null,
    minRuntime: null,
  });
});

test('a minimum run time must be shorter than the maximum', () => {
  expect(() => checkRuntimeLimits({ minRuntime: 60, maxRuntime: 60 })).toThrow('minRuntime (60) must be less than maxRuntime (60).');
  expect(() => checkRuntimeLimits({ minRuntime: 30, maxRuntime: 60 })).not.toThrow();
  expect(() => checkRuntimeLimits({ minRuntime: 600, maxRuntime: null })).not.toThrow();
});

describe('the words of reasons', () => {
  test('ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 100, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '100th', '111th']);
  });

  test('a reason with its count splits back into what failed and how often', () => {
    expect(withStreak('exit code 3', 1)).toBe('exit code 3');
    expect(splitStreak(withStreak('finished too fast (2s < 30s)', 12))).toEqual({ reason: 'finished too fast (2s < 30s)', failures: 12 });
    expect(splitStreak('missed')).toEqual({ reason: 'missed', failures: 1 });
  });

  test('run times', () => {
    expect([1800, 5400, 2, 2.55, 65.5, 0.04, 90_061].map(runtimeText)).toEqual(['30m', '1h30m', '2s', '2.5s', '1m5.5s', '0s', '1d1h1m1s']);
  });
});
