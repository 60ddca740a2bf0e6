import { currentOutageId } from '../domain/alerts';
import type { AttemptOutcome } from '../domain/delivery';
import type { MaintenanceWindow } from '../domain/maintenance';
import {
  decideAlert,
  downFate,
  heldForOf,
  heldNote,
  owedAfterQuiet,
  parentsOnCycle,
  quietEnd,
  type AlertDecision,
  type HeldFor,
  type ParentState,
} from '../domain/quiet';
import type { Monitor, Notification } from '../domain/types';
import type { Deps } from './context';

/**
 * The quiet rules at delivery time: before an alert about a monitor is sent, it is held for a
 * maintenance window, a snooze or a parent's outage, suppressed, or sent (marked when it was
 * held). Deciding here rather than when the flip is written keeps the ping path as it was: a
 * flip writes its outbox rows from the monitor alone, and only alerts, which are rare, read the
 * account's windows, the monitor's parents and its recent delivery log.
 */

/** A child held for a parent is looked at again this often, so it follows the parent's recovery within a minute. */
export const PARENT_RECHECK_MS = 60_000;
/** An alert waiting for the verdict on its outage's down alert is looked at again this soon. */
export const UNDECIDED_RECHECK_MS = 10_000;
/** How much of the monitor's delivery log the release rules read: the rows around one quiet period. */
const LOG_LOOK = 100;

export type QuietOutcome = { outcome: 'send'; row: Notification } | Extract<AttemptOutcome, { outcome: 'held' | 'suppressed' }>;

const later = (now: Date, ms: number) => new Date(now.getTime() + ms);
const held = (until: Date, reason: string): QuietOutcome => ({ outcome: 'held', until, reason });
const suppressed = (reason: string): QuietOutcome => ({ outcome: 'suppressed', reason });

/** How many ancestors the cycle check reads at most; chains are short, and a cut-off one is read as no cycle. */
const ANCESTRY_READS = 100;

/** The monitor's ancestors (its parents, theirs, …) read as id → dependsOn, for `parentsOnCycle`. */
async function ancestry(deps: Deps, m: Monitor, parents: readonly Monitor[]): Promise<Map<string, readonly string[]>> {
  const graph = new Map<string, readonly string[]>([[m.id, m.dependsOn], ...parents.map((p) => [p.id, p.dependsOn] as const)]);
  let frontier = parents.flatMap((p) => p.dependsOn).filter((id) => !graph.has(id));
  while (frontier.length > 0 && graph.size < ANCESTRY_READS) {
    const read = await Promise.all([...new Set(frontier)].map((id) => deps.store.getMonitor(id)));
    for (const a of read) if (a !== null && a.accountId === m.accountId) graph.set(a.id, a.dependsOn);
    frontier = read.flatMap((a) => (a === null ? [] : a.dependsOn)).filter((id) => !graph.has(id));
  }
  return graph;
}

/**
 * Each parent as the rules see it: its status and until when it is quiet. Parents deleted
 * meanwhile are left out, and so are parents on a cycle back to the monitor (`parentsOnCycle`).
 */
async function parentStates(deps: Deps, m: Monitor, windows: readonly MaintenanceWindow[], now: Date): Promise<ParentState[]> {
  const parents = (await Promise.all(m.dependsOn.map((id) => deps.store.getMonitor(id)))).filter((p): p is Monitor => p !== null && p.accountId === m.accountId);
  const onCycle = parentsOnCycle(m.id, m.dependsOn, await ancestry(deps, m, parents));
  return parents
    .filter((p) => !onCycle.has(p.id))
    .map((p) => ({ id: p.id, name: p.name, status: p.status, quietUntil: quietEnd(p, windows, now) }));
}

/** The monitor's recent delivery log, newest first. */
async function recentLog(deps: Deps, monitorId: string): Promise<Notification[]> {
  return (await deps.store.notificationHistory({ monitorId }, { limit: LOG_LOOK, before: null, since: null })).items;
}

/** What `decideAlert`'s verdict means for the row: held (with what it waits for), suppressed, or null to go on. */
function outcomeOf(decision: AlertDecision, n: Notification, parents: readonly ParentState[], now: Date): QuietOutcome | null {
  switch (decision.action) {
    case 'send':
      return null;
    case 'suppress': {
      // Reminders are not kept for later; a down alert waits for the parent's recovery.
      if (n.event !== 'monitor.down') return suppressed(`not sent: parent "${decision.parentName}" is down`);
      const parentDown = parents.find((p) => p.id === decision.parentId)?.status === 'down';
      return held(later(now, PARENT_RECHECK_MS), heldNote({ kind: 'parent', parentName: decision.parentName, parentDown }));
    }
    case 'skip':
      return suppressed('not sent: its down alert was held for a parent, so nobody was told it went down');
    case 'hold':
      // Reminders pause during a quiet period: the one alert owed at its end says where things stand.
      if (n.event === 'monitor.still_down') return suppressed(`not sent: reminders pause while ${decision.reason === 'snooze' ? 'snoozed' : 'in maintenance'}`);
      return held(decision.until, heldNote({ kind: decision.reason, until: decision.until }));
  }
}

/** A row that was held goes out now: marked with what held it, or dropped when nothing is owed any more. */
function release(n: Notification, wasHeld: HeldFor, m: Monitor, log: readonly Notification[]): QuietOutcome {
  if (wasHeld.kind === 'parent') return { outcome: 'send', row: { ...n, snapshot: { ...n.snapshot, afterParent: wasHeld.parentName } } };
  const verdict = owedAfterQuiet(n, m.status, log);
  if (!verdict.send) return suppressed(verdict.reason);
  return { outcome: 'send', row: { ...n, snapshot: { ...n.snapshot, afterQuiet: wasHeld.kind } } };
}

/**
 * Whether the alert `n` about `m` (not deleted, of the same account) is sent now, held or
 * suppressed, by `decideAlert`; a row held before is released by `release`. Reads the account's
 * windows, the monitor's parents, and (for a held row, or a recovery of a monitor with parents)
 * its recent delivery log.
 */
export async function quietOutcome(deps: Deps, n: Notification, m: Monitor): Promise<QuietOutcome> {
  const now = deps.clock();
  const wasHeld = heldForOf(n.lastError);
  if (wasHeld?.kind === 'parent' && currentOutageId(m) !== n.snapshot.outageId) {
    return suppressed('not sent: the monitor recovered while its parent was down');
  }
  const windows = await deps.store.listWindows(m.accountId);
  const parents = m.dependsOn.length === 0 ? [] : await parentStates(deps, m, windows, now);
  // A reminder, and a recovery of a monitor with parents, depend on what became of the outage's down alert.
  const reminder = n.event === 'monitor.still_down';
  const asksDown = reminder || (n.event === 'monitor.up' && m.dependsOn.length > 0);
  const log = wasHeld !== null || asksDown ? await recentLog(deps, m.id) : [];
  const fate = asksDown ? downFate(n, log) : 'unknown';
  if (fate === 'undecided') return held(later(now, UNDECIDED_RECHECK_MS), 'held: waiting for the verdict on the down alert of the same outage');
  if (reminder && fate === 'quiet') return suppressed('not sent: the down alert of this outage is held, and goes out when the quiet period ends');
  const quiet = { id: m.id, status: m.status, snoozedUntil: m.snoozedUntil, dependsOn: m.dependsOn, downSuppressed: fate === 'parent' || fate === 'suppressed' };
  const decided = outcomeOf(decideAlert({ monitor: quiet, event: n.event, windows, parents, now }), n, parents, now);
  if (decided !== null) return decided;
  return wasHeld === null ? { outcome: 'send', row: n } : release(n, wasHeld, m, log);
}
