/**
 * Big deletes: the embedded server (the built `lib/server.js`, in its own process) on a SQLite
 * database holding one monitor with BENCH_DELETE_PINGS pings (1M by default, a week at about two
 * a second; one in ten with a 1 KB body). A health probe goes out every 50 ms from this process,
 * each as soon as the previous one is answered and 50 ms have passed; the figure is the longest
 * any probe waited for its answer while the monitor (then, on a fresh database, its account) was
 * deleted and its rows removed. Target: 200 ms. The baseline is the same probe on the idle server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { hashApiKey, newApiKey } from '../src/services/secrets';
import { SqliteStore } from '../src/store/sqlite';
import { freePort } from '../test/support/emulator';
import { makeAccount, makeMonitor } from '../test/support/factories';

const PACKAGE_DIR = path.resolve(__dirname, '..');
const PINGS = Number(process.env.BENCH_DELETE_PINGS ?? 1_000_000);
const PROBE_EVERY_MS = 50;
const TARGET_MS = 200;
const IDLE_MS = 2_000;

export interface DeleteRun {
  what: 'monitor' | 'account';
  setupS: number;
  /** How long the DELETE took to answer. */
  answerMs: number;
  /** From the answer until the last of the monitor's pings was gone. */
  removalS: number;
  probes: number;
  worstProbeMs: number;
  /** The same probe on the idle server, before the delete. */
  idleWorstProbeMs: number;
}

/** Health probes one after another, each at least PROBE_EVERY_MS after the previous; what each waited. */
function probe(port: number) {
  const waits: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const sent = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      await res.arrayBuffer();
      waits.push(performance.now() - sent);
      await new Promise((r) => setTimeout(r, Math.max(0, PROBE_EVERY_MS - (performance.now() - sent))));
    }
  })();
  return {
    async stop(): Promise<number[]> {
      stopped = true;
      await loop;
      return waits;
    },
  };
}

/** An account with one monitor and PINGS pings, written straight into the schema in one statement. */
async function seed(dbPath: string): Promise<{ apiKey: string; monitorId: string }> {
  const apiKey = newApiKey();
  const store = new SqliteStore(dbPath);
  const account = makeAccount({ apiKeyHash: hashApiKey(apiKey), plan: 'pro' });
  await store.createAccount(account);
  const monitor = makeMonitor({ accountId: account.id, schedule: 60, historyDays: null });
  await store.createMonitor(monitor, null);
  await store.close();
  const db = new Database(dbPath);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO pings (monitor_id, at, method, kind, source, user_agent, body, body_size)
     SELECT ?, ? + i * 600, 'POST', 'success', '203.0.113.9', 'curl/8.5.0',
            CASE WHEN i % 10 = 0 THEN printf('%.1024c', 'x') END, CASE WHEN i % 10 = 0 THEN 1024 ELSE 0 END
     FROM n`,
  ).run(PINGS, monitor.id, Date.now() - PINGS * 600);
  db.close();
  return { apiKey, monitorId: monitor.id };
}

function waitForOutput(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(marker)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${seen}`)));
  });
}

async function deleteRun(what: DeleteRun['what']): Promise<DeleteRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-delete-'));
  let server: ChildProcess | null = null;
  try {
    const dbPath = path.join(dir, 'bench.db');
    const started = performance.now();
    const { apiKey, monitorId } = await seed(dbPath);
    const setupS = (performance.now() - started) / 1000;
    const port = await freePort();
    server = spawn(process.execPath, [path.join(PACKAGE_DIR, 'lib', 'server.js')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CRONPEEK_DB: dbPath, CRONPEEK_RATE_LIMITS: 'off', CRONPEEK_CHECK_INTERVAL: '3600' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await waitForOutput(server, 'listening on');

    const idle = probe(port);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idleWaits = await idle.stop();

    const reader = new Database(dbPath, { readonly: true });
    // Whether any is left, not how many: counting a million rows would hold this process's loop, and its probes with it.
    const anyLeft = reader.prepare('SELECT 1 FROM pings WHERE monitor_id = ? LIMIT 1');
    const probes = probe(port);
    await new Promise((r) => setTimeout(r, 4 * PROBE_EVERY_MS));
    const sent = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/${what === 'monitor' ? `monitors/${monitorId}` : 'account'}`, {
      method: 'DELETE',
      headers: { 'x-api-key': apiKey },
    });
    const answered = performance.now();
    if (res.status !== 200) throw new Error(`DELETE answered ${res.status}: ${await res.text()}`);
    while (anyLeft.get(monitorId) !== undefined) await new Promise((r) => setTimeout(r, 100));
    const removed = performance.now();
    await new Promise((r) => setTimeout(r, 4 * PROBE_EVERY_MS));
    const waits = await probes.stop();
    reader.close();
    return {
      what,
      setupS,
      answerMs: answered - sent,
      removalS: (removed - answered) / 1000,
      probes: waits.length,
      worstProbeMs: Math.max(...waits),
      idleWorstProbeMs: Math.max(...idleWaits),
    };
  } finally {
    if (server !== null && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function deleteBench(): Promise<DeleteRun[]> {
  return [await deleteRun('monitor'), await deleteRun('account')];
}

export function printDeleteBench(runs: DeleteRun[]): void {
  console.log(`5. Big deletes (embedded server, one monitor with ${PINGS.toLocaleString('en')} pings; a health probe every ${PROBE_EVERY_MS} ms)`);
  console.log('  deleting     answered in   rows gone after   probes   worst probe wait (target)   idle baseline');
  for (const r of runs) {
    const verdict = r.worstProbeMs <= TARGET_MS ? 'ok' : 'OVER';
    console.log(
      `  ${r.what.padEnd(10)} ${r.answerMs.toFixed(0).padStart(9)} ms   ${r.removalS.toFixed(1).padStart(12)} s   ${String(r.probes).padStart(6)}   ` +
        `${r.worstProbeMs.toFixed(0).padStart(9)} ms (≤ ${TARGET_MS} ms: ${verdict})   ${r.idleWorstProbeMs.toFixed(0).padStart(9)} ms`,
    );
  }
  console.log(`  (seeding each database took ${runs.map((r) => r.setupS.toFixed(1)).join(' s and ')} s)`);
}

if (require.main === module) {
  const build = spawnSync(process.execPath, [path.join(PACKAGE_DIR, 'scripts', 'ensure-build.js'), '--quiet'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
  deleteBench()
    .then(printDeleteBench)
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
