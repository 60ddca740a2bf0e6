import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface GooglechatOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the googlechat notifier lands. */
export function googlechatNotifier(config: NotifyConfig, options: GooglechatOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'googlechat is not implemented yet' }) };
}
