import { Cron } from 'croner';
import { AppError, ErrorCode } from './errors';
import { DEFAULT_TZ, validateTiming } from './schedule';
import { isDisplayable } from './text';

/**
 * A maintenance window: a time when the monitors it covers are watched and recorded as always but
 * alert nobody (`domain/quiet.ts` decides). Either recurring (a 5-field cron line of when it starts,
 * read in `tz`, lasting `duration` seconds) or one-off (`start` to `end`); the fields of the other
 * form are null.
 */
export interface MaintenanceWindow {
  id: string;
  accountId: string;
  name: string;
  /** The ids of the monitors it covers, or `'*'`: every monitor of the account, those created later included. */
  monitors: string[] | '*';
  /** When a recurring window starts: a 5-field cron expression; null for a one-off window. */
  schedule: string | null;
  /** The IANA zone `schedule` is read in; null for a one-off window. */
  tz: string | null;
  /** How long a recurring window lasts, in elapsed seconds; null for a one-off window. */
  duration: number | null;
  /** A one-off window's bounds (`end` excluded); null for a recurring window. */
  start: Date | null;
  end: Date | null;
  createdAt: Date;
}

/** What a window's timing is made of. */
export type WindowTiming = Pick<MaintenanceWindow, 'schedule' | 'tz' | 'duration' | 'start' | 'end'>;

/** A window's settings as `validateWindow` returns them, normalised. */
export type WindowSettings = Pick<MaintenanceWindow, 'name' | 'monitors'> & WindowTiming;

/** A window's settings as the API receives them (types already checked): one form's fields, the other's absent or null. */
export interface WindowInput {
  name: string;
  monitors: string[] | '*';
  schedule?: string | null;
  tz?: string | null;
  duration?: number | null;
  start?: Date | null;
  end?: Date | null;
}

/** Where a window stands at an instant: whether it is on and until when, and the next one that has not begun. */
export interface WindowState {
  active: boolean;
  /** When the current window ends (overlapping firings of a recurring window merged); null when not active. */
  activeUntil: Date | null;
  /** When the next window that has not begun yet starts (for an active one: the one after it); null when none will. */
  nextStart: Date | null;
  nextEnd: Date | null;
}

/** Bounds, in seconds: a window lasts a minute to 7 days, and a one-off window starts within a year. */
export const MIN_WINDOW = 60;
export const MAX_WINDOW = 604_800;
export const MAX_WINDOW_AHEAD = 31_622_400;
export const MAX_WINDOW_MONITORS = 1_000;
export const MAX_WINDOW_NAME = 100;

/**
 * How far the overlapping firings of a recurring window are followed. A window whose firings
 * overlap for longer (`* * * * *` lasting two minutes would never end) is refused when set; a
 * stored one is cut there, and the next look at it finds it still active and follows it again.
 */
const MAX_SPAN_MS = MAX_WINDOW * 1000;
const MAX_STEPS = 2_000;

const bad = (message: string) => new AppError(ErrorCode.BadRequest, message);

/** The same croner settings as `domain/schedule.ts`, so a window fires across DST changes as a monitor's cron does. */
function compile(expression: string, tz: string | null): Cron {
  return new Cron(expression, { paused: true, mode: '5-part', timezone: tz ?? DEFAULT_TZ, fixedTimeRule: 'no-wildcard' });
}

/** The end of the merged window that starts with the firing `first`: later firings that begin before it ends extend it. */
function spanEnd(cron: Cron, first: Date, durationMs: number, from: Date): { end: Date; capped: boolean } {
  let end = first.getTime() + durationMs;
  for (let step = 0; step < MAX_STEPS; step++) {
    if (end - from.getTime() > MAX_SPAN_MS) return { end: new Date(end), capped: true };
    // previousRuns is strictly before its reference: a firing exactly at `end` starts the next window on time, so it extends this one.
    const [latest] = cron.previousRuns(1, new Date(end + 1));
    if (latest === undefined || latest.getTime() + durationMs <= end) return { end: new Date(end), capped: false };
    end = latest.getTime() + durationMs;
  }
  return { end: new Date(end), capped: true };
}

/** When the recurring window active at `now` ends (null: none is), and whether it was cut at MAX_SPAN_MS. */
function recurringActive(w: WindowTiming, now: Date): { end: Date; capped: boolean } | null {
  if (w.schedule === null || w.duration === null) return null;
  const cron = compile(w.schedule, w.tz);
  const durationMs = w.duration * 1000;
  // The latest firing at or before now ends last among them (all last as long), so it alone decides whether one is on.
  const [last] = cron.previousRuns(1, new Date(now.getTime() + 1));
  if (last === undefined || now.getTime() >= last.getTime() + durationMs) return null;
  return spanEnd(cron, last, durationMs, now);
}

/** When the window active at `now` ends; null when it is not active. */
export function activeUntil(w: WindowTiming, now: Date): Date | null {
  if (w.schedule !== null) return recurringActive(w, now)?.end ?? null;
  if (w.start === null || w.end === null) return null;
  return w.start.getTime() <= now.getTime() && now.getTime() < w.end.getTime() ? w.end : null;
}

/**
 * Where the window stands at `now`. A recurring window is active when some firing t has
 * t ≤ now < t + duration; firings that start before the previous one ends extend it. The duration
 * is elapsed time: a window that spans a DST change ends an hour earlier or later on the wall clock.
 */
export function windowState(w: WindowTiming, now: Date): WindowState {
  if (w.schedule === null) {
    const until = activeUntil(w, now);
    const ahead = w.start !== null && w.start.getTime() > now.getTime();
    return { active: until !== null, activeUntil: until, nextStart: ahead ? w.start : null, nextEnd: ahead ? w.end : null };
  }
  const current = recurringActive(w, now);
  const none = { nextStart: null, nextEnd: null };
  if (current?.capped || w.duration === null) return { active: current !== null, activeUntil: current?.end ?? null, ...none };
  const cron = compile(w.schedule, w.tz);
  // A firing exactly at the current end was merged into it: the next window starts strictly after.
  const nextStart = cron.nextRun(current?.end ?? now);
  if (nextStart === null) return { active: current !== null, activeUntil: current?.end ?? null, ...none };
  const nextEnd = spanEnd(cron, nextStart, w.duration * 1000, nextStart).end;
  return { active: current !== null, activeUntil: current?.end ?? null, nextStart, nextEnd };
}

/** Whether the window covers the monitor. */
export function covers(w: Pick<MaintenanceWindow, 'monitors'>, monitorId: string): boolean {
  return w.monitors === '*' || w.monitors.includes(monitorId);
}

/** The later of two instants, either of which may be absent. */
export function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/**
 * Follows quiet periods that hand over to one another: `endAt(t)` is when the quiet active at t
 * ends (null: none is). When one ends while another is on, the quiet lasts until the later ends.
 */
export function chainedEnd(endAt: (t: Date) => Date | null, now: Date): Date | null {
  let end = endAt(now);
  if (end === null) return null;
  for (let step = 0; step < MAX_STEPS; step++) {
    const next = endAt(end);
    if (next === null || next.getTime() <= end.getTime()) return end;
    end = next;
  }
  return end;
}

/** When the covering windows active at `t` end: the latest of their ends; null when none is active. */
export function windowsEndAt(windows: readonly MaintenanceWindow[], monitorId: string, t: Date): Date | null {
  let end: Date | null = null;
  for (const w of windows) if (covers(w, monitorId)) end = latest(end, activeUntil(w, t));
  return end;
}

/**
 * Until when the monitor is in maintenance at `now`: the end of the longest active window that
 * covers it, followed across covering windows that overlap or touch it; null when none is active.
 */
export function quietUntil(windows: readonly MaintenanceWindow[], monitorId: string, now: Date): Date | null {
  const covering = windows.filter((w) => covers(w, monitorId));
  return chainedEnd((t) => windowsEndAt(covering, monitorId, t), now);
}

/** The monitors field as given: `'*'`, or its ids without repeats. */
function validMonitors(monitors: string[] | '*'): string[] | '*' {
  if (monitors === '*') return '*';
  if (!Array.isArray(monitors) || monitors.length === 0) throw bad('monitors must be "*" or a list of at least one monitor id.');
  if (monitors.some((id) => typeof id !== 'string' || id.length === 0)) throw bad('monitors must hold monitor ids (non-empty strings).');
  const ids = [...new Set(monitors)];
  if (ids.length > MAX_WINDOW_MONITORS) throw bad(`monitors must list at most ${MAX_WINDOW_MONITORS} monitors; use "*" for all of them.`);
  return ids;
}

function validName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0) throw bad('name must not be empty.');
  if (trimmed.length > MAX_WINDOW_NAME) throw bad(`name must be at most ${MAX_WINDOW_NAME} characters.`);
  // A window's name is shown in alerts that come after it, like a monitor's: no line breaks or overrides.
  if (!isDisplayable(trimmed)) throw bad('name must not contain control characters or bidirectional overrides.');
  return trimmed;
}

/** A recurring window's timing: the cron line through the monitors' rules, a bounded duration, and firings that let it end. */
function validRecurring(input: WindowInput, now: Date): WindowTiming {
  const schedule = input.schedule ?? '';
  // validateTiming also takes a number of seconds; a window starts on cron times only, so say that first.
  if (typeof schedule !== 'string' || schedule.trim().length === 0 || /^\d+$/.test(schedule.trim())) {
    throw bad('schedule must be a 5-field cron expression of when the window starts, such as "0 2 * * SUN".');
  }
  const timing = validateTiming(schedule, input.tz ?? undefined, now);
  const duration = input.duration;
  if (duration === undefined || duration === null) throw bad('duration is required with schedule: how long each window lasts, in seconds.');
  if (!Number.isInteger(duration) || duration < MIN_WINDOW || duration > MAX_WINDOW) {
    throw bad(`duration must be a whole number of seconds from ${MIN_WINDOW} to ${MAX_WINDOW} (7 days).`);
  }
  const w = { schedule: timing.cron, tz: timing.tz, duration, start: null, end: null };
  const cron = compile(w.schedule as string, w.tz);
  const next = cron.nextRun(now);
  if (next !== null && spanEnd(cron, next, duration * 1000, next).capped) {
    throw bad('duration is longer than the gap between the schedule\'s firings, so each window runs into the next for more than 7 days.');
  }
  return w;
}

/** A one-off window's timing: both bounds, in order, at most 7 days apart, not over yet and not too far ahead. */
function validOneOff(input: WindowInput, now: Date): WindowTiming {
  const { start, end } = input;
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) throw bad('start is required with end: when the one-off window begins (an ISO 8601 time).');
  if (!(end instanceof Date) || Number.isNaN(end.getTime())) throw bad('end is required with start: when the one-off window ends (an ISO 8601 time).');
  const length = (end.getTime() - start.getTime()) / 1000;
  if (length < MIN_WINDOW) throw bad(`end must be at least ${MIN_WINDOW} seconds after start.`);
  if (length > MAX_WINDOW) throw bad('end must be at most 7 days after start.');
  if (end.getTime() <= now.getTime()) throw bad('end must be in the future: this window would already be over.');
  if (start.getTime() - now.getTime() > MAX_WINDOW_AHEAD * 1000) throw bad('start must be within a year from now.');
  return { schedule: null, tz: null, duration: null, start, end };
}

/**
 * Validates a window's settings as the API receives them and returns them normalised: recurring
 * (schedule, tz, duration) or one-off (start, end), never both. Errors name the field. For an
 * edit, pass the stored window with the edit applied, the other form's fields cleared when it
 * switches form.
 */
export function validateWindow(input: WindowInput, now: Date): WindowSettings {
  const has = (v: unknown) => v !== undefined && v !== null;
  const recurring = has(input.schedule) || has(input.duration) || has(input.tz);
  const oneOff = has(input.start) || has(input.end);
  if (recurring && oneOff) throw bad('A window is either recurring (schedule, tz, duration) or one-off (start, end), not both.');
  if (!recurring && !oneOff) throw bad('schedule and duration (a recurring window) or start and end (a one-off window) are required.');
  if (recurring && !has(input.schedule)) throw bad('schedule is required with duration and tz: a 5-field cron expression of when the window starts.');
  const name = validName(input.name);
  const monitors = validMonitors(input.monitors);
  return { name, monitors, ...(recurring ? validRecurring(input, now) : validOneOff(input, now)) };
}
