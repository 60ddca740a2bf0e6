import { AppError, ErrorCode } from './errors';

/**
 * Monitor slugs (issue 22): a name a job can ping its monitor by, unique within its account, in
 * the URL shape Healthchecks uses, `/api/v1/ping/<pingKey>/<slug>[/<signal>]`. A slug is a URL
 * path segment, so it is lower-case letters, digits, `-` and `_`; the words a ping URL's last
 * segment uses as signals, and all-digit slugs (an exit code), are refused, so
 * `/ping/<pingKey>/<slug>/<signal>` can never be read two ways.
 */
export const MONITOR_SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,99}$/;
export const MONITOR_SLUG_RULE = 'slug must be 1 to 100 lower-case letters, digits, - or _, starting with a letter or digit';
/** The ping URL's signals; a slug may not be one of them. */
export const RESERVED_SLUGS: readonly string[] = ['start', 'fail', 'snooze', 'log'];

/** Why `slug` cannot be a monitor's slug; null when it can. */
export function slugProblem(slug: string): string | null {
  if (!MONITOR_SLUG_PATTERN.test(slug)) return MONITOR_SLUG_RULE;
  if (RESERVED_SLUGS.includes(slug)) return `slug must not be ${RESERVED_SLUGS.join(', ')}: the ping URL uses those words as signals`;
  if (/^\d+$/.test(slug)) return 'slug must not be all digits: the ping URL reads a number as an exit code';
  return null;
}

/** The 409 of a slug another monitor of the account has. */
export const slugTaken = (slug: string): AppError => new AppError(ErrorCode.Conflict, `Another monitor of this account has the slug ${slug}.`);
