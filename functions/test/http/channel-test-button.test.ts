import request from 'supertest';
import type { App } from 'supertest/types';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter } from '../../src/limits';
import { SIGNATURE_HEADER } from '../../src/notify/webhook';
import { runCheck } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { alertDeps, type AlertDeps } from '../alerts/support/world';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { verifyCronPeekSignature } from '../notify/support/verify';
import { ApiClient, freshEmail } from '../support/http-client';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../support/standins/pagerduty';
import { startSlackStandIn, type SlackStandIn } from '../support/standins/slack';
import { storeKinds } from '../support/stores';

const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';

/**
 * The test button, `POST /api/v1/channels/{id}/test`, against real local stand-ins for the
 * vendors: Slack's incoming webhooks (https://api.slack.com/messaging/webhooks: `200 ok`, or an
 * error word such as `no_service` with 4xx), PagerDuty's Events API v2
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/: 202, or 400 with `errors`)
 * and a webhook receiver.
 */
describe.each(storeKinds())('the channel test button on %s', (_name, kind) => {
  let store: InspectableStore;
  let slack: SlackStandIn;
  let pd: PagerDutyStandIn;
  let hook: FakeHttp;
  let deps: AlertDeps;
  let app: App;
  let api: ApiClient;
  beforeEach(async () => {
    store = await kind.open();
    slack = await startSlackStandIn();
    pd = await startPagerDutyStandIn();
    hook = await startFakeHttp();
    // The stand-in stands for hooks.slack.com: a Slack URL must be on one of slackHosts to be saved.
    deps = alertDeps(store, { notify: { pagerdutyUrl: pd.eventsUrl, slackHosts: ['127.0.0.1'] } });
    app = createApp(deps);
    api = new ApiClient(app);
  });
  afterEach(async () => {
    await Promise.all([slack.close(), pd.close(), hook.close()]);
    await store.close();
  });

  async function proAccount(): Promise<{ key: string; accountId: string }> {
    const email = freshEmail();
    const key = await api.signup(email);
    const accountId = (await store.findAccountByEmail(email))!.id;
    await store.setAccountPlan(accountId, 'pro');
    return { key, accountId };
  }
  async function channel(key: string, body: Record<string, unknown>): Promise<{ channelId: string; webhookSecret?: string }> {
    return (await request(app).post('/api/v1/channels').set('x-api-key', key).send({ name: 'Ops', ...body }).expect(201)).body;
  }
  const test_ = (key: string, id: string) => request(app).post(`/api/v1/channels/${id}/test`).set('x-api-key', key);
  const logOf = async (id: string) => (await store.notificationHistory({ channelId: id }, { limit: 10, before: null, since: null })).items;

  test('a Slack channel: the message reaches Slack, the answer says delivered, and the row is in its delivery log', async () => {
    const { key } = await proAccount();
    const { channelId } = await channel(key, { kind: 'slack', config: { url: slack.webhookUrl } });
    const { body } = await test_(key, channelId).expect(200);
    expect(body).toEqual({
      notificationId: expect.stringMatching(/^test_/),
      monitorId: null,
      channel: 'slack',
      channelId,
      event: 'channel.test',
      state: 'delivered',
      attempts: 1,
      lastError: null,
      createdAt: deps.clock().toISOString(),
      deliveredAt: deps.clock().toISOString(),
      nextAttemptAt: null,
    });
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0].text).toContain('Ops');
    expect(await logOf(channelId)).toEqual([
      expect.objectContaining({ id: body.notificationId, monitorId: '', channelId, event: 'channel.test', state: 'delivered', attempts: 1, nextAttemptAt: null }),
    ]);
  });

  test("a refusal answers failed with the vendor's own words, and is recorded so", async () => {
    const { key } = await proAccount();
    const { channelId } = await channel(key, { kind: 'slack', config: { url: slack.webhookUrl } });
    slack.fail.next({ status: 404, body: 'no_service' });
    const { body } = await test_(key, channelId).expect(200);
    expect(body).toMatchObject({ state: 'failed', attempts: 1, deliveredAt: null, nextAttemptAt: null });
    expect(body.lastError).toContain('no_service');
    expect((await logOf(channelId))[0]).toMatchObject({ state: 'failed', lastError: body.lastError });
  });

  test("PagerDuty: an accepted event is delivered; an invalid one fails with PagerDuty's reason", async () => {
    const { key } = await proAccount();
    const { channelId } = await channel(key, { kind: 'pagerduty', config: { routingKey: ROUTING_KEY } });
    expect((await test_(key, channelId).expect(200)).body.state).toBe('delivered');
    expect(pd.events).toHaveLength(1);
    expect(pd.events[0].routing_key).toBe(ROUTING_KEY);

    pd.fail.next({ status: 400, json: { status: 'invalid event', message: 'Event object is invalid', errors: ["'routing_key' is invalid"] } });
    const { body } = await test_(key, channelId).expect(200);
    expect(body.state).toBe('failed');
    expect(body.lastError).toContain("'routing_key' is invalid");
  });

  test('an answer that would be retried is answered failed, and the test is never sent again', async () => {
    const { key } = await proAccount();
    const { channelId } = await channel(key, { kind: 'slack', config: { url: slack.webhookUrl } });
    slack.fail.next({ status: 503, body: 'service unavailable' });
    const { body } = await test_(key, channelId).expect(200);
    expect(body).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(body.lastError).toContain('503');

    deps.fakeClock.advance(24 * 3600);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(slack.requests).toHaveLength(1);
    expect((await logOf(channelId))[0]).toMatchObject({ state: 'failed', attempts: 1 });
  });

  test("a webhook channel's test is signed with the channel's own secret", async () => {
    // With the Slack stand-in's host left out of slackHosts, so the receiver is not taken for Slack.
    deps = alertDeps(store, { notify: { pagerdutyUrl: pd.eventsUrl } });
    app = createApp(deps);
    api = new ApiClient(app);
    const { key } = await proAccount();
    const { channelId, webhookSecret } = await channel(key, { kind: 'webhook', config: { url: `${hook.origin}/hook` } });
    expect((await test_(key, channelId).expect(200)).body.state).toBe('delivered');
    expect(hook.requests).toHaveLength(1);
    const { headers, body } = hook.requests[0];
    const now = Math.floor(deps.clock().getTime() / 1000);
    expect(verifyCronPeekSignature(webhookSecret!, headers[SIGNATURE_HEADER.toLowerCase()] as string, body, now)).toBe(true);
  });

  test('an e-mail channel on Free, without a mail transport, answers logged', async () => {
    const key = await api.signup();
    const { channelId } = await channel(key, { kind: 'email', config: { address: 'ops@example.com' } });
    expect((await test_(key, channelId).expect(200)).body).toMatchObject({ channel: 'email', state: 'logged', lastError: null });
  });

  test('after a downgrade the test answers not sent, naming the plan', async () => {
    const { key, accountId } = await proAccount();
    const { channelId } = await channel(key, { kind: 'slack', config: { url: slack.webhookUrl } });
    await store.setAccountPlan(accountId, 'free');
    const { body } = await test_(key, channelId).expect(200);
    expect(body).toMatchObject({ state: 'failed', lastError: 'not sent: Slack alerts need the Pro plan and the account is on free' });
    expect(slack.requests).toHaveLength(0);
  });

  test('at most 5 tests per channel a minute: the 6th is 429 with Retry-After and sends nothing', async () => {
    deps = { ...deps, limiter: new MemoryRateLimiter({ channelTest: { limit: 5, windowSeconds: 60 }, channelTestAccount: { limit: 30, windowSeconds: 3600 } }) };
    app = createApp(deps);
    api = new ApiClient(app);
    const { key } = await proAccount();
    const { channelId } = await channel(key, { kind: 'slack', config: { url: slack.webhookUrl } });
    const other = await channel(key, { kind: 'slack', config: { url: slack.webhookUrl } });
    for (let i = 0; i < 5; i++) await test_(key, channelId).expect(200);
    const refused = await test_(key, channelId).expect(429);
    expect(refused.body).toEqual({ error: expect.stringContaining('Too many tests of this channel.') });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(slack.requests).toHaveLength(5);
    await test_(key, other.channelId).expect(200);
  });

  test('at most 30 tests per account an hour, all channels together', async () => {
    deps = { ...deps, limiter: new MemoryRateLimiter({ channelTest: { limit: 5, windowSeconds: 60 }, channelTestAccount: { limit: 30, windowSeconds: 3600 } }) };
    app = createApp(deps);
    api = new ApiClient(app);
    const { key } = await proAccount();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await channel(key, { kind: 'slack', config: { url: slack.webhookUrl } })).channelId);
    for (let i = 0; i < 30; i++) await test_(key, ids[i % 7]).expect(200);
    expect((await test_(key, ids[6]).expect(429)).body.error).toContain('Too many channel tests for this account.');
  });
});
