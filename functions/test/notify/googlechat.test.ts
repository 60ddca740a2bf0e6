import { googlechatNotifier } from '../../src/notify/googlechat';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { startGoogleChatStandIn, type GoogleChatStandIn } from '../support/standins/googlechat';
import { channelAlert, channelTestAlert, contextWith, flappingAlerts, outageAlerts, stillDownAlert } from './support/channel-alerts';

// Google Chat incoming webhooks: https://developers.google.com/workspace/chat/quickstart/webhooks
describe('Google Chat notifier', () => {
  let chat: GoogleChatStandIn;
  beforeEach(async () => {
    chat = await startGoogleChatStandIn();
  });
  afterEach(async () => {
    await chat.close();
  });

  const notifier = (overrides = {}) => googlechatNotifier(testNotifyConfig(overrides), { timeoutMs: 2_000 });
  const context = () => contextWith({ url: chat.url });
  const lines = (i = 0) => (chat.messages[i].text ?? '').split('\n');

  test('a down alert is a text message in Chat\'s markup with the facts and a link to the monitor', async () => {
    const n = channelAlert('googlechat');
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(lines()[0]).toBe(`🔴 *DOWN: monitor “Nightly DB Backup”* — no ping since 2026-03-28 00:54:00 UTC`);
    expect(lines()).toEqual(expect.arrayContaining(['*Schedule:* every 1 hour', '*Grace:* 6 minutes', `*Monitor id:* ${n.monitorId}`]));
    expect(lines().at(-1)).toBe(`<${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}|Open in CronPeek>`);
    expect(chat.messages[0].userAgent).toBe('CronPeek/test');
  });

  test('up, still down, flapping, settled and test read as on every channel', async () => {
    const { up } = outageAlerts('googlechat');
    const { flapping, settled } = flappingAlerts('googlechat', 'down');
    for (const n of [up, stillDownAlert('googlechat'), flapping, settled, channelTestAlert('googlechat')]) expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(chat.messages.map((m) => m.text?.split(' — ')[0])).toEqual([
      '🟢 *UP: monitor “Nightly DB Backup”*',
      '🔴 *STILL DOWN: monitor “Nightly DB Backup”*',
      '🟠 *FLAPPING: monitor “Nightly DB Backup”*',
      '🔴 *DOWN: monitor “Nightly DB Backup”*',
      '🧪 *TEST: channel “Ops room”*',
    ]);
    expect(lines(4).some((l) => l.includes('Open in CronPeek'))).toBe(false);
  });

  test('mentions, links and markup in a monitor name do nothing', async () => {
    await notifier().send(channelAlert('googlechat', 'monitor.down', { name: '<users/all> *db* _x_ <https://evil.example|click>' }), context());
    expect(lines()[0]).toContain('monitor “‹users/all› ∗db∗ ˍxˍ ‹https://evil.example|click›”');
    expect(chat.messages[0].text).not.toContain('<users/all>');
  });

  test('429 with Retry-After is retried no sooner than asked; 500 is retried', async () => {
    chat.fail.next(
      { status: 429, json: { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }, headers: { 'Retry-After': '1' } },
      { status: 500, json: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } } },
    );
    expect(await notifier().send(channelAlert('googlechat'), context())).toEqual({
      outcome: 'retry',
      error: 'Google Chat answered 429: RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).',
      retryAfterMs: 1_000,
    });
    expect(await notifier().send(channelAlert('googlechat'), context())).toEqual({ outcome: 'retry', error: 'Google Chat answered 500: INTERNAL: Internal error encountered.' });
  });

  test('a space that is gone is final and keeps Google\'s error', async () => {
    const url = chat.url.replace('/spaces/AAAA', '/spaces/BBBB');
    expect(await notifier().send(channelAlert('googlechat'), contextWith({ url }))).toEqual({ outcome: 'failed', error: 'Google Chat answered 404: NOT_FOUND: Requested entity was not found.' });
  });

  test('no error quotes the webhook\'s token', async () => {
    chat.fail.next({ status: 403, json: { error: { code: 403, message: `The caller does not have permission for token ${chat.token}`, status: 'PERMISSION_DENIED' } } });
    const result = await notifier().send(channelAlert('googlechat'), context());
    expect(result).toEqual({ outcome: 'failed', error: 'Google Chat answered 403: PERMISSION_DENIED: The caller does not have permission for token …' });
  });

  test('a channel without settings is final', async () => {
    expect(await notifier().send(channelAlert('googlechat'), { webhookSecret: null })).toEqual({ outcome: 'failed', error: 'Google Chat channel has no settings' });
  });

  test('a webhook on a private address is refused unless private targets are allowed', async () => {
    expect(await notifier({ allowPrivateWebhooks: false }).send(channelAlert('googlechat'), context())).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(chat.requests).toHaveLength(0);
  });
});
