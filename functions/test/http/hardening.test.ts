import request from 'supertest';
import path from 'node:path';
import fs from 'node:fs';
import { createApp } from '../../src/http/app';
import { API_CSP, PAGE_CSP } from '../../src/http/headers';
import { REPO_DIR } from '../../src/config';
import type { Store } from '../../src/store/port';
import { capturingLogger, type LogLine } from '../notify/support/logger';
import { testDeps } from '../support/deps';
import { ApiClient, pingPath } from '../support/http-client';
import { sqliteKind } from '../support/stores';

describe('HTTP hardening', () => {
  let store: Store;
  let lines: LogLine[];
  let app: ReturnType<typeof createApp>;
  let api: ApiClient;

  beforeEach(async () => {
    store = await sqliteKind.open();
    const log = capturingLogger();
    lines = log.lines;
    app = createApp(testDeps(store, { log }), { staticDir: path.join(REPO_DIR, 'public') });
    api = new ApiClient(app);
  });
  afterEach(async () => {
    await store.close();
  });

  describe('a malformed escape in the path is a 400 JSON error, not logged', () => {
    test.each([
      ['GET', '/api/v1/ping/%E0%A4%A'],
      ['POST', '/api/v1/ping/%E0%A4%A'],
      ['HEAD', '/api/v1/ping/%ff'],
      ['GET', '/api/v1/monitors/%ff/status'],
      ['DELETE', '/api/v1/monitors/%ff'],
      ['PUT', '/api/v1/monitors/%ff'],
      ['GET', '/v1/monitors/%E0%A4%A/status'],
    ])('%s %s', async (method, url) => {
      const res = await request(app)[method.toLowerCase() as 'get'](url).set('x-api-key', 'cpk_' + '0'.repeat(32));
      expect(res.status).toBe(400);
      if (method !== 'HEAD') {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual({ error: 'Malformed percent-encoding in the URL.' });
      }
      expect(lines).toEqual([]);
    });
  });

  test('a malformed escape outside the API is a 404 JSON error, not logged', async () => {
    const res = await request(app).get('/%ff').expect(404);
    expect(res.body).toEqual({ error: 'No route for GET /%ff.' });
    expect(lines).toEqual([]);
  });

  test('an unexpected exception is a 500 with a JSON error and no stack', async () => {
    const key = await api.signup();
    await store.close(); // every query now throws from inside the driver
    const res = await request(app).get('/api/v1/monitors').set('x-api-key', key).expect(500);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'Internal server error. Try again or contact support.' });
    expect(res.text).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+|sqlite/i);
    expect(lines.map((l) => [l.level, l.message])).toEqual([['error', 'unhandled error']]);
  });

  describe('headers', () => {
    test('API answers: nosniff, no framing, no content, never cached', async () => {
      const res = await request(app).post('/api/v1/accounts').send({ email: 'headers@example.com' }).expect(201);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'content-security-policy': API_CSP,
        'cache-control': 'no-store',
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    test.each(['/api/v1/monitors', '/api/health', '/api/v1/nowhere'])('%s is never cached, errors included', async (url) => {
      const res = await request(app).get(url);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    test('a monitor with its webhook secret is never cached', async () => {
      const key = await api.signup();
      const res = await request(app).post('/api/v1/monitors').set('x-api-key', key).send({ name: 'n', schedule: 60 }).expect(201);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    test.each(['/', '/index.html', '/dashboard.html', '/dashboard'])('page %s forbids framing and foreign scripts', async (url) => {
      const res = await request(app).get(url).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers).toMatchObject({ 'content-security-policy': PAGE_CSP, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
      expect(PAGE_CSP).toContain("frame-ancestors 'none'");
      expect(res.headers['cache-control']).not.toBe('no-store');
    });

    test('Firebase Hosting sends the same page headers as the embedded server', () => {
      const firebase = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'firebase.json'), 'utf8'));
      const rules: Array<{ source: string; headers: Array<{ key: string; value: string }> }> = firebase.hosting.headers;
      for (const source of ['/', '**/*.html', '/dashboard']) {
        const rule = rules.find((r) => r.source === source);
        expect(Object.fromEntries(rule!.headers.map((h) => [h.key, h.value]))).toEqual({
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'X-Frame-Options': 'DENY',
          'Content-Security-Policy': PAGE_CSP,
        });
      }
      const all = rules.find((r) => r.source === '**');
      expect(all!.headers).toContainEqual({ key: 'X-Content-Type-Options', value: 'nosniff' });
      // `/dashboard` without `.html` (issue 23): Hosting rewrites it as the embedded server finds it.
      expect(firebase.hosting.rewrites).toContainEqual({ source: '/dashboard', destination: '/dashboard.html' });
    });

    test('/dashboard is the dashboard page itself, not a redirect', async () => {
      const bare = await request(app).get('/dashboard').expect(200);
      const full = await request(app).get('/dashboard.html').expect(200);
      expect(bare.text).toBe(full.text);
      expect(bare.text).toContain('<title>');
    });
  });

  describe('CORS', () => {
    let lastMonitorId = '';
    async function pingUrl(): Promise<string> {
      const m = await api.createMonitor(await api.signup(), { name: 'n', schedule: 60 });
      lastMonitorId = m.monitorId;
      return pingPath(m.pingUrl);
    }

    test('a ping answers any origin', async () => {
      const res = await request(app).get(await pingUrl()).set('Origin', 'https://jobs.example.org').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    test('an unknown ping token still carries the CORS header, so a browser can read the 404', async () => {
      const res = await request(app).post('/api/v1/ping/nope').set('Origin', 'https://x.example').expect(404);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    test('a preflight for a ping is answered with the ping methods, and records nothing', async () => {
      const url = await pingUrl();
      const res = await request(app)
        .options(url)
        .set('Origin', 'https://jobs.example.org')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type')
        .expect(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, HEAD, POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '86400',
      });
      expect(await store.getMonitor(lastMonitorId)).toMatchObject({ pingCount: 0, status: 'new' });
    });

    test('management routes do not open themselves to other origins', async () => {
      const res = await request(app).get('/api/v1/monitors').set('Origin', 'https://evil.example');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const pre = await request(app).options('/api/v1/monitors').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
