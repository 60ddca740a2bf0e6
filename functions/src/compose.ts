import type { NotifyConfig } from './config';
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
}): Deps {
  const clock = options.clock ?? (() => new Date());
  return {
    store: options.store,
    clock,
    config: options.app,
    notifiers: createNotifiers(options.notify, options.log, clock),
    mailer: createMailer(options.notify, options.log),
    log: options.log,
    ...(options.limiter ? { limiter: options.limiter } : {}),
  };
}
