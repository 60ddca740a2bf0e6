import { z } from 'zod';
import { MAX_DESCRIPTION, MAX_PAGE_MONITORS, MAX_TITLE, PAGE_SLUG_PATTERN, PAGE_SLUG_RULE } from '../domain/status-pages';
import { TAG_PATTERN, TAG_RULE } from '../domain/tags';
import { displayLines, isDisplayable } from '../domain/text';
import { MONITOR_ID_PATTERN } from '../services/secrets';

/**
 * The bodies of `/api/v1/status-pages`: types and shapes. Whose monitor ids they are is the
 * service's to check, against the account's monitors.
 */

const slug = z.string({ error: 'slug must be a string' }).regex(PAGE_SLUG_PATTERN, { error: PAGE_SLUG_RULE });

const title = z
  .string({ error: 'title must be a string' })
  .trim()
  .min(1, { error: 'title must not be empty' })
  .max(MAX_TITLE, { error: `title must be at most ${MAX_TITLE} characters` })
  // Shown as the page's heading and in its <title>: no line breaks, controls or bidirectional overrides.
  .refine(isDisplayable, { error: 'title must not contain control characters or bidirectional overrides' });

/** Free text under the title; line breaks are kept, other controls refused. Null removes it. */
const description = z
  .string({ error: 'description must be a string or null' })
  .max(MAX_DESCRIPTION, { error: `description must be at most ${MAX_DESCRIPTION} characters` })
  .refine((text) => displayLines(text) === text.replace(/\r\n?/g, '\n'), { error: 'description must not contain control characters or bidirectional overrides' })
  .transform((text) => {
    const trimmed = text.replace(/\r\n?/g, '\n').trim();
    return trimmed === '' ? null : trimmed;
  })
  .nullable();

const MONITORS_MESSAGE = `monitors must be a list of 1 to ${MAX_PAGE_MONITORS} monitor ids, or {"tag": "<tag>"}`;

const monitorIds = z
  .array(z.string({ error: 'monitors must list monitor ids (strings)' }).regex(MONITOR_ID_PATTERN, { error: 'monitors must list monitor ids (16 hex digits)' }), { error: MONITORS_MESSAGE })
  .min(1, { error: MONITORS_MESSAGE })
  .max(MAX_PAGE_MONITORS, { error: MONITORS_MESSAGE });

const byTag = z.strictObject(
  { tag: z.string({ error: `monitors.tag must be a tag: ${TAG_RULE}` }).regex(TAG_PATTERN, { error: `monitors.tag must be a tag: ${TAG_RULE}` }) },
  { error: MONITORS_MESSAGE },
);

/** A list of ids, or a tag. An array's own problem (a malformed id, too many) is named; anything else gets the general message. */
const monitors = z.union([monitorIds, byTag], {
  error: (issue) => {
    if (issue.input === undefined) return undefined;
    if (issue.code !== 'invalid_union') return MONITORS_MESSAGE;
    const branch = Array.isArray(issue.input) ? 0 : 1;
    return issue.errors[branch]?.[0]?.message ?? MONITORS_MESSAGE;
  },
});

export const STATUS_PAGE_FIELDS = ['slug', 'title', 'description', 'monitors'];

/** POST: a slug, a title and the monitors; a description optionally. Unknown fields are ignored, as on a monitor's creation. */
export const createStatusPageBody = z.object({ slug, title, monitors, description: description.optional() });

/** PATCH: any subset; an unknown field is refused rather than silently ignored. */
export const editStatusPageBody = z
  .strictObject(
    { slug: slug.optional(), title: title.optional(), monitors: monitors.optional(), description: description.optional() },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a status page has ${STATUS_PAGE_FIELDS.join(', ')}` : undefined) },
  )
  .refine((edit) => Object.keys(edit).length > 0, { error: `Send at least one of ${STATUS_PAGE_FIELDS.join(', ')}` });
