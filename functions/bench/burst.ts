/**
 * The hour-boundary burst (issue 24): BENCH_BURST_MONITORS hourly monitors (100,000) all ping at
 * once, as cron jobs scheduled at `0 * * * *` do. The built embedded server (`lib/server.js`, as
 * `npm start` runs it, default limits) on a SQLite file holding them; wrk (one thread,
 * BENCH_BURST_CONNECTIONS connections, 50) sends each monitor's ping exactly once, in a random
 * order, as fast as the server answers, and stops when every ping is answered. Target: all of
 * them absorbed within 10 s, no error, no non-2xx, and every monitor's ping stored. The time is
 * read from the stored pings themselves: from the first burst ping's arrival to the last one's
 * (wrk waits out its whole `-d` even when its thread stops early, so its own duration is not it).
 *
 * wrk keeps its connections open: a real burst comes from many hosts, each opening its own
 * connection (`curl`), which costs the server a TCP accept and a fresh HTTP parser per ping.
 * BENCH_BURST_CLOSE=1 sends `Connection: close` with every ping, so wrk reconnects for each.
 *
 * BENCH_BURST_PROF=<dir> writes the server's CPU profile there (`npx tsx bench/profile.ts <file>`).
 *
 * Needs wrk: without it the section says so and is skipped (autocannon in this process would
 * measure itself).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cpuSecondsOf, memoryOf, startEmbedded, stop, type Drive } from './ping';
import { seedMonitorsDirect } from './seed';
import { findWrk, parseWrkOutput, spawnWrk, WRK_DONE_HOOK } from './wrk';

const MONITORS = Number(process.env.BENCH_BURST_MONITORS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_BURST_CONNECTIONS ?? 50);
const CLOSE = process.env.BENCH_BURST_CLOSE === '1';
/** How long wrk runs at most; its thread stops once every ping is answered, but wrk itself waits out `-d`. */
const MAX_S = Number(process.env.BENCH_BURST_MAX_S ?? 25);
/** Issue 24: the burst is absorbed within this long. */
export const BURST_TARGET_S = 10;

/** wrk's figures (`perSecond` from the stored pings' span), with the burst's own. */
export interface BurstResult extends Omit<Drive, 'requests' | 'timeouts'> {
  monitors: number;
  connections: number;
  close: boolean;
  seconds: number;
  /** Monitors with their burst ping stored, and pings stored in all. */
  monitorsPinged: number;
  stored: number;
  cpuUsPerPing: number;
  peakRssMb: number;
}

/** Hourly monitors, all up, last pinged an hour ago, their deadline five minutes from now. */
function seed(dbPath: string, now: number): string[] {
  return seedMonitorsDirect(dbPath, {
    accountId: 'burst-account', email: 'burst@example.com', monitors: MONITORS, schedule: 3600, grace: 300, now,
    name: (i) => `hourly ${i}`,
    alertAt: () => now + 300_000,
  });
}

/** A Fisher–Yates shuffle: jobs of one hour do not ping in the order their monitors were created. */
function shuffled<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * The Lua script: reads the ping paths from a file (a table literal of 100,000 strings is past
 * LuaJIT's limits), sends each once, then (while the last answers arrive) pings the first
 * monitors again, and stops the thread once as many answers as paths have come back.
 */
function burstScript(pathsFile: string): string {
  return `local paths = {}
for line in io.lines(${JSON.stringify(pathsFile)}) do paths[#paths + 1] = line end
local total = #paths
local n = 0
local answered = 0
local headers = ${CLOSE ? '{ ["Connection"] = "close" }' : 'nil'}
request = function()
  n = n + 1
  return wrk.format("GET", paths[((n - 1) % total) + 1], headers)
end
response = function(status, headers, body)
  answered = answered + 1
  if answered >= total then wrk.thread:stop() end
end
${WRK_DONE_HOOK}`;
}

export async function burstBench(): Promise<BurstResult | null> {
  const wrk = findWrk();
  if (!wrk) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-burst-'));
  const dbPath = path.join(dir, 'burst.db');
  try {
    const tokens = seed(dbPath, Date.now());
    const pathsFile = path.join(dir, 'paths.txt');
    fs.writeFileSync(pathsFile, shuffled(tokens).map((t) => `/api/v1/ping/${t}`).join('\n') + '\n');
    const script = path.join(dir, 'burst.lua');
    fs.writeFileSync(script, burstScript(pathsFile));

    const prof = process.env.BENCH_BURST_PROF;
    const { server, port } = await startEmbedded(dbPath, {}, prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []);
    let out: string;
    let cpu: number;
    let memory: ReturnType<typeof memoryOf>;
    try {
      const cpuBefore = cpuSecondsOf(server.pid!);
      out = await spawnWrk(wrk, ['-t1', `-c${CONNECTIONS}`, `-d${MAX_S}s`, '--latency', '-s', script, `http://127.0.0.1:${port}`]);
      cpu = cpuSecondsOf(server.pid!) - cpuBefore;
      memory = memoryOf(server.pid!);
    } finally {
      await stop(server);
    }
    const r = parseWrkOutput(out);
    const db = new Database(dbPath, { readonly: true });
    const stored = Number((db.prepare('SELECT COUNT(*) AS n FROM pings').get() as { n: number }).n);
    const monitorsPinged = Number((db.prepare('SELECT COUNT(DISTINCT monitor_id) AS n FROM pings').get() as { n: number }).n);
    // Each monitor's first ping is its burst ping; the span of their arrival times is the burst's.
    const span = db.prepare('SELECT MIN(first) AS a, MAX(first) AS b FROM (SELECT MIN(at) AS first FROM pings GROUP BY monitor_id)').get() as { a: number; b: number };
    db.close();
    const seconds = (span.b - span.a) / 1000;
    return {
      monitors: MONITORS, connections: CONNECTIONS, close: CLOSE, seconds, p50: r.p50, p99: r.p99,
      ok: r.ok, non2xx: r.non2xx, errors: r.errors + r.timeouts, monitorsPinged, stored,
      cpuUsPerPing: (cpu * 1e6) / Math.max(r.requests, 1), peakRssMb: memory.peakRssMb,
      perSecond: r.requests / Math.max(seconds, 0.001),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mark = (met: boolean) => (met ? 'met' : 'NOT MET');

/** Whether the burst met what must never regress: no error, every monitor's ping stored. */
export function burstHeld(r: BurstResult): boolean {
  return r.errors === 0 && r.non2xx === 0 && r.monitorsPinged === r.monitors && r.stored >= r.ok;
}

export function printBurstBench(r: BurstResult | null): void {
  if (!r) {
    console.log('8. Hour-boundary burst: SKIPPED, wrk is not on PATH (Debian/Ubuntu: apt-get install wrk)');
    return;
  }
  console.log(
    `8. Hour-boundary burst (${r.monitors} hourly monitors each pinging once, wrk -t1 -c${r.connections}${r.close ? ', a new connection per ping' : ', kept-alive connections'}; the embedded server with default limits)`,
  );
  console.log(
    `  absorbed in ${r.seconds.toFixed(1)} s (${r.perSecond.toFixed(0)} pings/s; target ≤ ${BURST_TARGET_S} s: ${mark(r.seconds <= BURST_TARGET_S)})  ` +
      `p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  CPU ${r.cpuUsPerPing.toFixed(0)} µs/ping  peak RSS ${r.peakRssMb.toFixed(0)} MB (a rate-limit counter per monitor among it)`,
  );
  console.log(
    `  answers                ${r.ok} 2xx, ${r.non2xx} non-2xx, ${r.errors} socket errors (target 0: ${mark(r.errors === 0 && r.non2xx === 0)})`,
  );
  console.log(
    `  stored                 ${r.monitorsPinged} of ${r.monitors} monitors have their ping (target all: ${mark(r.monitorsPinged === r.monitors)}); ` +
      `${r.stored} pings stored for ${r.ok} 2xx answers (the first monitors pinged again while the last answers came back)`,
  );
}

if (require.main === module) {
  burstBench()
    .then((r) => {
      printBurstBench(r);
      if (r && !burstHeld(r)) process.exitCode = 1;
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
