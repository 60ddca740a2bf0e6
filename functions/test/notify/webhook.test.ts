import { notifyConfigFrom, packageVersion } from '../../src/config';
import type { NotifyConfig } from '../../src/notify/types';
import { webhookNotifier, SIGNATURE_HEADER } from '../../src/notify/webhook';
import { testNotifyConfig } from '../support/deps';
import { alertFor, FLIP_AT, LAST_PING_AT } from './support/alert';
import { startFakeHttp, type FakeHttp } from './support/fake-http';
import { verifyCronPeekSignature } from './support/verify';
import { resolveToLoopback } from '../support/standins/tls';

const SECRET = 'whsec_test';
const nowSeconds = Math.floor(FLIP_AT.getTime() / 1000);
const clock = () => FLIP_AT;

describe('webhook notifier', () => {
  let target: FakeHttp;
  beforeEach(async () => {
    target = await startFakeHttp();
  });
  afterEach(async () => {
    await target.close();
  });

  const send = (url: string, config: Partial<NotifyConfig> = {}, timeoutMs?: number, event: 'monitor.down' | 'monitor.up' = 'monitor.down') =>
    webhookNotifier(testNotifyConfig(config), clock, { timeoutMs }).send(alertFor('webhook', url, event), { webhookSecret: SECRET });

  test('posts the version 1 JSON payload of a down alert', async () => {
    const n = alertFor('webhook', `${target.origin}/hook`);
    await webhookNotifier(testNotifyConfig(), clock).send(n, { webhookSecret: SECRET });
    const [req] = target.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hook');
    expect(JSON.parse(req.body)).toEqual({
      version: 1,
      event: 'monitor.down',
      deliveryId: n.id,
      occurredAt: FLIP_AT.toISOString(),
      reason: 'missed',
      output: null,
      monitor: {
        monitorId: n.monitorId,
        name: 'Nightly DB Backup',
        status: 'down',
        schedule: 3600,
        grace: 360,
        lastPing: LAST_PING_AT.toISOString(),
      },
    });
  });

  test('a recovery payload reports the recovering ping as the last ping', async () => {
    await send(`${target.origin}/hook`, {}, undefined, 'monitor.up');
    const body = JSON.parse(target.requests[0].body);
    expect(body.event).toBe('monitor.up');
    expect(body.monitor.status).toBe('up');
    expect(body.monitor.lastPing).toBe(FLIP_AT.toISOString());
  });

  test('identifies itself as CronPeek/<version> and labels event and delivery', async () => {
    const n = alertFor('webhook', `${target.origin}/hook`);
    const config = notifyConfigFrom({ CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1' }, packageVersion());
    expect(await webhookNotifier(config, clock).send(n, { webhookSecret: SECRET })).toEqual({ outcome: 'delivered' });
    const { headers } = target.requests[0];
    expect(headers['user-agent']).toBe(`CronPeek/${packageVersion()}`);
    expect(headers['user-agent']).toMatch(/^CronPeek\/\d+\.\d+\.\d+/);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-cronpeek-event']).toBe('monitor.down');
    expect(headers['x-cronpeek-delivery']).toBe(n.id);
  });

  test('signs the timestamp and the exact body with the monitor secret', async () => {
    await send(`${target.origin}/hook`);
    const { headers, body } = target.requests[0];
    const header = headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(header).toMatch(new RegExp(`^t=${nowSeconds},v1=[0-9a-f]{64}$`));
    expect(verifyCronPeekSignature(SECRET, header, body, nowSeconds)).toBe(true);
    expect(verifyCronPeekSignature('whsec_other', header, body, nowSeconds)).toBe(false);
    expect(verifyCronPeekSignature(SECRET, header, body.replace('down', 'up'), nowSeconds)).toBe(false);
  });

  test('a 2xx answer is delivered', async () => {
    target.answer(() => ({ status: 204 }));
    expect(await send(`${target.origin}/hook`)).toEqual({ outcome: 'delivered' });
  });

  test.each([408, 429, 500, 502, 503])('answer %i is retried', async (status) => {
    target.answer(() => ({ status }));
    expect(await send(`${target.origin}/hook`)).toEqual({ outcome: 'retry', error: `webhook answered ${status}` });
  });

  test.each([400, 401, 404, 410, 422])('answer %i fails without retry', async (status) => {
    target.answer(() => ({ status }));
    expect(await send(`${target.origin}/hook`)).toEqual({ outcome: 'failed', error: `webhook answered ${status}` });
  });

  test('a redirect is not followed, so it cannot lead past the address check', async () => {
    // A real redirect, to a path on the same target: were it followed, a second request would arrive.
    target.answer((_req, i) => (i === 0 ? { status: 302, headers: { Location: `${target.origin}/elsewhere` } } : { status: 200 }));
    expect(await send(`${target.origin}/hook`)).toEqual({ outcome: 'failed', error: 'webhook answered 302' });
    expect(target.requests).toHaveLength(1);
  });

  test('a target that does not answer within the timeout is retried', async () => {
    target.answer(() => 'hang');
    const started = Date.now();
    const result = await send(`${target.origin}/hook`, {}, 1_000);
    expect(result).toEqual({ outcome: 'retry', error: 'webhook timed out: no answer within 1 s' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(target.requests).toHaveLength(1);
  });

  test('an unreachable target is retried', async () => {
    const gone = await startFakeHttp();
    await gone.close();
    const result = await send(`${gone.origin}/hook`);
    expect(result.outcome).toBe('retry');
    expect(result).toHaveProperty('error', expect.stringMatching(/^webhook unreachable: .*ECONNREFUSED/));
  });

  test('a target that is not an http(s) URL fails', async () => {
    expect(await send('ftp://127.0.0.1/hook')).toEqual({ outcome: 'failed', error: 'webhook URL must be http(s), not ftp:' });
  });

  describe('when private addresses are not allowed', () => {
    // PORT is the receiver's: were a refusal to leak through, the request would arrive there.
    test.each([
      ['a loopback literal', 'http://127.0.0.1:PORT/hook'],
      ['a private network address', 'http://10.0.0.1/hook'],
      ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
      ['the IPv6 loopback', 'http://[::1]:PORT/hook'],
      ['an IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:PORT/hook'],
      ['an IPv4-translated loopback', 'http://[::ffff:0:7f00:1]:PORT/hook'],
      ['a documentation address', 'http://192.0.2.10/hook'],
      ['an IPv6 documentation address', 'http://[2001:db8::1]/hook'],
      ['a decimal loopback', 'http://2130706433:PORT/hook'],
      ['a hostname resolving to loopback', 'http://localhost:PORT/hook'],
    ])('refuses %s', async (_name, url) => {
      const result = await send(url.replace('PORT', String(target.port)), { allowPrivateWebhooks: false });
      expect(result.outcome).toBe('failed');
      expect(result).toHaveProperty('error', expect.stringMatching(/^refused: .*private address/));
      expect(target.requests).toHaveLength(0);
    });

    test('refuses a public-looking name whose DNS answer is private, checked at connect time', async () => {
      const notifier = webhookNotifier(testNotifyConfig({ allowPrivateWebhooks: false }), clock, { resolve: resolveToLoopback('alerts.example.com') });
      const result = await notifier.send(alertFor('webhook', `http://alerts.example.com:${target.port}/hook`), { webhookSecret: SECRET });
      expect(result).toEqual({ outcome: 'failed', error: 'refused: alerts.example.com resolves to private address 127.0.0.1' });
      expect(target.requests).toHaveLength(0);
    });

    test('the same hostname is delivered to when private addresses are allowed', async () => {
      expect(await send(`http://localhost:${target.port}/hook`, { allowPrivateWebhooks: true })).toEqual({ outcome: 'delivered' });
    });
  });
});
