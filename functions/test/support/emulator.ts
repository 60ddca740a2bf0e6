import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The official Cloud Firestore emulator for tests and the cost bench: found, started on a free
 * port, waited for, cleared and stopped. Jest's global setup starts it once per run and hands
 * its address to the workers through `FIRESTORE_EMULATOR_HOST`.
 */

/** Set by the global setup when no emulator can be used; its value says why. */
export const MISSING_ENV = 'CRONPEEK_FIRESTORE_MISSING';
/** Process group of the emulator the global setup started (unset when it reused a running one). */
export const PGID_ENV = 'CRONPEEK_FIRESTORE_EMULATOR_PGID';
/** With this set to 1, a missing emulator fails the run instead of marking Firestore suites not run. */
export const REQUIRE_ENV = 'CRONPEEK_REQUIRE_FIRESTORE';

const LAUNCHER = 'cloud_firestore_emulator';
const KNOWN_DIRS = [
  '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator',
  '/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator',
  '/opt/google-cloud-sdk/platform/cloud-firestore-emulator',
];

/** The launcher script of the Debian package `google-cloud-cli-firestore-emulator`, or null. */
export function findEmulatorLauncher(): string | null {
  const dpkg = spawnSync('dpkg', ['-L', 'google-cloud-cli-firestore-emulator'], { encoding: 'utf8' });
  const listed = dpkg.status === 0 ? dpkg.stdout.split('\n').filter((l) => l.endsWith(`/${LAUNCHER}`)) : [];
  const candidates = [...listed, ...KNOWN_DIRS.map((d) => path.join(d, LAUNCHER))];
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}

export function javaAvailable(): boolean {
  return spawnSync(process.env.JAVA || 'java', ['-version'], { stdio: 'ignore' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the emulator at `host` answers its root URL ("Ok"). */
export async function waitForEmulator(host: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the Firestore emulator at ${host} did not answer within ${timeoutMs} ms (${lastError})`);
}

export interface StartedEmulator {
  host: string;
  /** The launcher's pid, which is also its process group: the JVM it starts is in that group. */
  pgid: number;
  logFile: string;
}

/**
 * Starts the emulator in its own process group (the launcher script leaves a `java` child that
 * outlives it, so stopping means signalling the whole group) and waits until it answers.
 */
export async function startEmulator(launcher: string, timeoutMs = 60_000): Promise<StartedEmulator> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const logFile = path.join(os.tmpdir(), `cronpeek-firestore-emulator-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(launcher, ['start', '--host=127.0.0.1', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${launcher}`);
  const started = { host, pgid: child.pid, logFile };
  try {
    await waitForEmulator(host, timeoutMs);
  } catch (err) {
    await stopEmulator(started.pgid);
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2_000) : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tail}`);
  }
  return started;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops every process of the group: SIGTERM, then SIGKILL for whatever is left after 5 s. */
export async function stopEmulator(pgid: number): Promise<void> {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 5_000;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
}

/** Deletes every document of one emulated project (the emulator's own REST endpoint). */
export async function clearProject(host: string, projectId: string): Promise<void> {
  const res = await fetch(`http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`clearing emulator project ${projectId} failed: HTTP ${res.status}`);
}

/** The loud notice for a run without Firestore; `reason` says what was missing. */
export function missingEmulatorWarning(reason: string): string {
  const bar = '!'.repeat(78);
  return [
    '',
    bar,
    '!!  FIRESTORE SUITES NOT RUN',
    `!!  ${reason}`,
    '!!  Every store-backed suite ran on SQLite only; each marks its Firestore half as a "todo".',
    '!!  Install the emulator (apt-get install google-cloud-cli-firestore-emulator, needs Java),',
    '!!  or start one and set FIRESTORE_EMULATOR_HOST=host:port. CI sets CRONPEEK_REQUIRE_FIRESTORE=1',
    '!!  to make this an error.',
    bar,
    '',
  ].join('\n');
}
