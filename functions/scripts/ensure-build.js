#!/usr/bin/env node
/**
 * Builds functions/lib only when it is not current: `npm start` and `npm run admin` call this
 * instead of recompiling at every start. "Current" means lib/.build-hash holds the hash of
 * everything the build reads (src/, the tsconfig files, package.json and the compiler's version);
 * contents rather than timestamps, so a checkout, a copy or a clock change cannot fool it.
 *
 * An install without development dependencies (`npm ci --omit=dev`, see the root postinstall)
 * has no TypeScript: there the build made at install time is used as it is, and a stamp whose
 * sources differ from src/ only earns a warning, because a monitor that does not restart is worse
 * than one running the previous build.
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

/** A digest of every source the build reads (src/, the tsconfig files, package.json), in a stable order. */
function sourcesDigest(root) {
  const hash = crypto.createHash('sha256');
  const inputs = [...filesUnder(path.join(root, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => path.join(root, f))]
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .sort();
  for (const rel of inputs) {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(root, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The installed compiler's version, or null where development dependencies were left out. */
function typescriptVersion(root) {
  try {
    return require(require.resolve('typescript/package.json', { paths: [root] })).version;
  } catch {
    return null;
  }
}

/** The hash a current build's stamp holds: its sources and the compiler that compiled them. */
function buildHash(digest, compiler) {
  return crypto.createHash('sha256').update(`${digest}\0typescript ${compiler}`).digest('hex');
}

/** lib/.build-hash as `{ hash, sources }`, or null when there is none: line 1 the build hash, line 2 the sources digest. */
function readStamp(root) {
  try {
    const [hash, sources = ''] = fs.readFileSync(path.join(root, 'lib', STAMP), 'utf8').split('\n');
    return { hash: hash.trim(), sources: sources.trim() };
  } catch {
    return null;
  }
}

const hasServer = (root) => fs.existsSync(path.join(root, 'lib', 'server.js'));

function compile(root, digest, compiler) {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  // The stamp goes first so that a failed build never leaves a stamp claiming it is current.
  fs.rmSync(path.join(root, 'lib', STAMP), { force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the TypeScript build failed (exit ${result.status ?? result.signal})`);
  fs.writeFileSync(path.join(root, 'lib', STAMP), `${buildHash(digest, compiler)}\n${digest}\n`);
}

/**
 * Without TypeScript nothing can be compiled: lib/ is used as built ('prebuilt'), or as built from
 * other sources ('prebuilt-stale': a `git pull` after a production install), or refused if absent.
 */
function useExistingBuild(root, digest) {
  if (!hasServer(root)) {
    throw new Error('functions/lib is not built and TypeScript is not installed to build it: install with `npm ci --omit=dev` (which builds first), or run `npm ci` and `npm run build` first');
  }
  const stamp = readStamp(root);
  return stamp !== null && stamp.sources === digest ? 'prebuilt' : 'prebuilt-stale';
}

/** Returns 'current', 'built', 'prebuilt' or 'prebuilt-stale' (see useExistingBuild). */
function ensureBuild(root) {
  const digest = sourcesDigest(root);
  const compiler = typescriptVersion(root);
  if (compiler === null) return useExistingBuild(root, digest);
  const stamp = readStamp(root);
  if (stamp !== null && stamp.hash === buildHash(digest, compiler) && hasServer(root)) return 'current';
  compile(root, digest, compiler);
  return 'built';
}

const MESSAGES = {
  built: 'built functions/lib',
  current: 'build is current, not rebuilt',
  prebuilt: 'TypeScript is not installed (production install): starting functions/lib as built',
  'prebuilt-stale':
    'warning: functions/lib may be older than the sources, and TypeScript is not installed to rebuild it: starting it as it is. After an update, install again with `npm ci --omit=dev`',
};

/** Which outcomes are worth a line even with --quiet: a build took time, or the build may be stale. */
const ALWAYS_SAID = new Set(['built', 'prebuilt-stale']);

module.exports = { ensureBuild };

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--root');
  const root = path.resolve(at >= 0 ? args[at + 1] : path.join(__dirname, '..'));
  try {
    const outcome = ensureBuild(root);
    if (ALWAYS_SAID.has(outcome) || !args.includes('--quiet')) process.stderr.write(`cronpeek: ${MESSAGES[outcome]}\n`);
  } catch (err) {
    process.stderr.write(`cronpeek: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
