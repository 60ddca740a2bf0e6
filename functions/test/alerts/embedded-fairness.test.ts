import { transition } from '../../src/domain/transitions';
import { ACCOUNT_SENDS } from '../../src/services/delivery';
import { startCountingReceiver, startTarpit, type CountingReceiver, type Tarpit } from './support/tarpit';
import { startEmbedded, type EmbeddedServer } from './support/embedded';

const NOISY_MONITORS = 20;

/**
 * The noisy neighbour on the embedded server as self-hosters run it (SQLite, a 1 s checker, the
 * production 10 s webhook deadline): one account's alerts hang on a tarpit while another
 * account's monitor goes down a moment later. Its alert must not wait for the tarpit's timeouts.
 */
describe('a noisy neighbour on the embedded server', () => {
  let tarpit: Tarpit;
  let receiver: CountingReceiver;
  let server: EmbeddedServer;
  beforeAll(async () => {
    tarpit = await startTarpit();
    receiver = await startCountingReceiver();
    server = await startEmbedded(1);
  });
  afterAll(async () => {
    // The tarpit hangs up first, so the sends still hanging on it end now rather than in 10 s.
    await tarpit?.close();
    await server?.close();
    await receiver?.close();
  });

  const api = async (method: string, route: string, body?: unknown, apiKey?: string) => (await server.api(method, route, body, apiKey)).body;

  /** A monitor whose one ping is recorded so that its deadline passes `inMs` from now. */
  async function monitorDueIn(apiKey: string, webhook: string, inMs: number): Promise<void> {
    const created = await api('POST', '/api/v1/monitors', { name: 'job', schedule: 60, alertWebhook: webhook }, apiKey);
    const token = new URL(created.pingUrl as string).pathname.split('/').pop() as string;
    const pingedAt = new Date(Date.now() - (60 + (created.grace as number)) * 1000 + inMs);
    await server.deps.store.recordPing(
      token,
      { at: pingedAt, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '127.0.0.1', userAgent: 'cron', body: null },
      (m) => transition(m, 'ping', pingedAt),
    );
  }

  test("another account's alert arrives while the noisy account's sends still hang, and those hold two slots", async () => {
    const noisyKey = (await api('POST', '/api/v1/accounts', { email: 'noisy@example.com' })).apiKey as string;
    const otherKey = (await api('POST', '/api/v1/accounts', { email: 'other@example.com' })).apiKey as string;
    for (let i = 0; i < NOISY_MONITORS; i++) await monitorDueIn(noisyKey, `${tarpit.origin}/hook/${i}`, 0);
    await monitorDueIn(otherKey, `${receiver.origin}/hook`, 1_500);
    let seenAtArrival: { opened: number; closed: number } | null = null;
    receiver.onRequest(() => {
      seenAtArrival ??= { opened: tarpit.opened, closed: tarpit.closed };
    });

    await waitFor(() => receiver.paths.length > 0, 20_000);

    expect(seenAtArrival).toEqual({ opened: ACCOUNT_SENDS, closed: 0 });
  });
});

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
