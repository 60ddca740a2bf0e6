/**
 * Firestore cost check: the reads, writes and deletes each store operation is billed for,
 * counted on the wire (gRPC) against the official emulator, with a few hundred idle monitors
 * around to show that sweeps do not pay for them. Prints a table; asserts nothing (the figures
 * that matter are also asserted in test/firestore/adapter.test.ts).
 *   npm run bench:firestore          (from functions/; starts the emulator unless FIRESTORE_EMULATOR_HOST is set)
 *   BENCH_IDLE_MONITORS=2000 npm run bench:firestore
 */
import { transition } from '../src/domain/transitions';
import type { Account, Monitor } from '../src/domain/types';
import { jsonLogger } from '../src/log';
import { runCheck, sweepDueMonitors } from '../src/services/checker';
import { hashApiKey, newApiKey } from '../src/services/secrets';
import { DEFAULT_RULES } from '../src/limits';
import { cloudLimiter } from '../src/store/firestore/limits';
import type { PingData } from '../src/store/port';
import { testDeps } from '../test/support/deps';
import { FakeClock } from '../test/support/clock';
import { makeAccount, makeMonitor } from '../test/support/factories';
import { clearProject, findEmulatorLauncher, startEmulator, stopEmulator, type StartedEmulator } from '../test/support/emulator';
import { openMeteredStore, type Usage } from '../test/firestore/support/usage';

const IDLE_MONITORS = Number(process.env.BENCH_IDLE_MONITORS ?? 300);
const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const pingData = (when: Date): PingData => ({ at: when, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '203.0.113.9', userAgent: 'curl/8', body: null });

async function emulatorHost(): Promise<{ host: string; started: StartedEmulator | null }> {
  if (process.env.FIRESTORE_EMULATOR_HOST) return { host: process.env.FIRESTORE_EMULATOR_HOST, started: null };
  const launcher = findEmulatorLauncher();
  if (launcher === null) throw new Error('no Firestore emulator: install google-cloud-cli-firestore-emulator or set FIRESTORE_EMULATOR_HOST');
  const started = await startEmulator(launcher);
  process.env.FIRESTORE_EMULATOR_HOST = started.host;
  return { host: started.host, started };
}

async function main() {
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const { host, started } = await emulatorHost();
  const projectId = `demo-cronpeek-bench-${Date.now()}`;
  const { store, meter } = openMeteredStore(projectId);
  const rows: Array<[string, Usage]> = [];
  const measure = async (label: string, op: () => Promise<unknown>) => {
    meter.take();
    await op();
    rows.push([label, meter.take()]);
  };
  try {
    const apiKey = newApiKey();
    const account: Account = makeAccount({ apiKeyHash: hashApiKey(apiKey), plan: 'pro' });
    await measure('sign up (createAccount)', () => store.createAccount(account));
    await measure('authenticate (findAccountByKeyHash)', () => store.findAccountByKeyHash(account.apiKeyHash));

    // Monitors that exist but are nowhere near due: the sweep must not pay for them.
    for (let i = 0; i < IDLE_MONITORS; i++) {
      await store.createMonitor(makeMonitor({ accountId: account.id, status: 'up', lastPingAt: t0, pingCount: 1, alertAt: at(86_400 + i) }), null);
    }
    const watched: Monitor = makeMonitor({ accountId: account.id, alertWebhook: 'https://hooks.example.com/cronpeek' });
    await measure('create monitor (createMonitor)', () => store.createMonitor(watched, null));
    const pingAt = (s: number) => store.recordPing(watched.pingToken, pingData(at(s)), (m) => transition(m, 'ping', at(s)));

    await measure('first ping: new -> up (flip, no alert)', () => pingAt(0));
    await measure('routine ping: up, deadline far ahead', () => pingAt(60));
    // The per-token ping limit, on by default, as the Cloud Functions API counts it (cloudLimiter).
    const limiter = cloudLimiter(store.db, DEFAULT_RULES);
    await measure('routine ping with its rate limit, as the API function runs it', async () => {
      await limiter.take('ping', watched.pingToken, at(90));
      await pingAt(90);
    });
    await measure('ping rate limit: counted (under the limit)', () => limiter.take('ping', watched.pingToken, at(91)));
    const tight = cloudLimiter(store.db, { ...DEFAULT_RULES, ping: { limit: 1, windowSeconds: 60 } });
    await tight.take('ping', watched.pingToken, at(92));
    await measure('ping rate limit: refused (over the limit)', () => tight.take('ping', watched.pingToken, at(92)));
    await measure('other limits (sign-ups, keys): counted in Firestore', () => limiter.take('signup', '203.0.113.9', at(92)));
    const signalAt = (s: number, kind: 'start' | 'success' | 'fail', exitCode: number | null = null) =>
      store.recordPing(watched.pingToken, { ...pingData(at(s)), kind, exitCode }, (m) => transition(m, { kind, exitCode, rid: null, output: null }, at(s)));
    await measure('start signal: up, run opened', () => signalAt(120, 'start'));
    await measure('end of run (/0): up, duration recorded', () => signalAt(150, 'success', 0));
    await measure('ping within 30 s of its deadline', () => pingAt(150 + 3960 - 10));
    await measure(`idle sweep (${IDLE_MONITORS + 1} monitors, none due)`, () => sweepDueMonitors({ store, log: jsonLogger }, at(4_000)));
    const deps = testDeps(store, { clock: new FakeClock(at(4_000).toISOString()) });
    await measure('idle checker run (sweep, alerts, purge, deletions, body budget)', () => runCheck(deps, { budgetMs: 30_000 }));
    await measure('sweep flipping 1 due monitor (up -> down, e-mail + webhook)', () => sweepDueMonitors({ store, log: jsonLogger }, at(8_100)));
    await measure('recovering ping: down -> up (e-mail + webhook)', () => pingAt(8_200));
    await measure('failure (/3): up -> down at once (e-mail + webhook)', () => signalAt(8_260, 'fail', 3));
    await measure('list pings (20)', () => store.listPings(watched.id, 20));
    await measure('delete monitor (the monitor, at once)', () => store.deleteMonitor(watched.id));
    await measure('then its pings and flips (in the background)', () => store.deletionsSettled());
  } finally {
    await store.close();
    await clearProject(host, projectId);
    if (started) await stopEmulator(started.pgid);
  }

  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\nFirestore cost per operation (counted on the wire against the emulator)\n`);
  console.log(`${'operation'.padEnd(width)}  reads  writes  deletes  tx  RPCs`);
  for (const [label, u] of rows) {
    const rpcs = u.rpcs.filter((r) => r !== 'BeginTransaction' && r !== 'Rollback').join(' ');
    console.log(
      `${label.padEnd(width)}  ${String(u.reads).padStart(5)}  ${String(u.writes).padStart(6)}  ${String(u.deletes).padStart(7)}  ${String(u.transactions).padStart(2)}  ${rpcs}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
