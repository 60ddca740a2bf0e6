import { AppError } from '../../src/domain/errors';
import { deadlineAfter, defaultGrace, nextDueAfter, validateTiming, type Timing } from '../../src/domain/schedule';
import { transition, applyChanges } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import { makeMonitor } from '../support/factories';

const cron = (expression: string, tz = 'UTC'): Timing => ({ schedule: 86_400, cron: expression, tz });
const due = (t: Timing, after: string): string | undefined => nextDueAfter(t, new Date(after))?.toISOString();
const now = new Date('2026-03-01T12:00:00.000Z');

function refused(schedule: number | string, tz?: string): string {
  try {
    validateTiming(schedule, tz, now);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(schedule)} ${tz ?? ''} was accepted`);
}

describe('validateTiming', () => {
  test('accepts a 5-field expression, normalises its spacing and defaults the zone to UTC', () => {
    expect(validateTiming('  0  2 * *   * ', undefined, now)).toEqual({ schedule: 86_400, cron: '0 2 * * *', tz: 'UTC' });
  });

  test('keeps the gap between the next two firings as the nominal period', () => {
    expect(validateTiming('*/15 * * * *', 'Europe/Berlin', now).schedule).toBe(900);
    expect(validateTiming('30 9 * * MON-FRI', 'Europe/Berlin', now).schedule).toBe(86_400);
  });

  test('accepts month and day names and steps', () => {
    expect(validateTiming('0 6 1 JAN,JUL *', undefined, now).cron).toBe('0 6 1 JAN,JUL *');
    expect(validateTiming('0 */6 * * sun', undefined, now).cron).toBe('0 */6 * * sun');
  });

  test('gives the zone its canonical IANA spelling', () => {
    expect(validateTiming('0 2 * * *', 'europe/berlin', now).tz).toBe('Europe/Berlin');
    expect(validateTiming('0 2 * * *', 'US/Eastern', now).tz).toBe('America/New_York');
  });

  test('keeps a numeric schedule as it is, with no zone', () => {
    expect(validateTiming(3600, undefined, now)).toEqual({ schedule: 3600, cron: null, tz: null });
  });

  test('refuses a zone with a numeric schedule, naming tz', () => {
    expect(refused(3600, 'UTC')).toMatch(/^tz applies to cron schedules only/);
  });

  test('refuses an unknown zone or a bare offset, naming tz', () => {
    expect(refused('0 2 * * *', 'Mars/Olympus_Mons')).toMatch(/^tz must be an IANA time zone/);
    expect(refused('0 2 * * *', '+01:00')).toMatch(/^tz must be/);
    expect(refused('0 2 * * *', '')).toMatch(/^tz must be/);
  });

  test('refuses six- and seven-field expressions: no seconds, so never more often than once a minute', () => {
    expect(refused('*/10 * * * * *')).toMatch(/^schedule must be a 5-field cron expression .*seconds and years are not supported/);
    expect(refused('0 0 2 * * * 2027')).toMatch(/^schedule must be a 5-field/);
  });

  test('refuses an invalid expression, naming schedule and what is wrong', () => {
    expect(refused('61 * * * *')).toMatch(/^schedule is not a valid cron expression: .*minute/i);
    expect(refused('0 2 * *')).toMatch(/^schedule is not a valid cron expression/);
    expect(refused('every day')).toMatch(/^schedule is not a valid cron expression/);
    expect(refused('Mon..Fri *-*-* 09:00:00')).toBe('schedule is not a valid cron expression: it has 3 fields; a cron line has 5 (minute hour day-of-month month day-of-week).');
    expect(refused('daily')).toBe('schedule is not a valid cron expression: it has 1 field; a cron line has 5 (minute hour day-of-month month day-of-week).');
    expect(refused('')).toMatch(/^schedule must be a number of seconds or a 5-field cron expression/);
  });

  test('refuses an expression that never fires', () => {
    expect(refused('0 0 30 2 *')).toMatch(/^schedule never fires/);
  });
});

describe('defaultGrace for cron', () => {
  test('is 10% of the gap between the next two firings', () => {
    expect(defaultGrace(cron('0 2 * * *'), now)).toBe(8_640);
    expect(defaultGrace(cron('0 */4 * * *'), now)).toBe(1_440);
  });

  test('is never below a minute', () => {
    expect(defaultGrace(cron('*/5 * * * *'), now)).toBe(60);
  });

  test('follows the next two firings, so a weekday job created on a Friday gets 10% of the weekend gap', () => {
    const friday = new Date('2026-03-06T10:00:00.000Z');
    expect(defaultGrace(cron('0 9 * * 1-5'), friday)).toBe(8_640); // Mon 09:00 → Tue 09:00
    const thursday = new Date('2026-03-05T10:00:00.000Z');
    expect(defaultGrace(cron('0 9 * * 1-5'), thursday)).toBe(25_920); // Fri 09:00 → Mon 09:00
  });
});

describe('next cron time after a ping', () => {
  test('is strictly after the ping, so a run that pings at its own firing time is not expected again', () => {
    expect(due(cron('0 2 * * *'), '2026-03-10T02:00:00.000Z')).toBe('2026-03-11T02:00:00.000Z');
    expect(due(cron('0 2 * * *'), '2026-03-10T01:59:59.999Z')).toBe('2026-03-10T02:00:00.000Z');
  });

  test('skips the weekend for a weekday expression', () => {
    // Friday 6 March 2026, 09:00:40 in Berlin → Monday 9 March 09:00 CET.
    expect(due(cron('0 9 * * 1-5', 'Europe/Berlin'), '2026-03-06T08:00:40.000Z')).toBe('2026-03-09T08:00:00.000Z');
    expect(due(cron('0 9 * * MON-FRI', 'America/New_York'), '2026-03-06T14:00:40.000Z')).toBe('2026-03-09T13:00:00.000Z');
  });

  test('reads day-of-month and day-of-week as either, like cron', () => {
    // The 13th or any Friday: after Friday 6 March comes Friday 13 March, then Friday 20 March.
    expect(due(cron('0 0 13 * 5'), '2026-03-06T00:00:01.000Z')).toBe('2026-03-13T00:00:00.000Z');
    expect(due(cron('0 0 13 * 5'), '2026-03-13T00:00:01.000Z')).toBe('2026-03-20T00:00:00.000Z');
  });

  test('month ends: the 31st skips the short months instead of expecting a run that cannot happen', () => {
    expect(due(cron('0 0 31 * *'), '2026-01-31T00:00:05.000Z')).toBe('2026-03-31T00:00:00.000Z');
    expect(due(cron('0 0 31 * *'), '2026-03-31T00:00:05.000Z')).toBe('2026-05-31T00:00:00.000Z');
    expect(due(cron('0 12 30 * *'), '2026-01-30T12:00:05.000Z')).toBe('2026-03-30T12:00:00.000Z');
    expect(due(cron('0 0 1 * *', 'Europe/Berlin'), '2026-02-28T23:00:05.000Z')).toBe('2026-03-31T22:00:00.000Z');
  });

  test('leap days: 29 February is expected only in leap years', () => {
    expect(due(cron('0 0 29 2 *'), '2024-02-29T00:00:05.000Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(due(cron('0 0 29 2 *', 'Europe/Berlin'), '2026-01-01T00:00:00.000Z')).toBe('2028-02-28T23:00:00.000Z');
    // The 28th of every month: after 28 February 2028 (a leap year) comes 28 March, not 29 February.
    expect(due(cron('0 0 28 * *'), '2028-02-28T00:00:05.000Z')).toBe('2028-03-28T00:00:00.000Z');
  });

  test('a numeric schedule is the ping time plus the period', () => {
    expect(due({ schedule: 3600, cron: null, tz: null }, '2026-03-29T00:30:00.000Z')).toBe('2026-03-29T01:30:00.000Z');
  });
});

/*
 * DST. Europe/Berlin: 29 March 2026 02:00 CET → 03:00 CEST (01:00 UTC); 25 October 2026
 * 03:00 CEST → 02:00 CET (01:00 UTC). America/New_York: 8 March 2026 02:00 EST → 03:00 EDT
 * (07:00 UTC); 1 November 2026 02:00 EDT → 01:00 EST (06:00 UTC). The expected times are what
 * Vixie cron (and cronie, which Debian, Ubuntu and RHEL ship) runs: a fixed-time job in the
 * skipped hour right after the gap, a fixed-time job in the doubled hour once; interval jobs on
 * every real occurrence.
 */
describe('spring forward', () => {
  test('Berlin: a 02:30 job is expected right after the gap that day, not the next day', () => {
    expect(due(cron('30 2 * * *', 'Europe/Berlin'), '2026-03-28T01:30:20.000Z')).toBe('2026-03-29T01:00:00.000Z');
  });

  test('Berlin: after the 02:30 job ran at 03:00 CEST it is next expected the following night, not at 03:30 that day', () => {
    expect(due(cron('30 2 * * *', 'Europe/Berlin'), '2026-03-29T01:00:20.000Z')).toBe('2026-03-30T00:30:00.000Z');
  });

  test('Berlin: a job at 02:00 sharp behaves the same', () => {
    expect(due(cron('0 2 * * *', 'Europe/Berlin'), '2026-03-28T01:00:20.000Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(due(cron('0 2 * * *', 'Europe/Berlin'), '2026-03-29T01:00:20.000Z')).toBe('2026-03-30T00:00:00.000Z');
  });

  test('Berlin: an hourly job is expected one real hour after 01:00 CET, at 03:00 CEST', () => {
    expect(due(cron('0 * * * *', 'Europe/Berlin'), '2026-03-29T00:00:20.000Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(due(cron('*/15 * * * *', 'Europe/Berlin'), '2026-03-29T00:45:20.000Z')).toBe('2026-03-29T01:00:00.000Z');
  });

  test('New York: a 02:30 job is expected at 03:00 EDT that day, then 02:30 EDT the next', () => {
    expect(due(cron('30 2 * * *', 'America/New_York'), '2026-03-07T07:30:20.000Z')).toBe('2026-03-08T07:00:00.000Z');
    expect(due(cron('30 2 * * *', 'America/New_York'), '2026-03-08T07:00:20.000Z')).toBe('2026-03-09T06:30:00.000Z');
  });

  test('New York: a weekly Sunday job on the day of the change is not pushed a week', () => {
    expect(due(cron('0 8 * * 0', 'America/New_York'), '2026-03-08T05:45:00.000Z')).toBe('2026-03-08T12:00:00.000Z');
  });
});

describe('fall back', () => {
  test('Berlin: a 02:30 job is expected once, at the first 02:30, then the following night', () => {
    expect(due(cron('30 2 * * *', 'Europe/Berlin'), '2026-10-24T00:30:20.000Z')).toBe('2026-10-25T00:30:00.000Z');
    expect(due(cron('30 2 * * *', 'Europe/Berlin'), '2026-10-25T00:30:20.000Z')).toBe('2026-10-26T01:30:00.000Z');
  });

  test('Berlin: a list of fixed times is a fixed-time job too (as in Vixie cron): the doubled 02:30 is expected once', () => {
    expect(due(cron('30 2,14 * * *', 'Europe/Berlin'), '2026-10-25T00:30:20.000Z')).toBe('2026-10-25T13:30:00.000Z');
  });

  test('Berlin: an hourly job is expected every real hour through the doubled hour', () => {
    expect(due(cron('0 * * * *', 'Europe/Berlin'), '2026-10-25T00:00:20.000Z')).toBe('2026-10-25T01:00:00.000Z');
    expect(due(cron('0 * * * *', 'Europe/Berlin'), '2026-10-25T01:00:20.000Z')).toBe('2026-10-25T02:00:00.000Z');
  });

  test('New York: a 01:30 job is expected once, at 01:30 EDT, then 01:30 EST the next night', () => {
    expect(due(cron('30 1 * * *', 'America/New_York'), '2026-10-31T05:30:20.000Z')).toBe('2026-11-01T05:30:00.000Z');
    expect(due(cron('30 1 * * *', 'America/New_York'), '2026-11-01T05:30:20.000Z')).toBe('2026-11-02T06:30:00.000Z');
  });

  test('New York: a job every 20 minutes keeps its real 20-minute gaps through the doubled hour', () => {
    expect(due(cron('*/20 * * * *', 'America/New_York'), '2026-11-01T05:40:20.000Z')).toBe('2026-11-01T06:00:00.000Z');
  });
});

/**
 * A job run by its cron daemon at `runs` (UTC instants), pinging `runtime` seconds after each
 * start. Walks a fake clock minute by minute from the first run to `until` and returns the
 * instants at which the monitor would have gone down.
 */
function simulate(t: Timing, grace: number, runs: string[], until: string, runtime = 20): string[] {
  let m: Monitor = makeMonitor({ ...t, grace, status: 'new' });
  const pings = runs.map((r) => Date.parse(r) + runtime * 1000);
  const downs: string[] = [];
  for (let clock = Date.parse(runs[0]); clock <= Date.parse(until); clock += 60_000) {
    const at = new Date(clock);
    for (const p of pings.filter((x) => x > clock - 60_000 && x <= clock)) {
      m = applyChanges(m, transition(m, 'ping', new Date(p))!.changes);
    }
    const missed = transition(m, 'deadline', at);
    if (missed?.flip) {
      downs.push(at.toISOString());
      m = applyChanges(m, missed.changes);
    }
  }
  return downs;
}

describe('a job run by cron across DST changes', () => {
  const grace = 300;

  test('Berlin, daily 02:30, spring and autumn: no false alert on either night', () => {
    const t = cron('30 2 * * *', 'Europe/Berlin');
    const spring = ['2026-03-27T01:30:00Z', '2026-03-28T01:30:00Z', '2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z', '2026-03-31T00:30:00Z'];
    expect(simulate(t, grace, spring, '2026-03-31T12:00:00Z')).toEqual([]);
    const autumn = ['2026-10-23T00:30:00Z', '2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z', '2026-10-27T01:30:00Z'];
    expect(simulate(t, grace, autumn, '2026-10-27T12:00:00Z')).toEqual([]);
  });

  test('Berlin, daily 02:30: a run missed on the night the clocks skip 02:30 alerts that night, not a day late', () => {
    const t = cron('30 2 * * *', 'Europe/Berlin');
    const runs = ['2026-03-27T01:30:00Z', '2026-03-28T01:30:00Z', '2026-03-30T00:30:00Z'];
    expect(simulate(t, grace, runs, '2026-03-29T12:00:00Z')).toEqual(['2026-03-29T01:05:00.000Z']);
  });

  test('Berlin, daily 02:30: a run missed on the night 02:30 happens twice alerts after the first 02:30', () => {
    const t = cron('30 2 * * *', 'Europe/Berlin');
    const runs = ['2026-10-23T00:30:00Z', '2026-10-24T00:30:00Z'];
    expect(simulate(t, grace, runs, '2026-10-25T12:00:00Z')).toEqual(['2026-10-25T00:35:00.000Z']);
  });

  test('Berlin, hourly: runs every real hour through both changes without a false alert', () => {
    const t = cron('0 * * * *', 'Europe/Berlin');
    const hourly = (from: string, hours: number) => Array.from({ length: hours }, (_, i) => new Date(Date.parse(from) + i * 3_600_000).toISOString());
    expect(simulate(t, grace, hourly('2026-03-28T20:00:00Z', 12), '2026-03-29T07:00:00Z')).toEqual([]);
    expect(simulate(t, grace, hourly('2026-10-24T20:00:00Z', 12), '2026-10-25T07:00:00Z')).toEqual([]);
  });

  test('Berlin, hourly: the run missed in the doubled hour is noticed within that real hour', () => {
    const t = cron('0 * * * *', 'Europe/Berlin');
    // 00:00Z is 02:00 CEST; 01:00Z (02:00 CET, the second 02:00) does not run.
    const runs = ['2026-10-24T23:00:00Z', '2026-10-25T00:00:00Z'];
    expect(simulate(t, grace, runs, '2026-10-25T01:30:00Z')).toEqual(['2026-10-25T01:05:00.000Z']);
  });

  test('New York, weekdays 09:00: no false alert over a weekend that contains the spring change', () => {
    const t = cron('0 9 * * 1-5', 'America/New_York');
    const runs = ['2026-03-05T14:00:00Z', '2026-03-06T14:00:00Z', '2026-03-09T13:00:00Z', '2026-03-10T13:00:00Z'];
    expect(simulate(t, grace, runs, '2026-03-10T20:00:00Z')).toEqual([]);
  });

  test('New York, daily 01:30 in autumn: the doubled 01:30 runs once and is expected once', () => {
    const t = cron('30 1 * * *', 'America/New_York');
    const runs = ['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'];
    expect(simulate(t, grace, runs, '2026-11-02T12:00:00Z')).toEqual([]);
  });

  test('New York, daily 02:30 in spring: the run right after the gap is expected, and a job that skips it is reported', () => {
    const t = cron('30 2 * * *', 'America/New_York');
    expect(simulate(t, grace, ['2026-03-07T07:30:00Z', '2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z'], '2026-03-09T12:00:00Z')).toEqual([]);
    expect(simulate(t, grace, ['2026-03-07T07:30:00Z', '2026-03-09T06:30:00Z'], '2026-03-08T12:00:00Z')).toEqual(['2026-03-08T07:05:00.000Z']);
  });
});

describe('deadlineAfter', () => {
  test('is the next cron time plus grace', () => {
    expect(deadlineAfter(new Date('2026-03-10T02:00:30.000Z'), cron('0 2 * * *'), 600)?.toISOString()).toBe('2026-03-11T02:10:00.000Z');
  });
});
