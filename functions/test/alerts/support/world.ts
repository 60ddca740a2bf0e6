import type { NotifyConfig } from '../../../src/notify/types';
import type { Account, Channel, Monitor, Notification } from '../../../src/domain/types';
import { createNotifiers } from '../../../src/notify';
import type { ConnectOptions } from '../../../src/notify/post';
import { authenticate, createAccount } from '../../../src/services/accounts';
import { runCheck, type CheckReport } from '../../../src/services/checker';
import type { Logger } from '../../../src/log';
import type { Deps } from '../../../src/services/context';
import { createMonitor, type MonitorInput } from '../../../src/services/monitors';
import { recordPing } from '../../../src/services/ping';
import type { InspectableStore } from '../../../src/store/inspection';
import type { Store } from '../../../src/store/port';
import type { FakeClock } from '../../support/clock';
import { testDeps, testNotifyConfig } from '../../support/deps';
import { capturingLogger, type LogLine } from '../../notify/support/logger';

export type AlertDeps = Deps & { fakeClock: FakeClock; lines: LogLine[] };

/**
 * Real dependencies on a Pro account's plan, with a fake clock and a readable log. The webhook
 * deadline can be shortened so timeout tests do not wait the production 10 s.
 */
export function alertDeps(
  store: Store,
  options: { notify?: Partial<NotifyConfig>; webhookTimeoutMs?: number; connect?: ConnectOptions } = {},
): AlertDeps {
  const log: Logger & { lines: LogLine[] } = capturingLogger();
  const deps = testDeps(store, { plan: 'pro', notify: options.notify, log });
  const notifiers = createNotifiers(testNotifyConfig(options.notify), log, deps.clock, { webhookTimeoutMs: options.webhookTimeoutMs, ...options.connect });
  return { ...deps, notifiers, lines: log.lines };
}

let accounts = 0;
export async function newAccount(deps: Deps): Promise<Account> {
  const { apiKey } = await createAccount(deps, { email: `owner-${++accounts}-${Date.now()}@example.com` });
  return authenticate(deps, apiKey);
}

export async function newMonitor(deps: Deps, input: Partial<MonitorInput> = {}, account?: Account): Promise<Monitor> {
  return createMonitor(deps, account ?? (await newAccount(deps)), { name: 'Nightly DB Backup', schedule: 3600, grace: 360, ...input });
}

export function ping(deps: Deps, m: Monitor): Promise<Monitor> {
  return recordPing(deps, { token: m.pingToken, method: 'GET', source: '203.0.113.9', userAgent: 'curl/8', body: null });
}

/**
 * `count` monitors of one account, each with a webhook to `${webhookOrigin}/hook/<i>`, pinged
 * once; the clock is then moved past their deadline, so all of them are due.
 */
export async function dueWebhookMonitors(deps: AlertDeps, count: number, webhookOrigin: string): Promise<Monitor[]> {
  const account = await newAccount(deps);
  const monitors: Monitor[] = [];
  for (let i = 0; i < count; i++) {
    const m = await newMonitor(deps, { name: `job ${i}`, alertWebhook: `${webhookOrigin}/hook/${i}` }, account);
    await ping(deps, m);
    monitors.push(m);
  }
  deps.fakeClock.advance(3600 + 360);
  return monitors;
}

/** Lets the monitor's deadline pass (it must be up) and runs the checker once. */
export async function missDeadline(deps: AlertDeps, m: Monitor): Promise<CheckReport> {
  deps.fakeClock.advance(m.schedule + m.grace);
  return runCheck(deps, { budgetMs: 10_000 });
}

export async function notificationOf(store: InspectableStore, m: Monitor, channel: Channel, event = 'monitor.down'): Promise<Notification> {
  const found = (await store.listNotifications(m.id)).filter((n) => n.channel === channel && n.event === event);
  if (found.length !== 1) throw new Error(`expected one ${channel} ${event} notification for ${m.id}, found ${found.length}`);
  return found[0];
}
