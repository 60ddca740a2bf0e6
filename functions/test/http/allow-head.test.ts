import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { loadSpec, operationsOf, resolve } from '../support/openapi';
import { sqliteKind } from '../support/stores';

const methodsOf = (allow: string | undefined) => (allow ?? '').split(',').map((m) => m.trim()).filter(Boolean);

/**
 * Every path that answers GET answers HEAD too (Express runs the GET handler without the body).
 * A 405's `Allow` names every method the path answers, so it lists HEAD there, and the
 * description documents HEAD as an operation of each such path.
 */
describe('HEAD wherever GET is answered', () => {
  let store: Store;
  let app: Express;
  let key: string;
  let id: string;
  let token: string;
  let badgeKey: string;

  beforeEach(async () => {
    store = await sqliteKind.open();
    app = createApp(testDeps(store));
    key = (await request(app).post('/api/v1/accounts').send({ email: 'head@example.com' }).expect(201)).body.apiKey;
    const created = await request(app).post('/api/v1/monitors').set('x-api-key', key).send({ name: 'Nightly', schedule: 3600 }).expect(201);
    id = created.body.monitorId;
    token = String(created.body.pingUrl).split('/').pop()!;
    badgeKey = /badge\/([0-9a-f]{32})\.svg$/.exec((await request(app).get(`/api/v1/monitors/${id}`).set('x-api-key', key)).body.badgeUrl)![1];
  });
  afterEach(async () => {
    await store.close();
  });

  const withGet = () => [
    '/api/health',
    '/api/v1/account',
    '/api/v1/monitors',
    `/api/v1/monitors/${id}`,
    `/api/v1/monitors/${id}/status`,
    `/api/v1/monitors/${id}/pings`,
    `/api/v1/monitors/${id}/flips`,
    `/api/v1/ping/${token}`,
    `/api/v1/ping/${token}/start`,
    `/api/v1/badge/${badgeKey}.svg`,
    `/api/v1/badge/${badgeKey}.json`,
  ];

  test('each path that answers GET answers HEAD with the same status and no body, and its 405 lists HEAD in Allow', async () => {
    for (const p of withGet()) {
      const get = await request(app).get(p).set('x-api-key', key);
      const head = await request(app).head(p).set('x-api-key', key);
      expect([p, head.status, head.text ?? '']).toEqual([p, get.status, '']);
      const refused = await request(app).put(p).set('x-api-key', key).expect(405);
      const allow = methodsOf(refused.headers.allow);
      expect([p, allow.includes('GET'), allow.includes('HEAD')]).toEqual([p, true, true]);
      expect(refused.body.error).toContain('HEAD');
    }
  });

  test('a path without GET does not list HEAD, and refuses it with 405', async () => {
    const postOnly = ['/api/v1/accounts', '/api/v1/account/rotate-key', '/api/v1/accounts/recover', '/api/v1/accounts/recover/confirm', `/api/v1/monitors/${id}/pause`, `/api/v1/monitors/${id}/resume`, `/api/v1/monitors/${id}/acknowledge`];
    for (const p of postOnly) {
      const refused = await request(app).head(p).set('x-api-key', key);
      expect([p, refused.status, methodsOf(refused.headers.allow)]).toEqual([p, 405, ['POST']]);
    }
  });

  test('the exact Allow of each path: its routed methods in order, then HEAD after them where GET is one', async () => {
    const allowOf = async (p: string) => (await request(app).put(p).set('x-api-key', key).expect(405)).headers.allow;
    expect(await allowOf('/api/v1/account')).toBe('GET, PATCH, DELETE, HEAD');
    expect(await allowOf('/api/v1/monitors')).toBe('GET, POST, HEAD');
    expect(await allowOf(`/api/v1/monitors/${id}`)).toBe('GET, PATCH, DELETE, HEAD');
    expect(await allowOf(`/api/v1/monitors/${id}/pings`)).toBe('GET, HEAD');
    expect(await allowOf(`/api/v1/ping/${token}`)).toBe('GET, POST, HEAD');
    expect(await allowOf('/api/health')).toBe('GET, HEAD');
  });

  test('the description documents HEAD on every path that documents GET, with a status for each of GET’s and no body', () => {
    const spec = loadSpec();
    const missing: string[] = [];
    for (const [specPath, item] of Object.entries(spec.paths)) {
      if (!item.get) continue;
      if (!item.head) {
        missing.push(`HEAD ${specPath}`);
        continue;
      }
      const getStatuses = Object.keys(item.get.responses).sort();
      expect([specPath, Object.keys(item.head.responses).sort()]).toEqual([specPath, getStatuses]);
      expect([specPath, item.head.security]).toEqual([specPath, item.get.security]);
      for (const [status, r] of Object.entries(item.head.responses)) {
        expect([specPath, status, Object.keys(resolve(spec, r).content ?? {})]).toEqual([specPath, status, []]);
      }
    }
    expect(missing).toEqual([]);
    expect(operationsOf(spec.paths['/api/v1/monitors']).map(([m]) => m)).toContain('head');
  });
});
