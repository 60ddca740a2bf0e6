import { AppError, ErrorCode } from '../domain/errors';
import { expectedRuns, MAX_PERIOD, MIN_PERIOD, validateTiming, type Timing } from '../domain/schedule';
import type { Deps } from './context';

export const DEFAULT_PREVIEW_COUNT = 3;
export const MAX_PREVIEW_COUNT = 10;

export interface SchedulePreviewRequest {
  /** A number of seconds or a 5-field cron expression, as a monitor's `schedule` takes it. */
  schedule: number | string;
  /** The cron expression's zone; cron schedules only, as on a monitor. */
  tz?: string;
  count: number;
}

export interface SchedulePreview {
  timing: Timing;
  next: Date[];
}

/**
 * When a monitor with this schedule would expect its job next, counted from now: what the
 * dashboard's form shows before the monitor exists. Validation is the monitor's own, so a schedule
 * that previews is one that saves.
 */
export function previewSchedule(deps: Pick<Deps, 'clock'>, request: SchedulePreviewRequest): SchedulePreview {
  const now = deps.clock();
  if (typeof request.schedule === 'number' && (request.schedule < MIN_PERIOD || request.schedule > MAX_PERIOD)) {
    throw new AppError(ErrorCode.BadRequest, `schedule must be from ${MIN_PERIOD} to ${MAX_PERIOD} seconds.`);
  }
  const timing = validateTiming(request.schedule, request.tz, now);
  return { timing, next: expectedRuns(timing, now, request.count) };
}
