import type { AlertEvent, Notification } from '../../src/domain/types';
import { gotifyNotifier } from '../../src/notify/gotify';
import type { NotifyConfig } from '../../src/notify/types';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { GOTIFY_APP_TOKEN, gotifyError, startGotifyStandIn, type GotifyStandIn } from '../support/standins/gotify';
import { alertFor, FLIP_AT } from './support/alert';

const CHANNEL_ID = 'ch_0123456789abcdef';

/** A Gotify channel object's alert of `event`, made from a real outbox row. */
function alert(event: AlertEvent = 'monitor.down', overrides: { name?: string; output?: string } = {}): Notification {
  const base = alertFor('gotify', CHANNEL_ID, event === 'monitor.up' ? 'monitor.up' : 'monitor.down', overrides.name === undefined ? {} : { name: overrides.name });
  const n: Notification = { ...base, channelId: CHANNEL_ID, snapshot: { ...base.snapshot, ...(overrides.output ? { output: overrides.output, reason: 'failed' } : {}) } };
  switch (event) {
    case 'monitor.still_down':
      return { ...n, event, snapshot: { ...n.snapshot, reminder: { number: 1, limit: null, downSince: FLIP_AT.toISOString() } } };
    case 'monitor.flapping':
      return { ...n, event, snapshot: { ...n.snapshot, status: 'up' } };
    case 'monitor.settled':
      return { ...n, event, snapshot: { ...n.snapshot, status: 'up' } };
    case 'channel.test':
      return { ...n, event, snapshot: { ...n.snapshot, name: 'Phone' } };
    default:
      return n;
  }
}

describe('Gotify notifier', () => {
  let gotify: GotifyStandIn;
  beforeEach(async () => {
    gotify = await startGotifyStandIn();
  });
  afterEach(async () => {
    await gotify.close();
  });

  const send = (n: Notification, settings: Partial<{ server: string; appToken: string }> = {}, config: Partial<NotifyConfig> = {}) =>
    gotifyNotifier(testNotifyConfig(config), { timeoutMs: 2_000 }).send(n, {
      webhookSecret: null,
      config: { server: gotify.url, appToken: GOTIFY_APP_TOKEN, ...settings },
    });

  test('a down alert is a markdown message at priority 8 that opens the monitor when tapped', async () => {
    const n = alert();
    expect(await send(n)).toEqual({ outcome: 'delivered' });
    const [req] = gotify.requests;
    expect(req.path).toBe('/message');
    expect(req.headers['x-gotify-key']).toBe(GOTIFY_APP_TOKEN);
    expect(gotify.messages).toHaveLength(1);
    const [m] = gotify.messages;
    expect(m.title).toMatch(/^🔴 DOWN: monitor “Nightly DB Backup” — no ping since /);
    expect(m.priority).toBe(8);
    const link = `${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}`;
    expect(m.extras).toEqual({ 'client::display': { contentType: 'text/markdown' }, 'client::notification': { click: { url: link } } });
    expect(m.message).toContain(`[Open the CronPeek dashboard](${link})`);
    expect(m.message).toContain(`**Monitor id:** ${n.monitorId}`);
  });

  test.each([
    ['monitor.still_down', 8, /^🔴 STILL DOWN: monitor “Nightly DB Backup” — reminder 1, down for /],
    ['monitor.flapping', 5, /^🟠 FLAPPING: monitor “Nightly DB Backup” — changed status/],
    ['monitor.up', 4, /^🟢 UP: monitor “Nightly DB Backup” — pinged again/],
    ['monitor.settled', 4, /^🟢 UP: monitor “Nightly DB Backup” — settled after flapping/],
    ['channel.test', 2, /^🧪 TEST: channel “Phone” — a test alert; nothing is down$/],
  ] as const)('%s is sent at priority %i', async (event, priority, title) => {
    expect(await send(alert(event))).toEqual({ outcome: 'delivered' });
    expect(gotify.messages[0]).toMatchObject({ priority, title: expect.stringMatching(title) });
  });

  test('a test alert has no link to open', async () => {
    await send(alert('channel.test'));
    expect(gotify.messages[0].extras).toEqual({ 'client::display': { contentType: 'text/markdown' } });
  });

  test('a name stays plain text in the title, and the output is fenced so its markdown shows as written', async () => {
    await send(alert('monitor.down', { name: 'db *bold* [x](http://evil.example)', output: 'rm: `cannot` **remove**\nline 2' }));
    const [m] = gotify.messages;
    expect(m.title).toContain('“db *bold* [x](http://evil.example)”');
    expect(m.message).toContain("```\nrm: 'cannot' **remove**\nline 2\n```");
  });

  test('a server under a path, with or without a trailing slash, gets its messages there', async () => {
    const proxied = await startGotifyStandIn({ basePath: '/gotify' });
    try {
      const notifier = gotifyNotifier(testNotifyConfig(), { timeoutMs: 2_000 });
      for (const server of [proxied.url, `${proxied.url}/`]) {
        expect(await notifier.send(alert(), { webhookSecret: null, config: { server, appToken: GOTIFY_APP_TOKEN } })).toEqual({ outcome: 'delivered' });
      }
      expect(proxied.requests.map((r) => r.path)).toEqual(['/gotify/message', '/gotify/message']);
    } finally {
      await proxied.close();
    }
  });

  test('429 with Retry-After is retried no sooner than it says', async () => {
    gotify.fail.next({ ...gotifyError(429, 'Too Many Requests', 'slow down'), headers: { 'Retry-After': '30' } });
    expect(await send(alert())).toEqual({ outcome: 'retry', error: 'Gotify answered 429: Too Many Requests: slow down', retryAfterMs: 30_000 });
  });

  test('a 5xx is retried', async () => {
    gotify.fail.next(gotifyError(502, 'Bad Gateway', 'upstream unavailable'));
    expect(await send(alert())).toEqual({ outcome: 'retry', error: 'Gotify answered 502: Bad Gateway: upstream unavailable' });
  });

  test('a wrong token is final with Gotify\'s reason, and the token is never in the error', async () => {
    const result = await send(alert(), { appToken: 'Wrong.Token_123' });
    expect(result).toEqual({
      outcome: 'failed',
      error: 'Gotify answered 401: Unauthorized: you need to provide a valid access token or user credentials to access this api',
    });
    gotify.fail.next(gotifyError(403, 'Forbidden', `token ${GOTIFY_APP_TOKEN} is disabled`));
    const quoted = await send(alert());
    expect(quoted).toEqual({ outcome: 'failed', error: 'Gotify answered 403: Forbidden: token … is disabled' });
  });

  test('a server on a private address is refused when private targets are not allowed', async () => {
    const result = await send(alert(), {}, { allowPrivateWebhooks: false });
    expect(result).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(gotify.requests).toHaveLength(0);
  });

  test('a channel without a token fails without a request', async () => {
    const result = await gotifyNotifier(testNotifyConfig()).send(alert(), { webhookSecret: null, config: { server: gotify.url } });
    expect(result).toEqual({ outcome: 'failed', error: 'Gotify channel has no settings' });
    expect(gotify.requests).toHaveLength(0);
  });
});
