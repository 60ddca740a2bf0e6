import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { transition } from '../../src/domain/transitions';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';

describe('SQLite adapter on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-sqlite-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('creates the file and its folders on first open, at the current schema version', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'cronpeek.db');
    const store = new SqliteStore(file);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  test('keeps its data across a restart', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const first = new SqliteStore(file);
    const account = makeAccount();
    const monitor = makeMonitor({ accountId: account.id });
    await first.createAccount(account);
    await first.createMonitor(monitor, null);
    await first.close();
    const second = new SqliteStore(file);
    expect(await second.getMonitor(monitor.id)).toEqual(monitor);
    await second.close();
  });

  test('refuses a database written by a newer CronPeek', () => {
    const file = path.join(dir, 'cronpeek.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStore(file)).toThrow(/newer than this CronPeek/);
  });

  test('two connections on one file, used in turn in one thread, each see and count the other’s pings', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const a = new SqliteStore(file);
    const b = new SqliteStore(file);
    const account = makeAccount();
    const monitor = makeMonitor({ accountId: account.id });
    await a.createAccount(account);
    await a.createMonitor(monitor, null);
    const at = new Date('2026-03-28T02:00:00.000Z');
    const ping = { at, method: 'GET' as const, kind: 'success' as const, exitCode: null, rid: null, source: null, userAgent: null, body: null };
    // better-sqlite3 is synchronous, so these run one after another; real overlap between
    // processes is tested in test/alerts/two-processes.test.ts and the crash test.
    for (let i = 0; i < 20; i++) await (i % 2 ? a : b).recordPing(monitor.pingToken, ping, (m) => transition(m, 'ping', at));
    expect((await a.getMonitor(monitor.id))!.pingCount).toBe(20);
    expect((await b.listFlips(monitor.id)).map((f) => f.to)).toEqual(['up']);
    await a.close();
    await b.close();
  });
});
