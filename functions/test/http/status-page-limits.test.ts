import request from 'supertest';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter } from '../../src/limits';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { makeAccount } from '../support/factories';
import { sqliteKind } from '../support/stores';

/** Public status pages need no key, so their views are limited per client address. */
describe('status page views are limited per client address', () => {
  let store: Store;
  beforeEach(async () => {
    store = await sqliteKind.open();
  });
  afterEach(() => store.close());

  test('past the limit a client gets 429 with Retry-After, on the page and its JSON alike; another client does not', async () => {
    const account = makeAccount();
    await store.createAccount(account);
    const page = { id: 'sp_0123456789abcdef', accountId: account.id, slug: 'acme', title: 'Acme', description: null, monitors: [], createdAt: new Date() };
    expect(await store.createStatusPage(page, 1)).toBe('created');
    const app = createApp(testDeps(store, { limiter: new MemoryRateLimiter({ statusPage: { limit: 2, windowSeconds: 60 } }) }), { trustProxy: true });
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    expect((await request(app).get('/status/acme').set(from('203.0.113.7'))).status).toBe(200);
    expect((await request(app).get('/status/acme.json').set(from('203.0.113.7'))).status).toBe(200);
    const refused = await request(app).get('/status/acme.json').set(from('203.0.113.7'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await request(app).get('/status/acme').set(from('203.0.113.7'))).status).toBe(429);
    expect((await request(app).get('/status/acme').set(from('198.51.100.4'))).status).toBe(200);
  });
});
