import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter, type Rules } from '../../src/limits';
import { INVALID_SESSION, INVALID_SIGN_IN, SIGN_IN_REQUESTED } from '../../src/services/sessions';
import type { Store } from '../../src/store/port';
import type { FakeClock } from '../support/clock';
import { testDeps, TEST_PUBLIC_URL } from '../support/deps';
import { ApiClient, freshEmail } from '../support/http-client';
import { storeKinds } from '../support/stores';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { capturingLogger } from '../notify/support/logger';

const SESSION = /^cps_[0-9a-f]{32}$/;
const SESSION_ID = /^ses_[0-9a-f]{16}$/;
const ACCEPTED = { sent: true, message: SIGN_IN_REQUESTED };
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

interface SendGridBody {
  personalizations: Array<{ to: Array<{ email: string }> }>;
  subject: string;
  content: Array<{ type: string; value: string }>;
}

/** The token of the sign-in link an e-mail holds. */
function tokenIn(text: string): string {
  const match = /dashboard\.html#signin=([A-Za-z0-9_-]{43})\b/.exec(text);
  if (!match) throw new Error(`no sign-in link in:\n${text}`);
  return match[1];
}

/**
 * The store, its `close` waiting for the calls still running: a link request's lookup and write
 * run after its answer, and must not meet a store the test has closed meanwhile.
 */
function settling(store: Store): Store {
  let running = 0;
  const settled = () => {
    running--;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'close') {
        return async () => {
          while (running > 0) await new Promise((r) => setTimeout(r, 10));
          return target.close();
        };
      }
      return (...args: unknown[]) => {
        running++;
        const result: unknown = value.apply(target, args);
        void Promise.resolve(result).then(settled, settled);
        return result;
      };
    },
  });
}

describe.each(storeKinds())('sign-in by e-mail link and dashboard sessions on %s', (_name, kind) => {
  let store: Store;
  let app: Express;
  let clock: FakeClock;
  let api: ApiClient;
  let sendgrid: FakeHttp;

  /** A fresh app over `store`; every e-mail goes through the SendGrid SDK to the local stand-in. */
  const open = async (limits?: Rules) => {
    store = settling(await kind.open());
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
    const deps = testDeps(store, { notify: { sendgridApiKey: 'SG.test-key', sendgridApiUrl: sendgrid.origin }, limiter: limits && new MemoryRateLimiter(limits) });
    clock = deps.fakeClock;
    app = createApp(deps);
    api = new ApiClient(app);
  };
  afterEach(async () => {
    await sendgrid.close();
    await store.close();
  });

  const askLink = (email: string) => request(app).post('/api/v1/auth/email-link').send({ email });
  const exchange = (body: unknown) => request(app).post('/api/v1/auth/sessions').set('User-Agent', FIREFOX).send(body as object);
  const sessions = (credential: string) => request(app).get('/api/v1/account/sessions').set('Authorization', `Bearer ${credential}`);
  const endSession = (credential: string, id: string) => request(app).delete(`/api/v1/account/sessions/${id}`).set('Authorization', `Bearer ${credential}`);
  const account = (credential: string) => request(app).get('/api/v1/account').set('Authorization', `Bearer ${credential}`);

  /** The sign-in e-mails SendGrid has received so far. */
  const signInMails = () => sendgrid.requests.map((r) => JSON.parse(r.body) as SendGridBody).filter((b) => b.subject === 'Sign in to CronPeek');

  /** Asks for a link and returns its token, as the e-mail SendGrid received shows it. */
  async function linkToken(email: string): Promise<string> {
    const before = sendgrid.requests.length;
    await askLink(email).expect(202);
    const [received] = (await sendgrid.waitForRequests(before + 1)).slice(before);
    const body = JSON.parse(received.body) as SendGridBody;
    expect(body.personalizations[0].to).toEqual([{ email: email.trim().toLowerCase() }]);
    return tokenIn(body.content[0].value);
  }

  /** A new account signed in by link: its main key and a session. */
  async function signedIn(remember = false): Promise<{ key: string; email: string; session: string; sessionId: string }> {
    const email = freshEmail();
    const key = await api.signup(email);
    const res = await exchange({ token: await linkToken(email), remember }).expect(201);
    return { key, email, session: res.body.session, sessionId: res.body.sessionId };
  }

  describe('asking for a link', () => {
    beforeEach(() => open());

    test('answers 202 with the same body for a known and an unknown address, and e-mails only the known one', async () => {
      const email = freshEmail();
      await api.signup(email);
      const unknown = await askLink('nobody@company.com').expect(202);
      const known = await askLink(` ${email.toUpperCase()} `).expect(202);
      expect(unknown.body).toEqual(ACCEPTED);
      expect(known.body).toEqual(ACCEPTED);
      expect(Object.keys(known.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
      await sendgrid.waitForRequests(1);
      // Another request after both: had the unknown address been mailed, it would have arrived first.
      await linkToken(email);
      expect(signInMails().map((m) => m.personalizations[0].to[0].email)).toEqual([email, email]);
    });

    test('the e-mail holds a single-use link to the dashboard, valid 15 minutes, in its text and its HTML', async () => {
      const email = freshEmail();
      await api.signup(email);
      await askLink(email).expect(202);
      const [received] = await sendgrid.waitForRequests(1);
      const body = JSON.parse(received.body) as SendGridBody;
      expect(received.headers.authorization).toBe('Bearer SG.test-key');
      expect(body.subject).toBe('Sign in to CronPeek');
      const token = tokenIn(body.content[0].value);
      for (const part of body.content) expect(part.value).toContain(`${TEST_PUBLIC_URL}/dashboard.html#signin=${token}`);
      expect(body.content[0].value).toContain('until 2026-03-28 02:15 UTC (15 minutes)');
    });

    test('without SendGrid the e-mail is written to the log, link and all', async () => {
      store = settling(await kind.open());
      sendgrid = await startFakeHttp();
      const log = capturingLogger();
      const deps = testDeps(store, { log });
      app = createApp(deps);
      const email = freshEmail();
      await new ApiClient(app).signup(email);
      await askLink(email).expect(202);
      for (let i = 0; i < 50 && !log.lines.some((l) => l.fields.purpose === 'sign-in link'); i++) await new Promise((r) => setTimeout(r, 20));
      const line = log.lines.find((l) => l.fields.purpose === 'sign-in link');
      expect(line).toMatchObject({ level: 'info', fields: { to: email, subject: 'Sign in to CronPeek' } });
      const token = tokenIn(String(line!.fields.text));
      await exchange({ token }).expect(201);
    });

    test.each([
      [{}, 'email is required.'],
      [{ email: 'nope' }, 'email must be a valid email address.'],
      [{ email: 7 }, 'email must be a string.'],
    ])('%j is a 400 and sends nothing', async (body, message) => {
      expect((await request(app).post('/api/v1/auth/email-link').send(body).expect(400)).body).toEqual({ error: message });
      await askLink('nobody@company.com').expect(202);
      expect(sendgrid.requests).toEqual([]);
    });
  });

  describe('trading a link for a session', () => {
    beforeEach(() => open());

    test('answers 201 with the session, its id, its end (12 hours) and the account as GET /account shows it', async () => {
      const email = freshEmail();
      await api.signup(email);
      const res = await exchange({ token: await linkToken(email), remember: false }).expect(201);
      expect(Object.keys(res.body)).toEqual(['session', 'sessionId', 'expiresAt', 'account']);
      expect(res.body).toMatchObject({ session: expect.stringMatching(SESSION), sessionId: expect.stringMatching(SESSION_ID), expiresAt: '2026-03-28T14:00:00.000Z' });
      expect(res.body.account).toEqual((await account(res.body.session).expect(200)).body);
      expect(res.body.account.email).toBe(email);
    });

    test('remember: true keeps the session 30 days; without remember it is 12 hours', async () => {
      const email = freshEmail();
      await api.signup(email);
      expect((await exchange({ token: await linkToken(email), remember: true }).expect(201)).body.expiresAt).toBe('2026-04-27T02:00:00.000Z');
      expect((await exchange({ token: await linkToken(email) }).expect(201)).body.expiresAt).toBe('2026-03-28T14:00:00.000Z');
    });

    test('a link works once', async () => {
      const email = freshEmail();
      await api.signup(email);
      const token = await linkToken(email);
      await exchange({ token }).expect(201);
      expect((await exchange({ token }).expect(401)).body).toEqual({ error: INVALID_SIGN_IN });
    });

    test('of two exchanges of one link at once, exactly one signs in', async () => {
      const email = freshEmail();
      await api.signup(email);
      const token = await linkToken(email);
      const answers = await Promise.all([exchange({ token }), exchange({ token })]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 401]);
    });

    test('a link works until 15 minutes have passed, not after', async () => {
      const email = freshEmail();
      await api.signup(email);
      const early = await linkToken(email);
      clock.advance(15 * 60 - 1);
      await exchange({ token: early }).expect(201);
      const late = await linkToken(email);
      clock.advance(15 * 60);
      expect((await exchange({ token: late }).expect(401)).body).toEqual({ error: INVALID_SIGN_IN });
    });

    test('a new link makes the one before it stop working', async () => {
      const email = freshEmail();
      await api.signup(email);
      const first = await linkToken(email);
      const second = await linkToken(email);
      await exchange({ token: first }).expect(401);
      await exchange({ token: second }).expect(201);
    });

    test.each([
      ['a made-up token', { token: 'A'.repeat(43) }],
      ['a malformed token', { token: 'not-a-token' }],
      ['an empty token', { token: '' }],
    ])('%s is a 401 that signs nobody in', async (_case, body) => {
      expect((await exchange(body).expect(401)).body).toEqual({ error: INVALID_SIGN_IN });
    });

    test.each([
      [{}, 'token is required.'],
      [{ token: 7 }, 'token must be a string.'],
      [{ token: 'x', remember: 'yes' }, 'remember must be true or false.'],
      [{ token: 'x', keep: true }, 'Unknown field keep; a sign-in has token, remember.'],
    ])('%j is a 400', async (body, message) => {
      expect((await exchange(body).expect(400)).body).toEqual({ error: message });
    });

    test('the link of a deleted account signs nobody in', async () => {
      const email = freshEmail();
      const key = await api.signup(email);
      const token = await linkToken(email);
      await request(app).delete('/api/v1/account').set('x-api-key', key).expect(200);
      await exchange({ token }).expect(401);
    });
  });

  describe('using a session', () => {
    beforeEach(() => open());

    test('does what the main key does, by Bearer and by x-api-key: creates, lists and deletes a monitor', async () => {
      const { session } = await signedIn();
      const created = await api.createMonitor(session, { name: 'From the dashboard' });
      expect((await request(app).get('/api/v1/monitors').set('x-api-key', session).expect(200)).text).toContain('From the dashboard');
      await request(app).patch('/api/v1/account').set('Authorization', `Bearer ${session}`).send({ defaults: { remindEvery: null } }).expect(200);
      await request(app).delete(`/api/v1/monitors/${created.monitorId}`).set('Authorization', `Bearer ${session}`).expect(200);
    });

    test('stops working when it expires', async () => {
      const { session } = await signedIn(false);
      clock.advance(12 * 3600 - 1);
      await account(session).expect(200);
      clock.advance(1);
      expect((await account(session).expect(401)).body).toEqual({ error: INVALID_SESSION });
    });

    test('a made-up session is a 401', async () => {
      await account(`cps_${'0'.repeat(32)}`).expect(401);
    });

    test('rotating the main key leaves it working; deleting the account ends it', async () => {
      const { key, session } = await signedIn();
      await request(app).post('/api/v1/account/rotate-key').set('x-api-key', key).expect(200);
      await account(session).expect(200);
      await request(app).delete('/api/v1/account').set('Authorization', `Bearer ${session}`).expect(200);
      await account(session).expect(401);
    });
  });

  describe('listing and ending sessions', () => {
    beforeEach(() => open());

    test('lists the account’s sessions newest first, the caller’s marked current, never their secrets', async () => {
      const { key, email, session, sessionId } = await signedIn();
      clock.advance(60);
      const second = (await exchange({ token: await linkToken(email), remember: true }).expect(201)).body;
      const res = await sessions(session).expect(200);
      expect(res.body).toEqual({
        sessions: [
          { sessionId: second.sessionId, createdAt: '2026-03-28T02:01:00.000Z', expiresAt: '2026-04-27T02:01:00.000Z', userAgent: FIREFOX, current: false },
          { sessionId, createdAt: '2026-03-28T02:00:00.000Z', expiresAt: '2026-03-28T14:00:00.000Z', userAgent: FIREFOX, current: true },
        ],
        count: 2,
      });
      expect(res.text).not.toContain(session);
      expect(res.text).not.toContain(second.session);
      const byKey = (await request(app).get('/api/v1/account/sessions').set('x-api-key', key).expect(200)).body;
      expect(byKey.sessions.map((s: { current: boolean }) => s.current)).toEqual([false, false]);
    });

    test('an expired session is no longer listed', async () => {
      const { key, email } = await signedIn(false);
      clock.advance(13 * 3600);
      await exchange({ token: await linkToken(email), remember: true }).expect(201);
      expect((await request(app).get('/api/v1/account/sessions').set('x-api-key', key).expect(200)).body.count).toBe(1);
    });

    test('ending another session stops it at once; the caller’s goes on', async () => {
      const { email, session } = await signedIn();
      const other = (await exchange({ token: await linkToken(email) }).expect(201)).body;
      expect((await endSession(session, other.sessionId).expect(200)).body).toEqual({ deleted: true });
      expect((await account(other.session).expect(401)).body).toEqual({ error: INVALID_SESSION });
      await account(session).expect(200);
      expect((await endSession(session, other.sessionId).expect(404)).body).toEqual({ error: 'Session not found.' });
    });

    test('another account’s session, a made-up id and a malformed one are the same 404, and end nothing', async () => {
      const mine = await signedIn();
      const theirs = await signedIn();
      for (const id of [theirs.sessionId, 'ses_0000000000000000', 'nonsense']) {
        expect((await endSession(mine.session, id).expect(404)).body).toEqual({ error: 'Session not found.' });
      }
      await account(theirs.session).expect(200);
    });

    test('signing out ends the session the request came with', async () => {
      const { key, session } = await signedIn();
      expect((await endSession(session, 'current').expect(200)).body).toEqual({ deleted: true });
      await account(session).expect(401);
      await account(key).expect(200);
    });

    test('signing out with the main key is a 404: there is no session to end', async () => {
      const { key, session } = await signedIn();
      expect((await endSession(key, 'current').expect(404)).body.error).toContain('not made with a session');
      await account(session).expect(200);
    });
  });

  describe('sessions made with a key', () => {
    beforeEach(() => open());

    test('the main key makes a session (12 hours unless remembered)', async () => {
      const key = await api.signup();
      const res = await request(app).post('/api/v1/auth/sessions').set('x-api-key', key).send({ remember: true }).expect(201);
      expect(res.body).toMatchObject({ session: expect.stringMatching(SESSION), expiresAt: '2026-04-27T02:00:00.000Z' });
      await api.createMonitor(res.body.session);
      const bare = await request(app).post('/api/v1/auth/sessions').set('Authorization', `Bearer ${key}`).expect(201);
      expect(bare.body.expiresAt).toBe('2026-03-28T14:00:00.000Z');
    });

    test('a read-only key cannot make one', async () => {
      const key = await api.signup();
      const reader = (await request(app).post('/api/v1/account/keys').set('x-api-key', key).send({ name: 'grafana', access: 'read' }).expect(201)).body.apiKey;
      const res = await request(app).post('/api/v1/auth/sessions').set('x-api-key', reader).send({ remember: true }).expect(403);
      expect(res.body.error).toContain('read-only');
      expect((await request(app).get('/api/v1/account/sessions').set('x-api-key', key).expect(200)).body.count).toBe(0);
    });

    test('a key and a token together are a 400', async () => {
      const email = freshEmail();
      const key = await api.signup(email);
      const res = await request(app).post('/api/v1/auth/sessions').set('x-api-key', key).send({ token: await linkToken(email) }).expect(400);
      expect(res.body).toEqual({ error: 'Send either a sign-in token or an API key, not both.' });
    });

    test('an invalid key is a 401', async () => {
      await request(app).post('/api/v1/auth/sessions').set('x-api-key', `cpk_${'0'.repeat(32)}`).send({}).expect(401);
    });
  });

  describe('limits', () => {
    test('links for one address: past the limit a 429 with Retry-After, known address or not', async () => {
      await open({ signInByEmail: { limit: 2, windowSeconds: 3600 } });
      const email = freshEmail();
      await api.signup(email);
      for (const address of [email, 'nobody@company.com']) {
        await askLink(address).expect(202);
        await askLink(address).expect(202);
        const refused = await askLink(address).expect(429);
        expect(refused.headers['retry-after']).toBe('3600');
        expect(refused.body).toEqual({ error: 'Too many sign-in link requests for this e-mail address. Try again in 3600 s.' });
      }
      await askLink(freshEmail()).expect(202);
    });

    test('links from one client address: past the limit a 429', async () => {
      await open({ signInByAddress: { limit: 2, windowSeconds: 600 } });
      await askLink(freshEmail()).expect(202);
      await askLink(freshEmail()).expect(202);
      const refused = await askLink(freshEmail()).expect(429);
      expect(refused.body.error).toContain('Too many sign-in link requests from this address.');
    });

    test('tokens that do not sign in count as failed authentications', async () => {
      await open({ failedAuth: { limit: 2, windowSeconds: 600 } });
      await exchange({ token: 'A'.repeat(43) }).expect(401);
      await exchange({ token: 'B'.repeat(43) }).expect(401);
      await exchange({ token: 'C'.repeat(43) }).expect(429);
    });
  });
});
