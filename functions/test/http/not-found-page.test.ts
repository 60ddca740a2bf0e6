import path from 'node:path';
import request from 'supertest';
import { REPO_DIR } from '../../src/config';
import { createApp } from '../../src/http/app';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { sqliteKind } from '../support/stores';

/** The embedded server answers a missing page as Hosting does (404.html), and the API keeps its JSON 404. */
describe('pages that do not exist', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  beforeEach(async () => {
    store = await sqliteKind.open();
    app = createApp(testDeps(store), { staticDir: path.join(REPO_DIR, 'public') });
  });
  afterEach(() => store.close());

  test('a browser asking for a missing page gets 404.html with a 404 and the page policy', async () => {
    const res = await request(app).get('/no-such-page').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<title>Page not found · CronPeek</title>');
    expect(res.headers['content-security-policy']).not.toBe(undefined);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test.each([
    ['an API path, even from a browser', '/api/v1/no-such-route', 'text/html'],
    ['the function-style API path', '/v1/no-such-route', 'text/html'],
    ['a client that does not ask for HTML', '/no-such-page', '*/*'],
    ['a client that asks for JSON', '/no-such-page', 'application/json'],
  ])('%s gets the JSON 404', async (_name, url, accept) => {
    const res = await request(app).get(url).set('Accept', accept);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: expect.stringMatching(/^No route for GET /) });
  });

  test('a POST to a missing page is the JSON 404 whatever it accepts', async () => {
    const res = await request(app).post('/no-such-page').set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});
