import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface MsteamsOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the msteams notifier lands. */
export function msteamsNotifier(config: NotifyConfig, options: MsteamsOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'msteams is not implemented yet' }) };
}
