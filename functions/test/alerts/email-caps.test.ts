import { runCheck } from '../../src/services/checker';
import { recordPing } from '../../src/services/ping';
import type { PlanId } from '../../src/domain/plans';
import type { Monitor, Notification } from '../../src/domain/types';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { testDeps } from '../support/deps';
import { storeKinds } from '../support/stores';
import { newAccount, newMonitor, ping } from './support/world';

type Deps = ReturnType<typeof testDeps>;

/** Three outages and recoveries, a minute apart: six alerts, too few to count as flapping. */
async function sixAlerts(deps: Deps, m: Monitor): Promise<void> {
  for (let i = 0; i < 3; i++) {
    deps.fakeClock.advance(60);
    await recordPing(deps, { token: m.pingToken, method: 'GET', source: null, userAgent: null, body: null, kind: 'fail' });
    deps.fakeClock.advance(60);
    await ping(deps, m);
  }
}

/** Hourly caps on alert e-mails, through the checker, with SendGrid's API stood in for by a local server. */
describe.each(storeKinds())('alert e-mail caps on %s', (_name, kind) => {
  let store: InspectableStore;
  let sendgrid: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
  });
  afterEach(async () => {
    await sendgrid.close();
    await store.close();
  });

  const withSendGrid = (plan: PlanId = 'free') => testDeps(store, { plan, notify: { sendgridApiKey: 'SG.test-key', sendgridApiUrl: sendgrid.origin } });
  const check = (deps: Deps) => runCheck(deps, { budgetMs: 10_000 });
  const emailsOf = async (monitors: Monitor[]): Promise<Notification[]> =>
    (await Promise.all(monitors.map((m) => store.listNotifications(m.id)))).flat().filter((n) => n.channel === 'email');

  /** `count` monitors of one new account, each alerting `addressOf(i)`, pinged once. */
  async function monitors(deps: Deps, count: number, addressOf: (i: number) => string): Promise<Monitor[]> {
    const account = await newAccount(deps);
    const made: Monitor[] = [];
    for (let i = 0; i < count; i++) {
      const m = await newMonitor(deps, { name: `job ${i}`, alertEmail: addressOf(i) }, account);
      await ping(deps, m);
      made.push(m);
    }
    return made;
  }

  test('a free account sends at most 10 alert e-mails an hour to one address; the rest are recorded as not sent', async () => {
    const deps = withSendGrid();
    const ms = await monitors(deps, 5, () => 'Victim@Example.com');
    for (const m of ms) await sixAlerts(deps, m);
    await check(deps);
    expect(sendgrid.requests).toHaveLength(10);
    const refused = (await emailsOf(ms)).filter((n) => n.state === 'failed');
    expect(refused).toHaveLength(20);
    for (const n of refused) {
      expect(n).toMatchObject({ lastError: 'not sent: hourly e-mail cap of 10 for victim@example.com reached', nextAttemptAt: null, attempts: 1 });
    }
  });

  test('a free account sends at most 20 alert e-mails an hour in all', async () => {
    const deps = withSendGrid();
    const ms = await monitors(deps, 5, (i) => `team${i}@example.com`);
    for (const m of ms) await sixAlerts(deps, m);
    await check(deps);
    expect(sendgrid.requests).toHaveLength(20);
    const refused = (await emailsOf(ms)).filter((n) => n.state === 'failed');
    expect(refused.map((n) => n.lastError)).toEqual(Array(10).fill('not sent: hourly e-mail cap of 20 for this account reached'));
  });

  test('two checkers delivering at once never pass a cap', async () => {
    const deps = withSendGrid();
    const other = withSendGrid();
    other.fakeClock.set(deps.clock().toISOString());
    const ms = await monitors(deps, 5, () => 'victim@example.com');
    for (const m of ms) await sixAlerts(deps, m);
    other.fakeClock.set(deps.clock().toISOString());
    await Promise.all([check(deps), check(other)]);
    expect(sendgrid.requests).toHaveLength(10);
    expect((await emailsOf(ms)).filter((n) => n.state === 'delivered')).toHaveLength(10);
  });

  test('the next hour the address receives alerts again', async () => {
    const deps = withSendGrid();
    const ms = await monitors(deps, 2, () => 'victim@example.com');
    for (const m of ms) await sixAlerts(deps, m);
    await check(deps);
    expect(sendgrid.requests).toHaveLength(10);
    // The next clock hour, before the other monitor's deadline.
    deps.fakeClock.set('2026-03-28T03:00:00.000Z');
    await sixAlerts(deps, ms[0]);
    await check(deps);
    expect(sendgrid.requests).toHaveLength(16);
  });

  test('a Pro account has higher caps', async () => {
    const deps = withSendGrid('pro');
    const ms = await monitors(deps, 5, () => 'oncall@example.com');
    for (const m of ms) await sixAlerts(deps, m);
    await check(deps);
    expect(sendgrid.requests).toHaveLength(30);
  });

  test('e-mails only written to the log (no SendGrid key) are not capped', async () => {
    const deps = testDeps(store);
    const ms = await monitors(deps, 5, () => 'victim@example.com');
    for (const m of ms) await sixAlerts(deps, m);
    await check(deps);
    expect((await emailsOf(ms)).map((n) => n.state)).toEqual(Array(30).fill('logged'));
  });
});
