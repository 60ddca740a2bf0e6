import { createHash } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter } from '../../src/limits';
import type { InspectableStore } from '../../src/store/inspection';
import type { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient, freshEmail, pingPath, type CreatedMonitor } from '../support/http-client';
import { storeKinds } from '../support/stores';

const READ_KEY = /^cpr_[0-9a-f]{32}$/;
const KEY_ID = /^key_[0-9a-f]{16}$/;
const READ_ONLY = { error: "This API key is read-only: it can read but not change anything. Use the account's main key to make changes." };
const WRITE_METHODS = ['post', 'put', 'patch', 'delete'];

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route of the app and its methods, read from the API router's stack (as test/http/openapi.test.ts does). */
function routesOf(app: Express): Array<[path: string, method: string]> {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const api = stack.find((l) => l.handle?.stack?.some((inner) => inner.route));
  if (api === undefined) throw new Error('the API router was not found in the app');
  return api.handle!.stack!.flatMap((layer) => {
    if (!layer.route) return [];
    const { path, methods } = layer.route;
    return Object.entries(methods).filter(([m, on]) => on && m !== '_all').map(([m]): [string, string] => [path, m]);
  });
}

/** A route's path under `/api` with each parameter filled in by `values` (given its name). */
const filled = (path: string, values: (name: string) => string) => `/api${path.replace(/:(\w+)/g, (_m, name: string) => values(name))}`;

describe.each(storeKinds())('read-only API keys on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: Express;
  let api: ApiClient;
  let clock: FakeClock;

  const open = async (options: { limiter?: MemoryRateLimiter } = {}) => {
    store = await kind.open();
    const deps = testDeps(store, options);
    clock = deps.fakeClock;
    app = createApp(deps);
    api = new ApiClient(app);
  };
  afterEach(async () => {
    await store.close();
  });

  const createKey = (key: string, body: unknown) => request(app).post('/api/v1/account/keys').set('x-api-key', key).set('Content-Type', 'application/json').send(body as object);
  const listKeys = (key: string) => request(app).get('/api/v1/account/keys').set('x-api-key', key);
  const revoke = (key: string, keyId: string) => request(app).delete(`/api/v1/account/keys/${keyId}`).set('x-api-key', key);

  /** A new read-only key of the account with main key `key`: its id and the key itself. */
  async function readKey(key: string, name = 'grafana'): Promise<{ keyId: string; apiKey: string }> {
    const res = await createKey(key, { name, access: 'read' }).expect(201);
    return { keyId: res.body.keyId, apiKey: res.body.apiKey };
  }

  describe('creating', () => {
    beforeEach(() => open());

    test('answers 201 with the id, name, access, the key (cpr_) and the time, and keeps only its hash', async () => {
      const main = await api.signup();
      const res = await createKey(main, { name: 'grafana', access: 'read' }).expect(201);
      expect(Object.keys(res.body)).toEqual(['keyId', 'name', 'access', 'apiKey', 'createdAt']);
      expect(res.body).toEqual({ keyId: expect.stringMatching(KEY_ID), name: 'grafana', access: 'read', apiKey: expect.stringMatching(READ_KEY), createdAt: clock.now().toISOString() });
      const stored = await store.findReadKeyByHash(createHash('sha256').update(res.body.apiKey).digest('hex'));
      expect(stored).toMatchObject({ id: res.body.keyId, name: 'grafana', access: 'read' });
      expect(JSON.stringify(stored)).not.toContain(res.body.apiKey);
    });

    test('the key is shown once: no later answer holds it', async () => {
      const main = await api.signup();
      const { apiKey } = await readKey(main);
      for (const path of ['/api/v1/account/keys', '/api/v1/account']) {
        expect((await request(app).get(path).set('x-api-key', main).expect(200)).text).not.toContain(apiKey);
        expect((await request(app).get(path).set('x-api-key', apiKey).expect(200)).text).not.toContain(apiKey);
      }
    });

    test('each key is a new one, and the name is trimmed', async () => {
      const main = await api.signup();
      const a = (await createKey(main, { name: '  ci script ', access: 'read' }).expect(201)).body;
      const b = (await createKey(main, { name: 'ci script', access: 'read' }).expect(201)).body;
      expect(a.name).toBe('ci script');
      expect(a.apiKey).not.toBe(b.apiKey);
      expect(a.keyId).not.toBe(b.keyId);
    });

    test.each([
      ['access missing', { name: 'grafana' }, 'access is required.'],
      ['access full', { name: 'grafana', access: 'full' }, 'access must be "read"'],
      ['access write', { name: 'grafana', access: 'write' }, 'access must be "read"'],
      ['access not a string', { name: 'grafana', access: 1 }, 'access must be "read"'],
      ['access null', { name: 'grafana', access: null }, 'access must be "read"'],
      ['name missing', { access: 'read' }, 'name is required.'],
      ['name a number', { name: 7, access: 'read' }, 'name must be a string'],
      ['name null', { name: null, access: 'read' }, 'name must be a string'],
      ['name an array', { name: ['a'], access: 'read' }, 'name must be a string'],
      ['name empty', { name: '', access: 'read' }, 'name must not be empty'],
      ['name blank', { name: '   ', access: 'read' }, 'name must not be empty'],
      ['name too long', { name: 'x'.repeat(101), access: 'read' }, 'name must be at most 100 characters'],
      ['name with a line break', { name: 'a\nb', access: 'read' }, 'name must not contain control characters'],
      ['name with a bidirectional override', { name: 'a\u202eb', access: 'read' }, 'name must not contain control characters'],
      ['an unknown field', { name: 'grafana', access: 'read', scopes: ['monitors'] }, 'Unknown field scopes; a key has name, access'],
      ['a list', [{ name: 'grafana', access: 'read' }], 'Request body must be a JSON object.'],
      ['a JSON string', '"grafana"', 'Request body must be a JSON object.'],
    ])('%s is a 400 naming the problem, and creates nothing', async (_case, body, message) => {
      const main = await api.signup();
      const res = await createKey(main, body).expect(400);
      expect(res.body.error).toContain(message);
      expect((await listKeys(main).expect(200)).body).toEqual({ keys: [], count: 0 });
    });

    test('a name of 100 characters is kept whole', async () => {
      const main = await api.signup();
      expect((await createKey(main, { name: 'é'.repeat(100), access: 'read' }).expect(201)).body.name).toBe('é'.repeat(100));
    });

    test('an account holds at most 20 keys: the 21st is a 403 naming the limit, and a revoked one frees its place', async () => {
      const main = await api.signup();
      const first = await readKey(main, 'key 1');
      for (let i = 2; i <= 20; i++) await readKey(main, `key ${i}`);
      const refused = await createKey(main, { name: 'one too many', access: 'read' }).expect(403);
      expect(refused.body.error).toMatch(/limit.*\b20\b/i);
      expect((await listKeys(main).expect(200)).body.count).toBe(20);
      await revoke(main, first.keyId).expect(200);
      await createKey(main, { name: 'one too many', access: 'read' }).expect(201);
    });

    test('a read-only key cannot create a key', async () => {
      const main = await api.signup();
      const { apiKey } = await readKey(main);
      expect((await createKey(apiKey, { name: 'another', access: 'read' }).expect(403)).body).toEqual(READ_ONLY);
      expect((await listKeys(main).expect(200)).body.count).toBe(1);
    });
  });

  describe('listing and revoking', () => {
    beforeEach(() => open());

    test('lists the account’s keys oldest first, without their secrets, with a count', async () => {
      const main = await api.signup();
      const early = await readKey(main, 'grafana');
      const createdEarly = clock.now().toISOString();
      clock.advance(60);
      const late = await readKey(main, 'ci');
      await readKey(await api.signup(), 'someone else’s');
      const res = await listKeys(main).expect(200);
      expect(res.body).toEqual({
        keys: [
          { keyId: early.keyId, name: 'grafana', access: 'read', createdAt: createdEarly },
          { keyId: late.keyId, name: 'ci', access: 'read', createdAt: clock.now().toISOString() },
        ],
        count: 2,
      });
      expect(res.text).not.toContain('cpr_');
    });

    test('a read-only key lists its account’s keys', async () => {
      const main = await api.signup();
      const { apiKey, keyId } = await readKey(main);
      expect((await listKeys(apiKey).expect(200)).body).toEqual((await listKeys(main).expect(200)).body);
      expect((await listKeys(apiKey).expect(200)).body.keys.map((k: { keyId: string }) => k.keyId)).toEqual([keyId]);
    });

    test('a revoked key answers 401 at once, and the others keep working', async () => {
      const main = await api.signup();
      const gone = await readKey(main, 'gone');
      const kept = await readKey(main, 'kept');
      await api.listMonitors(gone.apiKey).expect(200);
      expect((await revoke(main, gone.keyId).expect(200)).body).toEqual({ deleted: true });
      expect((await api.listMonitors(gone.apiKey).expect(401)).body).toEqual({ error: 'Invalid API key.' });
      await api.listMonitors(kept.apiKey).expect(200);
      expect((await listKeys(main).expect(200)).body.keys.map((k: { name: string }) => k.name)).toEqual(['kept']);
    });

    test('revoking an unknown, malformed, already revoked or another account’s key is a 404 that changes nothing', async () => {
      const main = await api.signup();
      const otherMain = await api.signup();
      const theirs = await readKey(otherMain);
      const mine = await readKey(main);
      await revoke(main, mine.keyId).expect(200);
      for (const id of [mine.keyId, theirs.keyId, 'key_0000000000000000', 'not-a-key', theirs.apiKey, '%E2%80%AE']) {
        expect([id, (await revoke(main, id)).status]).toEqual([id, 404]);
      }
      expect((await revoke(main, theirs.keyId).expect(404)).body).toEqual({ error: 'API key not found.' });
      await api.listMonitors(theirs.apiKey).expect(200);
      expect((await listKeys(otherMain).expect(200)).body.count).toBe(1);
    });

    test('a read-only key cannot revoke a key, its own included', async () => {
      const main = await api.signup();
      const { apiKey, keyId } = await readKey(main);
      expect((await revoke(apiKey, keyId).expect(403)).body).toEqual(READ_ONLY);
      await api.listMonitors(apiKey).expect(200);
    });

    test('an unknown read-only key, or a made-up one, is a 401', async () => {
      for (const key of ['cpr_' + '0'.repeat(32), 'cpr_short', 'cpr_' + 'G'.repeat(32)]) {
        expect((await api.listMonitors(key).expect(401)).body).toEqual({ error: 'Invalid API key.' });
      }
    });
  });

  describe('what a read-only key can do', () => {
    let main: string;
    let reader: string;
    let monitor: CreatedMonitor;
    let channelId: string;
    let keyId: string;

    beforeEach(async () => {
      await open();
      main = await api.signup(freshEmail());
      monitor = await api.createMonitor(main, { name: 'Nightly backup', schedule: 3600 });
      await api.ping(monitor.pingUrl).expect(200);
      const channel = await request(app).post('/api/v1/channels').set('x-api-key', main).send({ kind: 'email', name: 'ops', config: { address: 'ops@example.com' } }).expect(201);
      channelId = channel.body.channelId;
      ({ apiKey: reader, keyId } = await readKey(main));
    });

    /** What the account holds, as its main key reads it: nothing a refused request did may show here. */
    async function everything(): Promise<unknown[]> {
      const paths = ['/api/v1/account', '/api/v1/monitors', `/api/v1/monitors/${monitor.monitorId}`, `/api/v1/monitors/${monitor.monitorId}/pings`, `/api/v1/monitors/${monitor.monitorId}/flips`, '/api/v1/channels', '/api/v1/account/keys', '/api/v1/metrics'];
      return Promise.all(paths.map(async (p) => [p, (await request(app).get(p).set('x-api-key', main).expect(200)).text]));
    }

    test('reads what the main key reads: the same answers, by x-api-key and by Bearer', async () => {
      const paths = [
        '/api/v1/account',
        '/api/v1/monitors',
        `/api/v1/monitors/${monitor.monitorId}`,
        `/api/v1/monitors/${monitor.monitorId}/status`,
        `/api/v1/monitors/${monitor.monitorId}/pings`,
        `/api/v1/monitors/${monitor.monitorId}/flips`,
        `/api/v1/monitors/${monitor.monitorId}/notifications`,
        '/api/v1/channels',
        `/api/v1/channels/${channelId}`,
        `/api/v1/channels/${channelId}/notifications`,
        '/api/v1/metrics',
        '/api/v1/account/keys',
      ];
      for (const p of paths) {
        const byMain = await request(app).get(p).set('x-api-key', main);
        const byHeader = await request(app).get(p).set('x-api-key', reader);
        const byBearer = await request(app).get(p).set('Authorization', `Bearer ${reader}`);
        const head = await request(app).head(p).set('x-api-key', reader);
        expect([p, byMain.status]).toEqual([p, 200]);
        expect([p, byHeader.status, byHeader.text]).toEqual([p, 200, byMain.text]);
        expect([p, byBearer.status, byBearer.text]).toEqual([p, 200, byMain.text]);
        expect([p, head.status]).toEqual([p, 200]);
      }
    });

    test('the metrics a read-only key scrapes name the monitor', async () => {
      const res = await request(app).get('/api/v1/metrics').set('Authorization', `Bearer ${reader}`).expect(200);
      expect(res.text).toContain(monitor.monitorId);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
    });

    test('every write route of the API answers 403 to it before looking at the body, and nothing changes', async () => {
      const before = await everything();
      const token = pingPath(monitor.pingUrl).split('/').pop()!;
      const params = (path: string) => (name: string) => {
        if (name === 'keyId') return keyId;
        if (name === 'token') return token;
        if (name === 'id') return path.startsWith('/v1/channels') ? channelId : monitor.monitorId;
        return 'x';
      };
      const writes = routesOf(app).filter(([, m]) => WRITE_METHODS.includes(m));
      const refused: string[] = [];
      const open: string[] = [];
      for (const [path, method] of writes) {
        // A route the API key guards answers 401 without one (its placeholders filled with nothing real, so an open route changes nothing).
        const anonymous = await request(app)[method as 'post'](filled(path, () => 'x')).send({});
        if (anonymous.status !== 401) {
          open.push(`${method.toUpperCase()} ${path}`);
          continue;
        }
        const url = filled(path, params(path));
        // A body the route would take or refuse; it must not get as far as being looked at.
        const res = await request(app)[method as 'post'](url).set('x-api-key', reader).send({ name: 'changed', schedule: 60, access: 'read', bogus: true });
        expect([method.toUpperCase(), url, res.status, res.body]).toEqual([method.toUpperCase(), url, 403, READ_ONLY]);
        refused.push(`${method.toUpperCase()} ${path}`);
      }
      // The enumeration found the routes: the writes of monitors, channels, keys and the account are among the refused.
      expect(refused).toEqual(expect.arrayContaining(['POST /v1/monitors', 'PATCH /v1/monitors/:id', 'DELETE /v1/monitors/:id', 'POST /v1/monitors/:id/pause', 'POST /v1/channels', 'DELETE /v1/channels/:id', 'POST /v1/account/keys', 'DELETE /v1/account/keys/:keyId', 'POST /v1/account/rotate-key', 'DELETE /v1/account', 'PATCH /v1/account']));
      // Those that take no key: sign-up, recovery, e-mail links, sign-in links and ping URLs.
      expect(open.filter((r) => !/ \/v1\/(accounts|email|auth|ping)\b/.test(r))).toEqual([]);
      expect(await everything()).toEqual(before);
      expect(await store.getMonitor(monitor.monitorId)).toMatchObject({ name: 'Nightly backup', schedule: 3600, status: 'up' });
      await api.listMonitors(reader).expect(200);
    });

    test('by Bearer too it is refused a write', async () => {
      const res = await request(app).delete(`/api/v1/monitors/${monitor.monitorId}`).set('Authorization', `Bearer ${reader}`).expect(403);
      expect(res.body).toEqual(READ_ONLY);
      await api.monitor(main, monitor.monitorId).expect(200);
    });

    test('rotating the main key leaves read-only keys working', async () => {
      const rotated = (await request(app).post('/api/v1/account/rotate-key').set('x-api-key', main).expect(200)).body.apiKey as string;
      await api.listMonitors(main).expect(401);
      await api.listMonitors(rotated).expect(200);
      expect((await api.listMonitors(reader).expect(200)).body).toEqual((await api.listMonitors(rotated).expect(200)).body);
      expect((await listKeys(rotated).expect(200)).body.count).toBe(1);
    });

    test('deleting the account deletes its read-only keys', async () => {
      const account = (await store.findReadKeyByHash(createHash('sha256').update(reader).digest('hex')))!;
      await request(app).delete('/api/v1/account').set('x-api-key', main).expect(200);
      expect((await api.listMonitors(reader).expect(401)).body).toEqual({ error: 'Invalid API key.' });
      expect(await store.listReadKeys(account.accountId)).toEqual([]);
    });
  });

  describe('limits', () => {
    test('a read-only key’s refused writes count against its account’s management calls, and its failures against the address', async () => {
      await open({ limiter: new MemoryRateLimiter({ management: { limit: 4, windowSeconds: 60 }, failedAuth: { limit: 2, windowSeconds: 600 } }) });
      const main = await api.signup();
      const { apiKey } = await readKey(main); // call 1
      await api.listMonitors(apiKey).expect(200); // 2
      await api.createMonitorRequest(apiKey).expect(403); // 3
      await api.listMonitors(main).expect(200); // 4: the main key and the read-only key share the account's count
      await api.createMonitorRequest(apiKey).expect(429);
      await api.listMonitors(apiKey).expect(429);
      for (let i = 0; i < 2; i++) await api.listMonitors('cpr_' + '0'.repeat(32)).expect(401);
      await api.listMonitors('cpr_' + '1'.repeat(32)).expect(429);
    });
  });
});
