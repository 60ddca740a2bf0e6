import { notificationId } from '../../src/domain/alerts';
import type { AlertEvent, Notification } from '../../src/domain/types';
import { matrixNotifier, matrixTxnId } from '../../src/notify/matrix';
import type { NotifyConfig } from '../../src/notify/types';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { MATRIX_ACCESS_TOKEN, MATRIX_ROOM_ID, matrixError, startMatrixStandIn, type MatrixStandIn } from '../support/standins/matrix';
import { alertFor, FLIP_AT } from './support/alert';

const CHANNEL_ID = 'ch_0123456789abcdef';

/** A Matrix channel object's alert of `event`, made from a real outbox row. */
function alert(event: AlertEvent = 'monitor.down', name?: string): Notification {
  const base = alertFor('matrix', CHANNEL_ID, event === 'monitor.up' ? 'monitor.up' : 'monitor.down', name === undefined ? {} : { name });
  const n: Notification = { ...base, channelId: CHANNEL_ID };
  switch (event) {
    case 'monitor.still_down':
      return { ...n, event, snapshot: { ...n.snapshot, reminder: { number: 3, limit: null, downSince: FLIP_AT.toISOString() } } };
    case 'monitor.flapping':
    case 'monitor.settled':
      return { ...n, event, snapshot: { ...n.snapshot, status: 'up' } };
    case 'channel.test':
      return { ...n, event, snapshot: { ...n.snapshot, name: 'Ops room' } };
    default:
      return n;
  }
}

describe('Matrix notifier', () => {
  let hs: MatrixStandIn;
  beforeEach(async () => {
    hs = await startMatrixStandIn();
  });
  afterEach(async () => {
    await hs.close();
  });

  const settings = (overrides: Record<string, string> = {}) => ({ homeserver: hs.url, roomId: MATRIX_ROOM_ID, accessToken: MATRIX_ACCESS_TOKEN, ...overrides });
  const send = (n: Notification, overrides: Record<string, string> = {}, config: Partial<NotifyConfig> = {}) =>
    matrixNotifier(testNotifyConfig(config), { timeoutMs: 2_000 }).send(n, { webhookSecret: null, config: settings(overrides) });

  test('a down alert is an m.text message with HTML, PUT to the room with the token', async () => {
    const n = alert();
    expect(await send(n)).toEqual({ outcome: 'delivered' });
    const [req] = hs.requests;
    expect(req.method).toBe('PUT');
    expect(req.path).toBe(`/_matrix/client/v3/rooms/${encodeURIComponent(MATRIX_ROOM_ID)}/send/m.room.message/${matrixTxnId(n)}`);
    expect(req.headers.authorization).toBe(`Bearer ${MATRIX_ACCESS_TOKEN}`);
    expect(hs.messages).toHaveLength(1);
    const { content } = hs.messages[0];
    expect(content).toMatchObject({ msgtype: 'm.text', format: 'org.matrix.custom.html', 'm.mentions': {} });
    expect(content.body).toMatch(/^🔴 DOWN: monitor “Nightly DB Backup” — no ping since /);
    const link = `${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}`;
    expect(content.body).toContain(`Dashboard: ${link}`);
    expect(content.formatted_body).toContain('<p>🔴 <strong>DOWN</strong>: monitor “Nightly DB Backup” — no ping since');
    expect(content.formatted_body).toContain(`<a href="${link}">Open the CronPeek dashboard</a>`);
  });

  test('the transaction id is URL-safe and differs between notifications', () => {
    const a = alert();
    const b = { ...a, id: notificationId('another-flip', 'matrix') };
    expect(matrixTxnId(a)).toMatch(/^cronpeek-[0-9a-f]{64}$/);
    expect(matrixTxnId(b)).not.toBe(matrixTxnId(a));
  });

  test('a retry after a lost answer posts the message once: the homeserver knows the transaction', async () => {
    hs.fail.next({ ...matrixError(502, 'M_UNKNOWN', 'Bad gateway'), afterStoring: true });
    const n = alert();
    expect(await send(n)).toEqual({ outcome: 'retry', error: 'Matrix answered 502: M_UNKNOWN: Bad gateway' });
    expect(hs.messages).toHaveLength(1);
    expect(await send(n)).toEqual({ outcome: 'delivered' });
    expect(hs.requests).toHaveLength(2);
    expect(hs.messages).toHaveLength(1);
    // Another alert is another transaction, and another message.
    expect(await send(alert('monitor.up'))).toEqual({ outcome: 'delivered' });
    expect(hs.messages).toHaveLength(2);
  });

  test.each([
    ['monitor.up', '🟢 UP: monitor “Nightly DB Backup” — pinged again'],
    ['monitor.still_down', '🔴 STILL DOWN: monitor “Nightly DB Backup” — reminder 3, down for'],
    ['monitor.flapping', '🟠 FLAPPING: monitor “Nightly DB Backup” — changed status'],
    ['monitor.settled', '🟢 UP: monitor “Nightly DB Backup” — settled after flapping'],
    ['channel.test', '🧪 TEST: channel “Ops room” — a test alert; nothing is down'],
  ] as const)('%s reads as on every channel', async (event, start) => {
    expect(await send(alert(event))).toEqual({ outcome: 'delivered' });
    expect(hs.messages[0].content.body.startsWith(start)).toBe(true);
  });

  test('a test alert has no dashboard link', async () => {
    await send(alert('channel.test'));
    expect(hs.messages[0].content.formatted_body).not.toContain('<a ');
    expect(hs.messages[0].content.body).not.toContain('Dashboard:');
  });

  test('HTML in a name is escaped, and "@room" in it mentions nobody', async () => {
    await send(alert('monitor.down', '<b>db</b> & "co" @room'));
    const { content } = hs.messages[0];
    expect(content.formatted_body).toContain('monitor “&lt;b&gt;db&lt;/b&gt; &amp; &quot;co&quot; @room” —');
    expect(content.formatted_body).not.toContain('<b>db');
    expect(content['m.mentions']).toEqual({});
  });

  test('429 M_LIMIT_EXCEEDED without Retry-After is retried after retry_after_ms', async () => {
    hs.fail.next(matrixError(429, 'M_LIMIT_EXCEEDED', 'Too many requests', { retry_after_ms: 2_500 }));
    expect(await send(alert())).toEqual({ outcome: 'retry', error: 'Matrix answered 429: M_LIMIT_EXCEEDED: Too many requests', retryAfterMs: 2_500 });
  });

  test('a Retry-After header wins over retry_after_ms', async () => {
    hs.fail.next({ ...matrixError(429, 'M_LIMIT_EXCEEDED', 'Too many requests', { retry_after_ms: 2_500 }), headers: { 'Retry-After': '9' } });
    expect(await send(alert())).toMatchObject({ outcome: 'retry', retryAfterMs: 9_000 });
  });

  test('a 5xx is retried', async () => {
    hs.fail.next(matrixError(500, 'M_UNKNOWN', 'Internal server error'));
    expect(await send(alert())).toEqual({ outcome: 'retry', error: 'Matrix answered 500: M_UNKNOWN: Internal server error' });
  });

  test('a revoked token and a room the user left are final with the homeserver\'s reason, and no token in the error', async () => {
    const revoked = await send(alert(), { accessToken: 'syt_revoked_token_0000' });
    expect(revoked).toEqual({ outcome: 'failed', error: 'Matrix answered 401: M_UNKNOWN_TOKEN: Invalid access token passed.' });
    const left = await send(alert(), { roomId: '!elsewhere:matrix.example.org' });
    expect(left).toEqual({ outcome: 'failed', error: 'Matrix answered 403: M_FORBIDDEN: User @cronpeek:matrix.example.org not in room !elsewhere:matrix.example.org' });
    hs.fail.next(matrixError(401, 'M_UNKNOWN_TOKEN', `Token ${MATRIX_ACCESS_TOKEN} expired`));
    expect(await send(alert())).toEqual({ outcome: 'failed', error: 'Matrix answered 401: M_UNKNOWN_TOKEN: Token … expired' });
  });

  test('a homeserver on a private address is refused when private targets are not allowed', async () => {
    const result = await send(alert(), {}, { allowPrivateWebhooks: false });
    expect(result).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(hs.requests).toHaveLength(0);
  });

  test('a channel without settings fails without a request', async () => {
    const result = await matrixNotifier(testNotifyConfig()).send(alert(), { webhookSecret: null, config: { homeserver: hs.url } });
    expect(result).toEqual({ outcome: 'failed', error: 'Matrix channel has no settings' });
    expect(hs.requests).toHaveLength(0);
  });
});
