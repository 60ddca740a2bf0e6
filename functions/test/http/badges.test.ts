import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { Store } from '../../src/store/port';
import { testDeps, TEST_PUBLIC_URL } from '../support/deps';
import { ApiClient } from '../support/http-client';
import { storeKinds } from '../support/stores';

describe.each(storeKinds())('status badges on %s', (_name, kind) => {
  let store: Store;
  let app: Express;
  let api: ApiClient;

  beforeEach(async () => {
    store = await kind.open();
    app = createApp(testDeps(store));
    api = new ApiClient(app);
  });
  afterEach(async () => {
    await store.close();
  });

  async function monitor(name = 'Nightly <DB> & "Backup"') {
    const apiKey = await api.signup();
    const created = await api.createMonitor(apiKey, { name });
    const status = await api.status(apiKey, created.monitorId).expect(200);
    const badgeUrl = status.body.badgeUrl as string;
    return { apiKey, pingUrl: created.pingUrl, badgeUrl, badgePath: new URL(badgeUrl).pathname };
  }
  const pathOf = (url: string) => new URL(url).pathname;

  test('the status answer carries a badge URL with its own key, not the ping token', async () => {
    const m = await monitor();
    expect(m.badgeUrl).toMatch(new RegExp(`^${TEST_PUBLIC_URL}/api/v1/badge/[0-9a-f]{32}\\.svg$`));
    expect(m.badgeUrl).not.toContain(m.pingUrl.split('/').pop());
  });

  test('the SVG shows the name (escaped) and the status, grey while new, green once up, red when down', async () => {
    const m = await monitor();
    const fresh = await request(app).get(m.badgePath).expect(200);
    expect(fresh.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const svg = fresh.body instanceof Buffer ? fresh.body.toString('utf8') : String(fresh.text);
    expect(svg).toContain('<title>Nightly &lt;DB&gt; &amp; &quot;Backup&quot;: new</title>');
    expect(svg).toContain('fill="#9f9f9f"');
    expect(svg).not.toContain('<DB>');

    await request(app).get(pathOf(m.pingUrl)).expect(200);
    const up = await request(app).get(m.badgePath).buffer(true).parse((res, cb) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => cb(null, text));
    });
    expect(up.body).toContain(': up</title>');
    expect(up.body).toContain('fill="#4c1"');

    await request(app).get(`${pathOf(m.pingUrl)}/fail`).expect(200);
    const down = await request(app).get(m.badgePath.replace(/\.svg$/, '.json')).expect(200);
    expect(down.body).toEqual({ schemaVersion: 1, label: 'Nightly <DB> & "Backup"', message: 'down', color: 'red', cacheSeconds: 60 });
  });

  test('the shields.io endpoint answers JSON; both forms are cacheable for a minute and open to any origin', async () => {
    const m = await monitor('api');
    for (const path of [m.badgePath, m.badgePath.replace(/\.svg$/, '.json')]) {
      const res = await request(app).get(path).set('Origin', 'https://github.com').expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=60');
      expect(res.headers['access-control-allow-origin']).toBe('*');
    }
    const json = await request(app).get(m.badgePath.replace(/\.svg$/, '.json')).expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.body).toMatchObject({ schemaVersion: 1, label: 'api', message: 'new', color: 'lightgrey' });
    const preflight = await request(app).options(m.badgePath).set('Origin', 'https://x.example').expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
  });

  test('long names are cut to 40 characters', async () => {
    const m = await monitor('x'.repeat(100));
    const res = await request(app).get(m.badgePath.replace(/\.svg$/, '.json')).expect(200);
    expect(res.body.label).toBe(`${'x'.repeat(39)}…`);
  });

  test('an unknown or malformed key, a ping token, or another extension is a 404 JSON error, not cached', async () => {
    const m = await monitor();
    const token = m.pingUrl.split('/').pop() as string;
    for (const path of ['/api/v1/badge/0123456789abcdef0123456789abcdef.svg', '/api/v1/badge/nope.json', `/api/v1/badge/${token}.svg`, `${m.badgePath}.svg`]) {
      const res = await request(app).get(path).expect(404);
      expect(res.body).toEqual({ error: 'Badge not found.' });
      expect(res.headers['cache-control']).toBe('no-store');
    }
    for (const path of [m.badgePath.replace(/\.svg$/, '.png'), '/api/v1/badge/.svg', m.badgePath.replace(/\.svg$/, '')]) {
      const res = await request(app).get(path).expect(404);
      expect(res.body).toEqual({ error: expect.any(String) });
    }
  });

  test('badges are read-only: other methods are refused with 405', async () => {
    const m = await monitor();
    const res = await request(app).post(m.badgePath).send({}).expect(405);
    expect(res.body).toEqual({ error: expect.any(String) });
  });
});
