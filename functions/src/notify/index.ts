import type { NotifyConfig } from '../config';
import type { Logger } from '../log';
import { emailNotifier } from './email';
import type { Notifiers } from './types';
import { webhookNotifier } from './webhook';

/** Per-channel deadlines; production keeps the 10 s defaults, tests shorten them. */
export interface NotifierOptions {
  emailTimeoutMs?: number;
  webhookTimeoutMs?: number;
}

export function createNotifiers(config: NotifyConfig, log: Logger, clock: () => Date, options: NotifierOptions = {}): Notifiers {
  return {
    email: emailNotifier(config, log, { timeoutMs: options.emailTimeoutMs }),
    webhook: webhookNotifier(config, clock, { timeoutMs: options.webhookTimeoutMs }),
  };
}
