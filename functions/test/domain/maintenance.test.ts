import { AppError, ErrorCode } from '../../src/domain/errors';
import {
  covers,
  quietUntil,
  validateWindow,
  windowState,
  type MaintenanceWindow,
  type WindowInput,
} from '../../src/domain/maintenance';

// Fake clock: every instant is passed in; the domain never reads the clock.
const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;
const now = at('2026-03-01T12:00:00.000Z');

function makeWindow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: 'w1',
    accountId: 'a1',
    name: 'Nightly backup',
    monitors: '*',
    schedule: null,
    tz: null,
    duration: null,
    start: null,
    end: null,
    createdAt: at('2026-01-01T00:00:00.000Z'),
    ...overrides,
  };
}

const recurring = (schedule: string, duration: number, tz = 'UTC', overrides: Partial<MaintenanceWindow> = {}) =>
  makeWindow({ schedule, tz, duration, ...overrides });
const oneOff = (start: string, end: string, overrides: Partial<MaintenanceWindow> = {}) =>
  makeWindow({ start: at(start), end: at(end), ...overrides });

/** The state as ISO strings, so a failure shows the instants. */
function stateAt(w: MaintenanceWindow, instant: string) {
  const s = windowState(w, at(instant));
  return { active: s.active, activeUntil: iso(s.activeUntil), nextStart: iso(s.nextStart), nextEnd: iso(s.nextEnd) };
}

function refused(input: Partial<WindowInput>): string {
  try {
    validateWindow({ name: 'Deploy', monitors: '*', ...input }, now);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.BadRequest);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(input)} was accepted`);
}

describe('validateWindow', () => {
  test('accepts a recurring window and normalises its cron spacing and zone', () => {
    const w = validateWindow({ name: ' Backup ', monitors: ['m1', 'm2', 'm1'], schedule: ' 0  2 * * SUN', tz: 'europe/berlin', duration: 3600 }, now);
    expect(w).toEqual({ name: 'Backup', monitors: ['m1', 'm2'], schedule: '0 2 * * SUN', tz: 'Europe/Berlin', duration: 3600, start: null, end: null });
  });

  test('reads a recurring window in UTC when it names no zone', () => {
    expect(validateWindow({ name: 'Backup', monitors: '*', schedule: '0 2 * * *', duration: 600 }, now).tz).toBe('UTC');
  });

  test('accepts a one-off window', () => {
    const w = validateWindow({ name: 'Deploy', monitors: '*', start: at('2026-03-02T10:00:00Z'), end: at('2026-03-02T11:00:00Z') }, now);
    expect(w).toMatchObject({ schedule: null, tz: null, duration: null, start: at('2026-03-02T10:00:00Z'), end: at('2026-03-02T11:00:00Z') });
  });

  test('refuses both forms at once, and neither', () => {
    expect(refused({ schedule: '0 2 * * *', duration: 600, start: at('2026-03-02T10:00:00Z') })).toMatch(/either recurring .* or one-off .*not both/);
    expect(refused({})).toMatch(/^schedule and duration .* or start and end .* are required/);
  });

  test('refuses duration or tz without schedule, naming schedule', () => {
    expect(refused({ duration: 600 })).toMatch(/^schedule is required/);
    expect(refused({ tz: 'UTC' })).toMatch(/^schedule is required/);
  });

  test('refuses a schedule that is not a cron line, naming schedule', () => {
    expect(refused({ schedule: '3600', duration: 600 })).toMatch(/^schedule must be a 5-field cron expression/);
    expect(refused({ schedule: '61 2 * * *', duration: 600 })).toMatch(/^schedule is not a valid cron expression/);
    expect(refused({ schedule: '0 0 2 * * *', duration: 600 })).toMatch(/^schedule must be a 5-field/);
  });

  test('refuses an unknown zone, naming tz', () => {
    expect(refused({ schedule: '0 2 * * *', tz: 'Mars/Olympus_Mons', duration: 600 })).toMatch(/^tz must be an IANA time zone/);
  });

  test('refuses a missing, short, long or fractional duration', () => {
    expect(refused({ schedule: '0 2 * * *' })).toMatch(/^duration is required with schedule/);
    expect(refused({ schedule: '0 2 * * *', duration: 59 })).toMatch(/^duration must be a whole number of seconds from 60 to 604800/);
    expect(refused({ schedule: '0 2 * * *', duration: 604_801 })).toMatch(/^duration must be/);
    expect(refused({ schedule: '0 2 * * *', duration: 600.5 })).toMatch(/^duration must be/);
  });

  test('accepts a duration longer than the gap between firings when the merged window still ends', () => {
    // Weekdays at every hour, two hours each: one window from Monday 00:00 to Saturday 01:00.
    expect(validateWindow({ name: 'Freeze', monitors: '*', schedule: '0 * * * 1-5', duration: 7200 }, now).duration).toBe(7200);
  });

  test('refuses a window whose firings overlap so that it never ends', () => {
    expect(refused({ schedule: '* * * * *', duration: 120 })).toMatch(/^duration is longer than the gap between the schedule's firings/);
    expect(refused({ schedule: '0 * * * *', duration: 3600 })).toMatch(/^duration is longer than the gap/);
  });

  test('refuses a one-off window with one bound, bounds out of order, or too long', () => {
    expect(refused({ start: at('2026-03-02T10:00:00Z') })).toMatch(/^end is required with start/);
    expect(refused({ end: at('2026-03-02T10:00:00Z') })).toMatch(/^start is required with end/);
    expect(refused({ start: at('2026-03-02T10:00:00Z'), end: at('2026-03-02T09:00:00Z') })).toMatch(/^end must be at least 60 seconds after start/);
    expect(refused({ start: at('2026-03-02T10:00:00Z'), end: at('2026-03-09T10:00:01Z') })).toMatch(/^end must be at most 7 days after start/);
  });

  test('refuses a one-off window already over, or starting more than a year ahead', () => {
    expect(refused({ start: at('2026-02-28T10:00:00Z'), end: at('2026-03-01T12:00:00Z') })).toMatch(/^end must be in the future/);
    expect(refused({ start: at('2027-03-03T10:00:00Z'), end: at('2027-03-03T11:00:00Z') })).toMatch(/^start must be within a year/);
  });

  test('accepts a one-off window that has already begun', () => {
    expect(validateWindow({ name: 'Now', monitors: '*', start: at('2026-03-01T11:00:00Z'), end: at('2026-03-01T13:00:00Z') }, now).start).toEqual(at('2026-03-01T11:00:00Z'));
  });

  test('refuses an empty monitor list and a bad name, naming the field', () => {
    const timing = { schedule: '0 2 * * *', duration: 600 };
    expect(refused({ ...timing, monitors: [] })).toMatch(/^monitors must be "\*" or a list/);
    expect(refused({ ...timing, monitors: [''] })).toMatch(/^monitors must hold monitor ids/);
    expect(refused({ ...timing, name: '  ' })).toMatch(/^name must not be empty/);
    expect(refused({ ...timing, name: 'Deploy\nBcc: x' })).toMatch(/^name must not contain control characters/);
    expect(refused({ ...timing, name: 'x'.repeat(101) })).toMatch(/^name must be at most 100/);
  });
});

describe('windowState of a one-off window', () => {
  const w = oneOff('2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z');

  test('before it: not active, next start and end are its bounds', () => {
    expect(stateAt(w, '2026-03-01T09:59:59Z')).toEqual({
      active: false, activeUntil: null, nextStart: '2026-03-01T10:00:00.000Z', nextEnd: '2026-03-01T11:00:00.000Z',
    });
  });

  test('from its start until just before its end: active until the end', () => {
    expect(stateAt(w, '2026-03-01T10:00:00Z')).toMatchObject({ active: true, activeUntil: '2026-03-01T11:00:00.000Z', nextStart: null });
    expect(stateAt(w, '2026-03-01T10:59:59.999Z').active).toBe(true);
  });

  test('at its end and after: over, nothing next', () => {
    expect(stateAt(w, '2026-03-01T11:00:00Z')).toEqual({ active: false, activeUntil: null, nextStart: null, nextEnd: null });
  });
});

describe('windowState of a recurring window', () => {
  test('is active from a firing for its duration, and says when the next begins', () => {
    const w = recurring('0 2 * * *', 7200);
    expect(stateAt(w, '2026-03-01T01:59:00Z')).toEqual({
      active: false, activeUntil: null, nextStart: '2026-03-01T02:00:00.000Z', nextEnd: '2026-03-01T04:00:00.000Z',
    });
    expect(stateAt(w, '2026-03-01T02:00:00Z')).toEqual({
      active: true, activeUntil: '2026-03-01T04:00:00.000Z', nextStart: '2026-03-02T02:00:00.000Z', nextEnd: '2026-03-02T04:00:00.000Z',
    });
    expect(stateAt(w, '2026-03-01T04:00:00Z').active).toBe(false);
  });

  test('runs across midnight into the next day', () => {
    const w = recurring('0 23 * * *', 3 * 3600, 'Europe/Berlin');
    // 23:00 CET on 1 March is 22:00Z; three hours later is 02:00 CET on 2 March.
    expect(stateAt(w, '2026-03-01T23:30:00Z')).toMatchObject({ active: true, activeUntil: '2026-03-02T01:00:00.000Z' });
    expect(stateAt(w, '2026-03-02T01:00:00Z')).toMatchObject({ active: false, nextStart: '2026-03-02T22:00:00.000Z' });
  });

  test('only on the weekdays its cron names, across a weekend', () => {
    const w = recurring('0 22 * * FRI', 4 * 3600);
    // Friday 6 March 2026 22:00Z until Saturday 02:00Z.
    expect(stateAt(w, '2026-03-07T01:00:00Z')).toMatchObject({ active: true, activeUntil: '2026-03-07T02:00:00.000Z', nextStart: '2026-03-13T22:00:00.000Z' });
    expect(stateAt(w, '2026-03-08T01:00:00Z').active).toBe(false);
  });

  test('Europe/Berlin spring forward: a 02:30 window starts at 03:00 CEST, right after the skipped hour', () => {
    const w = recurring('30 2 * * *', 3600, 'Europe/Berlin');
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00Z).
    expect(stateAt(w, '2026-03-29T00:45:00Z')).toMatchObject({ active: false, nextStart: '2026-03-29T01:00:00.000Z', nextEnd: '2026-03-29T02:00:00.000Z' });
    expect(stateAt(w, '2026-03-29T01:30:00Z')).toMatchObject({ active: true, activeUntil: '2026-03-29T02:00:00.000Z', nextStart: '2026-03-30T00:30:00.000Z' });
  });

  test('Europe/Berlin fall back: a 02:30 window starts once, and lasts its elapsed duration', () => {
    const w = recurring('30 2 * * *', 2 * 3600, 'Europe/Berlin');
    // 25 October 2026: 02:30 CEST is 00:30Z; 02:30 CET (01:30Z), the repeat, does not start another.
    expect(stateAt(w, '2026-10-25T01:45:00Z')).toMatchObject({ active: true, activeUntil: '2026-10-25T02:30:00.000Z', nextStart: '2026-10-26T01:30:00.000Z' });
    expect(stateAt(w, '2026-10-25T02:30:00Z').active).toBe(false);
  });

  test('America/New_York spring forward: a 02:30 window starts at 03:00 EDT', () => {
    const w = recurring('30 2 * * *', 3600, 'America/New_York');
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00Z).
    expect(stateAt(w, '2026-03-08T06:45:00Z')).toMatchObject({ active: false, nextStart: '2026-03-08T07:00:00.000Z' });
    expect(stateAt(w, '2026-03-08T07:30:00Z')).toMatchObject({ active: true, activeUntil: '2026-03-08T08:00:00.000Z' });
  });

  test('America/New_York fall back: a 01:30 window does not start again in the repeated hour', () => {
    const w = recurring('30 1 * * *', 3600, 'America/New_York');
    // 1 November 2026: 01:30 EDT is 05:30Z; 01:30 EST (06:30Z) is the repeat.
    expect(stateAt(w, '2026-11-01T06:00:00Z')).toMatchObject({ active: true, activeUntil: '2026-11-01T06:30:00.000Z' });
    expect(stateAt(w, '2026-11-01T06:45:00Z')).toMatchObject({ active: false, nextStart: '2026-11-02T06:30:00.000Z' });
  });

  test('firings that overlap extend one window until the last of them ends', () => {
    const w = recurring('0 8-10 * * *', 5400);
    expect(stateAt(w, '2026-03-01T08:15:00Z')).toEqual({
      active: true, activeUntil: '2026-03-01T11:30:00.000Z', nextStart: '2026-03-02T08:00:00.000Z', nextEnd: '2026-03-02T11:30:00.000Z',
    });
  });

  test('a firing exactly when the previous one ends continues the same window', () => {
    const w = recurring('0 8,9 * * *', 3600);
    expect(stateAt(w, '2026-03-01T08:30:00Z')).toMatchObject({ active: true, activeUntil: '2026-03-01T10:00:00.000Z' });
    expect(stateAt(w, '2026-03-01T07:00:00Z')).toMatchObject({ nextStart: '2026-03-01T08:00:00.000Z', nextEnd: '2026-03-01T10:00:00.000Z' });
  });

  test('a stored window that never ends stays active, cut at 7 days ahead', () => {
    const w = recurring('0 * * * *', 7200);
    const s = windowState(w, now);
    expect(s.active).toBe(true);
    expect(s.activeUntil!.getTime()).toBeGreaterThan(now.getTime() + 7 * 86_400_000);
    expect(s.activeUntil!.getTime()).toBeLessThanOrEqual(now.getTime() + 7 * 86_400_000 + 7_200_000);
    expect(s.nextStart).toBeNull();
  });
});

describe('covers', () => {
  test('"*" covers every monitor; a list only its own', () => {
    expect(covers(makeWindow({ monitors: '*' }), 'any')).toBe(true);
    expect(covers(makeWindow({ monitors: ['m1', 'm2'] }), 'm2')).toBe(true);
    expect(covers(makeWindow({ monitors: ['m1', 'm2'] }), 'm3')).toBe(false);
  });
});

describe('quietUntil', () => {
  test('is null when no covering window is active', () => {
    const windows = [oneOff('2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z', { monitors: ['m2'] })];
    expect(quietUntil(windows, 'm1', at('2026-03-01T10:30:00Z'))).toBeNull();
    expect(quietUntil(windows, 'm2', at('2026-03-01T11:30:00Z'))).toBeNull();
  });

  test('is the end of the longest active covering window', () => {
    const windows = [oneOff('2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z'), oneOff('2026-03-01T09:00:00Z', '2026-03-01T12:00:00Z', { id: 'w2' })];
    expect(iso(quietUntil(windows, 'm1', at('2026-03-01T10:30:00Z')))).toBe('2026-03-01T12:00:00.000Z');
  });

  test('follows a covering window that begins before the active one ends', () => {
    const windows = [
      oneOff('2026-03-01T10:00:00Z', '2026-03-01T12:00:00Z', { monitors: ['m1'] }),
      oneOff('2026-03-01T11:00:00Z', '2026-03-01T13:00:00Z', { id: 'w2' }),
      oneOff('2026-03-01T13:00:00Z', '2026-03-01T14:00:00Z', { id: 'w3', monitors: ['m1'] }),
    ];
    expect(iso(quietUntil(windows, 'm1', at('2026-03-01T10:30:00Z')))).toBe('2026-03-01T14:00:00.000Z');
  });

  test('does not follow a window that covers other monitors, or one that begins after a gap', () => {
    const windows = [
      oneOff('2026-03-01T10:00:00Z', '2026-03-01T12:00:00Z'),
      oneOff('2026-03-01T11:00:00Z', '2026-03-01T13:00:00Z', { id: 'w2', monitors: ['m2'] }),
      oneOff('2026-03-01T12:00:01Z', '2026-03-01T14:00:00Z', { id: 'w3' }),
    ];
    expect(iso(quietUntil(windows, 'm1', at('2026-03-01T10:30:00Z')))).toBe('2026-03-01T12:00:00.000Z');
  });

  test('chains a recurring window into a one-off window', () => {
    const windows = [recurring('0 2 * * *', 3600), oneOff('2026-03-01T02:30:00Z', '2026-03-01T05:00:00Z', { id: 'w2' })];
    expect(iso(quietUntil(windows, 'm1', at('2026-03-01T02:10:00Z')))).toBe('2026-03-01T05:00:00.000Z');
  });
});
