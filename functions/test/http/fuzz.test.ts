import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { createApp } from '../../src/http/app';
import { withPingFastPath } from '../../src/http/ping';
import { createHttpServer } from '../../src/server';
import type { InspectableStore } from '../../src/store/inspection';
import { capturingLogger } from '../notify/support/logger';
import { testDeps } from '../support/deps';
import { storeKinds } from '../support/stores';

/**
 * Seeded hostile requests against the real app (with the embedded ping fast path) on a real socket, on both stores, for a bounded
 * time: malformed escapes, JSON, types, sizes, nesting, methods, headers and keys. No answer may
 * be a 5xx, every error is `{"error": "..."}`, the server stays up, and the stored state is
 * exactly what the accepted requests made it. Reproduce a run with CRONPEEK_FUZZ_SEED; give it
 * longer with CRONPEEK_FUZZ_MS.
 */
const SEED = Number(process.env.CRONPEEK_FUZZ_SEED ?? 20261126);
const BUDGET_MS = Number(process.env.CRONPEEK_FUZZ_MS ?? 3_000);
const PARALLEL = 8;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

interface Fuzzed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

interface World {
  ownKey: string;
  otherKey: string;
  ownMonitor: string;
  otherMonitor: string;
  token: string;
}

const ESCAPES = ['%ff', '%E0%A4%A', '%', '%%', '%zz', '%00', '%2e%2e', '%2F', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%u0041'];

function segment(r: Rng, w: World): string {
  switch (r.int(10)) {
    case 0:
      return r.pick(ESCAPES);
    case 1:
      return 'a'.repeat(r.pick([1, 64, 1_000, 8_000]));
    case 2:
      return r.pick([w.ownMonitor, w.otherMonitor, w.token, '0123456789abcdef', '..', '.', '', '__proto__', 'constructor']);
    case 3:
      return encodeURIComponent(r.pick(['é', '💥', '<script>', '"', "'", '\\', ' ', '\u0000', '\u202e']));
    case 4:
      return `${w.token}${r.pick(ESCAPES)}`;
    case 5:
      return Array.from({ length: r.int(40) }, () => r.pick([...'abcdef0123456789-_~.!$&()*+,;=:@'])).join('');
    default:
      return r.pick([w.ownMonitor, w.otherMonitor, w.token, 'cpk_' + '0'.repeat(32), 'x']);
  }
}

function pathOf(r: Rng, w: World): string {
  const prefix = r.pick(['/api', '', '/api/api', '//api']);
  const s = () => segment(r, w);
  const route = r.pick([
    () => `/v1/ping/${s()}`,
    () => `/v1/ping/${w.token}`,
    () => `/v1/ping/${s()}/${s()}`,
    () => `/v1/monitors/${s()}/status`,
    () => `/v1/monitors/${s()}`,
    () => `/v1/monitors/${w.ownMonitor}`,
    () => '/v1/monitors',
    () => '/v1/accounts',
    () => '/health',
    () => `/${s()}`,
    () => `/v1/${s()}/${s()}/${s()}`,
  ])();
  const query = r.int(4) === 0 ? `?${s()}=${s()}&${s()}` : '';
  return `${prefix}${route}${query}`;
}

function deepJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function bodyOf(r: Rng, w: World): Buffer | undefined {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const value = () =>
    r.pick<unknown>([null, true, 0, -1, 1.5, 1e308, -0, 'x', '', [], {}, 'a'.repeat(300), 86400, 60, 59, 31_536_001, { $gt: '' }, ['a']]);
  const choice = r.int(16);
  switch (choice) {
    case 0:
      return undefined;
    case 1:
      return Buffer.from(r.pick(['{', '{"email":', '{"a":1,}', "{'email':'x'}", 'nul', '"unterminated', '{"email":"a@b.c"}}', '\uFEFF{}', '[1,2', '{"a":NaN}']));
    case 2:
      return Buffer.from(deepJson(r.pick([100, 5_000, 50_000])));
    case 3:
      return Buffer.alloc(r.pick([65 * 1024, 2 * 1024 * 1024]), 'a');
    case 4:
      return json({ email: value() });
    case 5:
      return json({ email: `fuzz${r.int(1e9)}@example.com` });
    case 6:
      return json({ name: value(), schedule: value(), grace: value() });
    case 7:
      return json({ name: 'fuzzed', schedule: r.pick([60, 3600, 86400]), alertWebhook: r.pick(['javascript:alert(1)', 'http://169.254.169.254/', 'ftp://x', `http://${'a'.repeat(3000)}.com`, 'https://hooks.example.com/x']) });
    case 8:
      return json({ name: 'fuzzed', schedule: 3600, alertEmail: r.pick(['x', 'a@b', `${'a'.repeat(300)}@example.com`, 5]) });
    case 9:
      return Buffer.from('{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"polluted": 1}}, "email": "proto@example.com"}');
    case 10:
      return Buffer.from(r.pick(['[]', 'null', '1', '"str"', 'true', '{}']));
    case 11:
      return Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256)));
    case 12:
      return json({ name: 'n', schedule: 3600, [segment(r, w)]: value() });
    default:
      return json({ name: `job ${r.int(100)}`, schedule: 3600 });
  }
}

function requestOf(r: Rng, w: World): Fuzzed {
  const method = r.pick(['GET', 'GET', 'POST', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS']);
  const headers: Record<string, string> = {};
  switch (r.int(6)) {
    case 0:
      headers['x-api-key'] = w.ownKey;
      break;
    case 1:
      headers['x-api-key'] = w.otherKey;
      break;
    case 2:
      headers['x-api-key'] = r.pick(['', 'cpk_', 'cpk_' + 'g'.repeat(32), 'x'.repeat(8_000), w.ownKey.toUpperCase(), ` ${w.ownKey}`]);
      break;
    case 3:
      headers.authorization = r.pick(['Bearer', `Bearer ${w.ownKey}x`, 'Basic Zm9vOmJhcg==', 'Bearer ' + 'x'.repeat(4_000)]);
      break;
    default:
      break;
  }
  let body = method === 'GET' || method === 'HEAD' ? (r.int(8) === 0 ? bodyOf(r, w) : undefined) : bodyOf(r, w);
  headers['content-type'] = r.pick([
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-7',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
    'application/json; charset="',
  ]);
  if (body && r.int(10) === 0) {
    headers['content-encoding'] = r.pick(['gzip', 'deflate', 'br', 'compress', 'identity, gzip']);
    if (r.int(2) === 0 && headers['content-encoding'] === 'gzip') body = zlib.gzipSync(body);
  }
  if (r.int(10) === 0) headers['x-forwarded-for'] = r.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1', ','.repeat(100)]);
  if (r.int(10) === 0) headers.accept = r.pick(['text/html', '*/*;q=x', '']);
  return { method, path: pathOf(r, w), headers, body };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(port: number, agent: http.Agent, f: Fuzzed): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Node's client sends a GET or DELETE body with neither Content-Length nor chunking: say its length.
    const headers = f.body ? { ...f.headers, 'content-length': String(f.body.length) } : f.headers;
    const req = http.request({ host: '127.0.0.1', port, agent, method: f.method, path: f.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(f.body);
  });
}

describe.each(storeKinds())('fuzzing the API on %s', (name, kind) => {
  let store: InspectableStore;
  let server: http.Server;
  let port: number;
  const log = capturingLogger();

  beforeAll(async () => {
    store = await kind.open();
    // As the embedded server runs it: GET and HEAD pings on the fast path, the rest through Express.
    const deps = testDeps(store, { log, plan: 'pro' });
    server = createHttpServer(withPingFastPath(deps, createApp(deps)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  test(`seeded hostile requests: no 5xx, JSON errors, the server stays up, rejected requests change nothing`, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
    const call = (method: string, path: string, body?: unknown, key?: string) =>
      send(port, agent, {
        method,
        path,
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      }).then((a) => ({ ...a, json: JSON.parse(a.body) as Record<string, string> }));
    const ownKey = (await call('POST', '/api/v1/accounts', { email: 'own@example.com' })).json.apiKey;
    const otherKey = (await call('POST', '/api/v1/accounts', { email: 'other@example.com' })).json.apiKey;
    const own = (await call('POST', '/api/v1/monitors', { name: 'own', schedule: 3600 }, ownKey)).json;
    const other = (await call('POST', '/api/v1/monitors', { name: 'other', schedule: 3600 }, otherKey)).json;
    const w: World = { ownKey, otherKey, ownMonitor: own.monitorId, otherMonitor: other.monitorId, token: new URL(own.pingUrl).pathname.split('/').pop()! };
    const otherToken = new URL(other.pingUrl).pathname.split('/').pop()!;

    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    let acceptedOwnPings = 0;
    let ownMonitorDeleted = false;
    let ownMonitorsCreated = 0;
    let otherMonitorsCreated = 0;
    // The other account's own key may legitimately edit, pause or delete its monitor; only then
    // may that monitor differ from how it was created.
    let otherMonitorChangedByOwner = false;
    const deadline = Date.now() + BUDGET_MS;
    // One seeded stream per worker: the same requests every run, whatever the interleaving.
    const worker = async (index: number) => {
      const r = prng(SEED + index);
      while (Date.now() < deadline) {
        const f = requestOf(r, w);
        let a: Answer;
        try {
          a = await send(port, agent, f);
        } catch (err) {
          // Node's client refuses some header values itself; that request never left.
          if ((err as NodeJS.ErrnoException).code === 'ERR_INVALID_CHAR') continue;
          problems.push(`${f.method} ${f.path.slice(0, 80)}: ${(err as Error).message}`);
          continue;
        }
        sent++;
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        const label = `${f.method} ${f.path.slice(0, 120)} -> ${a.status}`;
        if (a.status >= 500) problems.push(`${label}: ${a.body.slice(0, 200)}`);
        if (a.status >= 400 && f.method !== 'HEAD') {
          let parsed: unknown;
          try {
            parsed = JSON.parse(a.body);
          } catch {
            parsed = null;
          }
          const ok = typeof parsed === 'object' && parsed !== null && Object.keys(parsed).join() === 'error' && typeof (parsed as { error: unknown }).error === 'string';
          if (!ok) problems.push(`${label}: not a JSON error: ${a.body.slice(0, 200)}`);
          if (/\n\s+at |node_modules|\.ts:\d/.test(a.body)) problems.push(`${label}: leaks a stack`);
        }
        if (a.status >= 200 && a.status < 300) {
          const p = f.path.replace(/\?.*$/, '').replace(/^\/api/, '');
          // HTTP drops a header value's leading white space, so ` <key>` authenticates as <key>.
          const key = f.headers['x-api-key']?.trim();
          // Signals (`/start`, `/fail`, `/<exit code>`) are pings too and count as one.
          if ((p === `/v1/ping/${w.token}` || p.startsWith(`/v1/ping/${w.token}/`)) && f.method !== 'OPTIONS') acceptedOwnPings++;
          if (p === `/v1/monitors/${w.ownMonitor}` && f.method === 'DELETE') ownMonitorDeleted = true;
          if (p === '/v1/monitors' && f.method === 'POST' && key === ownKey) ownMonitorsCreated++;
          if (p === '/v1/monitors' && f.method === 'POST' && key === otherKey) otherMonitorsCreated++;
          if (key === otherKey && p.startsWith(`/v1/monitors/${w.otherMonitor}`) && f.method !== 'GET' && f.method !== 'HEAD' && f.method !== 'OPTIONS') {
            otherMonitorChangedByOwner = true;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, (_, i) => worker(i)));

    // Still up, and the state is exactly what the accepted requests made it.
    expect((await call('GET', '/api/health')).status).toBe(200);
    const ownMonitor = await store.getMonitor(w.ownMonitor);
    if (ownMonitorDeleted) expect(ownMonitor).toBeNull();
    else expect(ownMonitor!.pingCount).toBe(acceptedOwnPings);
    const otherMonitor = await store.getMonitor(w.otherMonitor);
    if (otherMonitorChangedByOwner) expect(otherMonitor === null || otherMonitor.pingCount === 0).toBe(true);
    else expect(otherMonitor).toMatchObject({ pingCount: 0, status: 'new', name: 'other' });
    expect(await store.listPings(w.otherMonitor, 10)).toEqual([]);
    const ownAccount = (await call('GET', '/api/v1/monitors', undefined, ownKey)).json as unknown as { count: number };
    expect(ownAccount.count).toBe(1 + ownMonitorsCreated - (ownMonitorDeleted ? 1 : 0));
    const otherAccount = (await call('GET', '/api/v1/monitors', undefined, otherKey)).json as unknown as { count: number };
    expect(otherAccount.count).toBe(1 + otherMonitorsCreated - (otherMonitorChangedByOwner && otherMonitor === null ? 1 : 0));
    expect(otherToken).not.toBe(w.token);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);

    const fiveXX = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([s, c]) => `${s}×${c}`).join(' ');
    console.log(`fuzz on ${name}: ${sent} requests in ${BUDGET_MS / 1000} s (seed ${SEED}); 5xx seen ${fiveXX}; statuses ${summary}`);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(sent).toBeGreaterThan(50);
    agent.destroy();
  }, BUDGET_MS + 30_000);
});
