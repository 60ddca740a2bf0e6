import { MemoryRateLimiter, TABLE_CAPACITY, type Rules } from '../../src/limits';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const RULES: Rules = {
  failedAuth: { limit: 3, windowSeconds: 600 },
  recoveryByEmail: { limit: 3, windowSeconds: 3600 },
  ping: { limit: 100, windowSeconds: 60 },
  unknownPing: { limit: 100, windowSeconds: 60 },
};

/** What a sweep through made-up ping tokens leaves in the limiter: one ping counter per token. */
async function floodPingTokens(limiter: MemoryRateLimiter, count: number, now: Date): Promise<void> {
  for (let i = 0; i < count; i++) await limiter.take('ping', `made-up-token-${i}`, now);
}

describe('the in-memory limiter cannot be flushed', () => {
  test('110,000 made-up ping tokens leave a locked-out address locked out and an e-mail’s recovery limit in place', async () => {
    const limiter = new MemoryRateLimiter(RULES);
    for (let i = 0; i < 3; i++) await limiter.take('failedAuth', '203.0.113.66', at(0));
    for (let i = 0; i < 3; i++) await limiter.take('recoveryByEmail', 'victim@example.com', at(0));
    expect(await limiter.check('failedAuth', '203.0.113.66', at(0))).toMatchObject({ allowed: false });

    await floodPingTokens(limiter, 110_000, at(1));

    expect(await limiter.check('failedAuth', '203.0.113.66', at(2))).toMatchObject({ allowed: false });
    expect(await limiter.take('recoveryByEmail', 'victim@example.com', at(2))).toMatchObject({ allowed: false });
    expect(limiter.size).toBeLessThanOrEqual(2 * TABLE_CAPACITY);
  });

  test('a ping table full of live counters lets new ping tokens through uncounted, refuses new unknown-ping addresses until the first window ends; counted keys go on', async () => {
    const limiter = new MemoryRateLimiter(RULES, 50);
    await limiter.take('ping', 'known', at(0));
    await floodPingTokens(limiter, 49, at(10));

    // An hour boundary fills the table with real monitors' counters: the next job's ping still
    // goes through (refusing it would lose it), without a counter of its own.
    expect(await limiter.take('ping', 'new', at(20))).toEqual({ allowed: true, retryAfterSeconds: 40 });
    expect(limiter.size).toBe(50);
    expect(await limiter.take('unknownPing', '198.51.100.7', at(20))).toMatchObject({ allowed: false, full: true });
    expect(await limiter.take('ping', 'known', at(20))).toEqual({ allowed: true, retryAfterSeconds: 40 });
    // Sign-ups, failed authentications and recovery have a table of their own.
    expect(await limiter.take('failedAuth', '198.51.100.7', at(20))).toMatchObject({ allowed: true });

    // The window ended: its counters are dropped and new keys are counted again.
    expect(await limiter.take('ping', 'new', at(60))).toEqual({ allowed: true, retryAfterSeconds: 60 });
  });

  test('a client table full of live counters refuses new keys rather than forget the counter of a locked-out address', async () => {
    const limiter = new MemoryRateLimiter(RULES, 10);
    for (let i = 0; i < 3; i++) await limiter.take('failedAuth', '203.0.113.66', at(0));
    for (let i = 0; i < 9; i++) await limiter.take('failedAuth', `198.51.100.${i}`, at(1));

    expect(await limiter.take('failedAuth', '192.0.2.1', at(2))).toEqual({ allowed: false, retryAfterSeconds: 598, full: true });
    expect(await limiter.check('failedAuth', '203.0.113.66', at(2))).toMatchObject({ allowed: false });
  });
});
