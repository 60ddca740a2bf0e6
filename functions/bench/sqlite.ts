/**
 * Embedded-server benchmark: ping throughput and latency over real HTTP, checker sweep cost with
 * many monitors of which few are due, and memory. Prints figures; asserts nothing.
 *   npm run bench:sqlite            (from functions/)
 *   BENCH_MONITORS=200000 BENCH_PINGS=50000 npm run bench:sqlite
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { composeDeps } from '../src/compose';
import { createApp } from '../src/http/app';
import { sweepDueMonitors } from '../src/services/checker';
import { silentLogger } from '../src/log';
import { newBadgeKey, newMonitorId, newPingToken } from '../src/services/secrets';
import { SqliteStore } from '../src/store/sqlite';
import { transition } from '../src/domain/transitions';
import type { Monitor } from '../src/domain/types';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 100_000);
const DUE = Number(process.env.BENCH_DUE ?? 1_000);
const PINGS = Number(process.env.BENCH_PINGS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

function get(agent: http.Agent, port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-'));
  const store = new SqliteStore(path.join(dir, 'bench.db'));
  const t0 = new Date('2026-03-28T00:00:00.000Z');
  await store.createAccount({ id: 'bench', email: 'bench@example.com', apiKeyHash: 'x'.repeat(64), plan: 'pro', createdAt: t0, monitorCount: 0 });

  // Monitors: all pinged once at t0; DUE of them with a short schedule so they are overdue at "now".
  let started = performance.now();
  const tokens: string[] = [];
  for (let i = 0; i < MONITORS; i++) {
    const short = i < DUE;
    const m: Monitor = {
      id: newMonitorId(), accountId: 'bench', name: `job ${i}`, schedule: short ? 60 : 86_400, grace: 60,
      alertEmail: 'ops@example.com', alertWebhook: null, webhookSecret: null, alertSlack: null, alertPagerDuty: null, pingToken: newPingToken(), badgeKey: newBadgeKey(), status: 'new', manualResume: false,
      createdAt: t0, lastPingAt: null, lastAlertAt: null, pingCount: 0, alertAt: null, historyDays: null,
      cron: null, tz: null, lastStartAt: null, lastDuration: null, openRuns: [], resumedAt: null, flipCount: 0,
    };
    await store.createMonitor(m, null);
    await store.recordPing(m.pingToken, { at: t0, method: 'GET', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body: null }, (x) => transition(x, 'ping', t0));
    tokens.push(m.pingToken);
  }
  console.log(`setup: ${MONITORS} monitors created and pinged in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const now = new Date(t0.getTime() + 3_600_000);
  started = performance.now();
  const idle = await store.findDueMonitors(new Date(t0.getTime() + 1000), 200);
  const idleMs = performance.now() - started;
  started = performance.now();
  let flipped = 0;
  for (;;) {
    const pass = await sweepDueMonitors({ store }, now);
    flipped += pass.flipped;
    if (pass.due < 200) break;
  }
  const sweepMs = performance.now() - started;
  console.log(`sweep: idle query (0 due of ${MONITORS}) ${idleMs.toFixed(2)} ms, found ${idle.length}`);
  console.log(`sweep: ${flipped} due monitors flipped down (with their outbox rows) in ${sweepMs.toFixed(0)} ms (${(sweepMs / Math.max(flipped, 1)).toFixed(3)} ms each)`);

  const deps = composeDeps({
    store,
    app: { publicUrl: 'http://127.0.0.1', defaultPlan: 'pro', version: 'bench' },
    notify: { sendgridApiKey: null, sendgridApiUrl: null, emailFrom: 'a@b.c', allowPrivateWebhooks: false, userAgent: 'bench', pagerdutyUrl: 'https://events.pagerduty.com/v2/enqueue', publicUrl: null },
    log: silentLogger,
  });
  const server = http.createServer(createApp(deps));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const rssBefore = process.memoryUsage().rss;
  started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PINGS) {
        const token = tokens[next++ % tokens.length];
        const t = performance.now();
        const status = await get(agent, port, `/api/v1/ping/${token}`);
        latencies.push(performance.now() - t);
        if (status !== 200) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `pings: ${PINGS} over HTTP with ${CONCURRENCY} keep-alive clients in ${seconds.toFixed(1)} s = ${(PINGS / seconds).toFixed(0)} pings/s; ` +
      `latency p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms; non-200: ${errors}`,
  );
  const mem = process.memoryUsage();
  console.log(`memory: rss ${mb(mem.rss)} (was ${mb(rssBefore)} before the ping run), heap used ${mb(mem.heapUsed)}; database ${mb(fs.statSync(path.join(dir, 'bench.db')).size)}`);
  console.log('(client and server share one process and the machine’s cores; figures are a floor, not a ceiling)');

  agent.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
