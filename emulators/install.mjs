// Installs the pinned firebase-tools (emulators/package-lock.json) into emulators/node_modules when
// it is missing or another version. Kept out of the root `npm ci`: it is about 300 MB and several
// minutes of install that only `npm run emulators` and `npm run emulators:test` need.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function pinnedVersion() {
  const lock = JSON.parse(fs.readFileSync(path.join(HERE, 'package-lock.json'), 'utf8'));
  return lock.packages['node_modules/firebase-tools'].version;
}

function installedVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/firebase-tools/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** Returns null when the pinned version is in place (installing it if needed), else what failed. */
export function ensureFirebaseTools(log = (line) => console.log(`[cronpeek] ${line}`)) {
  const pinned = pinnedVersion();
  if (installedVersion() === pinned) return null;
  log(`installing firebase-tools ${pinned} into emulators/node_modules (first run only: about 300 MB, a few minutes)`);
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: HERE, stdio: 'inherit' });
  if (run.status !== 0 || installedVersion() !== pinned) return 'installing firebase-tools failed (npm ci in emulators/)';
  log(`firebase-tools ${pinned} installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return null;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const error = ensureFirebaseTools();
  if (error) {
    console.error(`[cronpeek] error: ${error}`);
    process.exit(1);
  }
}
