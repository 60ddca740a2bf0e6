import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface DiscordOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the discord notifier lands. */
export function discordNotifier(config: NotifyConfig, options: DiscordOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'discord is not implemented yet' }) };
}
