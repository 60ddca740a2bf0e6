import { DueScheduler } from '../../src/services/scheduler';

const INTERVAL_MS = 60_000;
const BUSY_RETRY_MS = 1_000;
const t0 = new Date('2026-03-28T02:00:00.000Z').getTime();

/**
 * The embedded checker's timer, on a fake clock: `due` is what the store would answer as its
 * earliest due time, and each run is recorded with the instant it started.
 */
function harness(options: { runMs?: number; failRun?: boolean } = {}) {
  const runs: number[] = [];
  const errors: unknown[] = [];
  let due: Date | null = null;
  let inRun = 0;
  let overlapped = false;
  const scheduler = new DueScheduler({
    run: async () => {
      runs.push(Date.now() - t0);
      inRun++;
      if (inRun > 1) overlapped = true;
      if (options.runMs) await new Promise((resolve) => setTimeout(resolve, options.runMs));
      inRun--;
      if (options.failRun) throw new Error('store unavailable');
    },
    nextDueAt: async () => due,
    clock: () => new Date(),
    maxWaitMs: INTERVAL_MS,
    busyRetryMs: BUSY_RETRY_MS,
    onError: (err) => errors.push(err),
  });
  return {
    scheduler,
    runs,
    errors,
    overlapped: () => overlapped,
    setDue: (ms: number | null) => {
      due = ms === null ? null : new Date(t0 + ms);
    },
    at: (ms: number) => new Date(t0 + ms),
  };
}

describe('the due-time scheduler', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: t0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('runs at start, then at the earliest stored due time instead of waiting the interval', async () => {
    const h = harness();
    h.setDue(2_500);
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(h.runs).toEqual([0]);
    await jest.advanceTimersByTimeAsync(2_499);
    expect(h.runs).toEqual([0]);
    h.setDue(null);
    await jest.advanceTimersByTimeAsync(1);
    expect(h.runs).toEqual([0, 2_500]);
    await h.scheduler.stop();
  });

  test('with nothing due it still sweeps once per interval, the safety net', async () => {
    const h = harness();
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    expect(h.runs).toEqual([0, INTERVAL_MS, 2 * INTERVAL_MS]);
    await h.scheduler.stop();
  });

  test('a far-off due time is capped at the interval', async () => {
    const h = harness();
    h.setDue(10 * INTERVAL_MS);
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(h.scheduler.nextRunAt).toBe(t0 + INTERVAL_MS);
    await h.scheduler.stop();
  });

  test('a wake earlier than the armed time moves the timer forward; a later one leaves it alone', async () => {
    const h = harness();
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(0);
    h.scheduler.wake(h.at(5_000));
    expect(h.scheduler.nextRunAt).toBe(t0 + 5_000);
    h.scheduler.wake(h.at(30_000));
    expect(h.scheduler.nextRunAt).toBe(t0 + 5_000);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(h.runs).toEqual([0, 5_000]);
    await h.scheduler.stop();
  });

  test('a wake in the past runs the checker at once', async () => {
    const h = harness();
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(10_000);
    h.scheduler.wake(h.at(3_000));
    expect(h.scheduler.nextRunAt).toBe(t0 + 10_000);
    await jest.advanceTimersByTimeAsync(0);
    expect(h.runs).toEqual([0, 10_000]);
    await h.scheduler.stop();
  });

  test('a wake during a run is kept: the next run starts right after it, never beside it', async () => {
    const h = harness({ runMs: 400 });
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(100);
    h.scheduler.wake(h.at(200));
    await jest.advanceTimersByTimeAsync(302);
    // The first run ends at 400; a zero-delay timer fires within a millisecond of that.
    expect(h.runs).toHaveLength(2);
    expect(h.runs[1]).toBeGreaterThanOrEqual(400);
    expect(h.runs[1]).toBeLessThanOrEqual(401);
    expect(h.overlapped()).toBe(false);
    await jest.advanceTimersByTimeAsync(400);
    await h.scheduler.stop();
  });

  test('something still due from before the run (a delivery backlog) is retried after a pause, not in a spin', async () => {
    const h = harness();
    h.setDue(-5_000);
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(2_500);
    expect(h.runs).toEqual([0, BUSY_RETRY_MS, 2 * BUSY_RETRY_MS]);
    await h.scheduler.stop();
  });

  test('a failing run is reported and retried by the periodic sweep', async () => {
    const h = harness({ failRun: true });
    h.setDue(1_000);
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(h.runs).toEqual([0]);
    expect(h.errors).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(h.runs).toEqual([0, INTERVAL_MS]);
    await h.scheduler.stop();
  });

  test('once stopped it runs nothing, whatever wakes it', async () => {
    const h = harness({ runMs: 100 });
    h.scheduler.start();
    await jest.advanceTimersByTimeAsync(50);
    const stopped = h.scheduler.stop();
    await jest.advanceTimersByTimeAsync(100);
    await stopped;
    h.scheduler.wake(h.at(0));
    await jest.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    expect(h.runs).toEqual([0]);
  });
});
