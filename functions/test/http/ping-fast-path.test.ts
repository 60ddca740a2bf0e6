import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/http/app';
import { withPingFastPath } from '../../src/http/ping';
import { MemoryRateLimiter, type Rules } from '../../src/limits';
import type { Monitor } from '../../src/domain/types';
import type { Deps } from '../../src/services/context';
import { createHttpServer } from '../../src/server';
import type { InspectableStore } from '../../src/store/inspection';
import type { Store } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { capturingLogger } from '../notify/support/logger';
import { testDeps } from '../support/deps';
import { makeAccount, makeMonitor } from '../support/factories';
import { hashSecret, newPingKey } from '../../src/services/secrets';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Headers that differ between any two answers (or that Express adds for caching, which a ping never uses). */
const INCIDENTAL = new Set(['date', 'etag', 'connection', 'keep-alive']);
const comparable = (a: Answer) => ({
  status: a.status,
  body: a.body,
  headers: Object.fromEntries(Object.entries(a.headers).filter(([k]) => !INCIDENTAL.has(k))),
});

const OFF: Rules = { signup: null, recoveryByAddress: null, recoveryByEmail: null, failedAuth: null, management: null, ping: null };

/**
 * The embedded server's ping fast path against the Express route it stands in for: the same
 * requests to twin monitors (one behind each) must get the same status, headers and body, and
 * store the same ping. A counter on the Express app says which requests the fast path took.
 */
describe('the embedded ping fast path', () => {
  let dir: string;
  let store: InspectableStore;
  let deps: Deps;
  let log: ReturnType<typeof capturingLogger>;
  let servers: http.Server[];
  let expressPort: number;
  let fastPort: number;
  let reachedExpress: number;
  let accountId: string;

  async function listen(listener: http.RequestListener): Promise<number> {
    const server = createHttpServer(listener);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  async function start(options: { limits?: Partial<Rules>; trustProxy?: number; store?: Store } = {}) {
    log = capturingLogger();
    const limiter = options.limits ? new MemoryRateLimiter({ ...OFF, ...options.limits }) : undefined;
    deps = testDeps(options.store ?? store, { log, limiter });
    const app = createApp(deps, { trustProxy: options.trustProxy });
    expressPort = await listen(app);
    reachedExpress = 0;
    const counted = Object.assign((req: http.IncomingMessage, res: http.ServerResponse) => {
      reachedExpress++;
      app(req, res);
    }, { get: app.get.bind(app) });
    fastPort = await listen(withPingFastPath(deps, counted as unknown as Parameters<typeof withPingFastPath>[1]));
  }

  /** Two monitors alike in everything but id and token. */
  async function twins(overrides: Partial<Monitor> = {}): Promise<[Monitor, Monitor]> {
    const pair = [makeMonitor({ accountId, ...overrides }), makeMonitor({ accountId, ...overrides })] as [Monitor, Monitor];
    for (const m of pair) await store.createMonitor(m, null);
    return pair;
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-fast-'));
    store = new SqliteStore(path.join(dir, 'cronpeek.db'));
    const account = makeAccount({ plan: 'pro' });
    accountId = account.id;
    await store.createAccount(account);
    servers = [];
  });
  afterEach(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const storedPings = async (m: Monitor) => (await store.listPings(m.id, 100)).map(({ monitorId: _id, expiresAt: _e, ...p }) => p);

  test.each([
    ['GET', ''],
    ['HEAD', ''],
    ['GET', '/start?rid=run-42'],
    ['GET', '/fail'],
    ['GET', '/0'],
    ['GET', '/3'],
    ['HEAD', '/start'],
    ['GET', '?rid='],
    ['GET', '?x=1&rid=nightly'],
  ])('%s <ping URL>%s answers and stores exactly as the Express route does', async (method, suffix) => {
    await start();
    const [viaExpress, viaFast] = await twins();
    const headers = { 'User-Agent': 'curl/8.5.0' };
    const a = await send(expressPort, method, `/api/v1/ping/${viaExpress.pingToken}${suffix}`, headers);
    const b = await send(fastPort, method, `/api/v1/ping/${viaFast.pingToken}${suffix}`, headers);
    expect(reachedExpress).toBe(0);
    expect(b.status).toBe(200);
    expect(comparable(b)).toEqual(comparable(a));
    expect(b.headers['access-control-allow-origin']).toBe('*');
    expect(b.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(await storedPings(viaFast)).toEqual(await storedPings(viaExpress));
    expect(await storedPings(viaFast)).toHaveLength(1);
  });

  test.each([
    ['an unknown token', (_t: string) => `/api/v1/ping/${'A'.repeat(24)}`],
    ['an unknown signal', (t: string) => `/api/v1/ping/${t}/nope`],
    ['an exit code over 255', (t: string) => `/api/v1/ping/${t}/256`],
    ['rid given twice', (t: string) => `/api/v1/ping/${t}?rid=a&rid=b`],
    ['a rid with a space', (t: string) => `/api/v1/ping/${t}?rid=a%20b`],
    ['a rid over 64 characters', (t: string) => `/api/v1/ping/${t}?rid=${'r'.repeat(65)}`],
  ])('%s is refused with the same answer, storing nothing', async (_name, url) => {
    await start();
    const [viaExpress, viaFast] = await twins();
    const a = await send(expressPort, 'GET', url(viaExpress.pingToken));
    const b = await send(fastPort, 'GET', url(viaFast.pingToken));
    expect(reachedExpress).toBe(0);
    expect(b.status).toBeGreaterThanOrEqual(400);
    expect(comparable(b)).toEqual(comparable(a));
    expect(JSON.parse(b.body)).toEqual({ error: expect.any(String) });
    expect(await storedPings(viaFast)).toEqual([]);
  });

  test('the function-URL form without /api takes the fast path too', async () => {
    await start();
    const [m] = await twins();
    const b = await send(fastPort, 'GET', `/v1/ping/${m.pingToken}`);
    expect(b.status).toBe(200);
    expect(reachedExpress).toBe(0);
  });

  test.each([
    ['POST with a body', 'POST', (t: string) => `/api/v1/ping/${t}`],
    ['a trailing slash', 'GET', (t: string) => `/api/v1/ping/${t}/`],
    ['a malformed percent-escape', 'GET', (t: string) => `/api/v1/ping/${t}/%E0%A4%A`],
    ['other capitalisation', 'GET', (t: string) => `/API/V1/PING/${t}`],
    ['a preflight', 'OPTIONS', (t: string) => `/api/v1/ping/${t}`],
    ['a method pings do not take', 'PUT', (t: string) => `/api/v1/ping/${t}`],
  ])('%s is left to the Express route, answered as before', async (_name, method, url) => {
    await start();
    const [viaExpress, viaFast] = await twins();
    const headers: Record<string, string> = method === 'OPTIONS' ? { Origin: 'https://example.com', 'Access-Control-Request-Method': 'POST' } : {};
    const body = method === 'POST' ? 'job output' : undefined;
    const a = await send(expressPort, method, url(viaExpress.pingToken), headers, body);
    const b = await send(fastPort, method, url(viaFast.pingToken), headers, body);
    expect(reachedExpress).toBe(1);
    expect(comparable(b)).toEqual(comparable(a));
    expect(await storedPings(viaFast)).toEqual(await storedPings(viaExpress));
  });

  test('pings by slug (`/ping/<pingKey>/<slug>[/<signal>]`, auto-create included) are left to the Express route and answered as there', async () => {
    await start();
    const pingKey = newPingKey();
    await store.setPingKey(accountId, hashSecret(pingKey));
    const [m] = await twins({ slug: 'nightly' });
    const plain = await send(fastPort, 'GET', `/api/v1/ping/${pingKey}/nightly`);
    expect([plain.status, JSON.parse(plain.body)]).toEqual([200, { ok: true, monitor: m.name, status: 'up' }]);
    expect((await send(fastPort, 'HEAD', `/api/v1/ping/${pingKey}/nightly/start?rid=r1`)).status).toBe(200);
    expect((await send(fastPort, 'GET', `/api/v1/ping/${pingKey}/nightly/0?rid=r1`)).status).toBe(200);
    expect((await send(fastPort, 'GET', `/api/v1/ping/${pingKey}/fresh?create=1`)).status).toBe(201);
    expect((await send(fastPort, 'GET', `/api/v1/ping/${pingKey}/unknown`)).status).toBe(404);
    expect(reachedExpress).toBe(5);
    expect((await storedPings(m)).map((p) => p.kind)).toEqual(['success', 'start', 'success']);
  });

  test('the per-token rate limit holds on the fast path, with 429 and Retry-After, and shares its count with the Express route', async () => {
    await start({ limits: { ping: { limit: 3, windowSeconds: 60 } } });
    const [m] = await twins();
    expect((await send(fastPort, 'GET', `/api/v1/ping/${m.pingToken}`)).status).toBe(200);
    expect((await send(fastPort, 'POST', `/api/v1/ping/${m.pingToken}`, {}, 'out')).status).toBe(200);
    expect((await send(fastPort, 'GET', `/api/v1/ping/${m.pingToken}/start`)).status).toBe(200);
    const refused = await send(fastPort, 'GET', `/api/v1/ping/${m.pingToken}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body).error).toMatch(/Too many pings/);
    expect(await store.listPings(m.id, 10)).toHaveLength(3);
  });

  test('the client address is read through the app’s trust proxy setting, as the Express route reads it', async () => {
    await start({ trustProxy: 1 });
    const [viaExpress, viaFast] = await twins();
    const headers = { 'X-Forwarded-For': '198.51.100.7, 203.0.113.20' };
    await send(expressPort, 'GET', `/api/v1/ping/${viaExpress.pingToken}`, headers);
    await send(fastPort, 'GET', `/api/v1/ping/${viaFast.pingToken}`, headers);
    const [a] = await store.listPings(viaExpress.id, 1);
    const [b] = await store.listPings(viaFast.id, 1);
    expect(b.source).toBe('203.0.113.20');
    expect(b.source).toBe(a.source);
  });

  test('a paused monitor is resumed by a ping unless it waits for a manual resume', async () => {
    await start();
    const [paused] = await twins({ status: 'paused' });
    const [manual] = await twins({ status: 'paused', manualResume: true });
    expect(JSON.parse((await send(fastPort, 'GET', `/api/v1/ping/${paused.pingToken}`)).body).status).toBe('up');
    expect(JSON.parse((await send(fastPort, 'GET', `/api/v1/ping/${manual.pingToken}`)).body).status).toBe('paused');
  });

  test('a store failure is a JSON 500, logged without the ping token', async () => {
    const broken: Store = Object.create(store, {
      recordPing: { value: async () => Promise.reject(new Error('disk I/O error')) },
    });
    await start({ store: broken });
    const [m] = await twins();
    const b = await send(fastPort, 'GET', `/api/v1/ping/${m.pingToken}/start?rid=r1`);
    expect(b.status).toBe(500);
    expect(JSON.parse(b.body)).toEqual({ error: 'Internal server error. Try again or contact support.' });
    expect(b.headers['x-content-type-options']).toBe('nosniff');
    const logged = JSON.stringify(log.lines);
    expect(logged).toContain('disk I/O error');
    expect(logged).toContain('/api/v1/ping/<token>');
    expect(logged).not.toContain(m.pingToken);
  });

  test('concurrent pings over many connections: every one answered 200 and stored, on every monitor', async () => {
    await start();
    const monitors = await Promise.all(Array.from({ length: 10 }, async () => (await twins())[0]));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    const total = 500;
    const statuses = await Promise.all(
      Array.from(
        { length: total },
        (_, i) =>
          new Promise<number>((resolve, reject) => {
            http
              .get({ host: '127.0.0.1', port: fastPort, path: `/api/v1/ping/${monitors[i % 10].pingToken}`, agent }, (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode ?? 0));
              })
              .on('error', reject);
          }),
      ),
    );
    agent.destroy();
    expect(statuses.filter((s) => s === 200)).toHaveLength(total);
    for (const m of monitors) expect((await store.getMonitor(m.id))!.pingCount).toBe(total / 10);
    expect(reachedExpress).toBe(0);
  });
});
