import type { NotifyConfig } from '../config';
import type { Logger } from '../log';
import { emailNotifier } from './email';
import { pagerdutyNotifier } from './pagerduty';
import type { ConnectOptions } from './post';
import { slackNotifier } from './slack';
import type { Notifiers } from './types';
import { webhookNotifier } from './webhook';

/** Per-channel deadlines and the connection seam; production keeps the defaults, tests change them. */
export interface NotifierOptions extends ConnectOptions {
  emailTimeoutMs?: number;
  webhookTimeoutMs?: number;
}

export function createNotifiers(config: NotifyConfig, log: Logger, clock: () => Date, options: NotifierOptions = {}): Notifiers {
  const connect: ConnectOptions = { resolve: options.resolve, ca: options.ca };
  const timeoutMs = options.webhookTimeoutMs;
  return {
    email: emailNotifier(config, log, { timeoutMs: options.emailTimeoutMs }),
    webhook: webhookNotifier(config, clock, { ...connect, timeoutMs }),
    slack: slackNotifier(config, { ...connect, timeoutMs }),
    pagerduty: pagerdutyNotifier(config, { ...connect, timeoutMs }),
  };
}
