import { AppError, ErrorCode } from './errors';
import { chainedEnd, latest, MAX_WINDOW, windowsEndAt, type MaintenanceWindow } from './maintenance';
import type { AlertEvent, MonitorStatus, Notification } from './types';

/**
 * The one decision "send, hold or suppress" for an alert of a monitor, and what follows from it:
 * the alert owed when a quiet period ends, the children released when a parent recovers, and the
 * rules of `dependsOn`. Pure: the sweep reads monitors, windows and parents in its batch and asks.
 */

/** What the decision needs to know about the monitor an alert is about. */
export interface QuietMonitor {
  id: string;
  status: MonitorStatus;
  /** Until when its owner snoozed it (an instant already past is no snooze). */
  snoozedUntil: Date | null;
  /** The monitors it depends on, in the order they were given. */
  dependsOn: string[];
  /** Whether the down alert of its current outage was suppressed because of a parent (so nobody was told it is down). */
  downSuppressed: boolean;
}

/** A parent as the sweep sees it in its batch: its status there, and until when it is quiet (window or snooze; `quietEnd`). */
export interface ParentState {
  id: string;
  name: string;
  status: MonitorStatus;
  quietUntil: Date | null;
}

export type QuietReason = 'maintenance' | 'snooze';

export type AlertDecision =
  | { action: 'send' }
  /** Not sent now: `afterQuiet` says at `until` whether one alert is owed. Reminders held are dropped, not queued. */
  | { action: 'hold'; reason: QuietReason; until: Date }
  /** Recorded as suppressed, naming the parent that explains it. */
  | { action: 'suppress'; parentId: string; parentName: string }
  /** Not sent and owed to nobody: the channels never heard of the outage this alert continues or ends. */
  | { action: 'skip'; reason: 'down_suppressed' };

export interface AlertQuestion {
  monitor: QuietMonitor;
  event: AlertEvent;
  /** The account's windows; those that do not cover the monitor are ignored. */
  windows: readonly MaintenanceWindow[];
  /** The monitor's parents; entries not in `monitor.dependsOn` are ignored. */
  parents: readonly ParentState[];
  now: Date;
}

/** The events that say "it is down": a parent's outage explains them. */
const DOWN_EVENTS: ReadonlySet<AlertEvent> = new Set(['monitor.down', 'monitor.still_down']);

const after = (t: Date | null, now: Date): boolean => t !== null && t.getTime() > now.getTime();

/** Whether a parent explains a child's outage at `now`: it is down, or in a window or snoozed (its alerts held too). */
function suppresses(p: ParentState, now: Date): boolean {
  return p.status === 'down' || after(p.quietUntil, now);
}

/** The first parent, in `dependsOn` order, that explains the monitor's outage at `now`; null when none does (`suppressedBy`). */
export function suppressor(m: Pick<QuietMonitor, 'dependsOn'>, parents: readonly ParentState[], now: Date): ParentState | null {
  for (const id of m.dependsOn) {
    const p = parents.find((candidate) => candidate.id === id);
    if (p !== undefined && suppresses(p, now)) return p;
  }
  return null;
}

/**
 * Whether the monitor is quiet at `now`, why and until when: its covering windows and its snooze,
 * followed across each other (a snooze that ends inside a window lasts until the window ends).
 * The reason is whichever of the two, on its own, lasts longer at `now` (maintenance on a tie).
 */
export function quietState(m: Pick<QuietMonitor, 'id' | 'snoozedUntil'>, windows: readonly MaintenanceWindow[], now: Date): { reason: QuietReason; until: Date } | null {
  const snoozeAt = (t: Date) => (after(m.snoozedUntil, t) ? m.snoozedUntil : null);
  const until = chainedEnd((t) => latest(windowsEndAt(windows, m.id, t), snoozeAt(t)), now);
  if (until === null) return null;
  const windowEnd = windowsEndAt(windows, m.id, now);
  const snoozeEnd = snoozeAt(now);
  const snooze = windowEnd === null || (snoozeEnd !== null && snoozeEnd.getTime() > windowEnd.getTime());
  return { reason: snooze ? 'snooze' : 'maintenance', until };
}

/** Until when the monitor is quiet (window or snooze); null when it is not. What a child's `ParentState.quietUntil` holds. */
export function quietEnd(m: Pick<QuietMonitor, 'id' | 'snoozedUntil'>, windows: readonly MaintenanceWindow[], now: Date): Date | null {
  return quietState(m, windows, now)?.until ?? null;
}

/**
 * Send, hold or suppress. Rules, first match wins:
 * 1. A channel test is always sent: its owner is checking the channel, maintenance or not.
 * 2. A down alert or reminder while a parent is down or quiet is suppressed, naming the parent.
 *    Suppression wins over hold: it records why the child is down, and it stops the up alert
 *    later; a child released while its own window is on is held then (`releasedChildren`).
 * 3. An up alert or reminder of an outage whose down alert was suppressed is skipped: nobody
 *    was told it went down.
 * 4. During a covering window or a snooze every monitor alert is held, reminders included.
 * 5. Otherwise it is sent.
 */
export function decideAlert(q: AlertQuestion): AlertDecision {
  if (q.event === 'channel.test') return { action: 'send' };
  if (DOWN_EVENTS.has(q.event)) {
    const parent = suppressor(q.monitor, q.parents, q.now);
    if (parent !== null) return { action: 'suppress', parentId: parent.id, parentName: parent.name };
  }
  if (q.monitor.downSuppressed && (q.event === 'monitor.up' || q.event === 'monitor.still_down')) {
    return { action: 'skip', reason: 'down_suppressed' };
  }
  const quiet = quietState(q.monitor, q.windows, q.now);
  if (quiet !== null) return { action: 'hold', reason: quiet.reason, until: quiet.until };
  return { action: 'send' };
}

/** What the monitor's channels were last told about its status: 'down', 'up', or nothing yet. */
export type ToldStatus = 'up' | 'down' | null;

/** What a monitor keeps so that held and suppressed alerts can be settled later. */
export interface AlertMemory {
  toldStatus: ToldStatus;
  downSuppressed: boolean;
}

/**
 * The memory after deciding on `event`: a down or up alert sent tells the channels; a suppressed
 * down alert is remembered; an up event ends the outage, suppressed or not. Held alerts change
 * nothing, which is how `afterQuiet` knows what is owed.
 */
export function rememberAlert(memory: AlertMemory, event: AlertEvent, decision: AlertDecision): AlertMemory {
  if (event === 'monitor.down' && decision.action === 'suppress') return { ...memory, downSuppressed: true };
  if (event === 'monitor.down' && decision.action === 'send') return { toldStatus: 'down', downSuppressed: false };
  if (event === 'monitor.up') return { toldStatus: decision.action === 'send' ? 'up' : memory.toldStatus, downSuppressed: false };
  return memory;
}

/**
 * The one alert owed when a quiet period ends: the monitor's status when it differs from what its
 * channels were last told (marked as coming after maintenance by the caller), else null. A monitor
 * that went down and came back within the window owes nothing; one never told anything owes a
 * down alert only. The event still goes through `decideAlert` (a parent may be down).
 */
export function afterQuiet(m: { status: MonitorStatus; toldStatus: ToldStatus }): 'monitor.down' | 'monitor.up' | null {
  if (m.status === 'down' && m.toldStatus !== 'down') return 'monitor.down';
  if (m.status === 'up' && m.toldStatus === 'down') return 'monitor.up';
  return null;
}

/**
 * The children whose down alert goes out now: still down, their down alert suppressed, and no
 * parent of theirs down or quiet any more (a child with two parents waits for both). Each is
 * then asked `decideAlert` with `monitor.down`, which holds it if the child itself is quiet.
 */
export function releasedChildren(
  children: readonly Pick<QuietMonitor, 'id' | 'status' | 'downSuppressed' | 'dependsOn'>[],
  parents: readonly ParentState[],
  now: Date,
): string[] {
  return children.filter((c) => c.status === 'down' && c.downSuppressed && suppressor(c, parents, now) === null).map((c) => c.id);
}

/**
 * The ids in an order where every parent comes before its children, so a sweep that handles a
 * parent and its child together decides the child with the parent's new status (one alert, the
 * parent's). Otherwise input order is kept; ids in a cycle, which validation refuses, come last.
 */
export function parentsFirst(monitors: readonly { id: string; dependsOn: readonly string[] }[]): string[] {
  const present = new Set(monitors.map((m) => m.id));
  const done = new Set<string>();
  const order: string[] = [];
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const m of monitors) {
      if (done.has(m.id) || m.dependsOn.some((p) => present.has(p) && !done.has(p) && p !== m.id)) continue;
      done.add(m.id);
      order.push(m.id);
      progressed = true;
    }
  }
  return [...order, ...monitors.filter((m) => !done.has(m.id)).map((m) => m.id)];
}

/** At most this many parents per monitor. */
export const MAX_PARENTS = 10;

/** The chain from `start`'s parents back to `start`, following `graph` (id → its dependsOn); null when there is none. */
function cycleThrough(start: string, parents: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const via = new Map<string, string>();
  const stack: string[] = [];
  for (const p of parents) if (!via.has(p)) via.set(p, start), stack.push(p);
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === start) {
      const path = [start];
      for (let at = via.get(start) as string; at !== start; at = via.get(at) as string) path.unshift(at);
      return [start, ...path];
    }
    for (const p of graph.get(id) ?? []) if (!via.has(p)) via.set(p, id), stack.push(p);
  }
  return null;
}

/**
 * Which of `start`'s parents lead back to it through `graph` (id → its dependsOn). Validation
 * refuses cycles, but two edits racing can close one; a parent on such a cycle must not hold
 * the child's alerts, or two monitors down together would wait for each other for ever.
 */
export function parentsOnCycle(start: string, parents: readonly string[], graph: ReadonlyMap<string, readonly string[]>): Set<string> {
  return new Set(parents.filter((p) => cycleThrough(start, [p], graph) !== null));
}

/**
 * What is wrong with giving the monitor `monitorId` these parents, or null: too many, repeated,
 * itself, not a monitor of the account (`graph` holds every monitor of the account, id → its
 * current dependsOn), or a cycle through any chain. The message names the field; `checkDependsOn` throws it.
 */
export function dependencyProblem(monitorId: string, dependsOn: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string | null {
  if (dependsOn.length > MAX_PARENTS) return `dependsOn must list at most ${MAX_PARENTS} monitors.`;
  const repeated = dependsOn.find((id, i) => dependsOn.indexOf(id) !== i);
  if (repeated !== undefined) return `dependsOn lists ${repeated} twice.`;
  if (dependsOn.includes(monitorId)) return 'dependsOn must not include the monitor itself.';
  const unknown = dependsOn.find((id) => !graph.has(id));
  if (unknown !== undefined) return `dependsOn names ${unknown}, which is not a monitor of this account.`;
  const cycle = cycleThrough(monitorId, dependsOn, graph);
  if (cycle !== null) return `dependsOn would make a cycle: ${cycle.join(' → ')}.`;
  return null;
}

/** `dependencyProblem` as the API answers it: a 400 naming dependsOn. */
export function checkDependsOn(monitorId: string, dependsOn: readonly string[], graph: ReadonlyMap<string, readonly string[]>): void {
  const problem = dependencyProblem(monitorId, dependsOn, graph);
  if (problem !== null) throw new AppError(ErrorCode.BadRequest, problem);
}

/** A snooze lasts at least a minute and at most 7 days. */
export const MIN_SNOOZE = 60;
export const MAX_SNOOZE = MAX_WINDOW;

/** When a snooze asked for with `for` (seconds) or `until` (an instant) ends; errors name the field. */
export function snoozeEnd(input: { for?: number; until?: Date }, now: Date): Date {
  const bad = (message: string) => new AppError(ErrorCode.BadRequest, message);
  if (input.for === undefined && input.until === undefined) throw bad('for (seconds) or until (a time) is required.');
  if (input.for !== undefined && input.until !== undefined) throw bad('Give either for (seconds) or until (a time), not both.');
  if (input.for !== undefined) {
    if (!Number.isInteger(input.for) || input.for < MIN_SNOOZE || input.for > MAX_SNOOZE) {
      throw bad(`for must be a whole number of seconds from ${MIN_SNOOZE} to ${MAX_SNOOZE} (7 days).`);
    }
    return new Date(now.getTime() + input.for * 1000);
  }
  const until = input.until as Date;
  if (!(until instanceof Date) || Number.isNaN(until.getTime())) throw bad('until must be an ISO 8601 time.');
  if (until.getTime() <= now.getTime()) throw bad('until must be in the future.');
  if (until.getTime() - now.getTime() > MAX_SNOOZE * 1000) throw bad('until must be at most 7 days from now.');
  return until;
}

/**
 * Held alerts, as their delivery rows record them. The reason is the row's `lastError`, which the
 * delivery log shows and the next look at the row reads back: it says what the row waits for.
 */
export type HeldFor = { kind: QuietReason; until: Date } | { kind: 'parent'; parentName: string; parentDown: boolean };

const HELD_QUIET = /^held: (maintenance|snoozed) until (\S+)$/;
const HELD_PARENT = /^held: parent "(.*)" is (down|quiet)$/s;

/** The delivery log's words for a hold. */
export function heldNote(h: HeldFor): string {
  if (h.kind === 'parent') return `held: parent "${h.parentName}" is ${h.parentDown ? 'down' : 'quiet'}`;
  return `held: ${h.kind === 'maintenance' ? 'maintenance' : 'snoozed'} until ${h.until.toISOString()}`;
}

/** What a row's `lastError` says it was held for; null when it was not held. */
export function heldForOf(lastError: string | null): HeldFor | null {
  if (lastError === null) return null;
  const quiet = HELD_QUIET.exec(lastError);
  if (quiet !== null) return { kind: quiet[1] === 'maintenance' ? 'maintenance' : 'snooze', until: new Date(quiet[2]) };
  const parent = HELD_PARENT.exec(lastError);
  if (parent !== null) return { kind: 'parent', parentName: parent[1], parentDown: parent[2] === 'down' };
  return null;
}

/** The row fields the release rules read. */
export type LoggedAlert = Pick<Notification, 'id' | 'event' | 'channel' | 'channelId' | 'target' | 'createdAt' | 'state' | 'lastError' | 'attempts'> & {
  snapshot: Pick<Notification['snapshot'], 'status' | 'outageId'>;
};

/** The status an alert tells its channel: down for an outage or a reminder, up for a recovery, a flapping or settled alert's status. */
export function toldBy(n: Pick<LoggedAlert, 'event' | 'snapshot'>): 'up' | 'down' | null {
  if (n.event === 'monitor.down' || n.event === 'monitor.still_down') return 'down';
  if (n.event === 'monitor.up') return 'up';
  if (n.event === 'monitor.flapping' || n.event === 'monitor.settled') return n.snapshot.status ?? null;
  return null;
}

/** Whether two rows go to the same place: the same monitor field's value, or the same channel object. */
const sameTarget = (a: LoggedAlert, b: LoggedAlert): boolean => a.channel === b.channel && a.channelId === b.channelId && a.target === b.target;

const TOLD_STATES: ReadonlySet<Notification['state']> = new Set(['delivered', 'logged']);

/**
 * Whether a row held for a quiet period is sent now that the period has ended, given the monitor's
 * status and its recent delivery log (newest first). Only the newest status-bearing row for its
 * target can be, so one alert goes out however often the monitor changed meanwhile; and only when
 * it tells the status the monitor has now and that differs from what the target was last told
 * (`afterQuiet`). Otherwise the reason it is not sent.
 */
export function owedAfterQuiet(row: LoggedAlert, status: MonitorStatus, history: readonly LoggedAlert[]): { send: true } | { send: false; reason: string } {
  const mine = history.filter((n) => n.id !== row.id && sameTarget(n, row) && toldBy(n) !== null);
  // A reminder tells no change of status, so it replaces nothing.
  const replacing = (n: LoggedAlert) => n.event !== 'monitor.still_down' && n.state !== 'suppressed' && n.createdAt.getTime() > row.createdAt.getTime();
  if (mine.some(replacing)) {
    return { send: false, reason: 'not sent: a later alert of the same quiet period replaces it' };
  }
  const lastTold = mine.find((n) => TOLD_STATES.has(n.state));
  const toldStatus = lastTold === undefined ? null : toldBy(lastTold);
  const owed = afterQuiet({ status, toldStatus });
  const says = toldBy(row);
  if (owed !== null && says === (owed === 'monitor.down' ? 'down' : 'up')) return { send: true };
  const told = toldStatus === null ? 'was never told about it' : `was last told it is ${toldStatus}`;
  return { send: false, reason: `not sent: the monitor is ${status} now, and this channel ${told}` };
}

/**
 * What became of the down alert of the outage `row` belongs to, for the same target: `told` (sent,
 * or being sent), held for a `parent` or for a `quiet` period, `suppressed`, `undecided` while it
 * has not been looked at yet, or `unknown` when the log has none (an outage older than the log
 * read, or one that began while flapping).
 */
export type DownFate = 'told' | 'parent' | 'quiet' | 'suppressed' | 'undecided' | 'unknown';

export function downFate(row: LoggedAlert, history: readonly LoggedAlert[]): DownFate {
  const outage = row.snapshot.outageId;
  if (outage === undefined) return 'unknown';
  const down = history.find((n) => n.event === 'monitor.down' && sameTarget(n, row) && n.snapshot.outageId === outage);
  if (down === undefined) return 'unknown';
  if (down.state === 'suppressed') return 'suppressed';
  if (down.state === 'held') return heldForOf(down.lastError)?.kind === 'parent' ? 'parent' : 'quiet';
  if (down.state === 'processing' || (down.state === 'pending' && down.attempts === 0)) return 'undecided';
  return 'told';
}
