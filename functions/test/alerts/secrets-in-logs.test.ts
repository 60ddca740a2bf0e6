import request from 'supertest';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter, DEFAULT_RULES } from '../../src/limits';
import { jsonLogger } from '../../src/log';
import { runCheck } from '../../src/services/checker';
import type { Store } from '../../src/store/port';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { testDeps } from '../support/deps';
import { storeKinds } from '../support/stores';

/**
 * A full scenario with every log line captured as the server prints it (the real JSON logger,
 * console included), then searched for every secret the scenario handled. To cover a new kind of
 * secret, add it to `secrets` where the scenario creates it.
 */
describe.each(storeKinds())('secrets never reach the log on %s', (_name, kind) => {
  let store: Store;
  let target: FakeHttp;
  let printed: string[];
  let restore: Array<() => void>;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
    printed = [];
    const capture = (...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    };
    const spies = [jest.spyOn(console, 'log'), jest.spyOn(console, 'info'), jest.spyOn(console, 'warn'), jest.spyOn(console, 'error')];
    spies.forEach((s) => s.mockImplementation(capture));
    const writes = [process.stdout, process.stderr].map((stream) => {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        printed.push(String(chunk));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return () => {
        stream.write = original;
      };
    });
    restore = [...spies.map((s) => () => s.mockRestore()), ...writes];
  });
  afterEach(async () => {
    restore.forEach((undo) => undo());
    await target.close();
    await store.close();
  });

  test('keys, ping tokens, webhook secrets, Slack URLs and PagerDuty keys are never logged', async () => {
    const secrets: Array<[string, string]> = [];
    // Every channel fails first (so errors are logged), then succeeds.
    target.answer((req, i) => ({ status: i < 3 ? (req.path.startsWith('/slack') ? 404 : 500) : req.path.startsWith('/pd') ? 202 : 200, json: { message: 'nope' } }));
    const deps = testDeps(store, {
      plan: 'pro',
      log: jsonLogger,
      limiter: new MemoryRateLimiter({ ...DEFAULT_RULES, failedAuth: { limit: 2, windowSeconds: 600 }, ping: { limit: 3, windowSeconds: 60 } }),
      // The target stands for hooks.slack.com too: a Slack URL must be on one of slackHosts to be saved.
      notify: { pagerdutyUrl: `${target.origin}/pd`, slackHosts: ['127.0.0.1'] },
    });
    const app = createApp(deps);

    const signup = await request(app).post('/api/v1/accounts').send({ email: 'secret-keeper@example.com' }).expect(201);
    const apiKey: string = signup.body.apiKey;
    secrets.push(['API key', apiKey]);
    const slackUrl = `${target.origin}/slack/T0000/B0000/${'x'.repeat(24)}`;
    const pagerDutyKey = 'R0UT1NGKEY0123456789abcdefABCDEF';
    secrets.push(['Slack URL', slackUrl.slice(target.origin.length)], ['PagerDuty key', pagerDutyKey]);
    const created = await request(app)
      .post('/api/v1/monitors')
      .set('x-api-key', apiKey)
      .send({ name: 'Nightly DB Backup', schedule: 60, alertWebhook: `${target.origin}/hook`, alertSlack: slackUrl, alertPagerDuty: pagerDutyKey })
      .expect(201);
    const token = new URL(created.body.pingUrl).pathname.split('/').pop()!;
    secrets.push(['ping token', token], ['webhook secret', created.body.webhookSecret]);
    // (Recovery tokens join this list where the recovery endpoints create them.)

    // Pings, including refused ones (over the limit) and broken ones.
    for (let i = 0; i < 4; i++) await request(app).get(`/api/v1/ping/${token}`);
    await request(app).post(`/api/v1/ping/${token}`).set('content-type', 'application/json').send('{"broken":');
    await request(app).get(`/api/v1/ping/${token}x`);
    // Wrong keys, near misses of the real one, and a key in the wrong header.
    await request(app).get('/api/v1/monitors').set('x-api-key', `${apiKey.slice(0, -1)}0`);
    await request(app).get('/api/v1/monitors').set('x-api-key', apiKey.toUpperCase());
    await request(app).get('/api/v1/monitors').set('authorization', `Bearer ${apiKey}`);
    await request(app).get(`/api/v1/monitors/${created.body.monitorId}/status`).set('x-api-key', apiKey);

    // The job stops; alerts fail, are retried, then delivered; the job comes back.
    deps.fakeClock.advance(60 + 60 + 1);
    await runCheck(deps, { budgetMs: 10_000 });
    deps.fakeClock.advance(120);
    await runCheck(deps, { budgetMs: 10_000 });
    deps.fakeClock.advance(120);
    await request(app).get(`/api/v1/ping/${token}`).expect(200);
    await runCheck(deps, { budgetMs: 10_000 });

    // An unexpected failure in the middle of a ping: the one place a path is logged.
    const broken = testDeps(
      new Proxy(store, { get: (t, p) => (p === 'recordPing' ? () => Promise.reject(new Error('disk on fire')) : Reflect.get(t, p)) }),
      { log: jsonLogger },
    );
    await request(createApp(broken)).get(`/api/v1/ping/${token}`).expect(500);

    const log = printed.join('\n');
    expect(target.requests.length).toBeGreaterThanOrEqual(4);
    expect(log).toMatch(/alert will be retried/);
    expect(log).toMatch(/unhandled error/);
    for (const [what, value] of secrets) {
      expect({ what, leaked: log.includes(value) }).toEqual({ what, leaked: false });
      expect({ what, leaked: log.toLowerCase().includes(value.toLowerCase()) }).toEqual({ what, leaked: false });
    }
  });
});
