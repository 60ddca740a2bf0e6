/** Schedule and grace bounds, in seconds. */
export const MIN_PERIOD = 60;
export const MAX_PERIOD = 31_536_000;

/** Grace defaults to 10% of the schedule, never less than a minute. */
export function defaultGrace(schedule: number): number {
  return Math.max(MIN_PERIOD, Math.round(schedule * 0.1));
}

/** The instant a monitor pinged at `pingAt` goes down if no further ping arrives. */
export function deadlineAfter(pingAt: Date, schedule: number, grace: number): Date {
  return new Date(pingAt.getTime() + (schedule + grace) * 1000);
}
