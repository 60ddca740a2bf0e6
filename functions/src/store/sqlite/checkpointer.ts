import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the event loop (issue 24).
 *
 * SQLite's default runs a checkpoint inside the COMMIT that takes the WAL past 1,000 pages: that
 * commit then copies every page the WAL holds into the database file and fsyncs both files, on
 * the thread that serves HTTP. A sweep of 1,000 due monitors in a 100k-monitor file paid about
 * 22 µs per due monitor for it (77 µs with it, 53–58 µs without), and every ping waiting on that
 * commit waited for the fsyncs.
 *
 * So the store's own connection checkpoints only as a backstop (below), and a worker thread with
 * a connection of its own does it in the background: every `intervalMs` it asks
 * `PRAGMA data_version` whether another connection committed since its last look, and if so runs
 * a PASSIVE checkpoint, which copies what it can without taking the write lock and never waits.
 *
 * What is durable when a 2xx is sent is unchanged: a commit is in the WAL when the store answers,
 * with or without this. A checkpoint only copies committed pages into the database file.
 *
 * The WAL starts over from its beginning only when a writer starts while every frame has been
 * copied; under writes that never pause, a passive checkpoint keeps finishing just behind the
 * newest commit, and the WAL would keep growing. So once it holds `restartAbovePages` (2,000
 * pages, 8 MB) and a passive checkpoint has copied all of it, the worker runs a RESTART
 * checkpoint: it waits for the writer's current transaction, holds the next one back while it
 * copies the few pages committed meanwhile, and the next commit writes from the WAL's start. And
 * a worker on a slow disk can fall behind altogether: the store's connection keeps SQLite's own
 * checkpoint as a backstop at `inlineAbovePages` (10,000 pages, 40 MB) instead of 1,000; past it,
 * commits checkpoint inline as before, which also slows the writer down to what the disk takes.
 * If the worker cannot start or dies, the store goes back to SQLite's default of 1,000 pages
 * (`onFailure`). The worker starts `startAfterMs` (2 s) after the store opens: a store that lives
 * less (an admin command, most tests) never needs it.
 *
 * On 2 cores shared with the load generator, the worker's copying competes for the CPU: under the
 * 100k-monitor burst it absorbs pings about 20 % faster but roughly doubles their p99 (≈ 50 ms
 * against ≈ 25 ms); see docs/performance.md.
 */
export interface CheckpointerOptions {
  /** How long after the store opens the worker starts (until then SQLite's own checkpoints run). */
  startAfterMs?: number;
  /** How often the worker looks for new commits. */
  intervalMs?: number;
  /** WAL size, in pages, from which the worker, having copied every page, waits for the writer to let the WAL start over (RESTART). */
  restartAbovePages?: number;
  /** WAL size, in pages, past which the store's own commits checkpoint again (the backstop). */
  inlineAbovePages?: number;
}

export const CHECKPOINT_DEFAULTS: Required<CheckpointerOptions> = { startAfterMs: 2000, intervalMs: 200, restartAbovePages: 2000, inlineAbovePages: 10_000 };

/** What the worker reports after each checkpoint it ran (the three columns of `PRAGMA wal_checkpoint`). */
export interface CheckpointReport {
  mode: 'PASSIVE' | 'RESTART';
  busy: number;
  log: number;
  checkpointed: number;
}

// Plain JavaScript, run with `eval`, so that it works the same from the TypeScript sources (tests)
// and the built `lib/`: it needs nothing but the driver, whose resolved path it is given.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// It waits only on itself: a look that finds the file busy (a WAL being recovered) waits here, not in the store.
db.pragma('busy_timeout = 1000');
let seen = db.pragma('data_version', { simple: true });
let timer = null;
function tick() {
  const version = db.pragma('data_version', { simple: true });
  if (version !== seen) {
    seen = version;
    let mode = 'PASSIVE';
    let row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    if (row.log >= workerData.restartAbovePages && row.checkpointed === row.log) {
      mode = 'RESTART';
      row = db.pragma('wal_checkpoint(RESTART)')[0];
    }
    if (workerData.report) parentPort.postMessage({ mode, busy: row.busy, log: row.log, checkpointed: row.checkpointed });
  }
  timer = setTimeout(tick, workerData.intervalMs);
}
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
tick();
`;

export class Checkpointer {
  private readonly worker: Worker;
  private stopped = false;
  /** Settles once the worker has exited, for whatever reason. */
  private readonly exited: Promise<void>;

  /**
   * Starts the worker on `file`. `onFailure` runs at most once, if the worker fails to start or
   * stops without being asked to; `onReport` sees each checkpoint it runs (tests and benchmarks).
   */
  constructor(
    file: string,
    onFailure: (err: unknown) => void,
    options: CheckpointerOptions & { onReport?: (r: CheckpointReport) => void } = {},
  ) {
    const intervalMs = options.intervalMs ?? CHECKPOINT_DEFAULTS.intervalMs;
    const restartAbovePages = options.restartAbovePages ?? CHECKPOINT_DEFAULTS.restartAbovePages;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file, intervalMs, restartAbovePages, report: options.onReport !== undefined },
      // A checkpoint needs little memory of its own: keep the thread's heap small (RSS target).
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    // The process may exit while the worker idles between looks (a store never closed).
    this.worker.unref();
    let failed = false;
    const fail = (err: unknown) => {
      if (failed || this.stopped) return;
      failed = true;
      onFailure(err);
    };
    // The worker posts only its reports, and only when `onReport` was given.
    this.worker.on('message', (m: CheckpointReport) => options.onReport?.(m));
    this.worker.on('error', fail);
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        fail(new Error(`checkpoint worker exited with code ${code}`));
        resolve();
      });
    });
  }

  /** Asks the worker to close its connection and waits for it to exit (at most `timeoutMs`, then it is terminated). */
  async stop(timeoutMs = 2000): Promise<void> {
    if (this.stopped) return this.exited;
    this.stopped = true;
    this.worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    if ((await Promise.race([this.exited, late])) === 'late') await this.worker.terminate();
    clearTimeout(timer);
    await this.exited;
  }
}
