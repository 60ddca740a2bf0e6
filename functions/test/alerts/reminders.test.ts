import { runCheck, sweepDueMonitors } from '../../src/services/checker';
import { recordPing } from '../../src/services/ping';
import type { Monitor } from '../../src/domain/types';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, newMonitor, type AlertDeps } from './support/world';

const TEN_MINUTES = 600;
const PAGERDUTY_KEY = '0123456789abcdef0123456789abcdef';

function fail(deps: AlertDeps, m: Monitor): Promise<Monitor> {
  return recordPing(deps, { token: m.pingToken, method: 'GET', source: '203.0.113.9', userAgent: 'curl/8', body: null, kind: 'fail' });
}

/** Reminders through the checker sweep and delivery, with a webhook receiver and PagerDuty at a local fake. */
describe.each(storeKinds())('reminders through the checker on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
    // A slow target keeps overlapping runs in flight at once.
    target.answer(() => ({ status: 200, delayMs: 50 }));
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  const received = () => target.requests.map((r) => `${r.path} ${r.headers['x-cronpeek-event'] ?? JSON.parse(r.body).event_action}`);

  async function downMonitor(deps: AlertDeps): Promise<Monitor> {
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook`, alertPagerDuty: PAGERDUTY_KEY, remindEvery: TEN_MINUTES });
    await fail(deps, m);
    await runCheck(deps, { budgetMs: 10_000 });
    return m;
  }

  test('two checker runs at once send each reminder once', async () => {
    const deps = alertDeps(store, { notify: { pagerdutyUrl: `${target.origin}/pagerduty` } });
    const m = await downMonitor(deps);
    deps.fakeClock.advance(TEN_MINUTES);
    await Promise.all([runCheck(deps, { budgetMs: 10_000 }), runCheck(deps, { budgetMs: 10_000 })]);
    const rows = (await store.listNotifications(m.id)).filter((n) => n.event === 'monitor.still_down');
    expect(rows.map((n) => n.channel).sort()).toEqual(['email', 'webhook']);
    expect(received().filter((r) => r.startsWith('/hook'))).toEqual(['/hook monitor.down', '/hook monitor.still_down']);
  });

  test('two sweeps at once write each reminder once', async () => {
    const deps = alertDeps(store);
    const m = await downMonitor(deps);
    deps.fakeClock.advance(TEN_MINUTES);
    const now = deps.clock();
    await Promise.all([sweepDueMonitors(deps, now), sweepDueMonitors(deps, now)]);
    expect((await store.listNotifications(m.id)).filter((n) => n.event === 'monitor.still_down')).toHaveLength(2);
    expect(await store.getMonitor(m.id)).toMatchObject({ remindersSent: 1 });
  });

  test('PagerDuty keeps the incident the down alert opened: reminders trigger nothing there', async () => {
    const deps = alertDeps(store, { notify: { pagerdutyUrl: `${target.origin}/pagerduty` } });
    await downMonitor(deps);
    for (let i = 0; i < 3; i++) {
      deps.fakeClock.advance(TEN_MINUTES);
      await runCheck(deps, { budgetMs: 10_000 });
    }
    expect(received().filter((r) => r.startsWith('/pagerduty'))).toEqual(['/pagerduty trigger']);
    expect(received().filter((r) => r.startsWith('/hook'))).toEqual(['/hook monitor.down', ...Array(3).fill('/hook monitor.still_down')]);
  });

  test('the webhook says which reminder it is and since when the monitor is down', async () => {
    const deps = alertDeps(store);
    const m = await newMonitor(deps, { alertWebhook: `${target.origin}/hook`, remindEvery: TEN_MINUTES, remindLimit: 3 });
    await fail(deps, m);
    const downAt = deps.clock();
    // The down alert goes first: a reminder waits for the verdict on its outage's down alert.
    await runCheck(deps, { budgetMs: 10_000 });
    deps.fakeClock.advance(TEN_MINUTES);
    await runCheck(deps, { budgetMs: 10_000 });
    const reminder = target.requests.map((r) => JSON.parse(r.body)).find((b) => b.event === 'monitor.still_down');
    expect(reminder).toMatchObject({
      event: 'monitor.still_down',
      reason: 'still down',
      occurredAt: new Date(downAt.getTime() + TEN_MINUTES * 1000).toISOString(),
      reminder: { number: 1, limit: 3, downSince: downAt.toISOString() },
      monitor: { monitorId: m.id, status: 'down' },
    });
  });
});
