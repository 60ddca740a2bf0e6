import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/http/app';
import { withPingFastPath } from '../../src/http/ping';
import { MemoryRateLimiter, type Rules } from '../../src/limits';
import { createHttpServer } from '../../src/server';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { makeAccount, makeMonitor } from '../support/factories';
import { loadSpec, operationsOf, resolve } from '../support/openapi';
import { sqliteKind } from '../support/stores';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
}

function send(port: number, method: string, urlPath: string, body?: string): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const exposed = (r: Reply) => String(r.headers['access-control-expose-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase());

const OFF: Rules = { signup: null, recoveryByAddress: null, recoveryByEmail: null, failedAuth: null, management: null, ping: null };

/**
 * Ping URLs are open to every origin, so a job running in a browser or an edge runtime can ping.
 * Such a client may read only the response headers CORS exposes: `Retry-After` on a 429 is of
 * no use to it unless exposed, so every ping answer exposes it, on the Express route and on the
 * embedded fast path alike.
 */
describe('ping answers expose Retry-After to browsers', () => {
  let store: Store;
  let servers: http.Server[];
  let expressPort: number;
  let fastPort: number;
  let token: string;

  async function listen(listener: http.RequestListener): Promise<number> {
    const server = createHttpServer(listener);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }

  beforeEach(async () => {
    store = await sqliteKind.open();
    const account = makeAccount();
    await store.createAccount(account);
    const monitor = makeMonitor({ accountId: account.id });
    await store.createMonitor(monitor, null);
    token = monitor.pingToken;
    const deps = testDeps(store, { limiter: new MemoryRateLimiter({ ...OFF, ping: { limit: 3, windowSeconds: 60 } }) });
    const app = createApp(deps);
    servers = [];
    expressPort = await listen(app);
    fastPort = await listen(withPingFastPath(deps, app));
  });
  afterEach(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    await store.close();
  });

  test.each([
    ['the Express route', () => expressPort],
    ['the embedded fast path', () => fastPort],
  ])('on %s: success, unknown token, bad signal and 429 all carry Access-Control-Allow-Origin and expose Retry-After', async (_name, port) => {
    const replies = [
      await send(port(), 'GET', `/api/v1/ping/${token}`),
      await send(port(), 'HEAD', `/api/v1/ping/${token}/start`),
      await send(port(), 'GET', `/api/v1/ping/${'A'.repeat(24)}`),
      await send(port(), 'GET', `/api/v1/ping/${token}/nope`),
      await send(port(), 'GET', `/api/v1/ping/${token}`),
      await send(port(), 'HEAD', `/api/v1/ping/${token}`),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 200, 404, 400, 429, 429]);
    for (const r of replies) {
      expect(r.headers['access-control-allow-origin']).toBe('*');
      expect(exposed(r)).toContain('retry-after');
    }
    expect(Number(replies[4].headers['retry-after'])).toBeGreaterThan(0);
  });

  test.each([
    ['the Express route', () => expressPort],
    ['the embedded fast path', () => fastPort],
  ])('on %s: a snooze, a bad one and one past the ping limit expose it too', async (_name, port) => {
    const replies = [
      await send(port(), 'GET', `/api/v1/ping/${token}/snooze?for=600`),
      await send(port(), 'GET', `/api/v1/ping/${token}/snooze?for=soon`),
      await send(port(), 'HEAD', `/api/v1/ping/${token}/snooze`),
      await send(port(), 'GET', `/api/v1/ping/${token}/snooze`),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 400, 200, 429]);
    for (const r of replies) {
      expect(r.headers['access-control-allow-origin']).toBe('*');
      expect(exposed(r)).toContain('retry-after');
    }
  });

  test('POST pings and signals expose it too, the 429 that refuses one included', async () => {
    const ping = await send(expressPort, 'POST', `/api/v1/ping/${token}`, 'job output');
    const signal = await send(expressPort, 'POST', `/api/v1/ping/${token}/fail`, 'job output');
    const third = await send(expressPort, 'POST', `/api/v1/ping/${token}/0`, 'job output');
    const limited = await send(expressPort, 'POST', `/api/v1/ping/${token}`, 'job output');
    expect([ping.status, signal.status, third.status, limited.status]).toEqual([200, 200, 200, 429]);
    for (const r of [ping, signal, limited]) expect(exposed(r)).toContain('retry-after');
  });
});

describe('the description of ping answers', () => {
  const spec = loadSpec();
  const pingPaths = Object.keys(spec.paths).filter((p) => p.startsWith('/api/v1/ping/'));

  test('documents Access-Control-Allow-Origin and Access-Control-Expose-Headers (naming Retry-After) on every answer, errors included', () => {
    expect([...pingPaths].sort()).toEqual(['/api/v1/ping/{pingKey}/{slug}/{signal}', '/api/v1/ping/{token}', '/api/v1/ping/{token}/snooze', '/api/v1/ping/{token}/{signal}']);
    const missing: string[] = [];
    for (const p of pingPaths) {
      for (const [method, op] of operationsOf(spec.paths[p])) {
        if (method === 'options') continue;
        for (const [status, r] of Object.entries(op.responses)) {
          const headers = resolve(spec, r).headers ?? {};
          const origin = headers['Access-Control-Allow-Origin'];
          const expose = headers['Access-Control-Expose-Headers'];
          if (!origin) missing.push(`${method} ${p} ${status}: Access-Control-Allow-Origin`);
          if (!expose || !JSON.stringify(resolve(spec, expose).schema).includes('Retry-After')) missing.push(`${method} ${p} ${status}: Access-Control-Expose-Headers`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test('documents Retry-After on every 429 of a ping, HEAD included', () => {
    for (const p of pingPaths) {
      for (const [method, op] of operationsOf(spec.paths[p])) {
        if (method === 'options') continue;
        expect([method, p, Object.keys(resolve(spec, op.responses['429']).headers ?? {})]).toEqual([method, p, expect.arrayContaining(['Retry-After'])]);
      }
    }
  });
});
