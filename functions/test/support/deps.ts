import { composeDeps } from '../../src/compose';
import type { NotifyConfig } from '../../src/notify/types';
import type { PlanId } from '../../src/domain/plans';
import { type Logger, silentLogger } from '../../src/log';
import type { Deps } from '../../src/services/context';
import type { Store } from '../../src/store/port';
import type { RateLimiter } from '../../src/limits';
import { FakeClock } from './clock';

export const TEST_PUBLIC_URL = 'https://cronpeek.test';

export function testNotifyConfig(overrides: Partial<NotifyConfig> = {}): NotifyConfig {
  return {
    sendgridApiKey: null,
    sendgridApiUrl: null,
    emailFrom: 'alerts@cronpeek.test',
    allowPrivateWebhooks: true,
    userAgent: 'CronPeek/test',
    pagerdutyUrl: 'https://events.pagerduty.com/v2/enqueue',
    publicUrl: TEST_PUBLIC_URL,
    slackHosts: ['hooks.slack.com'],
    telegramUrl: 'https://api.telegram.org',
    pushoverUrl: 'https://api.pushover.net/1/messages.json',
    opsgenieUrls: { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' },
    ntfyUrl: 'https://ntfy.sh',
    ...overrides,
  };
}

/**
 * Real dependencies around `store`, with a fake clock and a silent (or given) logger. Abuse
 * limits are off unless a test passes `limiter` (limits must never make other suites flaky), and
 * so is address confirmation unless a test passes `verifyEmails` (a suite about alerts would
 * otherwise see each address's confirmation request among its e-mails, and its alerts held).
 */
export function testDeps(
  store: Store,
  options: { clock?: FakeClock; plan?: PlanId; notify?: Partial<NotifyConfig>; log?: Logger; limiter?: RateLimiter; verifyEmails?: boolean } = {},
): Deps & { fakeClock: FakeClock } {
  const fakeClock = options.clock ?? new FakeClock();
  const deps = composeDeps({
    store,
    app: { publicUrl: TEST_PUBLIC_URL, defaultPlan: options.plan ?? 'free', version: '1.0.0', verifyEmails: options.verifyEmails ?? false },
    notify: testNotifyConfig(options.notify),
    log: options.log ?? silentLogger,
    clock: fakeClock.now,
    limiter: options.limiter,
  });
  return { ...deps, fakeClock };
}
