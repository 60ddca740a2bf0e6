import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface PushoverOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the pushover notifier lands. */
export function pushoverNotifier(config: NotifyConfig, options: PushoverOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'pushover is not implemented yet' }) };
}
