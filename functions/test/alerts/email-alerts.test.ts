import { runCheck, sweepDueMonitors } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, missDeadline, newAccount, newMonitor, notificationOf, ping } from './support/world';

const KEY = 'SG.test-key';

/** E-mail alerts through the real SendGrid SDK, pointed at a local fake of its API. */
describe.each(storeKinds())('e-mail alerts on %s', (_name, kind) => {
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

  const withSendGrid = () => alertDeps(store, { notify: { sendgridApiKey: KEY, sendgridApiUrl: sendgrid.origin } });
  const recipients = () => sendgrid.requests.map((r) => JSON.parse(r.body).personalizations[0].to[0].email as string);

  test('an outage is e-mailed to the alert address and recorded as delivered', async () => {
    const deps = withSendGrid();
    const m = await newMonitor(deps, { alertEmail: 'oncall@example.com' });
    await ping(deps, m);
    await missDeadline(deps, m);
    expect(recipients()).toEqual(['oncall@example.com']);
    expect(JSON.parse(sendgrid.requests[0].body).subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup”');
    expect(await notificationOf(store, m, 'email')).toMatchObject({ state: 'delivered', attempts: 1, deliveredAt: deps.clock() });
  });

  test('without an alert address the account e-mail is alerted', async () => {
    const deps = withSendGrid();
    const account = await newAccount(deps);
    const m = await newMonitor(deps, {}, account);
    await ping(deps, m);
    await missDeadline(deps, m);
    expect(recipients()).toEqual([account.email]);
  });

  test('a 5xx from SendGrid is retried and delivered on the next due attempt', async () => {
    const deps = withSendGrid();
    sendgrid.answer((_req, i) => ({ status: i === 0 ? 503 : 202 }));
    const m = await newMonitor(deps);
    await ping(deps, m);
    await missDeadline(deps, m);
    expect(await notificationOf(store, m, 'email')).toMatchObject({ state: 'pending', attempts: 1, lastError: 'SendGrid answered 503' });
    deps.fakeClock.advance(30);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(sendgrid.requests).toHaveLength(2);
    expect(await notificationOf(store, m, 'email')).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  test('an alert still queued when its monitor is deleted is not sent, and says why', async () => {
    const deps = withSendGrid();
    const m = await newMonitor(deps);
    await ping(deps, m);
    deps.fakeClock.advance(m.schedule + m.grace);
    await sweepDueMonitors(deps, deps.clock());
    const queued = await notificationOf(store, m, 'email');
    await store.deleteMonitor(m.id);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(sendgrid.requests).toHaveLength(0);
    expect(await store.getNotification(queued.id)).toMatchObject({ state: 'failed', lastError: 'not sent: the monitor was deleted', nextAttemptAt: null });
  });

  test('a 400 from SendGrid is recorded as failed and not retried', async () => {
    const deps = withSendGrid();
    sendgrid.answer(() => ({ status: 400, json: { errors: [{ message: 'Invalid from address' }] } }));
    const m = await newMonitor(deps);
    await ping(deps, m);
    await missDeadline(deps, m);
    deps.fakeClock.advance(6 * 3600);
    await runCheck(deps, { budgetMs: 10_000 });
    expect(sendgrid.requests).toHaveLength(1);
    expect(await notificationOf(store, m, 'email')).toMatchObject({
      state: 'failed',
      attempts: 1,
      nextAttemptAt: null,
      lastError: 'SendGrid answered 400: Invalid from address',
    });
  });

  test('without a SendGrid key the alert is written to the log and recorded as logged', async () => {
    const deps = alertDeps(store, { notify: { sendgridApiKey: null, sendgridApiUrl: sendgrid.origin } });
    const m = await newMonitor(deps, { alertEmail: 'oncall@example.com' });
    await ping(deps, m);
    await missDeadline(deps, m);
    const n = await notificationOf(store, m, 'email');
    expect(n).toMatchObject({ state: 'logged', attempts: 1, nextAttemptAt: null, deliveredAt: deps.clock() });
    expect(sendgrid.requests).toHaveLength(0);
    const logged = deps.lines.filter((l) => l.fields.notification === n.id && l.fields.to === 'oncall@example.com');
    expect(logged).toHaveLength(1);
    expect(logged[0].fields.subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup”');
    expect(logged[0].fields.text).toContain('No ping arrived within its schedule');
  });
});
