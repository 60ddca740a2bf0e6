import { overallStatus } from '../../src/domain/status-pages';
import type { MonitorStatus } from '../../src/domain/types';
import { MAX_OUTAGES, uptimeReport, type StatusChange, type StatusHistory } from '../../src/domain/uptime';

// Fake clock: every instant is passed in; the domain never reads the clock.
const now = new Date('2026-03-28T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The instant `ms` before now. */
const ago = (ms: number) => new Date(now.getTime() - ms);
const flip = (from: MonitorStatus, to: MonitorStatus, when: Date): StatusChange => ({ from, to, at: when });

/** A monitor created 60 days ago, up since its first ping right after, with no flip since unless given. */
function history(overrides: Partial<StatusHistory> = {}): StatusHistory {
  const createdAt = ago(60 * DAY);
  return { flips: [], status: 'up', createdAt, knownSince: createdAt, ...overrides };
}

describe('uptime from flips', () => {
  test('a monitor up for the whole window is 100 in every period, with no outage', () => {
    const report = uptimeReport(history(), now);
    expect(report.uptime).toEqual({ '24h': 100, '7d': 100, '30d': 100 });
    expect(report.outages).toEqual([]);
  });

  test('no flips at all and a new monitor: nothing observed, every period null', () => {
    const report = uptimeReport(history({ status: 'new', createdAt: ago(2 * DAY), knownSince: ago(2 * DAY) }), now);
    expect(report.uptime).toEqual({ '24h': null, '7d': null, '30d': null });
    expect(report.outages).toEqual([]);
  });

  test('one hour down yesterday: the 24 h, 7 d and 30 d figures each divide by their own period, rounded down', () => {
    const flips = [flip('new', 'up', ago(40 * DAY)), flip('up', 'down', ago(20 * HOUR)), flip('down', 'up', ago(19 * HOUR))];
    const report = uptimeReport(history({ flips }), now);
    // 23/24 = 95.8333…, 167/168 = 99.4047…, 719/720 = 99.8611…
    expect(report.uptime).toEqual({ '24h': 95.83, '7d': 99.4, '30d': 99.86 });
    expect(report.outages).toEqual([{ start: ago(20 * HOUR), end: ago(19 * HOUR), seconds: 3600 }]);
  });

  test('a single second down in 30 days shows below 100, never rounded up to it', () => {
    const flips = [flip('up', 'down', ago(DAY)), flip('down', 'up', new Date(ago(DAY).getTime() + 1000))];
    expect(uptimeReport(history({ flips }), now).uptime['30d']).toBe(99.99);
  });

  test('an outage straddling the window start counts only its part inside each period, and is listed with its real start', () => {
    // Down from 31 days ago (the flip read before the window) until 29 days ago.
    const flips = [flip('up', 'down', ago(31 * DAY)), flip('down', 'up', ago(29 * DAY))];
    const report = uptimeReport(history({ flips }), now);
    // One day of the 30 down: 29/30 = 96.666…
    expect(report.uptime).toEqual({ '24h': 100, '7d': 100, '30d': 96.66 });
    expect(report.outages).toEqual([{ start: ago(31 * DAY), end: ago(29 * DAY), seconds: 2 * 86_400 }]);
  });

  test('an outage that ended before the 30 days is not listed', () => {
    const flips = [flip('up', 'down', ago(33 * DAY)), flip('down', 'up', ago(31 * DAY))];
    const report = uptimeReport(history({ flips }), now);
    expect(report.outages).toEqual([]);
    expect(report.uptime['30d']).toBe(100);
  });

  test('a monitor created inside the window is measured from its first ping, not from the window start', () => {
    const createdAt = ago(3 * DAY);
    const flips = [flip('new', 'up', ago(2 * DAY)), flip('up', 'down', ago(12 * HOUR)), flip('down', 'up', ago(6 * HOUR))];
    const report = uptimeReport(history({ createdAt, knownSince: createdAt, flips }), now);
    // 24 h: 6 of 24 down; 7 d and 30 d: 6 of the 48 observed hours.
    expect(report.uptime).toEqual({ '24h': 75, '7d': 87.5, '30d': 87.5 });
  });

  test('paused time counts as neither up nor down', () => {
    const flips = [
      flip('up', 'down', ago(10 * HOUR)),
      flip('down', 'paused', ago(9 * HOUR)),
      flip('paused', 'up', ago(3 * HOUR)),
    ];
    const report = uptimeReport(history({ flips }), now);
    // 24 h: 18 observed (14 up before, 1 down, 3 up after), 1 down → 17/18.
    expect(report.uptime['24h']).toBe(94.44);
    // The outage ended with the pause.
    expect(report.outages).toEqual([{ start: ago(10 * HOUR), end: ago(9 * HOUR), seconds: 3600 }]);
  });

  test('a monitor paused the whole period has no figure for it', () => {
    const flips = [flip('up', 'paused', ago(3 * DAY))];
    const report = uptimeReport(history({ flips, status: 'paused' }), now);
    expect(report.uptime['24h']).toBeNull();
    expect(report.uptime['7d']).toBe(100);
  });

  test('an outage still open has no end and its length so far', () => {
    const flips = [flip('up', 'down', ago(90 * 60_000))];
    const report = uptimeReport(history({ flips, status: 'down' }), now);
    expect(report.outages).toEqual([{ start: ago(90 * 60_000), end: null, seconds: 5400 }]);
    expect(report.uptime['24h']).toBe(93.75);
  });

  test('a monitor down since before the window with no flip inside it is down for the whole window', () => {
    const flips = [flip('up', 'down', ago(45 * DAY))];
    const report = uptimeReport(history({ flips, status: 'down' }), now);
    expect(report.uptime).toEqual({ '24h': 0, '7d': 0, '30d': 0 });
    expect(report.outages).toEqual([{ start: ago(45 * DAY), end: null, seconds: 45 * 86_400 }]);
  });

  test('flips in any order give the same answer', () => {
    const flips = [flip('up', 'down', ago(20 * HOUR)), flip('down', 'up', ago(19 * HOUR)), flip('new', 'up', ago(40 * DAY))];
    expect(uptimeReport(history({ flips: [...flips].reverse() }), now)).toEqual(uptimeReport(history({ flips }), now));
  });

  test('only the latest ten outages are listed, newest first', () => {
    const flips = Array.from({ length: 12 }, (_, i) => [flip('up', 'down', ago((i + 1) * DAY)), flip('down', 'up', ago((i + 1) * DAY - 60_000))]).flat();
    const outages = uptimeReport(history({ flips }), now).outages;
    expect(outages).toHaveLength(MAX_OUTAGES);
    expect(outages[0].start).toEqual(ago(DAY));
    expect(outages[9].start).toEqual(ago(10 * DAY));
    expect(outages.every((o) => o.seconds === 60)).toBe(true);
  });

  test('when reading was cut short, time before the oldest flip read is not observed and its outage not listed', () => {
    // Only the flips of the last 2 days were read; before that, nothing is known.
    const flips = [flip('down', 'up', ago(2 * DAY)), flip('up', 'down', ago(DAY)), flip('down', 'up', ago(DAY - HOUR))];
    const report = uptimeReport(history({ flips, knownSince: ago(2 * DAY) }), now);
    // 30 d covers only the known 48 hours, 1 of them down.
    expect(report.uptime['30d']).toBe(97.91);
    expect(report.outages).toEqual([{ start: ago(DAY), end: ago(DAY - HOUR), seconds: 3600 }]);
  });

  test('a flip later than now is ignored', () => {
    const flips = [flip('up', 'down', new Date(now.getTime() + HOUR))];
    expect(uptimeReport(history({ flips }), now).uptime['24h']).toBe(100);
  });
});

describe('overall status of a page', () => {
  test.each([
    [['up', 'up'], 'up'],
    [['up', 'down'], 'degraded'],
    [['down', 'down'], 'down'],
    [['down', 'paused', 'new'], 'down'],
    [['up', 'paused'], 'up'],
    [['paused', 'new'], 'up'],
    [[], 'up'],
  ] as const)('%j is %s', (statuses, expected) => {
    expect(overallStatus(statuses)).toBe(expected);
  });
});
