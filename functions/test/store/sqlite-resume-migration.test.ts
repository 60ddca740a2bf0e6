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
const ping = (when: Date): PingData => ({ at: when, method: 'GET', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body: null });

describe('SQLite migration for resume times and flip counts', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-resume-migration-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('monitors stored before take their last resume and flip count from their flips, and keep numbering after them', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const account = makeAccount();
    await store.createAccount(account);
    const m = makeMonitor({ accountId: account.id });
    const idle = makeMonitor({ accountId: account.id });
    for (const x of [m, idle]) await store.createMonitor(x, null);
    await store.recordPing(m.pingToken, ping(at(0)), (mon) => transition(mon, 'ping', at(0)));
    await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(10)));
    await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(20)));
    await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(30)));
    await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(86_400)));
    await store.close();

    // Take the file back to the schema before this migration (the sixth).
    rewindSchema(file, 6);

    const upgraded = new SqliteStore(file);
    try {
      expect(await upgraded.getMonitor(m.id)).toMatchObject({ resumedAt: at(86_400), flipCount: 5 });
      expect(await upgraded.getMonitor(idle.id)).toMatchObject({ resumedAt: null, flipCount: 0 });
      // The same status again at the same instant as an earlier flip: a new id, not a clash.
      await upgraded.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(86_400)));
      await upgraded.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(86_400)));
      const flips = await upgraded.listFlips(m.id);
      expect(flips).toHaveLength(7);
      expect(new Set(flips.map((f) => f.id)).size).toBe(7);
    } finally {
      await upgraded.close();
    }
  });
});
