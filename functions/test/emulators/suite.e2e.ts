import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_DIR } from '../../src/config';
import { RULE_VARIABLES } from '../../src/limits';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { verifyCronPeekSignature } from '../notify/support/verify';

/**
 * End to end on the Firebase Emulator Suite, through the Hosting port, as a user of
 * `npm run emulators` sees it: the suite is started by that same script (free ports, its own demo
 * project, the checker ticking every TICK_SECONDS instead of 60 so the wait stays short) and stopped
 * by SIGTERM at the end. Run with `npm run emulators:test`.
 *
 * The slowest thing is the API's shortest deadline: schedule 60 s + grace 60 s after the last
 * ping. The monitors that must go down are pinged first; every other check runs meanwhile.
 */

const TICK_SECONDS = 5;
const START_TIMEOUT_MS = 240_000;
const DEADLINE_S = 60 + 60;
/** Key recovery requests per client address: the one limit on here (see the suite's environment). */
const RECOVERY_LIMIT = 3;

interface Ready {
  project: string;
  hosting: string;
  functions: string;
  firestore: string;
  pubsub: string;
  checkerTrigger: string;
  tickSeconds: number;
  pid: number;
}

let suite: ChildProcess;
let ready: Ready;
let scratch: string;
let logFile: string;
let receiver: FakeHttp;
let base: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logTail = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4_000) : '(no log)');

async function call(method: string, url: string, init: { key?: string; json?: unknown; body?: string | Buffer; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.key) headers['x-api-key'] = init.key;
  let body: string | Buffer | undefined = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] = 'application/json';
  }
  if (init.type) headers['content-type'] = init.type;
  const res = await fetch(url.startsWith('http') ? url : `${base}${url}`, { method, headers, body, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

function expectError(res: { status: number; json: any }, status: number, message?: string | RegExp) {
  expect({ status: res.status, keys: res.json && Object.keys(res.json) }).toEqual({ status, keys: ['error'] });
  if (message !== undefined) expect(res.json.error).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
}

async function signup(email = `e2e-${randomBytes(4).toString('hex')}@example.com`) {
  const res = await call('POST', '/api/v1/accounts', { json: { email } });
  expect(res.status).toBe(201);
  return { email, key: res.json.apiKey as string };
}

/** The operator's plan change, with the admin command (`npm run admin`) on the emulated Firestore. */
function upgradeToPro(email: string) {
  const run = spawnSync(process.execPath, [path.join(REPO_DIR, 'functions', 'lib', 'admin.js'), 'set-plan', email, 'pro'], {
    encoding: 'utf8',
    env: { ...process.env, CRONPEEK_STORE: 'firestore', FIRESTORE_EMULATOR_HOST: ready.firestore, GCLOUD_PROJECT: ready.project, METADATA_SERVER_DETECTION: 'none' },
    timeout: 60_000,
  });
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  expect(run.stdout).toContain('free -> pro');
}

/** pid → pgid of every process under `root`. */
function processTree(root: number): Map<number, number> {
  const rows = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const found = new Map<number, number>();
  let frontier = [root];
  while (frontier.length) {
    const next: number[] = [];
    for (const [pid, ppid, pgid] of rows) if (frontier.includes(ppid) && !found.has(pid)) (found.set(pid, pgid), next.push(pid));
    frontier = next;
  }
  return found;
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.replace(/^http:\/\//, '').split(':');
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), host);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  receiver = await startFakeHttp();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-e2e-'));
  logFile = path.join(scratch, 'emulators.log');
  const readyFile = path.join(scratch, 'ready.json');
  const log = fs.openSync(logFile, 'w');
  suite = spawn(process.execPath, [path.join(REPO_DIR, 'emulators', 'run.mjs')], {
    cwd: REPO_DIR,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      CRONPEEK_EMULATOR_PORTS: 'free',
      CRONPEEK_EMULATOR_PROJECT: `demo-cronpeek-e2e-${randomBytes(3).toString('hex')}`,
      CRONPEEK_TICK_SECONDS: String(TICK_SECONDS),
      CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1',
      CRONPEEK_DEFAULT_PLAN: 'free',
      CRONPEEK_EMULATORS_READY_FILE: readyFile,
      // Every limit stays off (test/support/env.ts) but recovery requests per address, which the
      // client address tests count; no other test here asks for key recovery.
      CRONPEEK_RATE_LIMITS: 'on',
      ...Object.fromEntries(Object.values(RULE_VARIABLES).map((name) => [name, 'off'])),
      CRONPEEK_LIMIT_RECOVERY_PER_ADDRESS: `${RECOVERY_LIMIT}/3600`,
    },
  });
  fs.closeSync(log);
  const started = Date.now();
  while (!fs.existsSync(readyFile)) {
    if (suite.exitCode !== null || suite.signalCode !== null) throw new Error(`npm run emulators exited before it was ready:\n${logTail()}`);
    if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`npm run emulators was not ready within ${START_TIMEOUT_MS / 1000} s:\n${logTail()}`);
    await sleep(250);
  }
  ready = JSON.parse(fs.readFileSync(readyFile, 'utf8'));
  base = ready.hosting;
  console.log(`emulator suite ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${base}`);
}, START_TIMEOUT_MS + 10_000);

afterAll(async () => {
  if (suite?.pid && suite.exitCode === null) {
    for (const pgid of new Set([suite.pid, ...processTree(suite.pid).values()])) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  await receiver?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

// Watched from the start: they go down DEADLINE_S after these pings, while the other tests run.
const watched = {} as { key: string; emailMonitor: string; webhookMonitor: string; webhookSecret: string; webhookPing: string; pingedAt: number };

test('monitors to be missed are created and pinged first (webhook monitor on a Pro account)', async () => {
  const account = await signup();
  upgradeToPro(account.email);
  const byEmail = await call('POST', '/api/v1/monitors', { key: account.key, json: { name: 'e2e e-mail job', schedule: 60, grace: 60 } });
  const byHook = await call('POST', '/api/v1/monitors', {
    key: account.key,
    json: { name: 'e2e webhook job', schedule: 60, grace: 60, alertWebhook: `${receiver.origin}/hook` },
  });
  expect([byEmail.status, byHook.status]).toEqual([201, 201]);
  expect(byHook.json.webhookSecret).toMatch(/^whsec_/);
  for (const m of [byEmail.json, byHook.json]) {
    expect((await call('GET', m.pingUrl)).json).toEqual({ ok: true, monitor: m.name, status: 'up' });
  }
  Object.assign(watched, {
    key: account.key,
    emailMonitor: byEmail.json.monitorId,
    webhookMonitor: byHook.json.monitorId,
    webhookSecret: byHook.json.webhookSecret,
    webhookPing: byHook.json.pingUrl,
    pingedAt: Date.now(),
  });
});

describe('through the Hosting port', () => {
  test('Hosting serves the docs page, the dashboard and the Postman collection', async () => {
    expect((await call('GET', '/')).text).toMatch(/CronPeek/);
    const dashboard = await call('GET', '/dashboard.html');
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toMatch(/<html/i);
    expect((await call('GET', '/cronpeek.postman_collection.json')).json.info.name).toMatch(/CronPeek/i);
  });

  test('Hosting sends the page headers of firebase.json; API answers carry the API headers', async () => {
    const page = await call('GET', '/');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const api = await call('GET', '/api/health');
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    // Only ping URLs are cross-origin (the functions emulator would otherwise add CORS everywhere).
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${base}/api/v1/monitors`, { method: 'OPTIONS', headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('GET /api/health answers through the rewrite; other methods 405', async () => {
    const res = await call('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok', service: 'cronpeek', version: expect.any(String), timestamp: expect.any(String) });
    expectError(await call('DELETE', '/api/health'), 405);
  });

  test('sign up: 201 with a key, 409 for a known e-mail, 400 for a bad one, 405 for GET', async () => {
    const email = `Signup-${randomBytes(4).toString('hex')}@Example.com`;
    const res = await call('POST', '/api/v1/accounts', { json: { email } });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ apiKey: expect.stringMatching(/^cpk_[0-9a-f]{32}$/), plan: 'free', monitors: 5 });
    const again = await call('POST', '/api/v1/accounts', { json: { email: ` ${email.toLowerCase()} ` } });
    expectError(again, 409);
    expect(again.text).not.toContain(res.json.apiKey);
    expectError(await call('POST', '/api/v1/accounts', { json: { email: 'not-an-email' } }), 400);
    expectError(await call('POST', '/api/v1/accounts', { json: {} }), 400);
    expectError(await call('POST', '/api/v1/accounts', { json: ['x'] }), 400);
    expectError(await call('GET', '/api/v1/accounts'), 405);
  });

  test('confirming the account e-mail through the api function: the welcome link, the answer, the account', async () => {
    const { email, key } = await signup();
    // No SendGrid key on the emulators: the welcome e-mail, its link included, is written to the log.
    const mailed = new RegExp(`"to":"${email.replace(/[.+]/g, '\\$&')}"[^\n]*#token=([0-9a-f]{32}\\.[A-Za-z0-9_-]{43})`);
    const deadline = Date.now() + 30_000;
    while (!mailed.test(fs.readFileSync(logFile, 'utf8')) && Date.now() < deadline) await sleep(500);
    const token = (mailed.exec(fs.readFileSync(logFile, 'utf8')) as RegExpExecArray)[1];
    expect((await call('GET', '/api/v1/account', { key })).json).toMatchObject({ email, emailConfirmed: false, emailStatus: 'pending' });
    expectError(await call('POST', '/api/v1/account/confirm-email', { key }), 429);

    // The link opens the page Hosting serves; the page's button makes this call.
    const page = await call('GET', `/confirm.html#token=${token}`);
    expect([page.status, page.text.includes('assets/confirm.js')]).toEqual([200, true]);
    const confirmed = await call('POST', '/api/v1/email/confirm', { json: { token } });
    expect([confirmed.status, confirmed.json]).toEqual([200, { email, status: 'confirmed' }]);
    expect((await call('GET', '/api/v1/account', { key })).json).toMatchObject({ emailConfirmed: true, emailStatus: 'confirmed' });
    expectError(await call('POST', '/api/v1/email/confirm', { json: { token } }), 400, 'Invalid or expired token.');
    expectError(await call('POST', '/api/v1/account/confirm-email', { key }), 409);

    // An unsubscribe URL opened in a browser changes nothing: it leads to the page.
    const opened = await fetch(`${base}/api/v1/email/unsubscribe?token=${token}`, { redirect: 'manual', signal: AbortSignal.timeout(60_000) });
    expect([opened.status, opened.headers.get('location')]).toEqual([303, `${base}/confirm.html#action=unsubscribe&token=${token}`]);
  });

  test('a body that is not JSON, sent as text/plain, is a JSON 400 from CronPeek', async () => {
    expectError(await call('POST', '/api/v1/accounts', { body: '{"email": ', type: 'text/plain' }), 400, 'Malformed JSON in request body.');
  });

  test('invalid JSON sent as application/json is refused by the platform before CronPeek runs (non-JSON 400)', async () => {
    // Known platform limit (docs/firebase.md): the functions runtime parses application/json bodies first and
    // has no hook for its parse error. If this starts answering JSON, update docs/firebase.md.
    const res = await call('POST', '/api/v1/accounts', { body: '{"email": ', type: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.json).toBeNull();
  });

  test('JSON bodies over 64 KB answer 413', async () => {
    expectError(await call('POST', '/api/v1/accounts', { json: { email: 'big@example.com', pad: 'x'.repeat(70 * 1024) } }), 413);
  });

  test('the API key is required and checked', async () => {
    expectError(await call('GET', '/api/v1/monitors'), 401, 'Missing API key. Send it in the x-api-key header.');
    expectError(await call('GET', '/api/v1/monitors', { key: `cpk_${'0'.repeat(32)}` }), 401, 'Invalid API key.');
  });

  test('monitors: create (validated), list newest first, status, ownership, delete', async () => {
    const { key } = await signup();
    const other = await signup();
    const created = await call('POST', '/api/v1/monitors', { key, json: { name: 'Nightly DB Backup', schedule: 86400, grace: 3600 } });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      monitorId: expect.stringMatching(/^[0-9a-f]{16}$/),
      name: 'Nightly DB Backup',
      pingUrl: expect.stringMatching(new RegExp(`^${base}/api/v1/ping/[A-Za-z0-9_-]{24}$`)),
      schedule: 86400,
      grace: 3600,
      status: 'new',
      late: false,
      running: false,
      channels: [],
      tags: [],
      slug: null,
      snoozedUntil: null,
      dependsOn: [],
      inMaintenance: false,
      suppressedBy: null,
    });
    const second = await call('POST', '/api/v1/monitors', { key, json: { name: 'Hourly sync', schedule: 3600 } });
    expect(second.json.grace).toBe(360);
    for (const bad of [{ schedule: 60 }, { name: 'x', schedule: 59 }, { name: 'x', schedule: 60.5 }, { name: 'x', schedule: '60' }, { name: ' ', schedule: 60 }, { name: 'x', schedule: 60, grace: 10 }, { name: 'x', schedule: 60, alertEmail: 'nope' }, { name: 'x', schedule: 60, alertWebhook: 'ftp://example.com' }]) {
      expectError(await call('POST', '/api/v1/monitors', { key, json: bad }), 400);
    }

    const list = await call('GET', '/api/v1/monitors', { key });
    expect(list.json.count).toBe(2);
    expect(list.json.monitors.map((m: any) => m.name)).toEqual(['Hourly sync', 'Nightly DB Backup']);

    const id = created.json.monitorId;
    const status = await call('GET', `/api/v1/monitors/${id}/status`, { key });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ monitorId: id, name: 'Nightly DB Backup', status: 'new', schedule: 86400, grace: 3600, lastPing: null, lastAlert: null, pingCount: 0 });
    expectError(await call('GET', `/api/v1/monitors/${id}/status`, { key: other.key }), 403);
    expectError(await call('DELETE', `/api/v1/monitors/${id}`, { key: other.key }), 403);
    expectError(await call('GET', '/api/v1/monitors/0123456789abcdef/status', { key }), 404);
    expectError(await call('GET', '/api/v1/monitors/not-an-id/status', { key }), 404);
    expectError(await call('PUT', `/api/v1/monitors/${id}`, { key }), 405);

    expect((await call('DELETE', `/api/v1/monitors/${id}`, { key })).json).toEqual({ deleted: true });
    expectError(await call('GET', `/api/v1/monitors/${id}/status`, { key }), 404);
    expectError(await call('GET', created.json.pingUrl), 404);
    expect((await call('GET', '/api/v1/monitors', { key })).json.count).toBe(1);
  });

  test('the Free plan: webhooks need Pro, the sixth monitor is refused', async () => {
    const { key } = await signup();
    expectError(
      await call('POST', '/api/v1/monitors', { key, json: { name: 'hook', schedule: 60, alertWebhook: 'https://example.com/hook' } }),
      403,
      'Webhook alerts need the Pro plan. Remove alertWebhook or upgrade your plan.',
    );
    for (let i = 1; i <= 5; i++) expect((await call('POST', '/api/v1/monitors', { key, json: { name: `job ${i}`, schedule: 60 } })).status).toBe(201);
    expectError(await call('POST', '/api/v1/monitors', { key, json: { name: 'job 6', schedule: 60 } }), 403, 'Monitor limit reached (5). Upgrade your plan for more monitors.');
  });

  test('pings: GET, POST with a body, HEAD without one; unknown token 404; other methods 405', async () => {
    const { key } = await signup();
    const m = (await call('POST', '/api/v1/monitors', { key, json: { name: 'pinged', schedule: 3600 } })).json;
    const get = await call('GET', m.pingUrl);
    expect(get.json).toEqual({ ok: true, monitor: 'pinged', status: 'up' });
    expect(get.headers.get('cache-control')).toBe('no-store');
    const post = await call('POST', m.pingUrl, { body: 'backup done: 42 files', type: 'text/plain' });
    expect(post.json).toEqual({ ok: true, monitor: 'pinged', status: 'up' });
    const head = await fetch(m.pingUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expectError(await call('PUT', m.pingUrl), 405);
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(m.pingUrl, { method: 'OPTIONS', headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'POST' } });
    expect([preflight.status, preflight.headers.get('access-control-allow-methods')]).toEqual([204, 'GET, HEAD, POST']);
    expectError(await call('GET', '/api/v1/ping/AAAAAAAAAAAAAAAAAAAAAAAA'), 404, 'Unknown ping token.');
    expectError(await call('POST', m.pingUrl, { body: Buffer.alloc(1024 * 1024 + 1, 'x'), type: 'text/plain' }), 413);
    const status = await call('GET', `/api/v1/monitors/${m.monitorId}/status`, { key });
    expect(status.json).toMatchObject({ status: 'up', pingCount: 3, lastPing: expect.any(String) });
  });

  test('signals: /start, /<exit code> and /fail through Hosting', async () => {
    const { key } = await signup();
    const m = (await call('POST', '/api/v1/monitors', { key, json: { name: 'signalled', schedule: 3600 } })).json;
    expect((await call('GET', `${m.pingUrl}/start?rid=run-1`)).status).toBe(200);
    expect((await call('POST', `${m.pingUrl}/0?rid=run-1`, { body: 'all good', type: 'text/plain' })).json).toEqual({ ok: true, monitor: 'signalled', status: 'up' });
    expect((await call('GET', `${m.pingUrl}/fail`)).json.status).toBe('down');
    expect((await call('GET', `${m.pingUrl}/0`)).json.status).toBe('up');
    expect((await call('GET', `${m.pingUrl}/2`)).json.status).toBe('down');
    const bad = await call('GET', `${m.pingUrl}/not-a-signal`);
    expect([bad.status >= 400 && bad.status < 500, bad.json && Object.keys(bad.json)]).toEqual([true, ['error']]);
  });

  test('40 concurrent pings are each answered 200 and each counted', async () => {
    const { key } = await signup();
    const m = (await call('POST', '/api/v1/monitors', { key, json: { name: 'burst', schedule: 3600 } })).json;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? call('POST', m.pingUrl, { body: `run ${i}`, type: 'text/plain' }) : call('GET', m.pingUrl))));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect((await call('GET', `/api/v1/monitors/${m.monitorId}/status`, { key })).json.pingCount).toBe(40);
  });

  test('one monitor: GET, PATCH (validated, plan rules), ownership and unknown ids', async () => {
    const { key } = await signup();
    const other = await signup();
    const m = (await call('POST', '/api/v1/monitors', { key, json: { name: 'managed', schedule: 3600 } })).json;
    const one = await call('GET', `/api/v1/monitors/${m.monitorId}`, { key });
    expect(one.status).toBe(200);
    expect(one.json).toEqual((await call('GET', `/api/v1/monitors/${m.monitorId}/status`, { key })).json);
    expect(one.json).toMatchObject({ monitorId: m.monitorId, name: 'managed', status: 'new', schedule: 3600, grace: 360, badgeUrl: expect.stringMatching(/\/api\/v1\/badge\/[0-9a-f]{32}\.svg$/) });
    // Bearer works wherever x-api-key does.
    const bearer = await fetch(`${base}/api/v1/monitors/${m.monitorId}`, { headers: { authorization: `Bearer ${key}` } });
    expect(bearer.status).toBe(200);

    const edited = await call('PATCH', `/api/v1/monitors/${m.monitorId}`, { key, json: { name: 'renamed', schedule: '*/30 * * * *', tz: 'Europe/Berlin', grace: 120, alertEmail: null } });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ monitorId: m.monitorId, name: 'renamed', schedule: '*/30 * * * *', tz: 'Europe/Berlin', grace: 120, alertEmail: null, status: 'new' });
    expect(edited.json).not.toHaveProperty('webhookSecret');
    const before = (await call('GET', `/api/v1/monitors/${m.monitorId}`, { key })).json;
    expect(before).toEqual(edited.json);
    expectError(await call('PATCH', `/api/v1/monitors/${m.monitorId}`, { key, json: { schedule: 'every hour' } }), 400, /^schedule is not a valid cron expression/);
    expectError(await call('PATCH', `/api/v1/monitors/${m.monitorId}`, { key, json: { grace: 5 } }), 400);
    expectError(await call('PATCH', `/api/v1/monitors/${m.monitorId}`, { key, json: { status: 'up' } }), 400);
    expectError(
      await call('PATCH', `/api/v1/monitors/${m.monitorId}`, { key, json: { alertWebhook: 'https://example.com/hook' } }),
      403,
      'Webhook alerts need the Pro plan. Remove alertWebhook or upgrade your plan.',
    );
    expectError(await call('PATCH', `/api/v1/monitors/${m.monitorId}`, { key: other.key, json: { name: 'mine now' } }), 403, 'This monitor belongs to another account.');
    expectError(await call('GET', `/api/v1/monitors/${m.monitorId}`, { key: other.key }), 403);
    expectError(await call('PATCH', '/api/v1/monitors/0123456789abcdef', { key, json: { name: 'x' } }), 404, 'Monitor not found.');
    expect((await call('GET', `/api/v1/monitors/${m.monitorId}`, { key })).json).toEqual(before);
  });

  test('PATCH of a webhook on Pro returns a new secret once', async () => {
    const account = await signup();
    upgradeToPro(account.email);
    const m = (await call('POST', '/api/v1/monitors', { key: account.key, json: { name: 'hooked', schedule: 3600 } })).json;
    const set = await call('PATCH', `/api/v1/monitors/${m.monitorId}`, { key: account.key, json: { alertWebhook: `${receiver.origin}/later` } });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ alertWebhook: `${receiver.origin}/later`, webhookSecret: expect.stringMatching(/^whsec_/) });
    expect((await call('GET', `/api/v1/monitors/${m.monitorId}`, { key: account.key })).json).not.toHaveProperty('webhookSecret');
    const removed = await call('PATCH', `/api/v1/monitors/${m.monitorId}`, { key: account.key, json: { alertWebhook: null } });
    expect(removed.json.alertWebhook).toBeNull();
    expect(removed.json).not.toHaveProperty('webhookSecret');
  });

  test('pause and resume: 409 when already paused / not paused; a ping ends a plain pause but not a manual-resume one', async () => {
    const { key } = await signup();
    const m = (await call('POST', '/api/v1/monitors', { key, json: { name: 'pausable', schedule: 3600 } })).json;
    const path = (action: string) => `/api/v1/monitors/${m.monitorId}/${action}`;
    expectError(await call('POST', path('resume'), { key }), 409, 'This monitor is not paused.');
    expect((await call('GET', m.pingUrl)).json.status).toBe('up');

    const paused = await call('POST', path('pause'), { key });
    expect([paused.status, paused.json.status, paused.json.manualResume]).toEqual([200, 'paused', false]);
    expectError(await call('POST', path('pause'), { key }), 409, 'This monitor is already paused.');
    expect((await call('GET', m.pingUrl)).json.status).toBe('up');

    const manual = await call('POST', path('pause'), { key, json: { manualResume: true } });
    expect([manual.status, manual.json.status, manual.json.manualResume]).toEqual([200, 'paused', true]);
    expect((await call('GET', m.pingUrl)).json.status).toBe('paused');
    expectError(await call('POST', path('pause'), { key, json: { manualResume: 'yes' } }), 400, 'manualResume must be true or false.');
    const resumed = await call('POST', path('resume'), { key });
    expect([resumed.status, resumed.json.status, resumed.json.manualResume]).toEqual([200, 'up', false]);
    expectError(await call('POST', path('resume'), { key }), 409);
    expectError(await call('GET', path('pause'), { key }), 405);

    const status = (await call('GET', `/api/v1/monitors/${m.monitorId}`, { key })).json;
    expect(status).toMatchObject({ status: 'up', pingCount: 3 });
  });

  test('history: pings newest first with their bodies, paged by cursor to the end; flips paged too; bad limit or cursor 400', async () => {
    const { key } = await signup();
    const m = (await call('POST', '/api/v1/monitors', { key, json: { name: 'historic', schedule: 3600 } })).json;
    for (let i = 0; i < 5; i++) {
      expect((await call('POST', m.pingUrl, { body: `run ${i} <script>alert(1)</script>`, type: 'text/plain' })).status).toBe(200);
    }
    expect((await call('GET', `${m.pingUrl}/fail`)).json.status).toBe('down');
    const path = (what: string, query: string) => `/api/v1/monitors/${m.monitorId}/${what}${query}`;

    const first = await call('GET', path('pings', '?limit=4'), { key });
    expect(first.status).toBe(200);
    expect(first.json.pings).toHaveLength(4);
    expect(first.json.pings[0]).toMatchObject({ kind: 'fail', method: 'GET', body: null, bodyTruncated: false });
    expect(first.json.pings[1]).toMatchObject({ kind: 'success', method: 'POST', body: 'run 4 <script>alert(1)</script>', bodyTruncated: false, at: expect.any(String), userAgent: expect.any(String) });
    // The functions emulator hands requests to its worker over a local socket, so no client address reaches the app there.
    expect(Object.keys(first.json.pings[1])).toContain('source');
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await call('GET', path('pings', `?limit=4&cursor=${encodeURIComponent(first.json.nextCursor)}`), { key });
    expect(second.json.pings.map((p: any) => p.body)).toEqual(['run 1 <script>alert(1)</script>', 'run 0 <script>alert(1)</script>']);
    expect(second.json.nextCursor).toBeNull();
    expect((await call('GET', path('pings', ''), { key })).json.pings).toHaveLength(6);

    await call('POST', `/api/v1/monitors/${m.monitorId}/pause`, { key });
    await call('POST', `/api/v1/monitors/${m.monitorId}/resume`, { key });
    const flips1 = await call('GET', path('flips', '?limit=2'), { key });
    expect(flips1.json.flips.map((f: any) => `${f.from}>${f.to}:${f.reason}`)).toEqual(['paused>up:resume', 'down>paused:pause']);
    const flips2 = await call('GET', path('flips', `?limit=2&cursor=${encodeURIComponent(flips1.json.nextCursor)}`), { key });
    expect(flips2.json.flips.map((f: any) => `${f.from}>${f.to}:${f.reason}`)).toEqual(['up>down:failed', 'new>up:ping']);
    expect(flips2.json.nextCursor).toBeNull();

    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?cursor=not*a*cursor', `?cursor=${Buffer.from('[1,2]').toString('base64url')}`]) {
      expectError(await call('GET', path('pings', query), { key }), 400);
      expectError(await call('GET', path('flips', query), { key }), 400);
    }
    expectError(await call('GET', path('pings', ''), { key: (await signup()).key }), 403);
    expectError(await call('GET', '/api/v1/monitors/0123456789abcdef/flips', { key }), 404);
  });

  test('unknown API routes answer a JSON 404', async () => {
    expectError(await call('GET', '/api/v1/nothing-here'), 404);
  });
});

/**
 * The emulators have no Google front end: the function sees X-Forwarded-For exactly as sent, over
 * a local socket that has no address. So each request here ends the header with what the front
 * end would append in the cloud, the address that reached it, after whatever the caller wrote.
 */
describe('the client address the limits count, as Google’s front end hands it on', () => {
  const recoverAt = (url: string, forwardedFor: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email: `e2e-address-${randomBytes(4).toString('hex')}@example.com` }),
      signal: AbortSignal.timeout(60_000),
    }).then((res) => res.status);
  const tries = Array.from({ length: RECOVERY_LIMIT + 1 }, (_, i) => i + 1);

  test('a direct call of the function with a forged X-Forwarded-For is counted under its own address: its allowance runs out', async () => {
    const direct = `${ready.functions}/${ready.project}/us-central1/api/v1/accounts/recover`;
    const statuses: number[] = [];
    for (const i of tries) statuses.push(await recoverAt(direct, `198.51.100.${i}, 203.0.113.77`));
    expect(statuses).toEqual([...Array<number>(RECOVERY_LIMIT).fill(202), 429]);
  });

  test('through Hosting each client is counted under the address Hosting forwarded', async () => {
    const statuses: number[] = [];
    for (const i of tries) statuses.push(await recoverAt(`${base}/api/v1/accounts/recover`, `192.0.2.${i}, 34.96.0.17`));
    expect(statuses).toEqual(Array<number>(RECOVERY_LIMIT + 1).fill(202));
  });
});

describe('the checker ticking on the emulators', () => {
  const deadlineWait = () => Math.max(0, watched.pingedAt + DEADLINE_S * 1000 - Date.now()) + 60_000;

  async function statusOf(id: string) {
    return (await call('GET', `/api/v1/monitors/${id}/status`, { key: watched.key })).json;
  }

  test(
    'missed monitors go down by themselves, the down alert reaches the webhook receiver signed, the e-mail is logged',
    async () => {
      expect(watched.key).toBeDefined();
      const until = Date.now() + deadlineWait();
      let webhook: any;
      let email: any;
      while (Date.now() < until) {
        [webhook, email] = await Promise.all([statusOf(watched.webhookMonitor), statusOf(watched.emailMonitor)]);
        if (webhook.status === 'down' && email.status === 'down' && receiver.requests.length > 0) break;
        await sleep(2_000);
      }
      expect([webhook.status, email.status]).toEqual(['down', 'down']);
      // Not before its deadline: the checker must not be early either.
      expect(Date.parse(webhook.lastAlert ?? new Date().toISOString())).toBeGreaterThanOrEqual(watched.pingedAt + DEADLINE_S * 1000 - 2_000);
      await receiver.waitForRequests(1, 30_000);
      const [down] = receiver.requests;
      expect(down.headers['x-cronpeek-event']).toBe('monitor.down');
      expect(verifyCronPeekSignature(watched.webhookSecret, down.headers['x-cronpeek-signature'] as string, down.body)).toBe(true);
      expect(JSON.parse(down.body)).toMatchObject({ version: 1, event: 'monitor.down', monitor: { monitorId: watched.webhookMonitor, status: 'down' } });
      // No SendGrid key on the emulators: the e-mail alert is written to the log.
      const deadline = Date.now() + 30_000;
      while (!/email not sent[^\n]*DOWN: monitor “e2e e-mail job”/.test(fs.readFileSync(logFile, 'utf8')) && Date.now() < deadline) await sleep(1_000);
      expect(fs.readFileSync(logFile, 'utf8')).toMatch(/email not sent[^\n]*DOWN: monitor “e2e e-mail job”/);
    },
    DEADLINE_S * 1000 + 180_000,
  );

  test(
    'the next ping brings it back up and the recovery alert reaches the receiver',
    async () => {
      expect((await call('GET', watched.webhookPing)).json.status).toBe('up');
      const requests = await receiver.waitForRequests(2, (TICK_SECONDS + 30) * 1000);
      const up = requests[1];
      expect(up.headers['x-cronpeek-event']).toBe('monitor.up');
      expect(verifyCronPeekSignature(watched.webhookSecret, up.headers['x-cronpeek-signature'] as string, up.body)).toBe(true);
      expect(JSON.parse(up.body)).toMatchObject({ event: 'monitor.up', monitor: { monitorId: watched.webhookMonitor, status: 'up' } });
      expect((await statusOf(watched.webhookMonitor)).status).toBe('up');
      // The outage is in the monitor's flips, newest first, as the checker and the ping wrote them.
      const flips = await call('GET', `/api/v1/monitors/${watched.webhookMonitor}/flips?limit=1`, { key: watched.key });
      expect(flips.json.flips.map((f: any) => `${f.from}>${f.to}:${f.reason}`)).toEqual(['down>up:ping']);
      const older = await call('GET', `/api/v1/monitors/${watched.webhookMonitor}/flips?cursor=${encodeURIComponent(flips.json.nextCursor)}`, { key: watched.key });
      expect(older.json.flips.map((f: any) => `${f.from}>${f.to}:${f.reason}`)).toEqual(['up>down:missed', 'new>up:ping']);
      expect(older.json.nextCursor).toBeNull();
    },
    90_000,
  );
});

test('SIGTERM stops the whole suite: every process it started exits and every port closes', async () => {
  const tree = processTree(suite.pid as number);
  expect(tree.size).toBeGreaterThan(3); // the CLI, its JVMs, the functions runtime
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<number | string | null>((resolve) => {
    suite.once('exit', (code) => resolve(code));
    timer = setTimeout(() => resolve('still running after 45 s'), 45_000);
  });
  process.kill(suite.pid as number, 'SIGTERM');
  expect(await exited).toBe(0);
  clearTimeout(timer);
  const deadline = Date.now() + 10_000;
  while ([...tree.keys()].some(alive) && Date.now() < deadline) await sleep(200);
  expect([...tree.keys()].filter(alive)).toEqual([]);
  for (const address of [ready.hosting, ready.functions, ready.firestore, ready.pubsub]) expect(await portOpen(address)).toBe(false);
}, 70_000);
