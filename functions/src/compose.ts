import type { ServerConfig } from './config';
import type { NotifyConfig } from './notify/types';
import { createNotifiers } from './notify';
import type { RateLimiter } from './limits';
import { createMailer } from './notify/email';
import type { Logger } from './log';
import type { AppConfig, Deps } from './services/context';
import type { Store } from './store/port';

/** The composition root: one set of dependencies, built once at start-up, whichever store is used. */
export function composeDeps(options: {
  store: Store;
  app: AppConfig;
  notify: NotifyConfig;
  log: Logger;
  clock?: () => Date;
  /** Abuse limits (see limits/); none when absent. */
  limiter?: RateLimiter;
  /** The embedded checker's wake-up (see `Deps.onDue`); the cloud polls instead. */
  onDue?: (at: Date) => void;
}): Deps {
  const clock = options.clock ?? (() => new Date());
  return {
    store: options.store,
    clock,
    config: options.app,
    notifiers: createNotifiers(options.notify, options.log, clock),
    notify: options.notify,
    mailer: createMailer(options.notify, options.log),
    log: options.log,
    ...(options.limiter ? { limiter: options.limiter } : {}),
    ...(options.onDue ? { onDue: options.onDue } : {}),
  };
}

/**
 * The store the settings name, loaded on demand so that each way of running pulls in only the
 * adapter it uses (the Firebase entry imports this module and must never load SQLite).
 */
export async function openStore(config: Pick<ServerConfig, 'store' | 'dbPath' | 'firestoreProjectId'> & Partial<Pick<ServerConfig, 'sqliteCheckpoints'>>): Promise<Store> {
  if (config.store === 'firestore') {
    const { openFirestoreStore } = await import('./store/firestore');
    return openFirestoreStore({ projectId: config.firestoreProjectId });
  }
  const { SqliteStore } = await import('./store/sqlite');
  return new SqliteStore(config.dbPath, { checkpoints: config.sqliteCheckpoints === 'inline' ? 'inline' : undefined });
}
