import { runCheck } from '../../src/services/checker';
import { recordPing } from '../../src/services/ping';
import type { Monitor } from '../../src/domain/types';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, newMonitor, ping, type AlertDeps } from './support/world';

const check = (deps: AlertDeps) => runCheck(deps, { budgetMs: 10_000 });

function fail(deps: AlertDeps, m: Monitor): Promise<Monitor> {
  return recordPing(deps, { token: m.pingToken, method: 'POST', source: '203.0.113.9', userAgent: 'curl/8', body: Buffer.from('disk full'), kind: 'fail' });
}

/** Fails and recovers `pairs` times, one change every 30 s, running the checker after each as the minute timer would. */
async function flipFlop(deps: AlertDeps, m: Monitor, pairs: number): Promise<void> {
  for (let i = 0; i < pairs; i++) {
    deps.fakeClock.advance(30);
    await fail(deps, m);
    await check(deps);
    deps.fakeClock.advance(30);
    await ping(deps, m);
    await check(deps);
  }
}

/** The checker sweep and delivery, with a webhook receiver: what a flapping job looks like from outside. */
describe.each(storeKinds())('flapping, through the checker, on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  const webhookEvents = () => target.requests.map((r) => r.headers['x-cronpeek-event']);
  const emailEvents = async (m: Monitor) => (await store.listNotifications(m.id)).filter((n) => n.channel === 'email').map((n) => n.event);

  test('20 changes in 10 minutes send one flapping alert per channel, then one settled alert once it has held 30 minutes', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await flipFlop(deps, m, 10);

    const beforeSettling = ['monitor.down', 'monitor.up', 'monitor.down', 'monitor.up', 'monitor.down', 'monitor.up', 'monitor.flapping'];
    expect(webhookEvents()).toEqual(beforeSettling);
    expect(await emailEvents(m)).toEqual(beforeSettling);

    deps.fakeClock.advance(29 * 60);
    await check(deps);
    expect(target.requests).toHaveLength(7);

    deps.fakeClock.advance(60);
    await check(deps);
    expect(webhookEvents()).toEqual([...beforeSettling, 'monitor.settled']);
    expect(await emailEvents(m)).toEqual([...beforeSettling, 'monitor.settled']);
    const settled = JSON.parse(target.requests[7].body);
    expect(settled).toMatchObject({ event: 'monitor.settled', reason: 'settled', monitor: { status: 'up' } });
    expect((await store.listNotifications(m.id)).filter((n) => n.event === 'monitor.settled').every((n) => n.state !== 'pending')).toBe(true);
  });

  test('every change and every ping is still recorded while it flaps', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps);
    await ping(deps, m);
    await flipFlop(deps, m, 10);
    expect(await store.listFlips(m.id)).toHaveLength(21);
    expect(await store.listPings(m.id, 100)).toHaveLength(21);
    expect(await store.getMonitor(m.id)).toMatchObject({ status: 'up', pingCount: 21, flappingSince: expect.any(Date) });
  });

  test('a monitor that settles down says so, and its recovery afterwards alerts as usual', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook` });
    await ping(deps, m);
    await flipFlop(deps, m, 4);
    deps.fakeClock.advance(30);
    await fail(deps, m);
    deps.fakeClock.advance(30 * 60);
    await check(deps);
    expect(JSON.parse(target.requests.at(-1)!.body)).toMatchObject({ event: 'monitor.settled', monitor: { status: 'down' } });
    expect(await store.getMonitor(m.id)).toMatchObject({ status: 'down', flappingSince: null, alertAt: null });

    deps.fakeClock.advance(60);
    await ping(deps, m);
    await check(deps);
    expect(webhookEvents().slice(-3)).toEqual(['monitor.flapping', 'monitor.settled', 'monitor.up']);
  });
});
