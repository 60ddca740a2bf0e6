import fs from 'node:fs';
import path from 'node:path';

/**
 * Owner-only modes for everything the SQLite adapter writes: the database and its backups hold
 * ping tokens and webhook secrets, which are credentials.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Makes `file` ready to be opened as a private database, whatever the process umask (left alone:
 * it is global to the process). A missing directory is created 0700 (an existing one is not
 * touched: it may be shared); the file is created 0600, or narrowed to 0600 when it exists, and so
 * are its `-wal` and `-shm` files. SQLite creates those two itself with the database file's
 * permissions, so once the database is 0600 they are too; narrowing them here covers the files
 * left by a start before this one.
 */
export function preparePrivateDatabase(file: string): void {
  const resolved = path.resolve(file);
  fs.mkdirSync(path.dirname(resolved), { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  try {
    createPrivateFile(resolved);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const f of [resolved, `${resolved}-wal`, `${resolved}-shm`]) makePrivate(f);
}

/** Creates `file`, which must not exist (a link planted there is refused, not followed), as 0600. */
export function createPrivateFile(file: string): void {
  const fd = fs.openSync(file, 'wx', PRIVATE_FILE_MODE);
  try {
    // The umask may have narrowed the mode further; the owner still needs to read and write.
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    fs.closeSync(fd);
  }
}

/** Narrows an existing file to 0600; a missing file, or one this user may not change, is left as is. */
function makePrivate(file: string): void {
  try {
    fs.chmodSync(file, PRIVATE_FILE_MODE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // EPERM: another user's file (an operator's command on the service's database); its owner's start narrows it.
    if (code !== 'ENOENT' && code !== 'EPERM') throw err;
  }
}
