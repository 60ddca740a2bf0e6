import { opsgenieNotifier } from '../../src/notify/opsgenie';
import { CHANNELS } from '../../src/domain/channels';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { OPSGENIE_API_KEY, startOpsgenieStandIn, type OpsgenieStandIn } from '../support/standins/opsgenie';
import { LAST_PING_AT } from './support/alert';
import { channelAlert, channelTestAlert, contextWith, flappingAlerts, outageAlerts } from './support/channel-alerts';

// Opsgenie Alert API: https://docs.opsgenie.com/docs/alert-api (create, close by alias)
describe('Opsgenie notifier', () => {
  let opsgenie: OpsgenieStandIn;
  beforeEach(async () => {
    opsgenie = await startOpsgenieStandIn();
  });
  afterEach(async () => {
    await opsgenie.close();
  });

  const notifier = (overrides = {}) => opsgenieNotifier(testNotifyConfig({ opsgenieUrls: { us: opsgenie.origin, eu: 'http://127.0.0.1:9' }, ...overrides }), { timeoutMs: 2_000 });
  const context = (extra: Record<string, string> = {}) => contextWith({ apiKey: OPSGENIE_API_KEY, ...extra });

  test('a down alert creates a P1 alert aliased to its outage, with the monitor in details', async () => {
    const n = channelAlert('opsgenie');
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    expect(opsgenie.messages).toHaveLength(1);
    const [create] = opsgenie.messages;
    expect(create.action).toBe('create');
    expect(create.body).toMatchObject({
      message: `DOWN: monitor “Nightly DB Backup” — no ping since 2026-03-28 00:54:00 UTC`,
      alias: `cronpeek-${n.snapshot.outageId}`,
      priority: 'P1',
      source: 'CronPeek',
      tags: ['cronpeek', 'down'],
      entity: 'Nightly DB Backup',
      details: { event: 'monitor.down', monitorId: n.monitorId, name: 'Nightly DB Backup', status: 'down', schedule: '3600 s', grace: '360 s', lastPing: LAST_PING_AT.toISOString(), reason: 'missed' },
    });
    expect(create.body.description).toContain(`Dashboard: ${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}`);
    expect(create.userAgent).toBe('CronPeek/test');
  });

  test('the recovery closes the same alert: one alert per outage', async () => {
    const { down, up } = outageAlerts('opsgenie');
    await notifier().send(down, context());
    await notifier().send(up, context());
    const alias = `cronpeek-${down.snapshot.outageId}`;
    expect(opsgenie.messages.map((m) => [m.action, m.alias])).toEqual([
      ['create', alias],
      ['close', alias],
    ]);
    expect(opsgenie.messages[1].body).toEqual({ source: 'CronPeek', note: expect.stringContaining('UP: monitor “Nightly DB Backup”') });
    expect(opsgenie.alerts.get(alias)).toMatchObject({ status: 'closed', count: 1 });
  });

  test('flapping opens a P3 alert on the outage its flip began, and settling up closes that alert', async () => {
    const { flapping, settled } = flappingAlerts('opsgenie', 'up');
    for (const n of [flapping, settled]) expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    const alias = `cronpeek-${flapping.snapshot.outageId}`;
    expect(opsgenie.messages.map((m) => [m.action, m.alias, m.body.priority])).toEqual([
      ['create', alias, 'P3'],
      ['close', alias, undefined],
    ]);
    expect(opsgenie.alerts.get(alias)).toMatchObject({ status: 'closed', count: 1 });
  });

  test('settling down joins the open alert and keeps it open for the recovery to close', async () => {
    const { flapping, settled } = flappingAlerts('opsgenie', 'down');
    await notifier().send(flapping, context());
    await notifier().send(settled, context());
    expect(opsgenie.messages.map((m) => [m.action, m.body.priority])).toEqual([['create', 'P3'], ['create', 'P1']]);
    expect(opsgenie.alerts.get(`cronpeek-${flapping.snapshot.outageId}`)).toMatchObject({ status: 'open', count: 2 });
  });

  test('a test alert is its own P5 alert', async () => {
    const n = channelTestAlert('opsgenie');
    await notifier().send(n, context());
    expect(opsgenie.messages[0].body).toMatchObject({ alias: `cronpeek-test-${n.id}`, priority: 'P5', message: 'TEST: channel “Ops room” — a test alert; nothing is down', tags: ['cronpeek', 'test'] });
  });

  test('a long name still makes a message of at most 130 characters', async () => {
    expect(await notifier().send(channelAlert('opsgenie', 'monitor.down', { name: 'x'.repeat(100) }), context())).toEqual({ outcome: 'delivered' });
    expect((opsgenie.messages[0].body.message as string).length).toBeLessThanOrEqual(130);
  });

  test('an EU channel goes to the EU origin', async () => {
    const result = await opsgenieNotifier(testNotifyConfig({ opsgenieUrls: { us: 'http://127.0.0.1:9', eu: opsgenie.origin } }), { timeoutMs: 2_000 }).send(channelAlert('opsgenie'), context({ region: 'eu' }));
    expect(result).toEqual({ outcome: 'delivered' });
  });

  test('a key Opsgenie does not know is final, and no error quotes it', async () => {
    const wrong = 'ffffffff-0000-4000-8000-000000000000';
    expect(await notifier().send(channelAlert('opsgenie'), contextWith({ apiKey: wrong }))).toEqual({ outcome: 'failed', error: 'Opsgenie answered 401: Could not authenticate' });
    opsgenie.fail.next({ status: 403, json: { message: `Key ${OPSGENIE_API_KEY} is not allowed to create alerts`, took: 0.001, requestId: 'r1' } });
    expect(await notifier().send(channelAlert('opsgenie'), context())).toEqual({ outcome: 'failed', error: 'Opsgenie answered 403: Key … is not allowed to create alerts' });
  });

  test('422 is final and keeps the field errors', async () => {
    opsgenie.fail.next({ status: 422, json: { message: 'Request body is not processable. Please check the errors.', errors: { message: 'Message can not be empty.' }, took: 0.001, requestId: 'r2' } });
    expect(await notifier().send(channelAlert('opsgenie'), context())).toEqual({
      outcome: 'failed',
      error: 'Opsgenie answered 422: Request body is not processable. Please check the errors.; Message can not be empty.',
    });
  });

  test('429 with Retry-After is retried no sooner than asked; 500 is retried', async () => {
    opsgenie.fail.next({ status: 429, json: { message: 'Rate limit exceeded', took: 0, requestId: 'r3' }, headers: { 'Retry-After': '5' } }, { status: 500, json: { message: 'Internal error', took: 0, requestId: 'r4' } });
    expect(await notifier().send(channelAlert('opsgenie'), context())).toEqual({ outcome: 'retry', error: 'Opsgenie answered 429: Rate limit exceeded', retryAfterMs: 5_000 });
    expect(await notifier().send(channelAlert('opsgenie'), context())).toEqual({ outcome: 'retry', error: 'Opsgenie answered 500: Internal error' });
  });

  test('the stand-in\'s key is one a channel object accepts', () => {
    expect(CHANNELS.opsgenie.config.apiKey.format.pattern.test(OPSGENIE_API_KEY)).toBe(true);
  });

  test('a channel without settings is final', async () => {
    expect(await notifier().send(channelAlert('opsgenie'), contextWith({ region: 'eu' }))).toEqual({ outcome: 'failed', error: 'Opsgenie channel has no settings' });
  });

  test('an API origin on a private address is refused unless private targets are allowed', async () => {
    expect(await notifier({ allowPrivateWebhooks: false }).send(channelAlert('opsgenie'), context())).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(opsgenie.requests).toHaveLength(0);
  });
});
