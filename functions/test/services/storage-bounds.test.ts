import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLANS } from '../../src/domain/plans';
import { runCheck } from '../../src/services/checker';
import { createMonitor } from '../../src/services/monitors';
import { FAILURE_BODY_LIMIT, recordPing, SUCCESS_BODY_LIMIT, type PingInput } from '../../src/services/ping';
import type { Monitor } from '../../src/domain/types';
import type { InspectableStore } from '../../src/store/inspection';
import { SqliteStore } from '../../src/store/sqlite';
import { testDeps } from '../support/deps';
import { makeAccount } from '../support/factories';
import { storeKinds } from '../support/stores';

const ping = (m: Monitor, body: string | null, extra: Partial<PingInput> = {}): PingInput => ({
  token: m.pingToken,
  method: 'POST',
  source: '203.0.113.9',
  userAgent: 'cron',
  body: body === null ? null : Buffer.from(body),
  ...extra,
});

/** Every ping of the monitor, newest first. */
const allPings = (store: InspectableStore, m: Monitor) => store.listPings(m.id, 100_000);

describe.each(storeKinds())('ping bodies on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  test('a success or a start keeps the first 1 KB of its body, a failure (by /fail or exit code) 10 KB', async () => {
    const deps = testDeps(store);
    const account = makeAccount();
    await store.createAccount(account);
    const m = await createMonitor(deps, account, { name: 'Backup', schedule: 3600 });
    const long = 'x'.repeat(FAILURE_BODY_LIMIT + 100);
    await recordPing(deps, ping(m, long, { kind: 'start' }));
    deps.fakeClock.advance(1);
    await recordPing(deps, ping(m, long));
    deps.fakeClock.advance(1);
    await recordPing(deps, ping(m, long, { kind: 'fail' }));
    deps.fakeClock.advance(1);
    await recordPing(deps, ping(m, long, { kind: 'fail', exitCode: 3 }));
    deps.fakeClock.advance(1);
    await recordPing(deps, ping(m, 'y'.repeat(SUCCESS_BODY_LIMIT), { exitCode: 0 }));

    const kept = (await allPings(store, m)).reverse().map((p) => [p.kind, p.body?.length, p.bodyTruncated]);
    expect(kept).toEqual([
      ['start', SUCCESS_BODY_LIMIT, true],
      ['success', SUCCESS_BODY_LIMIT, true],
      ['fail', FAILURE_BODY_LIMIT, true],
      ['fail', FAILURE_BODY_LIMIT, true],
      ['success', SUCCESS_BODY_LIMIT, false],
    ]);
  });
});

/**
 * What a checker run does to keep storage bounded, on the embedded server's SQLite (the batches
 * are the point; Firestore runs the same steps, checked by the store contract).
 */
describe('a checker run on sqlite', () => {
  let dir: string;
  let store: InspectableStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bounds-'));
    store = new SqliteStore(path.join(dir, 'cronpeek.db'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A Free account's monitor and `count` pings ten seconds apart, each with a body of `bodyBytes`, written through the ping service. */
  async function pinged(count: number, bodyBytes: number) {
    const deps = testDeps(store, { plan: 'free' });
    const account = makeAccount();
    await store.createAccount(account);
    const m = await createMonitor(deps, account, { name: 'Every minute', schedule: 60 });
    for (let i = 0; i < count; i += 500) {
      // Pings sent together share one group commit.
      const at = deps.fakeClock.now().getTime();
      await Promise.all(
        Array.from({ length: Math.min(500, count - i) }, (_, j) => {
          deps.fakeClock.set(new Date(at + j * 10_000).toISOString());
          return recordPing(deps, ping(m, bodyBytes > 0 ? String(i + j).padEnd(bodyBytes, '.') : null));
        }),
      );
      deps.fakeClock.set(new Date(at + 500 * 10_000).toISOString());
    }
    return { deps, m };
  }

  test('purges every expired ping, not only a first batch of 5,000', async () => {
    const { deps, m } = await pinged(12_000, 0);
    // A week of history on Free: a week and a day on, everything has expired.
    deps.fakeClock.advance(8 * 86_400);
    const report = await runCheck(deps, { budgetMs: 60_000 });
    expect(report).toMatchObject({ pingsPurged: 12_000, unfinished: false });
    expect(await allPings(store, m)).toEqual([]);
  });

  test('trims an account past its plan’s body budget, oldest bodies first', async () => {
    const budget = PLANS.free.pingBodyBytes;
    const count = Math.ceil(budget / SUCCESS_BODY_LIMIT) + 260;
    const { deps, m } = await pinged(count, SUCCESS_BODY_LIMIT);
    const report = await runCheck(deps, { budgetMs: 60_000 });
    expect(report.bodiesTrimmed).toBe(260);
    const pings = (await allPings(store, m)).reverse();
    expect(pings.slice(0, 260).every((p) => p.body === null && p.bodyTruncated)).toBe(true);
    expect(pings.slice(260).every((p) => p.body?.length === SUCCESS_BODY_LIMIT)).toBe(true);
  });

  test('finishes a deletion that a restart cut short', async () => {
    const { deps, m } = await pinged(3_000, 0);
    expect(await store.deleteMonitor(m.id)).toBe(true);
    // Closed before the background removal's first batch, as a restart would cut it short.
    await store.close();
    store = new SqliteStore(path.join(dir, 'cronpeek.db'));
    expect(await allPings(store, m)).toHaveLength(3_000);
    const report = await runCheck(testDeps(store, { clock: deps.fakeClock }), { budgetMs: 60_000 });
    // The 3,000 pings and the monitor's one flip (to up).
    expect(report.leftoversRemoved).toBe(3_001);
    expect(await allPings(store, m)).toEqual([]);
  });
});
