import { MONITOR_CHANNELS, maskedConfig } from './channels';
import { parentsFirst } from './quiet';
import { MAX_TAGS, TAG_PATTERN, TAG_RULE } from './tags';
import type { AlertChannel, Monitor } from './types';

/**
 * The documents `/api/v1/export` writes and `/api/v1/import` reads (issue 22): CronPeek's own,
 * versioned, whose monitors are create bodies, and Healthchecks' check list
 * (`GET /api/v3/checks/`), mapped here onto create bodies. Both sides are pure: the importing
 * account's monitors and channels are the service's to look up.
 */

/** The version of the export document; an import of any other is refused rather than guessed at. */
export const EXPORT_VERSION = 1;

/** One monitor of an import as a create body still to be validated, with what it could not carry over and why. */
export interface ImportCandidate {
  body: Record<string, unknown>;
  /** Fields of the source that hold a setting CronPeek has no place for (or could not take). */
  unmapped: string[];
  /** Why, for the fields in `unmapped` that were partly taken (tags dropped, say). */
  notes: string[];
}

/** A monitor as the export shows it: its create body. */
export type ExportedMonitor = Record<string, unknown>;

/**
 * A monitor as a create body. Left out: what is not a setting (status, counts, ping token, badge
 * key, webhook secret), `tz` of a plain period (it has none), and `alertEmail` when it is the
 * account's own address, so an import into another account sends to that account's address.
 * `dependsOn` names parents by slug where they have one: ids mean nothing in another account.
 */
export function exportedMonitor(m: Monitor, accountEmail: string, parentRef: (id: string) => string): ExportedMonitor {
  const channelFields = Object.fromEntries(MONITOR_CHANNELS.map(({ field }) => [field, m[field]]).filter(([field, value]) => !(field === 'alertEmail' && value === accountEmail)));
  return {
    name: m.name,
    slug: m.slug ?? null,
    schedule: m.cron ?? m.schedule,
    ...(m.cron !== null && m.tz !== null ? { tz: m.tz } : {}),
    grace: m.grace,
    tags: [...m.tags],
    ...channelFields,
    channels: m.channels.map((c) => c.id),
    remindEvery: m.remindEvery,
    remindLimit: m.remindLimit,
    alertAfter: m.alertAfter,
    recoverAfter: m.recoverAfter,
    maxRuntime: m.maxRuntime,
    minRuntime: m.minRuntime,
    dependsOn: m.dependsOn.map(parentRef),
  };
}

/** A channel object as the export shows it: as every answer does, secrets masked, so the export is no more secret than a read. */
export function exportedChannel(c: AlertChannel) {
  return { channelId: c.id, kind: c.kind, name: c.name, config: maskedConfig(c.kind, c.config), events: [...c.events], isDefault: c.isDefault };
}

/** Fields of a Healthchecks check that are its state, its URLs or its identity there, not settings: ignored without a word. */
export const HEALTHCHECKS_IGNORED: readonly string[] = [
  'status',
  'n_pings',
  'last_ping',
  'next_ping',
  'started',
  'ping_url',
  'update_url',
  'pause_url',
  'resume_url',
  'badge_url',
  'uuid',
  'unique_key',
  'last_duration',
];

/** The fields the mapping below reads. */
const HEALTHCHECKS_MAPPED = new Set(['name', 'slug', 'tags', 'timeout', 'schedule', 'tz', 'grace']);

/** Healthchecks writes every field, set or not: "", false, null and [] hold no setting, so nothing is lost by leaving them. */
const holdsSetting = (value: unknown): boolean => !(value === '' || value === false || value === null || value === undefined || (Array.isArray(value) && value.length === 0));

/**
 * Healthchecks' space-separated tags as CronPeek's: lower-cased words, repeats once; words that
 * are not tags, and those past MAX_TAGS, dropped and named.
 */
export function tagsFromWords(words: string): { tags: string[]; dropped: string[] } {
  const tags: string[] = [];
  const dropped: string[] = [];
  for (const word of words.toLowerCase().split(/\s+/).filter((w) => w !== '')) {
    if (tags.includes(word)) continue;
    if (TAG_PATTERN.test(word) && tags.length < MAX_TAGS) tags.push(word);
    else dropped.push(word);
  }
  return { tags, dropped };
}

/** The note for dropped tags: which ones, and the rule. */
const droppedTagsNote = (dropped: string[]): string => `tags ${dropped.map((t) => JSON.stringify(t)).join(', ')} dropped: ${TAG_RULE}, at most ${MAX_TAGS}`;

/**
 * One check of Healthchecks' `GET /api/v3/checks/` as a create body: name, slug, tags; `timeout`
 * (seconds) or `schedule` + `tz` (cron) as the schedule; grace. A value CronPeek cannot take (an
 * OnCalendar schedule, say) is passed on for validation to refuse with its reason. Every other
 * field that holds a setting is named in `unmapped`: `desc` (a monitor has no description),
 * `manual_resume` (CronPeek's manual resume belongs to a pause, not to the monitor), `channels`
 * (Healthchecks' integration ids), the e-mail and keyword filters, `methods`.
 */
export function fromHealthchecks(check: Readonly<Record<string, unknown>>): ImportCandidate {
  const body: Record<string, unknown> = {};
  const notes: string[] = [];
  const unmapped: string[] = [];
  // Healthchecks allows unnamed checks; the slug is the next best name.
  body.name = check.name === '' && typeof check.slug === 'string' && check.slug !== '' ? check.slug : check.name;
  if (check.slug !== undefined && check.slug !== '' && check.slug !== null) body.slug = check.slug;
  if (typeof check.schedule === 'string' && check.schedule !== '') {
    body.schedule = check.schedule;
    if (check.tz !== undefined) body.tz = check.tz;
  } else if (check.timeout !== undefined) {
    body.schedule = check.timeout;
  }
  if (check.grace !== undefined) body.grace = check.grace;
  if (typeof check.tags === 'string') {
    const { tags, dropped } = tagsFromWords(check.tags);
    body.tags = tags;
    if (dropped.length > 0) {
      unmapped.push('tags');
      notes.push(droppedTagsNote(dropped));
    }
  } else if (check.tags !== undefined) {
    body.tags = check.tags;
  }
  for (const [field, value] of Object.entries(check)) {
    if (!HEALTHCHECKS_MAPPED.has(field) && !HEALTHCHECKS_IGNORED.includes(field) && holdsSetting(value)) unmapped.push(field);
  }
  return { body, unmapped, notes };
}

/**
 * The order to import in: each after the entries whose slugs its `dependsOn` names, so a parent
 * exists before its child refers to it (`parentsFirst`, as the sweep orders monitors). Otherwise
 * the document's order; a cycle comes last (the service then refuses what it cannot resolve).
 * Answers indexes into `entries`.
 */
export function importOrder(entries: ReadonlyArray<{ slug: string | null; dependsOn: readonly string[] }>): number[] {
  const indexOfSlug = new Map<string, number>();
  entries.forEach((e, i) => {
    if (e.slug !== null && !indexOfSlug.has(e.slug)) indexOfSlug.set(e.slug, i);
  });
  const nodes = entries.map((e, i) => ({
    id: String(i),
    dependsOn: e.dependsOn.flatMap((ref) => {
      const parent = indexOfSlug.get(ref);
      return parent === undefined || parent === i ? [] : [String(parent)];
    }),
  }));
  return parentsFirst(nodes).map(Number);
}
