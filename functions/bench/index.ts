/**
 * `npm run bench`: the performance figures, each next to its baseline from the same run
 * (this machine's load changes absolute figures; the ratios travel better). Not part of
 * `npm test`: it takes a few minutes and asserts only that nothing is lost and that the
 * Firebase entry loads neither SQLite nor SendGrid (it exits non-zero if either fails).
 *   npm run bench                          (from the repository root or functions/)
 *   BENCH_SECTIONS=ping,cold npm run bench (ping, sweep, firestore, cold, delete, fairness, latency, burst)
 *   BENCH_CPU_PROF=<dir> npm run bench     (writes the embedded server's CPU profile there)
 * The ping section drives its servers with wrk when it is on PATH (Debian package `wrk`), and says
 * loudly when it falls back to autocannon; BENCH_NO_WRK=1 forces the fallback, BENCH_SERVER_JS
 * points it at another build of lib/server.js. `npx tsx bench/profile.ts <file.cpuprofile>`
 * summarises a CPU profile by function and by module.
 * Each section also runs on its own: `npx tsx bench/ping.ts`, `bench/sweep.ts`, `bench/cold-start.ts`,
 * `bench/delete.ts`, `bench/fairness.ts`, `bench/latency.ts`, `bench/burst.ts`.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { burstBench, burstHeld, printBurstBench } from './burst';
import { coldStartBench, printColdStart } from './cold-start';
import { deleteBench, printDeleteBench } from './delete';
import { fairnessBench, printFairnessBench } from './fairness';
import { latencyBench, printLatencyBench } from './latency';
import { pingBench, printPingBench } from './ping';
import { printSweepBench, sweepBench } from './sweep';

const PACKAGE_DIR = path.resolve(__dirname, '..');
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'ping,sweep,firestore,cold,delete,fairness,latency,burst').split(','));

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(', ');

async function main() {
  // The ping and cold-start sections measure the built code, as `npm start` and a deploy run it.
  const build = spawnSync(process.execPath, [path.join(PACKAGE_DIR, 'scripts', 'ensure-build.js'), '--quiet'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  console.log(`CronPeek bench: Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}; load average ${load()} at the start`);
  let failed = false;

  if (SECTIONS.has('ping')) {
    console.log('');
    const r = await pingBench({ cpuProfileDir: process.env.BENCH_CPU_PROF });
    printPingBench(r);
    if (r.server.lost > 0) failed = true;
  }
  if (SECTIONS.has('sweep')) {
    console.log('');
    printSweepBench(await sweepBench());
  }
  if (SECTIONS.has('firestore')) {
    console.log('\n3. Firestore cost (counted on the wire against the emulator)');
    const child = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'firestore-cost.ts')], { cwd: PACKAGE_DIR, stdio: 'inherit' });
    if (child.status !== 0) {
      console.log('  FAILED or SKIPPED: the Firestore section needs the emulator (google-cloud-cli-firestore-emulator and Java); see its error above');
      failed = true;
    }
  }
  if (SECTIONS.has('cold')) {
    console.log('');
    const r = coldStartBench();
    printColdStart(r);
    if (r.forbiddenLoaded.length > 0) failed = true;
  }
  if (SECTIONS.has('delete')) {
    console.log('');
    printDeleteBench(await deleteBench());
  }
  if (SECTIONS.has('fairness')) {
    console.log('');
    const r = await fairnessBench();
    printFairnessBench(r);
    // A figure, not a timed test: only an alert that never arrived fails the bench.
    if (r.samples.some((s) => s.ms === null)) failed = true;
  }
  if (SECTIONS.has('latency')) {
    console.log('');
    const r = await latencyBench();
    printLatencyBench(r);
    // As for fairness: only an alert that never arrived fails the bench.
    if (r.missed > 0) failed = true;
  }
  if (SECTIONS.has('burst')) {
    console.log('');
    const r = await burstBench();
    printBurstBench(r);
    // Its time is a figure; an error, a refused ping or a ping not stored fails the bench.
    if (r && !burstHeld(r)) failed = true;
  }
  console.log(`\nload average ${load()} at the end`);
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
