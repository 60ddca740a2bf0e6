import type { ConnectOptions } from './post';
import type { Notifier, NotifyConfig } from './types';

export interface MatrixOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** PLACEHOLDER until the matrix notifier lands. */
export function matrixNotifier(config: NotifyConfig, options: MatrixOptions = {}): Notifier {
  void config;
  void options;
  return { send: async () => ({ outcome: 'failed', error: 'matrix is not implemented yet' }) };
}
