import { nextAlertAt } from './alerts';
import { channelNeedsProMessage, MONITOR_CHANNELS, planAllows, type ChannelField } from './channels';
import { AppError, ErrorCode } from './errors';
import type { Plan } from './plans';
import { pendingReminder, rescheduledReminder } from './reminders';
import { defaultGrace, validateTiming, type Timing } from './schedule';
import { armedAlertAt, deadlineBase } from './transitions';
import type { Monitor } from './types';

/**
 * An owner's edit of a monitor, validated in shape: a field left out stays as it is; null removes
 * an optional one (grace returns to its default, tz to UTC). A new setting goes here, in
 * `checkPlanAllows` when a plan limits it, in the HTTP schemas, in `editMonitor` below, and in
 * the adapters' mapping of `MonitorUpdate`. The channel fields (null: no alerts on that channel)
 * come from the channel registry, which each of those places follows.
 */
export interface MonitorEdit extends Partial<Record<ChannelField, string | null>> {
  name?: string;
  /** Seconds between runs, or a 5-field cron expression read in `tz`. */
  schedule?: number | string;
  tz?: string | null;
  grace?: number | null;
  /** Seconds between reminders while down; null turns them off. */
  remindEvery?: number | null;
  /** Reminders per outage at most; null: no limit. */
  remindLimit?: number | null;
  /** Failed runs in a row before it goes down; null: the default, 1. */
  alertAfter?: number | null;
  /** Successful runs in a row before it is up again; null: the default, 1. */
  recoverAfter?: number | null;
  /** Seconds a run may take at most, and must take at least; null removes the limit. */
  maxRuntime?: number | null;
  minRuntime?: number | null;
  /** The monitor's tags, replacing its list; null or [] removes them all. */
  tags?: string[] | null;
  /** The monitors it depends on, replacing its list (checked against the account's by `checkDependsOn`); null or [] clears it. */
  dependsOn?: string[] | null;
}

/** What an edit writes: settings, the webhook secret that goes with the webhook, and the deadline they imply. */
export type MonitorUpdate = Partial<
  Pick<
    Monitor,
    | 'name'
    | 'schedule'
    | 'cron'
    | 'tz'
    | 'grace'
    | ChannelField
    | 'channels'
    | 'tags'
    | 'webhookSecret'
    | 'alertAt'
    | 'remindEvery'
    | 'remindLimit'
    | 'nextReminderAt'
    | TolerancesField
    | 'snoozedUntil'
    | 'dependsOn'
  >
>;

/** The settings of tolerance and run-time limits. */
type TolerancesField = 'alertAfter' | 'recoverAfter' | 'maxRuntime' | 'minRuntime';

/** Failed or successful runs in a row a monitor takes when none is given. */
export const DEFAULT_STREAK = 1;

/** A minimum run time must be shorter than the maximum, or no run could pass both. */
export function checkRuntimeLimits(limits: { minRuntime?: number | null; maxRuntime?: number | null }): void {
  const { minRuntime, maxRuntime } = limits;
  if (typeof minRuntime === 'number' && typeof maxRuntime === 'number' && minRuntime >= maxRuntime) {
    throw new AppError(ErrorCode.BadRequest, `minRuntime (${minRuntime}) must be less than maxRuntime (${maxRuntime}).`);
  }
}

/** The plan rules for the channels a creation or an edit sets (removing one is always allowed). */
export function checkPlanAllows(plan: Plan, settings: MonitorEdit): void {
  for (const { kind, field } of MONITOR_CHANNELS) {
    if (typeof settings[field] === 'string' && !planAllows(plan.id, kind)) {
      throw new AppError(ErrorCode.Forbidden, channelNeedsProMessage(kind, field));
    }
  }
}

/**
 * The schedule an edit asks for, validated like a new monitor's, or null when it leaves the
 * schedule alone. A new cron expression keeps the monitor's zone unless the edit names one;
 * a zone alone re-reads the monitor's cron expression in it.
 */
export function editedTiming(m: Monitor, edit: MonitorEdit, now: Date): Timing | null {
  if (edit.schedule === undefined && edit.tz === undefined) return null;
  const schedule = edit.schedule ?? m.cron ?? m.schedule;
  const keptZone = m.cron !== null && edit.schedule !== undefined && typeof schedule === 'string' ? (m.tz ?? undefined) : undefined;
  const tz = edit.tz === undefined ? keptZone : (edit.tz ?? undefined);
  return validateTiming(schedule, tz, now);
}

/**
 * What `edit` changes on `m` as the store holds it now. `timing` is `editedTiming`'s answer and
 * `webhookSecret` a fresh secret for a webhook the edit sets (the domain has neither a clock nor
 * randomness). A changed schedule or grace moves the deadline of a monitor that can go down to
 * one new period after its last ping or its resume, whichever came later (or its oldest open
 * run's grace), as the deadline it replaces was counted; the status itself never
 * changes here: a deadline that has already passed is flipped by the checker like any other.
 */
export function editMonitor(m: Monitor, edit: MonitorEdit, timing: Timing | null, webhookSecret: string, now: Date): MonitorUpdate {
  const update: MonitorUpdate = {};
  if (edit.name !== undefined) update.name = edit.name;
  if (edit.tags !== undefined) update.tags = edit.tags ?? [];
  if (edit.dependsOn !== undefined) update.dependsOn = edit.dependsOn ?? [];
  if (timing !== null) Object.assign(update, { schedule: timing.schedule, cron: timing.cron, tz: timing.tz });
  if (edit.grace !== undefined) update.grace = edit.grace ?? defaultGrace(timing ?? m, now);
  for (const { field } of MONITOR_CHANNELS) {
    const target = edit[field];
    if (target !== undefined) update[field] = target;
  }
  if (edit.alertWebhook !== undefined) update.webhookSecret = edit.alertWebhook === null ? null : webhookSecret;
  Object.assign(update, editedTolerances(edit));
  const after: Monitor = { ...m, ...update };
  // A new maxRuntime moves the limit of the runs that are open.
  const limited = after.maxRuntime !== m.maxRuntime && after.openRuns.length > 0;
  const retimed = limited || after.schedule !== m.schedule || after.cron !== m.cron || after.tz !== m.tz || after.grace !== m.grace;
  // Only an up monitor has a deadline; a flapping one's alertAt may be when it settles instead.
  if (retimed && m.status === 'up' && m.alertAt !== null) {
    const base = after.openRuns.length > 0 ? now : deadlineBase(after);
    if (base !== null) update.alertAt = nextAlertAt(after, armedAlertAt(after, after.openRuns, base));
  }
  return { ...update, ...editedReminders(m, edit, now) };
}

/** The tolerance and run-time limits an edit sets; null puts a count back to its default and removes a limit. */
function editedTolerances(edit: MonitorEdit): MonitorUpdate {
  const update: MonitorUpdate = {};
  if (edit.alertAfter !== undefined) update.alertAfter = edit.alertAfter ?? DEFAULT_STREAK;
  if (edit.recoverAfter !== undefined) update.recoverAfter = edit.recoverAfter ?? DEFAULT_STREAK;
  if (edit.maxRuntime !== undefined) update.maxRuntime = edit.maxRuntime;
  if (edit.minRuntime !== undefined) update.minRuntime = edit.minRuntime;
  return update;
}

/**
 * The reminder settings an edit changes and, for a down monitor, when its next reminder is then
 * due (its `alertAt` with it): counted from the outage's start with the new `remindEvery`.
 */
function editedReminders(m: Monitor, edit: MonitorEdit, now: Date): MonitorUpdate {
  const update: MonitorUpdate = {};
  if (edit.remindEvery !== undefined) update.remindEvery = edit.remindEvery;
  if (edit.remindLimit !== undefined) update.remindLimit = edit.remindLimit;
  if (Object.keys(update).length === 0 || m.status !== 'down') return update;
  const nextReminderAt = rescheduledReminder({ ...m, ...update }, now);
  const alertAt = nextAlertAt(m, pendingReminder({ ...m, nextReminderAt }));
  return { ...update, nextReminderAt, alertAt };
}
