import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newStatusPageId } from '../../src/services/status-pages';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';
import { rewindSchema } from './sqlite-rewind';

describe('SQLite migration for status pages', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-status-pages-migration-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a database from before status pages keeps its monitors and can store pages afterwards', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const account = makeAccount();
    await store.createAccount(account);
    const m = makeMonitor({ accountId: account.id });
    await store.createMonitor(m, null);
    await store.close();

    // Take the file back to the schema before this migration (the seventeenth).
    rewindSchema(file, 16);

    const upgraded = new SqliteStore(file);
    try {
      expect(await upgraded.getMonitor(m.id)).toEqual(m);
      const page = { id: newStatusPageId(), accountId: account.id, slug: 'acme', title: 'Acme', description: null, monitors: [m.id], createdAt: new Date() };
      expect(await upgraded.createStatusPage(page, 1)).toBe('created');
      expect(await upgraded.findStatusPageBySlug('acme')).toEqual(page);
    } finally {
      await upgraded.close();
    }
  });
});
