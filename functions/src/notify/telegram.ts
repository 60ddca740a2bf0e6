import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface TelegramOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the telegram notifier lands. */
export function telegramNotifier(config: NotifyConfig, options: TelegramOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'telegram is not implemented yet' }) };
}
