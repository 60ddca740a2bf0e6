import { CHANNEL_KINDS, type Channel } from '../domain/channels';
import type { Logger } from '../log';
import { CircuitBreaker } from './circuit';
import { emailNotifier } from './email';
import { discordNotifier } from './discord';
import { msteamsNotifier } from './msteams';
import { telegramNotifier } from './telegram';
import { ntfyNotifier } from './ntfy';
import { opsgenieNotifier } from './opsgenie';
import { pushoverNotifier } from './pushover';
import { googlechatNotifier } from './googlechat';
import { mattermostNotifier } from './mattermost';
import { gotifyNotifier } from './gotify';
import { matrixNotifier } from './matrix';
import { pagerdutyNotifier } from './pagerduty';
import type { ConnectOptions } from './post';
import { slackNotifier } from './slack';
import type { Notifier, Notifiers, NotifyConfig } from './types';
import { webhookNotifier } from './webhook';

/** Per-channel deadlines and the connection seam; production keeps the defaults, tests change them. */
export interface NotifierOptions extends ConnectOptions {
  emailTimeoutMs?: number;
  /** The deadline of every channel that POSTs (webhook, Slack, PagerDuty). */
  webhookTimeoutMs?: number;
}

/** What a notifier is built from. */
interface NotifierContext {
  config: NotifyConfig;
  log: Logger;
  clock: () => Date;
  options: NotifierOptions;
}

/** For the channels that POST: the connection seam, their deadlines and the shared circuit breaker. */
const httpOptions = ({ options }: NotifierContext) => ({
  resolve: options.resolve,
  ca: options.ca,
  timeoutMs: options.webhookTimeoutMs,
  connectTimeoutMs: options.connectTimeoutMs,
  circuit: options.circuit,
});

/** The one notifier of each kind in the channel registry; a kind without one does not compile. */
const NOTIFIERS: Record<Channel, (context: NotifierContext) => Notifier> = {
  email: (c) => emailNotifier(c.config, c.log, { timeoutMs: c.options.emailTimeoutMs }),
  webhook: (c) => webhookNotifier(c.config, c.clock, httpOptions(c)),
  slack: (c) => slackNotifier(c.config, httpOptions(c)),
  pagerduty: (c) => pagerdutyNotifier(c.config, httpOptions(c)),
  discord: (c) => discordNotifier(c.config, httpOptions(c)),
  msteams: (c) => msteamsNotifier(c.config, httpOptions(c)),
  telegram: (c) => telegramNotifier(c.config, httpOptions(c)),
  ntfy: (c) => ntfyNotifier(c.config, httpOptions(c)),
  opsgenie: (c) => opsgenieNotifier(c.config, httpOptions(c)),
  pushover: (c) => pushoverNotifier(c.config, httpOptions(c)),
  googlechat: (c) => googlechatNotifier(c.config, httpOptions(c)),
  mattermost: (c) => mattermostNotifier(c.config, httpOptions(c)),
  gotify: (c) => gotifyNotifier(c.config, httpOptions(c)),
  matrix: (c) => matrixNotifier(c.config, httpOptions(c)),
};

export function createNotifiers(config: NotifyConfig, log: Logger, clock: () => Date, options: NotifierOptions = {}): Notifiers {
  // One breaker for every channel that POSTs: a host is the same tarpit whichever channel reaches it.
  const context: NotifierContext = { config, log, clock, options: { ...options, circuit: options.circuit ?? new CircuitBreaker(clock) } };
  return Object.fromEntries(CHANNEL_KINDS.map((kind) => [kind, NOTIFIERS[kind](context)])) as Notifiers;
}
