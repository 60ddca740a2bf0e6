import { MONITOR_CHANNELS, type ChannelField } from '../domain/channels';
import { AppError, ErrorCode } from '../domain/errors';
import { PLANS, planLimitMessage } from '../domain/plans';
import { checkDependsOn } from '../domain/quiet';
import { defaultGrace, validateTiming } from '../domain/schedule';
import { slugProblem, slugTaken } from '../domain/slugs';
import { matchesFilter, type MonitorFilter } from '../domain/tags';
import { checkPlanAllows, checkRuntimeLimits, DEFAULT_STREAK, editedTiming, editMonitor as applyEdit, type MonitorEdit } from '../domain/settings';
import { transition } from '../domain/transitions';
import type { Account, AlertChannel, AttachedChannel, Monitor } from '../domain/types';
import { targetProblem } from '../notify/targets';
import type { Deps } from './context';
import { requestConfirmation } from './email-confirmation';
import { wakeFor } from './ping';
import { BADGE_KEY_PATTERN, MONITOR_ID_PATTERN, newBadgeKey, newMonitorId, newPingToken, newWebhookSecret } from './secrets';

/** Channel objects a monitor names: their ids, or "*" for every one its account has now. */
export type ChannelSelection = readonly string[] | '*';

/** A new monitor's settings; its channel fields are the registry's (`domain/channels.ts`). */
export interface MonitorInput extends Partial<Record<ChannelField, string | null>> {
  name: string;
  /** Channel objects to attach; absent: the account's default ones (`isDefault`). */
  channels?: ChannelSelection;
  /** Seconds between runs, or a 5-field cron expression read in `tz`. */
  schedule: number | string;
  /** Absent or null: UTC. */
  tz?: string | null;
  /** Absent or null: the default for the schedule. */
  grace?: number | null;
  /** Seconds between reminders while it is down; absent: the account's default; null: none. */
  remindEvery?: number | null;
  /** Reminders per outage at most; absent or null: no limit. */
  remindLimit?: number | null;
  /** Failed runs in a row before it goes down, and successful ones before it is up again; 1 when absent or null. */
  alertAfter?: number | null;
  recoverAfter?: number | null;
  /** Seconds a run may take at most, and must take at least; absent or null: no limit. */
  maxRuntime?: number | null;
  minRuntime?: number | null;
  /** Lower-case words to group and filter by, without duplicates; absent or null: none. */
  tags?: string[] | null;
  /** The monitors it depends on (ids of the account's); absent, null or []: none. */
  dependsOn?: string[] | null;
  /** The name the account's ping key pings it by (`domain/slugs.ts`), unique in the account; absent or null: none. */
  slug?: string | null;
}

/** A slug as given, checked: 400 naming the rule it breaks. */
function checkSlug(slug: string | null | undefined): void {
  const problem = typeof slug === 'string' ? slugProblem(slug) : null;
  if (problem !== null) throw new AppError(ErrorCode.BadRequest, `${problem}.`);
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
  // Left out, e-mail goes to the account's address; null turns e-mail alerts off.
  return { ...given, alertEmail: input.alertEmail === undefined ? account.email : input.alertEmail };
}

/** A monitor keeps the channel objects' kind and events, so its alerts are made without reading them. */
const attachedOf = (c: AlertChannel): AttachedChannel => ({ id: c.id, kind: c.kind, events: [...c.events] });

/**
 * The channel objects `selection` names, in its order, from one read of the account's channels;
 * an id that is not one of them is a 400. Absent: the account's defaults (a new monitor only).
 * "*" takes the channels there are now: one created later is attached only if it is a default,
 * and then only to monitors created after it. A channel deleted between this read and the
 * monitor's write stays attached; its alerts are then recorded as not sent, as after any deletion.
 */
export async function attachedChannels(deps: Pick<Deps, 'store'>, account: Account, selection: ChannelSelection | undefined): Promise<AttachedChannel[]> {
  if (Array.isArray(selection) && selection.length === 0) return [];
  const owned = await deps.store.listChannels(account.id);
  if (selection === undefined) return owned.filter((c) => c.isDefault).map(attachedOf);
  if (selection === '*') return owned.map(attachedOf);
  const byId = new Map(owned.map((c) => [c.id, c]));
  return (selection as readonly string[]).map((id) => {
    const channel = byId.get(id);
    if (channel === undefined) throw new AppError(ErrorCode.BadRequest, `channels: unknown channel ${id}.`);
    return attachedOf(channel);
  });
}

/**
 * The rules a URL must pass to be saved as `alertWebhook` or `alertSlack` (private addresses,
 * Slack's hosts), so that a target that could never be reached is a 400 now rather than a
 * failure nobody sees at send time. Null (removing one) and other fields pass.
 */
function checkAlertUrls(deps: Pick<Deps, 'notify'>, settings: { alertWebhook?: string | null; alertSlack?: string | null }): void {
  const allowPrivate = deps.notify.allowPrivateWebhooks;
  const rules = [
    ['alertWebhook', settings.alertWebhook, { allowPrivate }],
    ['alertSlack', settings.alertSlack, { allowPrivate, hosts: deps.notify.slackHosts }],
  ] as const;
  for (const [field, url, rule] of rules) {
    const problem = typeof url === 'string' ? targetProblem(url, rule) : null;
    if (problem !== null) throw new AppError(ErrorCode.BadRequest, `${field} ${problem}.`);
  }
}

/**
 * The parents a monitor is given, checked (`checkDependsOn`: same account, no repeat, no cycle)
 * against one read of the account's monitors; null or [] clears them without a read. Two edits
 * racing could still close a cycle between their reads; delivery then ignores a parent on a
 * cycle back to the monitor (`parentsOnCycle`), so neither waits for the other.
 */
async function checkedParents(deps: Pick<Deps, 'store'>, account: Account, monitorId: string, dependsOn: string[] | null): Promise<string[]> {
  if (dependsOn === null || dependsOn.length === 0) return [];
  const monitors = await deps.store.listMonitors(account.id);
  checkDependsOn(monitorId, dependsOn, new Map(monitors.map((m) => [m.id, m.dependsOn])));
  return dependsOn;
}

/** A monitor whose alerts go to an address the account has not named before asks that address to confirm (after the answer). */
export async function createMonitor(deps: Deps, account: Account, input: MonitorInput): Promise<Monitor> {
  const plan = PLANS[account.plan];
  checkSlug(input.slug);
  checkPlanAllows(plan, input);
  checkAlertUrls(deps, input);
  const channels = await attachedChannels(deps, account, input.channels);
  const id = newMonitorId();
  const dependsOn = await checkedParents(deps, account, id, input.dependsOn ?? null);
  const now = deps.clock();
  const timing = validateTiming(input.schedule, input.tz ?? undefined, now);
  const monitor: Monitor = {
    id,
    accountId: account.id,
    channels,
    tags: input.tags ?? [],
    slug: input.slug ?? null,
    snoozedUntil: null,
    dependsOn,
    name: input.name,
    ...timing,
    grace: input.grace ?? defaultGrace(timing, now),
    ...channelTargets(account, input),
    webhookSecret: typeof input.alertWebhook === 'string' ? newWebhookSecret() : null,
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
    remindEvery: input.remindEvery === undefined ? account.defaults.remindEvery : input.remindEvery,
    remindLimit: input.remindLimit ?? null,
    downSince: null,
    acknowledgedAt: null,
    remindersSent: 0,
    nextReminderAt: null,
    ...tolerancesOf(input),
  };
  const result = await deps.store.createMonitor(monitor, plan.maxMonitors);
  if (result === 'limit_reached') throw new AppError(ErrorCode.PlanLimit, planLimitMessage(plan));
  if (result === 'slug_taken') throw slugTaken(input.slug as string);
  if (monitor.alertEmail !== null) await requestConfirmation(deps, { account, email: monitor.alertEmail, monitorName: monitor.name });
  return monitor;
}

/** The account's monitors, newest first, narrowed to those `filter` names: one read, filtered here. */
export async function listMonitors(deps: Pick<Deps, 'store'>, account: Account, filter: MonitorFilter = {}): Promise<Monitor[]> {
  const monitors = await deps.store.listMonitors(account.id);
  return monitors.filter((m) => matchesFilter(m, filter));
}

/** The account's own monitor: 404 for an id nobody has, 403 for someone else's. */
export async function getOwnMonitor(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<Monitor> {
  const monitor = MONITOR_ID_PATTERN.test(id) ? await deps.store.getMonitor(id) : null;
  if (monitor === null) throw new AppError(ErrorCode.NotFound, 'Monitor not found.');
  if (monitor.accountId !== account.id) throw new AppError(ErrorCode.Forbidden, 'This monitor belongs to another account.');
  return monitor;
}

/** Deletes the monitor, and takes it out of the `dependsOn` of the monitors that named it. */
export async function deleteMonitor(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<void> {
  await getOwnMonitor(deps, account, id);
  // A concurrent delete of the same monitor may win; either way it is gone, which is what was asked.
  await deps.store.deleteMonitor(id);
  await forgetParent(deps, account, id);
}

/** Each child's list is edited as stored (compare-and-set), so a concurrent edit of its other parents is kept. */
async function forgetParent(deps: Pick<Deps, 'store'>, account: Account, parentId: string): Promise<void> {
  const children = (await deps.store.listMonitors(account.id)).filter((m) => m.dependsOn.includes(parentId));
  for (const child of children) await deps.store.editMonitor(child.id, (m) => ({ dependsOn: m.dependsOn.filter((p) => p !== parentId) }));
}

/**
 * Changes the settings an edit names, with the plan rules of creation for each field it sets.
 * Setting a webhook issues a new signing secret, returned with the monitor this once; setting an
 * alert address the account has not named before asks it to confirm, as creation does.
 */
export async function editMonitor(deps: Deps, account: Account, id: string, request: MonitorEdit & { channels?: ChannelSelection; slug?: string | null }): Promise<Monitor> {
  const { channels: selection, slug, ...edit } = request;
  checkSlug(slug);
  const current = await getOwnMonitor(deps, account, id);
  checkPlanAllows(PLANS[account.plan], edit);
  checkAlertUrls(deps, edit);
  // The list given replaces the monitor's; left out, it stays as it is.
  const channels = selection === undefined ? undefined : await attachedChannels(deps, account, selection);
  // A limit the edit leaves out keeps its value; null removes it.
  checkRuntimeLimits({
    minRuntime: edit.minRuntime !== undefined ? edit.minRuntime : current.minRuntime,
    maxRuntime: edit.maxRuntime !== undefined ? edit.maxRuntime : current.maxRuntime,
  });
  if (edit.dependsOn !== undefined) await checkedParents(deps, account, id, edit.dependsOn);
  const now = deps.clock();
  // Validated against the monitor as read here: an invalid schedule or run-time limit is refused before anything is written.
  const timing = editedTiming(current, edit, now);
  const secret = newWebhookSecret();
  // The slug first: a clash is a 409 before anything else is written.
  let slugged: Monitor | null = null;
  if (slug !== undefined && slug !== (current.slug ?? null)) {
    const set = await deps.store.setMonitorSlug(id, slug);
    if (set === 'slug_taken') throw slugTaken(slug as string);
    slugged = set;
  }
  const rest = Object.keys(edit).length > 0 || channels !== undefined;
  const edited = rest || slugged === null ? await deps.store.editMonitor(id, (m) => ({ ...applyEdit(m, edit, timing, secret, now), ...(channels !== undefined ? { channels } : {}) })) : slugged;
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
