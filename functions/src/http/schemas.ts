import { z } from 'zod';
import { channelSpec, MONITOR_CHANNELS, type ChannelField, type TargetFormat } from '../domain/channels';
import { MAX_PARENTS } from '../domain/quiet';
import { MAX_REMIND_EVERY, MAX_REMIND_LIMIT, MIN_REMIND_EVERY } from '../domain/reminders';
import { MAX_PERIOD, MIN_PERIOD } from '../domain/schedule';
import { MAX_NAME_QUERY, MAX_TAGS, TAG_PATTERN, TAG_RULE } from '../domain/tags';
import { isDisplayable } from '../domain/text';
import { MAX_STREAK, MIN_STREAK } from '../domain/tolerance';
import { MONITOR_STATUSES } from '../domain/types';
import { MAX_PAGE } from '../services/history';
import { CHANNEL_ID_PATTERN, MONITOR_ID_PATTERN } from '../services/secrets';
import { MONITOR_SLUG_RULE, slugProblem } from '../domain/slugs';

const period = (field: string) =>
  z
    .number({ error: `${field} must be an integer number of seconds` })
    .int({ error: `${field} must be an integer number of seconds` })
    .min(MIN_PERIOD, { error: `${field} must be at least ${MIN_PERIOD} seconds` })
    .max(MAX_PERIOD, { error: `${field} must be at most ${MAX_PERIOD} seconds (one year)` });

/** A whole number from `min` to `max`, in `unit` (' seconds', or '' for a count). */
const wholeNumber = (field: string, min: number, max: number, unit: string) =>
  z
    .number({ error: `${field} must be a whole number from ${min} to ${max}${unit}` })
    .int({ error: `${field} must be a whole number from ${min} to ${max}${unit}` })
    .min(min, { error: `${field} must be at least ${min}${unit}` })
    .max(max, { error: `${field} must be at most ${max}${unit}` });

const email = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .max(254, { error: `${field} is too long` })
    .pipe(z.email({ error: `${field} must be a valid email address` }));

const httpsUrl = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .max(2048, { error: `${field} must be at most 2048 characters` })
    .pipe(z.url({ protocol: /^https?$/, error: `${field} must be an http(s) URL` }));

/** A channel's target as its registry entry describes it, with messages naming `field`. */
function channelTarget(field: string, format: TargetFormat): z.ZodType<string, string> {
  switch (format.kind) {
    case 'email':
      return email(field).transform((e) => e.toLowerCase());
    case 'url':
      return httpsUrl(field);
    case 'pattern':
      return z
        .string({ error: `${field} must be a string` })
        .trim()
        .regex(format.pattern, { error: `${field} must be ${format.description}` });
  }
}

/** The monitor's channel fields, as create and PATCH both validate them, in registry order. */
const channelFields = Object.fromEntries(
  MONITOR_CHANNELS.map(({ kind, field }) => [field, channelTarget(field, channelSpec(kind).target as TargetFormat)]),
) as Record<ChannelField, z.ZodType<string, string>>;

/** Channel objects a monitor may name at most (more would be a list nobody reads). */
export const MAX_MONITOR_CHANNELS = 50;

const CHANNELS_MESSAGE = `channels must be "*" or a list of at most ${MAX_MONITOR_CHANNELS} channel ids`;

/**
 * The channel objects a monitor is attached to: a list of ids (duplicates collapse, order kept)
 * or "*" for every channel the account has now. Which ids are the account's is the service's to say.
 */
const channelSelection = z.union(
  [
    z.literal('*'),
    z
      .array(z.string({ error: 'channels must list channel ids (strings)' }).regex(CHANNEL_ID_PATTERN, { error: 'channels must list channel ids (ch_ and 16 hex digits)' }))
      .max(MAX_MONITOR_CHANNELS, { error: CHANNELS_MESSAGE })
      .transform((ids) => [...new Set(ids)]),
  ],
  {
    // An array gets its own issue (a malformed id, too many); anything else the general message.
    error: (issue) => {
      if (issue.input === undefined) return undefined;
      const arrayIssue = issue.code === 'invalid_union' && Array.isArray(issue.input) ? issue.errors[1]?.[0]?.message : undefined;
      return arrayIssue ?? CHANNELS_MESSAGE;
    },
  },
);

/** A tag as `field` names it; a bad one is quoted (shortened: it is echoed back) in the message. */
const tag = (field: string) =>
  z.string({ error: `${field} must list tags (strings)` }).regex(TAG_PATTERN, {
    error: (issue) => {
      const given = typeof issue.input === 'string' ? issue.input : '';
      return `${field}: ${JSON.stringify(given.length > 40 ? `${given.slice(0, 40)}…` : given)} is not a tag; ${TAG_RULE}`;
    },
  });

const TAGS_MESSAGE = `tags must be a list of at most ${MAX_TAGS} tags`;

/** A monitor's tags: at most MAX_TAGS as sent (as `channels` counts); duplicates then collapse, order kept. */
const tagList = z
  .array(tag('tags'), { error: TAGS_MESSAGE })
  .max(MAX_TAGS, { error: TAGS_MESSAGE })
  .transform((tags) => [...new Set(tags)]);

const DEPENDS_ON_MESSAGE = `dependsOn must be a list of at most ${MAX_PARENTS} monitor ids`;

/**
 * The monitors one depends on, in order; repeats are kept so the domain refuses them
 * (`checkDependsOn`), which also says whether each is a monitor of the account and whether the list makes a cycle.
 */
const parentList = z
  .array(z.string({ error: 'dependsOn must list monitor ids (strings)' }).regex(MONITOR_ID_PATTERN, { error: 'dependsOn must list monitor ids (16 hex digits)' }), {
    error: DEPENDS_ON_MESSAGE,
  })
  .max(MAX_PARENTS, { error: DEPENDS_ON_MESSAGE });

/** A monitor's slug (`domain/slugs.ts`): the rule, the signals' words and all digits refused, each with its reason. */
export const monitorSlug = z.string({ error: MONITOR_SLUG_RULE }).superRefine((slug, ctx) => {
  const problem = slugProblem(slug);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

export const createAccountBody = z.object({ email: email('email') });

export const recoverAccountBody = z.object({ email: email('email') });

export const confirmRecoveryBody = z.object({
  email: email('email'),
  token: z.string({ error: 'token must be a string' }).max(200, { error: 'token is too long' }),
});

/** Fields every monitor has: required at creation; an edit may change them but not remove them. */
const requiredMonitorFields = {
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, { error: 'name must not be empty' })
    .max(100, { error: 'name must be at most 100 characters' })
    // A name is shown in e-mail subjects, alerts and badges: a line break there forges headers, an override reverses text.
    .refine(isDisplayable, { error: 'name must not contain control characters or bidirectional overrides' }),
  // A number of seconds, or a 5-field cron expression (checked in the domain, which knows cron).
  schedule: z.union([period('schedule'), z.string().max(100, { error: 'schedule must be at most 100 characters' })], {
    error: (issue) => {
      if (issue.input === undefined) return undefined;
      // A number gets the period's own message (integer, bounds), anything else the general one.
      const numberIssue = issue.code === 'invalid_union' && typeof issue.input === 'number' ? issue.errors[0]?.[0]?.message : undefined;
      return numberIssue ?? 'schedule must be a number of seconds or a 5-field cron expression string';
    },
  }),
};

/**
 * Fields a monitor may go without: optional at creation, removed by an edit that sends null.
 * A new monitor setting is one more line here; create and edit follow. Channel fields come from
 * the channel registry.
 */
const optionalMonitorFields = {
  tz: z
    .string({ error: 'tz must be an IANA time zone name such as "Europe/Berlin"' })
    .max(64, { error: 'tz must be at most 64 characters' }),
  grace: period('grace'),
  remindEvery: wholeNumber('remindEvery', MIN_REMIND_EVERY, MAX_REMIND_EVERY, ' seconds'),
  remindLimit: wholeNumber('remindLimit', 1, MAX_REMIND_LIMIT, ''),
  alertAfter: wholeNumber('alertAfter', MIN_STREAK, MAX_STREAK, ''),
  recoverAfter: wholeNumber('recoverAfter', MIN_STREAK, MAX_STREAK, ''),
  maxRuntime: wholeNumber('maxRuntime', 1, MAX_PERIOD, ' seconds'),
  minRuntime: wholeNumber('minRuntime', 1, MAX_PERIOD, ' seconds'),
  ...channelFields,
};

type Shape = Record<string, z.ZodType>;

function optionalOf<T extends Shape>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };
}

function removableOf<T extends Shape>(shape: T): { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> } {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.nullable().optional()])) as {
    [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>>;
  };
}

export const MONITOR_FIELDS = [...Object.keys(requiredMonitorFields), ...Object.keys(optionalMonitorFields), 'channels', 'tags', 'dependsOn', 'slug'];

// An optional field sent as null at creation is what an edit's null leaves: no e-mail alerts, the
// default grace, no reminders (whatever the account's default), no limit, no tags, no parents.
// `channels` is never null: `[]` attaches no channel object.
export const createMonitorBody = z.object({
  ...requiredMonitorFields,
  ...removableOf(optionalMonitorFields),
  channels: channelSelection.optional(),
  tags: tagList.nullable().optional(),
  dependsOn: parentList.nullable().optional(),
  slug: monitorSlug.nullable().optional(),
});

/** An edit names only what it changes; an unknown field is refused rather than silently ignored. */
export const editMonitorBody = z
  .strictObject(
    {
      ...optionalOf(requiredMonitorFields),
      ...removableOf(optionalMonitorFields),
      channels: channelSelection.optional(),
      tags: tagList.nullable().optional(),
      dependsOn: parentList.nullable().optional(),
      slug: monitorSlug.nullable().optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a monitor has ${MONITOR_FIELDS.join(', ')}` : undefined) },
  )
  .refine((edit) => Object.keys(edit).length > 0, { error: `Send at least one of ${MONITOR_FIELDS.join(', ')}` });

/** PATCH /account: the defaults new monitors take (`remindEvery`, null for none); nothing else can change there. */
export const editAccountBody = z.strictObject(
  {
    defaults: z.strictObject(
      { remindEvery: wholeNumber('defaults.remindEvery', MIN_REMIND_EVERY, MAX_REMIND_EVERY, ' seconds').nullable() },
      { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; defaults has remindEvery` : undefined) },
    ),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; an account edit takes only defaults` : 'Send {"defaults": {"remindEvery": seconds or null}}') },
);

export const pauseBody = z.strictObject(
  { manualResume: z.boolean({ error: 'manualResume must be true or false' }).optional() },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a pause takes only manualResume` : undefined) },
);

/** `?limit=&cursor=` of the history endpoints. Query values arrive as strings (or arrays, when repeated). */
export const historyQuery = z.object({
  limit: z
    .string({ error: `limit must be a whole number from 1 to ${MAX_PAGE}` })
    .regex(/^\d{1,3}$/, { error: `limit must be a whole number from 1 to ${MAX_PAGE}` })
    .transform(Number)
    .pipe(z.number().min(1, { error: `limit must be a whole number from 1 to ${MAX_PAGE}` }).max(MAX_PAGE, { error: `limit must be a whole number from 1 to ${MAX_PAGE}` }))
    .optional(),
  cursor: z.string({ error: 'cursor must be given once' }).min(1, { error: 'cursor must not be empty' }).optional(),
});

/** A query parameter given at most once: repeated, Express hands over an array. */
const once = (field: string) => z.string({ error: `${field} must be given once` });

const STATUS_MESSAGE = `status must be one of ${MONITOR_STATUSES.join(', ')}`;

/**
 * `?tag=&status=&q=` of the monitor list: `tag` may be repeated (monitors having all of them; the
 * route hands it over as a list even when given once), `status` and `q` are given once. Other
 * parameters are ignored, as they always were.
 */
export const monitorListQuery = z.object({
  tag: z
    .array(tag('tag'))
    .max(MAX_TAGS, { error: `tag may be given at most ${MAX_TAGS} times (a monitor has at most ${MAX_TAGS} tags)` })
    .transform((tags) => [...new Set(tags)])
    .optional(),
  status: once('status').pipe(z.enum(MONITOR_STATUSES, { error: STATUS_MESSAGE })).optional(),
  q: once('q')
    .min(1, { error: 'q must not be empty' })
    .max(MAX_NAME_QUERY, { error: `q must be at most ${MAX_NAME_QUERY} characters` })
    .optional(),
});

/** An instant as ISO 8601 with a zone: one without would be read in the server's zone. */
export const instant = (field: string) =>
  z
    .string({ error: `${field} must be an ISO 8601 time such as "2026-12-02T18:00:00Z"` })
    .pipe(z.iso.datetime({ offset: true, error: `${field} must be an ISO 8601 time with a zone, such as "2026-12-02T18:00:00Z"` }))
    .transform((s) => new Date(s));

/** POST /monitors/:id/snooze: `for` seconds or `until` a time (which one, and the bounds, are `snoozeEnd`'s to check). */
export const snoozeBody = z.strictObject(
  { for: z.number({ error: 'for must be a whole number of seconds' }).optional(), until: instant('until').optional() },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a snooze takes for (seconds) or until (a time)` : undefined) },
);

/** `?for=` (whole seconds) or `?until=` (an ISO 8601 time) of the ping URL's snooze; each given at most once. */
export const snoozeQuery = z.object({
  for: once('for')
    .regex(/^\d{1,9}$/, { error: 'for must be a whole number of seconds' })
    .transform(Number)
    .optional(),
  until: once('until').pipe(instant('until')).optional(),
});
