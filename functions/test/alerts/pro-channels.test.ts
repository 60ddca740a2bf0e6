import { runCheck } from '../../src/services/checker';
import type { Monitor } from '../../src/domain/types';
import type { InspectableStore } from '../../src/store/inspection';
import { storeKinds } from '../support/stores';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../support/standins/pagerduty';
import { startSlackStandIn, type SlackStandIn } from '../support/standins/slack';
import { resolveToLoopback, selfSignedCertificate } from '../support/standins/tls';
import { alertDeps, missDeadline, newAccount, newMonitor, notificationOf, ping, type AlertDeps } from './support/world';

const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';

/** Slack and PagerDuty through the outbox: checker flips, claims, sends, retries and records. */
describe.each(storeKinds())('Slack and PagerDuty alerts on %s', (_name, kind) => {
  let store: InspectableStore;
  let slack: SlackStandIn;
  let pd: PagerDutyStandIn;
  let deps: AlertDeps;
  beforeEach(async () => {
    store = await kind.open();
    slack = await startSlackStandIn();
    pd = await startPagerDutyStandIn();
    // The stand-in stands for hooks.slack.com: a Slack URL must be on one of slackHosts to be saved.
    deps = alertDeps(store, { notify: { pagerdutyUrl: pd.eventsUrl, slackHosts: ['127.0.0.1'] } });
  });
  afterEach(async () => {
    await slack.close();
    await pd.close();
    await store.close();
  });

  async function upMonitor(): Promise<Monitor> {
    const m = await newMonitor(deps, { alertSlack: slack.webhookUrl, alertPagerDuty: ROUTING_KEY });
    await ping(deps, m);
    return m;
  }
  const check = () => runCheck(deps, { budgetMs: 10_000 });
  /** Moves the clock to the row's next attempt and runs the checker. */
  async function retry(m: Monitor, channel: 'slack' | 'pagerduty') {
    const n = await notificationOf(store, m, channel);
    deps.fakeClock.set(n.nextAttemptAt!.toISOString());
    await check();
  }

  test('a missed ping reaches Slack and triggers PagerDuty; the next ping resolves both', async () => {
    const m = await upMonitor();
    await missDeadline(deps, m);
    expect(slack.messages.map((x) => x.text)).toEqual([expect.stringMatching(/^🔴 DOWN: Nightly DB Backup — no ping since /)]);
    expect(pd.events.map((e) => e.event_action)).toEqual(['trigger']);
    const dedupKey = pd.events[0].dedup_key;
    expect(pd.incidents.get(dedupKey)).toBe('triggered');

    deps.fakeClock.advance(300);
    await ping(deps, m);
    await check();
    expect(slack.messages.map((x) => x.text)).toEqual([expect.stringMatching(/^🔴 DOWN/), expect.stringMatching(/^🟢 UP: Nightly DB Backup/)]);
    expect(pd.events.map((e) => [e.event_action, e.dedup_key])).toEqual([['trigger', dedupKey], ['resolve', dedupKey]]);
    expect(pd.incidents.get(dedupKey)).toBe('resolved');
    for (const channel of ['slack', 'pagerduty'] as const) {
      expect(await notificationOf(store, m, channel, 'monitor.up')).toMatchObject({ state: 'delivered', attempts: 1, lastError: null });
    }
  });

  test('each outage is its own PagerDuty incident', async () => {
    const m = await upMonitor();
    for (let outage = 0; outage < 2; outage++) {
      await missDeadline(deps, m);
      deps.fakeClock.advance(60);
      await ping(deps, m);
      await check();
    }
    const keys = pd.events.map((e) => e.dedup_key);
    expect(pd.events.map((e) => e.event_action)).toEqual(['trigger', 'resolve', 'trigger', 'resolve']);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).toBe(keys[3]);
    expect(keys[0]).not.toBe(keys[2]);
  });

  test.each([429, 500, 503])('after %i both are retried and delivered on the next attempt', async (status) => {
    slack.fail.next({ status, body: status === 429 ? 'rate_limited' : 'rollup_error' });
    pd.fail.next({ status, json: { status: 'error', message: 'try again' } });
    const m = await upMonitor();
    await missDeadline(deps, m);
    expect(await notificationOf(store, m, 'slack')).toMatchObject({ state: 'pending', attempts: 1, lastError: expect.stringMatching(`^Slack answered ${status}: `) });
    expect(await notificationOf(store, m, 'pagerduty')).toMatchObject({ state: 'pending', attempts: 1, lastError: `PagerDuty answered ${status}: try again` });
    await retry(m, 'slack');
    expect(await notificationOf(store, m, 'slack')).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(await notificationOf(store, m, 'pagerduty')).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(slack.messages).toHaveLength(1);
    expect(pd.events).toHaveLength(1);
  });

  test.each([
    [404, 'no_service'],
    [410, 'channel_is_archived'],
    [400, 'invalid_payload'],
  ])('Slack answering %i fails for good with Slack\'s reason, and is not tried again', async (status, reason) => {
    slack.fail.always = { status, body: reason };
    const m = await upMonitor();
    await missDeadline(deps, m);
    expect(await notificationOf(store, m, 'slack')).toMatchObject({ state: 'failed', attempts: 1, nextAttemptAt: null, lastError: `Slack answered ${status}: ${reason}` });
    deps.fakeClock.advance(86_400);
    await check();
    expect(slack.requests).toHaveLength(1);
    // The other channels of the same flip are unaffected.
    expect(await notificationOf(store, m, 'pagerduty')).toMatchObject({ state: 'delivered' });
    expect(await notificationOf(store, m, 'email')).toMatchObject({ state: 'logged' });
  });

  test('PagerDuty answering 400 fails for good with its errors', async () => {
    pd.fail.always = { status: 400, json: { status: 'invalid event', message: 'Event object is invalid', errors: ["'routing_key' is invalid"] } };
    const m = await upMonitor();
    await missDeadline(deps, m);
    deps.fakeClock.advance(86_400);
    await check();
    expect(pd.requests).toHaveLength(1);
    expect(await notificationOf(store, m, 'pagerduty')).toMatchObject({
      state: 'failed',
      lastError: "PagerDuty answered 400: Event object is invalid; 'routing_key' is invalid",
    });
  });

  test('two checkers racing send one Slack message and one PagerDuty event per flip', async () => {
    const account = await newAccount(deps);
    const monitors: Monitor[] = [];
    for (let i = 0; i < 4; i++) {
      const m = await newMonitor(deps, { name: `job ${i}`, alertSlack: slack.webhookUrl, alertPagerDuty: ROUTING_KEY }, account);
      await ping(deps, m);
      monitors.push(m);
    }
    deps.fakeClock.advance(3600 + 360);
    await Promise.all([check(), check()]);
    expect(slack.messages.map((x) => x.text.split(' — ')[0]).sort()).toEqual(monitors.map((m) => `🔴 DOWN: ${m.name}`));
    expect(pd.events).toHaveLength(4);
    expect(new Set(pd.events.map((e) => e.dedup_key)).size).toBe(4);

    deps.fakeClock.advance(60);
    await Promise.all(monitors.map((m) => ping(deps, m)));
    await Promise.all([check(), check()]);
    expect(slack.messages).toHaveLength(8);
    expect(pd.events.filter((e) => e.event_action === 'resolve')).toHaveLength(4);
    expect([...pd.incidents.values()]).toEqual(['resolved', 'resolved', 'resolved', 'resolved']);
  });

  test('after a downgrade the monitor stays, e-mail still goes out and Slack and PagerDuty are recorded as not sent', async () => {
    const m = await upMonitor();
    expect(await store.setAccountPlan(m.accountId, 'free')).toMatchObject({ plan: 'free' });
    await missDeadline(deps, m);
    expect(await store.getMonitor(m.id)).toMatchObject({ status: 'down', alertSlack: slack.webhookUrl, alertPagerDuty: ROUTING_KEY });
    expect(await notificationOf(store, m, 'email')).toMatchObject({ state: 'logged' });
    expect(await notificationOf(store, m, 'slack')).toMatchObject({
      state: 'failed',
      nextAttemptAt: null,
      lastError: 'not sent: Slack alerts need the Pro plan and the account is on free',
    });
    expect(await notificationOf(store, m, 'pagerduty')).toMatchObject({
      state: 'failed',
      lastError: 'not sent: PagerDuty alerts need the Pro plan and the account is on free',
    });
    expect(slack.requests).toHaveLength(0);
    expect(pd.requests).toHaveLength(0);
  });

  test('an upgrade back to Pro sends the next outage\'s alerts again', async () => {
    const m = await upMonitor();
    await store.setAccountPlan(m.accountId, 'free');
    await store.setAccountPlan(m.accountId, 'pro');
    await missDeadline(deps, m);
    expect(slack.messages).toHaveLength(1);
    expect(pd.events).toHaveLength(1);
  });

  test('an alertWebhook on hooks.slack.com goes out in Slack format through the outbox', async () => {
    const tls = selfSignedCertificate('hooks.slack.com');
    const slackTls = await startSlackStandIn({ key: tls.key, cert: tls.cert });
    try {
      const viaSlack = alertDeps(store, { connect: { resolve: resolveToLoopback('hooks.slack.com'), ca: tls.ca } });
      const url = `https://hooks.slack.com:${slackTls.port}/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c`;
      const m = await newMonitor(viaSlack, { alertWebhook: url });
      await ping(viaSlack, m);
      await missDeadline(viaSlack, m);
      expect(slackTls.messages.map((x) => x.text)).toEqual([expect.stringMatching(/^🔴 DOWN: Nightly DB Backup — no ping since /)]);
      expect(await notificationOf(store, m, 'webhook')).toMatchObject({ state: 'delivered', attempts: 1 });
    } finally {
      await slackTls.close();
    }
  });
});
