import type { AlertEvent, Notification } from '../../src/domain/types';
import { commonMarkText } from '../../src/notify/message';
import { mattermostNotifier } from '../../src/notify/mattermost';
import type { NotifyConfig } from '../../src/notify/types';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { appError, MATTERMOST_HOOK_ID, startMattermostStandIn, type MattermostStandIn } from '../support/standins/mattermost';
import { alertFor, FLIP_AT } from './support/alert';

const CHANNEL_ID = 'ch_0123456789abcdef';

/** A Mattermost channel object's alert of `event`, made from a real outbox row. */
function alert(event: AlertEvent = 'monitor.down', name?: string): Notification {
  const base = alertFor('mattermost', CHANNEL_ID, event === 'monitor.up' ? 'monitor.up' : 'monitor.down', name === undefined ? {} : { name });
  const n: Notification = { ...base, channelId: CHANNEL_ID };
  switch (event) {
    case 'monitor.still_down':
      return { ...n, event, snapshot: { ...n.snapshot, reminder: { number: 2, limit: 5, downSince: FLIP_AT.toISOString() } } };
    case 'monitor.flapping':
    case 'monitor.settled':
      return { ...n, event, snapshot: { ...n.snapshot, status: 'down' } };
    case 'channel.test':
      return { ...n, event, snapshot: { ...n.snapshot, name: name ?? 'Ops room' } };
    default:
      return n;
  }
}

describe('Mattermost notifier', () => {
  let mm: MattermostStandIn;
  beforeEach(async () => {
    mm = await startMattermostStandIn();
  });
  afterEach(async () => {
    await mm.close();
  });

  const send = (n: Notification, url = mm.url, config: Partial<NotifyConfig> = {}) =>
    mattermostNotifier(testNotifyConfig(config), { timeoutMs: 2_000 }).send(n, { webhookSecret: null, config: { url } });

  test('a down alert is a post with a text line and a red attachment linking to the monitor', async () => {
    const n = alert();
    expect(await send(n)).toEqual({ outcome: 'delivered' });
    expect(mm.messages).toHaveLength(1);
    const [post] = mm.messages;
    expect(post.username).toBe('CronPeek');
    expect(post.text).toMatch(/^🔴 \*\*DOWN\*\*: monitor `Nightly DB Backup` — no ping since /);
    expect(post.attachments).toEqual([
      expect.objectContaining({
        color: '#d62728',
        fallback: expect.stringMatching(/^🔴 DOWN: monitor “Nightly DB Backup” — /),
        title: 'Open the CronPeek dashboard',
        title_link: `${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}`,
        fields: expect.arrayContaining([{ short: true, title: 'Monitor id', value: n.monitorId }]),
      }),
    ]);
    expect(post.userAgent).toBe('CronPeek/test');
  });

  test.each([
    ['monitor.up', /^🟢 \*\*UP\*\*: monitor `Nightly DB Backup` — pinged again/, '#2ca02c'],
    ['monitor.still_down', /^🔴 \*\*STILL DOWN\*\*: monitor `Nightly DB Backup` — reminder 2 of 5/, '#d62728'],
    ['monitor.flapping', /^🟠 \*\*FLAPPING\*\*: monitor `Nightly DB Backup` — changed status/, '#ff7f0e'],
    ['monitor.settled', /^🔴 \*\*DOWN\*\*: monitor `Nightly DB Backup` — settled after flapping/, '#d62728'],
  ] as const)('%s reads as on every channel', async (event, text, color) => {
    expect(await send(alert(event))).toEqual({ outcome: 'delivered' });
    expect(mm.messages[0].text).toMatch(text);
    expect(mm.messages[0].attachments[0].color).toBe(color);
  });

  test('a test alert names the channel, has no monitor facts and no dashboard link', async () => {
    expect(await send(alert('channel.test'))).toEqual({ outcome: 'delivered' });
    const [post] = mm.messages;
    expect(post.text).toBe('🧪 **TEST**: channel `Ops room` — a test alert; nothing is down');
    expect(post.attachments[0]).not.toHaveProperty('title_link');
    expect(post.attachments[0].fields).toEqual([]);
  });

  test('a name with markdown and mentions is shown as written, in code, where Mattermost pings nobody', async () => {
    await send(alert('monitor.down', 'db **bold** @channel `x` [link](http://evil.example)'));
    expect(mm.messages[0].text).toContain("monitor `db **bold** @channel 'x' [link](http://evil.example)` —");
  });

  test.each([
    ['*b* _i_ [l](u) <x> a|b ~s~ &amp; `c`', '\\*b\\* \\_i\\_ \\[l\\](u) \\<x\\> a\\|b \\~s\\~ \\&amp; \\`c\\`'],
    ['# heading\n- item\n12. numbered', '\\# heading\n\\- item\n12\\. numbered'],
    ['no ping since 2026-03-28 00:54:00 UTC.', 'no ping since 2026-03-28 00:54:00 UTC.'],
  ])('markdown text %j is escaped so it shows as written', (text, escaped) => {
    expect(commonMarkText(text)).toBe(escaped);
  });

  test('429 with Retry-After is retried no sooner than it says', async () => {
    mm.fail.next({ ...appError(429, 'api.context.rate_limit.app_error', 'Too many requests.'), headers: { 'Retry-After': '7' } });
    expect(await send(alert())).toEqual({ outcome: 'retry', error: 'Mattermost answered 429: Too many requests.', retryAfterMs: 7_000 });
  });

  test('a 5xx is retried', async () => {
    mm.fail.next(appError(503, 'api.server.unavailable', 'Service unavailable.'));
    expect(await send(alert())).toEqual({ outcome: 'retry', error: 'Mattermost answered 503: Service unavailable.' });
  });

  test('an unknown webhook is final, with Mattermost\'s message and no part of the URL', async () => {
    const url = `${mm.origin}/hooks/zzzzzzzzzzzzzzzzzzzzzzzzzz`;
    const result = await send(alert(), url);
    expect(result).toEqual({ outcome: 'failed', error: 'Mattermost answered 400: Invalid webhook.' });
  });

  test('a refusal quoting the webhook id does not show it', async () => {
    mm.fail.next(appError(400, 'web.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled.', `hook_id=${MATTERMOST_HOOK_ID}`));
    const result = await send(alert());
    expect(result).toEqual({ outcome: 'failed', error: 'Mattermost answered 400: Incoming webhooks have been disabled. (hook_id=…)' });
  });

  test('a webhook on a private address is refused when private targets are not allowed', async () => {
    const result = await send(alert(), mm.url, { allowPrivateWebhooks: false });
    expect(result).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(mm.requests).toHaveLength(0);
  });

  test('a channel without settings fails without a request', async () => {
    const result = await mattermostNotifier(testNotifyConfig()).send(alert(), { webhookSecret: null });
    expect(result).toEqual({ outcome: 'failed', error: 'Mattermost channel has no settings' });
  });
});
