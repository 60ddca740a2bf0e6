/**
 * Drives a server with wrk (https://github.com/wg/wrk, Debian package `wrk`), a C load generator:
 * unlike autocannon it does not need most of a core of its own, so it does not hold the bare
 * baseline down and flatter the ratio (issue 24). One wrk process per run, outside this process,
 * with a Lua script (https://github.com/wg/wrk/blob/master/SCRIPTING) that hands out the ping
 * URLs round-robin over the requests of every connection and, in its `done` hook, writes the
 * figures as one JSON line: completed requests, non-2xx answers (wrk counts status > 399 in
 * `errors.status`; the bench's servers answer no 3xx), socket errors, latency percentiles.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface WrkOptions {
  port: number;
  paths: string[];
  connections: number;
  threads: number;
  durationS: number;
}

export interface WrkResult {
  requests: number;
  perSecond: number;
  /** Latency percentiles in milliseconds (wrk's `--latency` distribution). */
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** wrk's own "Non-2xx or 3xx responses" line, a cross-check of `non2xx` (0 when absent). */
  non2xxLine: number;
}

/** The path of the wrk binary on PATH, or null. */
export function findWrk(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  return found.status === 0 && bin ? bin : null;
}

const MARKER = 'WRK_JSON ';

/** wrk's `done` hook: the summary as one JSON line after MARKER (see `parseWrkOutput`). */
export const WRK_DONE_HOOK = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARKER}{"requests":%d,"durationUs":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end`;

/** The Lua script: the paths as a table, a request counter, the summary as JSON at the end. */
export function wrkScript(paths: string[]): string {
  const table = paths.map((p) => `  ${JSON.stringify(p)},`).join('\n');
  return `local paths = {\n${table}\n}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
${WRK_DONE_HOOK}`;
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  status: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  p50: number;
  p99: number;
}

/** Reads the `done` hook's JSON line and wrk's "Non-2xx or 3xx responses" line from its output. */
export function parseWrkOutput(out: string): WrkResult {
  const line = out.split('\n').find((l) => l.startsWith(MARKER));
  if (!line) throw new Error(`wrk printed no summary:\n${out}`);
  const s = JSON.parse(line.slice(MARKER.length)) as WrkSummary;
  const non2xxLine = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return {
    requests: s.requests,
    perSecond: s.requests / (s.durationUs / 1e6),
    p50: s.p50 / 1000,
    p99: s.p99 / 1000,
    ok: s.requests - s.status,
    non2xx: s.status,
    errors: s.connect + s.read + s.write,
    timeouts: s.timeout,
    non2xxLine,
  };
}

/** Runs wrk with `args`; resolves with what it printed (stdout and stderr), rejects if it fails. */
export function spawnWrk(bin: string, args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}:\n${text}`))));
  });
}

/** Runs `wrk -t<threads> -c<connections> -d<duration>s --latency -s <script>` against 127.0.0.1:port. */
export async function runWrk(bin: string, o: WrkOptions): Promise<WrkResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-wrk-'));
  const script = path.join(dir, 'pings.lua');
  fs.writeFileSync(script, wrkScript(o.paths));
  try {
    const args = [`-t${o.threads}`, `-c${o.connections}`, `-d${o.durationS}s`, '--latency', '-s', script, `http://127.0.0.1:${o.port}`];
    const out = await spawnWrk(bin, args);
    return parseWrkOutput(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
