import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_DIR } from '../../src/config';
import { freePort } from '../support/emulator';

const FUNCTIONS_DIR = path.join(REPO_DIR, 'functions');
const ENSURE_BUILD = path.join(FUNCTIONS_DIR, 'scripts', 'ensure-build.js');

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What a fresh clone would hold once committed: tracked files and new ones not ignored (no node_modules, no lib). */
function copyProject(dest: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_DIR, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const rel of listed.stdout.split('\0').filter(Boolean)) {
    const from = path.join(REPO_DIR, rel);
    if (!fs.existsSync(from)) continue; // deleted in the working tree, not yet committed
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(dest, rel));
  }
}

/**
 * Where GitHub is reachable, better-sqlite3's install downloads a prebuilt binary; here it is not,
 * and compiling SQLite from source takes minutes on a busy machine. So the binary this checkout's
 * own install produced is offered the way prebuild-install takes a local prebuild (same package
 * version, Node ABI and platform, else it is not picked and the install compiles as usual). Whether
 * the package is installed at all is still decided by the production install under test.
 */
function localSqlitePrebuild(dir: string): Record<string, string> {
  const pkgDir = path.join(FUNCTIONS_DIR, 'node_modules', 'better-sqlite3');
  const binary = path.join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(binary)) return {};
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const libc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime ? '' : 'musl';
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`;
  const packed = spawnSync('tar', ['czf', path.join(dir, name), '-C', pkgDir, 'build/Release/better_sqlite3.node']);
  return packed.status === 0 ? { npm_config_better_sqlite3_local_prebuilds: dir } : {};
}

/** The environment of a self-hoster's shell: none of the test run's npm, jest or store settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|NODE_ENV$|JEST_|CRONPEEK_|FIRESTORE_|PORT$|HOST$|PUBLIC_URL$)/i.test(name)) env[name] = value;
  }
  return { ...env, CRONPEEK_RATE_LIMITS: 'off', ...extra };
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Run {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Sign-up, a monitor and its first ping over HTTP, as the README's quick start does with curl. */
async function firstMonitor(base: string): Promise<void> {
  const account = await json(`${base}/api/v1/accounts`, { method: 'POST', body: JSON.stringify({ email: 'self-hoster@example.com' }) });
  expect(account.status).toBe(201);
  const headers = { 'x-api-key': String(account.body.apiKey) };
  const created = await json(`${base}/api/v1/monitors`, { method: 'POST', headers, body: JSON.stringify({ name: 'Nightly DB Backup', schedule: '30 2 * * *', tz: 'Europe/Berlin' }) });
  expect(created.status).toBe(201);
  expect(String(created.body.pingUrl).startsWith(`${base}/api/v1/ping/`)).toBe(true);
  const ping = await json(String(created.body.pingUrl));
  expect([ping.status, ping.body.status]).toEqual([200, 'up']);
  const status = await json(`${base}/api/v1/monitors/${String(created.body.monitorId)}/status`, { headers });
  expect(status.body.status).toBe('up');
}

/**
 * A self-hoster's install that leaves development dependencies out, done for real on a copy of the
 * project: `npm ci --omit=dev` (offline-first from the npm cache) installs everything, builds
 * functions/lib and prunes the development dependencies (functions/scripts/install-functions.js);
 * then `npm start` must serve from that build, with the SQLite driver and without TypeScript.
 */
describe('a production install (npm ci --omit=dev)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-prod-install-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('installs without development dependencies, and npm start serves sign-up, monitors and pings', async () => {
    const started = Date.now();
    const project = path.join(dir, 'project');
    copyProject(project);
    const prebuilds = fs.mkdtempSync(path.join(dir, 'prebuilds-'));
    const install = run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], project, cleanEnv(localSqlitePrebuild(prebuilds)));
    const code = await install.exited;
    if (code !== 0) throw new Error(`npm ci --omit=dev exited ${code}:\n${install.output().slice(-4000)}`);
    const installedIn = (Date.now() - started) / 1000;
    expect(install.output()).toContain('cronpeek: functions/lib built');
    const modules = path.join(project, 'functions', 'node_modules');
    expect(fs.existsSync(path.join(modules, 'typescript'))).toBe(false);
    expect(fs.existsSync(path.join(modules, 'jest'))).toBe(false);
    expect(fs.existsSync(path.join(modules, 'better-sqlite3', 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'functions', 'lib', 'server.js'))).toBe(true);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = cleanEnv({ PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base, CRONPEEK_DB: path.join(dir, 'data', 'cronpeek.db') });
    const server = run('npm', ['start'], project, env);
    try {
      const answers = () => fetch(`${base}/api/health`).then((r) => r.ok, () => false);
      await until('the server to answer', answers, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; npm start said:\n${server.output()}`);
      });
      expect(server.output()).toContain('TypeScript is not installed (production install): starting functions/lib as built');
      await firstMonitor(base);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
    console.log(`production install: npm ci --omit=dev took ${installedIn.toFixed(0)} s, the whole test ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 600_000);
});

/**
 * ensure-build.js where TypeScript is not installed, on a small package of the same shape as
 * functions/ (built once with the checkout's compiler, which is then taken away).
 */
describe('npm start without TypeScript', () => {
  let root: string;
  const ensure = (...args: string[]) => spawnSync(process.execPath, [ENSURE_BUILD, '--root', root, ...args], { encoding: 'utf8' });
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-no-ts-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'server.ts'), 'export const started = true;\n');
    const compilerOptions = { target: 'ES2022', module: 'commonjs', strict: true, rootDir: 'src', outDir: 'lib', types: [], skipLibCheck: true };
    fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    fs.writeFileSync(path.join(root, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json' }));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'build-fixture', private: true }));
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('with nothing built it exits 1 and says how to build', () => {
    const run = ensure();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('functions/lib is not built and TypeScript is not installed to build it');
  });

  test('starts the build it finds, quietly with --quiet, and warns once the sources have changed', () => {
    fs.symlinkSync(path.join(FUNCTIONS_DIR, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    expect(ensure().stderr).toContain('built functions/lib');
    fs.unlinkSync(path.join(root, 'node_modules'));

    const plain = ensure();
    expect([plain.status, plain.stderr]).toEqual([0, 'cronpeek: TypeScript is not installed (production install): starting functions/lib as built\n']);
    expect(ensure('--quiet')).toMatchObject({ status: 0, stderr: '' });

    fs.appendFileSync(path.join(root, 'src', 'server.ts'), '\nexport const changed = true;\n');
    const stale = ensure('--quiet');
    expect(stale.status).toBe(0);
    expect(stale.stderr).toContain('may be older than the sources');
  }, 60_000);
});
