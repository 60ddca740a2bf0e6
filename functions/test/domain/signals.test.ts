import { alertEventOf, outputTail, OUTPUT_LINES } from '../../src/domain/alerts';
import { applyChanges, MAX_OPEN_RUNS, transition, type MonitorEvent, type Signal } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import { makeMonitor } from '../support/factories';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const start = (rid: string | null = null): Signal => ({ kind: 'start', exitCode: null, rid, output: null });
const success = (rid: string | null = null, exitCode: number | null = null): Signal => ({ kind: 'success', exitCode, rid, output: null });
const fail = (exitCode: number | null = null, output: string | null = null, rid: string | null = null): Signal => ({ kind: 'fail', exitCode, rid, output });

/** Applies events in order, as the store would, and returns the monitor after each. */
function run(m: Monitor, events: Array<[number, MonitorEvent]>): Monitor {
  for (const [s, e] of events) {
    const t = transition(m, e, at(s));
    if (t) m = applyChanges(m, t.changes);
  }
  return m;
}

const up = (overrides: Partial<Monitor> = {}) => makeMonitor({ status: 'up', lastPingAt: t0, alertAt: at(3600 + 360), ...overrides });

describe('a start', () => {
  test('keeps the status, opens a run and moves the deadline to start + grace', () => {
    const m = up();
    const t = transition(m, start(), at(100))!;
    expect(t.flip).toBeNull();
    expect(t.changes).toMatchObject({ status: 'up', alertAt: at(100 + m.grace), lastStartAt: at(100), lastPingAt: at(100), countPing: true });
    expect(t.changes.openRuns).toEqual([{ rid: null, at: at(100) }]);
  });

  test('arriving just after the deadline, before the checker ran, gives the run its grace instead of a false "missed"', () => {
    const m = up({ alertAt: at(3960) });
    const t = transition(m, start(), at(3961))!;
    expect(t.changes.alertAt).toEqual(at(3961 + m.grace));
    const started = applyChanges(m, t.changes);
    // The sweep that found the monitor due re-reads it in its transaction: the deadline has moved.
    expect(transition(started, 'deadline', at(3962))).toBeNull();
  });

  test('that never finishes turns the monitor down after grace with the reason and an alert', () => {
    const m = run(up({ alertWebhook: 'https://example.com/h' }), [[100, start()]]);
    expect(transition(m, 'deadline', at(100 + m.grace - 1))).toBeNull();
    const t = transition(m, 'deadline', at(100 + m.grace))!;
    expect(t.flip).toMatchObject({ from: 'up', to: 'down', reason: 'started but never finished' });
    expect(t.changes.openRuns).toEqual([]);
    const rows = t.notifications;
    expect(rows.map((n) => [n.channel, n.event, n.snapshot.reason])).toEqual([
      ['email', 'monitor.down', 'started but never finished'],
      ['webhook', 'monitor.down', 'started but never finished'],
    ]);
  });

  test('on a down monitor keeps it down with no deadline', () => {
    const m = makeMonitor({ status: 'down', alertAt: null });
    const t = transition(m, start(), at(5))!;
    expect(t.changes).toMatchObject({ status: 'down', alertAt: null });
    expect(t.flip).toBeNull();
  });

  test('on a paused monitor is recorded but arms nothing', () => {
    const t = transition(makeMonitor({ status: 'paused' }), start(), at(5))!;
    expect(t.changes).toMatchObject({ status: 'paused', alertAt: null, lastStartAt: at(5) });
  });

  test('on a new monitor arms the run timeout, and a first run that hangs alerts', () => {
    const m = run(makeMonitor({ status: 'new' }), [[0, start()]]);
    expect(m).toMatchObject({ status: 'new', alertAt: at(m.grace) });
    const t = transition(m, 'deadline', at(m.grace))!;
    expect(t.flip).toMatchObject({ from: 'new', to: 'down', reason: 'started but never finished' });
    expect(alertEventOf(t.flip!)).toBe('monitor.down');
  });

  test('with a rid already open restarts that run instead of opening a second', () => {
    const m = run(up(), [[10, start('a')], [20, start('a')]]);
    expect(m.openRuns).toEqual([{ rid: 'a', at: at(20) }]);
  });

  test(`keeps at most ${MAX_OPEN_RUNS} open runs, forgetting the oldest`, () => {
    const events = Array.from({ length: MAX_OPEN_RUNS + 5 }, (_, i): [number, MonitorEvent] => [i, start(`r${i}`)]);
    const m = run(up(), events);
    expect(m.openRuns).toHaveLength(MAX_OPEN_RUNS);
    expect(m.openRuns[0]).toEqual({ rid: 'r5', at: at(5) });
  });
});

describe('the end of a run', () => {
  test('a success after a start records the duration to the millisecond and re-arms the schedule deadline', () => {
    const m = run(up(), [[100, start()]]);
    const end = new Date(at(100).getTime() + 42_123);
    const t = transition(m, success(), end)!;
    expect(t.ping.duration).toBe(42_123);
    expect(t.changes).toMatchObject({ status: 'up', lastDuration: 42_123, openRuns: [], alertAt: new Date(end.getTime() + (m.schedule + m.grace) * 1000) });
  });

  test('without a rid it pairs with the latest open start, and the older rid-less starts are closed with it', () => {
    const m = run(up(), [[10, start()], [20, start()]]);
    const t = transition(m, success(), at(50))!;
    expect(t.ping.duration).toBe(30_000);
    expect(t.changes.openRuns).toEqual([]);
    expect(t.changes.alertAt).toEqual(new Date(at(50).getTime() + (m.schedule + m.grace) * 1000));
  });

  test('an end with a rid leaves the other open runs open, and the oldest still bounds the deadline', () => {
    const m = run(up(), [[10, start('a')], [20, start('b')]]);
    const t = transition(m, success('b'), at(50))!;
    expect(t.changes.openRuns).toEqual([{ rid: 'a', at: at(10) }]);
    expect(t.changes.alertAt).toEqual(at(10 + m.grace));
  });

  test('a recovery does not turn into a second alert for a run that hung during the outage', () => {
    // Down (missed); run "a" starts and hangs; a day later run "b" starts and succeeds.
    const m = run(makeMonitor({ status: 'down', alertAt: null }), [[0, start('a')], [86_400, start('b')]]);
    const t = transition(m, success('b'), at(86_460))!;
    expect(t.flip).toMatchObject({ from: 'down', to: 'up' });
    expect(t.changes.openRuns).toEqual([]);
    expect(t.changes.alertAt).toEqual(new Date(at(86_460).getTime() + (m.schedule + m.grace) * 1000));
  });

  test('overlapping runs are paired by rid', () => {
    let m = run(up(), [[10, start('a')], [20, start('b')]]);
    const endA = transition(m, success('a'), at(70))!;
    expect(endA.ping.duration).toBe(60_000);
    m = applyChanges(m, endA.changes);
    const endB = transition(m, success('b'), at(80))!;
    expect(endB.ping.duration).toBe(60_000);
    expect(endB.changes.openRuns).toEqual([]);
  });

  test('an end whose rid matches no start records no duration and leaves the open runs alone', () => {
    const m = run(up(), [[10, start('a')]]);
    const t = transition(m, success('zzz'), at(30))!;
    expect(t.ping.duration).toBeNull();
    expect(t.changes.openRuns).toBeUndefined();
    expect(t.changes.lastDuration).toBeUndefined();
  });

  test('a success without any start records no duration', () => {
    expect(transition(up(), success(), at(30))!.ping.duration).toBeNull();
  });

  test('a failure after a start records the duration too', () => {
    const m = run(up(), [[10, start()]]);
    expect(transition(m, fail(1), at(25))!).toMatchObject({ ping: { duration: 15_000 }, changes: { lastDuration: 15_000 } });
  });
});

describe('a failure', () => {
  test('/fail turns an up monitor down at once with reason "failed" and the output for the alert', () => {
    const m = up({ alertWebhook: 'https://example.com/h' });
    const t = transition(m, fail(null, 'disk full'), at(5))!;
    expect(t.changes).toMatchObject({ status: 'down', alertAt: null, lastAlertAt: at(5) });
    expect(t.flip).toMatchObject({ from: 'up', to: 'down', reason: 'failed' });
    const [email] = t.notifications;
    expect(email.snapshot).toMatchObject({ reason: 'failed', output: 'disk full' });
  });

  test('an exit code names itself in the reason', () => {
    expect(transition(up(), fail(3), at(5))!.flip).toMatchObject({ to: 'down', reason: 'exit code 3' });
  });

  test('on a new monitor is an outage too', () => {
    const t = transition(makeMonitor({ status: 'new' }), fail(2), at(5))!;
    expect(t.flip).toMatchObject({ from: 'new', to: 'down', reason: 'exit code 2' });
    expect(alertEventOf(t.flip!)).toBe('monitor.down');
  });

  test('on a down monitor changes no status and sends no second alert', () => {
    const t = transition(makeMonitor({ status: 'down', alertAt: null, lastAlertAt: t0 }), fail(1), at(5))!;
    expect(t.flip).toBeNull();
    expect(t.notifications).toEqual([]);
    expect(t.changes.lastAlertAt).toBeUndefined();
  });

  test('on a paused monitor is recorded without changing it', () => {
    const t = transition(makeMonitor({ status: 'paused' }), fail(1), at(5))!;
    expect(t.flip).toBeNull();
    expect(t.changes.status).toBe('paused');
  });

  test('a later success (/0) brings the monitor up with a recovery', () => {
    const m = run(up(), [[5, fail(3)]]);
    const t = transition(m, success(null, 0), at(60))!;
    expect(t.flip).toMatchObject({ from: 'down', to: 'up', reason: 'ping' });
    expect(alertEventOf(t.flip!)).toBe('monitor.up');
  });
});

describe('a missed deadline', () => {
  test('with no open run says "missed"', () => {
    const m = up({ alertAt: at(10) });
    expect(transition(m, 'deadline', at(10))!.flip).toMatchObject({ reason: 'missed' });
  });

  test('pausing forgets open runs, so a resumed monitor is not failed for a run from before the pause', () => {
    const m = run(up(), [[10, start()], [20, 'pause'], [30, 'resume']]);
    expect(m.openRuns).toEqual([]);
    expect(m.alertAt).toEqual(at(30 + m.schedule + m.grace));
  });
});

describe('outputTail', () => {
  test(`keeps the last ${OUTPUT_LINES} lines`, () => {
    const body = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const tail = outputTail(body)!;
    expect(tail.split('\n')).toHaveLength(OUTPUT_LINES);
    expect(tail.startsWith('line 11\n')).toBe(true);
    expect(tail.endsWith('line 30')).toBe(true);
  });

  test('drops trailing blank lines and normalises CRLF', () => {
    expect(outputTail('a\r\nb\r\n\r\n')).toBe('a\nb');
  });

  test('is null for an empty or blank body', () => {
    expect(outputTail(null)).toBeNull();
    expect(outputTail(' \n\n')).toBeNull();
  });

  test('caps very long lines', () => {
    expect(outputTail('x'.repeat(10_000))!.length).toBe(2_000);
  });
});
