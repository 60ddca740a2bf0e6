import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runBackup, type Output } from '../../src/admin';
import { loadServerConfig } from '../../src/config';
import { listeningUrl, startServer } from '../../src/server';
import { capturingLogger } from '../notify/support/logger';

function capture(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

const serverConfig = (db: string) =>
  loadServerConfig({ CRONPEEK_DB: db, HOST: '127.0.0.1', CRONPEEK_CHECK_INTERVAL: '3600', CRONPEEK_RATE_LIMITS: 'off' });

/** Pings recorded in a database file, counted directly (the table the SQLite adapter writes). */
function pingsIn(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM pings').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('npm run admin -- backup <file> (SQLite online backup) and restore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-backup-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a backup taken while pings are being written is whole, checked, and restores with the data', async () => {
    const live = path.join(dir, 'live.db');
    const running = await startServer({ ...serverConfig(live), port: 0 }, capturingLogger());
    const base = listeningUrl(running.server);
    let apiKey = '';
    let monitorId = '';
    let acknowledgedBeforeBackup = 0;
    let acknowledged = 0;
    try {
      const account = await fetch(`${base}/api/v1/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'backup@example.com' }) });
      apiKey = ((await account.json()) as { apiKey: string }).apiKey;
      const created = await fetch(`${base}/api/v1/monitors`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ name: 'Backed up', schedule: 3600 }) });
      const monitor = (await created.json()) as { monitorId: string; pingUrl: string };
      monitorId = monitor.monitorId;
      const pingUrl = `${base}${new URL(monitor.pingUrl).pathname}`;

      // Four writers ping without pause until the backup is done; some pings land before it starts.
      let writing = true;
      const writer = async () => {
        while (writing) {
          const res = await fetch(pingUrl, { method: 'POST', body: 'x'.repeat(2_000) });
          if (res.status !== 200) throw new Error(`ping answered ${res.status}`);
          acknowledged += 1;
        }
      };
      const writers = [writer(), writer(), writer(), writer()];
      while (acknowledged < 40) await new Promise((r) => setTimeout(r, 10));
      acknowledgedBeforeBackup = acknowledged;

      const io = capture();
      const code = await runBackup(serverConfig(live), [path.join(dir, 'backup.db')], io);
      const acknowledgedAfterBackup = acknowledged;
      writing = false;
      await Promise.all(writers);

      expect(io.errors).toEqual([]);
      expect(code).toBe(0);
      expect(io.lines[0]).toMatch(/^backed up .*live\.db to .*backup\.db \(\d+ bytes, integrity ok\)$/);
      const copied = pingsIn(path.join(dir, 'backup.db'));
      // A consistent snapshot: every ping acknowledged before the backup began, and no more than
      // were acknowledged by its end plus the four that may have been committed but not yet answered.
      expect(copied).toBeGreaterThanOrEqual(acknowledgedBeforeBackup);
      expect(copied).toBeLessThanOrEqual(acknowledgedAfterBackup + 4);
      expect(acknowledged).toBeGreaterThan(acknowledgedBeforeBackup);
    } finally {
      await running.close();
    }

    const copy = new Database(path.join(dir, 'backup.db'), { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    copy.close();
    expect(fs.readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);

    // Restore as documented: the backup file becomes the server's database.
    const restored = path.join(dir, 'restored.db');
    fs.copyFileSync(path.join(dir, 'backup.db'), restored);
    const again = await startServer({ ...serverConfig(restored), port: 0 }, capturingLogger());
    try {
      const res = await fetch(`${listeningUrl(again.server)}/api/v1/monitors/${monitorId}/status`, { headers: { 'x-api-key': apiKey } });
      expect(res.status).toBe(200);
      const status = (await res.json()) as { name: string; status: string; pingCount: number };
      expect(status).toMatchObject({ name: 'Backed up', status: 'up' });
      expect(status.pingCount).toBeGreaterThanOrEqual(acknowledgedBeforeBackup);
      const ping = await fetch(`${listeningUrl(again.server)}/api/v1/monitors`, { headers: { 'x-api-key': apiKey } });
      expect(((await ping.json()) as { count: number }).count).toBe(1);
    } finally {
      await again.close();
    }
  }, 60_000);

  test('refuses to overwrite an existing file and changes nothing', async () => {
    const live = path.join(dir, 'live.db');
    const running = await startServer({ ...serverConfig(live), port: 0 }, capturingLogger());
    await running.close();
    const dest = path.join(dir, 'taken.db');
    fs.writeFileSync(dest, 'precious');
    const io = capture();
    expect(await runBackup(serverConfig(live), [dest], io)).toBe(1);
    expect(io.errors.join('\n')).toContain('already exists');
    expect(fs.readFileSync(dest, 'utf8')).toBe('precious');
  });

  test('a missing database, a Firestore store or a missing file name are clear errors', async () => {
    const io = capture();
    expect(await runBackup(serverConfig(path.join(dir, 'none.db')), [path.join(dir, 'b.db')], io)).toBe(1);
    expect(io.errors.pop()).toContain('no database at');
    expect(await runBackup({ ...serverConfig(path.join(dir, 'x.db')), store: 'firestore' }, [path.join(dir, 'b.db')], io)).toBe(2);
    expect(io.errors.pop()).toContain('gcloud firestore export');
    expect(await runBackup(serverConfig(path.join(dir, 'x.db')), [], io)).toBe(2);
    expect(io.errors.pop()).toContain('backup <file>');
    expect(fs.existsSync(path.join(dir, 'b.db'))).toBe(false);
  });
});
