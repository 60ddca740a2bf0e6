import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transition } from '../../src/domain/transitions';
import type { PingData } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';
import { attachedOf, makeChannel } from './contract/support';
import { rewindSchema } from './sqlite-rewind';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const ping = (when: Date): PingData => ({ at: when, method: 'GET', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body: null });

describe('SQLite migration for channel objects', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-channels-migration-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('monitors and alerts stored before read as attached to nothing, and take channels afterwards', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const account = makeAccount({ plan: 'pro' });
    await store.createAccount(account);
    const m = makeMonitor({ accountId: account.id });
    await store.createMonitor(m, null);
    await store.recordPing(m.pingToken, ping(at(0)), (mon) => transition(mon, 'ping', at(0)));
    await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(m.schedule + m.grace)));
    await store.close();

    // Take the file back to the schema before this migration (the thirteenth).
    rewindSchema(file, 12);

    const upgraded = new SqliteStore(file);
    try {
      expect((await upgraded.getMonitor(m.id))!.channels).toEqual([]);
      // The tags migration, run after this one, leaves monitors stored before it untagged.
      expect((await upgraded.getMonitor(m.id))!.tags).toEqual([]);
      const [old] = await upgraded.listNotifications(m.id);
      expect(old).toMatchObject({ event: 'monitor.down', channel: 'email', channelId: null });
      expect((await upgraded.notificationHistory({ monitorId: m.id }, { limit: 10, before: null, since: null })).items).toEqual([old]);

      const c = makeChannel(account.id, { events: ['up'] });
      expect(await upgraded.createChannel(c, 10)).toBe('created');
      await upgraded.editMonitor(m.id, () => ({ channels: [attachedOf(c)] }));
      await upgraded.recordPing(m.pingToken, ping(at(m.schedule + m.grace + 10)), (mon) => transition(mon, 'ping', at(m.schedule + m.grace + 10)));
      const log = await upgraded.notificationHistory({ channelId: c.id }, { limit: 10, before: null, since: null });
      expect(log.items.map((n) => [n.event, n.channel, n.channelId])).toEqual([['monitor.up', 'slack', c.id]]);
    } finally {
      await upgraded.close();
    }
  });
});
