import { z } from 'zod';
import { DEFAULT_PREVIEW_COUNT, MAX_PREVIEW_COUNT } from '../services/schedule-preview';

const SCHEDULE_MESSAGE = 'schedule must be a number of seconds or a 5-field cron expression';
const COUNT_MESSAGE = `count must be a whole number from 1 to ${MAX_PREVIEW_COUNT}`;

/**
 * The query of `GET /api/v1/schedule/preview`. A query string has no numbers, so `schedule` of
 * digits only is a number of seconds and anything else a cron expression.
 */
export const schedulePreviewQuery = z.object({
  schedule: z
    .string({ error: `${SCHEDULE_MESSAGE}, given once` })
    .max(100, { error: 'schedule must be at most 100 characters' })
    .transform((s) => (/^\s*\d{1,9}\s*$/.test(s) ? Number(s) : s)),
  tz: z.string({ error: 'tz must be given once' }).max(64, { error: 'tz must be at most 64 characters' }).optional(),
  count: z
    .string({ error: COUNT_MESSAGE })
    .regex(/^\d{1,2}$/, { error: COUNT_MESSAGE })
    .transform(Number)
    .pipe(z.number().min(1, { error: COUNT_MESSAGE }).max(MAX_PREVIEW_COUNT, { error: COUNT_MESSAGE }))
    .optional()
    .transform((n) => n ?? DEFAULT_PREVIEW_COUNT),
});
