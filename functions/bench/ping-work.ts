/**
 * A fixed amount of ping work for instruction counting (issue 24): wall-clock rates on a shared
 * machine are noise, instruction counts are not. Seeds BENCH_WORK_MONITORS monitors, pings each
 * once (new → up), then sends BENCH_WORK_PINGS routine pings through the real `recordPing` on a
 * SqliteStore, BENCH_WORK_BATCH at once (so each group shares a group commit, as under the ping
 * bench's 50 connections). Run it twice under callgrind with different counts and divide the
 * difference in instructions by the difference in pings: start-up and seeding cancel out. Bundled
 * first, so that valgrind does not count the TypeScript compiler; `--single-threaded` keeps V8's
 * compiler and GC threads from adding work of their own that varies from run to run:
 *   npx esbuild bench/ping-work.ts --bundle --platform=node --external:better-sqlite3 --outfile=/tmp/ping-work.js
 *   BENCH_WORK_PINGS=3000 NODE_PATH=node_modules valgrind --tool=callgrind --callgrind-out-file=/dev/null node --single-threaded /tmp/ping-work.js
 * Alone (`npx tsx bench/ping-work.ts`) it prints the store's CPU time per ping.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordPing } from '../src/services/ping';
import { SqliteStore } from '../src/store/sqlite';
import { makeAccount, makeMonitor } from '../test/support/factories';

const MONITORS = Number(process.env.BENCH_WORK_MONITORS ?? 50);
const PINGS = Number(process.env.BENCH_WORK_PINGS ?? 2000);
const BATCH = Number(process.env.BENCH_WORK_BATCH ?? 50);
const WARMUP = Number(process.env.BENCH_WORK_WARMUP ?? 2000);

const ping = (store: SqliteStore, token: string) =>
  recordPing({ store, clock: () => new Date(), onDue: undefined }, { token, method: 'GET', source: '127.0.0.1', userAgent: 'curl/8.5.0', body: null });

/** `count` pings in groups of BATCH, on the monitors round-robin (or at random past BATCH monitors, as in ping-writes.ts). */
async function pings(store: SqliteStore, tokens: string[], count: number): Promise<void> {
  let n = 0;
  const next = () => tokens[tokens.length <= BATCH ? n++ % tokens.length : Math.floor(Math.random() * tokens.length)];
  for (let done = 0; done < count; done += BATCH) await Promise.all(Array.from({ length: Math.min(BATCH, count - done) }, () => ping(store, next())));
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-work-'));
  try {
    const store = new SqliteStore(path.join(dir, 'work.db'));
    const account = makeAccount({ plan: 'pro' });
    await store.createAccount(account);
    const tokens: string[] = [];
    for (let i = 0; i < MONITORS; i++) {
      const m = makeMonitor({ accountId: account.id, name: `job ${i}`, schedule: 86_400 });
      await store.createMonitor(m, null);
      tokens.push(m.pingToken);
    }
    await pings(store, tokens, Math.max(WARMUP, MONITORS));
    const cpu = process.cpuUsage();
    await pings(store, tokens, PINGS);
    const used = process.cpuUsage(cpu);
    await store.close();
    console.log(`${PINGS} pings in groups of ${BATCH} on ${MONITORS} monitors: ${((used.user + used.system) / Math.max(PINGS, 1)).toFixed(1)} µs CPU per ping`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
