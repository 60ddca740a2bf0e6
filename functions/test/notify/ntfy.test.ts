import { ntfyNotifier } from '../../src/notify/ntfy';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { startNtfyStandIn, type NtfyStandIn } from '../support/standins/ntfy';
import { channelAlert, channelTestAlert, contextWith, flappingAlerts, outageAlerts, stillDownAlert } from './support/channel-alerts';

// ntfy's JSON publishing: https://docs.ntfy.sh/publish/#publish-as-json
const TOKEN = 'tk_cronpeekstandin0123456789abc';

describe('ntfy notifier', () => {
  let ntfy: NtfyStandIn;
  beforeEach(async () => {
    ntfy = await startNtfyStandIn({ token: TOKEN });
  });
  afterEach(async () => {
    await ntfy.close();
  });

  const notifier = (overrides = {}) => ntfyNotifier(testNotifyConfig({ ntfyUrl: ntfy.origin, ...overrides }), { timeoutMs: 2_000 });
  const context = (extra: Record<string, string> = {}) => contextWith({ topic: 'cronpeek-ops', token: TOKEN, ...extra });

  test('a down alert is published to the topic at top priority, with the token, and opens the monitor when tapped', async () => {
    const n = channelAlert('ntfy');
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(ntfy.messages).toHaveLength(1);
    const [message] = ntfy.messages;
    expect(message).toMatchObject({
      topic: 'cronpeek-ops',
      title: `DOWN: monitor “Nightly DB Backup” — no ping since 2026-03-28 00:54:00 UTC`,
      priority: 5,
      tags: ['rotating_light'],
      click: `${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}`,
      authorization: `Bearer ${TOKEN}`,
      userAgent: 'CronPeek/test',
    });
    expect(message.message).toContain('No ping arrived within its schedule');
    expect(message.message).toContain(`Monitor id: ${n.monitorId}`);
  });

  test('priority and tag follow the event', async () => {
    const { up } = outageAlerts('ntfy');
    const { flapping, settled } = flappingAlerts('ntfy', 'down');
    for (const n of [up, stillDownAlert('ntfy'), flapping, settled, channelTestAlert('ntfy')]) await notifier().send(n, context());
    expect(ntfy.messages.map((m) => [m.title?.split(':')[0], m.priority, m.tags])).toEqual([
      ['UP', 3, ['white_check_mark']],
      ['STILL DOWN', 4, ['rotating_light']],
      ['FLAPPING', 4, ['warning']],
      ['DOWN', 4, ['rotating_light']],
      ['TEST', 2, ['test_tube']],
    ]);
    expect(ntfy.messages[1].title).toContain('reminder 2 of 5, down for 3 hours');
    expect(ntfy.messages[4].title).toBe('TEST: channel “Ops room” — a test alert; nothing is down');
    expect(ntfy.messages[4].click).toBeUndefined();
  });

  test('a channel without a server publishes to the configured default', async () => {
    await notifier().send(channelAlert('ntfy'), context());
    const other = await startNtfyStandIn({ token: TOKEN });
    try {
      await notifier().send(channelAlert('ntfy'), context({ server: `${other.origin}/` }));
      expect([ntfy.messages.length, other.messages.length]).toEqual([1, 1]);
    } finally {
      await other.close();
    }
  });

  test('a public topic is published without a token', async () => {
    const open = await startNtfyStandIn();
    try {
      expect(await notifier().send(channelAlert('ntfy'), contextWith({ topic: 'cronpeek-ops', server: open.origin }))).toEqual({ outcome: 'delivered' });
      expect(open.messages[0].authorization).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  test('a topic that needs a token is final without one, and a wrong token never shows in the error', async () => {
    expect(await notifier().send(channelAlert('ntfy'), contextWith({ topic: 'cronpeek-ops' }))).toEqual({ outcome: 'failed', error: 'ntfy answered 401: unauthorized (code 40101)' });
    const wrong = 'tk_wrongtoken0123456789abcdefgh';
    ntfy.fail.next({ status: 403, json: { code: 40301, http: 403, error: `forbidden for ${wrong}`, link: 'https://ntfy.sh/docs/publish/#authentication' } });
    const result = await notifier().send(channelAlert('ntfy'), contextWith({ topic: 'cronpeek-ops', token: wrong }));
    expect(result).toEqual({ outcome: 'failed', error: 'ntfy answered 403: forbidden for … (code 40301)' });
  });

  test('429 with Retry-After is retried no sooner than asked', async () => {
    ntfy.fail.next({ status: 429, json: { code: 42901, http: 429, error: 'limit reached: too many requests' }, headers: { 'Retry-After': '60' } });
    expect(await notifier().send(channelAlert('ntfy'), context())).toEqual({ outcome: 'retry', error: 'ntfy answered 429: limit reached: too many requests (code 42901)', retryAfterMs: 60_000 });
  });

  test('503 is retried', async () => {
    ntfy.fail.next({ status: 503, json: { code: 50301, http: 503, error: 'service unavailable' } });
    expect(await notifier().send(channelAlert('ntfy'), context())).toMatchObject({ outcome: 'retry' });
  });

  test('400 is final and keeps ntfy\'s error', async () => {
    ntfy.fail.next({ status: 400, json: { code: 40009, http: 400, error: 'invalid request: topic invalid' } });
    expect(await notifier().send(channelAlert('ntfy'), context())).toEqual({ outcome: 'failed', error: 'ntfy answered 400: invalid request: topic invalid (code 40009)' });
  });

  test('a channel without settings is final', async () => {
    expect(await notifier().send(channelAlert('ntfy'), { webhookSecret: null })).toEqual({ outcome: 'failed', error: 'ntfy channel has no settings' });
  });

  test('a server on a private address is refused unless private targets are allowed', async () => {
    expect(await notifier({ allowPrivateWebhooks: false }).send(channelAlert('ntfy'), context())).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(ntfy.requests).toHaveLength(0);
  });
});
