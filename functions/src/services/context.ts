import type { PlanId } from '../domain/plans';
import type { Mailer } from '../notify/email';
import type { NotifyConfig, Notifiers } from '../notify/types';
import type { Store } from '../store/port';
import type { RateLimiter } from '../limits';
import type { Logger } from '../log';

/** Settings the use cases and routes need, whichever way CronPeek runs. */
export interface AppConfig {
  /** Origin that ping URLs are built on, without a trailing slash. */
  publicUrl: string;
  defaultPlan: PlanId;
  version: string;
  /**
   * Ask each alert address to confirm before alerts reach it (`CRONPEEK_VERIFY_EMAILS`, on unless
   * turned off). Alerts wait for the answer only where e-mail really goes out (SendGrid set).
   */
  verifyEmails: boolean;
}

/** Everything a use case depends on, passed in rather than imported, so tests can freeze time. */
export interface Deps {
  store: Store;
  clock: () => Date;
  config: AppConfig;
  notifiers: Notifiers;
  /** How alerts reach the outside world: what a saved alert URL must satisfy (private addresses, Slack's hosts). */
  notify: NotifyConfig;
  /** E-mail outside the alert outbox (account recovery, address confirmation). */
  mailer: Mailer;
  /** Always passed in: there is no default logger to fall back on. */
  log: Logger;
  /** Abuse limits; absent means none (tests not about limits, CRONPEEK_RATE_LIMITS=off). */
  limiter?: RateLimiter;
  /**
   * Told after a write that may make something due sooner: a deadline armed, alerts queued, a
   * retry scheduled. The embedded server runs its checker then; absent, the next poll finds it.
   */
  onDue?: (at: Date) => void;
}
