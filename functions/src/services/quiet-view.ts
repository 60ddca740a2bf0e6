import { windowsEndAt, type MaintenanceWindow } from '../domain/maintenance';
import { parentsOnCycle, quietEnd, suppressor, type ParentState } from '../domain/quiet';
import type { Flip, Monitor } from '../domain/types';
import type { Deps } from './context';

/**
 * What monitor answers show about quiet times (issue 21): its snooze while it lasts, its parents,
 * whether a window covers it now, and the parent that explains its outage. Read for the answer,
 * never stored: windows and parents change without the monitor being written.
 */
export interface QuietView {
  /** Until when it is snoozed; null when it is not (a snooze already past included). */
  snoozedUntil: Date | null;
  dependsOn: string[];
  /** Whether a window covering it is active now. */
  inMaintenance: boolean;
  /** The first parent, in `dependsOn` order, that is down or quiet while this monitor is down; null otherwise. */
  suppressedBy: { id: string; name: string } | null;
}

/** The snooze as the answers show it: null once it has passed, though the stored instant stays until the next snooze. */
const activeSnooze = (m: Pick<Monitor, 'snoozedUntil'>, now: Date): Date | null =>
  m.snoozedUntil !== null && m.snoozedUntil.getTime() > now.getTime() ? m.snoozedUntil : null;

/**
 * The parents of `monitors` as the quiet rules see them: taken from the set when it holds them,
 * else read one by one (a filtered list may leave a parent out). A parent deleted meanwhile, or
 * of another account (which validation refuses), is left out: it explains nothing.
 */
async function parentStates(deps: Pick<Deps, 'store'>, monitors: readonly Monitor[], windows: readonly MaintenanceWindow[], now: Date): Promise<Parents> {
  const known = new Map(monitors.map((m) => [m.id, m]));
  const wanted = new Set(monitors.filter((m) => m.status === 'down').flatMap((m) => m.dependsOn));
  const states = new Map<string, ParentState>();
  const graph = new Map<string, readonly string[]>(monitors.map((m) => [m.id, m.dependsOn]));
  for (const id of wanted) {
    const parent = known.get(id) ?? (await deps.store.getMonitor(id));
    if (parent === null || parent.accountId !== monitors[0].accountId) continue;
    states.set(id, { id, name: parent.name, status: parent.status, quietUntil: quietEnd(parent, windows, now) });
    graph.set(id, parent.dependsOn);
  }
  return { states, graph };
}

/** The parents' states, and id → dependsOn of every monitor read, for spotting a cycle a race closed. */
interface Parents {
  states: ReadonlyMap<string, ParentState>;
  graph: ReadonlyMap<string, readonly string[]>;
}

/**
 * One monitor's view, from the account's windows and its parents' states. A parent on a cycle
 * back to the monitor is passed over, as delivery passes it over (it holds no alert); the cycles
 * seen here are those through the monitors read, which is all of them for the account's list.
 */
function viewOf(m: Monitor, windows: readonly MaintenanceWindow[], parents: Parents, now: Date): QuietView {
  const onCycle = parentsOnCycle(m.id, m.dependsOn, parents.graph);
  const candidates = [...parents.states.values()].filter((p) => !onCycle.has(p.id));
  const parent = m.status === 'down' ? suppressor(m, candidates, now) : null;
  return {
    snoozedUntil: activeSnooze(m, now),
    dependsOn: [...m.dependsOn],
    inMaintenance: windowsEndAt(windows, m.id, now) !== null,
    suppressedBy: parent === null ? null : { id: parent.id, name: parent.name },
  };
}

/**
 * The quiet view of each of `monitors`, all of one account, by id: the account's windows read
 * once, and only down monitors' parents looked at (`suppressedBy` is null otherwise).
 */
export async function quietViews(deps: Pick<Deps, 'store' | 'clock'>, monitors: readonly Monitor[]): Promise<Map<string, QuietView>> {
  if (monitors.length === 0) return new Map();
  const now = deps.clock();
  const windows = await deps.store.listWindows(monitors[0].accountId);
  const parents = await parentStates(deps, monitors, windows, now);
  return new Map(monitors.map((m) => [m.id, viewOf(m, windows, parents, now)]));
}

/** The quiet view of one monitor. */
export async function quietView(deps: Pick<Deps, 'store' | 'clock'>, monitor: Monitor): Promise<QuietView> {
  return (await quietViews(deps, [monitor])).get(monitor.id) as QuietView;
}

/**
 * For each flip of the monitor, whether a window of the account covered it at the flip's time.
 * The windows are the account's as they are now (their past is not kept): a window deleted since
 * no longer counts, and one changed since is judged as it is.
 */
export async function flipsInMaintenance(deps: Pick<Deps, 'store'>, monitor: Pick<Monitor, 'id' | 'accountId'>, flips: readonly Flip[]): Promise<boolean[]> {
  if (flips.length === 0) return [];
  const windows = await deps.store.listWindows(monitor.accountId);
  return flips.map((f) => windowsEndAt(windows, monitor.id, f.at) !== null);
}
