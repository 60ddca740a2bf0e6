import { AppError, ErrorCode } from '../domain/errors';
import { channelNeedsProMessage, PLANS, planLimitMessage } from '../domain/plans';
import { defaultGrace, validateTiming } from '../domain/schedule';
import type { Account, Monitor } from '../domain/types';
import type { Deps } from './context';
import { MONITOR_ID_PATTERN, newMonitorId, newPingToken, newWebhookSecret } from './secrets';

export interface MonitorInput {
  name: string;
  /** Seconds between runs, or a 5-field cron expression read in `tz`. */
  schedule: number | string;
  tz?: string;
  grace?: number;
  alertEmail?: string;
  alertWebhook?: string;
  alertSlack?: string;
  alertPagerDuty?: string;
}

export async function createMonitor(deps: Pick<Deps, 'store' | 'clock'>, account: Account, input: MonitorInput): Promise<Monitor> {
  const plan = PLANS[account.plan];
  if (input.alertWebhook !== undefined && !plan.webhookAlerts) {
    throw new AppError(ErrorCode.Forbidden, channelNeedsProMessage('webhook'));
  }
  if (input.alertSlack !== undefined && !plan.channels.includes('slack')) throw new AppError(ErrorCode.Forbidden, channelNeedsProMessage('slack'));
  if (input.alertPagerDuty !== undefined && !plan.channels.includes('pagerduty')) {
    throw new AppError(ErrorCode.Forbidden, channelNeedsProMessage('pagerduty'));
  }
  const now = deps.clock();
  const timing = validateTiming(input.schedule, input.tz, now);
  const monitor: Monitor = {
    id: newMonitorId(),
    accountId: account.id,
    name: input.name,
    ...timing,
    grace: input.grace ?? defaultGrace(timing, now),
    alertEmail: input.alertEmail ?? account.email,
    alertWebhook: input.alertWebhook ?? null,
    webhookSecret: input.alertWebhook !== undefined ? newWebhookSecret() : null,
    alertSlack: input.alertSlack ?? null,
    alertPagerDuty: input.alertPagerDuty ?? null,
    pingToken: newPingToken(),
    status: 'new',
    createdAt: now,
    lastPingAt: null,
    lastAlertAt: null,
    pingCount: 0,
    alertAt: null,
    historyDays: plan.historyDays,
    lastStartAt: null,
    lastDuration: null,
    openRuns: [],
  };
  const result = await deps.store.createMonitor(monitor, plan.maxMonitors);
  if (result === 'limit_reached') throw new AppError(ErrorCode.PlanLimit, planLimitMessage(plan));
  return monitor;
}

export function listMonitors(deps: Pick<Deps, 'store'>, account: Account): Promise<Monitor[]> {
  return deps.store.listMonitors(account.id);
}

/** The account's own monitor: 404 for an id nobody has, 403 for someone else's. */
export async function getOwnMonitor(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<Monitor> {
  const monitor = MONITOR_ID_PATTERN.test(id) ? await deps.store.getMonitor(id) : null;
  if (monitor === null) throw new AppError(ErrorCode.NotFound, 'Monitor not found.');
  if (monitor.accountId !== account.id) throw new AppError(ErrorCode.Forbidden, 'This monitor belongs to another account.');
  return monitor;
}

export async function deleteMonitor(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<void> {
  await getOwnMonitor(deps, account, id);
  // A concurrent delete of the same monitor may win; either way it is gone, which is what was asked.
  await deps.store.deleteMonitor(id);
}
