import { dedupKeyOf, pagerdutyNotifier } from '../../src/notify/pagerduty';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../support/standins/pagerduty';
import { alertFor, FLIP_AT, LAST_PING_AT } from './support/alert';

const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';
const noSecret = { webhookSecret: null };

describe('PagerDuty notifier', () => {
  let pd: PagerDutyStandIn;
  beforeEach(async () => {
    pd = await startPagerDutyStandIn();
  });
  afterEach(async () => {
    await pd.close();
  });

  const notifier = () => pagerdutyNotifier(testNotifyConfig({ pagerdutyUrl: pd.eventsUrl }), { timeoutMs: 2_000 });

  test('a down alert triggers an Events API v2 incident with the monitor in custom_details', async () => {
    const n = alertFor('pagerduty', ROUTING_KEY);
    expect(await notifier().send(n, noSecret)).toEqual({ outcome: 'delivered' });
    expect(pd.events).toEqual([
      {
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: `cronpeek-${n.snapshot.outageId}`,
        payload: {
          summary: `DOWN: Nightly DB Backup — no ping since 2026-03-28 00:54:00 UTC`,
          source: `cronpeek monitor ${n.monitorId}`,
          severity: 'critical',
          timestamp: FLIP_AT.toISOString(),
          component: 'Nightly DB Backup',
          class: 'missed ping',
          custom_details: {
            monitorId: n.monitorId, name: 'Nightly DB Backup', status: 'down', schedule: 3600, grace: 360, lastPing: LAST_PING_AT.toISOString(),
            reason: 'missed', output: null,
          },
        },
        client: 'CronPeek',
        client_url: `${TEST_PUBLIC_URL}/dashboard.html`,
      },
    ]);
    expect(pd.incidents.get(`cronpeek-${n.snapshot.outageId}`)).toBe('triggered');
  });

  test('the recovery resolves the same incident: one dedup_key per outage', async () => {
    const down = alertFor('pagerduty', ROUTING_KEY, 'monitor.down');
    // The recovery of that outage, as the domain makes it: the monitor is down since the down flip.
    const up = alertFor('pagerduty', ROUTING_KEY, 'monitor.up', { lastAlertAt: FLIP_AT, id: down.monitorId });
    await notifier().send(down, noSecret);
    await notifier().send(up, noSecret);
    expect(pd.events.map((e) => [e.event_action, e.dedup_key])).toEqual([
      ['trigger', dedupKeyOf(down)],
      ['resolve', dedupKeyOf(down)],
    ]);
    expect(pd.incidents.get(dedupKeyOf(down))).toBe('resolved');
  });

  test.each([429, 500, 502, 503])('answer %i is retried', async (status) => {
    pd.fail.next({ status, json: { status: 'throttle exceeded', message: 'Requests for this service are arriving too quickly.' } });
    expect(await notifier().send(alertFor('pagerduty', ROUTING_KEY), noSecret)).toEqual({
      outcome: 'retry',
      error: `PagerDuty answered ${status}: Requests for this service are arriving too quickly.`,
    });
  });

  test('an invalid event is final and keeps PagerDuty\'s errors', async () => {
    // PagerDuty's answer for a key it does not know (the stand-in cannot tell which keys exist).
    const n = alertFor('pagerduty', ROUTING_KEY);
    pd.fail.next({ status: 400, json: { status: 'invalid event', message: 'Event object is invalid', errors: ["'routing_key' is invalid"] } });
    expect(await notifier().send(n, noSecret)).toEqual({
      outcome: 'failed',
      error: "PagerDuty answered 400: Event object is invalid; 'routing_key' is invalid",
    });
  });

  test('a routing key that is not 32 letters and digits is never sent', async () => {
    const n = { ...alertFor('pagerduty', ROUTING_KEY), target: 'short' };
    expect(await notifier().send(n, noSecret)).toEqual({ outcome: 'failed', error: 'PagerDuty routing key is not 32 letters and digits' });
    expect(pd.requests).toHaveLength(0);
  });

  test('a channel object\'s routing key comes from its config, not the row\'s target (its channel id)', async () => {
    const n = { ...alertFor('pagerduty', ROUTING_KEY), channelId: 'ch_0123456789abcdef', target: 'ch_0123456789abcdef' };
    expect(await notifier().send(n, { webhookSecret: null, config: { routingKey: ROUTING_KEY } })).toEqual({ outcome: 'delivered' });
    expect(pd.events[0].routing_key).toBe(ROUTING_KEY);
  });

  test('an unreachable endpoint is retried', async () => {
    const gone = await startPagerDutyStandIn();
    await gone.close();
    const result = await pagerdutyNotifier(testNotifyConfig({ pagerdutyUrl: gone.eventsUrl })).send(alertFor('pagerduty', ROUTING_KEY), noSecret);
    expect(result).toMatchObject({ outcome: 'retry', error: expect.stringMatching(/^PagerDuty unreachable: .*ECONNREFUSED/) });
  });

  test('an endpoint on a private address is refused unless private targets are allowed', async () => {
    const config = testNotifyConfig({ pagerdutyUrl: pd.eventsUrl, allowPrivateWebhooks: false });
    expect(await pagerdutyNotifier(config).send(alertFor('pagerduty', ROUTING_KEY), noSecret)).toEqual({
      outcome: 'failed',
      error: 'refused: 127.0.0.1 is a private address',
    });
    expect(pd.requests).toHaveLength(0);
  });
});
