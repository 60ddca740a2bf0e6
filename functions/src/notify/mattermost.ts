import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface MattermostOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the mattermost notifier lands. */
export function mattermostNotifier(config: NotifyConfig, options: MattermostOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'mattermost is not implemented yet' }) };
}
