import type { NotifyConfig } from '../config';
import type { Logger } from '../services/context';
import { emailNotifier } from './email';
import type { Notifiers } from './types';
import { webhookNotifier } from './webhook';

export function createNotifiers(config: NotifyConfig, log: Logger, clock: () => Date): Notifiers {
  return { email: emailNotifier(config, log), webhook: webhookNotifier(config, clock) };
}
