import request from 'supertest';
import type { Express } from 'express';
import { ConfigError, loadFunctionsConfig, type FunctionsParams } from '../../src/config';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter } from '../../src/limits';
import type { Monitor } from '../../src/domain/types';
import type { InspectableStore } from '../../src/store/inspection';
import { testDeps } from '../support/deps';
import type { FakeClock } from '../support/clock';
import { makeAccount, makeMonitor } from '../support/factories';
import { storeKinds } from '../support/stores';

/** The Firebase params as deployed with their defaults, but for the ones a test sets. */
const params = (overrides: Partial<FunctionsParams> = {}): FunctionsParams => ({
  SENDGRID_API_KEY: '',
  PUBLIC_URL: '',
  CRONPEEK_EMAIL_FROM: '',
  CRONPEEK_PAGERDUTY_URL: '',
  CRONPEEK_DEFAULT_PLAN: '',
  CRONPEEK_TRUST_PROXY: '',
  CRONPEEK_HOSTING_RANGES: '',
  ...overrides,
});

/** An address Google's front end appends for a request from Firebase Hosting (in the default ranges). */
const HOSTING_HOP = '34.96.0.17';
/** The address a caller of the function URL really has, as Google's front end appends it. */
const DIRECT_CALLER = '203.0.113.9';

/**
 * On Cloud Functions the client address is read from X-Forwarded-For as Google's front end leaves
 * it: what the caller sent, then the address that connected to the front end. In these tests the
 * request plays the front end and sends that whole header (the connection, supertest's, is the
 * platform's own proxy, always trusted).
 */
describe.each(storeKinds())('the client address on Cloud Functions, on %s', (_name, kind) => {
  let store: InspectableStore;
  let clock: FakeClock;
  let app: Express;
  let monitor: Monitor;

  beforeEach(async () => {
    store = await kind.open();
    const deps = testDeps(store, { limiter: new MemoryRateLimiter({ signup: { limit: 2, windowSeconds: 3600 } }) });
    clock = deps.fakeClock;
    app = createApp(deps, { trustProxy: loadFunctionsConfig(params(), {}).trustProxy });
    const account = makeAccount({ plan: 'pro' });
    await store.createAccount(account);
    monitor = makeMonitor({ accountId: account.id });
    await store.createMonitor(monitor, null);
  });
  afterEach(async () => {
    await store.close();
  });

  /** The address a ping with this X-Forwarded-For is recorded from. */
  async function sourceOf(forwardedFor: string | null): Promise<string | null> {
    clock.advance(1);
    const ping = request(app).get(`/api/v1/ping/${monitor.pingToken}`);
    await (forwardedFor === null ? ping : ping.set('X-Forwarded-For', forwardedFor)).expect(200);
    const newest = await store.pingHistory(monitor.id, { limit: 1, before: null, since: null });
    return newest.items[0].source;
  }

  test('a caller of the function URL is the address Google’s front end saw, whatever it wrote before it', async () => {
    expect(await sourceOf(DIRECT_CALLER)).toBe(DIRECT_CALLER);
    expect(await sourceOf(`198.51.100.1, ${DIRECT_CALLER}`)).toBe(DIRECT_CALLER);
    expect(await sourceOf(`198.51.100.1, 198.51.100.2, ${DIRECT_CALLER}`)).toBe(DIRECT_CALLER);
    // Naming a Hosting address itself does not help: the front end still appends the real one.
    expect(await sourceOf(`198.51.100.1, ${HOSTING_HOP}, ${DIRECT_CALLER}`)).toBe(DIRECT_CALLER);
  });

  test('through Hosting the client is the address Hosting forwarded; what the client wrote before it is ignored', async () => {
    expect(await sourceOf(`198.51.100.7, ${HOSTING_HOP}`)).toBe('198.51.100.7');
    expect(await sourceOf(`6.6.6.6, 198.51.100.7, ${HOSTING_HOP}`)).toBe('198.51.100.7');
    expect(await sourceOf(`2001:db8::7, ::ffff:${HOSTING_HOP}`)).toBe('2001:db8::7');
    expect(await sourceOf(`198.51.100.7, 130.211.0.9`)).toBe('198.51.100.7');
  });

  test('without X-Forwarded-For the address is the connection’s', async () => {
    expect(await sourceOf(null)).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
  });

  test('sign-ups: forged addresses get no fresh allowance, while each Hosting client has its own', async () => {
    const signup = (forwardedFor: string, n: number) =>
      request(app).post('/api/v1/accounts').set('X-Forwarded-For', forwardedFor).send({ email: `client-address-${n}-${Date.now()}@example.com` });
    const direct = [];
    for (let i = 1; i <= 3; i++) direct.push((await signup(`198.51.100.${i}, ${DIRECT_CALLER}`, i)).status);
    expect(direct).toEqual([201, 201, 429]);
    const throughHosting = [];
    for (let i = 1; i <= 3; i++) throughHosting.push((await signup(`192.0.2.${i}, ${HOSTING_HOP}`, 10 + i)).status);
    expect(throughHosting).toEqual([201, 201, 201]);
  });
});

describe('the client address settings of the functions', () => {
  const trustOf = (overrides: Partial<FunctionsParams>) => loadFunctionsConfig(params(overrides), {}).trustProxy as (address: string, hop: number) => boolean;

  test('the connection is always the platform’s; beyond it only one hop, and only from the Hosting ranges', () => {
    const trust = trustOf({});
    expect(trust('169.254.1.1', 0)).toBe(true);
    expect([trust(HOSTING_HOP, 1), trust('34.127.200.1', 1), trust('35.191.3.4', 1), trust('130.211.1.2', 1)]).toEqual([true, true, true, true]);
    expect([trust(DIRECT_CALLER, 1), trust('34.96.16.1', 1), trust('130.211.4.1', 1), trust('not an address', 1)]).toEqual([false, false, false, false]);
    expect(trust(HOSTING_HOP, 2)).toBe(false);
  });

  test('CRONPEEK_HOSTING_RANGES replaces the ranges; a malformed one is a ConfigError naming it', () => {
    const trust = trustOf({ CRONPEEK_HOSTING_RANGES: '192.0.2.0/24, 2001:db8::/32, 198.51.100.4' });
    expect([trust('192.0.2.200', 1), trust('2001:db8::1', 1), trust('198.51.100.4', 1), trust(HOSTING_HOP, 1)]).toEqual([true, true, true, false]);
    for (const bad of ['34.96.0.0/33', 'hosting.example', '34.96.0.0/20/1', '2001:db8::/129', '34.96.0.0/']) {
      expect(() => loadFunctionsConfig(params({ CRONPEEK_HOSTING_RANGES: bad }), {})).toThrow(ConfigError);
      expect(() => loadFunctionsConfig(params({ CRONPEEK_HOSTING_RANGES: bad }), {})).toThrow('CRONPEEK_HOSTING_RANGES');
    }
  });

  test('a number of hops or a list of proxies can still be set for a function behind a proxy of its own', () => {
    expect(loadFunctionsConfig(params({ CRONPEEK_TRUST_PROXY: '1' }), {}).trustProxy).toBe(1);
    expect(loadFunctionsConfig(params({ CRONPEEK_TRUST_PROXY: '10.0.0.0/8' }), {}).trustProxy).toEqual(['10.0.0.0/8']);
  });
});
