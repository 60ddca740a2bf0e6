/**
 * Alert latency: the embedded server as `npm start` runs it (SQLite, the default 30 s check
 * interval). A few hundred monitors, in ten accounts, have deadlines spread over ~20 s; each
 * missed deadline's webhook goes to a local receiver. The figure is deadline → receipt
 * (p50/p99/max); its baseline, from the same run, is a `/fail` ping → receipt, which waits for no
 * timer. Target: p99 ≤ 1 s. Each monitor's one ping goes through the ping service with its
 * clock set back, as if it had arrived `schedule + grace` before the deadline.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadServerConfig } from '../src/config';
import { silentLogger } from '../src/log';
import { startServer } from '../src/server';
import { recordPing } from '../src/services/ping';
import { startCountingReceiver } from '../test/alerts/support/tarpit';

const MONITORS = Number(process.env.BENCH_LATENCY_MONITORS ?? 300);
const ACCOUNTS = 10;
const SPREAD_MS = 20_000;
/** The first deadline is this far after the set-up, so no deadline passes while monitors are still being created. */
const LEAD_MS = 3_000;
const BASELINE_SAMPLES = 10;
const GIVE_UP_MS = 60_000;
export const LATENCY_TARGET_MS = 1_000;

export interface LatencyResult {
  monitors: number;
  /** Deadline → receipt per monitor, ms; missed ones are left out and counted. */
  latenciesMs: number[];
  missed: number;
  /** `/fail` → receipt, ms. */
  baselineMs: number[];
  checkIntervalS: number;
}

type Running = Awaited<ReturnType<typeof startServer>>;

function apiOf(base: string) {
  return async (method: string, route: string, body?: unknown, apiKey?: string): Promise<Record<string, unknown>> => {
    const headers = { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) };
    const res = await fetch(`${base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown>;
  };
}
type Api = ReturnType<typeof apiOf>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tokenOf = (pingUrl: unknown) => new URL(pingUrl as string).pathname.split('/').pop() as string;

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until) await sleep(10);
}

/** Creates the monitors and pings each so its deadline falls in the spread; answers path → deadline (epoch ms). */
async function armDeadlines(api: Api, running: Running, receiverOrigin: string): Promise<Map<string, number>> {
  const keys: string[] = [];
  for (let a = 0; a < ACCOUNTS; a++) keys.push((await api('POST', '/api/v1/accounts', { email: `latency${a}@example.com` })).apiKey as string);
  const created: Array<{ token: string; grace: number; path: string }> = [];
  for (let i = 0; i < MONITORS; i++) {
    const hookPath = `/due/${i}`;
    const m = await api('POST', '/api/v1/monitors', { name: `due ${i}`, schedule: 60, alertWebhook: `${receiverOrigin}${hookPath}` }, keys[i % ACCOUNTS]);
    created.push({ token: tokenOf(m.pingUrl), grace: m.grace as number, path: hookPath });
  }
  const first = Date.now() + LEAD_MS;
  const deadlines = new Map<string, number>();
  for (const [i, c] of created.entries()) {
    const deadline = first + Math.round((i * SPREAD_MS) / MONITORS);
    const pingedAt = new Date(deadline - (60 + c.grace) * 1000);
    const monitor = await recordPing({ ...running.deps, clock: () => pingedAt }, { token: c.token, method: 'GET', source: '127.0.0.1', userAgent: 'bench', body: null });
    deadlines.set(c.path, monitor.alertAt!.getTime());
  }
  return deadlines;
}

/** `/fail` → receipt on up monitors of their own account: delivery alone, no timer to wait for. */
async function baseline(api: Api, arrived: Map<string, number>, receiverOrigin: string): Promise<number[]> {
  const apiKey = (await api('POST', '/api/v1/accounts', { email: 'baseline@example.com' })).apiKey as string;
  const samples: number[] = [];
  for (let i = 0; i < BASELINE_SAMPLES; i++) {
    const hookPath = `/fail/${i}`;
    const m = await api('POST', '/api/v1/monitors', { name: `fail ${i}`, schedule: 3600, alertWebhook: `${receiverOrigin}${hookPath}` }, apiKey);
    const pingPath = new URL(m.pingUrl as string).pathname;
    await api('GET', pingPath);
    const sent = Date.now();
    await api('POST', `${pingPath}/fail`);
    await waitFor(() => arrived.has(hookPath), GIVE_UP_MS);
    if (arrived.has(hookPath)) samples.push((arrived.get(hookPath) as number) - sent);
  }
  return samples;
}

export async function latencyBench(): Promise<LatencyResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-latency-'));
  const receiver = await startCountingReceiver();
  const arrived = new Map<string, number>();
  receiver.onRequest((p) => {
    if (!arrived.has(p)) arrived.set(p, Date.now());
  });
  // The default check interval: the alerts must come from the due-time timer, not from polling.
  const config = loadServerConfig({ CRONPEEK_DB: path.join(dir, 'cronpeek.db'), CRONPEEK_DEFAULT_PLAN: 'pro', CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1', CRONPEEK_RATE_LIMITS: 'off' });
  const running = await startServer({ ...config, port: 0 }, silentLogger);
  const api = apiOf(`http://127.0.0.1:${(running.server.address() as AddressInfo).port}`);
  try {
    const baselineMs = await baseline(api, arrived, receiver.origin);
    const deadlines = await armDeadlines(api, running, receiver.origin);
    const last = Math.max(...deadlines.values());
    await waitFor(() => [...deadlines.keys()].every((p) => arrived.has(p)), last - Date.now() + GIVE_UP_MS);
    const latenciesMs = [...deadlines].filter(([p]) => arrived.has(p)).map(([p, deadline]) => (arrived.get(p) as number) - deadline);
    return { monitors: MONITORS, latenciesMs, missed: MONITORS - latenciesMs.length, baselineMs, checkIntervalS: config.checkIntervalSeconds };
  } finally {
    await running.close();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The value at quantile `q` (nearest rank) of `xs`. */
function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const figures = (xs: number[]) =>
  xs.length === 0 ? 'none arrived' : `p50 ${quantile(xs, 0.5).toFixed(0)} ms, p99 ${quantile(xs, 0.99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

export function printLatencyBench(r: LatencyResult): void {
  console.log(`7. Alert latency (embedded server, checker interval ${r.checkIntervalS} s): ${r.monitors} monitors, deadlines spread over ${SPREAD_MS / 1000} s, local webhook receiver`);
  console.log(`  deadline → webhook received: ${figures(r.latenciesMs)}${r.missed > 0 ? `; ${r.missed} NOT received within ${GIVE_UP_MS / 1000} s` : ''}`);
  console.log(`  baseline, /fail → webhook received (no timer): ${figures(r.baselineMs)}`);
  const met = r.missed === 0 && r.latenciesMs.length > 0 && quantile(r.latenciesMs, 0.99) <= LATENCY_TARGET_MS;
  console.log(`  target p99 ≤ ${LATENCY_TARGET_MS} ms: ${met ? 'met' : 'NOT met'}`);
}

if (require.main === module) {
  latencyBench()
    .then(printLatencyBench)
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
