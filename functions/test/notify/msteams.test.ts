import { msteamsNotifier } from '../../src/notify/msteams';
import { testNotifyConfig, TEST_PUBLIC_URL } from '../support/deps';
import { startTeamsStandIn, type TeamsStandIn } from '../support/standins/msteams';
import { channelAlert, channelTestAlert, contextWith, flappingAlerts, outageAlerts, stillDownAlert } from './support/channel-alerts';

// Teams Workflows webhooks: https://support.microsoft.com/en-us/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498
describe('Microsoft Teams notifier', () => {
  let teams: TeamsStandIn;
  beforeEach(async () => {
    teams = await startTeamsStandIn();
  });
  afterEach(async () => {
    await teams.close();
  });

  const notifier = (overrides = {}) => msteamsNotifier(testNotifyConfig(overrides), { timeoutMs: 2_000 });
  const context = () => contextWith({ url: teams.url });
  const texts = (i = 0) => teams.messages[i].card.body.filter((e) => e.type === 'TextBlock').map((e) => e.text);

  test('a down alert is an Adaptive Card 1.4 with the headline, the facts and a button to the monitor', async () => {
    const n = channelAlert('msteams');
    expect(await notifier().send(n, context())).toEqual({ outcome: 'delivered' });
    const { card } = teams.messages[0];
    expect(card).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4' });
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: '🔴 DOWN: monitor “Nightly DB Backup”', weight: 'Bolder', color: 'attention' });
    expect(texts()[1]).toBe(`no ping since 2026-03-28 00:54:00 UTC`);
    expect(card.body.find((e) => e.type === 'FactSet')).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Schedule', value: 'every 1 hour' },
        { title: 'Grace', value: '6 minutes' },
        { title: 'Last ping', value: '2026-03-28 00:54:00 UTC' },
        { title: 'Monitor id', value: n.monitorId },
      ],
    });
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in CronPeek', url: `${TEST_PUBLIC_URL}/dashboard.html#monitor/${n.monitorId}` }]);
    expect(teams.messages[0].userAgent).toBe('CronPeek/test');
  });

  test('up, still down, flapping, settled and test read as on every channel', async () => {
    const { up } = outageAlerts('msteams');
    const { flapping, settled } = flappingAlerts('msteams', 'down');
    for (const n of [up, stillDownAlert('msteams'), flapping, settled, channelTestAlert('msteams')]) await notifier().send(n, context());
    expect(teams.messages.map((m) => [m.card.body[0].text, m.card.body[0].color])).toEqual([
      ['🟢 UP: monitor “Nightly DB Backup”', 'good'],
      ['🔴 STILL DOWN: monitor “Nightly DB Backup”', 'attention'],
      ['🟠 FLAPPING: monitor “Nightly DB Backup”', 'warning'],
      ['🔴 DOWN: monitor “Nightly DB Backup”', 'attention'],
      ['🧪 TEST: channel “Ops room”', 'accent'],
    ]);
    expect(texts(1)[1]).toBe('reminder 2 of 5, down for 3 hours');
    expect(texts(3)[1]).toContain('settled after flapping');
    expect(texts(4)[2]).toContain('This is a test alert from CronPeek');
    expect(teams.messages[4].card.actions).toBeUndefined();
  });

  test('markdown in a monitor name is escaped, not interpreted', async () => {
    await notifier().send(channelAlert('msteams', 'monitor.down', { name: '**db** [x](https://evil.example) _it_' }), context());
    expect(texts()[0]).toBe('🔴 DOWN: monitor “\\*\\*db\\*\\* \\[x\\](https://evil.example) \\_it\\_”');
  });

  test('429 with Retry-After is retried no sooner than asked', async () => {
    teams.fail.next({ status: 429, json: { error: { code: 'WorkflowRequestsThrottled', message: 'Rate limit is exceeded.' } }, headers: { 'Retry-After': '30' } });
    expect(await notifier().send(channelAlert('msteams'), context())).toEqual({
      outcome: 'retry',
      error: 'Microsoft Teams answered 429: WorkflowRequestsThrottled: Rate limit is exceeded.',
      retryAfterMs: 30_000,
    });
  });

  test('502 is retried', async () => {
    teams.fail.next({ status: 502, json: { error: { code: 'BadGateway', message: 'The server did not receive a response.' } } });
    expect(await notifier().send(channelAlert('msteams'), context())).toEqual({ outcome: 'retry', error: 'Microsoft Teams answered 502: BadGateway: The server did not receive a response.' });
  });

  test('a workflow that is gone is final and keeps Azure\'s error', async () => {
    const url = teams.url.replace('/workflows/0f', '/workflows/ff');
    expect(await notifier().send(channelAlert('msteams'), contextWith({ url }))).toEqual({ outcome: 'failed', error: 'Microsoft Teams answered 404: WorkflowNotFound: The workflow could not be found.' });
  });

  test('no error quotes the signature, even when the answer echoes the URL', async () => {
    teams.fail.next({ status: 401, json: { error: { code: 'DirectApiInvalidAuthorizationSignature', message: `The signature in ${teams.url} is not valid.` } } });
    const result = await notifier().send(channelAlert('msteams'), context());
    expect(result).toMatchObject({ outcome: 'failed' });
    expect(JSON.stringify(result)).not.toContain(teams.sig);
  });

  test('a channel without settings is final', async () => {
    expect(await notifier().send(channelAlert('msteams'), { webhookSecret: null })).toEqual({ outcome: 'failed', error: 'Microsoft Teams channel has no settings' });
  });

  test('a workflow URL on a private address is refused unless private targets are allowed', async () => {
    expect(await notifier({ allowPrivateWebhooks: false }).send(channelAlert('msteams'), context())).toEqual({ outcome: 'failed', error: 'refused: 127.0.0.1 is a private address' });
    expect(teams.requests).toHaveLength(0);
  });
});
