#!/usr/bin/env node
/**
 * Builds functions/lib only when it is not current: `npm start` and `npm run admin` call this
 * instead of recompiling at every start. "Current" means lib/.build-hash holds the hash of
 * everything the build reads (src/, the tsconfig files, package.json and the compiler's version);
 * contents rather than timestamps, so a checkout, a copy or a clock change cannot fool it.
 *
 *   node functions/scripts/ensure-build.js [--root <functions dir>] [--quiet]
 * --quiet says nothing when the build is current (the admin command's output stays its own).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const STAMP = '.build-hash';

function filesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** A hash of every input of `tsc -p tsconfig.build.json`, in a stable order. */
function sourceHash(root) {
  const hash = crypto.createHash('sha256');
  const inputs = [...filesUnder(path.join(root, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => path.join(root, f))]
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .sort();
  for (const rel of inputs) {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(root, rel)));
    hash.update('\0');
  }
  hash.update(`typescript ${require(require.resolve('typescript/package.json', { paths: [root] })).version}`);
  return hash.digest('hex');
}

function isCurrent(root, hash) {
  const lib = path.join(root, 'lib');
  try {
    return fs.readFileSync(path.join(lib, STAMP), 'utf8').trim() === hash && fs.existsSync(path.join(lib, 'server.js'));
  } catch {
    return false;
  }
}

function ensureBuild(root) {
  const hash = sourceHash(root);
  if (isCurrent(root, hash)) return 'current';
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  // The stamp goes first so that a failed build never leaves a stamp claiming it is current.
  fs.rmSync(path.join(root, 'lib', STAMP), { force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the TypeScript build failed (exit ${result.status ?? result.signal})`);
  fs.writeFileSync(path.join(root, 'lib', STAMP), `${hash}\n`);
  return 'built';
}

module.exports = { ensureBuild, sourceHash };

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--root');
  const root = path.resolve(at >= 0 ? args[at + 1] : path.join(__dirname, '..'));
  try {
    const outcome = ensureBuild(root);
    if (outcome === 'built') process.stderr.write('cronpeek: built functions/lib\n');
    else if (!args.includes('--quiet')) process.stderr.write('cronpeek: build is current, not rebuilt\n');
  } catch (err) {
    process.stderr.write(`cronpeek: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
