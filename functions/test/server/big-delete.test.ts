import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { loadServerConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { listeningUrl, startServer } from '../../src/server';

const PINGS = 200_000;
const PROBE_EVERY_MS = 50;

/**
 * Writes `count` pings of one monitor straight into the database, in one statement: as many
 * through the API would take minutes (and the ping limit would refuse them).
 */
function seedPings(file: string, monitorId: string, count: number): void {
  const db = new Database(file);
  try {
    db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
       INSERT INTO pings (monitor_id, at, method, kind, source, user_agent, body, body_size)
       SELECT ?, ? + i * 600, 'GET', 'success', '203.0.113.9', 'curl/8.5.0',
              CASE WHEN i % 10 = 0 THEN 'backup done: 42 tables' END, CASE WHEN i % 10 = 0 THEN 22 ELSE 0 END
       FROM n`,
    ).run(count, monitorId, Date.now() - count * 600);
  } finally {
    db.close();
  }
}

/** A health probe every PROBE_EVERY_MS through the real server; how long each waited for its answer. */
function startProbing(base: string) {
  const answered: Array<{ at: number; waitedMs: number }> = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const sent = performance.now();
      const res = await fetch(`${base}/api/health`);
      await res.arrayBuffer();
      answered.push({ at: performance.now(), waitedMs: performance.now() - sent });
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
  })();
  return {
    answered,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * The finding: deleting a monitor with a week of pings froze the embedded server for 19 s, one
 * transaction deleting every row. Now the monitor goes at once and its pings in batches between
 * turns of the event loop, so requests are answered while they go. The worst probe wait is
 * printed as a figure (the target, 200 ms for 1M pings, is `npm run bench`'s delete section);
 * what is asserted is the order of events.
 */
describe('a big delete on the embedded server', () => {
  let dir: string;
  let file: string;
  let running: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-big-delete-'));
    file = path.join(dir, 'cronpeek.db');
    const config = loadServerConfig({ CRONPEEK_DB: file, CRONPEEK_DEFAULT_PLAN: 'pro', CRONPEEK_RATE_LIMITS: 'off', CRONPEEK_CHECK_INTERVAL: '3600' });
    running = await startServer({ ...config, port: 0 }, silentLogger);
    base = listeningUrl(running.server).replace('[::]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  });
  afterAll(async () => {
    await running?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, route: string, apiKey?: string, body?: unknown) {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** How many of the monitor's pings are left, or (`any`) only whether one is: cheap enough not to hold the test's own probes. */
  const remainingPings = (monitorId: string, any = false): number => {
    const db = new Database(file, { readonly: true });
    try {
      if (any) return db.prepare('SELECT 1 FROM pings WHERE monitor_id = ? LIMIT 1').get(monitorId) === undefined ? 0 : 1;
      return (db.prepare('SELECT COUNT(*) AS n FROM pings WHERE monitor_id = ?').get(monitorId) as { n: number }).n;
    } finally {
      db.close();
    }
  };

  test(`deleting a monitor with ${PINGS.toLocaleString('en')} pings answers at once, and health probes are answered while its pings go`, async () => {
    const apiKey = (await call('POST', '/api/v1/accounts', undefined, { email: 'big@example.com' })).body.apiKey as string;
    const created = await call('POST', '/api/v1/monitors', apiKey, { name: 'Every minute', schedule: 60 });
    const monitorId = created.body.monitorId as string;
    // The ping URL is built on PUBLIC_URL; the path is what this server answers.
    const pingUrl = `${base}${new URL(created.body.pingUrl as string).pathname}`;
    seedPings(file, monitorId, PINGS);
    expect(remainingPings(monitorId)).toBe(PINGS);

    const probes = startProbing(base);
    let answeredAt = 0;
    let goneAt = 0;
    try {
      await new Promise((r) => setTimeout(r, 3 * PROBE_EVERY_MS));
      const deleted = await call('DELETE', `/api/v1/monitors/${monitorId}`, apiKey);
      answeredAt = performance.now();
      expect(deleted).toEqual({ status: 200, body: { deleted: true } });
      // The delete answered before its pings were gone, and the monitor and its token are gone already.
      expect(remainingPings(monitorId, true)).toBe(1);
      expect((await call('GET', `/api/v1/monitors/${monitorId}`, apiKey)).status).toBe(404);
      expect((await fetch(pingUrl)).status).toBe(404);

      for (const deadline = performance.now() + 60_000; performance.now() < deadline; ) {
        const probesBefore = probes.answered.length;
        if (remainingPings(monitorId, true) === 0) {
          goneAt = performance.now();
          break;
        }
        // Wait for a probe to be answered with rows still there: the event loop is not held.
        while (probes.answered.length === probesBefore) await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await probes.stop();
    }

    expect(goneAt).toBeGreaterThan(0);
    const during = probes.answered.filter((p) => p.at > answeredAt && p.at < goneAt);
    expect(during.length).toBeGreaterThan(0);
    const worst = Math.max(...probes.answered.map((p) => p.waitedMs));
    console.log(
      `big delete (${PINGS} pings): removed ${Math.round(goneAt - answeredAt)} ms after the answer; ` +
        `${during.length} health probes answered meanwhile, the slowest in ${worst.toFixed(0)} ms`,
    );
  });
});
