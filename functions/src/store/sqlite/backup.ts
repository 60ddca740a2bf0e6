import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createPrivateFile } from './files';

export interface BackupResult {
  file: string;
  bytes: number;
  /** `PRAGMA integrity_check` of the copy: `ok` or the first problems it found. */
  integrity: string;
}

/**
 * An online backup of the SQLite file at `source` into `dest`, taken while the server keeps
 * writing: SQLite's backup API copies a consistent snapshot, restarting when a writer changes a
 * page it has already copied. The copy is written beside `dest` and renamed into place only once
 * it passed `PRAGMA integrity_check`, so `dest` is either absent or a whole, checked database,
 * in rollback-journal mode (one self-contained file to store or copy back). The copy is created
 * 0600 whatever the umask: like the database, it holds ping tokens and webhook secrets.
 */
export async function backupSqlite(source: string, dest: string): Promise<BackupResult> {
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  if (fs.existsSync(dest)) throw new Error(`${dest} already exists; choose a new file name`);
  const partial = path.join(path.dirname(dest), `.${path.basename(dest)}.partial-${process.pid}`);
  const db = new Database(source, { fileMustExist: true });
  try {
    // SQLite would create the copy with its default 0644; it keeps the mode of a file that exists.
    createPrivateFile(partial);
    db.pragma('busy_timeout = 5000');
    await db.backup(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
  let integrity: string;
  try {
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
      const rows = copy.pragma('integrity_check') as Array<{ integrity_check: string }>;
      integrity = rows.map((r) => r.integrity_check).join('; ');
    } finally {
      copy.close();
    }
    if (integrity !== 'ok') throw new Error(`the copy failed its integrity check: ${integrity}`);
    // link, not rename: a file that appeared at `dest` meanwhile is refused, never replaced.
    fs.linkSync(partial, dest);
    fs.rmSync(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  return { file: dest, bytes: fs.statSync(dest).size, integrity };
}
