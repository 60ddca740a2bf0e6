import request from 'supertest';
import { createApp } from '../../src/http/app';
import { pingUrl } from '../../src/http/present';
import { DEFAULT_RULES, MemoryRateLimiter, type RateLimiter } from '../../src/limits';
import { runCheck } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { testDeps, TEST_PUBLIC_URL } from '../support/deps';
import { makeMonitor } from '../support/factories';
import { ApiClient, freshEmail, type CreatedMonitor } from '../support/http-client';
import { storeKinds } from '../support/stores';

const KEY = 'SG.test-key';
const DAY_S = 24 * 3600;
const TOKEN = /#(?:action=unsubscribe&)?token=([0-9a-f]{32}\.[A-Za-z0-9_-]{43})/;

interface Mail {
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/**
 * Confirmed addresses only, through the HTTP API and the checker, with e-mail sent through the
 * real SendGrid SDK to a local stand-in of its API (so confirmation applies).
 */
describe.each(storeKinds())('confirmed alert addresses on %s', (_name, kind) => {
  let store: InspectableStore;
  let sendgrid: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
  });
  afterEach(async () => {
    await sendgrid.close();
    await store.close();
  });

  function world(options: { sendgrid?: boolean; verifyEmails?: boolean; limiter?: RateLimiter } = {}) {
    const notify = options.sendgrid === false ? {} : { sendgridApiKey: KEY, sendgridApiUrl: sendgrid.origin };
    const deps = testDeps(store, { notify, verifyEmails: options.verifyEmails ?? true, limiter: options.limiter });
    const app = createApp(deps);
    return { deps, app, api: new ApiClient(app) };
  }

  const mails = (): Mail[] =>
    sendgrid.requests.map((r) => {
      const body = JSON.parse(r.body);
      return { to: body.personalizations[0].to[0].email, subject: body.subject, text: body.content[0].value, headers: body.headers ?? {} };
    });
  /** The `count`th e-mail (from 1) once it has arrived: confirmation e-mails go out after the answer. */
  const mail = async (count: number): Promise<Mail> => {
    await sendgrid.waitForRequests(count);
    return mails()[count - 1];
  };
  const tokenIn = (m: Mail): string => (TOKEN.exec(m.text) as RegExpExecArray)[1];
  const post = (app: ReturnType<typeof createApp>, path: string, body: object) => request(app).post(path).send(body);

  /** Pings the monitor once, then lets its deadline pass and runs the checker: one down alert. */
  async function outage(w: ReturnType<typeof world>, m: CreatedMonitor) {
    await w.api.ping(m.pingUrl).expect(200);
    w.deps.fakeClock.advance(3600 + 360 + 1);
    await runCheck(w.deps, { budgetMs: 10_000 });
    const rows = await store.listNotifications(m.monitorId);
    return rows[rows.length - 1];
  }

  test('sign-up answers 201 with the key at once and sends a welcome e-mail that confirms the address', async () => {
    const w = world();
    const email = freshEmail();
    const key = await w.api.signup(email);
    const welcome = await mail(1);
    expect(welcome).toMatchObject({ to: email, subject: 'Welcome to CronPeek: confirm your e-mail' });
    expect(welcome.text).toContain(`${TEST_PUBLIC_URL}/confirm.html#token=`);
    expect(welcome.text).toContain(`curl -X POST ${TEST_PUBLIC_URL}/api/v1/email/confirm`);
    const account = () => request(w.app).get('/api/v1/account').set('x-api-key', key).expect(200);
    expect((await account()).body).toMatchObject({ email, emailConfirmed: false, emailStatus: 'pending' });

    const confirmed = await post(w.app, '/api/v1/email/confirm', { token: tokenIn(welcome) }).expect(200);
    expect(confirmed.body).toEqual({ email, status: 'confirmed' });
    expect((await account()).body).toMatchObject({ emailConfirmed: true, emailStatus: 'confirmed' });
    // The link works once.
    expect((await post(w.app, '/api/v1/email/confirm', { token: tokenIn(welcome) }).expect(400)).body).toEqual({ error: 'Invalid or expired token.' });
  });

  test('a new alert address is asked once, naming the account and the monitor; until it confirms its alerts are not sent, and say why', async () => {
    const w = world();
    const owner = freshEmail();
    const key = await w.api.signup(owner);
    const m = await w.api.createMonitor(key, { alertEmail: 'oncall@example.com' });
    const asked = await mail(2);
    expect(asked).toMatchObject({ to: 'oncall@example.com', subject: 'Confirm CronPeek alerts to oncall@example.com' });
    expect(asked.text).toContain(`The CronPeek account of ${owner} asks to send its alerts to oncall@example.com.`);
    expect(asked.text).toContain('its monitor named “Nightly DB Backup”');
    expect((await w.api.status(key, m.monitorId).expect(200)).body.alertEmailStatus).toBe('pending');

    const alert = await outage(w, m);
    expect(alert).toMatchObject({ channel: 'email', state: 'failed', nextAttemptAt: null });
    expect(alert.lastError).toBe('not sent: oncall@example.com has not confirmed that it wants alerts from this account');
    expect(mails().map((x) => x.to)).toEqual([owner, 'oncall@example.com']);
  });

  test('once confirmed, alerts arrive with a one-click unsubscribe, whose POST stops them; its token starts them again', async () => {
    const w = world();
    const key = await w.api.signup();
    const m = await w.api.createMonitor(key, { alertEmail: 'oncall@example.com' });
    await post(w.app, '/api/v1/email/confirm', { token: tokenIn(await mail(2)) }).expect(200);
    expect((await w.api.status(key, m.monitorId)).body.alertEmailStatus).toBe('confirmed');

    expect(await outage(w, m)).toMatchObject({ state: 'delivered' });
    const alert = await mail(3);
    expect(alert.subject).toContain('DOWN');
    const oneClick = /^<(https:\/\/cronpeek\.test(\/api\/v1\/email\/unsubscribe\?token=([^>]+)))>$/.exec(alert.headers['List-Unsubscribe']);
    expect(oneClick).not.toBeNull();
    expect(alert.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(alert.text).toContain(`${TEST_PUBLIC_URL}/confirm.html#action=unsubscribe&token=${oneClick![3]}`);

    // What a mail client sends for RFC 8058: a form body to the header's URL.
    const unsubscribed = await request(w.app).post(oneClick![2]).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expect(unsubscribed.body).toEqual({ email: 'oncall@example.com', status: 'unsubscribed' });
    await w.api.ping(m.pingUrl).expect(200);
    await runCheck(w.deps, { budgetMs: 10_000 });
    const up = (await store.listNotifications(m.monitorId)).find((n) => n.event === 'monitor.up');
    expect(up).toMatchObject({ state: 'failed', lastError: "not sent: oncall@example.com unsubscribed from this account's alerts" });
    expect(mails()).toHaveLength(3);
    expect((await w.api.status(key, m.monitorId)).body.alertEmailStatus).toBe('unsubscribed');

    expect((await post(w.app, '/api/v1/email/confirm', { token: oneClick![3] }).expect(200)).body.status).toBe('confirmed');
  });

  test('opening the unsubscribe URL (a GET, as mail scanners do) changes nothing and leads to the page that asks', async () => {
    const w = world();
    const key = await w.api.signup();
    await post(w.app, '/api/v1/email/confirm', { token: tokenIn(await mail(1)) }).expect(200);
    const token = `${'a'.repeat(32)}.${'b'.repeat(43)}`;
    const res = await request(w.app).get(`/api/v1/email/unsubscribe?token=${token}`).expect(303);
    expect(res.headers.location).toBe(`${TEST_PUBLIC_URL}/confirm.html#action=unsubscribe&token=${token}`);
    expect((await request(w.app).get('/api/v1/account').set('x-api-key', key)).body.emailStatus).toBe('confirmed');
  });

  test('a decline is final: the account never asks that address again, and its alerts are not sent', async () => {
    const w = world();
    const key = await w.api.signup();
    const m = await w.api.createMonitor(key, { alertEmail: 'stranger@example.com' });
    expect((await post(w.app, '/api/v1/email/decline', { token: tokenIn(await mail(2)) }).expect(200)).body).toEqual({
      email: 'stranger@example.com',
      status: 'declined',
    });
    w.deps.fakeClock.advance(2 * DAY_S);
    const other = await w.api.createMonitor(key, { name: 'Second job' });
    await w.api.editMonitor(key, other.monitorId, { alertEmail: 'stranger@example.com' }).expect(200);
    expect(await outage(w, m)).toMatchObject({ state: 'failed', lastError: 'not sent: stranger@example.com declined alerts from this account' });
    expect(mails().map((x) => x.to).filter((to) => to === 'stranger@example.com')).toHaveLength(1);
  });

  test('an address is asked once until the request expires; then a new alertEmail setting asks again and the old link is dead', async () => {
    const w = world();
    const key = await w.api.signup();
    await w.api.createMonitor(key, { alertEmail: 'oncall@example.com' });
    const first = await mail(2);
    const second = await w.api.createMonitor(key, { name: 'Second job', alertEmail: 'oncall@example.com' });
    w.deps.fakeClock.advance(DAY_S - 1);
    await w.api.editMonitor(key, second.monitorId, { alertEmail: 'oncall@example.com' }).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mails()).toHaveLength(2);

    w.deps.fakeClock.advance(1);
    await w.api.editMonitor(key, second.monitorId, { alertEmail: 'oncall@example.com' }).expect(200);
    const again = await mail(3);
    expect(again.to).toBe('oncall@example.com');
    await post(w.app, '/api/v1/email/confirm', { token: tokenIn(first) }).expect(400);
    await post(w.app, '/api/v1/email/confirm', { token: tokenIn(again) }).expect(200);
  });

  test('wrong tokens are 400s counted as failed authentications, then refused with 429', async () => {
    const limiter = new MemoryRateLimiter({ ...DEFAULT_RULES, failedAuth: { limit: 2, windowSeconds: 600 } });
    const w = world({ limiter });
    const wrong = `${'a'.repeat(32)}.${'b'.repeat(43)}`;
    await post(w.app, '/api/v1/email/confirm', { token: wrong }).expect(400);
    await request(w.app).post('/api/v1/email/unsubscribe?token=nonsense').expect(400);
    await post(w.app, '/api/v1/email/decline', { token: wrong }).expect(429);
  });

  test('resending the confirmation: 429 while the request is live, 202 after it expired, 409 once confirmed', async () => {
    const w = world();
    const key = await w.api.signup();
    await mail(1);
    const resend = () => request(w.app).post('/api/v1/account/confirm-email').set('x-api-key', key);
    const early = await resend().expect(429);
    expect(Number(early.headers['retry-after'])).toBe(DAY_S);
    w.deps.fakeClock.advance(DAY_S);
    expect((await resend().expect(202)).body.message).toMatch(/^A confirmation request is on its way to /);
    await post(w.app, '/api/v1/email/confirm', { token: tokenIn(await mail(2)) }).expect(200);
    expect((await resend().expect(409)).body.error).toMatch(/is already confirmed\.$/);
  });

  test('an address set before confirmation existed is asked at its first alert, which is held', async () => {
    const w = world();
    const key = await w.api.signup();
    const account = (await request(w.app).get('/api/v1/account').set('x-api-key', key)).body;
    const accountId = (await store.findAccountByEmail(account.email))!.id;
    const legacy = makeMonitor({ accountId, alertEmail: 'legacy@example.com', name: 'Old job' });
    await store.createMonitor(legacy, null);
    await w.api.ping(pingUrl(TEST_PUBLIC_URL, legacy)).expect(200);
    w.deps.fakeClock.advance(legacy.schedule + legacy.grace + 1);
    await runCheck(w.deps, { budgetMs: 10_000 });
    const [alert] = await store.listNotifications(legacy.id);
    expect(alert).toMatchObject({ state: 'failed', lastError: 'not sent: legacy@example.com has not confirmed that it wants alerts from this account' });
    const asked = await mail(2);
    expect(asked.to).toBe('legacy@example.com');
    expect(asked.text).toContain('its monitor named “Old job”');
  });

  test('where e-mail is only written to the log nothing is held', async () => {
    const w = world({ sendgrid: false });
    const key = await w.api.signup();
    const m = await w.api.createMonitor(key, { alertEmail: 'oncall@example.com' });
    expect((await w.api.status(key, m.monitorId)).body.alertEmailStatus).toBe('pending');
    expect(await outage(w, m)).toMatchObject({ state: 'logged' });
  });

  test('with confirmation off (CRONPEEK_VERIFY_EMAILS=off) nobody is asked and alerts go out, each with its unsubscribe', async () => {
    const w = world({ verifyEmails: false });
    const key = await w.api.signup();
    const m = await w.api.createMonitor(key, { alertEmail: 'oncall@example.com' });
    expect((await request(w.app).get('/api/v1/account').set('x-api-key', key)).body).toMatchObject({ emailConfirmed: true, emailStatus: 'confirmed' });
    expect(await outage(w, m)).toMatchObject({ state: 'delivered' });
    const [alert] = mails();
    expect(alert.to).toBe('oncall@example.com');
    expect(alert.headers['List-Unsubscribe']).toMatch(/^<https:\/\/cronpeek\.test\/api\/v1\/email\/unsubscribe\?token=[0-9a-f]{32}\.[A-Za-z0-9_-]{43}>$/);
    expect((await request(w.app).post('/api/v1/account/confirm-email').set('x-api-key', key).expect(409)).body.error).toMatch(/does not ask for e-mail confirmation/);
  });
});
