/**
 * Fairness: the embedded server as self-hosters run it (SQLite, checker every 1 s, the production
 * webhook deadline and circuit breaker). Account A has 500 alerts queued behind a webhook that
 * accepts connections and never answers; meanwhile account B's monitors report failures
 * (`/fail`), one every few seconds. The figure is the time from B's failing ping to its webhook
 * arriving, beside the same with no queue (the baseline, from the same run). Target: ≤ 2 s.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { loadServerConfig } from '../src/config';
import { transition } from '../src/domain/transitions';
import { silentLogger } from '../src/log';
import { startServer } from '../src/server';
import { startCountingReceiver, startTarpit } from '../test/alerts/support/tarpit';

const QUEUED = Number(process.env.BENCH_FAIRNESS_QUEUED ?? 500);
const SAMPLES = Number(process.env.BENCH_FAIRNESS_SAMPLES ?? 8);
const SAMPLE_EVERY_MS = 4_000;
/** A sample that takes longer than this is reported as missed. */
const GIVE_UP_MS = 60_000;
export const FAIRNESS_TARGET_MS = 2_000;

export interface FairnessSample {
  /** Seconds since A's queue formed (its first sends reached the tarpit). */
  atS: number;
  /** From B's `/fail` to its webhook arriving; null if it did not arrive within GIVE_UP_MS. */
  ms: number | null;
  /** A's alerts not yet attempted at that moment. */
  queued: number;
}

export interface FairnessResult {
  queued: number;
  baselineMs: number | null;
  samples: FairnessSample[];
}

type Running = Awaited<ReturnType<typeof startServer>>;

/** Calls the running server's API: JSON in, JSON out. */
function apiOf(base: string) {
  return async (method: string, route: string, body?: unknown, apiKey?: string): Promise<Record<string, unknown>> => {
    const headers = { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) };
    const res = await fetch(`${base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown>;
  };
}
type Api = ReturnType<typeof apiOf>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** A's monitors, each recorded as pinged `schedule + grace` ago, so the next sweep flips them all. */
async function queueBehindTarpit(api: Api, running: Running, tarpitOrigin: string): Promise<void> {
  const apiKey = (await api('POST', '/api/v1/accounts', { email: 'noisy@example.com' })).apiKey as string;
  for (let i = 0; i < QUEUED; i++) {
    const created = await api('POST', '/api/v1/monitors', { name: `noisy ${i}`, schedule: 60, alertWebhook: `${tarpitOrigin}/hook/${i}` }, apiKey);
    const token = new URL(created.pingUrl as string).pathname.split('/').pop() as string;
    const pingedAt = new Date(Date.now() - (60 + (created.grace as number)) * 1000);
    await running.deps.store.recordPing(
      token,
      { at: pingedAt, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '127.0.0.1', userAgent: 'bench', body: null },
      (m) => transition(m, 'ping', pingedAt),
    );
  }
}

/** One of B's monitors, up after a success ping: its ping URL. */
async function otherMonitor(api: Api, apiKey: string, receiverOrigin: string, i: number): Promise<string> {
  const created = await api('POST', '/api/v1/monitors', { name: `other ${i}`, schedule: 3600, alertWebhook: `${receiverOrigin}/other/${i}` }, apiKey);
  await api('GET', new URL(created.pingUrl as string).pathname);
  return created.pingUrl as string;
}

export async function fairnessBench(): Promise<FairnessResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-fair-'));
  const tarpit = await startTarpit();
  const receiver = await startCountingReceiver();
  const arrived = new Map<string, number>();
  receiver.onRequest((p) => arrived.set(p, performance.now()));
  const dbPath = path.join(dir, 'cronpeek.db');
  const config = loadServerConfig({ CRONPEEK_DB: dbPath, CRONPEEK_DEFAULT_PLAN: 'pro', CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1', CRONPEEK_CHECK_INTERVAL: '1', CRONPEEK_RATE_LIMITS: 'off' });
  const running = await startServer({ ...config, port: 0 }, silentLogger);
  const base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  const api = apiOf(base);
  const db = new Database(dbPath, { readonly: true });
  try {
    const otherKey = (await api('POST', '/api/v1/accounts', { email: 'other@example.com' })).apiKey as string;
    const pingUrls: string[] = [];
    for (let i = 0; i <= SAMPLES; i++) pingUrls.push(await otherMonitor(api, otherKey, receiver.origin, i));

    /** B's monitor `i` fails now: ms until its down alert reaches the receiver. */
    const flip = async (i: number): Promise<number | null> => {
      const key = `/other/${i}`;
      arrived.delete(key);
      const t = performance.now();
      await api('POST', `${new URL(pingUrls[i]).pathname}/fail`);
      return (await until(() => arrived.has(key), GIVE_UP_MS)) ? (arrived.get(key) as number) - t : null;
    };
    const baselineMs = await flip(0);

    await queueBehindTarpit(api, running, tarpit.origin);
    const noisyRows = db.prepare(`SELECT count(*) AS n FROM notifications WHERE channel = 'webhook' AND target LIKE ?`);
    const notAttempted = db.prepare(`SELECT count(*) AS n FROM notifications WHERE channel = 'webhook' AND attempts = 0 AND target LIKE ?`);
    const count = (statement: Database.Statement) => (statement.get(`${tarpit.origin}/%`) as { n: number }).n;
    // Timed from the moment all of A's alerts are queued and its first sends hang on the tarpit.
    await until(() => tarpit.opened > 0 && count(noisyRows) === QUEUED, GIVE_UP_MS);
    const formed = performance.now();
    const samples: FairnessSample[] = [];
    for (let i = 1; i <= SAMPLES; i++) {
      const queued = count(notAttempted);
      const atS = (performance.now() - formed) / 1000;
      samples.push({ atS, queued, ms: await flip(i) });
      await sleep(Math.max(0, formed + i * SAMPLE_EVERY_MS - performance.now()));
    }
    return { queued: QUEUED, baselineMs, samples };
  } finally {
    db.close();
    await tarpit.close();
    await running.close();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const msText = (ms: number | null) => (ms === null ? `not within ${GIVE_UP_MS / 1000} s` : `${ms.toFixed(0)} ms`);

export function printFairnessBench(r: FairnessResult): void {
  console.log(`6. Fairness (embedded server, checker every 1 s): account A has ${r.queued} webhook alerts queued behind a target that never answers`);
  console.log(`  from B's /fail to B's webhook arriving; baseline (no queue): ${msText(r.baselineMs)}`);
  console.log('   after the queue formed   A not yet attempted   B: fail → webhook');
  for (const s of r.samples) console.log(`   ${s.atS.toFixed(1).padStart(10)} s ${String(s.queued).padStart(21)}   ${msText(s.ms).padStart(17)}`);
  const worst = r.samples.some((s) => s.ms === null) ? null : Math.max(...r.samples.map((s) => s.ms as number));
  console.log(`  worst ${msText(worst)}; target ≤ ${FAIRNESS_TARGET_MS} ms: ${worst !== null && worst <= FAIRNESS_TARGET_MS ? 'met' : 'NOT met'}`);
}

if (require.main === module) {
  fairnessBench()
    .then(printFairnessBench)
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
