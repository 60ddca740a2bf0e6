import request from 'supertest';
import { createApp } from '../../src/http/app';
import { SIGNATURE_HEADER } from '../../src/notify/webhook';
import { runCheck } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { verifyCronPeekSignature } from '../notify/support/verify';
import { storeKinds } from '../support/stores';
import { alertDeps, missDeadline, newMonitor, notificationOf, ping } from './support/world';

describe.each(storeKinds())('webhook alerts on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  test('a missed deadline posts a monitor.down that verifies with the secret from the create response', async () => {
    const deps = alertDeps(store);
    const api = request(createApp(deps));
    const { body: account } = await api.post('/api/v1/accounts').send({ email: 'ops@example.com' }).expect(201);
    const { body: created } = await api
      .post('/api/v1/monitors')
      .set('x-api-key', account.apiKey)
      .send({ name: 'Nightly DB Backup', schedule: 60, alertWebhook: `${target.origin}/hook` })
      .expect(201);
    expect(created.webhookSecret).toMatch(/^whsec_/);
    await api.get(new URL(created.pingUrl).pathname).expect(200);
    const pingedAt = deps.clock();

    deps.fakeClock.advance(120);
    await runCheck(deps, { budgetMs: 10_000 });

    expect(target.requests).toHaveLength(1);
    const { headers, body } = target.requests[0];
    const nowSeconds = Math.floor(deps.clock().getTime() / 1000);
    expect(verifyCronPeekSignature(created.webhookSecret, headers[SIGNATURE_HEADER.toLowerCase()] as string, body, nowSeconds)).toBe(true);
    expect(JSON.parse(body)).toEqual({
      version: 1,
      event: 'monitor.down',
      deliveryId: expect.stringMatching(/_webhook$/),
      occurredAt: deps.clock().toISOString(),
      reason: 'missed',
      output: null,
      monitor: { monitorId: created.monitorId, name: 'Nightly DB Backup', status: 'down', schedule: 60, grace: 60, lastPing: pingedAt.toISOString() },
    });
  });

  test('the delivered webhook is recorded with its delivery time and one attempt', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await missDeadline(deps, m);
    const n = await notificationOf(store, m, 'webhook');
    expect(n).toMatchObject({ state: 'delivered', attempts: 1, nextAttemptAt: null, lastError: null, deliveredAt: deps.clock() });
    expect(JSON.parse(target.requests[0].body).deliveryId).toBe(n.id);
  });

  test('the checker run reports the flip and what each delivery came to', async () => {
    const deps = alertDeps(store);
    target.answer(() => ({ status: 503 }));
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    const report = await missDeadline(deps, m);
    expect(report).toMatchObject({
      due: 1,
      flipped: 1,
      delivery: { attempted: 2, delivered: 0, logged: 1, retrying: 1, failed: 0, held: 0, suppressed: 0 },
      unfinished: false,
    });
  });

  test('after a 500 the webhook is retried and delivered on the next due attempt', async () => {
    const deps = alertDeps(store);
    target.answer((_req, i) => ({ status: i === 0 ? 500 : 200 }));
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await missDeadline(deps, m);
    expect(await notificationOf(store, m, 'webhook')).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: 'webhook answered 500',
      nextAttemptAt: new Date(deps.clock().getTime() + 30_000),
    });

    deps.fakeClock.advance(29);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(target.requests).toHaveLength(1);

    deps.fakeClock.advance(1);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(target.requests).toHaveLength(2);
    expect(await notificationOf(store, m, 'webhook')).toMatchObject({ state: 'delivered', attempts: 2, nextAttemptAt: null });
    expect(target.requests[1].headers['x-cronpeek-delivery']).toBe(target.requests[0].headers['x-cronpeek-delivery']);
  });

  test('after a 400 the webhook fails at once and is never retried', async () => {
    const deps = alertDeps(store);
    target.answer(() => ({ status: 400 }));
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await missDeadline(deps, m);
    deps.fakeClock.advance(6 * 3600);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(target.requests).toHaveLength(1);
    expect(await notificationOf(store, m, 'webhook')).toMatchObject({ state: 'failed', attempts: 1, nextAttemptAt: null, lastError: 'webhook answered 400' });
  });

  test('a target that does not answer in time is recorded for a retry', async () => {
    const deps = alertDeps(store, { webhookTimeoutMs: 1_000 });
    target.answer(() => 'hang');
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await missDeadline(deps, m);
    expect(target.requests).toHaveLength(1);
    expect(await notificationOf(store, m, 'webhook')).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: 'webhook timed out: no answer within 1 s',
    });
  });

  // PORT is the receiver's: a refusal that leaked would arrive there.
  test.each([
    ['127.0.0.1', 'http://127.0.0.1:PORT/hook'],
    ['10.x', 'http://10.20.30.40/hook'],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
    ['::1', 'http://[::1]:PORT/hook'],
    ['localhost', 'http://localhost:PORT/hook'],
  ])('a webhook to %s is refused and recorded as failed when private targets are not allowed', async (_host, url) => {
    const deps = alertDeps(store, { notify: { allowPrivateWebhooks: false } });
    // Saved while private targets were allowed (such a URL is refused when saved now): sending checks again.
    const m = await newMonitor({ ...deps, notify: { ...deps.notify, allowPrivateWebhooks: true } }, { alertWebhook: url.replace('PORT', String(target.port)) });
    await ping(deps, m);
    await missDeadline(deps, m);
    const n = await notificationOf(store, m, 'webhook');
    expect(n).toMatchObject({ state: 'failed', attempts: 1, nextAttemptAt: null });
    expect(n.lastError).toMatch(/^refused: .*private address/);
    expect(target.requests).toHaveLength(0);
  });
});
