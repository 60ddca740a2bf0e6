import type { PlanId } from '../domain/plans';
import type { Notifiers } from '../notify/types';
import type { Store } from '../store/port';

/** Settings the use cases and routes need, whichever way CronPeek runs. */
export interface AppConfig {
  /** Origin that ping URLs are built on, without a trailing slash. */
  publicUrl: string;
  defaultPlan: PlanId;
  version: string;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Everything a use case depends on, passed in rather than imported, so tests can freeze time. */
export interface Deps {
  store: Store;
  clock: () => Date;
  config: AppConfig;
  notifiers: Notifiers;
  log: Logger;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** One JSON object per line: readable in a terminal, parseable by Cloud Logging. */
export const jsonLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ severity: 'INFO', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ severity: 'WARNING', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ severity: 'ERROR', message, ...fields })),
};
