import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { REPO_DIR } from '../../src/config';
import { createApp } from '../../src/http/app';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { loadSpec, operationsOf, resolve } from '../support/openapi';
import { sqliteKind } from '../support/stores';

/**
 * API answers are `no-store`: they carry no validator (`ETag`) and a conditional request never
 * turns one into a `304 Not Modified`, which a client or proxy could mistake for "use what you
 * cached". Static files (the docs page, the dashboard) keep theirs.
 */
describe('API answers carry no validator and are never 304', () => {
  let store: Store;
  let app: Express;

  beforeEach(async () => {
    store = await sqliteKind.open();
    app = createApp(testDeps(store), { staticDir: path.join(REPO_DIR, 'public') });
  });
  afterEach(async () => {
    await store.close();
  });

  async function ownMonitor() {
    const key = (await request(app).post('/api/v1/accounts').send({ email: 'etag@example.com' }).expect(201)).body.apiKey as string;
    const created = await request(app).post('/api/v1/monitors').set('x-api-key', key).send({ name: 'Nightly', schedule: 3600 }).expect(201);
    const status = await request(app).get(`/api/v1/monitors/${created.body.monitorId}`).set('x-api-key', key).expect(200);
    return { key, id: created.body.monitorId as string, pingPath: new URL(created.body.pingUrl).pathname, badgePath: new URL(status.body.badgeUrl).pathname };
  }

  test('the GET answers of the API have no ETag, and If-None-Match still gets the whole answer', async () => {
    const { key, id } = await ownMonitor();
    const paths = ['/api/health', '/api/v1/account', '/api/v1/monitors', `/api/v1/monitors/${id}`, `/api/v1/monitors/${id}/status`, `/api/v1/monitors/${id}/pings`, `/api/v1/monitors/${id}/flips`];
    for (const p of paths) {
      const plain = await request(app).get(p).set('x-api-key', key).expect(200);
      expect([p, plain.headers.etag]).toEqual([p, undefined]);
      for (const condition of ['*', 'W/"anything"', '"anything"']) {
        const conditional = await request(app).get(p).set('x-api-key', key).set('If-None-Match', condition);
        expect([p, condition, conditional.status, conditional.headers['cache-control']]).toEqual([p, condition, 200, 'no-store']);
        expect(conditional.body).toEqual(expect.any(Object));
        expect(conditional.text.length).toBeGreaterThan(0);
      }
    }
  });

  test('a GET ping through the Express route has no ETag, and a repeated one with If-None-Match is recorded and answered 200 with its body', async () => {
    const { pingPath, id } = await ownMonitor();
    const first = await request(app).get(pingPath).expect(200);
    expect(first.headers.etag).toBeUndefined();
    const again = await request(app).get(pingPath).set('If-None-Match', '*').expect(200);
    expect(again.body).toEqual({ ok: true, monitor: 'Nightly', status: 'up' });
    expect(again.headers.etag).toBeUndefined();
    expect((await store.getMonitor(id))!.pingCount).toBe(2);
  });

  test('badges carry no ETag either (their description documents no 304); caches keep them by max-age alone', async () => {
    const { badgePath } = await ownMonitor();
    for (const p of [badgePath, badgePath.replace(/\.svg$/, '.json')]) {
      const plain = await request(app).get(p).expect(200);
      expect(plain.headers.etag).toBeUndefined();
      expect(plain.headers['cache-control']).toBe('public, max-age=60');
      expect((await request(app).get(p).set('If-None-Match', '*')).status).toBe(200);
    }
  });

  test('the description documents no ETag and no 304 on any operation', () => {
    const spec = loadSpec();
    const found: string[] = [];
    for (const [specPath, item] of Object.entries(spec.paths)) {
      for (const [method, op] of operationsOf(item)) {
        for (const [status, r] of Object.entries(op.responses)) {
          if (status === '304') found.push(`${method} ${specPath} 304`);
          const headers = Object.keys(resolve(spec, r).headers ?? {}).map((h) => h.toLowerCase());
          if (headers.includes('etag')) found.push(`${method} ${specPath} ${status} ETag`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  test('static files keep their validators: the docs page answers 304 to its own ETag', async () => {
    const page = await request(app).get('/').expect(200);
    expect(page.headers.etag).toEqual(expect.any(String));
    await request(app).get('/').set('If-None-Match', page.headers.etag).expect(304);
  });
});
