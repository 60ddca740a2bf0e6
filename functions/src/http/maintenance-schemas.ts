import { z } from 'zod';
import { MONITOR_ID_PATTERN } from '../services/secrets';
import { instant } from './schemas';

/**
 * The bodies of `/api/v1/maintenance`: types and shapes only. What a window's fields must hold
 * together (one form or the other, bounds, a cron line that lets it end) is `validateWindow`'s
 * to say in the domain, and whose monitor ids they are the service's.
 */

const MONITORS_MESSAGE = 'monitors must be "*" or a list of monitor ids';

/** A list of monitor ids (16 hex digits, so an id is echoed only when it could be one) or "*": every monitor of the account. */
const monitors = z.union(
  [z.literal('*'), z.array(z.string({ error: 'monitors must list monitor ids (strings)' }).regex(MONITOR_ID_PATTERN, { error: 'monitors must list monitor ids (16 hex digits)' }))],
  {
    // An array gets its own issue (a malformed id); anything else the general message.
    error: (issue) => {
      if (issue.input === undefined) return undefined;
      const arrayIssue = issue.code === 'invalid_union' && Array.isArray(issue.input) ? issue.errors[1]?.[0]?.message : undefined;
      return arrayIssue ?? MONITORS_MESSAGE;
    },
  },
);

/** The timing fields: a recurring window's or a one-off's; null is the same as left out (and clears it on PATCH). */
const timingFields = {
  schedule: z.string({ error: 'schedule must be a 5-field cron expression string, such as "0 3 * * 0"' }).max(100, { error: 'schedule must be at most 100 characters' }).nullable().optional(),
  tz: z.string({ error: 'tz must be an IANA time zone name such as "Europe/Berlin"' }).max(64, { error: 'tz must be at most 64 characters' }).nullable().optional(),
  duration: z.number({ error: 'duration must be a whole number of seconds' }).nullable().optional(),
  start: instant('start').nullable().optional(),
  end: instant('end').nullable().optional(),
};

const name = z.string({ error: 'name must be a string' });

export const WINDOW_FIELDS = ['name', 'monitors', ...Object.keys(timingFields)];

/** POST: a name, the monitors, and one form's timing. Unknown fields are ignored, as on a monitor's creation. */
export const createWindowBody = z.object({ name, monitors, ...timingFields });

/** PATCH: any subset of the create fields; an unknown field is refused rather than silently ignored. */
export const editWindowBody = z
  .strictObject(
    { name: name.optional(), monitors: monitors.optional(), ...timingFields },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a maintenance window has ${WINDOW_FIELDS.join(', ')}` : undefined) },
  )
  .refine((edit) => Object.keys(edit).length > 0, { error: `Send at least one of ${WINDOW_FIELDS.join(', ')}` });
