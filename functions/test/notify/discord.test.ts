import { discordNotifier } from '../../src/notify/discord';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { DISCORD_WEBHOOK_TOKEN, startDiscordStandIn, type DiscordStandIn } from '../support/standins/discord';
import { resolveToLoopback, selfSignedCertificate } from '../support/standins/tls';
import { FLIP_AT } from './support/alert';
import { channelAlert, channelTestAlert, contextWith, flappingAlerts, outageAlerts, stillDownAlert } from './support/channel-alerts';

// Discord's execute-webhook API: https://discord.com/developers/docs/resources/webhook#execute-webhook
describe('Discord notifier', () => {
  let discord: DiscordStandIn;
  beforeEach(async () => {
    discord = await startDiscordStandIn();
  });
  afterEach(async () => {
    await discord.close();
  });

  const notifier = (overrides = {}) => discordNotifier(testNotifyConfig(overrides), { timeoutMs: 2_000 });
  const context = () => contextWith({ url: discord.url });

  test('a down alert is one red embed with the details, a link to the monitor and no mentions', async () => {
    const n = channelAlert('discord');
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(discord.messages).toHaveLength(1);
    const [message] = discord.messages;
    expect(message.content).toBe('🔴 **DOWN**: monitor “Nightly DB Backup”');
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.embeds).toEqual([
      {
        title: '🔴 DOWN: monitor “Nightly DB Backup”',
        description: expect.stringContaining(`no ping since 2026-03-28 00:54:00 UTC`),
        color: 0xe74c3c,
        fields: [
          { name: 'Schedule', value: 'every 1 hour', inline: true },
          { name: 'Grace', value: '6 minutes', inline: true },
          { name: 'Last ping', value: '2026-03-28 00:54:00 UTC', inline: true },
          { name: 'Monitor id', value: n.monitorId, inline: true },
        ],
        timestamp: FLIP_AT.toISOString(),
        footer: { text: 'CronPeek' },
        url: `${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}`,
      },
    ]);
    expect(message.userAgent).toBe('CronPeek/test');
  });

  test('the recovery is a green UP embed', async () => {
    const { up } = outageAlerts('discord');
    await notifier().send(up, context());
    expect(discord.messages[0].embeds[0]).toMatchObject({ title: '🟢 UP: monitor “Nightly DB Backup”', color: 0x2ecc71 });
    expect(discord.messages[0].embeds[0].description).toContain(`pinged again at 2026-03-28 02:00:00 UTC`);
  });

  test('a reminder says STILL DOWN with its number', async () => {
    await notifier().send(stillDownAlert('discord'), context());
    expect(discord.messages[0].embeds[0].title).toBe('🔴 STILL DOWN: monitor “Nightly DB Backup”');
    expect(discord.messages[0].embeds[0].description).toContain('reminder 2 of 5, down for 3 hours');
  });

  test('flapping is orange, and settling says where it settled', async () => {
    const { flapping, settled } = flappingAlerts('discord', 'up');
    await notifier().send(flapping, context());
    await notifier().send(settled, context());
    expect(discord.messages.map((m) => [m.embeds[0].title, m.embeds[0].color])).toEqual([
      ['🟠 FLAPPING: monitor “Nightly DB Backup”', 0xe67e22],
      ['🟢 UP: monitor “Nightly DB Backup”', 0x2ecc71],
    ]);
    expect(discord.messages[1].embeds[0].description).toContain('settled after flapping');
  });

  test('a test alert names the channel, says nothing is down and links nowhere', async () => {
    await notifier().send(channelTestAlert('discord', 'Ops room'), context());
    const [embed] = discord.messages[0].embeds;
    expect(embed.title).toBe('🧪 TEST: channel “Ops room”');
    expect(embed.description).toContain('This is a test alert from CronPeek');
    expect(embed.fields).toEqual([]);
    expect(embed.url).toBeUndefined();
  });

  test('markdown and mentions in a monitor name are escaped, not interpreted', async () => {
    await notifier().send(channelAlert('discord', 'monitor.down', { name: '**db** @everyone <@123> [x](https://evil.example)' }), context());
    const [message] = discord.messages;
    expect(message.content).toBe('🔴 **DOWN**: monitor “\\*\\*db\\*\\* \\@everyone \\<\\@123\\> \\[x\\](https://evil.example)”');
    expect(message.embeds[0].title).toContain('\\*\\*db\\*\\* \\@everyone');
  });

  test('a failing run\'s output is shown in a code block that it cannot close', async () => {
    const n = channelAlert('discord');
    n.snapshot.output = 'step 1 ok\n```\n@everyone boom';
    await notifier().send(n, context());
    expect(discord.messages[0].embeds[0].description).toContain("```\nstep 1 ok\n'''\n@everyone boom\n```");
  });

  test('429 with Retry-After is retried no sooner than Discord asked', async () => {
    discord.fail.next({ status: 429, json: { message: 'You are being rate limited.', retry_after: 1.5, global: false }, headers: { 'Retry-After': '2' } });
    expect(await notifier().send(channelAlert('discord'), context())).toEqual({ outcome: 'retry', error: 'Discord answered 429: You are being rate limited.', retryAfterMs: 2_000 });
  });

  test('429 without the header waits its retry_after', async () => {
    discord.fail.next({ status: 429, json: { message: 'You are being rate limited.', retry_after: 0.25, global: false } });
    expect(await notifier().send(channelAlert('discord'), context())).toEqual({ outcome: 'retry', error: 'Discord answered 429: You are being rate limited.', retryAfterMs: 250 });
  });

  test('a Retry-After with a fraction of a second is honoured, rounded up', async () => {
    discord.fail.next({ status: 429, json: { message: 'You are being rate limited.', retry_after: 0.4, global: false }, headers: { 'Retry-After': '0.75' } });
    expect(await notifier().send(channelAlert('discord'), context())).toMatchObject({ outcome: 'retry', retryAfterMs: 750 });
  });

  test.each([500, 502, 503])('answer %i is retried', async (status) => {
    discord.fail.next({ status, json: { message: '500: Internal Server Error', code: 0 } });
    expect(await notifier().send(channelAlert('discord'), context())).toMatchObject({ outcome: 'retry', error: `Discord answered ${status}: 500: Internal Server Error (code 0)` });
  });

  test('a webhook Discord does not know is final and keeps Discord\'s message', async () => {
    const url = discord.url.replace(DISCORD_WEBHOOK_TOKEN, 'x'.repeat(68));
    expect(await notifier().send(channelAlert('discord'), contextWith({ url }))).toEqual({ outcome: 'failed', error: 'Discord answered 404: Unknown Webhook (code 10015)' });
  });

  test('no error quotes the webhook token, even when Discord echoes it', async () => {
    discord.fail.next({ status: 401, json: { message: `Invalid Webhook Token ${DISCORD_WEBHOOK_TOKEN}`, code: 50027 } });
    const result = await notifier().send(channelAlert('discord'), context());
    expect(result).toEqual({ outcome: 'failed', error: 'Discord answered 401: Invalid Webhook Token … (code 50027)' });
  });

  test('a channel without settings is final', async () => {
    expect(await notifier().send(channelAlert('discord'), { webhookSecret: null })).toEqual({ outcome: 'failed', error: 'Discord channel has no settings' });
    expect(discord.requests).toHaveLength(0);
  });

  test('a webhook on a private address is refused unless private targets are allowed', async () => {
    expect(await notifier({ allowPrivateWebhooks: false }).send(channelAlert('discord'), context())).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(discord.requests).toHaveLength(0);
  });
});

describe('a Discord webhook over HTTPS', () => {
  const tls = selfSignedCertificate('discord.com');
  let discord: DiscordStandIn;
  beforeAll(async () => {
    discord = await startDiscordStandIn(tls);
  });
  afterAll(async () => {
    await discord.close();
  });

  test('is delivered to the certificate\'s host, and the host resolving to a private address is refused', async () => {
    const url = `https://discord.com:${discord.port}/api/webhooks/1234567890123456789/${DISCORD_WEBHOOK_TOKEN}`;
    const options = { timeoutMs: 2_000, ca: tls.ca, resolve: resolveToLoopback('discord.com') };
    expect(await discordNotifier(testNotifyConfig(), options).send(channelAlert('discord'), contextWith({ url }))).toEqual({ outcome: 'delivered' });
    const refused = await discordNotifier(testNotifyConfig({ allowPrivateWebhooks: false }), options).send(channelAlert('discord'), contextWith({ url }));
    expect(refused).toEqual({ outcome: 'failed', error: 'refused: discord.com resolves to private address 127.0.0.1' });
    expect(discord.messages).toHaveLength(1);
  });
});
