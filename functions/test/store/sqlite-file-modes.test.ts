import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPO_DIR } from '../../src/config';
import { backupSqlite } from '../../src/store/sqlite/backup';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

/**
 * The database, its WAL and shared-memory files and its backups hold ping tokens and webhook
 * secrets: owner-only whatever the umask. 022, the usual default, is what makes files world-readable.
 */
describe('SQLite files are private under umask 022', () => {
  let dir: string;
  let savedUmask: number;
  beforeEach(() => {
    savedUmask = process.umask(0o022);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-file-modes-'));
  });
  afterEach(() => {
    process.umask(savedUmask);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function storeSomething(store: SqliteStore): Promise<void> {
    const account = makeAccount();
    await store.createAccount(account);
    await store.createMonitor(makeMonitor({ accountId: account.id }), null);
  }

  test('a new database: its directory 0700, the file, -wal and -shm 0600', async () => {
    const file = path.join(dir, 'data', 'cronpeek.db');
    const store = new SqliteStore(file);
    try {
      await storeSomething(store);
      expect(fs.existsSync(`${file}-wal`)).toBe(true);
      expect([modeOf(path.dirname(file)), modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual(['700', '600', '600', '600']);
    } finally {
      await store.close();
    }
  });

  test('a database left world-readable by an earlier version is narrowed to 0600 at start, with its -wal and -shm', async () => {
    const file = path.join(dir, 'cronpeek.db');
    // An earlier start under umask 022, stopped without a checkpoint: the WAL files stay behind.
    const earlier = new Database(file);
    earlier.pragma('journal_mode = WAL');
    earlier.exec('CREATE TABLE left_behind (x); INSERT INTO left_behind VALUES (1)');
    const stillOpen = new Database(file);
    stillOpen.prepare('SELECT * FROM left_behind').all();
    expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual(['644', '644', '644']);

    const store = new SqliteStore(file);
    try {
      expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual(['600', '600', '600']);
    } finally {
      await store.close();
      stillOpen.close();
      earlier.close();
    }
  });

  test('a backup is 0600', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    try {
      await storeSomething(store);
    } finally {
      await store.close();
    }
    const dest = path.join(dir, 'backup.db');
    await backupSqlite(file, dest);
    expect(modeOf(dest)).toBe('600');
    expect(fs.readdirSync(dir).sort()).toEqual(['backup.db', 'cronpeek.db']);
  });
});

test('every systemd service in the docs sets UMask=0077, so whatever it writes is its user\'s alone', () => {
  const services = ['docs/self-hosting.md', 'docs/examples.md'].flatMap((file) =>
    [...fs.readFileSync(path.join(REPO_DIR, file), 'utf8').matchAll(/^```ini\n([\s\S]*?)^```/gm)].map((m) => m[1]).filter((unit) => unit.includes('[Service]')),
  );
  expect(services.length).toBeGreaterThanOrEqual(3);
  for (const unit of services) expect(unit).toMatch(/^\[Service\]\n(?:[^[\n][^\n]*\n)*UMask=0077$/m);
});
