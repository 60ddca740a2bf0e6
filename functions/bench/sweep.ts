/**
 * Sweep scale: SQLite databases with 10k, 100k and 1M monitors (BENCH_SWEEP_SIZES), 1 % of them
 * due. Times the checker's sweep per due monitor (each flips down and queues its e-mail alert;
 * a batch of 200 per transaction, as `runCheck` does it), and an idle sweep (nothing due) at each
 * size. The baseline, from the same run, is the cost of a bare `SELECT 1` on the same connection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import inspector from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { jsonLogger } from '../src/log';
import { sweepDueMonitors } from '../src/services/checker';
import { SqliteStore } from '../src/store/sqlite';
import { seedMonitorsDirect } from './seed';

const SIZES = (process.env.BENCH_SWEEP_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const DUE_SHARE = 0.01;
const IDLE_REPEATS = 50;
/** BENCH_SWEEP_PROF=<dir>: a CPU profile of each size's due sweep alone (summarise it with bench/profile.ts). */
const PROFILE_DIR = process.env.BENCH_SWEEP_PROF;
const INLINE = process.env.CRONPEEK_SQLITE_CHECKPOINTS === 'inline';

export interface SweepSize {
  monitors: number;
  due: number;
  setupS: number;
  /** Median of IDLE_REPEATS sweeps with nothing due. */
  idleSweepMs: number;
  /** Median of IDLE_REPEATS `SELECT 1` on the same database: the floor of any query. */
  floorMs: number;
  dueSweepMs: number;
  flipped: number;
  usPerDue: number;
  /** This process's CPU time per due monitor: steadier than wall time on a loaded machine. */
  cpuUsPerDue: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Monitors are written straight into the schema in one transaction (a million store calls would
 * take minutes and measure nothing the sweep does): all up, pinged an hour ago; the due ones'
 * deadline passed a minute ago, the rest are due tomorrow.
 */
function seed(dbPath: string, monitors: number, due: number, now: number): void {
  const every = Math.round(1 / DUE_SHARE);
  seedMonitorsDirect(dbPath, {
    accountId: 'bench-account', email: 'bench@example.com', monitors, schedule: 3600, grace: 60, now,
    name: (i) => `job ${i}`,
    // Due ones are spread through the table, not clustered at its start.
    alertAt: (i) => (i % every === 0 && i / every < due ? now - 60_000 : now + 86_400_000 + i),
  });
}

/**
 * BENCH_SWEEP_REPEATS=n: each size is seeded and swept n times and the fastest run is kept. On a
 * shared machine a run's time is mostly what the neighbours did meanwhile; the best of several is
 * the closest to the sweep's own cost.
 */
const REPEATS = Number(process.env.BENCH_SWEEP_REPEATS ?? 1);

export async function sweepBench(): Promise<SweepSize[]> {
  const results: SweepSize[] = [];
  for (const monitors of SIZES) {
    const runs: SweepSize[] = [];
    for (let i = 0; i < REPEATS; i++) runs.push(await sweepOnce(monitors));
    results.push(runs.reduce((best, r) => (r.usPerDue < best.usPerDue ? r : best)));
  }
  return results;
}

async function sweepOnce(monitors: number): Promise<SweepSize> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-sweep-'));
  try {
    const dbPath = path.join(dir, 'bench.db');
    const now = Date.parse('2026-03-28T12:00:00.000Z');
    const due = Math.round(monitors * DUE_SHARE);
    const started = performance.now();
    seed(dbPath, monitors, due, now);
    const setupS = (performance.now() - started) / 1000;

    // As the server runs once it has been up for 2 s: WAL checkpoints in the worker thread, unless
    // CRONPEEK_SQLITE_CHECKPOINTS=inline (the process CPU below then includes the worker's).
    const store = new SqliteStore(dbPath, { checkpoints: INLINE ? 'inline' : { startAfterMs: 0 } });
    const floorDb = new Database(dbPath, { readonly: true });
    const one = floorDb.prepare('SELECT 1');
    const idle: number[] = [];
    const floor: number[] = [];
    const before = new Date(now - 120_000); // nothing is due yet
    for (let i = 0; i < IDLE_REPEATS; i++) {
      let t = performance.now();
      const pass = await sweepDueMonitors({ store, log: jsonLogger }, before);
      idle.push(performance.now() - t);
      if (pass.due !== 0) throw new Error(`idle sweep found ${pass.due} due monitors`);
      t = performance.now();
      one.get();
      floor.push(performance.now() - t);
    }
    floorDb.close();

    const profiler = PROFILE_DIR ? new inspector.Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 50 });
      await profiler.post('Profiler.start');
    }
    let flipped = 0;
    const t = performance.now();
    const cpu = process.cpuUsage();
    for (;;) {
      const pass = await sweepDueMonitors({ store, log: jsonLogger }, new Date(now));
      flipped += pass.flipped;
      if (pass.due === 0) break;
    }
    const dueSweepMs = performance.now() - t;
    const { user, system } = process.cpuUsage(cpu);
    if (profiler && PROFILE_DIR) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.mkdirSync(PROFILE_DIR, { recursive: true });
      fs.writeFileSync(path.join(PROFILE_DIR, `sweep-${monitors}.cpuprofile`), JSON.stringify(profile));
      profiler.disconnect();
    }
    await store.close();
    return { monitors, due, setupS, idleSweepMs: median(idle), floorMs: median(floor), dueSweepMs, flipped, usPerDue: (dueSweepMs * 1000) / Math.max(flipped, 1), cpuUsPerDue: (user + system) / Math.max(flipped, 1) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printSweepBench(rows: SweepSize[]): void {
  console.log(
    `2. Sweep scale (SQLite, 1 % of monitors due; each due monitor flips down and queues its e-mail alert; WAL checkpoints ${INLINE ? 'inline' : 'in the worker thread'})`,
  );
  console.log('  monitors     due   sweep of the due   per due monitor (CPU)   idle sweep   baseline SELECT 1');
  for (const r of rows) {
    console.log(
      `  ${String(r.monitors).padStart(8)}  ${String(r.flipped).padStart(6)}   ${r.dueSweepMs.toFixed(0).padStart(10)} ms   ${r.usPerDue.toFixed(1).padStart(8)} µs (${r.cpuUsPerDue.toFixed(0).padStart(3)} µs)   ` +
        `${r.idleSweepMs.toFixed(3).padStart(7)} ms   ${r.floorMs.toFixed(3).padStart(10)} ms`,
    );
  }
}

if (require.main === module) {
  sweepBench()
    .then(printSweepBench)
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
