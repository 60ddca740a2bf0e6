import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { addressKey, limitGuard } from '../../src/http/limits';
import { handlePing, withPingFastPath } from '../../src/http/ping';
import { MemoryRateLimiter, type Rules } from '../../src/limits';
import { AppError, ErrorCode } from '../../src/domain/errors';
import type { Monitor } from '../../src/domain/types';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { makeAccount, makeMonitor } from '../support/factories';
import { sqliteKind, storeKinds } from '../support/stores';

/** A well-formed ping token that no monitor has: `n` makes each one different. */
const madeUpToken = (n: number) => `madeup${String(n).padStart(18, '0')}`;

const from = (address: string) => ({ 'X-Forwarded-For': address });

async function monitorIn(store: Store): Promise<Monitor> {
  const account = makeAccount({ plan: 'pro' });
  await store.createAccount(account);
  const monitor = makeMonitor({ accountId: account.id });
  await store.createMonitor(monitor, null);
  return monitor;
}

describe.each(storeKinds())('pings to unknown tokens on %s', (_name, kind) => {
  let store: Store;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(() => store.close());

  test('are counted per client address; past the limit every ping from that address is refused until the window ends', async () => {
    const deps = testDeps(store, { limiter: new MemoryRateLimiter({ unknownPing: { limit: 3, windowSeconds: 60 }, ping: { limit: 100, windowSeconds: 60 } }) });
    const app = createApp(deps, { trustProxy: 1 });
    const monitor = await monitorIn(store);
    for (let i = 0; i < 3; i++) await request(app).get(`/api/v1/ping/${madeUpToken(i)}`).set(from('203.0.113.5')).expect(404);

    const refused = await request(app).get(`/api/v1/ping/${madeUpToken(3)}`).set(from('203.0.113.5')).expect(429);
    expect(refused.body).toEqual({ error: expect.stringMatching(/^Too many pings to unknown ping URLs from this address\. Try again in \d+ s\.$/) });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await request(app).post(`/api/v1/ping/${monitor.pingToken}/fail`).set(from('203.0.113.5')).send('x').expect(429);
    expect((await store.getMonitor(monitor.id))!.pingCount).toBe(0);

    await request(app).get(`/api/v1/ping/${monitor.pingToken}`).set(from('203.0.113.6')).expect(200);
    await request(app).get(`/api/v1/ping/${madeUpToken(4)}`).set(from('203.0.113.6')).expect(404);
    deps.fakeClock.advance(60);
    await request(app).get(`/api/v1/ping/${monitor.pingToken}`).set(from('203.0.113.5')).expect(200);
  });
});

describe('the embedded ping fast path', () => {
  let store: Store;
  let server: http.Server;
  beforeEach(async () => {
    store = await sqliteKind.open();
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  test('counts pings to unknown tokens per client address too, an IPv6 client by its /64', async () => {
    const deps = testDeps(store, { limiter: new MemoryRateLimiter({ unknownPing: { limit: 2, windowSeconds: 60 } }) });
    server = http.createServer(withPingFastPath(deps, createApp(deps, { trustProxy: 1 })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const monitor = await monitorIn(store);
    const ping = async (token: string, address: string) => (await fetch(`${base}/api/v1/ping/${token}`, { headers: from(address) })).status;

    expect(await ping(madeUpToken(1), '2001:db8:7:1::10')).toBe(404);
    expect(await ping(madeUpToken(2), '2001:db8:7:1:ffff::20')).toBe(404);
    expect(await ping(monitor.pingToken, '2001:db8:7:1::30')).toBe(429);
    expect(await ping(monitor.pingToken, '2001:db8:7:2::10')).toBe(200);
  });
});

describe('a flood of made-up ping tokens', () => {
  let store: Store;
  beforeEach(async () => {
    store = await sqliteKind.open();
  });
  afterEach(() => store.close());

  test('110,000 of them leave a locked-out address locked out and the recovery e-mails of an address at their limit', async () => {
    const rules: Rules = {
      failedAuth: { limit: 3, windowSeconds: 600 },
      recoveryByEmail: { limit: 3, windowSeconds: 3600 },
      ping: { limit: 100, windowSeconds: 60 },
      unknownPing: { limit: 100, windowSeconds: 60 },
    };
    const deps = testDeps(store, { limiter: new MemoryRateLimiter(rules) });
    const app = createApp(deps, { trustProxy: 1 });
    const key = (await request(app).post('/api/v1/accounts').send({ email: 'victim@example.com' }).expect(201)).body.apiKey as string;
    for (let i = 0; i < 3; i++) await request(app).get('/api/v1/monitors').set(from('203.0.113.66')).set('x-api-key', `cpk_${'0'.repeat(32)}`).expect(401);
    await request(app).get('/api/v1/monitors').set(from('203.0.113.66')).set('x-api-key', key).expect(429);
    for (let i = 0; i < 3; i++) await request(app).post('/api/v1/accounts/recover').send({ email: 'victim@example.com' }).expect(202);

    // The flood, through the same handler as the ping routes (HTTP would add minutes, nothing else):
    // 1,100 addresses, each staying within its unknown-token limit.
    const limits = limitGuard(deps);
    const outcomes = new Set<string>();
    for (let n = 0; n < 110_000; n++) {
      const address = `10.0.${(n % 1100) >> 8}.${(n % 1100) & 255}`;
      const outcome = await handlePing(deps, limits, { token: madeUpToken(n), method: 'GET', source: address, userAgent: null, body: null, signal: undefined, rid: undefined })
        .then(() => 'recorded', (err: AppError) => err.code);
      outcomes.add(outcome);
    }

    await request(app).get('/api/v1/monitors').set(from('203.0.113.66')).set('x-api-key', key).expect(429);
    await request(app).post('/api/v1/accounts/recover').send({ email: 'victim@example.com' }).expect(429);
    await request(app).get('/api/v1/monitors').set(from('203.0.113.67')).set('x-api-key', key).expect(200);
    // Each address stayed within its limit, so every made-up token was a 404: once the ping table
    // was full, the rest went through uncounted (a real job's ping is never refused for a full table).
    expect([...outcomes]).toEqual([ErrorCode.NotFound]);
    // The table is still full of live counters, and a real monitor's first ping goes through.
    const monitor = (await request(app).post('/api/v1/monitors').set('x-api-key', key).send({ name: 'nightly backup', schedule: 86400 }).expect(201)).body;
    const token = String(monitor.pingUrl).split('/').pop()!;
    const recorded = await handlePing(deps, limits, { token, method: 'GET', source: '198.51.100.20', userAgent: null, body: null, signal: undefined, rid: undefined });
    expect(recorded).toMatchObject({ ok: true });
  }, 120_000);
});

describe('IPv6 clients are counted by /64', () => {
  test.each([
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0:0:0:1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['192.0.2.1', '192.0.2.1'],
    ['', 'unknown'],
  ])('%s is counted as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  test('sign-ups from one /64 share its limit; the next /64 has its own', async () => {
    const store = await sqliteKind.open();
    try {
      const app = createApp(testDeps(store, { limiter: new MemoryRateLimiter({ signup: { limit: 2, windowSeconds: 3600 } }) }), { trustProxy: 1 });
      let n = 0;
      const signup = (address: string) => request(app).post('/api/v1/accounts').set(from(address)).send({ email: `v6-${++n}@example.com` });
      await signup('2001:db8:1:2::1').expect(201);
      await signup('2001:db8:1:2::abcd').expect(201);
      await signup('2001:db8:1:2:ffff:ffff:ffff:ffff').expect(429);
      await signup('2001:db8:1:3::1').expect(201);
    } finally {
      await store.close();
    }
  });
});
