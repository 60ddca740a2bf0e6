/** Options of the embedded server's due-time scheduler. */
export interface DueSchedulerOptions {
  /** One checker run; the scheduler never starts a second beside it. */
  run: () => Promise<void>;
  /** The earliest stored due time (`Store.nextDueAt`), asked after every run. */
  nextDueAt: () => Promise<Date | null>;
  clock: () => Date;
  /** The longest wait between runs: the periodic sweep that catches whatever no wake announced. */
  maxWaitMs: number;
  /**
   * The wait after a run that left behind something due before it started: a delivery backlog
   * that the dispatcher works through as its sends finish, or rows it set aside. Waking at once
   * would spin.
   */
  busyRetryMs: number;
  /** Told when a run or `nextDueAt` fails; the scheduler then waits for the periodic sweep. */
  onError: (err: unknown) => void;
}

/**
 * Runs the checker when something is due rather than on a fixed poll: one timer, armed at the
 * earliest stored due time (a monitor's `alertAt`, an alert's `nextAttemptAt`) and never later
 * than `maxWaitMs` away. Writes that may make something due sooner call `wake(at)`; that costs a
 * comparison unless `at` is earlier than the armed time, so routine pings move no timer. Runs
 * never overlap: a wake during a run is kept and folded into the arming after it.
 */
export class DueScheduler {
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (epoch ms); Infinity while none is armed. */
  private armedAt = Infinity;
  private running: Promise<void> | null = null;
  /** The earliest wake announced during the current run. */
  private wokenAt = Infinity;
  private stopped = false;

  constructor(private readonly options: DueSchedulerOptions) {}

  /** Runs at once, then whenever something is due. */
  start(): void {
    this.arm(this.now());
  }

  /** Something may be due at `at` (a deadline armed, an alert queued, a retry scheduled). */
  wake(at: Date): void {
    const t = at.getTime();
    if (this.running !== null) {
      if (t < this.wokenAt) this.wokenAt = t;
      return;
    }
    if (t < this.armedAt) this.arm(t);
  }

  /** When the next run starts (epoch ms), Infinity during a run or once stopped. */
  get nextRunAt(): number {
    return this.armedAt;
  }

  /** Runs nothing more; resolves once a run in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.running;
  }

  private now = () => this.options.clock().getTime();

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Infinity;
  }

  /** Arms the one timer at `at`, clamped to now and to the longest wait. */
  private arm(at: number): void {
    this.disarm();
    if (this.stopped) return;
    const now = this.now();
    const fireAt = Math.min(Math.max(at, now), now + this.options.maxWaitMs);
    this.armedAt = fireAt;
    this.timer = setTimeout(() => this.fire(), fireAt - now);
  }

  private fire(): void {
    this.timer = null;
    this.armedAt = Infinity;
    this.running = this.runAndRearm();
  }

  /** One run, then when the next is due (epoch ms; Infinity: only the periodic sweep). */
  private async runOnce(): Promise<number> {
    const startedAt = this.now();
    await this.options.run();
    const due = await this.options.nextDueAt();
    if (due === null) return Infinity;
    return due.getTime() <= startedAt ? this.now() + this.options.busyRetryMs : due.getTime();
  }

  private async runAndRearm(): Promise<void> {
    const next = await this.runOnce().catch((err: unknown) => {
      // A failing store is retried by the periodic sweep, not in a tight loop.
      this.options.onError(err);
      return Infinity;
    });
    // In the same turn as clearing `running`, so no wake can fall between the two.
    this.running = null;
    const woken = this.wokenAt;
    this.wokenAt = Infinity;
    this.arm(Math.min(next, woken));
  }
}
