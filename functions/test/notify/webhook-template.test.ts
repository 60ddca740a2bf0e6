import type { ChannelConfig, Notification } from '../../src/domain/types';
import { webhookPayload } from '../../src/notify/message';
import type { NotifyConfig } from '../../src/notify/types';
import { bodyEscaping, renderTemplate, webhookNotifier, SIGNATURE_HEADER } from '../../src/notify/webhook';
import { testNotifyConfig } from '../support/deps';
import { startSlackStandIn } from '../support/standins/slack';
import { startWebhookStandIn, type WebhookStandIn } from '../support/standins/webhook-template';
import { alertFor, FLIP_AT } from './support/alert';
import { verifyCronPeekSignature } from './support/verify';

const SECRET = 'whsec_channel';
const CHANNEL_ID = 'ch_0123456789abcdef';
const nowSeconds = Math.floor(FLIP_AT.getTime() / 1000);

/** A webhook channel object's alert, from a real outbox row, for a monitor named `name`. */
function alert(overrides: { name?: string; output?: string; event?: 'monitor.down' | 'monitor.up' } = {}): Notification {
  const n = alertFor('webhook', CHANNEL_ID, overrides.event ?? 'monitor.down', overrides.name === undefined ? {} : { name: overrides.name });
  const snapshot = overrides.output === undefined ? n.snapshot : { ...n.snapshot, output: overrides.output, reason: 'exit code 3' as const };
  return { ...n, id: `${n.flipId}_${CHANNEL_ID}`, channelId: CHANNEL_ID, target: CHANNEL_ID, snapshot };
}

/** Names that break naive templating: quotes, backslashes, line breaks, unicode, a placeholder. */
const AWKWARD_NAME = 'db "prod" \\ backup\nline two — ünïcode 🚀 $STATUS';

describe('webhook channel objects and templates', () => {
  let receiver: WebhookStandIn;
  beforeEach(async () => {
    receiver = await startWebhookStandIn({ secret: SECRET });
  });
  afterEach(async () => {
    await receiver.close();
  });

  const send = (n: Notification, config: ChannelConfig, notify: Partial<NotifyConfig> = {}) =>
    webhookNotifier(testNotifyConfig(notify), () => FLIP_AT, { timeoutMs: 2_000 }).send(n, { webhookSecret: SECRET, config });

  test('without a template, the URL gets exactly the monitor webhook\'s signed payload', async () => {
    const n = alert();
    expect(await send(n, { url: receiver.url })).toEqual({ outcome: 'delivered' });
    const [m] = receiver.messages;
    expect(m.method).toBe('POST');
    expect(m.body).toBe(JSON.stringify(webhookPayload(n)));
    expect(m.headers['content-type']).toBe('application/json');
    expect(m.headers['x-cronpeek-event']).toBe('monitor.down');
    expect(m.headers['x-cronpeek-delivery']).toBe(n.id);
    expect(m.signatureValid).toBe(true);
  });

  test('a JSON template stays valid JSON whatever the name holds, each value as written', async () => {
    const n = alert({ name: AWKWARD_NAME, output: 'line "1"\n\tline 2 \u0001' });
    const body = '{"text": "$NAME is $STATUS", "event": "$EVENT", "why": "$REASON", "out": "$OUTPUT", "id": "$MONITOR_ID", "at": "$NOW"}';
    expect(await send(n, { url: receiver.url, body })).toEqual({ outcome: 'delivered' });
    expect(receiver.messages[0].parsed).toEqual({
      text: `${AWKWARD_NAME} is down`,
      event: 'monitor.down',
      why: 'exit code 3',
      out: 'line "1"\n\tline 2 \u0001',
      id: n.monitorId,
      at: FLIP_AT.toISOString(),
    });
  });

  test('$JSON is the whole version 1 payload, written as JSON outside quotes', async () => {
    const n = alert({ name: AWKWARD_NAME });
    expect(await send(n, { url: receiver.url, body: '{"source": "cronpeek", "alert": $JSON}' })).toEqual({ outcome: 'delivered' });
    expect(receiver.messages[0].parsed).toEqual({ source: 'cronpeek', alert: webhookPayload(n) });
  });

  test('the longest placeholder name wins, and unknown ones are left as written', () => {
    const values = { MONITOR_ID: 'm_1', OUTPUT: '', REASON: 'missed', STATUS: 'down', EVENT: 'monitor.down', NAME: 'x', JSON: '{}', NOW: 'now' };
    expect(renderTemplate('$MONITOR_ID/$MONITOR/$NAMES/$HOST/$$NAME', values, 'text')).toBe('m_1/$MONITOR/xS/$HOST/$x');
  });

  test('a form body gets each value percent-encoded, so a value cannot add a field', async () => {
    const n = alert({ name: 'a&b=c d+é' });
    const config = { url: receiver.url, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'name=$NAME&status=$STATUS' };
    expect(await send(n, config)).toEqual({ outcome: 'delivered' });
    expect(receiver.messages[0].parsed).toEqual({ name: 'a&b=c d+é', status: 'down' });
  });

  test('a text body gets each value as it is', async () => {
    const n = alert({ name: 'db "prod"' });
    expect(await send(n, { url: receiver.url, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '$NAME is $STATUS' })).toEqual({ outcome: 'delivered' });
    expect(receiver.messages[0].body).toBe('db "prod" is down');
    expect(receiver.messages[0].headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  test('JSON media types with a suffix or parameters are JSON', () => {
    expect(bodyEscaping(undefined)).toBe('json');
    expect(bodyEscaping('application/json; charset=utf-8')).toBe('json');
    expect(bodyEscaping('application/vnd.api+json')).toBe('json');
    expect(bodyEscaping('Application/X-WWW-Form-Urlencoded')).toBe('form');
    expect(bodyEscaping('text/plain')).toBe('text');
  });

  test('a GET sends no body; placeholders in the URL\'s path and query are percent-encoded', async () => {
    const n = alert({ name: 'db/prod?&x=1 #2' });
    const url = `${receiver.url}/$STATUS?name=$NAME&id=$MONITOR_ID`;
    expect(await send(n, { url, method: 'GET', body: 'ignored $NAME' })).toEqual({ outcome: 'delivered' });
    const [m] = receiver.messages;
    expect(m.method).toBe('GET');
    expect(m.body).toBe('');
    expect(m.path).toBe('/hook/down');
    expect(m.query).toEqual({ name: 'db/prod?&x=1 #2', id: n.monitorId });
    expect(m.signatureValid).toBe(true);
  });

  test('placeholders in the host are left as written: the host posted to is the one saved', async () => {
    const n = alert({ name: '127.0.0.1' });
    const asked: string[] = [];
    const resolve = async (hostname: string) => {
      asked.push(hostname);
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    };
    const notifier = webhookNotifier(testNotifyConfig(), () => FLIP_AT, { timeoutMs: 2_000, resolve });
    const result = await notifier.send(n, { webhookSecret: SECRET, config: { url: 'http://$NAME.example.com/hook/$NAME' } });
    expect(asked).toEqual(['$name.example.com']);
    expect(result.outcome).toBe('retry');
    expect(receiver.requests).toHaveLength(0);
  });

  test.each(['PUT', 'PATCH'])('%s sends the templated body', async (method) => {
    expect(await send(alert(), { url: receiver.url, method, body: '{"s": "$STATUS"}' })).toEqual({ outcome: 'delivered' });
    expect(receiver.messages[0]).toMatchObject({ method, parsed: { s: 'down' } });
  });

  test('custom headers are added to ours, and cannot replace them', async () => {
    const headers = { Authorization: 'Bearer sk_live_abcdef123456', 'X-Team': 'ops', 'X-CronPeek-Event': 'forged', 'User-Agent': 'curl/8', Host: 'evil.example' };
    const n = alert();
    expect(await send(n, { url: receiver.url, headers })).toEqual({ outcome: 'delivered' });
    const [m] = receiver.messages;
    expect(m.headers.authorization).toBe('Bearer sk_live_abcdef123456');
    expect(m.headers['x-team']).toBe('ops');
    expect(m.headers['x-cronpeek-event']).toBe('monitor.down');
    expect(m.headers['user-agent']).toBe('CronPeek/test');
    expect(m.headers.host).toBe(new URL(receiver.url).host);
    // Headers alone are a template too, but the body stays the payload.
    expect(m.body).toBe(JSON.stringify(webhookPayload(n)));
  });

  test('the signature is over the templated body actually sent', async () => {
    expect(await send(alert({ name: AWKWARD_NAME }), { url: receiver.url, body: '{"n": "$NAME"}' })).toEqual({ outcome: 'delivered' });
    const [m] = receiver.messages;
    const header = m.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyCronPeekSignature(SECRET, header, m.body, nowSeconds)).toBe(true);
    expect(verifyCronPeekSignature(SECRET, header, JSON.stringify(webhookPayload(alert({ name: AWKWARD_NAME }))), nowSeconds)).toBe(false);
  });

  test('without a secret, nothing is signed', async () => {
    const n = alert();
    await webhookNotifier(testNotifyConfig(), () => FLIP_AT).send(n, { webhookSecret: null, config: { url: receiver.url, body: '{}' } });
    expect(receiver.requests[0].headers).not.toHaveProperty('x-cronpeek-signature');
  });

  test('a header that cannot be sent fails, naming the header and not its value', async () => {
    const result = await send(alert(), { url: receiver.url, headers: { 'X-Token': 'secret-value\r\nX-Injected: 1' } });
    expect(result).toEqual({ outcome: 'failed', error: 'webhook header "X-Token" is not valid' });
    expect(receiver.requests).toHaveLength(0);
  });

  test('429 with Retry-After is retried no sooner than it says; 5xx retries; other 4xx are final', async () => {
    receiver.fail.next({ status: 429, headers: { 'Retry-After': '12' } }, { status: 503 }, { status: 422 });
    expect(await send(alert(), { url: receiver.url })).toEqual({ outcome: 'retry', error: 'webhook answered 429', retryAfterMs: 12_000 });
    expect(await send(alert(), { url: receiver.url })).toEqual({ outcome: 'retry', error: 'webhook answered 503' });
    expect(await send(alert(), { url: receiver.url })).toEqual({ outcome: 'failed', error: 'webhook answered 422' });
  });

  test('a receiver on a private address is refused when private targets are not allowed', async () => {
    const result = await send(alert(), { url: receiver.url, body: '{}' }, { allowPrivateWebhooks: false });
    expect(result).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(receiver.requests).toHaveLength(0);
  });

  test('a URL that is not valid fails without showing it', async () => {
    const result = await send(alert(), { url: 'ftp://hooks.example.com/secret-path-0123456789abcdef' });
    expect(result).toEqual({ outcome: 'failed', error: 'webhook URL must be http(s), not ftp:' });
  });

  test('a channel without a URL fails without a request', async () => {
    expect(await send(alert(), { body: '{}' })).toEqual({ outcome: 'failed', error: 'Webhook channel has no settings' });
  });

  describe('on a Slack host', () => {
    test('without a body template it is sent in Slack\'s format; with one, as the template says', async () => {
      const slack = await startSlackStandIn();
      try {
        const notify = { slackHosts: ['127.0.0.1'] };
        expect(await send(alert(), { url: slack.webhookUrl }, notify)).toEqual({ outcome: 'delivered' });
        expect(slack.messages[0].text).toMatch(/^🔴 DOWN: Nightly DB Backup — /);
        expect(await send(alert(), { url: slack.webhookUrl, body: '{"text": "$NAME is $STATUS"}' }, notify)).toEqual({ outcome: 'delivered' });
        expect(slack.messages[1]).toMatchObject({ text: 'Nightly DB Backup is down', blocks: [] });
      } finally {
        await slack.close();
      }
    });
  });
});
