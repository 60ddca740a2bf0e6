import { performance } from 'node:perf_hooks';
import { PING_BODY_CHECK_BYTES, PLANS, type PlanId } from '../domain/plans';
import { transition } from '../domain/transitions';
import type { BodyBudget } from '../store/port';
import { forEachConcurrently } from './concurrency';
import type { Deps } from './context';
import { deliverDueNotifications, emptyReport, type DeliveryDispatcher, type DeliveryReport } from './delivery';

const SWEEP_BATCH = 200;
const SWEEP_PARALLEL = 8;
const PURGE_BATCH = 5_000;
/** Each plan's budget for stored ping bodies, as the stores take it. */
const BODY_BUDGET: BodyBudget = {
  bytes: Object.fromEntries(Object.values(PLANS).map((p) => [p.id, p.pingBodyBytes])) as Record<PlanId, number>,
  checkEvery: PING_BODY_CHECK_BYTES,
};
/** How long a monitor whose processing failed is set aside before the checker tries it again. */
export const FAULT_RETRY_MS = 5 * 60_000;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * One pass over the monitors whose deadline has passed: each is turned `down` by the shared
 * transition inside its own transaction (a flapping monitor that has held its status long enough
 * settles instead: its `alertAt` is that moment, see `nextAlertAt`). A monitor pinged (or already flipped by an overlapping
 * sweep) since the query simply does not transition; that is a lost race, not an error.
 * Returns how many monitors were due and how many this pass flipped.
 */
export async function sweepDueMonitors(
  deps: Pick<Deps, 'store' | 'log'>,
  now: Date,
  limit = SWEEP_BATCH,
): Promise<{ due: number; flipped: number; failed: number }> {
  const ids = await deps.store.findDueMonitors(now, limit);
  let flipped = 0;
  let failed = 0;
  // Each flip is its own transaction; a few at once keep a mass outage from taking minutes on Firestore.
  await forEachConcurrently(ids, deps.store.sweepParallelism ?? SWEEP_PARALLEL, async (id) => {
    try {
      const applied = await deps.store.updateMonitor(id, (m) => transition(m, 'deadline', now));
      if (applied?.transition?.flip) flipped++;
    } catch (err) {
      // One monitor that cannot be processed (a bad row, a store error) must not hold back the
      // others: set it aside for a while, so it neither blocks the batch nor spins every run.
      failed++;
      const until = new Date(now.getTime() + FAULT_RETRY_MS);
      deps.log.error('monitor check failed; set aside', { monitor: id, error: errorText(err), retryAt: until.toISOString() });
      await deps.store.postponeMonitor(id, until).catch((postponeErr: unknown) => {
        deps.log.error('monitor could not be set aside', { monitor: id, error: errorText(postponeErr) });
      });
    }
  });
  return { due: ids.length, flipped, failed };
}

export interface CheckReport {
  at: string;
  due: number;
  flipped: number;
  /** Due monitors whose processing threw; each was logged and set aside for FAULT_RETRY_MS. */
  failed: number;
  /** With a long-lived dispatcher: what it did since the previous run (claims made, sends finished). */
  delivery: DeliveryReport;
  pingsPurged: number;
  /** Pings, flips and notifications of deleted monitors and accounts removed by this run. */
  leftoversRemoved: number;
  /** Pings whose bodies were dropped to keep their accounts within their body budget. */
  bodiesTrimmed: number;
  /** True when the time budget ran out with work left; the next run picks it up. */
  unfinished: boolean;
}

/** Delivers and waits for every send, claiming nothing new once the budget is spent. */
async function deliverWithinBudget(deps: Deps, withinBudget: () => boolean): Promise<DeliveryReport> {
  const total = emptyReport();
  for (;;) {
    // Each round reads the clock: sending takes real time, and retries may have come due meanwhile.
    const round = await deliverDueNotifications(deps, deps.clock(), { keepClaiming: withinBudget });
    for (const k of Object.keys(round) as Array<keyof DeliveryReport>) total[k] += round[k];
    if (round.attempted === 0 || !withinBudget()) return total;
  }
}

export interface CheckOptions {
  budgetMs: number;
  /**
   * The embedded server's dispatcher, which lives across runs: the run fills its free slots and
   * goes on without waiting for the sends, so a target that never answers cannot hold up the
   * next sweep. Without one (the scheduled function) the run delivers and waits for every send.
   */
  delivery?: DeliveryDispatcher;
  /** False to skip `boundStorage` this run (the embedded server's due-time runs); default true. */
  boundStorage?: boolean;
}

/**
 * One checker run, as the scheduled function and the embedded timer both call it: sweep due
 * monitors, deliver due notifications, then keep storage bounded (`boundStorage`), each in
 * batches until done or the time budget is spent.
 */
export async function runCheck(deps: Deps, options: CheckOptions): Promise<CheckReport> {
  const started = performance.now();
  const withinBudget = () => performance.now() - started < options.budgetMs;
  const now = deps.clock();
  const report: CheckReport = {
    at: now.toISOString(),
    due: 0,
    flipped: 0,
    failed: 0,
    delivery: emptyReport(),
    pingsPurged: 0,
    leftoversRemoved: 0,
    bodiesTrimmed: 0,
    unfinished: false,
  };
  for (;;) {
    const pass = await sweepDueMonitors(deps, now);
    report.due += pass.due;
    report.flipped += pass.flipped;
    report.failed += pass.failed;
    if (pass.due < SWEEP_BATCH) break;
    if (!withinBudget()) return { ...report, unfinished: true };
  }
  if (options.delivery) {
    await options.delivery.fill();
    report.delivery = options.delivery.takeReport();
  } else {
    report.delivery = await deliverWithinBudget(deps, withinBudget);
  }
  if (options.boundStorage !== false) Object.assign(report, await boundStorage(deps, now, withinBudget));
  report.unfinished = !withinBudget();
  return report;
}

/** Resolves on the next turn of the event loop: on the embedded server, requests waiting for it go first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Keeps storage bounded, each step in batches while the budget lasts: expired pings go, what
 * deleted monitors and accounts left is removed, and accounts past their body budget lose their
 * oldest bodies. Work left over is the next run's.
 */
async function boundStorage(
  deps: Deps,
  now: Date,
  withinBudget: () => boolean,
): Promise<Pick<CheckReport, 'pingsPurged' | 'leftoversRemoved' | 'bodiesTrimmed'>> {
  let pingsPurged = 0;
  for (;;) {
    const purged = await deps.store.purgeExpiredPings(now, PURGE_BATCH);
    pingsPurged += purged;
    if (purged < PURGE_BATCH || !withinBudget()) break;
    await nextTurn();
  }
  const leftoversRemoved = withinBudget() ? await deps.store.finishDeletions(withinBudget) : 0;
  const bodiesTrimmed = withinBudget() ? await deps.store.trimPingBodies(BODY_BUDGET, withinBudget) : 0;
  return { pingsPurged, leftoversRemoved, bodiesTrimmed };
}
