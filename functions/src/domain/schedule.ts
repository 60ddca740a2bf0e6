import { Cron } from 'croner';
import { AppError, ErrorCode } from './errors';

/** Schedule and grace bounds, in seconds. */
export const MIN_PERIOD = 60;
export const MAX_PERIOD = 31_536_000;

/** The zone a cron schedule is read in when none is given. */
export const DEFAULT_TZ = 'UTC';

/**
 * When a monitor expects its job: at the times of the 5-field cron expression `cron`, read in the
 * IANA zone `tz`, or (no cron) every `schedule` seconds. A cron monitor's `schedule` holds its
 * nominal period, the gap between two firings when it was set, for messages and defaults.
 */
export interface Timing {
  schedule: number;
  cron: string | null;
  tz: string | null;
}

/**
 * Cron expressions are read by croner, which follows Vixie cron across DST changes: a fixed-time
 * job (no wildcard or step in minute and hour, e.g. `30 2 * * *`) whose time falls into the hour
 * that spring skips fires right after the gap, on the same day, and a time that autumn repeats
 * fires once, at its first occurrence; interval jobs (`*\/15 * * * *`, `0 * * * *`) fire on every
 * real occurrence and skip times that do not exist. That is what the job's own cron daemon does,
 * so the deadline neither expects a run that will not come (a false alert) nor waits a day for
 * one that should have come (a missed alert). `no-wildcard` is croner's rule closest to Vixie's.
 */
function compile(expression: string, tz: string): Cron {
  return new Cron(expression, { paused: true, mode: '5-part', timezone: tz, fixedTimeRule: 'no-wildcard' });
}

/** The canonical IANA name of `tz` (`europe/berlin` → `Europe/Berlin`), or null if the zone is unknown. */
export function canonicalZone(tz: string): string | null {
  // Offsets such as "+01:00" are not zones: they do not follow the local clock's DST changes.
  if (tz.length === 0 || tz.length > 64 || /^[+\-\d]/.test(tz)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const bad = (message: string) => new AppError(ErrorCode.BadRequest, message);

/**
 * Validates a schedule as the API receives it and returns it normalised: a cron expression with
 * single spaces and its zone in canonical form (`UTC` when none is given). Errors name the field.
 */
export function validateTiming(schedule: number | string, tz: string | undefined, now: Date): Timing {
  if (typeof schedule === 'number') {
    if (tz !== undefined) throw bad('tz applies to cron schedules only; a numeric schedule is a number of seconds.');
    return { schedule, cron: null, tz: null };
  }
  const zone = canonicalZone(tz ?? DEFAULT_TZ);
  if (zone === null) throw bad('tz must be an IANA time zone name such as "Europe/Berlin" or "UTC".');
  const expression = schedule.trim().split(/\s+/).join(' ');
  if (expression.length === 0 || expression.length > 100) throw bad('schedule must be a number of seconds or a 5-field cron expression.');
  if (/^\d+$/.test(expression)) throw bad('schedule must be a number of seconds (a JSON number, not a string) or a 5-field cron expression.');
  const fields = expression.split(' ').length;
  if (fields === 6 || fields === 7) {
    throw bad('schedule must be a 5-field cron expression (minute hour day-of-month month day-of-week); seconds and years are not supported.');
  }
  // Fewer fields than five are refused here, not by the cron library: it reads some of them as
  // a date and would answer with its own words about ISO 8601 (an OnCalendar line, say).
  if (fields < 5 && !expression.startsWith('@')) {
    throw bad(`schedule is not a valid cron expression: it has ${fields} field${fields === 1 ? '' : 's'}; a cron line has 5 (minute hour day-of-month month day-of-week).`);
  }
  let cron: Cron;
  try {
    cron = compile(expression, zone);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
    throw bad(`schedule is not a valid cron expression: ${reason}`);
  }
  const [first, second] = cron.nextRuns(2, now);
  if (first === undefined || second === undefined) throw bad('schedule never fires: no date matches this cron expression.');
  const period = (second.getTime() - first.getTime()) / 1000;
  if (period < MIN_PERIOD) throw bad('schedule must not fire more often than once a minute.');
  return { schedule: Math.min(MAX_PERIOD, Math.round(period)), cron: expression, tz: zone };
}

/**
 * The first time the job is expected after `after`: `after` + the period, or the next cron time.
 * Null only for a cron expression that never fires again (validation refuses those, but a date
 * such as 29 February can be years away, never absent).
 */
export function nextDueAfter(t: Timing, after: Date): Date | null {
  if (t.cron === null) return new Date(after.getTime() + t.schedule * 1000);
  return compile(t.cron, t.tz ?? DEFAULT_TZ).nextRun(after);
}

/**
 * The next `count` times the job is expected after `after`, as if it had just run at `after`:
 * every period from then on, or the next cron times in the schedule's zone. Fewer only when a
 * cron expression stops firing.
 */
export function expectedRuns(t: Timing, after: Date, count: number): Date[] {
  if (t.cron === null) return Array.from({ length: count }, (_, i) => new Date(after.getTime() + (i + 1) * t.schedule * 1000));
  return compile(t.cron, t.tz ?? DEFAULT_TZ).nextRuns(count, after);
}

/** Grace defaults to 10% of the period (for cron: of the gap between the next two firings), never less than a minute. */
export function defaultGrace(t: Timing, now: Date): number {
  let period = t.schedule;
  if (t.cron !== null) {
    const [first, second] = compile(t.cron, t.tz ?? DEFAULT_TZ).nextRuns(2, now);
    period = first && second ? (second.getTime() - first.getTime()) / 1000 : MIN_PERIOD;
  }
  return Math.min(MAX_PERIOD, Math.max(MIN_PERIOD, Math.round(period * 0.1)));
}

/**
 * The instant a monitor that completed a run at `pingAt` goes down if no further run completes:
 * the next expected time plus grace. Null when the schedule never fires again.
 */
export function deadlineAfter(pingAt: Date, t: Timing, grace: number): Date | null {
  const due = nextDueAfter(t, pingAt);
  return due === null ? null : new Date(due.getTime() + grace * 1000);
}
