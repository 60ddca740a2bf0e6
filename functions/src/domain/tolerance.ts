import type { Monitor } from './types';

/** Bounds of `alertAfter` and `recoverAfter`: failed or successful runs in a row. */
export const MIN_STREAK = 1;
export const MAX_STREAK = 100;

/** The counts the alert policy keeps: failed runs in a row, and successful ones. Each resets the other. */
export type Streak = Pick<Monitor, 'consecutiveFailures' | 'consecutiveSuccesses'>;

/** Only the counts that differ from the monitor's, so an event that changes neither writes neither. */
function changedCounts(m: Streak, next: Streak): Partial<Streak> {
  const changed: Partial<Streak> = {};
  if (next.consecutiveFailures !== m.consecutiveFailures) changed.consecutiveFailures = next.consecutiveFailures;
  if (next.consecutiveSuccesses !== m.consecutiveSuccesses) changed.consecutiveSuccesses = next.consecutiveSuccesses;
  return changed;
}

export const afterFailure = (m: Streak): Partial<Streak> => changedCounts(m, { consecutiveFailures: m.consecutiveFailures + 1, consecutiveSuccesses: 0 });
export const afterSuccess = (m: Streak): Partial<Streak> => changedCounts(m, { consecutiveFailures: 0, consecutiveSuccesses: m.consecutiveSuccesses + 1 });
/** A pause starts the counts afresh: a paused monitor is not watched, and its owner is looking at it. */
export const streakCleared = (m: Streak): Partial<Streak> => changedCounts(m, { consecutiveFailures: 0, consecutiveSuccesses: 0 });

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

const STREAK_SUFFIX = / \((\d+)(?:st|nd|rd|th) failure in a row\)$/;

/** A down flip's reason naming how many failed runs in a row took it down, when more than one did. */
export function withStreak<R extends string>(reason: R, failures: number): R | `${R} (${string} failure in a row)` {
  return failures > 1 ? `${reason} (${ordinal(failures)} failure in a row)` : reason;
}

/** A down reason split into what failed (`missed`, `exit code 3` …) and how many failures in a row it made (1 when it does not say). */
export function splitStreak(reason: string): { reason: string; failures: number } {
  const match = STREAK_SUFFIX.exec(reason);
  if (match === null) return { reason, failures: 1 };
  return { reason: reason.slice(0, match.index), failures: Number(match[1]) };
}

/** A run time as reasons tell it: `30m`, `1h30m`, `2s`, `2.5s` (seconds to a tenth, rounded down). */
export function runtimeText(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.floor(seconds * 10) / 10;
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  // Subtraction leaves binary noise on tenths (5.499999…).
  rest = Math.round(rest * 10) / 10;
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join('');
}

/** The reason of a run that outlived `maxRuntime` seconds. */
export const ranTooLong = (maxRuntime: number): `ran longer than ${string}` => `ran longer than ${runtimeText(maxRuntime)}`;

/** The reason of a run that ended before `minRuntime` seconds, or null when it ran long enough (or has no limit or no paired start). */
export function finishedTooFast(minRuntime: number | null, durationMs: number | null): `finished too fast (${string})` | null {
  if (minRuntime === null || durationMs === null || durationMs >= minRuntime * 1000) return null;
  return `finished too fast (${runtimeText(durationMs / 1000)} < ${runtimeText(minRuntime)})`;
}
