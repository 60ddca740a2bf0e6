import request from 'supertest';
import type { App } from 'supertest/types';
import { CHANNEL_KINDS, secretFields, type Channel } from '../../src/domain/channels';
import { PLANS } from '../../src/domain/plans';
import { createApp } from '../../src/http/app';
import type { NotifyConfig } from '../../src/notify/types';
import type { InspectableStore } from '../../src/store/inspection';
import { testDeps } from '../support/deps';
import { ApiClient, freshEmail } from '../support/http-client';
import { storeKinds } from '../support/stores';

const SLACK_URL = 'https://hooks.slack.com/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c';
const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';

/** A valid config of every kind, its secrets long enough that a mask could not give them away. */
const VALID: Record<Channel, Record<string, unknown>> = {
  email: { address: 'Ops@Example.com' },
  webhook: { url: 'https://example.com/hooks/cronpeek-7f3a9c', method: 'PUT', headers: { Authorization: 'Bearer whtoken-0123456789abcdef' }, body: '{"text": "alert"}' },
  slack: { url: SLACK_URL },
  pagerduty: { routingKey: ROUTING_KEY },
  discord: { url: 'https://discord.com/api/webhooks/123456789/discordSecretToken0123' },
  msteams: { url: 'https://example.webhook.office.com/webhookb2/teamsSecret0123456789' },
  telegram: { botToken: '123456789:AAHsecretTelegramToken0123456789', chatId: '-1001234567890' },
  ntfy: { topic: 'cronpeek-alerts', server: 'https://ntfy.example.com', token: 'tk_ntfySecretToken0123456789' },
  opsgenie: { apiKey: 'eb243592-faa2-4ba2-a551-1afdf565c889', region: 'eu' },
  pushover: { userKey: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG', appToken: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi' },
  googlechat: { url: 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=chatKey0123&token=chatToken0123' },
  mattermost: { url: 'https://mattermost.example.com/hooks/mattermostSecret0123456789' },
  gotify: { server: 'https://gotify.example.com', appToken: 'AgotifySecretToken0123' },
  matrix: { homeserver: 'https://matrix.example.org', roomId: '!abcDEF123:example.org', accessToken: 'syt_matrixSecretToken0123456789' },
};

/** Every secret value of a config, as strings (a header map's values one by one). */
function secretsOf(kind: Channel, config: Record<string, unknown>): string[] {
  return secretFields(kind).flatMap((field) => {
    const value = config[field];
    if (value === undefined) return [];
    return typeof value === 'string' ? [value] : Object.values(value as Record<string, string>);
  });
}

describe.each(storeKinds())('channel objects over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: App;
  let api: ApiClient;
  const open = async (notify: Partial<NotifyConfig> = {}) => {
    store = await kind.open();
    app = createApp(testDeps(store, { notify }));
    api = new ApiClient(app);
  };
  afterEach(async () => {
    await store.close();
  });

  async function account(plan: 'free' | 'pro'): Promise<string> {
    const email = freshEmail();
    const key = await api.signup(email);
    if (plan === 'pro') await store.setAccountPlan((await store.findAccountByEmail(email))!.id, 'pro');
    return key;
  }
  const create = (key: string, body: unknown) => request(app).post('/api/v1/channels').set('x-api-key', key).send(body as object);
  const get = (key: string, id: string) => request(app).get(`/api/v1/channels/${id}`).set('x-api-key', key);
  const list = (key: string) => request(app).get('/api/v1/channels').set('x-api-key', key);
  const patch = (key: string, id: string, body: unknown) => request(app).patch(`/api/v1/channels/${id}`).set('x-api-key', key).send(body as object);
  const remove = (key: string, id: string) => request(app).delete(`/api/v1/channels/${id}`).set('x-api-key', key);

  describe('create', () => {
    beforeEach(() => open());

    test.each(CHANNEL_KINDS)('a Pro account creates a %s channel: 201, config masked, no secret in any answer', async (k) => {
      const key = await account('pro');
      const { body: created } = await create(key, { kind: k, name: `My ${k}`, config: VALID[k] }).expect(201);
      expect(created).toMatchObject({ channelId: expect.stringMatching(/^ch_[0-9a-f]{16}$/), kind: k, name: `My ${k}`, events: ['down', 'up', 'still_down', 'flapping'], isDefault: false });
      expect(Object.keys(created.config).sort()).toEqual(Object.keys(VALID[k]).sort());
      const answers = [created, (await get(key, created.channelId).expect(200)).body, (await list(key).expect(200)).body];
      answers.push((await patch(key, created.channelId, { name: 'Renamed' }).expect(200)).body);
      const secrets = secretsOf(k, VALID[k]);
      if (k !== 'email') expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(secret);
    });

    test('secrets are masked as documented: a URL keeps its origin, a long token its last four characters', async () => {
      const key = await account('pro');
      const slack = (await create(key, { kind: 'slack', name: 'Slack', config: { url: SLACK_URL } }).expect(201)).body;
      expect(slack.config).toEqual({ url: 'https://hooks.slack.com/…' });
      const pd = (await create(key, { kind: 'pagerduty', name: 'PD', config: { routingKey: ROUTING_KEY } }).expect(201)).body;
      expect(pd.config).toEqual({ routingKey: '…5678' });
      const telegram = (await create(key, { kind: 'telegram', name: 'TG', config: VALID.telegram }).expect(201)).body;
      expect(telegram.config).toEqual({ botToken: '…6789', chatId: '-1001234567890' });
    });

    test('an e-mail channel keeps its address lower-cased and shows it; events and isDefault are kept as given', async () => {
      const key = await account('free');
      const { body } = await create(key, { kind: 'email', name: 'Ops', config: { address: ' Ops@Example.com ' }, events: ['down'], isDefault: true }).expect(201);
      expect(body).toEqual({ channelId: body.channelId, kind: 'email', name: 'Ops', config: { address: 'ops@example.com' }, events: ['down'], isDefault: true, createdAt: expect.any(String) });
      expect(body.webhookSecret).toBeUndefined();
    });

    test('a webhook channel answers its signing secret once, and never again', async () => {
      const key = await account('pro');
      const { body } = await create(key, { kind: 'webhook', name: 'Hook', config: { url: 'https://example.com/hook' } }).expect(201);
      expect(body.webhookSecret).toMatch(/^whsec_/);
      expect((await store.getChannel(body.channelId))!.webhookSecret).toBe(body.webhookSecret);
      expect(JSON.stringify((await get(key, body.channelId).expect(200)).body)).not.toContain(body.webhookSecret);
      expect(JSON.stringify((await list(key).expect(200)).body)).not.toContain(body.webhookSecret);
    });

    test('the list is oldest first', async () => {
      const key = await account('pro');
      const ids: string[] = [];
      for (const k of ['email', 'slack', 'pagerduty'] as const) ids.push((await create(key, { kind: k, name: k, config: VALID[k] }).expect(201)).body.channelId);
      expect((await list(key).expect(200)).body.channels.map((c: { channelId: string }) => c.channelId)).toEqual(ids);
    });
  });

  describe('validation', () => {
    beforeEach(() => open());

    test.each([
      ['no kind', { name: 'x', config: {} }, 'kind is required.'],
      ['an unknown kind', { kind: 'fax', name: 'x', config: {} }, `kind must be one of ${CHANNEL_KINDS.join(', ')}.`],
      ['no name', { kind: 'slack', config: VALID.slack }, 'name is required.'],
      ['an empty name', { kind: 'slack', name: '  ', config: VALID.slack }, 'name must not be empty.'],
      ['a name of 101 characters', { kind: 'slack', name: 'x'.repeat(101), config: VALID.slack }, 'name must be at most 100 characters.'],
      ['a name with a line break', { kind: 'slack', name: 'a\nb', config: VALID.slack }, 'name must not contain control characters or bidirectional overrides.'],
      ['no config', { kind: 'slack', name: 'x' }, 'config is required.'],
      ['a config that is a string', { kind: 'slack', name: 'x', config: SLACK_URL }, 'config must be an object.'],
      ['a missing required field', { kind: 'telegram', name: 'x', config: { chatId: '42' } }, 'config.botToken is required.'],
      ['an unknown config field', { kind: 'slack', name: 'x', config: { ...VALID.slack, channel: '#ops' } }, "Unknown field config.channel; a Slack channel's config has url."],
      ['a URL that is not http(s)', { kind: 'discord', name: 'x', config: { url: 'ftp://discord.com/x' } }, 'config.url must be an http(s) URL.'],
      ['a URL over 2048 characters', { kind: 'discord', name: 'x', config: { url: `https://discord.com/${'x'.repeat(2048)}` } }, 'config.url must be at most 2048 characters.'],
      ['a bad e-mail address', { kind: 'email', name: 'x', config: { address: 'nope' } }, 'config.address must be a valid email address.'],
      ['a bad routing key', { kind: 'pagerduty', name: 'x', config: { routingKey: 'short' } }, 'config.routingKey must be a PagerDuty Events API v2 integration key (32 letters and digits).'],
      ['a field of the wrong type', { kind: 'pagerduty', name: 'x', config: { routingKey: 42 } }, 'config.routingKey must be a string.'],
      ['a method not offered', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', method: 'DELETE' } }, 'config.method must be one of POST, PUT, PATCH, GET.'],
      ['a region not offered', { kind: 'opsgenie', name: 'x', config: { apiKey: 'eb243592-faa2', region: 'ap' } }, 'config.region must be one of us, eu.'],
      ['a body template over 10000 characters', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', body: 'x'.repeat(10_001) } }, 'config.body must be at most 10000 characters.'],
      ['headers that are a list', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', headers: ['a'] } }, 'config.headers must be an object of header names to values.'],
      ['a header name that is not a token', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', headers: { 'Bad Name': 'v' } } }, 'config.headers: "Bad Name" is not a valid header name.'],
      ['a Host header', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', headers: { host: 'evil.example' } } }, 'config.headers: host is set by CronPeek and cannot be sent.'],
      ['a CronPeek header', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', headers: { 'X-CronPeek-Signature': 'v' } } }, 'config.headers: X-CronPeek-Signature is set by CronPeek and cannot be sent.'],
      ['a header value with a line break', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', headers: { 'X-Team': 'a\r\nb' } } }, 'config.headers.X-Team must be printable text of at most 1000 characters.'],
      ['a header value over 1000 characters', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', headers: { 'X-Team': 'x'.repeat(1001) } } }, 'config.headers.X-Team must be printable text of at most 1000 characters.'],
      ['21 headers', { kind: 'webhook', name: 'x', config: { url: 'https://example.com/h', headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])) } }, 'config.headers may set at most 20 headers.'],
      ['no events', { kind: 'slack', name: 'x', config: VALID.slack, events: [] }, 'events must list at least one of down, up, still_down, flapping.'],
      ['an unknown event', { kind: 'slack', name: 'x', config: VALID.slack, events: ['down', 'sideways'] }, 'events must list only down, up, still_down, flapping.'],
      ['a repeated event', { kind: 'slack', name: 'x', config: VALID.slack, events: ['down', 'down'] }, 'events lists down twice.'],
      ['events that are not a list', { kind: 'slack', name: 'x', config: VALID.slack, events: 'down' }, 'events must be a list of down, up, still_down, flapping.'],
      ['isDefault that is not a boolean', { kind: 'slack', name: 'x', config: VALID.slack, isDefault: 'yes' }, 'isDefault must be true or false.'],
      ['an unknown top-level field', { kind: 'slack', name: 'x', config: VALID.slack, colour: 'red' }, 'Unknown field colour; a channel has kind, name, config, events, isDefault.'],
    ])('refuses %s with 400 naming the field, and creates nothing', async (_what, body, message) => {
      const key = await account('pro');
      expect((await create(key, body).expect(400)).body).toEqual({ error: message });
      expect((await list(key).expect(200)).body.channels).toEqual([]);
    });
  });

  describe('URL rules', () => {
    test.each([
      ['a private address', { kind: 'webhook', config: { url: 'http://10.0.0.5/hook' } }, 'config.url'],
      ['loopback', { kind: 'discord', config: { url: 'http://127.0.0.1:8080/hook' } }, 'config.url'],
      ['a local name', { kind: 'mattermost', config: { url: 'https://chat.internal/hooks/x' } }, 'config.url refused: chat.internal is a local network name.'],
      ['a private ntfy server', { kind: 'ntfy', config: { topic: 'alerts', server: 'http://192.168.1.2' } }, 'config.server'],
      ['a localhost homeserver', { kind: 'matrix', config: { homeserver: 'http://localhost:8008', roomId: '!a:b.org', accessToken: 'syt_abcdefgh' } }, 'config.homeserver'],
    ])('refuses %s unless private targets are allowed', async (_what, body, message) => {
      await open({ allowPrivateWebhooks: false });
      const key = await account('pro');
      const refused = (await create(key, { ...body, name: 'x' }).expect(400)).body.error as string;
      expect(refused.startsWith(message)).toBe(true);
      await store.close();

      await open({ allowPrivateWebhooks: true });
      const allowed = await account('pro');
      await create(allowed, { ...body, name: 'x' }).expect(201);
    });

    test('a Slack URL must be on one of the Slack hosts', async () => {
      await open();
      const key = await account('pro');
      expect((await create(key, { kind: 'slack', name: 'x', config: { url: 'https://example.com/services/T/B/x' } }).expect(400)).body).toEqual({
        error: 'config.url must be on hooks.slack.com.',
      });
      await create(key, { kind: 'discord', name: 'x', config: { url: 'https://example.com/services/T/B/x' } }).expect(201);
    });
  });

  describe('plans', () => {
    beforeEach(() => open());

    test.each(CHANNEL_KINDS.filter((k) => k !== 'email'))('a Free account is refused a %s channel with 403 naming the kind and the Pro plan', async (k) => {
      const key = await account('free');
      const { body } = await create(key, { kind: k, name: 'x', config: VALID[k] }).expect(403);
      expect(body.error).toContain(`(kind ${k}) need the Pro plan`);
      expect(body.error).toContain('free plan includes email only');
      expect((await list(key).expect(200)).body.channels).toEqual([]);
    });

    test('a Free account holds at most its plan’s channels: the next is 403 plan_limit', async () => {
      const key = await account('free');
      const max = PLANS.free.maxChannels;
      for (let i = 0; i < max; i++) await create(key, { kind: 'email', name: `ops ${i}`, config: { address: `ops${i}@example.com` } }).expect(201);
      expect((await create(key, { kind: 'email', name: 'one more', config: { address: 'more@example.com' } }).expect(403)).body).toEqual({
        error: `Channel limit reached (${max}). Delete a channel or upgrade your plan for more.`,
      });
      expect((await list(key).expect(200)).body.channels).toHaveLength(max);
    });
  });

  describe('ownership', () => {
    beforeEach(() => open());

    test('another account’s id, an unknown id and a malformed id all answer the same 404, on every method', async () => {
      const owner = await account('pro');
      const stranger = await account('pro');
      const { channelId } = (await create(owner, { kind: 'slack', name: 'x', config: VALID.slack }).expect(201)).body;
      for (const id of [channelId, 'ch_0000000000000000', 'not-an-id']) {
        const answers = [
          await get(stranger, id),
          await patch(stranger, id, { name: 'mine now' }),
          await remove(stranger, id),
          await request(app).post(`/api/v1/channels/${id}/test`).set('x-api-key', stranger),
        ];
        for (const answer of answers) expect([answer.status, answer.body]).toEqual([404, { error: 'Channel not found.' }]);
      }
      expect((await get(owner, channelId).expect(200)).body.name).toBe('x');
      expect((await list(stranger).expect(200)).body.channels).toEqual([]);
    });
  });

  describe('PATCH', () => {
    beforeEach(() => open());

    async function telegram(key: string) {
      return (await create(key, { kind: 'telegram', name: 'TG', config: VALID.telegram }).expect(201)).body.channelId as string;
    }

    test('config merges field by field: a secret need not be sent again', async () => {
      const key = await account('pro');
      const id = await telegram(key);
      const { body } = await patch(key, id, { config: { chatId: '@cronpeek_ops' } }).expect(200);
      expect(body.config).toEqual({ botToken: '…6789', chatId: '@cronpeek_ops' });
      expect((await store.getChannel(id))!.config).toEqual({ ...VALID.telegram, chatId: '@cronpeek_ops' });
    });

    test('a secret sent back exactly as it was answered (masked) keeps the stored value', async () => {
      const key = await account('pro');
      const id = await telegram(key);
      const shown = (await get(key, id).expect(200)).body.config;
      await patch(key, id, { config: shown }).expect(200);
      expect((await store.getChannel(id))!.config).toEqual(VALID.telegram);
    });

    test('null removes an optional field; null for a required one is a 400 naming it', async () => {
      const key = await account('pro');
      const { channelId: id } = (await create(key, { kind: 'ntfy', name: 'ntfy', config: VALID.ntfy }).expect(201)).body;
      expect((await patch(key, id, { config: { token: null } }).expect(200)).body.config).toEqual({ topic: 'cronpeek-alerts', server: 'https://ntfy.example.com' });
      expect((await patch(key, id, { config: { topic: null } }).expect(400)).body).toEqual({ error: 'config.topic is required by a ntfy channel and cannot be removed.' });
      expect((await store.getChannel(id))!.config).toEqual({ topic: 'cronpeek-alerts', server: 'https://ntfy.example.com' });
    });

    test.each([
      ['kind', { kind: 'discord' }, 'kind cannot be changed; create a new channel.'],
      ['an invalid config value', { config: { chatId: 'not a chat' } }, 'config.chatId must be a Telegram chat id (a number, or @channelname).'],
      ['an unknown config field', { config: { parseMode: 'HTML' } }, "Unknown field config.parseMode; a Telegram channel's config has botToken, chatId."],
      ['an empty edit', {}, 'Send at least one of name, config, events, isDefault.'],
      ['an unknown field', { colour: 'red' }, 'Unknown field colour; a channel edit takes name, config, events, isDefault.'],
      ['empty events', { events: [] }, 'events must list at least one of down, up, still_down, flapping.'],
    ])('refuses %s with 400 and changes nothing', async (_what, body, message) => {
      const key = await account('pro');
      const id = await telegram(key);
      const before = await store.getChannel(id);
      expect((await patch(key, id, body).expect(400)).body).toEqual({ error: message });
      expect(await store.getChannel(id)).toEqual(before);
    });

    test('name, events and isDefault change; the answer is the channel', async () => {
      const key = await account('pro');
      const id = await telegram(key);
      const { body } = await patch(key, id, { name: 'Pager group', events: ['down', 'up'], isDefault: true }).expect(200);
      expect(body).toMatchObject({ channelId: id, kind: 'telegram', name: 'Pager group', events: ['down', 'up'], isDefault: true });
    });

    test('a changed URL must pass the URL rules too', async () => {
      await store.close();
      await open({ allowPrivateWebhooks: false });
      const key = await account('pro');
      const { channelId: id } = (await create(key, { kind: 'slack', name: 'x', config: VALID.slack }).expect(201)).body;
      expect((await patch(key, id, { config: { url: 'https://example.com/services/x' } }).expect(400)).body).toEqual({ error: 'config.url must be on hooks.slack.com.' });
    });

    test('after a downgrade a Pro channel can be renamed but not pointed somewhere new', async () => {
      const email = freshEmail();
      const key = await api.signup(email);
      const accountId = (await store.findAccountByEmail(email))!.id;
      await store.setAccountPlan(accountId, 'pro');
      const { channelId: id } = (await create(key, { kind: 'slack', name: 'x', config: VALID.slack }).expect(201)).body;
      await store.setAccountPlan(accountId, 'free');
      await patch(key, id, { name: 'old slack' }).expect(200);
      expect((await patch(key, id, { config: { url: SLACK_URL } }).expect(403)).body.error).toContain('need the Pro plan');
    });
  });

  describe('DELETE', () => {
    beforeEach(() => open());

    test('answers as a monitor delete does, and the channel is gone', async () => {
      const key = await account('pro');
      const { channelId: id } = (await create(key, { kind: 'slack', name: 'x', config: VALID.slack }).expect(201)).body;
      expect((await remove(key, id).expect(200)).body).toEqual({ deleted: true });
      await get(key, id).expect(404);
      await remove(key, id).expect(404);
      expect((await list(key).expect(200)).body.channels).toEqual([]);
    });

    test('detaches it from the monitors it was attached to', async () => {
      const key = await account('pro');
      const { channelId: id } = (await create(key, { kind: 'slack', name: 'x', config: VALID.slack }).expect(201)).body;
      const monitor = await api.createMonitor(key, { channels: [id] });
      expect((await store.getMonitor(monitor.monitorId))!.channels.map((c) => c.id)).toEqual([id]);
      await remove(key, id).expect(200);
      expect((await store.getMonitor(monitor.monitorId))!.channels).toEqual([]);
    });
  });
});
