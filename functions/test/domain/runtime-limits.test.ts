import { applyChanges, transition, type MonitorEvent, type Signal } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import { makeMonitor } from '../support/factories';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const start = (rid: string | null = null): Signal => ({ kind: 'start', exitCode: null, rid, output: null });
const success = (rid: string | null = null): Signal => ({ kind: 'success', exitCode: null, rid, output: null });

/** An up monitor that pinged at t0: every hour, 6 minutes' grace. */
const up = (overrides: Partial<Monitor> = {}) => makeMonitor({ status: 'up', lastPingAt: t0, alertAt: at(3960), ...overrides });

function run(m: Monitor, events: Array<[number, MonitorEvent]>): Monitor {
  for (const [s, e] of events) {
    const t = transition(m, e, at(s));
    if (t) m = applyChanges(m, t.changes);
  }
  return m;
}

describe('maxRuntime', () => {
  test('a start arms the deadline at start + maxRuntime instead of grace', () => {
    const t = transition(up({ maxRuntime: 1800 }), start(), at(100));
    expect(t.changes.alertAt).toEqual(at(100 + 1800));
  });

  test('a run still open at its limit takes the monitor down: "ran longer than 30m"', () => {
    const m = run(up({ maxRuntime: 1800 }), [[100, start()]]);
    expect(transition(m, 'deadline', at(1899))).toBeNull();
    const t = transition(m, 'deadline', at(1900))!;
    expect(t.flip).toMatchObject({ from: 'up', to: 'down', at: at(1900), reason: 'ran longer than 30m' });
    expect(t.changes.openRuns).toEqual([]);
    expect(t.notifications.map((n) => n.snapshot.reason)).toEqual(['ran longer than 30m']);
  });

  test('bounds runs instead of grace even when longer than grace', () => {
    const m = run(up({ maxRuntime: 7200 }), [[100, start()]]);
    // Grace (6 minutes) alone would have called the run hung at 460 s.
    expect(transition(m, 'deadline', at(460))).toBeNull();
    expect(m.alertAt).toEqual(at(7300));
  });

  test('pairs by rid: the deadline follows the oldest run still open after an end', () => {
    const m = run(up({ maxRuntime: 1800 }), [[100, start('a')], [600, start('b')], [700, success('a')]]);
    expect(m.openRuns.map((r) => r.rid)).toEqual(['b']);
    expect(m.alertAt).toEqual(at(600 + 1800));
  });

  test('a hung run tolerated by alertAfter is given up and the next run is expected one schedule after its start', () => {
    const m = run(up({ maxRuntime: 1800, alertAfter: 2 }), [[100, start()], [1900, 'deadline']]);
    expect(m).toMatchObject({ status: 'up', consecutiveFailures: 1, openRuns: [], alertAt: at(100 + 3600 + 360) });
    const t = transition(m, start(), at(3700));
    expect(t.changes.alertAt).toEqual(at(3700 + 1800));
  });
});

describe('minRuntime', () => {
  test('a run that ends sooner is a failure: "finished too fast (2s < 30s)", with its duration recorded', () => {
    const m = run(up({ minRuntime: 30, alertWebhook: 'https://example.com/h' }), [[100, start()]]);
    const t = transition(m, success(), at(102));
    expect(t.flip).toMatchObject({ from: 'up', to: 'down', reason: 'finished too fast (2s < 30s)' });
    expect(t.ping.duration).toBe(2000);
    expect(t.changes).toMatchObject({ status: 'down', alertAt: null, lastDuration: 2000, openRuns: [] });
    expect(t.notifications.map((n) => [n.event, n.snapshot.reason])).toEqual([
      ['monitor.down', 'finished too fast (2s < 30s)'],
      ['monitor.down', 'finished too fast (2s < 30s)'],
    ]);
  });

  test('a run that takes exactly the minimum is a success', () => {
    const m = run(up({ minRuntime: 30 }), [[100, start()]]);
    expect(transition(m, success(), at(130)).changes).toMatchObject({ status: 'up', consecutiveSuccesses: 1 });
  });

  test('judges each run by its own start when runs overlap (rid)', () => {
    const m = run(up({ minRuntime: 30, alertAfter: 2 }), [[100, start('a')], [110, start('b')], [112.5, success('b')]]);
    expect(m).toMatchObject({ status: 'up', consecutiveFailures: 1, openRuns: [{ rid: 'a', at: at(100) }] });
    expect(transition(m, success('a'), at(200)).changes).toMatchObject({ status: 'up', consecutiveFailures: 0, consecutiveSuccesses: 1 });
  });

  test('does not judge a success without a start: its run time is unknown', () => {
    expect(transition(up({ minRuntime: 30 }), 'ping', at(100)).flip).toBeNull();
  });

  test('a run too fast for a paused monitor is recorded and changes nothing', () => {
    const m = run(up({ minRuntime: 30 }), [[100, start()], [110, 'pause']]);
    const t = transition({ ...m, openRuns: [{ rid: null, at: at(111) }] }, success(), at(112));
    expect(t.flip).toBeNull();
    expect(t.changes.status).toBe('paused');
  });

  test('a run too fast counts toward alertAfter with the other failures', () => {
    const m = run(up({ minRuntime: 30, alertAfter: 2 }), [[100, start()], [101, success()], [200, start()]]);
    const t = transition(m, success(), at(205));
    expect(t.flip).toMatchObject({ to: 'down', reason: 'finished too fast (5s < 30s) (2nd failure in a row)' });
  });
});
