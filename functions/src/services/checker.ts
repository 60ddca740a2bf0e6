import { performance } from 'node:perf_hooks';
import { transition } from '../domain/transitions';
import { forEachConcurrently } from './concurrency';
import type { Deps } from './context';
import { deliverDueNotifications, type DeliveryReport } from './delivery';

const SWEEP_BATCH = 200;
const SWEEP_PARALLEL = 8;
const PURGE_BATCH = 5_000;
/** How long a monitor whose processing failed is set aside before the checker tries it again. */
export const FAULT_RETRY_MS = 5 * 60_000;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * One pass over the monitors whose deadline has passed: each is turned `down` by the shared
 * transition inside its own transaction. A monitor pinged (or already flipped by an overlapping
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
  delivery: DeliveryReport;
  pingsPurged: number;
  /** True when the time budget ran out with work left; the next run picks it up. */
  unfinished: boolean;
}

/**
 * One checker run, as the scheduled function and the embedded timer both call it: sweep due
 * monitors, deliver due notifications, purge expired pings, each in batches until done or the
 * time budget is spent.
 */
export async function runCheck(deps: Deps, options: { budgetMs: number }): Promise<CheckReport> {
  const started = performance.now();
  const withinBudget = () => performance.now() - started < options.budgetMs;
  const now = deps.clock();
  const report: CheckReport = {
    at: now.toISOString(),
    due: 0,
    flipped: 0,
    failed: 0,
    delivery: { attempted: 0, delivered: 0, logged: 0, retrying: 0, failed: 0 },
    pingsPurged: 0,
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
  for (;;) {
    // Delivery reads the clock per batch: sending takes real time and leases are measured against it.
    const batch = await deliverDueNotifications(deps, deps.clock());
    for (const k of Object.keys(batch) as Array<keyof DeliveryReport>) report.delivery[k] += batch[k];
    if (batch.attempted === 0 || !withinBudget()) break;
  }
  report.pingsPurged = await deps.store.purgeExpiredPings(now, PURGE_BATCH);
  report.unfinished = !withinBudget();
  return report;
}
