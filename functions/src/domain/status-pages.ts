/**
 * Public status pages (issue 22): an account's chosen monitors, shown without a key at
 * `/status/<slug>`. Which monitors a page shows is either a list of ids, in the owner's order, or
 * a tag, resolved each time the page is shown (a monitor tagged later appears on it).
 */

/** The monitors a page shows: these ids, or every monitor of the account with this tag. */
export type PageMonitors = string[] | { tag: string };

export interface StatusPage {
  /** `sp_` and 16 hex characters. */
  id: string;
  accountId: string;
  /** Its public address, `/status/<slug>`: unique across the whole service. */
  slug: string;
  title: string;
  description: string | null;
  monitors: PageMonitors;
  createdAt: Date;
}

/** A slug: a lower-case letter or digit, then 1 to 62 more of those or `-` (it is a URL path segment). */
export const PAGE_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const PAGE_SLUG_RULE = 'slug must be 2 to 63 lower-case letters, digits or -, starting with a letter or digit';

export const MAX_TITLE = 100;
export const MAX_DESCRIPTION = 1000;
/** Monitors one page may list by id; a tag page shows at most as many (its first by name). */
export const MAX_PAGE_MONITORS = 100;

/** How a public page sums its monitors up: all up, some down, or every watched one down. */
export type OverallStatus = 'up' | 'degraded' | 'down';

/**
 * The page's headline. Only monitors that are watched (up or down) count: a paused or new monitor
 * says nothing about whether the service works. No watched monitor at all reads as up.
 */
export function overallStatus(statuses: readonly string[]): OverallStatus {
  const watched = statuses.filter((s) => s === 'up' || s === 'down');
  const down = watched.filter((s) => s === 'down').length;
  if (down === 0) return 'up';
  return down === watched.length ? 'down' : 'degraded';
}
