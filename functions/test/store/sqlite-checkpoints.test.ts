import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { transition } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import type { PingData } from '../../src/store/port';
import type { CheckpointReport } from '../../src/store/sqlite/checkpointer';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';

const at = new Date('2026-03-28T12:00:00.000Z');
const ping: PingData = {
  at, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '203.0.113.9', userAgent: 'curl/8', body: null, bodyTruncated: false,
};
const PAGE = 4096;

/**
 * WAL checkpoints run in a worker thread with its own connection, not inside the store's commits
 * (issue 24). These tests watch the WAL file and the worker's reports; the store is the real one
 * on a file, and so is the worker.
 */
describe('SQLite checkpoints off the event loop', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  let monitors: Monitor[];
  let reports: CheckpointReport[];

  const open = async (options: SqliteStoreOptions) => {
    store = new SqliteStore(file, options);
    const account = makeAccount();
    await store.createAccount(account);
    monitors = Array.from({ length: 200 }, () => makeMonitor({ accountId: account.id, schedule: 86_400 }));
    for (const m of monitors) await store.createMonitor(m, null);
  };
  const reporting = (more: object = {}): SqliteStoreOptions => ({ checkpoints: { startAfterMs: 0, onReport: (r) => reports.push(r), ...more } });
  /** `rounds` group commits of one ping on each of the 200 monitors: each commit dirties about 100 pages (their rows, their pings, the indexes). */
  const pingRounds = async (rounds: number) => {
    for (let r = 0; r < rounds; r++) {
      await Promise.all(monitors.map((m) => store.recordPing(m.pingToken, ping, (x) => transition(x, 'ping', at))));
    }
  };
  const walPages = () => Math.floor((fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0) / (PAGE + 24));
  const until = async (check: () => boolean, what: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-checkpoints-'));
    file = path.join(dir, 'cronpeek.db');
    reports = [];
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the store\'s commits no longer checkpoint: the WAL grows past 4,000 pages until the worker looks', async () => {
    // The worker looks only once a minute here, so nothing but the store could checkpoint.
    await open(reporting({ intervalMs: 60_000 }));
    await pingRounds(60);
    expect(walPages()).toBeGreaterThan(4000);
    expect(reports).toEqual([]);
  });

  test('with inline checkpoints (SQLite\'s default) the same writes keep the WAL under 2,000 pages', async () => {
    await open({ checkpoints: 'inline' });
    await pingRounds(60);
    expect(walPages()).toBeLessThan(2000);
  });

  test('the worker copies every committed page into the database file, and closing leaves no WAL', async () => {
    await open(reporting({ intervalMs: 10 }));
    await pingRounds(10);
    await until(() => reports.some((r) => r.log > 0 && r.checkpointed === r.log), 'a complete checkpoint');
    // A second connection sees the rows straight from the database file once the WAL is gone.
    await store.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM pings').get() as { n: number }).n).toBe(2000);
    db.close();
    store = new SqliteStore(file, { checkpoints: 'inline' });
  });

  test('once the WAL is big and every page copied, the worker has it start over (RESTART), and it stays small', async () => {
    await open(reporting({ intervalMs: 5, restartAbovePages: 300 }));
    await pingRounds(10);
    await until(() => reports.some((r) => r.mode === 'RESTART'), 'a RESTART checkpoint');
    const restarts = reports.length;
    // The next commits write from the WAL's start again: the worker's next look finds few pages.
    await pingRounds(1);
    await until(() => reports.length > restarts, 'the next look');
    expect(reports[reports.length - 1].log).toBeLessThan(300);
  });

  test('a writer faster than the worker: past the backstop, the store\'s commits checkpoint again', async () => {
    // The worker never looks: only the backstop can keep the WAL from holding all ~12,000 pages.
    await open(reporting({ intervalMs: 60_000, inlineAbovePages: 1500 }));
    await pingRounds(120);
    expect(walPages()).toBeLessThan(2500);
    expect(reports).toEqual([]);
  });

  test('a worker that dies hands checkpoints back to the store\'s commits, with a warning', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await open(reporting({ intervalMs: 60_000 }));
      const worker = (store as unknown as { checkpointer: { worker: Worker } }).checkpointer.worker;
      await worker.terminate();
      await until(() => warn.mock.calls.length > 0, 'the warning');
      expect(String(warn.mock.calls[0][0])).toContain('checkpoint worker stopped');
      await pingRounds(60);
      expect(walPages()).toBeLessThan(2000);
    } finally {
      warn.mockRestore();
    }
  });

  test('the worker starts only once the store has been open for startAfterMs; a store closed sooner never starts one', async () => {
    const checkpointerOf = (s: SqliteStore) => (s as unknown as { checkpointer: unknown }).checkpointer;
    store = new SqliteStore(file, { checkpoints: { startAfterMs: 100 } });
    expect(checkpointerOf(store)).toBeNull();
    await until(() => checkpointerOf(store) !== null, 'the worker to start');
    await store.close();

    store = new SqliteStore(file, { checkpoints: { startAfterMs: 100 } });
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(checkpointerOf(store)).toBeNull();
  });

  test('an in-memory store starts no worker', async () => {
    store = new SqliteStore(':memory:');
    expect((store as unknown as { checkpointer: unknown }).checkpointer).toBeNull();
  });
});
