import { telegramNotifier } from '../../src/notify/telegram';
import { CHANNELS } from '../../src/domain/channels';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { htmlProblem, startTelegramStandIn, TELEGRAM_BOT_TOKEN, type TelegramStandIn } from '../support/standins/telegram';
import { channelAlert, channelTestAlert, contextWith, flappingAlerts, outageAlerts, stillDownAlert } from './support/channel-alerts';

// Telegram Bot API sendMessage: https://core.telegram.org/bots/api#sendmessage
describe('Telegram notifier', () => {
  let telegram: TelegramStandIn;
  beforeEach(async () => {
    telegram = await startTelegramStandIn();
  });
  afterEach(async () => {
    await telegram.close();
  });

  const notifier = (overrides = {}) => telegramNotifier(testNotifyConfig({ telegramUrl: telegram.origin, ...overrides }), { timeoutMs: 2_000 });
  const context = (chatId = '-1001234567890') => contextWith({ botToken: TELEGRAM_BOT_TOKEN, chatId });

  test('a down alert is an HTML message to the chat, with the details and a link to the monitor, previews off', async () => {
    const n = channelAlert('telegram');
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(telegram.messages).toHaveLength(1);
    const [message] = telegram.messages;
    expect(message).toMatchObject({ chatId: '-1001234567890', parseMode: 'HTML', linkPreviewDisabled: true, userAgent: 'CronPeek/test' });
    expect(message.text.split('\n').slice(0, 2)).toEqual(['🔴 <b>DOWN: monitor “Nightly DB Backup”</b>', `no ping since 2026-03-28 00:54:00 UTC`]);
    expect(message.text).toContain('<b>Schedule:</b> every 1 hour');
    expect(message.text).toContain(`<b>Monitor id:</b> ${n.monitorId}`);
    expect(message.text).toContain(`<a href="${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}">Open in CronPeek</a>`);
  });

  test('a channel\'s @username is sent as it is', async () => {
    await notifier().send(channelAlert('telegram'), context('@cronpeek_ops'));
    expect(telegram.messages[0].chatId).toBe('@cronpeek_ops');
  });

  test('up, still down, flapping, settled and test read as on every channel', async () => {
    const { up } = outageAlerts('telegram');
    const { flapping, settled } = flappingAlerts('telegram', 'up');
    for (const n of [up, stillDownAlert('telegram'), flapping, settled, channelTestAlert('telegram')]) expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(telegram.messages.map((m) => m.text.split('\n')[0])).toEqual([
      '🟢 <b>UP: monitor “Nightly DB Backup”</b>',
      '🔴 <b>STILL DOWN: monitor “Nightly DB Backup”</b>',
      '🟠 <b>FLAPPING: monitor “Nightly DB Backup”</b>',
      '🟢 <b>UP: monitor “Nightly DB Backup”</b>',
      '🧪 <b>TEST: channel “Ops room”</b>',
    ]);
    expect(telegram.messages[0].text).toContain(`pinged again at 2026-03-28 02:00:00 UTC`);
    expect(telegram.messages[1].text).toContain('reminder 2 of 5, down for 3 hours');
    expect(telegram.messages[4].text).not.toContain('Open in CronPeek');
  });

  test('HTML in a monitor name and its output is escaped: Telegram parses the message and shows the name as written', async () => {
    const n = channelAlert('telegram', 'monitor.down', { name: '<b>db</b> & <a href="x">co</a>' });
    n.snapshot.output = 'error: <stdin> & </pre> boom';
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(telegram.messages[0].text).toContain('monitor “&lt;b&gt;db&lt;/b&gt; &amp; &lt;a href="x"&gt;co&lt;/a&gt;”');
    expect(telegram.messages[0].text).toContain('<pre>error: &lt;stdin&gt; &amp; &lt;/pre&gt; boom</pre>');
  });

  test('the stand-in refuses unescaped HTML the way Telegram does', () => {
    expect(htmlProblem('<b>db <x> co</b>')).toMatch(/^can't parse entities: Unsupported start tag "x"/);
    expect(htmlProblem('a & b')).toMatch(/^can't parse entities: Character entity expected/);
    expect(htmlProblem('<b>ok</b> &amp; <i>fine</i>')).toBeNull();
  });

  test('429 without Retry-After waits parameters.retry_after', async () => {
    telegram.fail.next({ status: 429, json: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } });
    expect(await notifier().send(channelAlert('telegram'), context())).toEqual({ outcome: 'retry', error: 'Telegram answered 429: Too Many Requests: retry after 7', retryAfterMs: 7_000 });
  });

  test('429 with Retry-After waits what the header says', async () => {
    telegram.fail.next({ status: 429, json: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } }, headers: { 'Retry-After': '9' } });
    expect(await notifier().send(channelAlert('telegram'), context())).toMatchObject({ outcome: 'retry', retryAfterMs: 9_000 });
  });

  test('500 is retried', async () => {
    telegram.fail.next({ status: 500, json: { ok: false, error_code: 500, description: 'Internal Server Error' } });
    expect(await notifier().send(channelAlert('telegram'), context())).toEqual({ outcome: 'retry', error: 'Telegram answered 500: Internal Server Error' });
  });

  test.each([
    [400, 'Bad Request: chat not found'],
    [403, 'Forbidden: bot was kicked from the supergroup chat'],
  ])('answer %i is final and keeps Telegram\'s description', async (status, description) => {
    telegram.fail.next({ status, json: { ok: false, error_code: status, description } });
    expect(await notifier().send(channelAlert('telegram'), context())).toEqual({ outcome: 'failed', error: `Telegram answered ${status}: ${description}` });
  });

  test('a token Telegram does not know is final, and no error quotes a token', async () => {
    const wrong = '987654321:AAHsomeoneElsesTokenThatIsLongEnough_x';
    const result = await notifier().send(channelAlert('telegram'), contextWith({ botToken: wrong, chatId: '42' }));
    expect(result).toEqual({ outcome: 'failed', error: 'Telegram answered 401: Unauthorized' });
    telegram.fail.next({ status: 400, json: { ok: false, error_code: 400, description: `Bad Request: bot${TELEGRAM_BOT_TOKEN} is not a member` } });
    const echoed = await notifier().send(channelAlert('telegram'), context());
    expect(JSON.stringify(echoed)).not.toContain(TELEGRAM_BOT_TOKEN);
    expect(echoed).toEqual({ outcome: 'failed', error: 'Telegram answered 400: Bad Request: bot… is not a member' });
  });

  test('the stand-in\'s token is one a channel object accepts', () => {
    expect(CHANNELS.telegram.config.botToken.format.pattern.test(TELEGRAM_BOT_TOKEN)).toBe(true);
  });

  test('a channel without settings is final', async () => {
    expect(await notifier().send(channelAlert('telegram'), contextWith({ chatId: '42' }))).toEqual({ outcome: 'failed', error: 'Telegram channel has no settings' });
    expect(telegram.requests).toHaveLength(0);
  });

  test('a Bot API origin on a private address is refused unless private targets are allowed', async () => {
    expect(await notifier({ allowPrivateWebhooks: false }).send(channelAlert('telegram'), context())).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(telegram.requests).toHaveLength(0);
  });
});
