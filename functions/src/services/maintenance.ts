import { AppError, ErrorCode } from '../domain/errors';
import { validateWindow, type MaintenanceWindow, type WindowInput, type WindowSettings } from '../domain/maintenance';
import { PLANS } from '../domain/plans';
import type { Account } from '../domain/types';
import type { WindowUpdate } from '../store/port';
import type { Deps } from './context';
import { newWindowId, WINDOW_ID_PATTERN } from './secrets';

/**
 * Maintenance windows (issue 21): account-level objects naming the monitors whose alerts are held
 * while they are on. Timing and names are the domain's to check (`validateWindow`); whose monitor
 * ids they are is checked here, against one read of the account's monitors.
 */

/** An edit as the route hands it over: the fields it names; null clears a timing field (switching form). */
export type WindowEdit = Partial<WindowInput>;

/**
 * Refuses ids that are not monitors of the account with a 400 naming the first: another
 * account's monitor reads the same as one nobody has, so a window says nothing about others.
 */
async function checkOwnMonitors(deps: Pick<Deps, 'store'>, account: Account, monitors: string[] | '*'): Promise<void> {
  if (monitors === '*') return;
  const owned = new Set((await deps.store.listMonitors(account.id)).map((m) => m.id));
  const unknown = monitors.find((id) => !owned.has(id));
  if (unknown !== undefined) throw new AppError(ErrorCode.BadRequest, `monitors: unknown monitor ${unknown}.`);
}

/** Creates a window, refusing past the plan's number of windows (403, as the channel limit). */
export async function createWindow(deps: Pick<Deps, 'store' | 'clock'>, account: Account, input: WindowInput): Promise<MaintenanceWindow> {
  const now = deps.clock();
  const settings = validateWindow(input, now);
  await checkOwnMonitors(deps, account, settings.monitors);
  const window: MaintenanceWindow = { id: newWindowId(), accountId: account.id, ...settings, createdAt: now };
  const plan = PLANS[account.plan];
  const result = await deps.store.createWindow(window, plan.maxWindows);
  if (result === 'limit_reached') {
    throw new AppError(ErrorCode.PlanLimit, `Maintenance window limit reached (${plan.maxWindows}). Delete a window or upgrade your plan for more.`);
  }
  return window;
}

/** The account's windows, oldest first. */
export function listWindows(deps: Pick<Deps, 'store'>, account: Account): Promise<MaintenanceWindow[]> {
  return deps.store.listWindows(account.id);
}

/** The account's own window. An id nobody has, a malformed one and another account's are the same 404. */
export async function getOwnWindow(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<MaintenanceWindow> {
  const window = WINDOW_ID_PATTERN.test(id) ? await deps.store.getWindow(id) : null;
  if (window === null || window.accountId !== account.id) throw new AppError(ErrorCode.NotFound, 'Maintenance window not found.');
  return window;
}

const TIMING_FIELDS = ['schedule', 'tz', 'duration', 'start', 'end'] as const;

/** The stored window with the edit applied: a field left out keeps its value, null clears it. */
function merged(w: MaintenanceWindow, edit: WindowEdit): WindowInput {
  const input: WindowInput = { name: edit.name ?? w.name, monitors: edit.monitors ?? w.monitors };
  for (const field of TIMING_FIELDS) Object.assign(input, { [field]: edit[field] !== undefined ? edit[field] : w[field] });
  return input;
}

/**
 * When an edit's result is checked. An edit that leaves the timing alone is checked as of a moment
 * the window had not ended yet (its last millisecond, for a one-off window already over), so such
 * a window can still be renamed; new timing is checked as of now, as at creation.
 */
function checkedAt(w: MaintenanceWindow, edit: WindowEdit, now: Date): Date {
  if (TIMING_FIELDS.some((field) => edit[field] !== undefined) || w.end === null) return now;
  return new Date(Math.min(now.getTime(), w.end.getTime() - 1));
}

/**
 * What an edit writes: the fields it names, normalised, and the whole timing when it touches any
 * of it (a zone defaults with a new schedule), so a concurrent edit of other fields is kept.
 */
function updateOf(settings: WindowSettings, edit: WindowEdit): WindowUpdate {
  const timing = TIMING_FIELDS.some((field) => edit[field] !== undefined);
  const { name, monitors, ...rest } = settings;
  return { ...(edit.name !== undefined ? { name } : {}), ...(edit.monitors !== undefined ? { monitors } : {}), ...(timing ? rest : {}) };
}

/**
 * Applies an edit: the stored window merged with it, validated again as a whole (switching form
 * means sending the other form's fields as null). Only the monitor ids the edit names are checked
 * against the account's: one deleted since the window was set stays listed, and covers nothing.
 */
export async function editWindow(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, account: Account, id: string, edit: WindowEdit): Promise<MaintenanceWindow> {
  const current = await getOwnWindow(deps, account, id);
  const settings = validateWindow(merged(current, edit), checkedAt(current, edit, deps.clock()));
  if (edit.monitors !== undefined) await checkOwnMonitors(deps, account, settings.monitors);
  const update = updateOf(settings, edit);
  const edited = await deps.store.updateWindow(id, () => update);
  if (edited === null) throw new AppError(ErrorCode.NotFound, 'Maintenance window not found.');
  await wakeHeld(deps, current);
  return edited;
}

/** Deletes the window; the alerts it held are looked at again at once. */
export async function deleteWindow(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, account: Account, id: string): Promise<void> {
  const current = await getOwnWindow(deps, account, id);
  // A concurrent delete may win; either way it is gone, which is what was asked.
  await deps.store.deleteWindow(id);
  await wakeHeld(deps, current);
}

/**
 * A window changed or gone may end what the alerts it held wait for: they are made due now, and
 * the quiet rules hold again those still quiet (another window, a snooze, a parent).
 */
async function wakeHeld(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, window: MaintenanceWindow): Promise<void> {
  const now = deps.clock();
  const woken = await deps.store.wakeHeldNotifications(window.accountId, window.monitors === '*' ? null : window.monitors, now);
  if (woken > 0) deps.onDue?.(now);
}
