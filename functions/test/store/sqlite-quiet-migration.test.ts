import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transition } from '../../src/domain/transitions';
import type { PingData } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor, makeWindow } from '../support/factories';
import { rewindSchema } from './sqlite-rewind';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const ping = (when: Date): PingData => ({ at: when, method: 'GET', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body: null });

describe('SQLite migration for quiet times (snooze, dependencies, maintenance windows)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-quiet-migration-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('monitors stored before are not snoozed and depend on nothing, and take both afterwards; windows can be stored', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const account = makeAccount();
    await store.createAccount(account);
    const m = makeMonitor({ accountId: account.id, tags: ['db'] });
    await store.createMonitor(m, null);
    await store.recordPing(m.pingToken, ping(at(0)), (mon) => transition(mon, 'ping', at(0)));
    await store.close();

    // Take the file back to the schema before this migration (the fifteenth).
    rewindSchema(file, 14);

    const upgraded = new SqliteStore(file);
    try {
      const before = await upgraded.getMonitor(m.id);
      expect(before).toMatchObject({ status: 'up', tags: ['db'], pingCount: 1, snoozedUntil: null, dependsOn: [] });
      expect(await upgraded.findMonitorByPingToken(m.pingToken)).toEqual(before);

      const parent = makeMonitor({ accountId: account.id });
      await upgraded.createMonitor(parent, null);
      await upgraded.editMonitor(m.id, () => ({ snoozedUntil: at(3600), dependsOn: [parent.id] }));
      expect(await upgraded.getMonitor(m.id)).toEqual({ ...before, snoozedUntil: at(3600), dependsOn: [parent.id] });

      const w = makeWindow({ accountId: account.id, monitors: [m.id] });
      expect(await upgraded.createWindow(w, 10)).toBe('created');
      expect(await upgraded.listWindows(account.id)).toEqual([w]);
    } finally {
      await upgraded.close();
    }
  });
});
