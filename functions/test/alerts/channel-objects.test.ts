import type { Account, AlertChannel, Monitor, Notification } from '../../src/domain/types';
import { SIGNATURE_HEADER } from '../../src/notify/webhook';
import { createChannel, deleteChannel, editChannel, testChannel, type ChannelInput } from '../../src/services/channels';
import { runCheck } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { verifyCronPeekSignature } from '../notify/support/verify';
import { storeKinds } from '../support/stores';
import { alertDeps, missDeadline, newAccount, newMonitor, ping, type AlertDeps } from './support/world';

/**
 * Alerts to channel objects through the outbox: a monitor attached to a channel goes down, the
 * checker queues a row for the channel, and delivery reads the channel as it is at send time.
 */
describe.each(storeKinds())('alerts to channel objects on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  let deps: AlertDeps;
  let account: Account;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
    // Telegram's Bot API is the same receiver, so no test reaches the real one.
    deps = alertDeps(store, { notify: { telegramUrl: target.origin } });
    account = await newAccount(deps);
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  const webhookChannel = (overrides: Partial<ChannelInput> = {}): Promise<AlertChannel> =>
    createChannel(deps, account, { kind: 'webhook', name: 'Incident bridge', config: { url: `${target.origin}/hook` }, ...overrides });
  /** A monitor of the account attached to `channel`, pinged once. */
  async function attachedMonitor(channel: AlertChannel): Promise<Monitor> {
    const m = await newMonitor(deps, { channels: [channel.id] }, account);
    return ping(deps, m);
  }
  async function channelRows(m: Monitor): Promise<Notification[]> {
    return (await store.listNotifications(m.id)).filter((n) => n.channelId !== null);
  }
  async function retryAt(n: Notification): Promise<void> {
    deps.fakeClock.set(n.nextAttemptAt!.toISOString());
    await runCheck(deps, { budgetMs: 10_000 });
  }

  test("a monitor attached to a webhook channel goes down: the channel's URL gets it, signed with the channel's secret", async () => {
    const channel = await webhookChannel();
    const m = await attachedMonitor(channel);
    await missDeadline(deps, m);

    expect(target.requests).toHaveLength(1);
    const { path, headers, body } = target.requests[0];
    expect(path).toBe('/hook');
    const now = Math.floor(deps.clock().getTime() / 1000);
    expect(verifyCronPeekSignature(channel.webhookSecret!, headers[SIGNATURE_HEADER.toLowerCase()] as string, body, now)).toBe(true);
    expect(JSON.parse(body)).toMatchObject({ event: 'monitor.down', monitor: { monitorId: m.id } });
    const [row] = await channelRows(m);
    expect(row).toMatchObject({ channel: 'webhook', channelId: channel.id, target: channel.id, state: 'delivered', attempts: 1 });
  });

  test('the URL is read at send time: a channel fixed after a failure gets the retry', async () => {
    const channel = await webhookChannel({ config: { url: `${target.origin}/old` } });
    target.answer((req) => ({ status: req.path === '/old' ? 503 : 200 }));
    const m = await attachedMonitor(channel);
    await missDeadline(deps, m);
    await editChannel(deps, account, channel.id, { config: { url: `${target.origin}/new` } });
    await retryAt((await channelRows(m))[0]);
    expect(target.requests.map((r) => r.path)).toEqual(['/old', '/new']);
    expect((await channelRows(m))[0]).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  test('a queued alert to a channel deleted meanwhile is recorded as not sent', async () => {
    const channel = await webhookChannel();
    target.answer(() => ({ status: 503 }));
    const m = await attachedMonitor(channel);
    await missDeadline(deps, m);
    const [queued] = await channelRows(m);
    expect(queued.state).toBe('pending');

    await deleteChannel(deps, account, channel.id);
    await retryAt(queued);
    expect(target.requests).toHaveLength(1);
    expect((await channelRows(m))[0]).toMatchObject({ state: 'failed', lastError: 'not sent: the channel was deleted', nextAttemptAt: null });
  });

  test('a deleted channel no longer alerts: the monitor it was attached to queues nothing for it', async () => {
    const channel = await webhookChannel();
    const m = await attachedMonitor(channel);
    await deleteChannel(deps, account, channel.id);
    await missDeadline(deps, m);
    expect(await channelRows(m)).toEqual([]);
    expect(target.requests).toHaveLength(0);
  });

  test('a channel that does not take down alerts gets none, and still gets the recovery', async () => {
    const channel = await webhookChannel({ events: ['up'] });
    const m = await attachedMonitor(channel);
    await missDeadline(deps, m);
    expect(target.requests).toHaveLength(0);
    deps.fakeClock.advance(60);
    await ping(deps, m);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(target.requests.map((r) => JSON.parse(r.body).event)).toEqual(['monitor.up']);
  });

  test('a queued alert whose event the channel no longer takes is recorded as not sent', async () => {
    const channel = await webhookChannel();
    target.answer(() => ({ status: 503 }));
    const m = await attachedMonitor(channel);
    await missDeadline(deps, m);
    await editChannel(deps, account, channel.id, { events: ['up'] });
    await retryAt((await channelRows(m))[0]);
    expect(target.requests).toHaveLength(1);
    expect((await channelRows(m))[0]).toMatchObject({ state: 'failed', lastError: 'not sent: the channel no longer takes down alerts' });
  });

  test("after a downgrade to Free, alerts to a Pro kind's channel are recorded as not sent", async () => {
    const channel = await webhookChannel();
    const m = await attachedMonitor(channel);
    await store.setAccountPlan(account.id, 'free');
    await missDeadline(deps, m);
    expect(target.requests).toHaveLength(0);
    expect((await channelRows(m))[0]).toMatchObject({ state: 'failed', lastError: 'not sent: Webhook alerts need the Pro plan and the account is on free' });
  });

  test("no channel secret reaches the log: URLs, header values, tokens and the channel's signing key", async () => {
    const headerSecret = 'Bearer hdr-secret-0123456789abcdef';
    const channel = await webhookChannel({ config: { url: `${target.origin}/hook/path-secret-0123456789`, headers: { Authorization: headerSecret } } });
    const telegram = await createChannel(deps, account, {
      kind: 'telegram',
      name: 'TG',
      config: { botToken: '123456789:AAHsecretTelegramToken0123456789', chatId: '42' },
    });
    // Every send fails first (so errors are logged), then succeeds.
    target.answer((_req, i) => ({ status: i < 2 ? 500 : 400, json: { message: 'nope' } }));
    const m = await attachedMonitor(channel);
    await missDeadline(deps, m);
    await retryAt((await channelRows(m))[0]);
    await testChannel(deps, channel);
    await testChannel(deps, telegram);

    const printed = JSON.stringify(deps.lines);
    expect(deps.lines.length).toBeGreaterThan(0);
    for (const secret of ['path-secret-0123456789', headerSecret, channel.webhookSecret!, 'AAHsecretTelegramToken0123456789']) expect(printed).not.toContain(secret);
  });
});
