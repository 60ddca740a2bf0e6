#!/usr/bin/env node
/**
 * The root package's postinstall: all the code and its dependencies live in functions/, so a root
 * `npm ci` installs functions/ with the lock file there.
 *
 * An install that leaves development dependencies out (`npm ci --omit=dev`, or NODE_ENV=production)
 * is what a self-hoster's server wants, but the server runs compiled JavaScript and TypeScript is a
 * development dependency. So such an install takes everything first, builds functions/lib (with
 * its stamp, see ensure-build.js), then prunes the development dependencies away: what remains
 * starts with `npm start` and never needs TypeScript. The SQLite driver is an optional dependency
 * for this reason: kept by the prune, and never imported by the Firebase entry point.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensureBuild } = require('./ensure-build');

const FUNCTIONS_DIR = path.join(__dirname, '..');

/** npm passes its settings to lifecycle scripts as npm_config_* variables; lists are space- or newline-separated. */
const listSetting = (name) => (process.env[`npm_config_${name}`] || '').split(/[\s,]+/).filter(Boolean);

/** Whether the install that ran this omits development dependencies, as npm itself would decide. */
function omitsDev() {
  if (listSetting('include').includes('dev')) return false;
  return listSetting('omit').includes('dev') || process.env.NODE_ENV === 'production';
}

/** Runs the npm that is running this install (npm_execpath), or the one on PATH. */
function npm(args) {
  const cli = process.env.npm_execpath;
  const [command, argv] = cli ? [process.execPath, [cli, ...args]] : ['npm', args];
  const result = spawnSync(command, argv, { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function main() {
  if (!omitsDev()) {
    npm(['ci', '--prefix', FUNCTIONS_DIR]);
    return;
  }
  process.stderr.write('cronpeek: production install: installing everything, building, then removing the development dependencies\n');
  npm(['ci', '--prefix', FUNCTIONS_DIR, '--include=dev']);
  const outcome = ensureBuild(FUNCTIONS_DIR);
  process.stderr.write(`cronpeek: functions/lib ${outcome === 'built' ? 'built' : 'is current'}\n`);
  npm(['prune', '--prefix', FUNCTIONS_DIR, '--omit=dev']);
}

try {
  main();
} catch (err) {
  process.stderr.write(`cronpeek: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
