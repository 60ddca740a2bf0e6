import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { transition } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import { silentLogger } from '../../src/log';
import { sweepDueMonitors } from '../../src/services/checker';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';

const run = promisify(execFile);
const TSX = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
const CHILD = path.join(__dirname, 'support', 'sweep-process.ts');
const at = new Date('2026-03-28T12:00:00.000Z');

interface SweepTotals {
  due: number;
  flipped: number;
  failed: number;
}

/** `count` up monitors of one account whose deadline passed a minute before `at`. */
async function dueMonitors(store: SqliteStore, count: number): Promise<Monitor[]> {
  const account = makeAccount({ plan: 'pro' });
  await store.createAccount(account);
  const monitors = Array.from({ length: count }, (_, i) =>
    makeMonitor({
      accountId: account.id, name: `job ${i}`, status: 'up', pingCount: 1, flipCount: 1,
      lastPingAt: new Date(at.getTime() - 3_600_000), alertAt: new Date(at.getTime() - 60_000),
    }),
  );
  for (const m of monitors) await store.createMonitor(m, null);
  return monitors;
}

/** Starts `n` sweep processes on `file` and opens their gate once all are ready; resolves to their totals. */
async function sweepInProcesses(dir: string, file: string, n: number, whileGateOpen: () => Promise<void> = async () => {}): Promise<SweepTotals[]> {
  const go = path.join(dir, 'go');
  const env = { ...process.env, SWEEP_DB: file, SWEEP_AT: at.toISOString(), SWEEP_GO: go };
  const children = Array.from({ length: n }, () => run(TSX, [CHILD], { env }));
  const deadline = Date.now() + 30_000;
  while (fs.readdirSync(dir).filter((f) => f.endsWith('.ready')).length < n) {
    if (Date.now() > deadline) throw new Error('the sweep processes did not get ready within 30 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  fs.writeFileSync(go, '');
  await whileGateOpen();
  return (await Promise.all(children)).map((c) => JSON.parse(c.stdout) as SweepTotals);
}

/**
 * The SQLite sweep reads a whole batch of due monitors at once (one statement inside the batch's
 * transaction) instead of one read per monitor. These tests run it in real processes on one
 * file, so another writer really commits between the sweep's due query and its writes.
 */
describe('SQLite batched sweep', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-sweep-batch-'));
    file = path.join(dir, 'cronpeek.db');
    store = new SqliteStore(file);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a ping written earlier in the same batch as its monitor\'s deadline check keeps it up', async () => {
    const [pinged, other] = await dueMonitors(store, 2);
    const deadline = (m: Monitor) => store.updateMonitor(m.id, (cur) => transition(cur, 'deadline', at));

    // One turn, so one group commit: the batch reads both monitors at its start, then the ping
    // (queued first) is written before the deadline checks.
    const [, pingedCheck, otherCheck] = await Promise.all([
      store.recordPing(pinged.pingToken, {
        at, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '203.0.113.9', userAgent: 'curl/8', body: null, bodyTruncated: false,
      }, (cur) => transition(cur, 'ping', at)),
      deadline(pinged),
      deadline(other),
    ]);

    expect(pingedCheck!.transition?.flip ?? null).toBeNull();
    expect((await store.getMonitor(pinged.id))!.status).toBe('up');
    expect(await store.listNotifications(pinged.id)).toEqual([]);
    expect(otherCheck!.transition!.flip!.to).toBe('down');
  });

  test('a monitor pinged after the due query is not flipped, and one edited meanwhile alerts its new address', async () => {
    const [pinged, edited, untouched] = await dueMonitors(store, 3);
    // Another writer holds the write lock: the sweep's due query (a WAL read) still sees all three
    // due, and its writes wait for the lock. This writer then pings one monitor and edits another.
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const [totals] = await sweepInProcesses(dir, file, 1, async () => {
      await new Promise((r) => setTimeout(r, 1_000)); // the sweep's due query is done; its writes wait (busy_timeout 5 s)
      other.prepare('UPDATE monitors SET last_ping_at = ?, alert_at = ?, ping_count = ping_count + 1 WHERE id = ?')
        .run(at.getTime(), at.getTime() + (pinged.schedule + pinged.grace) * 1000, pinged.id);
      other.prepare('UPDATE monitors SET alert_email = ? WHERE id = ?').run('new-oncall@example.com', edited.id);
      other.exec('COMMIT');
    });
    other.close();

    // All three were due when the sweep queried: the race really happened.
    expect(totals).toEqual({ due: 3, flipped: 2, failed: 0 });
    expect((await store.getMonitor(pinged.id))!.status).toBe('up');
    expect(await store.listFlips(pinged.id)).toEqual([]);
    expect(await store.listNotifications(pinged.id)).toEqual([]);
    expect((await store.listFlips(edited.id)).map((f) => f.to)).toEqual(['down']);
    expect((await store.listNotifications(edited.id)).map((n) => [n.channel, n.target])).toEqual([['email', 'new-oncall@example.com']]);
    expect((await store.listNotifications(untouched.id)).map((n) => [n.channel, n.target])).toEqual([['email', 'ops@example.com']]);
  }, 60_000);

  test('two sweeps over the same due set flip each monitor once and queue each alert once', async () => {
    // More than two batches (the checker takes 200 at a time), so the processes' batches interleave.
    const monitors = await dueMonitors(store, 450);

    const totals = await sweepInProcesses(dir, file, 2);

    expect(totals.reduce((sum, t) => sum + t.flipped, 0)).toBe(monitors.length);
    expect(totals.reduce((sum, t) => sum + t.failed, 0)).toBe(0);
    for (const m of monitors) {
      expect((await store.listFlips(m.id)).map((f) => [f.from, f.to])).toEqual([['up', 'down']]);
      expect((await store.listNotifications(m.id)).map((n) => [n.channel, n.event])).toEqual([['email', 'monitor.down']]);
    }
  }, 60_000);

  test('two connections in one process sweeping together flip each monitor once and queue each alert once', async () => {
    const monitors = await dueMonitors(store, 450);
    const second = new SqliteStore(file);
    const sweepAll = async (s: SqliteStore) => {
      let flipped = 0;
      for (;;) {
        const pass = await sweepDueMonitors({ store: s, log: silentLogger }, at);
        flipped += pass.flipped;
        if (pass.due === 0) return flipped;
      }
    };

    const flipped = await Promise.all([sweepAll(store), sweepAll(second)]);
    await second.close();

    expect(flipped[0] + flipped[1]).toBe(monitors.length);
    for (const m of monitors) {
      expect((await store.listFlips(m.id)).map((f) => f.to)).toEqual(['down']);
      expect(await store.listNotifications(m.id)).toHaveLength(1);
    }
  }, 60_000);
});
