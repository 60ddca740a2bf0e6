import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface OpsgenieOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the opsgenie notifier lands. */
export function opsgenieNotifier(config: NotifyConfig, options: OpsgenieOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'opsgenie is not implemented yet' }) };
}
