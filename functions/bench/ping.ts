/**
 * Ping throughput: the embedded server (the built `lib/server.js`, as `npm start` runs it) on a
 * temporary SQLite database with BENCH_MONITORS monitors, between two runs of a bare `node:http`
 * server answering the same fixed JSON (./bare-server): the floor of this machine, measured before
 * and after so that a change in the machine's load during the run shows. Each server runs in its
 * own process; the load comes from wrk (./wrk, a C load generator in a process of its own:
 * `wrk -t1 -c50 -d8s --latency`, the ping URLs of 50 monitors handed out round-robin by a Lua
 * script) when it is on PATH, else, said loudly, from autocannon in this process (1,000 monitors,
 * 10 s), which needs most of a core itself and so holds the bare server down (issue 24).
 * Afterwards the database is opened and its pings counted: every 2xx must have its row.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite';
import { freePort } from '../test/support/emulator';
import { makeAccount, makeMonitor } from '../test/support/factories';
import { BARE_SERVER } from './bare-server';
import { findWrk, runWrk } from './wrk';

const PACKAGE_DIR = path.resolve(__dirname, '..');
const WRK = process.env.BENCH_NO_WRK ? null : findWrk();
const TOOL: 'wrk' | 'autocannon' = WRK ? 'wrk' : 'autocannon';
const MONITORS = Number(process.env.BENCH_MONITORS ?? (WRK ? 50 : 1_000));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION ?? (WRK ? 8 : 10));
const WRK_THREADS = Number(process.env.BENCH_WRK_THREADS ?? 1);
/** The built server the bench runs; BENCH_SERVER_JS points it at another build (e.g. of a commit). */
const SERVER_JS = process.env.BENCH_SERVER_JS ?? path.join(PACKAGE_DIR, 'lib', 'server.js');

/** Issue 24's targets, printed next to the figures (figures, not timed tests). */
export const TARGETS = { ratio: 0.5, p99Ms: 20, rssMb: 150, lost: 0 };

export interface Drive {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface ProcessMemory {
  peakRssMb: number;
  rssMb: number;
  /** The server process's CPU time (user + system) per answered request: steadier than rates on a loaded machine. */
  cpuUsPerRequest: number;
}

export type Measured = Drive & ProcessMemory;

export interface PingBenchResult {
  tool: 'wrk' | 'autocannon';
  monitors: number;
  connections: number;
  durationS: number;
  /** The bare server before the embedded one. */
  bare: Measured;
  /** The bare server again, after it. */
  bareAfter: Measured;
  server: Measured & { stored: number; lost: number; inFlightAtStop: number };
  /** The embedded server's rate / the mean of the two bare rates. */
  ratio: number;
}

/** VmHWM (peak) and VmRSS (now) of a process, from /proc. */
export function memoryOf(pid: number): Omit<ProcessMemory, 'cpuUsPerRequest'> {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s). */
export function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Drives a server process and measures it: throughput, latency, memory and CPU per request. */
async function measure(pid: number, port: number, paths: string[]): Promise<Measured> {
  const cpuBefore = cpuSecondsOf(pid);
  const d = await drive(port, paths);
  const cpu = cpuSecondsOf(pid) - cpuBefore;
  return { ...d, ...memoryOf(pid), cpuUsPerRequest: (cpu * 1e6) / Math.max(d.requests, 1) };
}

export function waitForOutput(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(marker)) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before it was ready:\n${seen}`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function drive(port: number, paths: string[]): Promise<Drive> {
  if (WRK) {
    const r = await runWrk(WRK, { port, paths, connections: CONNECTIONS, threads: WRK_THREADS, durationS: DURATION_S });
    if (r.non2xx !== r.non2xxLine) throw new Error(`wrk's Lua summary says ${r.non2xx} non-2xx, its report ${r.non2xxLine}`);
    return r;
  }
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
  });
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / DURATION_S,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** A temporary SQLite file with one Pro account and MONITORS daily monitors; their ping tokens. */
async function seed(dbPath: string): Promise<string[]> {
  const store = new SqliteStore(dbPath);
  const account = makeAccount({ plan: 'pro' });
  await store.createAccount(account);
  const tokens: string[] = [];
  for (let i = 0; i < MONITORS; i++) {
    const m = makeMonitor({ accountId: account.id, name: `job ${i}`, schedule: 86_400 });
    await store.createMonitor(m, null);
    tokens.push(m.pingToken);
  }
  await store.close();
  return tokens;
}

/** The bare server in its own process, measured on the same number of distinct paths. */
async function bareRun(paths: string[]): Promise<Measured> {
  const port = await freePort();
  const bare = spawn(process.execPath, ['-e', BARE_SERVER], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await waitForOutput(bare, 'listening');
  try {
    return await measure(bare.pid!, port, paths);
  } finally {
    await stop(bare);
  }
}

/**
 * The built embedded server on `dbPath`, started as `npm start` starts it, on a free port; the
 * environment's `extraEnv` on top (the ping bench raises the per-token limit).
 */
export async function startEmbedded(dbPath: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<{ server: ChildProcess; port: number }> {
  const port = await freePort();
  const server = spawn(process.execPath, [...nodeArgs, SERVER_JS], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CRONPEEK_DB: dbPath, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitForOutput(server, 'listening on');
  return { server, port };
}

/** The built embedded server on `dbPath`, measured on the monitors' ping URLs. */
async function embeddedRun(dbPath: string, paths: string[], cpuProfileDir?: string): Promise<Measured> {
  const { server, port } = await startEmbedded(
    dbPath,
    // The per-token limit stays on (its cost is part of every ping), high enough that the
    // bench's thousands of pings per monitor and minute are not refused.
    { CRONPEEK_LIMIT_PINGS: '1000000/60' },
    cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [],
  );
  try {
    return await measure(server.pid!, port, paths);
  } finally {
    await stop(server);
  }
}

export async function pingBench(options: { cpuProfileDir?: string } = {}): Promise<PingBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-ping-'));
  const dbPath = path.join(dir, 'bench.db');
  try {
    const paths = (await seed(dbPath)).map((t) => `/api/v1/ping/${t}`);
    // The bare server gets as many distinct paths, so that the load generator's work is the same.
    const barePaths = paths.map((_, i) => `/api/v1/ping/bare${i}`);
    const bare = await bareRun(barePaths);
    const serverRun = await embeddedRun(dbPath, paths, options.cpuProfileDir);
    const bareAfter = await bareRun(barePaths);

    const db = new Database(dbPath, { readonly: true });
    const stored = Number((db.prepare('SELECT COUNT(*) AS n FROM pings').get() as { n: number }).n);
    db.close();
    return {
      tool: TOOL,
      monitors: MONITORS,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      bare,
      bareAfter,
      server: {
        ...serverRun,
        stored,
        // A 2xx without its row would be a lost ping. Rows beyond the 2xx count are pings that
        // were committed while the load generator was cutting its connections at the end (at
        // most one per connection): stored, never answered.
        lost: Math.max(0, serverRun.ok - stored),
        inFlightAtStop: Math.max(0, stored - serverRun.ok),
      },
      ratio: serverRun.perSecond / ((bare.perSecond + bareAfter.perSecond) / 2),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mark = (met: boolean) => (met ? 'met' : 'NOT MET');

export function printPingBench(r: PingBenchResult): void {
  const row = (label: string, d: Measured) =>
    `  ${label.padEnd(22)} ${d.perSecond.toFixed(0).padStart(7)}/s  p50 ${d.p50.toFixed(1).padStart(5)} ms  p99 ${d.p99.toFixed(1).padStart(5)} ms  ` +
    `non-2xx ${d.non2xx}  errors ${d.errors + d.timeouts}  CPU ${d.cpuUsPerRequest.toFixed(0)} µs/request  peak RSS ${d.peakRssMb.toFixed(0)} MB (after ${d.rssMb.toFixed(0)} MB)`;
  const load = r.tool === 'wrk' ? `wrk -t${WRK_THREADS} -c${r.connections} -d${r.durationS}s --latency` : `autocannon, ${r.connections} connections, ${r.durationS} s`;
  console.log(`1. Ping throughput (${load}, GET pings spread over ${r.monitors} monitors; each server in its own process)`);
  if (r.tool !== 'wrk') {
    console.log('  !!! wrk is not on PATH (Debian/Ubuntu: apt-get install wrk), or BENCH_NO_WRK is set: FALLING BACK TO AUTOCANNON, which runs in');
    console.log('  !!! this process and needs most of a core itself: the bare baseline is held down and the ratio flattered.');
  }
  console.log(row('bare node:http, before', r.bare));
  console.log(row('embedded server', r.server));
  console.log(row('bare node:http, after', r.bareAfter));
  const s = r.server;
  const bareCpu = (r.bare.cpuUsPerRequest + r.bareAfter.cpuUsPerRequest) / 2;
  console.log(
    `  ratio to bare          ${(100 * r.ratio).toFixed(0)} % of the mean bare rate (target ≥ ${100 * TARGETS.ratio} %: ${mark(r.ratio >= TARGETS.ratio)}); ` +
      `${(s.cpuUsPerRequest / bareCpu).toFixed(1)}× its CPU per request`,
  );
  console.log(`  p99                    ${s.p99.toFixed(1)} ms at ${r.connections} connections (target ≤ ${TARGETS.p99Ms} ms: ${mark(s.p99 <= TARGETS.p99Ms)})`);
  console.log(`  peak RSS               ${s.peakRssMb.toFixed(0)} MB (target ≤ ${TARGETS.rssMb} MB: ${mark(s.peakRssMb <= TARGETS.rssMb)})`);
  console.log(
    `  stored pings           ${s.stored} for ${s.ok} 2xx answers: ${s.lost} lost (target ${TARGETS.lost}: ${mark(s.lost <= TARGETS.lost)})` +
      (s.inFlightAtStop > 0 ? `, ${s.inFlightAtStop} committed but cut off unanswered when the run stopped` : ''),
  );
}

if (require.main === module) {
  pingBench({ cpuProfileDir: process.env.BENCH_CPU_PROF })
    .then((r) => {
      printPingBench(r);
      if (r.server.lost > 0) process.exitCode = 1;
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
