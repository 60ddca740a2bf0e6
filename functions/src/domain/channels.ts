import { PLANS, type PlanId } from './plans';

/**
 * How a channel's target (where its alerts go) is validated before it is kept; the HTTP schemas
 * build each field's validation and messages from it.
 */
export type TargetFormat =
  /** An e-mail address: trimmed, lower-cased, at most 254 characters. */
  | { kind: 'email' }
  /** An http(s) URL of at most 2048 characters. */
  | { kind: 'url' }
  /** A trimmed string matching `pattern`; anything else is refused as "<field> must be <description>". */
  | { kind: 'pattern'; pattern: RegExp; description: string };

/** How one field of a channel object's `config` is validated and shown. */
export interface ConfigFieldSpec {
  format:
    | TargetFormat
    /** Free text of at most `max` characters (a webhook template's body). */
    | { kind: 'text'; max: number }
    /** One of a few words. */
    | { kind: 'choice'; values: readonly string[] }
    /** HTTP header names to values (a webhook template's headers). */
    | { kind: 'headers' };
  /** Absent on create: the field is left out (the notifier uses its documented default). */
  optional?: true;
  /**
   * Write-only: answers show it masked (`maskSecret`). Tokens, keys, and URLs whose path is the
   * secret (Slack, Discord, Teams…).
   */
  secret?: true;
  /** For a URL field: the only hosts it may name (Slack's `hooks.slack.com`). */
  hosts?: 'slack';
}

/** One alert channel kind, described once. */
export interface ChannelSpec {
  /** How people read the kind: in refusals, in `npm run admin` and in the docs. */
  label: string;
  /** The plans whose accounts may use it: set on another plan it is refused, queued it is recorded as not sent. */
  plans: readonly PlanId[];
  /** The fields of a channel object's `config` (`POST /api/v1/channels`), in the order the docs list them. */
  config: Readonly<Record<string, ConfigFieldSpec>>;
  /** For the four kinds a monitor field can set: how that field's value is validated. */
  target?: TargetFormat;
  /**
   * The monitor's own field that sets it, a shorthand only the first four kinds have: each is a
   * stored column. Every kind is also an account-level channel object attached to monitors, so
   * adding a kind needs no store change.
   */
  monitorField?: `alert${string}`;
  /**
   * With `monitorField`: the config field of a channel object of this kind that holds the same one
   * value (an address, a URL, a key). Delivery puts it where a monitor field's value goes, so
   * e-mail confirmation, the e-mail caps and the notifier read both alike.
   */
  targetField?: string;
  /**
   * False for a kind that keeps one open incident per outage (PagerDuty, Opsgenie): a
   * `monitor.still_down` reminder would only trigger it again, so the kind gets none. Absent: it gets them.
   */
  reminders?: false;
}

/** An Events API v2 integration key, as PagerDuty shows it on the integration. */
export const ROUTING_KEY_PATTERN = /^[A-Za-z0-9]{32}$/;

const URL_SECRET = { format: { kind: 'url' }, secret: true } as const;
const token = (pattern: RegExp, description: string) => ({ format: { kind: 'pattern', pattern, description }, secret: true }) as const;

/**
 * The channel registry: every kind once. Whatever lists, validates or names channels derives
 * from it; `notify/index.ts` holds the one notifier of each kind. Answers list kinds in this order.
 */
export const CHANNELS = {
  email: {
    label: 'E-mail',
    plans: ['free', 'pro'],
    config: { address: { format: { kind: 'email' } } },
    target: { kind: 'email' },
    monitorField: 'alertEmail',
    targetField: 'address',
  },
  webhook: {
    label: 'Webhook',
    plans: ['pro'],
    config: {
      url: URL_SECRET,
      method: { format: { kind: 'choice', values: ['POST', 'PUT', 'PATCH', 'GET'] }, optional: true },
      headers: { format: { kind: 'headers' }, optional: true, secret: true },
      body: { format: { kind: 'text', max: 10_000 }, optional: true },
    },
    target: { kind: 'url' },
    monitorField: 'alertWebhook',
    targetField: 'url',
  },
  slack: { label: 'Slack', plans: ['pro'], config: { url: { ...URL_SECRET, hosts: 'slack' } }, target: { kind: 'url' }, monitorField: 'alertSlack', targetField: 'url' },
  pagerduty: {
    label: 'PagerDuty',
    plans: ['pro'],
    config: { routingKey: token(ROUTING_KEY_PATTERN, 'a PagerDuty Events API v2 integration key (32 letters and digits)') },
    target: { kind: 'pattern', pattern: ROUTING_KEY_PATTERN, description: 'a PagerDuty Events API v2 integration key (32 letters and digits)' },
    monitorField: 'alertPagerDuty',
    targetField: 'routingKey',
    reminders: false,
  },
  discord: { label: 'Discord', plans: ['pro'], config: { url: URL_SECRET } },
  msteams: { label: 'Microsoft Teams', plans: ['pro'], config: { url: URL_SECRET } },
  telegram: {
    label: 'Telegram',
    plans: ['pro'],
    config: {
      botToken: token(/^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$/, 'a Telegram bot token (digits, a colon, then the secret, as BotFather gives it)'),
      chatId: { format: { kind: 'pattern', pattern: /^(-?[0-9]{1,20}|@[A-Za-z0-9_]{5,32})$/, description: 'a Telegram chat id (a number, or @channelname)' } },
    },
  },
  ntfy: {
    label: 'ntfy',
    plans: ['pro'],
    config: {
      topic: { format: { kind: 'pattern', pattern: /^[A-Za-z0-9_-]{1,64}$/, description: 'an ntfy topic (1 to 64 letters, digits, - and _)' } },
      server: { format: { kind: 'url' }, optional: true },
      token: { ...token(/^[\x21-\x7e]{1,200}$/, 'an ntfy access token'), optional: true },
    },
  },
  opsgenie: {
    label: 'Opsgenie',
    plans: ['pro'],
    config: {
      apiKey: token(/^[A-Za-z0-9-]{8,64}$/, 'an Opsgenie API integration key'),
      region: { format: { kind: 'choice', values: ['us', 'eu'] }, optional: true },
    },
    reminders: false,
  },
  pushover: {
    label: 'Pushover',
    plans: ['pro'],
    config: {
      userKey: token(/^[A-Za-z0-9]{30}$/, 'a Pushover user or group key (30 letters and digits)'),
      appToken: token(/^[A-Za-z0-9]{30}$/, 'a Pushover application token (30 letters and digits)'),
    },
  },
  googlechat: { label: 'Google Chat', plans: ['pro'], config: { url: URL_SECRET } },
  mattermost: { label: 'Mattermost', plans: ['pro'], config: { url: URL_SECRET } },
  gotify: {
    label: 'Gotify',
    plans: ['pro'],
    config: { server: { format: { kind: 'url' } }, appToken: token(/^[A-Za-z0-9._-]{8,100}$/, 'a Gotify application token') },
  },
  matrix: {
    label: 'Matrix',
    plans: ['pro'],
    config: {
      homeserver: { format: { kind: 'url' } },
      roomId: { format: { kind: 'pattern', pattern: /^![A-Za-z0-9._=/+-]{1,200}:[A-Za-z0-9.-]{1,200}(:[0-9]{1,5})?$/, description: 'a Matrix room id (!opaque:server)' } },
      accessToken: token(/^[\x21-\x7e]{8,500}$/, 'a Matrix access token'),
    },
  },
} as const satisfies Record<string, ChannelSpec>;

export type Channel = keyof typeof CHANNELS;

export const CHANNEL_KINDS = Object.keys(CHANNELS) as Channel[];

/** The kind's entry, typed as any entry (the registry's own type keeps each literal). */
export const channelSpec = (kind: Channel): ChannelSpec => CHANNELS[kind];

type FieldOf<K extends Channel> = (typeof CHANNELS)[K] extends { monitorField: infer F extends string } ? F : never;

/** The monitor fields that set a channel: `alertEmail`, `alertWebhook`, `alertSlack`, `alertPagerDuty`. */
export type ChannelField = { [K in Channel]: FieldOf<K> }[Channel];

/** The kinds a monitor sets through its own field, with that field, in registry order. */
export const MONITOR_CHANNELS: ReadonlyArray<{ kind: Channel; field: ChannelField }> = CHANNEL_KINDS.flatMap((kind) => {
  const field = channelSpec(kind).monitorField as ChannelField | undefined;
  return field === undefined ? [] : [{ kind, field }];
});

export const planAllows = (plan: PlanId, kind: Channel): boolean => channelSpec(kind).plans.includes(plan);

/** The kinds a plan may use, in registry order. */
export const channelsOn = (plan: PlanId): Channel[] => CHANNEL_KINDS.filter((kind) => planAllows(plan, kind));

/** True when every plan includes the kind, so sending to it never depends on the account's plan. */
export const onEveryPlan = (kind: Channel): boolean => (Object.keys(PLANS) as PlanId[]).every((plan) => planAllows(plan, kind));

/** The refusal for a monitor field that sets a channel its plan does not include. */
export function channelNeedsProMessage(kind: Channel, field: ChannelField): string {
  return `${channelSpec(kind).label} alerts need the Pro plan. Remove ${field} or upgrade your plan.`;
}

/** The recorded reason an alert queued for a channel its account's plan no longer includes was not sent. */
export function notSentOnPlanMessage(kind: Channel, plan: PlanId): string {
  return `not sent: ${channelSpec(kind).label} alerts need the Pro plan and the account is on ${plan}`;
}

/** The events a channel object subscribes to (`events`); every kind takes all four unless told otherwise. */
export const CHANNEL_EVENTS = ['down', 'up', 'still_down', 'flapping'] as const;
export type ChannelEvent = (typeof CHANNEL_EVENTS)[number];

/**
 * Which subscription an alert event falls under: `monitor.settled` ends a flapping spell, so it
 * goes where `monitor.flapping` went. A channel's test alert (`channel.test`) goes to it whatever it subscribes to.
 */
export function subscriptionOf(event: string): ChannelEvent | null {
  switch (event) {
    case 'monitor.down':
      return 'down';
    case 'monitor.up':
      return 'up';
    case 'monitor.still_down':
      return 'still_down';
    case 'monitor.flapping':
    case 'monitor.settled':
      return 'flapping';
    default:
      return null;
  }
}

/** The fields of a kind's config that answers mask. */
export const secretFields = (kind: Channel): string[] =>
  Object.entries(channelSpec(kind).config)
    .filter(([, spec]) => spec.secret === true)
    .map(([field]) => field);

/**
 * How a secret shows in answers: a URL keeps its scheme and host (so people can tell which
 * workspace it posts to) and hides its path; a token keeps its last four characters when it is
 * long enough that they give nothing away; header values are masked one by one.
 */
export function maskSecret(value: string | Readonly<Record<string, string>>): string | Record<string, string> {
  if (typeof value !== 'string') return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, maskSecret(v) as string]));
  const url = /^(https?:\/\/[^/?#]+)/i.exec(value);
  if (url) return `${url[1]}/…`;
  return value.length >= 16 ? `…${value.slice(-4)}` : '…';
}

/** A channel object's config as answers show it: secrets masked, the rest as stored. */
export function maskedConfig(kind: Channel, config: ChannelConfig): ChannelConfig {
  const secret = new Set(secretFields(kind));
  return Object.fromEntries(Object.entries(config).map(([field, value]) => [field, secret.has(field) ? maskSecret(value) : value]));
}

/** A channel object's settings: each field a string, but a webhook template's `headers`, a name → value map. */
export type ChannelConfig = Record<string, string | Record<string, string>>;
