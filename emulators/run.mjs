#!/usr/bin/env node
// `npm run emulators`: CronPeek on the Firebase Emulator Suite, as it runs in the cloud.
// Builds the functions, then starts Hosting (docs, dashboard, the /api/** rewrite), the functions
// (`api` and `checkMonitors`), Firestore and Pub/Sub with a demo- project, so nothing can reach a
// real one. `checkMonitors` is run every minute by a ticker here, because the functions emulator
// never runs scheduled functions by itself. Ctrl-C / SIGTERM stops everything it started.
//
// Settings (environment):
//   CRONPEEK_EMULATOR_PORTS=free      pick free ports instead of firebase.json's (tests)
//   CRONPEEK_EMULATOR_PROJECT         demo project id (default demo-cronpeek; must start with demo-)
//   CRONPEEK_TICK_SECONDS             seconds between checker runs (default 60, as deployed; 0 = off)
//   CRONPEEK_ALLOW_PRIVATE_WEBHOOKS   1 lets webhooks reach loopback/private addresses (emulator only)
//   CRONPEEK_DEFAULT_PLAN, CRONPEEK_EMAIL_FROM, ...   the function's params: from here, else as deployed
//   FUNCTIONS_EMULATOR_PARALLEL       requests the functions emulator runs at once (default here 4)
//   CRONPEEK_EMULATORS_READY_FILE     once ready, the addresses are written there as JSON (tests)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFirebaseTools } from './install.mjs';
import { findJava } from './java.mjs';
import { FIRESTORE_JAR, PUBSUB_LAUNCHER, writeFirestoreLauncher, writePubsubLauncher } from './launchers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(HERE);
const REGION = 'us-central1';
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 15_000;

const env = process.env;
const project = env.CRONPEEK_EMULATOR_PROJECT || 'demo-cronpeek';
const say = (line) => console.log(`[cronpeek] ${line}`);
const fail = (line) => {
  console.error(`[cronpeek] error: ${line}`);
  process.exit(1);
};

function integerSetting(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) fail(`${name} must be a whole number of seconds (got "${raw}")`);
  return Number(raw);
}

if (!project.startsWith('demo-')) fail(`CRONPEEK_EMULATOR_PROJECT must start with "demo-" (got "${project}")`);
const tickSeconds = integerSetting('CRONPEEK_TICK_SECONDS', 60);

// --- ports ------------------------------------------------------------------------------------
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function choosePorts(configured) {
  const defaults = { hosting: 5000, functions: 5001, firestore: 8080, pubsub: 8085, hub: 4400, logging: 4500, eventarc: 9299, tasks: 9499, firestoreWebsocket: 9150 };
  const ports = { ...defaults };
  for (const name of ['hosting', 'functions', 'firestore', 'pubsub', 'hub', 'logging', 'eventarc', 'tasks']) {
    if (configured[name]?.port) ports[name] = configured[name].port;
  }
  if (configured.firestore?.websocketPort) ports.firestoreWebsocket = configured.firestore.websocketPort;
  if (env.CRONPEEK_EMULATOR_PORTS === 'free') {
    for (const name of Object.keys(ports)) ports[name] = await freePort();
  }
  return ports;
}

// --- the scratch project: firebase.json with our ports, the function's dotenv, launchers ---------
function prepareScratch(ports, params) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-emulators-'));
  // firebase-tools resolves every path in firebase.json from the file's folder.
  for (const name of ['public', 'firestore.rules', 'firestore.indexes.json']) {
    fs.symlinkSync(path.join(REPO, name), path.join(dir, name));
  }
  // functions/ is mirrored entry by entry, so the secrets file the emulator reads from that folder
  // can be written here rather than into the repository.
  const functionsDir = path.join(dir, 'functions');
  fs.mkdirSync(functionsDir);
  for (const name of fs.readdirSync(path.join(REPO, 'functions'))) {
    fs.symlinkSync(path.join(REPO, 'functions', name), path.join(functionsDir, name));
  }
  if (env.SENDGRID_API_KEY && !fs.existsSync(path.join(functionsDir, '.secret.local'))) {
    fs.writeFileSync(path.join(functionsDir, '.secret.local'), `SENDGRID_API_KEY=${env.SENDGRID_API_KEY}\n`, { mode: 0o600 });
  }
  const config = JSON.parse(fs.readFileSync(path.join(REPO, 'firebase.json'), 'utf8'));
  const host = '127.0.0.1';
  config.functions = config.functions.map((f) => ({ ...f, configDir: 'env' }));
  config.emulators = {
    singleProjectMode: true,
    hosting: { host, port: ports.hosting },
    functions: { host, port: ports.functions },
    firestore: { host, port: ports.firestore, websocketPort: ports.firestoreWebsocket },
    pubsub: { host, port: ports.pubsub },
    hub: { host, port: ports.hub },
    logging: { host, port: ports.logging },
    eventarc: { host, port: ports.eventarc },
    tasks: { host, port: ports.tasks },
    ui: { enabled: false },
  };
  fs.writeFileSync(path.join(dir, 'firebase.json'), JSON.stringify(config, null, 2));
  // The function's params, read by the functions emulator from this dotenv file only (configDir),
  // so nothing is written into functions/ and a deploy never sees these values.
  fs.mkdirSync(path.join(dir, 'env'));
  fs.writeFileSync(path.join(dir, 'env', `.env.${project}`), Object.entries(params).map(([k, v]) => `${k}=${v}\n`).join(''));
  return dir;
}

function emulatorBinaries(scratch) {
  const out = {};
  const notes = [];
  if (env.FIRESTORE_EMULATOR_BINARY_PATH) notes.push('Firestore: FIRESTORE_EMULATOR_BINARY_PATH as given');
  else if (fs.existsSync(FIRESTORE_JAR)) {
    out.FIRESTORE_EMULATOR_BINARY_PATH = writeFirestoreLauncher(scratch);
    notes.push('Firestore: the google-cloud-cli-firestore-emulator package');
  } else notes.push('Firestore: downloaded by firebase-tools (needs the internet the first time)');
  if (env.PUBSUB_EMULATOR_BINARY_PATH) notes.push('Pub/Sub: PUBSUB_EMULATOR_BINARY_PATH as given');
  else if (fs.existsSync(PUBSUB_LAUNCHER)) {
    out.PUBSUB_EMULATOR_BINARY_PATH = writePubsubLauncher(scratch);
    notes.push('Pub/Sub: the google-cloud-cli-pubsub-emulator package');
  } else notes.push('Pub/Sub: downloaded by firebase-tools (needs the internet the first time)');
  return { env: out, notes };
}

/**
 * Every param the built functions declare gets a value, or the functions emulator would stop to
 * prompt for it: the one in your environment, else its deployed default; PUBLIC_URL is the Hosting
 * address. Secrets are left to `.secret.local`.
 */
function functionParams(hostingUrl) {
  const script = `require('./lib/index.js');
const { declaredParams } = require('firebase-functions/params');
console.log(JSON.stringify(declaredParams.map((p) => ({ name: p.name, secret: p.constructor.name === 'SecretParam', default: p.options && p.options.default }))));`;
  const out = spawnSync(process.execPath, ['-e', script], { cwd: path.join(REPO, 'functions'), encoding: 'utf8', env: { ...env, METADATA_SERVER_DETECTION: 'none' } });
  if (out.status !== 0) fail(`loading the built functions failed:\n${out.stderr}`);
  const declared = JSON.parse(out.stdout.trim().split('\n').at(-1));
  const values = {};
  const missing = [];
  for (const p of declared) {
    if (p.secret) continue;
    const value = p.name === 'PUBLIC_URL' ? hostingUrl : env[p.name] || (typeof p.default === 'string' ? p.default : undefined);
    if (value === undefined) missing.push(p.name);
    else values[p.name] = value;
  }
  if (missing.length > 0) fail(`set ${missing.join(', ')} in the environment (params without a default)`);
  // Not a param: honoured only on the functions emulator (see emulatorAllowsPrivateWebhooks).
  values.CRONPEEK_ALLOW_PRIVATE_WEBHOOKS = env.CRONPEEK_ALLOW_PRIVATE_WEBHOOKS === '1' ? '1' : '0';
  return values;
}

// --- processes ----------------------------------------------------------------------------------
/** pid → pgid of every process below `root` (the emulators' JVMs sit in process groups of their own). */
function descendants(root) {
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8' });
  if (ps.status !== 0) return new Map();
  const rows = ps.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const found = new Map();
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [];
    for (const [pid, ppid, pgid] of rows) {
      if (frontier.includes(ppid) && !found.has(pid)) {
        found.set(pid, pgid);
        next.push(pid);
      }
    }
    frontier = next;
  }
  return found;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/**
 * The name under which the functions emulator serves `checkMonitors` over HTTP (as Cloud Scheduler
 * calls it in the cloud): `checkMonitors-<n>`, where n grows each time the functions reload. Its
 * `/backends` listing leaves the suffix out; its 404 for an unknown function lists the current
 * names, so a GET of a name that cannot exist (which runs nothing) finds it. Tested end to end by
 * `npm run emulators:test` against the pinned firebase-tools.
 */
async function checkerTrigger(functionsUrl) {
  const res = await fetch(`${functionsUrl}/${project}/${REGION}/-`, { signal: AbortSignal.timeout(5_000) });
  const names = [...(await res.text()).matchAll(new RegExp(`\\b${REGION}-(checkMonitors(?:-\\d+)?)\\b`, 'g'))].map((m) => m[1]);
  return names.at(-1) ?? null;
}

async function main() {
  const java = findJava(env);
  if (java.error) fail(java.error);
  const installError = ensureFirebaseTools(say);
  if (installError) fail(installError);
  say('building functions (npm run build in functions/)');
  const build = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], { cwd: path.join(REPO, 'functions'), stdio: 'inherit' });
  if (build.status !== 0) fail('the functions build failed');

  const configured = JSON.parse(fs.readFileSync(path.join(REPO, 'firebase.json'), 'utf8')).emulators ?? {};
  const ports = await choosePorts(configured);
  const hostingUrl = `http://127.0.0.1:${ports.hosting}`;
  const functionsUrl = `http://127.0.0.1:${ports.functions}`;
  const scratch = prepareScratch(ports, functionParams(hostingUrl));
  const binaries = emulatorBinaries(scratch);

  const firebaseBin = path.join(HERE, 'node_modules', 'firebase-tools', 'lib', 'bin', 'firebase.js');
  const args = [firebaseBin, 'emulators:start', '--project', project, '--config', path.join(scratch, 'firebase.json'), '--only', 'hosting,functions,firestore,pubsub'];
  const child = spawn(process.execPath, args, {
    cwd: scratch,
    // Its own process group, so a terminal's Ctrl-C reaches us first and we stop things in order.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...env,
      ...binaries.env,
      JAVA_HOME: java.home,
      PATH: `${path.join(java.home, 'bin')}${path.delimiter}${env.PATH ?? ''}`,
      // 50 by default: one runtime process per request, which on 2 cores times out under a burst of pings.
      FUNCTIONS_EMULATOR_PARALLEL: env.FUNCTIONS_EMULATOR_PARALLEL || '4',
      NO_UPDATE_NOTIFIER: '1',
      // Off Google Cloud there is no metadata server to find; without this its clients probe for one.
      METADATA_SERVER_DETECTION: 'none',
    },
  });

  const seen = new Map(); // pid → pgid of everything the CLI started, kept while it runs
  const remember = () => {
    for (const [pid, pgid] of descendants(child.pid)) seen.set(pid, pgid);
  };
  const watcher = setInterval(remember, 3_000);
  let ticker = null;
  let stopping = null;
  let childExit = null;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((childExit = { code, signal }))));

  const stop = (reason, exitCode) => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (reason) say(reason);
      clearInterval(ticker);
      clearInterval(watcher);
      if (childExit === null) {
        remember();
        try {
          process.kill(child.pid, 'SIGINT'); // firebase-tools shuts its emulators down on SIGINT
        } catch {
          /* already gone */
        }
        await Promise.race([exited, sleep(STOP_TIMEOUT_MS)]);
      }
      // Whatever outlived the CLI (a JVM, a functions runtime): its whole process group.
      const groups = new Set([child.pid, ...seen.values()]);
      for (const sig of ['SIGTERM', 'SIGKILL']) {
        let left = false;
        for (const pgid of groups) {
          if (pgid === process.pid || pgid <= 1) continue;
          try {
            process.kill(-pgid, sig);
            left = true;
          } catch {
            /* group gone */
          }
        }
        for (const pid of seen.keys()) if (alive(pid)) left = true;
        if (!left) break;
        const deadline = Date.now() + 5_000;
        while (Date.now() < deadline && [...seen.keys()].some(alive)) await sleep(100);
      }
      fs.rmSync(scratch, { recursive: true, force: true });
      if (env.CRONPEEK_EMULATORS_READY_FILE) fs.rmSync(env.CRONPEEK_EMULATORS_READY_FILE, { force: true });
      say('stopped');
      process.exit(exitCode);
    })();
    return stopping;
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void stop(`${sig}: stopping the emulators`, 0));
  exited.then(({ code, signal }) => void stop(`firebase emulators:start exited (${signal ?? `code ${code}`})`, code === 0 ? 0 : 1));

  // Ready: the API answers through the Hosting rewrite and the checker's trigger is registered.
  const deadline = Date.now() + START_TIMEOUT_MS;
  let trigger = null;
  for (;;) {
    if (stopping) return;
    try {
      const health = await fetch(`${hostingUrl}/api/health`, { signal: AbortSignal.timeout(10_000) });
      trigger = health.ok ? await checkerTrigger(functionsUrl) : null;
      if (trigger) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) return stop(`the emulators were not ready within ${START_TIMEOUT_MS / 1000} s`, 1);
    await sleep(500);
  }
  remember();

  let running = false;
  const tick = async () => {
    if (running) return say('checker: the previous run has not finished; skipping this tick');
    running = true;
    try {
      const current = await checkerTrigger(functionsUrl);
      if (!current) throw new Error('checkMonitors is not registered (is the Pub/Sub emulator running?)');
      const res = await fetch(`${functionsUrl}/${project}/${REGION}/${current}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-CloudScheduler-ScheduleTime': new Date().toISOString() },
        body: '{}',
        signal: AbortSignal.timeout(90_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    } catch (err) {
      say(`checker: checkMonitors run failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      running = false;
    }
  };
  if (tickSeconds > 0) ticker = setInterval(() => void tick(), tickSeconds * 1000);

  const ready = {
    project,
    hosting: hostingUrl,
    functions: functionsUrl,
    firestore: `127.0.0.1:${ports.firestore}`,
    pubsub: `127.0.0.1:${ports.pubsub}`,
    checkerTrigger: `${functionsUrl}/${project}/${REGION}/${trigger}`,
    tickSeconds,
    pid: process.pid,
  };
  console.log(
    [
      '',
      `CronPeek is running on the Firebase emulators (project ${project}):`,
      `  docs        ${hostingUrl}/`,
      `  dashboard   ${hostingUrl}/dashboard.html`,
      `  API         ${hostingUrl}/api/v1/...   (ping URLs point here)`,
      `  functions   ${functionsUrl}   Firestore ${ready.firestore}   Pub/Sub ${ready.pubsub}`,
      `  checker     ${tickSeconds > 0 ? `checkMonitors every ${tickSeconds} s` : 'off (CRONPEEK_TICK_SECONDS=0)'}; webhooks to private addresses ${env.CRONPEEK_ALLOW_PRIVATE_WEBHOOKS === '1' ? 'allowed' : 'refused, as in the cloud'}`,
      `  Java        ${java.java} (${java.major}); ${binaries.notes.join('; ')}`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  if (env.CRONPEEK_EMULATORS_READY_FILE) fs.writeFileSync(env.CRONPEEK_EMULATORS_READY_FILE, JSON.stringify(ready));
}

main().catch((err) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
