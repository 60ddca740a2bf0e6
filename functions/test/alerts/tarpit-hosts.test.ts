import { createNotifiers } from '../../src/notify';
import { CIRCUIT_COOL_OFF_MS, CIRCUIT_FAILURES } from '../../src/notify/circuit';
import type { Notifiers, SendResult } from '../../src/notify/types';
import { silentLogger } from '../../src/log';
import { FakeClock } from '../support/clock';
import { testNotifyConfig } from '../support/deps';
import { alertFor } from '../notify/support/alert';
import { startFakeHttp } from '../notify/support/fake-http';
import { startCountingReceiver, startTarpit, type CountingReceiver, type Tarpit } from './support/tarpit';

/** How a host that cannot be reached, or never answers, costs its owner's alerts little time. */
describe('targets that hang', () => {
  let tarpit: Tarpit;
  let receiver: CountingReceiver;
  let clock: FakeClock;
  let notifiers: Notifiers;
  beforeEach(async () => {
    tarpit = await startTarpit();
    receiver = await startCountingReceiver();
    clock = new FakeClock();
    notifiers = createNotifiers(testNotifyConfig(), silentLogger, clock.now, { webhookTimeoutMs: 200 });
  });
  afterEach(async () => {
    await receiver.close();
    await tarpit.close();
  });

  const post = (origin: string): Promise<SendResult> => notifiers.webhook.send(alertFor('webhook', `${origin}/hook`), { webhookSecret: null });

  async function timeOutTimes(count: number): Promise<void> {
    for (let i = 0; i < count; i++) expect(await post(tarpit.origin)).toMatchObject({ outcome: 'retry', error: expect.stringContaining('timed out') });
  }

  test('after three timeouts in a row a host is not tried: the alert is a retry naming the open circuit', async () => {
    await timeOutTimes(CIRCUIT_FAILURES);
    const skipped = await post(tarpit.origin);
    const host = new URL(tarpit.origin).host;
    expect(skipped).toEqual({
      outcome: 'retry',
      error: `webhook not tried: circuit open for host ${host} after 3 timeouts or connection failures in a row, until ${new Date(clock.now().getTime() + CIRCUIT_COOL_OFF_MS).toISOString()}`,
    });
    expect(tarpit.opened).toBe(CIRCUIT_FAILURES);
  });

  test("a host's open circuit leaves other hosts alone", async () => {
    await timeOutTimes(CIRCUIT_FAILURES);
    expect(await post(receiver.origin)).toEqual({ outcome: 'delivered' });
  });

  test('after the cool-off one request tries the host again, and another failure keeps it open', async () => {
    await timeOutTimes(CIRCUIT_FAILURES);
    clock.advance(CIRCUIT_COOL_OFF_MS / 1000 - 1);
    await post(tarpit.origin);
    expect(tarpit.opened).toBe(CIRCUIT_FAILURES);
    clock.advance(1);
    await timeOutTimes(1);
    expect(await post(tarpit.origin)).toMatchObject({ error: expect.stringContaining('circuit open') });
    expect(tarpit.opened).toBe(CIRCUIT_FAILURES + 1);
  });

  test('an answer, even an error status, closes the circuit and starts the count again', async () => {
    const flaky = await startFakeHttp();
    try {
      // Two hangs, a 500, then hangs: the 500 breaks the run of failures.
      flaky.answer((_req, index) => (index === 2 ? { status: 500 } : 'hang'));
      const outcomes = [];
      for (let i = 0; i < 6; i++) outcomes.push(await post(flaky.origin));
      expect(outcomes.map((r) => ('error' in r ? r.error.replace(/:.*/, '') : r.outcome))).toEqual([
        'webhook timed out',
        'webhook timed out',
        'webhook answered 500',
        'webhook timed out',
        'webhook timed out',
        'webhook timed out',
      ]);
      expect(await post(flaky.origin)).toMatchObject({ error: expect.stringContaining('circuit open') });
    } finally {
      await flaky.close();
    }
  });

  test('a host that cannot be reached is given up on at the connect timeout, well before the whole deadline', async () => {
    const unresolvable = createNotifiers(testNotifyConfig(), silentLogger, clock.now, {
      webhookTimeoutMs: 30_000,
      connectTimeoutMs: 100,
      // Name resolution that never finishes: the connection phase never ends on its own.
      resolve: () => new Promise(() => {}),
    });
    const result = await unresolvable.webhook.send(alertFor('webhook', 'https://never-resolves.example/hook'), { webhookSecret: null });
    expect(result).toEqual({ outcome: 'retry', error: 'webhook timed out: no connection within 0.1 s' });
  });
});
