import { z } from 'zod';
import { CHANNEL_EVENTS, CHANNEL_KINDS, channelSpec, maskSecret, secretFields, type Channel, type ChannelConfig, type ChannelEvent, type ConfigFieldSpec } from '../domain/channels';
import { AppError, ErrorCode } from '../domain/errors';
import { isDisplayable } from '../domain/text';
import { parseBody } from './errors';

/**
 * The bodies of `/api/v1/channels`. A channel's `config` is validated by a schema built from its
 * kind's registry entry (`CHANNELS[kind].config`), so a new kind needs no code here; every
 * message names the field as `config.<field>`.
 */

/** Header names a webhook channel may not set: HTTP framing, and CronPeek's own signature headers. */
// CronPeek sets these itself (User-Agent names CronPeek's version); the notifier drops them at send time too.
const RESERVED_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection', 'user-agent'];
const RESERVED_PREFIX = 'x-cronpeek-';
export const MAX_HEADERS = 20;
export const MAX_HEADER_VALUE = 1000;
/** An RFC 7230 token (`field-name`). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, spaces and tabs: what every HTTP client sends as a header value unchanged. */
const HEADER_VALUE = /^[\x20-\x7e\t]*$/;

const EVENTS_LIST = CHANNEL_EVENTS.join(', ');

const str = (field: string) => z.string({ error: `${field} must be a string` });

const headerProblem = (name: string, value: unknown): string | null => {
  if (!HEADER_NAME.test(name)) return `config.headers: "${name}" is not a valid header name`;
  const lower = name.toLowerCase();
  if (RESERVED_HEADERS.includes(lower) || lower.startsWith(RESERVED_PREFIX)) return `config.headers: ${name} is set by CronPeek and cannot be sent`;
  if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE || !HEADER_VALUE.test(value)) {
    return `config.headers.${name} must be printable text of at most ${MAX_HEADER_VALUE} characters`;
  }
  return null;
};

/** A webhook template's headers: up to MAX_HEADERS names to printable values. */
const headers = (field: string) =>
  z.record(z.string(), z.unknown(), { error: `${field} must be an object of header names to values` }).superRefine((value, ctx) => {
    const entries = Object.entries(value);
    if (entries.length > MAX_HEADERS) ctx.addIssue({ code: 'custom', message: `${field} may set at most ${MAX_HEADERS} headers` });
    for (const [name, v] of entries) {
      const problem = headerProblem(name, v);
      if (problem !== null) return void ctx.addIssue({ code: 'custom', message: problem });
    }
  }) as unknown as z.ZodType<Record<string, string>>;

/** One config field as its registry entry describes it. */
function fieldSchema(field: string, spec: ConfigFieldSpec): z.ZodType {
  const format = spec.format;
  switch (format.kind) {
    case 'email':
      return str(field)
        .trim()
        .max(254, { error: `${field} is too long` })
        .pipe(z.email({ error: `${field} must be a valid email address` }))
        .transform((e) => e.toLowerCase());
    case 'url':
      return str(field)
        .max(2048, { error: `${field} must be at most 2048 characters` })
        .pipe(z.url({ protocol: /^https?$/, error: `${field} must be an http(s) URL` }));
    case 'pattern':
      return str(field).trim().regex(format.pattern, { error: `${field} must be ${format.description}` });
    case 'text':
      return str(field).max(format.max, { error: `${field} must be at most ${format.max} characters` });
    case 'choice':
      return z.enum(format.values as [string, ...string[]], { error: `${field} must be one of ${format.values.join(', ')}` });
    case 'headers':
      return headers(field);
  }
}

const fieldNames = (kind: Channel) => Object.keys(channelSpec(kind).config).join(', ');

/**
 * The schema of a kind's config: on create each required field must be there and optional ones
 * may be; on edit every field may be left out and an optional one removed with null.
 */
function configSchema(kind: Channel, mode: 'create' | 'edit') {
  const shape = Object.fromEntries(
    Object.entries(channelSpec(kind).config).map(([field, spec]) => {
      const schema = fieldSchema(`config.${field}`, spec);
      if (mode === 'create') return [field, spec.optional ? schema.optional() : schema];
      return [field, spec.optional ? schema.nullable().optional() : schema.optional()];
    }),
  );
  const unknown = `; a ${channelSpec(kind).label} channel's config has ${fieldNames(kind)}`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.map((k) => `config.${k}`).join(', ')}${unknown}` : 'config must be an object'),
  });
}

const SCHEMAS = Object.fromEntries(
  CHANNEL_KINDS.map((kind): [Channel, Record<'create' | 'edit', z.ZodType>] => [kind, { create: configSchema(kind, 'create'), edit: configSchema(kind, 'edit') }]),
) as Record<Channel, Record<'create' | 'edit', z.ZodType>>;

/** A new channel's config, validated for its kind: a 400 naming `config.<field>` otherwise. */
export function parseConfig(kind: Channel, config: unknown): Record<string, string | Record<string, string>> {
  return parseBody(z.object({ config: SCHEMAS[kind].create }), { config }).config as Record<string, string | Record<string, string>>;
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The secret fields an edit sends back exactly as answers mask them (a client that read the
 * channel and returns its config): left out, so the stored value stays rather than the mask.
 */
function withoutEchoedMasks(kind: Channel, config: Record<string, unknown>, stored: ChannelConfig): Record<string, unknown> {
  const secret = new Set(secretFields(kind));
  return Object.fromEntries(Object.entries(config).filter(([field, value]) => !(secret.has(field) && field in stored && sameValue(value, maskSecret(stored[field])))));
}

/**
 * An edit of a stored channel's config: the fields it names, null for an optional one it
 * removes. A required field cannot be removed: null for it is a 400 naming it.
 */
export function parseConfigEdit(kind: Channel, config: unknown, stored: ChannelConfig): Record<string, string | Record<string, string> | null> {
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) {
    for (const [field, value] of Object.entries(config)) {
      const spec = channelSpec(kind).config[field] as ConfigFieldSpec | undefined;
      if (value === null && spec !== undefined && spec.optional !== true) {
        throw new AppError(ErrorCode.BadRequest, `config.${field} is required by a ${channelSpec(kind).label} channel and cannot be removed.`);
      }
    }
    config = withoutEchoedMasks(kind, config as Record<string, unknown>, stored);
  }
  return parseBody(z.object({ config: SCHEMAS[kind].edit }), { config }).config as Record<string, string | Record<string, string> | null>;
}

const name = str('name')
  .trim()
  .min(1, { error: 'name must not be empty' })
  .max(100, { error: 'name must be at most 100 characters' })
  // Shown in alerts and the dashboard, as a monitor's name is: the same rules.
  .refine(isDisplayable, { error: 'name must not contain control characters or bidirectional overrides' });

const events = z
  .array(z.enum(CHANNEL_EVENTS, { error: `events must list only ${EVENTS_LIST}` }), { error: `events must be a list of ${EVENTS_LIST}` })
  .min(1, { error: `events must list at least one of ${EVENTS_LIST}` })
  .superRefine((list, ctx) => {
    const repeated = list.find((e, i) => list.indexOf(e) !== i);
    if (repeated !== undefined) ctx.addIssue({ code: 'custom', message: `events lists ${repeated} twice` });
  }) as unknown as z.ZodType<ChannelEvent[]>;

const isDefault = z.boolean({ error: 'isDefault must be true or false' });

export const CHANNEL_FIELDS = ['kind', 'name', 'config', 'events', 'isDefault'];
const EDITABLE_FIELDS = ['name', 'config', 'events', 'isDefault'];

/** POST /channels; `config` is checked against its kind once the kind is known (`parseConfig`). */
export const createChannelBody = z.strictObject(
  {
    kind: z.enum(CHANNEL_KINDS as [Channel, ...Channel[]], { error: `kind must be one of ${CHANNEL_KINDS.join(', ')}` }),
    name,
    config: z.unknown(),
    events: events.optional(),
    isDefault: isDefault.optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a channel has ${CHANNEL_FIELDS.join(', ')}` : undefined) },
);

/** PATCH /channels/:id; a channel's kind never changes. */
export const editChannelBody = z
  .strictObject(
    {
      kind: z.never({ error: 'kind cannot be changed; create a new channel' }).optional(),
      name: name.optional(),
      config: z.unknown().optional(),
      events: events.optional(),
      isDefault: isDefault.optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a channel edit takes ${EDITABLE_FIELDS.join(', ')}` : undefined) },
  )
  .refine((edit) => Object.keys(edit).length > 0, { error: `Send at least one of ${EDITABLE_FIELDS.join(', ')}` });
