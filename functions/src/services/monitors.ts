import { MONITOR_CHANNELS, type ChannelField } from '../domain/channels';
import { AppError, ErrorCode } from '../domain/errors';
import { PLANS, planLimitMessage } from '../domain/plans';
import { defaultGrace, validateTiming } from '../domain/schedule';
import { checkPlanAllows, checkRuntimeLimits, DEFAULT_STREAK, editedTiming, editMonitor as applyEdit, type MonitorEdit } from '../domain/settings';
import { transition } from '../domain/transitions';
import type { Account, Monitor } from '../domain/types';
import type { Deps } from './context';
import { requestConfirmation } from './email-confirmation';
import { wakeFor } from './ping';
import { BADGE_KEY_PATTERN, MONITOR_ID_PATTERN, newBadgeKey, newMonitorId, newPingToken, newWebhookSecret } from './secrets';

/** A new monitor's settings; its channel fields are the registry's (`domain/channels.ts`). */
export interface MonitorInput extends Partial<Record<ChannelField, string>> {
  name: string;
  /** Seconds between runs, or a 5-field cron expression read in `tz`. */
  schedule: number | string;
  tz?: string;
  grace?: number;
  /** Seconds between reminders while it is down; absent or null: none. */
  remindEvery?: number | null;
  /** Reminders per outage at most; absent or null: no limit. */
  remindLimit?: number | null;
  /** Failed runs in a row before it goes down, and successful ones before it is up again; 1 when absent. */
  alertAfter?: number;
  recoverAfter?: number;
  /** Seconds a run may take at most, and must take at least; absent: no limit. */
  maxRuntime?: number;
  minRuntime?: number;
}

/** A new monitor's tolerance and run-time limits, with its counts of runs in a row at zero. */
function tolerancesOf(input: MonitorInput) {
  checkRuntimeLimits(input);
  return {
    alertAfter: input.alertAfter ?? DEFAULT_STREAK,
    recoverAfter: input.recoverAfter ?? DEFAULT_STREAK,
    maxRuntime: input.maxRuntime ?? null,
    minRuntime: input.minRuntime ?? null,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    missedDueAt: null,
  };
}

/** The new monitor's channel fields: each as the input sets it, else off; e-mail goes to the account's address unless set. */
function channelTargets(account: Account, input: MonitorInput): Record<ChannelField, string | null> {
  const given = Object.fromEntries(MONITOR_CHANNELS.map(({ field }) => [field, input[field] ?? null])) as Record<ChannelField, string | null>;
  return { ...given, alertEmail: input.alertEmail ?? account.email };
}

/** A monitor whose alerts go to an address the account has not named before asks that address to confirm (after the answer). */
export async function createMonitor(deps: Deps, account: Account, input: MonitorInput): Promise<Monitor> {
  const plan = PLANS[account.plan];
  checkPlanAllows(plan, input);
  const now = deps.clock();
  const timing = validateTiming(input.schedule, input.tz, now);
  const monitor: Monitor = {
    id: newMonitorId(),
    accountId: account.id,
    channels: [], // HTTP HELPER: the channels asked for, or the account's defaults
    name: input.name,
    ...timing,
    grace: input.grace ?? defaultGrace(timing, now),
    ...channelTargets(account, input),
    webhookSecret: input.alertWebhook !== undefined ? newWebhookSecret() : null,
    pingToken: newPingToken(),
    badgeKey: newBadgeKey(),
    status: 'new',
    manualResume: false,
    createdAt: now,
    lastPingAt: null,
    lastAlertAt: null,
    pingCount: 0,
    alertAt: null,
    historyDays: plan.historyDays,
    lastStartAt: null,
    lastDuration: null,
    openRuns: [],
    resumedAt: null,
    flipCount: 0,
    recentFlips: [],
    flappingSince: null,
    remindEvery: input.remindEvery ?? account.defaults.remindEvery,
    remindLimit: input.remindLimit ?? null,
    downSince: null,
    acknowledgedAt: null,
    remindersSent: 0,
    nextReminderAt: null,
    ...tolerancesOf(input),
  };
  const result = await deps.store.createMonitor(monitor, plan.maxMonitors);
  if (result === 'limit_reached') throw new AppError(ErrorCode.PlanLimit, planLimitMessage(plan));
  if (monitor.alertEmail !== null) await requestConfirmation(deps, { account, email: monitor.alertEmail, monitorName: monitor.name });
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

/**
 * Changes the settings an edit names, with the plan rules of creation for each field it sets.
 * Setting a webhook issues a new signing secret, returned with the monitor this once; setting an
 * alert address the account has not named before asks it to confirm, as creation does.
 */
export async function editMonitor(deps: Deps, account: Account, id: string, edit: MonitorEdit): Promise<Monitor> {
  const current = await getOwnMonitor(deps, account, id);
  checkPlanAllows(PLANS[account.plan], edit);
  // A limit the edit leaves out keeps its value; null removes it.
  checkRuntimeLimits({
    minRuntime: edit.minRuntime !== undefined ? edit.minRuntime : current.minRuntime,
    maxRuntime: edit.maxRuntime !== undefined ? edit.maxRuntime : current.maxRuntime,
  });
  const now = deps.clock();
  // Validated against the monitor as read here: an invalid schedule or run-time limit is refused before anything is written.
  const timing = editedTiming(current, edit, now);
  const secret = newWebhookSecret();
  const edited = await deps.store.editMonitor(id, (m) => applyEdit(m, edit, timing, secret, now));
  if (edited === null) throw new AppError(ErrorCode.NotFound, 'Monitor not found.');
  // A shorter schedule or grace can bring the deadline forward.
  wakeFor(deps, edited, null);
  if (typeof edit.alertEmail === 'string') await requestConfirmation(deps, { account, email: edit.alertEmail, monitorName: edited.name });
  return edited;
}

/** Pauses the monitor: it never goes down and alerts nobody until resumed (or, unless `manualResume`, pinged). */
export async function pauseMonitor(deps: Pick<Deps, 'store' | 'clock'>, account: Account, id: string, options: { manualResume: boolean }): Promise<Monitor> {
  await getOwnMonitor(deps, account, id);
  const now = deps.clock();
  const applied = await deps.store.updateMonitor(id, (m) => transition(m, 'pause', now, { manualResume: options.manualResume }));
  if (applied === null) throw new AppError(ErrorCode.NotFound, 'Monitor not found.');
  if (applied.transition === null) throw new AppError(ErrorCode.Conflict, 'This monitor is already paused.');
  return applied.monitor;
}

/** Resumes a paused monitor: `new` if it never pinged, else `up` with one full period before it can go down. */
export async function resumeMonitor(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, account: Account, id: string): Promise<Monitor> {
  await getOwnMonitor(deps, account, id);
  const now = deps.clock();
  const applied = await deps.store.updateMonitor(id, (m) => transition(m, 'resume', now));
  if (applied === null) throw new AppError(ErrorCode.NotFound, 'Monitor not found.');
  if (applied.transition === null) throw new AppError(ErrorCode.Conflict, 'This monitor is not paused.');
  wakeFor(deps, applied.monitor, null);
  return applied.monitor;
}

/** Acknowledges a down monitor's outage: its reminders stop until it ends (a later outage reminds again). */
export async function acknowledgeMonitor(deps: Pick<Deps, 'store' | 'clock'>, account: Account, id: string): Promise<Monitor> {
  await getOwnMonitor(deps, account, id);
  const now = deps.clock();
  const applied = await deps.store.updateMonitor(id, (m) => transition(m, 'acknowledge', now));
  if (applied === null) throw new AppError(ErrorCode.NotFound, 'Monitor not found.');
  if (applied.transition === null) throw new AppError(ErrorCode.Conflict, 'This monitor is not down: only an outage can be acknowledged.');
  return applied.monitor;
}

/** The monitor a public badge shows; a malformed or unknown key is one 404, checked before any read. */
export async function getBadgeMonitor(deps: Pick<Deps, 'store'>, key: string): Promise<Monitor> {
  const monitor = BADGE_KEY_PATTERN.test(key) ? await deps.store.findMonitorByBadgeKey(key) : null;
  if (monitor === null) throw new AppError(ErrorCode.NotFound, 'Badge not found.');
  return monitor;
}
