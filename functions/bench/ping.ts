/**
 * Ping throughput: the embedded server (the built `lib/server.js`, as `npm start` runs it) on a
 * temporary SQLite database with BENCH_MONITORS monitors, against a bare `node:http` server that
 * answers a fixed JSON body: the floor of this machine. Both run in their own process and are
 * driven by autocannon from this one, on loopback, with the pings spread over every monitor.
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

const PACKAGE_DIR = path.resolve(__dirname, '..');
const MONITORS = Number(process.env.BENCH_MONITORS ?? 1_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);

/** What the bare server answers: the size of a real ping answer, so both move the same bytes. */
const BARE_SERVER = `
  const body = JSON.stringify({ ok: true, monitor: 'Nightly DB Backup', status: 'up' }, null, 2);
  require('node:http').createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  }).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

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

export interface PingBenchResult {
  monitors: number;
  connections: number;
  durationS: number;
  bare: Drive & ProcessMemory;
  server: Drive & ProcessMemory & { stored: number; lost: number; inFlightAtStop: number };
}

/** VmHWM (peak) and VmRSS (now) of a process, from /proc. */
function memoryOf(pid: number): Omit<ProcessMemory, 'cpuUsPerRequest'> {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Drives a server process and measures it: throughput, latency, memory and CPU per request. */
async function measure(pid: number, port: number, paths: string[]): Promise<Drive & ProcessMemory> {
  const cpuBefore = cpuSecondsOf(pid);
  const d = await drive(port, paths);
  const cpu = cpuSecondsOf(pid) - cpuBefore;
  return { ...d, ...memoryOf(pid), cpuUsPerRequest: (cpu * 1e6) / Math.max(d.requests, 1) };
}

function waitForOutput(child: ChildProcess, marker: string): Promise<void> {
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

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function drive(port: number, paths: string[]): Promise<Drive> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }),
      },
    ],
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

export async function pingBench(options: { cpuProfileDir?: string } = {}): Promise<PingBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-ping-'));
  const dbPath = path.join(dir, 'bench.db');
  try {
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

    const barePort = await freePort();
    const bare = spawn(process.execPath, ['-e', BARE_SERVER], { env: { ...process.env, PORT: String(barePort) }, stdio: ['ignore', 'pipe', 'inherit'] });
    await waitForOutput(bare, 'listening');
    const bareRun = await measure(bare.pid!, barePort, ['/']);
    await stop(bare);

    const port = await freePort();
    const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
    const server = spawn(process.execPath, [...nodeArgs, path.join(PACKAGE_DIR, 'lib', 'server.js')], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        CRONPEEK_DB: dbPath,
        // The per-token limit stays on (its cost is part of every ping), high enough that the
        // bench's hundreds of pings per monitor and minute are not refused.
        CRONPEEK_LIMIT_PINGS: '1000000/60',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await waitForOutput(server, 'listening on');
    const serverRun = await measure(
      server.pid!,
      port,
      tokens.map((t) => `/api/v1/ping/${t}`),
    );
    await stop(server);

    const db = new Database(dbPath, { readonly: true });
    const stored = Number((db.prepare('SELECT COUNT(*) AS n FROM pings').get() as { n: number }).n);
    db.close();
    return {
      monitors: MONITORS,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      bare: bareRun,
      server: {
        ...serverRun,
        stored,
        // A 2xx without its row would be a lost ping. Rows beyond the 2xx count are pings that
        // were committed while autocannon was cutting its connections at the end (at most one
        // per connection): stored, never answered.
        lost: Math.max(0, serverRun.ok - stored),
        inFlightAtStop: Math.max(0, stored - serverRun.ok),
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function printPingBench(r: PingBenchResult): void {
  const row = (label: string, d: Drive & ProcessMemory) =>
    `  ${label.padEnd(22)} ${d.perSecond.toFixed(0).padStart(7)}/s  p50 ${String(d.p50).padStart(3)} ms  p99 ${String(d.p99).padStart(3)} ms  ` +
    `non-2xx ${d.non2xx}  errors ${d.errors + d.timeouts}  CPU ${d.cpuUsPerRequest.toFixed(0)} µs/request  peak RSS ${d.peakRssMb.toFixed(0)} MB (after ${d.rssMb.toFixed(0)} MB)`;
  console.log(`1. Ping throughput (autocannon, ${r.connections} connections, ${r.durationS} s, GET pings spread over ${r.monitors} monitors)`);
  console.log(row('bare node:http', r.bare));
  console.log(row('embedded server', r.server));
  const s = r.server;
  console.log(
    `  ratio to bare          ${((100 * s.perSecond) / r.bare.perSecond).toFixed(0)} % of its rate; ` +
      `${(s.cpuUsPerRequest / r.bare.cpuUsPerRequest).toFixed(1)}× its CPU per request`,
  );
  console.log(
    `  stored pings           ${s.stored} for ${s.ok} 2xx answers: ${s.lost} lost` +
      (s.inFlightAtStop > 0 ? `, ${s.inFlightAtStop} committed but cut off unanswered when the run stopped` : ''),
  );
}

if (require.main === module) {
  pingBench({ cpuProfileDir: process.env.BENCH_CPU_PROF })
    .then(printPingBench)
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
