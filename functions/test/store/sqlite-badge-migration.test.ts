import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';
import { rewindSchema } from './sqlite-rewind';

describe('SQLite migration for status badges', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-badge-migration-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('monitors stored before badges each get their own key, and keys are unique', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const account = makeAccount();
    await store.createAccount(account);
    const monitors = [makeMonitor({ accountId: account.id }), makeMonitor({ accountId: account.id })];
    for (const m of monitors) await store.createMonitor(m, null);
    await store.close();

    // Take the file back to the schema before badges (the fifth migration), dropping what later ones added.
    rewindSchema(file, 5);

    const upgraded = new SqliteStore(file);
    try {
      const keys = await Promise.all(monitors.map(async (m) => (await upgraded.getMonitor(m.id))?.badgeKey));
      expect(keys).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/), expect.stringMatching(/^[0-9a-f]{32}$/)]);
      expect(keys[0]).not.toBe(keys[1]);
      expect(await upgraded.findMonitorByBadgeKey(keys[0] as string)).toMatchObject({ id: monitors[0].id });
      // The unique index refuses a second monitor with a key already in use.
      const duplicate = await upgraded.createMonitor(makeMonitor({ accountId: account.id, badgeKey: keys[0] as string }), null).then(() => 'created', (err: unknown) => String(err));
      expect(duplicate).toMatch(/UNIQUE constraint failed: monitors\.badge_key/);
    } finally {
      await upgraded.close();
    }
  });
});
