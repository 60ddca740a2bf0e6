import { pushoverNotifier } from '../../src/notify/pushover';
import { CHANNELS } from '../../src/domain/channels';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { PUSHOVER_APP_TOKEN, PUSHOVER_USER_KEY, startPushoverStandIn, type PushoverStandIn } from '../support/standins/pushover';
import { FLIP_AT } from './support/alert';
import { channelAlert, channelTestAlert, contextWith, flappingAlerts, outageAlerts, stillDownAlert } from './support/channel-alerts';

// Pushover's message API: https://pushover.net/api
describe('Pushover notifier', () => {
  let pushover: PushoverStandIn;
  beforeEach(async () => {
    pushover = await startPushoverStandIn();
  });
  afterEach(async () => {
    await pushover.close();
  });

  const notifier = (overrides = {}) => pushoverNotifier(testNotifyConfig({ pushoverUrl: pushover.url, ...overrides }), { timeoutMs: 2_000 });
  const context = () => contextWith({ userKey: PUSHOVER_USER_KEY, appToken: PUSHOVER_APP_TOKEN });

  test('a down alert is a high-priority message with a link to the monitor, dated when it went down', async () => {
    const n = channelAlert('pushover');
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(pushover.messages).toHaveLength(1);
    const [message] = pushover.messages;
    expect(message).toMatchObject({
      user: PUSHOVER_USER_KEY,
      title: `🔴 DOWN: monitor “Nightly DB Backup” — no ping since 2026-03-28 00:54:00 UTC`,
      priority: 1,
      url: `${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}`,
      url_title: 'Open in CronPeek',
      timestamp: FLIP_AT.getTime() / 1000,
      userAgent: 'CronPeek/test',
    });
    expect(message.message).toContain('No ping arrived within its schedule');
  });

  test('priority follows the event: high for an outage, normal for up and flapping, low for a test', async () => {
    const { up } = outageAlerts('pushover');
    const { flapping, settled } = flappingAlerts('pushover', 'up');
    for (const n of [up, stillDownAlert('pushover'), flapping, settled, channelTestAlert('pushover')]) expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(pushover.messages.map((m) => [m.title?.split(':')[0], m.priority])).toEqual([
      ['🟢 UP', 0],
      ['🔴 STILL DOWN', 1],
      ['🟠 FLAPPING', 0],
      ['🟢 UP', 0],
      ['🧪 TEST', -1],
    ]);
    expect(pushover.messages[1].title).toContain('reminder 2 of 5');
    expect(pushover.messages[4].url).toBeUndefined();
  });

  test('a long failing output is cut to Pushover\'s 1024 characters', async () => {
    const n = channelAlert('pushover');
    n.snapshot.output = 'x'.repeat(3_000);
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(pushover.messages[0].message.length).toBeLessThanOrEqual(1_024);
  });

  test('an invalid user key is final, keeps Pushover\'s error and quotes no key', async () => {
    const wrong = 'wrongUserKey0123456789abcdefgh';
    const result = await notifier().send(channelAlert('pushover'), contextWith({ userKey: wrong, appToken: PUSHOVER_APP_TOKEN }));
    expect(result).toEqual({ outcome: 'failed', error: 'Pushover answered 400: user identifier is not a valid user, group, or subscribed user key' });
    pushover.fail.next({ status: 400, json: { token: 'invalid', errors: [`application token ${PUSHOVER_APP_TOKEN} is invalid`], status: 0, request: 'r' } });
    expect(await notifier().send(channelAlert('pushover'), context())).toEqual({ outcome: 'failed', error: 'Pushover answered 400: application token … is invalid' });
  });

  test('429 with Retry-After is retried no sooner than asked; 5xx is retried', async () => {
    pushover.fail.next(
      { status: 429, json: { status: 0, errors: ['application has exceeded its message limit'], request: 'r' }, headers: { 'Retry-After': '3600' } },
      { status: 503, json: { status: 0, errors: ['service unavailable'], request: 'r' } },
    );
    expect(await notifier().send(channelAlert('pushover'), context())).toEqual({ outcome: 'retry', error: 'Pushover answered 429: application has exceeded its message limit', retryAfterMs: 3_600_000 });
    expect(await notifier().send(channelAlert('pushover'), context())).toEqual({ outcome: 'retry', error: 'Pushover answered 503: service unavailable' });
  });

  test('the stand-in\'s keys are ones a channel object accepts', () => {
    expect(CHANNELS.pushover.config.userKey.format.pattern.test(PUSHOVER_USER_KEY)).toBe(true);
    expect(CHANNELS.pushover.config.appToken.format.pattern.test(PUSHOVER_APP_TOKEN)).toBe(true);
  });

  test('a channel without settings is final', async () => {
    expect(await notifier().send(channelAlert('pushover'), contextWith({ userKey: PUSHOVER_USER_KEY }))).toEqual({ outcome: 'failed', error: 'Pushover channel has no settings' });
  });

  test('an endpoint on a private address is refused unless private targets are allowed', async () => {
    expect(await notifier({ allowPrivateWebhooks: false }).send(channelAlert('pushover'), context())).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(pushover.requests).toHaveLength(0);
  });
});
