import request from 'supertest';
import type { Express } from 'express';
import { CHANNEL_KINDS } from '../../src/domain/channels';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter, type Rules } from '../../src/limits';
import { INVALID_RECOVERY, RECOVERY_REQUESTED } from '../../src/services/recovery';
import type { Store } from '../../src/store/port';
import type { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient } from '../support/http-client';
import { storeKinds } from '../support/stores';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { capturingLogger, type LogLine } from '../notify/support/logger';

const KEY_PATTERN = /^cpk_[0-9a-f]{32}$/;

interface SendGridBody {
  personalizations: Array<{ to: Array<{ email: string }> }>;
  subject: string;
  content: Array<{ type: string; value: string }>;
}

/** The token as the e-mail shows it: on a line of its own. */
function tokenIn(text: string): string {
  const match = /^([A-Za-z0-9_-]{43})$/m.exec(text);
  if (!match) throw new Error(`no recovery token in:\n${text}`);
  return match[1];
}

describe.each(storeKinds())('account API on %s', (_name, kind) => {
  let store: Store;
  let app: Express;
  let clock: FakeClock;
  let api: ApiClient;
  let sendgrid: FakeHttp;
  let log: ReturnType<typeof capturingLogger>;

  beforeEach(async () => {
    store = await kind.open();
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
    log = capturingLogger();
    const deps = testDeps(store, { log, notify: { sendgridApiKey: 'SG.test-key', sendgridApiUrl: sendgrid.origin } });
    clock = deps.fakeClock;
    app = createApp(deps);
    api = new ApiClient(app);
  });
  afterEach(async () => {
    await sendgrid.close();
    await store.close();
  });

  /** Asks for a token and returns it as the e-mail that SendGrid received shows it. */
  async function recoveryToken(email: string): Promise<string> {
    const before = sendgrid.requests.length;
    await request(app).post('/api/v1/accounts/recover').send({ email }).expect(202);
    const [received] = (await sendgrid.waitForRequests(before + 1)).slice(before);
    const body = JSON.parse(received.body) as SendGridBody;
    expect(body.personalizations[0].to).toEqual([{ email }]);
    return tokenIn(body.content[0].value);
  }
  const confirm = (email: string, token: string) => request(app).post('/api/v1/accounts/recover/confirm').send({ email, token });

  describe('GET /account', () => {
    test('shows the e-mail, plan, usage, history, channels and creation time', async () => {
      const key = await api.signup('dev@company.com');
      await api.createMonitor(key);
      await api.createMonitor(key);
      const res = await request(app).get('/api/v1/account').set('x-api-key', key).expect(200);
      expect(res.body).toEqual({
        email: 'dev@company.com',
        // Confirmation is off in these tests (testDeps), so the address counts as confirmed.
        emailConfirmed: true,
        emailStatus: 'confirmed',
        plan: 'free',
        monitorsUsed: 2,
        monitorsAllowed: 5,
        historyDays: 7,
        channels: ['email'],
        createdAt: clock.now().toISOString(),
        defaults: { remindEvery: null },
        hasPingKey: false,
      });
    });

    test('on the pro plan monitors and history are unlimited and every channel allowed', async () => {
      const pro = createApp(testDeps(store, { plan: 'pro' }));
      const key = await new ApiClient(pro).signup('pro@company.com');
      const res = await request(pro).get('/api/v1/account').set('x-api-key', key).expect(200);
      expect(res.body).toMatchObject({ plan: 'pro', monitorsUsed: 0, monitorsAllowed: null, historyDays: null, channels: CHANNEL_KINDS });
    });

    test('without a key it is 401', async () => {
      expect((await request(app).get('/api/v1/account').expect(401)).body).toEqual({ error: 'Missing API key. Send it in the x-api-key header.' });
    });

    test('other methods are 405 with Allow', async () => {
      const res = await request(app).post('/api/v1/account').expect(405);
      expect(res.headers.allow).toBe('GET, PATCH, DELETE, HEAD');
    });
  });

  describe('Authorization: Bearer', () => {
    test('a bearer key works wherever x-api-key does', async () => {
      const key = await api.signup();
      await request(app).post('/api/v1/monitors').set('Authorization', `Bearer ${key}`).send({ name: 'job', schedule: 60 }).expect(201);
      expect((await request(app).get('/api/v1/monitors').set('Authorization', `bearer ${key}`).expect(200)).body.count).toBe(1);
      await request(app).get('/api/v1/account').set('Authorization', `Bearer ${key}`).expect(200);
    });

    test('the same key in both headers is accepted', async () => {
      const key = await api.signup();
      await api.listMonitors(key).set('Authorization', `Bearer ${key}`).expect(200);
    });

    test('different keys in the two headers are 401, even when one is valid', async () => {
      const key = await api.signup();
      const other = await api.signup();
      const res = await api.listMonitors(key).set('Authorization', `Bearer ${other}`).expect(401);
      expect(res.body).toEqual({ error: 'The x-api-key and Authorization headers carry different keys. Send one of them.' });
    });

    test.each([['no key', 'Bearer'], ['two words', 'Bearer cpk_a cpk_b']])('a Bearer header with %s is 401, even beside a valid x-api-key', async (_what, value) => {
      const key = await api.signup();
      const res = await api.listMonitors(key).set('Authorization', value).expect(401);
      expect(res.body).toEqual({ error: 'Malformed Authorization header. Send "Authorization: Bearer <API key>".' });
    });

    test.each([['another scheme', 'Basic dXNlcjpwYXNz'], ['an empty value', '']])(
      'an Authorization header with %s is 401 on its own',
      async (_what, value) => {
        const res = await request(app).get('/api/v1/monitors').set('Authorization', value).expect(401);
        expect(res.body).toEqual({ error: 'Malformed Authorization header. Send "Authorization: Bearer <API key>".' });
      },
    );

    test('beside x-api-key, another scheme (a proxy’s Basic credentials) is left alone', async () => {
      const key = await api.signup();
      expect((await api.listMonitors(key).set('Authorization', 'Basic dXNlcjpwYXNz').expect(200)).body.count).toBe(0);
    });

    test('an unknown bearer key is 401', async () => {
      const res = await request(app).get('/api/v1/monitors').set('Authorization', `Bearer cpk_${'0'.repeat(32)}`).expect(401);
      expect(res.body).toEqual({ error: 'Invalid API key.' });
    });
  });

  describe('POST /account/rotate-key', () => {
    test('answers a new key; the old one stops at once and the account keeps its monitors', async () => {
      const old = await api.signup();
      await api.createMonitor(old);
      const res = await request(app).post('/api/v1/account/rotate-key').set('x-api-key', old).expect(200);
      expect(res.body).toEqual({ apiKey: expect.stringMatching(KEY_PATTERN) });
      expect(res.body.apiKey).not.toBe(old);
      expect((await api.listMonitors(old).expect(401)).body).toEqual({ error: 'Invalid API key.' });
      expect((await api.listMonitors(res.body.apiKey).expect(200)).body.count).toBe(1);
    });

    test('concurrent rotations with one key: exactly one answers a key, the others 401', async () => {
      const old = await api.signup();
      const results = await Promise.all(Array.from({ length: 5 }, () => request(app).post('/api/v1/account/rotate-key').set('x-api-key', old)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
      const winner = results.find((r) => r.status === 200)!.body.apiKey as string;
      await api.listMonitors(winner).expect(200);
    });

    test('without a key it is 401 and other methods are 405', async () => {
      await request(app).post('/api/v1/account/rotate-key').expect(401);
      expect((await request(app).get('/api/v1/account/rotate-key').expect(405)).headers.allow).toBe('POST');
    });
  });

  describe('DELETE /account', () => {
    test('deletes the account with its monitors; the key stops, the ping URLs are gone, the e-mail may sign up again', async () => {
      const key = await api.signup('leaving@company.com');
      const monitor = await api.createMonitor(key);
      await request(app).get(new URL(monitor.pingUrl).pathname).expect(200);
      expect((await request(app).delete('/api/v1/account').set('x-api-key', key).expect(200)).body).toEqual({ deleted: true });
      await api.listMonitors(key).expect(401);
      await request(app).get(new URL(monitor.pingUrl).pathname).expect(404);
      expect(await store.getMonitor(monitor.monitorId)).toBeNull();
      await api.signup('leaving@company.com');
    });

    test('only the caller’s account goes', async () => {
      const leaving = await api.signup();
      const staying = await api.signup();
      await api.createMonitor(staying);
      await request(app).delete('/api/v1/account').set('x-api-key', leaving).expect(200);
      expect((await api.listMonitors(staying).expect(200)).body.count).toBe(1);
    });

    test('without a key it is 401 and changes nothing', async () => {
      const key = await api.signup();
      await request(app).delete('/api/v1/account').expect(401);
      await request(app).delete('/api/v1/account').set('x-api-key', `cpk_${'0'.repeat(32)}`).expect(401);
      await api.listMonitors(key).expect(200);
    });
  });

  describe('lost key recovery', () => {
    test('the token from the e-mail buys a fresh key once; the old key and the token then stop', async () => {
      const old = await api.signup('lost@company.com');
      await api.createMonitor(old);
      const token = await recoveryToken('lost@company.com');
      const res = await confirm('lost@company.com', token).expect(200);
      expect(res.body).toEqual({ apiKey: expect.stringMatching(KEY_PATTERN) });
      await api.listMonitors(old).expect(401);
      expect((await api.listMonitors(res.body.apiKey).expect(200)).body.count).toBe(1);
      expect((await confirm('lost@company.com', token).expect(400)).body).toEqual({ error: INVALID_RECOVERY });
      await api.listMonitors(res.body.apiKey).expect(200);
    });

    test('the e-mail says how long the token lasts and how to use it', async () => {
      await api.signup('lost@company.com');
      await request(app).post('/api/v1/accounts/recover').send({ email: 'lost@company.com' }).expect(202);
      const [received] = await sendgrid.waitForRequests(1);
      const body = JSON.parse(received.body) as SendGridBody;
      expect(body.subject).toBe('Your CronPeek recovery token');
      const expiry = new Date(clock.now().getTime() + 3_600_000).toISOString();
      for (const part of body.content) {
        expect(part.value).toContain(expiry);
        expect(part.value).toContain('https://cronpeek.test/api/v1/accounts/recover/confirm');
      }
    });

    test('an unknown e-mail gets the same answer and no e-mail', async () => {
      await api.signup('known@company.com');
      const unknown = await request(app).post('/api/v1/accounts/recover').send({ email: 'nobody@company.com' }).expect(202);
      const known = await request(app).post('/api/v1/accounts/recover').send({ email: ' Known@Company.com ' }).expect(202);
      expect(unknown.body).toEqual({ message: RECOVERY_REQUESTED });
      expect(known.body).toEqual(unknown.body);
      expect(Object.keys(known.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
      await sendgrid.waitForRequests(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sendgrid.requests.map((r) => (JSON.parse(r.body) as SendGridBody).personalizations[0].to[0].email)).toEqual(['known@company.com']);
    });

    test('with SendGrid configured the token never reaches the log, even when the send fails', async () => {
      await api.signup('lost@company.com');
      const token = await recoveryToken('lost@company.com');
      sendgrid.answer(() => ({ status: 500, json: { errors: [{ message: 'boom' }] } }));
      await request(app).post('/api/v1/accounts/recover').send({ email: 'lost@company.com' }).expect(202);
      await sendgrid.waitForRequests(2);
      await waitFor(() => log.lines.some((l) => l.level === 'error'));
      const failed = log.lines.find((l) => l.level === 'error') as LogLine;
      expect(failed).toMatchObject({ message: 'recovery e-mail not sent; the user can ask again', fields: { to: 'lost@company.com' } });
      expect(String(failed.fields.error)).toMatch(/500/);
      const secondToken = tokenIn((JSON.parse(sendgrid.requests[1].body) as SendGridBody).content[0].value);
      for (const secret of [token, secondToken]) expect(JSON.stringify(log.lines)).not.toContain(secret);
    });

    test('a newer request replaces the earlier token', async () => {
      await api.signup('lost@company.com');
      const first = await recoveryToken('lost@company.com');
      const second = await recoveryToken('lost@company.com');
      await confirm('lost@company.com', first).expect(400);
      await confirm('lost@company.com', second).expect(200);
    });

    test('a token expires after one hour', async () => {
      const old = await api.signup('lost@company.com');
      const token = await recoveryToken('lost@company.com');
      clock.advance(3600);
      expect((await confirm('lost@company.com', token).expect(400)).body).toEqual({ error: INVALID_RECOVERY });
      await api.listMonitors(old).expect(200);
    });

    test.each([
      ['a wrong token', 'lost@company.com', 'A'.repeat(43)],
      ['a token of the wrong shape', 'lost@company.com', 'not a token'],
      ['another e-mail', 'other@company.com', null],
      ['an e-mail without an account', 'nobody@company.com', null],
    ])('%s is 400 and changes nothing', async (_what, email, given) => {
      const old = await api.signup('lost@company.com');
      const other = await api.signup('other@company.com');
      const token = await recoveryToken('lost@company.com');
      expect((await confirm(email, given ?? token).expect(400)).body).toEqual({ error: INVALID_RECOVERY });
      await api.listMonitors(old).expect(200);
      await api.listMonitors(other).expect(200);
      await confirm('lost@company.com', token).expect(200);
    });

    test('concurrent confirms with one token: exactly one answers a key', async () => {
      const old = await api.signup('lost@company.com');
      const token = await recoveryToken('lost@company.com');
      const results = await Promise.all(Array.from({ length: 6 }, () => confirm('lost@company.com', token)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
      await api.listMonitors(old).expect(401);
      await api.listMonitors(results.find((r) => r.status === 200)!.body.apiKey).expect(200);
    });

    test.each([
      ['/api/v1/accounts/recover', {}, 'email is required.'],
      ['/api/v1/accounts/recover', { email: 'nope' }, 'email must be a valid email address.'],
      ['/api/v1/accounts/recover/confirm', { email: 'a@b.co' }, 'token is required.'],
      ['/api/v1/accounts/recover/confirm', { email: 'a@b.co', token: 7 }, 'token must be a string.'],
      ['/api/v1/accounts/recover/confirm', { token: 'x' }, 'email is required.'],
    ])('POST %s with %j is 400', async (path, body, error) => {
      expect((await request(app).post(path).send(body).expect(400)).body).toEqual({ error });
      expect(sendgrid.requests).toEqual([]);
    });

    test('malformed JSON is 400 and other methods 405', async () => {
      await request(app).post('/api/v1/accounts/recover').set('Content-Type', 'application/json').send('{"email":').expect(400);
      expect((await request(app).get('/api/v1/accounts/recover').expect(405)).headers.allow).toBe('POST');
      expect((await request(app).get('/api/v1/accounts/recover/confirm').expect(405)).headers.allow).toBe('POST');
    });
  });

  describe('recovery without SendGrid (embedded self-hosting)', () => {
    test('the e-mail with its token is written to the log, and that token works', async () => {
      const logOnly = capturingLogger();
      const embedded = createApp(testDeps(store, { log: logOnly }));
      const key = await new ApiClient(embedded).signup('self@host.local');
      await request(embedded).post('/api/v1/accounts/recover').send({ email: 'self@host.local' }).expect(202);
      await waitFor(() => logOnly.lines.length > 0);
      const [line] = logOnly.lines;
      expect(line.fields).toMatchObject({ purpose: 'account recovery', to: 'self@host.local', subject: 'Your CronPeek recovery token' });
      const token = tokenIn(String(line.fields.text));
      const res = await request(embedded).post('/api/v1/accounts/recover/confirm').send({ email: 'self@host.local', token }).expect(200);
      await request(embedded).get('/api/v1/monitors').set('x-api-key', key).expect(401);
      await request(embedded).get('/api/v1/monitors').set('x-api-key', res.body.apiKey).expect(200);
      expect(sendgrid.requests).toEqual([]);
    });
  });

  describe('recovery under abuse limits', () => {
    const OFF: Rules = { signup: null, recoveryByAddress: null, recoveryByEmail: null, failedAuth: null, management: null, ping: null };
    const limited = (rules: Partial<Rules>) => createApp(
        testDeps(store, {
          limiter: new MemoryRateLimiter({ ...OFF, ...rules }),
          notify: { sendgridApiKey: 'SG.test-key', sendgridApiUrl: sendgrid.origin },
        }),
        { trustProxy: 1 },
      );
    const recover = (on: Express, email: string, from = '203.0.113.7') =>
      request(on).post('/api/v1/accounts/recover').set('X-Forwarded-For', from).send({ email });

    test('requests per e-mail: past the limit 429, whether or not the account exists, and no further e-mail', async () => {
      await api.signup('lost@company.com');
      const on = limited({ recoveryByEmail: { limit: 2, windowSeconds: 3600 } });
      for (const email of ['lost@company.com', 'nobody@company.com']) {
        await recover(on, email, '203.0.113.1').expect(202);
        await recover(on, email.toUpperCase(), '203.0.113.2').expect(202);
        const refused = await recover(on, email, '203.0.113.3').expect(429);
        expect(refused.body.error).toMatch(/^Too many key recovery requests for this e-mail address\./);
      }
      await sendgrid.waitForRequests(2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sendgrid.requests).toHaveLength(2);
    });

    test('requests per address', async () => {
      const on = limited({ recoveryByAddress: { limit: 2, windowSeconds: 3600 } });
      await recover(on, 'a@company.com').expect(202);
      await recover(on, 'b@company.com').expect(202);
      const refused = await recover(on, 'c@company.com').expect(429);
      expect(refused.body.error).toMatch(/^Too many key recovery requests from this address\./);
      await recover(on, 'c@company.com', '198.51.100.9').expect(202);
    });

    test('tokens that do not redeem count as failed authentications from the address', async () => {
      await api.signup('lost@company.com');
      const on = limited({ failedAuth: { limit: 2, windowSeconds: 600 } });
      const token = await recoveryToken('lost@company.com');
      const confirmFrom = (t: string) =>
        request(on).post('/api/v1/accounts/recover/confirm').set('X-Forwarded-For', '203.0.113.7').send({ email: 'lost@company.com', token: t });
      await confirmFrom('A'.repeat(43)).expect(400);
      await confirmFrom('B'.repeat(43)).expect(400);
      await confirmFrom(token).expect(429);
      await request(on).post('/api/v1/accounts/recover/confirm').set('X-Forwarded-For', '198.51.100.9').send({ email: 'lost@company.com', token }).expect(200);
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
