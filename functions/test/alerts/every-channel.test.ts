import { transition } from '../../src/domain/transitions';
import { CHANNEL_KINDS, type Channel } from '../../src/domain/channels';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { startDiscordStandIn } from '../support/standins/discord';
import { startGoogleChatStandIn } from '../support/standins/googlechat';
import { startGotifyStandIn } from '../support/standins/gotify';
import { startMatrixStandIn } from '../support/standins/matrix';
import { startMattermostStandIn } from '../support/standins/mattermost';
import { startTeamsStandIn } from '../support/standins/msteams';
import { startNtfyStandIn } from '../support/standins/ntfy';
import { OPSGENIE_API_KEY, startOpsgenieStandIn } from '../support/standins/opsgenie';
import { startPagerDutyStandIn } from '../support/standins/pagerduty';
import { PUSHOVER_APP_TOKEN, PUSHOVER_USER_KEY, startPushoverStandIn } from '../support/standins/pushover';
import { startSlackStandIn } from '../support/standins/slack';
import { startTelegramStandIn } from '../support/standins/telegram';
import { startWebhookStandIn } from '../support/standins/webhook-template';
import { startEmbedded, type EmbeddedServer } from './support/embedded';

const CHECK_INTERVAL_S = 1;
const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';
const SENDGRID_KEY = 'SG.every-channel';

/** What one kind's stand-in received, each message as text to read its event from. */
interface Received {
  /** The channel's config, pointing at the stand-in. */
  config: Record<string, string>;
  /** Every message the stand-in accepted, in order, as JSON text. */
  messages(): string[];
  close(): Promise<void>;
}

const asText = (items: readonly unknown[]): string[] => items.map((m) => JSON.stringify(m));

/**
 * Every kind's stand-in, and the settings that point CronPeek's fixed vendor endpoints at them:
 * real local servers that check each request against the vendor's documented format (see each
 * stand-in) and keep only what the vendor would have accepted.
 */
async function startStandIns(sendgrid: FakeHttp): Promise<{ received: Record<Channel, Received>; env: Record<string, string> }> {
  const [slack, pagerduty, discord, teams, telegram, ntfy, opsgenie, pushover, chat, mattermost, gotify, matrix, webhook] = await Promise.all([
    startSlackStandIn(),
    startPagerDutyStandIn(),
    startDiscordStandIn(),
    startTeamsStandIn(),
    startTelegramStandIn(),
    startNtfyStandIn(),
    startOpsgenieStandIn(),
    startPushoverStandIn(),
    startGoogleChatStandIn(),
    startMattermostStandIn(),
    startGotifyStandIn(),
    startMatrixStandIn(),
    startWebhookStandIn(),
  ]);
  const of = (config: Record<string, string>, messages: () => readonly unknown[], close: () => Promise<void>): Received => ({
    config,
    messages: () => asText(messages()),
    close,
  });
  const emails = () => sendgrid.requests.map((r) => (JSON.parse(r.body) as { subject: string }).subject);
  const received: Record<Channel, Received> = {
    email: of({ address: 'oncall@example.com' }, emails, async () => {}),
    webhook: of({ url: webhook.url }, () => webhook.messages, () => webhook.close()),
    slack: of({ url: slack.webhookUrl }, () => slack.messages, () => slack.close()),
    pagerduty: of({ routingKey: ROUTING_KEY }, () => pagerduty.events, () => pagerduty.close()),
    discord: of({ url: discord.url }, () => discord.messages, () => discord.close()),
    msteams: of({ url: teams.url }, () => teams.messages, () => teams.close()),
    telegram: of({ botToken: telegram.botToken, chatId: '-1001234567890' }, () => telegram.messages, () => telegram.close()),
    ntfy: of({ topic: 'cronpeek-alerts', server: ntfy.origin }, () => ntfy.messages, () => ntfy.close()),
    opsgenie: of({ apiKey: OPSGENIE_API_KEY, region: 'us' }, () => opsgenie.messages, () => opsgenie.close()),
    pushover: of({ userKey: PUSHOVER_USER_KEY, appToken: PUSHOVER_APP_TOKEN }, () => pushover.messages, () => pushover.close()),
    googlechat: of({ url: chat.url }, () => chat.messages, () => chat.close()),
    mattermost: of({ url: mattermost.url }, () => mattermost.messages, () => mattermost.close()),
    gotify: of({ server: gotify.url, appToken: gotify.appToken }, () => gotify.messages, () => gotify.close()),
    matrix: of({ homeserver: matrix.url, roomId: matrix.roomId, accessToken: matrix.accessToken }, () => matrix.messages, () => matrix.close()),
  };
  const env = {
    SENDGRID_API_KEY: SENDGRID_KEY,
    SENDGRID_API_URL: sendgrid.origin,
    CRONPEEK_VERIFY_EMAILS: 'off',
    CRONPEEK_SLACK_HOSTS: '127.0.0.1',
    CRONPEEK_PAGERDUTY_URL: pagerduty.eventsUrl,
    CRONPEEK_TELEGRAM_URL: telegram.origin,
    CRONPEEK_OPSGENIE_URL: opsgenie.origin,
    CRONPEEK_PUSHOVER_URL: pushover.url,
  };
  return { received, env };
}

/** Whether a message reads as a down alert or as a recovery, whatever the vendor's format. */
function eventOf(message: string): 'down' | 'up' | 'other' {
  const down = /\bDOWN\b|"monitor\.down"|"trigger"|"action":"create"/.test(message);
  const up = /\bUP\b|"monitor\.up"|"resolve"|"action":"close"/.test(message);
  if (down && !up) return 'down';
  if (up && !down) return 'up';
  return 'other';
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The issue's acceptance run: on the embedded server (Pro, private targets allowed for the
 * stand-ins), one monitor attached to one channel of every kind goes down and up, and each
 * stand-in receives exactly one down and one up in its vendor's format; the channels' delivery
 * logs and test buttons say the same.
 */
describe('one monitor, one channel of every kind', () => {
  let sendgrid: FakeHttp;
  let server: EmbeddedServer;
  let received: Record<Channel, Received>;
  beforeAll(async () => {
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
    const started = await startStandIns(sendgrid);
    received = started.received;
    server = await startEmbedded(CHECK_INTERVAL_S, started.env);
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all(Object.values(received ?? {}).map((r) => r.close()));
    await sendgrid?.close();
  });

  test('goes down and up: every stand-in gets exactly one down and one up, and every log shows both delivered', async () => {
    const account = await server.api('POST', '/api/v1/accounts', { email: 'team@example.com' });
    const apiKey = account.body.apiKey as string;
    const channelIds: Partial<Record<Channel, string>> = {};
    for (const kind of CHANNEL_KINDS) {
      const made = await server.api('POST', '/api/v1/channels', { kind, name: `${kind} alerts`, config: received[kind].config }, apiKey);
      expect([kind, made.status, made.body]).toEqual([kind, 201, expect.objectContaining({ kind })]);
      channelIds[kind] = made.body.channelId as string;
    }
    const created = await server.api('POST', '/api/v1/monitors', { name: 'Nightly DB Backup', schedule: 60, alertEmail: null, channels: '*' }, apiKey);
    expect([created.status, created.body.error]).toEqual([201, undefined]);
    expect(created.body.channels).toEqual(CHANNEL_KINDS.map((kind) => channelIds[kind]));
    const token = new URL(created.body.pingUrl as string).pathname.split('/').pop() as string;

    // One ping `schedule + grace` ago, through the store call and transition the ping route uses: due now.
    const pingedAt = new Date(Date.now() - (60 + (created.body.grace as number)) * 1000);
    await server.deps.store.recordPing(
      token,
      { at: pingedAt, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '127.0.0.1', userAgent: 'cron', body: null },
      (m) => transition(m, 'ping', pingedAt),
    );
    const all = () => CHANNEL_KINDS.every((kind) => received[kind].messages().length >= 1);
    await waitFor(all, 10_000);
    expect(Object.fromEntries(CHANNEL_KINDS.map((kind) => [kind, received[kind].messages().map(eventOf)]))).toEqual(
      Object.fromEntries(CHANNEL_KINDS.map((kind) => [kind, ['down']])),
    );

    expect((await fetch(`${server.base}/api/v1/ping/${token}`)).status).toBe(200);
    await waitFor(() => CHANNEL_KINDS.every((kind) => received[kind].messages().length >= 2), 10_000);
    // A moment more for anything that would arrive twice.
    await new Promise((r) => setTimeout(r, 2 * CHECK_INTERVAL_S * 1000));
    expect(Object.fromEntries(CHANNEL_KINDS.map((kind) => [kind, received[kind].messages().map(eventOf)]))).toEqual(
      Object.fromEntries(CHANNEL_KINDS.map((kind) => [kind, ['down', 'up']])),
    );

    for (const kind of CHANNEL_KINDS) {
      const log = await server.api('GET', `/api/v1/channels/${channelIds[kind]}/notifications`, undefined, apiKey);
      const entries = log.body.notifications as Array<{ event: string; state: string }>;
      expect([kind, entries.map((e) => [e.event, e.state])]).toEqual([kind, [['monitor.up', 'delivered'], ['monitor.down', 'delivered']]]);
    }
    const monitorLog = await server.api('GET', `/api/v1/monitors/${created.body.monitorId as string}/notifications?limit=100`, undefined, apiKey);
    expect((monitorLog.body.notifications as unknown[]).length).toBe(2 * CHANNEL_KINDS.length);
  });

  test('the test button reaches every kind, and its delivery shows in the channel log', async () => {
    const account = await server.api('POST', '/api/v1/accounts', { email: 'tester@example.com' });
    const apiKey = account.body.apiKey as string;
    for (const kind of CHANNEL_KINDS) {
      const before = received[kind].messages().length;
      const made = await server.api('POST', '/api/v1/channels', { kind, name: `${kind} test`, config: received[kind].config }, apiKey);
      const id = made.body.channelId as string;
      const tested = await server.api('POST', `/api/v1/channels/${id}/test`, undefined, apiKey);
      expect([kind, tested.status, tested.body.state]).toEqual([kind, 200, 'delivered']);
      expect([kind, received[kind].messages().length]).toEqual([kind, before + 1]);
      expect(received[kind].messages().at(-1)).toMatch(/TEST|test/);
      const log = await server.api('GET', `/api/v1/channels/${id}/notifications`, undefined, apiKey);
      expect([kind, (log.body.notifications as Array<{ event: string; state: string }>).map((e) => [e.event, e.state])]).toEqual([kind, [['channel.test', 'delivered']]]);
    }
  });
});
