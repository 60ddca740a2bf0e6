import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface NtfyOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the ntfy notifier lands. */
export function ntfyNotifier(config: NotifyConfig, options: NtfyOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'ntfy is not implemented yet' }) };
}
