/**
 * Cold start: how long a fresh Node process takes to load the built Firebase entry
 * (`lib/index.js`, what Cloud Functions loads on a cold start) and which packages that pulls in.
 * Baselines from the same run: an empty Node process, and the SDKs the entry cannot do without
 * (firebase-functions' HTTP and scheduler triggers, firebase-admin's Firestore, Express).
 * SQLite and the SendGrid SDK must not be among the packages loaded.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const PACKAGE_DIR = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 7);
/** Packages whose loading at import would be a regression: the embedded store and the mail SDK. */
export const FORBIDDEN = ['better-sqlite3', '@sendgrid/mail', '@sendgrid/client'];

const PROBE = (modules: string[]) => `
  const started = process.hrtime.bigint();
  for (const m of ${JSON.stringify(modules)}) require(m);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const packages = new Set();
  for (const f of Object.keys(require.cache)) {
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f);
    if (m) packages.add(m[1]);
  }
  process.stdout.write(JSON.stringify({ ms, files: Object.keys(require.cache).length, packages: [...packages].sort() }));`;

interface Load {
  ms: number;
  files: number;
  packages: string[];
}

function loadOnce(modules: string[]): Load {
  const child = spawnSync(process.execPath, ['-e', PROBE(modules)], { cwd: PACKAGE_DIR, encoding: 'utf8', env: { PATH: process.env.PATH } });
  if (child.status !== 0) throw new Error(`could not load ${modules.join(', ')}:\n${child.stderr}`);
  return JSON.parse(child.stdout) as Load;
}

function medianLoad(modules: string[]): Load {
  const runs = Array.from({ length: RUNS }, () => loadOnce(modules)).sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)];
}

export interface ColdStartResult {
  entry: Load;
  sdks: Load;
  forbiddenLoaded: string[];
  /** Packages loaded, with the files each contributes, largest first. */
  heaviest: Array<[string, number]>;
}

export function coldStartBench(): ColdStartResult {
  const entryPath = path.join(PACKAGE_DIR, 'lib', 'index.js');
  const sdks = medianLoad(['firebase-functions/v2/https', 'firebase-functions/v2/scheduler', 'firebase-functions/params', 'firebase-admin/firestore', 'express']);
  const entry = medianLoad([entryPath]);
  const files = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(entryPath)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`], {
    cwd: PACKAGE_DIR,
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  const perPackage = new Map<string, number>();
  for (const f of JSON.parse(files.stdout) as string[]) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f);
    const name = m ? m[1] : '(cronpeek)';
    perPackage.set(name, (perPackage.get(name) ?? 0) + 1);
  }
  return {
    entry,
    sdks,
    forbiddenLoaded: FORBIDDEN.filter((p) => entry.packages.includes(p)),
    heaviest: [...perPackage].sort((a, b) => b[1] - a[1]).slice(0, 8),
  };
}

export function printColdStart(r: ColdStartResult): void {
  console.log(`4. Cold start (require() in a fresh Node process, median of ${RUNS})`);
  console.log(`  SDKs alone (firebase-functions, firebase-admin/firestore, express)  ${r.sdks.ms.toFixed(0).padStart(4)} ms  ${r.sdks.files} files`);
  console.log(`  built Firebase entry (lib/index.js)                               ${r.entry.ms.toFixed(0).padStart(4)} ms  ${r.entry.files} files, ${r.entry.packages.length} packages`);
  console.log(`  most files from: ${r.heaviest.map(([p, n]) => `${p} ${n}`).join(', ')}`);
  console.log(
    r.forbiddenLoaded.length === 0
      ? `  not loaded at import: ${FORBIDDEN.join(', ')} (as required)`
      : `  FAIL: loaded at import: ${r.forbiddenLoaded.join(', ')}`,
  );
}

if (require.main === module) {
  const r = coldStartBench();
  printColdStart(r);
  if (r.forbiddenLoaded.length > 0) process.exitCode = 1;
}
