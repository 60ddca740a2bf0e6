import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashSecret, newPingKey } from '../../src/services/secrets';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';
import { rewindSchema } from './sqlite-rewind';

describe('SQLite migration for monitor slugs and ping keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-slugs-migration-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('monitors and accounts stored before have no slug and no ping key, take both afterwards, and slugs are unique per account', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const account = makeAccount();
    await store.createAccount(account);
    const m = makeMonitor({ accountId: account.id });
    const other = makeMonitor({ accountId: account.id });
    await store.createMonitor(m, null);
    await store.createMonitor(other, null);
    await store.close();

    // Take the file back to the schema before this migration (the nineteenth).
    rewindSchema(file, 18);

    const upgraded = new SqliteStore(file);
    try {
      expect(await upgraded.getMonitor(m.id)).toEqual({ ...m, slug: null });
      expect((await upgraded.getAccount(account.id))?.pingKeyHash).toBeNull();
      expect(await upgraded.setMonitorSlug(m.id, 'nightly')).toMatchObject({ slug: 'nightly' });
      expect(await upgraded.setMonitorSlug(other.id, 'nightly')).toBe('slug_taken');
      const hash = hashSecret(newPingKey());
      expect(await upgraded.setPingKey(account.id, hash)).toBe(true);
      expect((await upgraded.findAccountByPingKeyHash(hash))?.id).toBe(account.id);
    } finally {
      await upgraded.close();
    }
  });
});
