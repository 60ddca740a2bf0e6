import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transition } from '../../src/domain/transitions';
import type { PingData } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';
import { rewindSchema } from './sqlite-rewind';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const ping = (when: Date, body: string | null): PingData => ({ at: when, method: 'POST', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body });

describe('SQLite migration for deletions in the background and the ping body budget', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bounds-migration-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('bodies stored before count against the budget: an account already over it is trimmed, oldest first', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const account = makeAccount();
    await store.createAccount(account);
    const m = makeMonitor({ accountId: account.id });
    await store.createMonitor(m, null);
    for (let s = 0; s < 4; s++) await store.recordPing(m.pingToken, ping(at(s), s === 1 ? null : 'é'.repeat(50)), (mon) => transition(mon, 'ping', at(s)));
    await store.close();

    // Take the file back to the schema before this migration (the tenth).
    rewindSchema(file, 9);

    const upgraded = new SqliteStore(file);
    try {
      // Three bodies of 100 bytes (é is two), counted as stored since the last total: a budget of 250 drops the oldest.
      expect(await upgraded.trimPingBodies({ bytes: { free: 250, pro: 250 }, checkEvery: 300 }, () => true)).toBe(1);
      const bodies = (await upgraded.listPings(m.id, 10)).reverse().map((p) => p.body?.length ?? null);
      expect(bodies).toEqual([null, null, 50, 50]);
      // A deletion now goes through the new table.
      expect(await upgraded.deleteMonitor(m.id)).toBe(true);
      await upgraded.deletionsSettled();
      expect(await upgraded.listPings(m.id, 10)).toEqual([]);
    } finally {
      await upgraded.close();
    }
  });
});
