import type { Monitor, MonitorStatus } from './types';

/**
 * Tags: lower-case words that group monitors (`backups`, `host-12`), set on create and PATCH
 * and used to filter the list. A handful per monitor is what a filter needs; more would be a
 * description, which is what the name is for.
 */
export const MAX_TAGS = 10;

/** A tag: a lower-case letter or digit, then up to 31 more of those, `_` or `-`. */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const TAG_RULE = 'a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit';

/** Longest name search (`q`): a name is at most 100 characters. */
export const MAX_NAME_QUERY = 100;

/** What the monitor list is narrowed to; every part given must hold (AND). */
export interface MonitorFilter {
  /** Monitors having every one of these tags. */
  tags?: readonly string[];
  status?: MonitorStatus;
  /** A piece of the name, matched case-insensitively. */
  q?: string;
}

/** Whether `m` passes `filter`; an empty filter passes every monitor. */
export function matchesFilter(m: Monitor, filter: MonitorFilter): boolean {
  if (filter.status !== undefined && m.status !== filter.status) return false;
  if (filter.tags !== undefined && !filter.tags.every((t) => m.tags.includes(t))) return false;
  if (filter.q !== undefined && !m.name.toLowerCase().includes(filter.q.toLowerCase())) return false;
  return true;
}
