import { recordPing } from '../../src/services/ping';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { startEmbedded, type EmbeddedServer } from './support/embedded';

/** An hour: far longer than these tests run, so only the due-time timer can explain an alert. */
const CHECK_INTERVAL_S = 3600;
/** How long an alert may take to arrive here; generous for a busy machine, and nowhere near the interval. */
const ARRIVES_WITHIN_MS = 10_000;

/**
 * The embedded server alerts at the deadline, not at the next poll: with the sweep an hour away,
 * a missed deadline and a /fail ping still reach the webhook within seconds. Timing is measured
 * in the bench (`npm run bench -- latency`); these tests only show that the alerts come at all.
 */
describe('alerts at the deadline on the embedded server', () => {
  let receiver: FakeHttp;
  let server: EmbeddedServer;
  let apiKey: string;
  beforeAll(async () => {
    receiver = await startFakeHttp();
    server = await startEmbedded(CHECK_INTERVAL_S);
    apiKey = (await api('POST', '/api/v1/accounts', { email: 'due@example.com' })).body.apiKey as string;
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
  });

  const api = (method: string, route: string, body?: unknown) => server.api(method, route, body, apiKey);

  async function webhookMonitor(name: string) {
    const created = await api('POST', '/api/v1/monitors', { name, schedule: 60, alertWebhook: `${receiver.origin}/hook` });
    expect(created.status).toBe(201);
    const token = new URL(created.body.pingUrl as string).pathname.split('/').pop() as string;
    return { monitorId: created.body.monitorId as string, grace: created.body.grace as number, token };
  }

  test('a missed deadline is alerted within seconds, with the deadline as occurredAt', async () => {
    const { monitorId, grace, token } = await webhookMonitor('Due soon');
    // A 60 s schedule cannot be waited out here: the ping goes through the ping service as if
    // it had arrived long enough ago that the deadline is two seconds away.
    const pingedAt = new Date(Date.now() - (60 + grace) * 1000 + 2_000);
    const pinged = await recordPing({ ...server.deps, clock: () => pingedAt }, { token, method: 'GET', source: '127.0.0.1', userAgent: 'cron', body: null });
    const deadline = pinged.alertAt!;

    const [down] = await receiver.waitForRequests(1, ARRIVES_WITHIN_MS);
    const payload = JSON.parse(down.body);
    expect(payload).toMatchObject({ event: 'monitor.down', reason: 'missed', monitor: { monitorId, status: 'down' } });
    expect(payload.occurredAt).toBe(deadline.toISOString());
    expect(Date.now()).toBeGreaterThanOrEqual(deadline.getTime());
  });

  test('a /fail ping is alerted without waiting for the next sweep', async () => {
    const { monitorId, token } = await webhookMonitor('Fails');
    expect((await fetch(`${server.base}/api/v1/ping/${token}`)).status).toBe(200);
    expect((await fetch(`${server.base}/api/v1/ping/${token}/fail`)).status).toBe(200);

    const [down] = await receiver.waitForRequests(1, ARRIVES_WITHIN_MS);
    expect(JSON.parse(down.body)).toMatchObject({ event: 'monitor.down', reason: 'failed', monitor: { monitorId, status: 'down' } });
  });
});
