import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';

/**
 * The adapters every store-backed suite runs against. Suites use
 * `describe.each(storeKinds())('… on %s', (_name, kind) => …)` and call `kind.open()` per test
 * for an empty store.
 */
export interface StoreKind {
  open(): Promise<Store>;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export const sqliteKind: StoreKind = {
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-test-'));
    tempDirs.push(dir);
    return new SqliteStore(path.join(dir, 'cronpeek.db'));
  },
};

export function storeKinds(): Array<[string, StoreKind]> {
  return [['sqlite', sqliteKind]];
}
