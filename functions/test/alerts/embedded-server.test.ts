import { packageVersion } from '../../src/config';
import { transition } from '../../src/domain/transitions';
import { SIGNATURE_HEADER } from '../../src/notify/webhook';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { verifyCronPeekSignature } from '../notify/support/verify';
import { startEmbedded, type EmbeddedServer } from './support/embedded';

const CHECK_INTERVAL_S = 1;

/**
 * The acceptance run: the embedded server as self-hosters start it (SQLite file, Pro by
 * default, private webhooks allowed), a real receiver, real time. A 60 s schedule cannot be waited
 * out here, so the monitor's one ping is recorded as having happened `schedule + grace` seconds
 * ago, through the same store call and transition the ping route uses.
 */
describe('alerts on the embedded server', () => {
  let receiver: FakeHttp;
  let server: EmbeddedServer;
  beforeAll(async () => {
    receiver = await startFakeHttp();
    server = await startEmbedded(CHECK_INTERVAL_S);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  const api: EmbeddedServer['api'] = (method, route, body, apiKey) => server.api(method, route, body, apiKey);

  test('a missed ping posts a signed monitor.down, the status shows it, and a ping posts monitor.up', async () => {
    const account = await api('POST', '/api/v1/accounts', { email: 'selfhost@example.com' });
    expect(account.status).toBe(201);
    const apiKey = account.body.apiKey as string;
    const created = await api('POST', '/api/v1/monitors', { name: 'Nightly DB Backup', schedule: 60, alertWebhook: `${receiver.origin}/cronpeek` }, apiKey);
    expect(created.status).toBe(201);
    const { monitorId, webhookSecret, grace } = created.body as { monitorId: string; webhookSecret: string; grace: number };
    const token = new URL(created.body.pingUrl as string).pathname.split('/').pop() as string;

    const pingedAt = new Date(Date.now() - (60 + grace) * 1000);
    await server.deps.store.recordPing(
      token,
      { at: pingedAt, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '127.0.0.1', userAgent: 'cron', body: null },
      (m) => transition(m, 'ping', pingedAt),
    );

    // Due now: the down alert must arrive within one check interval (plus time to deliver it).
    const [down] = await receiver.waitForRequests(1, (CHECK_INTERVAL_S + 2) * 1000);
    expect(down.headers['user-agent']).toBe(`CronPeek/${packageVersion()}`);
    expect(verifyCronPeekSignature(webhookSecret, down.headers[SIGNATURE_HEADER.toLowerCase()] as string, down.body)).toBe(true);
    expect(JSON.parse(down.body)).toMatchObject({ version: 1, event: 'monitor.down', monitor: { monitorId, status: 'down', lastPing: pingedAt.toISOString() } });

    const status = await api('GET', `/api/v1/monitors/${monitorId}/status`, undefined, apiKey);
    expect(status.body).toMatchObject({ status: 'down', lastAlert: expect.any(String) });
    expect(Date.parse(status.body.lastAlert as string)).toBeGreaterThanOrEqual(pingedAt.getTime() + (60 + grace) * 1000);

    const pinged = await fetch(`${server.base}/api/v1/ping/${token}`);
    expect(pinged.status).toBe(200);
    const [, up] = await receiver.waitForRequests(2, (CHECK_INTERVAL_S + 2) * 1000);
    expect(verifyCronPeekSignature(webhookSecret, up.headers[SIGNATURE_HEADER.toLowerCase()] as string, up.body)).toBe(true);
    expect(JSON.parse(up.body)).toMatchObject({ event: 'monitor.up', monitor: { monitorId, status: 'up' } });
    expect(receiver.requests).toHaveLength(2);
  });
});
