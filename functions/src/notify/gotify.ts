import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface GotifyOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the gotify notifier lands. */
export function gotifyNotifier(config: NotifyConfig, options: GotifyOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'gotify is not implemented yet' }) };
}
