import { slackNotifier } from '../../src/notify/slack';
import { webhookNotifier } from '../../src/notify/webhook';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { startSlackStandIn, type SlackStandIn } from '../support/standins/slack';
import { resolveToLoopback, selfSignedCertificate } from '../support/standins/tls';
import { alertFor, FLIP_AT } from './support/alert';

const noSecret = { webhookSecret: null };

describe('Slack notifier', () => {
  let slack: SlackStandIn;
  beforeEach(async () => {
    slack = await startSlackStandIn();
  });
  afterEach(async () => {
    await slack.close();
  });

  const send = (event: 'monitor.down' | 'monitor.up' = 'monitor.down', url = slack.webhookUrl, name?: string) =>
    slackNotifier(testNotifyConfig(), { timeoutMs: 2_000 }).send(alertFor('slack', url, event, name ? { name } : {}), noSecret);

  test('a down alert is a Slack message with a text fallback, details and a dashboard link', async () => {
    expect(await send()).toEqual({ outcome: 'delivered' });
    expect(slack.messages).toHaveLength(1);
    const [message] = slack.messages;
    expect(message.text).toBe(`🔴 DOWN: Nightly DB Backup — no ping since 2026-03-28 00:54:00 UTC`);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('*Schedule*\\nevery 1 hour');
    expect(shown).toContain('*Grace*\\n6 minutes');
    expect(shown).toContain(`*Last ping*\\n2026-03-28 00:54:00 UTC`);
    expect(message.blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the CronPeek dashboard' }, url: `${TEST_PUBLIC_URL}/dashboard.html` }],
    });
    expect(message.userAgent).toBe('CronPeek/test');
  });

  test('a recovery says UP and when the job pinged again', async () => {
    await send('monitor.up');
    expect(slack.messages[0].text).toBe(`🟢 UP: Nightly DB Backup — pinged again at 2026-03-28 02:00:00 UTC`);
  });

  test('markup in a monitor name is escaped, not interpreted', async () => {
    await send('monitor.down', slack.webhookUrl, 'db <!channel> & co');
    expect(slack.messages[0].text).toContain('DOWN: db &lt;!channel&gt; &amp; co');
  });

  test.each([
    [404, 'no_service'],
    [410, 'channel_is_archived'],
    [400, 'invalid_payload'],
    [403, 'action_prohibited'],
  ])('answer %i is final and keeps Slack\'s reason', async (status, body) => {
    slack.fail.next({ status, body });
    expect(await send()).toEqual({ outcome: 'failed', error: `Slack answered ${status}: ${body}` });
  });

  test.each([
    [429, 'rate_limited'],
    [500, 'rollup_error'],
    [503, 'service_unavailable'],
  ])('answer %i is retried with Slack\'s reason', async (status, body) => {
    slack.fail.next({ status, body });
    expect(await send()).toEqual({ outcome: 'retry', error: `Slack answered ${status}: ${body}` });
  });

  test('a URL the stand-in does not know is refused the way Slack refuses it', async () => {
    expect(await send('monitor.down', `${slack.origin}/services/nope`)).toEqual({ outcome: 'failed', error: 'Slack answered 404: no_service' });
  });

  test('a Slack URL on a private address is refused unless private targets are allowed', async () => {
    const result = await slackNotifier(testNotifyConfig({ allowPrivateWebhooks: false })).send(alertFor('slack', slack.webhookUrl), noSecret);
    expect(result).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(slack.requests).toHaveLength(0);
  });
});

describe('a Slack channel object', () => {
  let slack: SlackStandIn;
  beforeEach(async () => {
    slack = await startSlackStandIn();
  });
  afterEach(async () => {
    await slack.close();
  });

  const channelAlert = () => ({ ...alertFor('slack', 'ch_0123456789abcdef'), channelId: 'ch_0123456789abcdef', target: 'ch_0123456789abcdef' });
  const send = (slackHosts: string[], url = slack.webhookUrl) =>
    slackNotifier(testNotifyConfig({ slackHosts }), { timeoutMs: 2_000 }).send(channelAlert(), { webhookSecret: null, config: { url } });

  test('posts to its configured URL when the host is one of the Slack hosts', async () => {
    expect(await send(['hooks.slack.com', '127.0.0.1'])).toEqual({ outcome: 'delivered' });
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0].path).toBe(new URL(slack.webhookUrl).pathname);
  });

  test('a URL outside the Slack hosts is final, before any request', async () => {
    expect(await send(['hooks.slack.com'])).toEqual({ outcome: 'failed', error: 'Slack webhook URL must be on hooks.slack.com, not 127.0.0.1' });
    expect(slack.requests).toHaveLength(0);
  });

  test('a refusal that quotes the webhook path does not show it', async () => {
    const path = new URL(slack.webhookUrl).pathname;
    slack.fail.next({ status: 404, body: `no_service ${path}` });
    expect(await send(['127.0.0.1'])).toEqual({ outcome: 'failed', error: 'Slack answered 404: no_service …' });
  });

  test('a monitor\'s own alertSlack is not held to the Slack hosts (Slack-compatible servers use it)', async () => {
    const result = await slackNotifier(testNotifyConfig({ slackHosts: ['hooks.slack.com'] }), { timeoutMs: 2_000 }).send(alertFor('slack', slack.webhookUrl), noSecret);
    expect(result).toEqual({ outcome: 'delivered' });
  });
});

describe('a webhook on hooks.slack.com', () => {
  const tls = selfSignedCertificate('hooks.slack.com');
  let slack: SlackStandIn;
  beforeEach(async () => {
    slack = await startSlackStandIn({ key: tls.key, cert: tls.cert });
  });
  afterEach(async () => {
    await slack.close();
  });

  const hookUrl = () => `https://hooks.slack.com:${slack.port}/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c`;
  const webhook = (allowPrivateWebhooks: boolean) =>
    webhookNotifier(testNotifyConfig({ allowPrivateWebhooks }), () => FLIP_AT, { resolve: resolveToLoopback('hooks.slack.com'), ca: tls.ca });

  test('is sent in Slack\'s format, not CronPeek\'s webhook JSON', async () => {
    expect(await webhook(true).send(alertFor('webhook', hookUrl()), { webhookSecret: 'whsec_test' })).toEqual({ outcome: 'delivered' });
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0].text).toMatch(/^🔴 DOWN: Nightly DB Backup — no ping since /);
    expect(JSON.parse(slack.requests[0].body)).not.toHaveProperty('version');
  });

  test('still passes the private-address check at connect time', async () => {
    const result = await webhook(false).send(alertFor('webhook', hookUrl()), { webhookSecret: 'whsec_test' });
    expect(result).toEqual({ outcome: 'failed', error: 'refused: hooks.slack.com resolves to private address 127.0.0.1' });
    expect(slack.requests).toHaveLength(0);
  });

  test('a webhook on any other host keeps CronPeek\'s JSON', async () => {
    const other = webhookNotifier(testNotifyConfig(), () => FLIP_AT, { resolve: resolveToLoopback('hooks.example.com'), ca: tls.ca });
    // The certificate is for hooks.slack.com, so plain HTTP to the same stand-in shows the body that would be sent.
    const plain = await startSlackStandIn();
    try {
      await other.send(alertFor('webhook', `http://hooks.example.com:${plain.port}/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c`), { webhookSecret: 'whsec_test' });
      expect(plain.requests).toHaveLength(1);
      expect(JSON.parse(plain.requests[0].body)).toMatchObject({ version: 1, event: 'monitor.down' });
    } finally {
      await plain.close();
    }
  });
});
