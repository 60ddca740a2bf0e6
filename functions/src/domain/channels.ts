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

/** One alert channel kind, described once. */
export interface ChannelSpec {
  /** How people read the kind: in refusals, in `npm run admin` and in the docs. */
  label: string;
  /** The plans whose monitors may use it: set on another plan it is refused, queued it is recorded as not sent. */
  plans: readonly PlanId[];
  /** How the one setting it reads (an address, a URL, a key) is validated. */
  target: TargetFormat;
  /**
   * The monitor's own field that sets it, a shorthand only the first four kinds have: each is a
   * stored column. Later kinds are attached to monitors as account-level channel objects instead,
   * so adding one needs no store change.
   */
  monitorField?: `alert${string}`;
  /**
   * False for a kind that keeps one open incident per outage (PagerDuty): a `monitor.still_down`
   * reminder would only trigger it again, so the kind gets none. Absent: it gets them.
   */
  reminders?: false;
}

/** An Events API v2 integration key, as PagerDuty shows it on the integration. */
export const ROUTING_KEY_PATTERN = /^[A-Za-z0-9]{32}$/;

/**
 * The channel registry: every kind once. Whatever lists, validates or names channels derives
 * from it; `notify/index.ts` holds the one notifier of each kind. Answers list kinds in this order.
 */
export const CHANNELS = {
  email: { label: 'E-mail', plans: ['free', 'pro'], target: { kind: 'email' }, monitorField: 'alertEmail' },
  webhook: { label: 'Webhook', plans: ['pro'], target: { kind: 'url' }, monitorField: 'alertWebhook' },
  slack: { label: 'Slack', plans: ['pro'], target: { kind: 'url' }, monitorField: 'alertSlack' },
  pagerduty: {
    label: 'PagerDuty',
    plans: ['pro'],
    target: { kind: 'pattern', pattern: ROUTING_KEY_PATTERN, description: 'a PagerDuty Events API v2 integration key (32 letters and digits)' },
    monitorField: 'alertPagerDuty',
    reminders: false,
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
