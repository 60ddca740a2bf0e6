import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { AlertChannel, Channel, ChannelEvent } from '../../src/domain/types';
import type { NotifyConfig } from '../../src/notify/types';
import type { InspectableStore } from '../../src/store/inspection';
import { testDeps } from '../support/deps';
import { makeChannel } from '../support/factories';
import { ApiClient, signupPro } from '../support/http-client';
import { newChannelId } from '../../src/services/secrets';
import { storeKinds } from '../support/stores';

const SLACK_URL = 'https://hooks.slack.com/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c';

/** Monitors attached to channel objects over HTTP: `channels` on create and PATCH, and in every monitor answer. */
describe.each(storeKinds())('monitors and channel objects over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: Express;
  let api: ApiClient;
  let key: string;
  let accountId: string;
  let createdAt: number;

  async function open(notify: Partial<NotifyConfig> = {}) {
    app = createApp(testDeps(store, { plan: 'pro', notify }));
    api = new ApiClient(app);
  }

  const proAccount = () => signupPro(api, store);

  /** A channel object written through the store (the channels API has its own suite); each one a second newer than the last. */
  async function channel(owner: string, overrides: Partial<AlertChannel> = {}): Promise<AlertChannel> {
    const c = makeChannel(owner, { kind: 'webhook', name: 'Ops hook', config: { url: 'https://hooks.example.com/cronpeek' }, events: ['down', 'up'], createdAt: new Date(Date.UTC(2026, 2, 1) + ++createdAt * 1000), ...overrides });
    expect(await store.createChannel(c, 100)).toBe('created');
    return c;
  }

  const attached = async (monitorId: string) => (await store.getMonitor(monitorId))!.channels;

  beforeEach(async () => {
    createdAt = 0;
    store = await kind.open();
    await open();
    ({ key, accountId } = await proAccount());
  });
  afterEach(async () => {
    await store.close();
  });

  describe('on create', () => {
    test('a list attaches those channels in its order, a repeated id once, and keeps each kind and events on the monitor', async () => {
      const hook = await channel(accountId);
      const mail = await channel(accountId, { kind: 'email', config: { address: 'ops@example.com' }, events: ['down', 'still_down'] });
      const res = await api.createMonitorRequest(key, { channels: [mail.id, hook.id, mail.id] }).expect(201);
      expect(res.body.channels).toEqual([mail.id, hook.id]);
      expect(await attached(res.body.monitorId)).toEqual([
        { id: mail.id, kind: 'email' as Channel, events: ['down', 'still_down'] as ChannelEvent[] },
        { id: hook.id, kind: 'webhook' as Channel, events: ['down', 'up'] as ChannelEvent[] },
      ]);
    });

    test('the status, the monitor and the list answer the ids in attachment order', async () => {
      const [a, b] = [await channel(accountId), await channel(accountId)];
      const { monitorId } = await api.createMonitor(key, { channels: [b.id, a.id] });
      expect((await api.status(key, monitorId).expect(200)).body.channels).toEqual([b.id, a.id]);
      expect((await api.monitor(key, monitorId).expect(200)).body.channels).toEqual([b.id, a.id]);
      expect((await api.listMonitors(key).expect(200)).body.monitors[0].channels).toEqual([b.id, a.id]);
    });

    test('"*" attaches every channel the account has now, oldest first; one created later is not attached', async () => {
      const [a, b] = [await channel(accountId), await channel(accountId, { kind: 'email', config: { address: 'ops@example.com' } })];
      const res = await api.createMonitorRequest(key, { channels: '*' }).expect(201);
      expect(res.body.channels).toEqual([a.id, b.id]);
      await channel(accountId);
      expect((await api.status(key, res.body.monitorId).expect(200)).body.channels).toEqual([a.id, b.id]);
    });

    test('without channels a monitor gets the account\'s default ones, and a default created later only reaches monitors created after it', async () => {
      const def = await channel(accountId, { isDefault: true });
      await channel(accountId);
      const first = await api.createMonitor(key);
      const later = await channel(accountId, { isDefault: true });
      const second = await api.createMonitor(key);
      expect((await api.status(key, first.monitorId).expect(200)).body.channels).toEqual([def.id]);
      expect((await api.status(key, second.monitorId).expect(200)).body.channels).toEqual([def.id, later.id]);
    });

    test('an account without channels creates monitors with none, as before', async () => {
      const res = await api.createMonitorRequest(key).expect(201);
      expect(res.body.channels).toEqual([]);
      expect(await attached(res.body.monitorId)).toEqual([]);
    });

    test('[] attaches none, defaults included', async () => {
      await channel(accountId, { isDefault: true });
      const res = await api.createMonitorRequest(key, { channels: [] }).expect(201);
      expect(res.body.channels).toEqual([]);
      expect(await attached(res.body.monitorId)).toEqual([]);
    });

    test('an id nobody has is refused with 400 naming it, and nothing is created', async () => {
      const mine = await channel(accountId);
      const unknown = newChannelId();
      const res = await api.createMonitorRequest(key, { channels: [mine.id, unknown] }).expect(400);
      expect(res.body).toEqual({ error: `channels: unknown channel ${unknown}.` });
      expect((await api.listMonitors(key).expect(200)).body.count).toBe(0);
    });

    test('another account\'s channel is refused like an unknown one', async () => {
      const other = await proAccount();
      const theirs = await channel(other.accountId);
      const res = await api.createMonitorRequest(key, { channels: [theirs.id] }).expect(400);
      expect(res.body).toEqual({ error: `channels: unknown channel ${theirs.id}.` });
      // "*" never reaches another account's channels either.
      const all = await api.createMonitorRequest(key, { channels: '*' }).expect(201);
      expect(all.body.channels).toEqual([]);
    });

    test.each([
      ['a malformed id', { channels: ['ch_nothex'] }, 'channels must list channel ids (ch_ and 16 hex digits).'],
      ['a number in the list', { channels: [7] }, 'channels must list channel ids (strings).'],
      ['51 ids', { channels: Array.from({ length: 51 }, () => newChannelId()) }, 'channels must be "*" or a list of at most 50 channel ids.'],
      ['a string other than "*"', { channels: 'all' }, 'channels must be "*" or a list of at most 50 channel ids.'],
      ['null', { channels: null }, 'channels must be "*" or a list of at most 50 channel ids.'],
      ['an object', { channels: { id: 'ch_0123456789abcdef' } }, 'channels must be "*" or a list of at most 50 channel ids.'],
    ])('%s is refused with 400 naming the field', async (_what, body, error) => {
      expect((await api.createMonitorRequest(key, body).expect(400)).body).toEqual({ error });
      expect((await api.listMonitors(key).expect(200)).body.count).toBe(0);
    });

    test('50 ids are accepted when they are the account\'s', async () => {
      const many: string[] = [];
      for (let i = 0; i < 50; i++) many.push((await channel(accountId)).id);
      const res = await api.createMonitorRequest(key, { channels: many }).expect(201);
      expect(res.body.channels).toEqual(many);
    });
  });

  describe('PATCH', () => {
    test('a list replaces the monitor\'s channels, "*" takes all of them, and [] detaches them all', async () => {
      const [a, b, c] = [await channel(accountId), await channel(accountId), await channel(accountId)];
      const { monitorId } = await api.createMonitor(key, { channels: [a.id] });
      expect((await api.editMonitor(key, monitorId, { channels: [c.id, b.id] }).expect(200)).body.channels).toEqual([c.id, b.id]);
      expect(await attached(monitorId)).toEqual([c, b].map((x) => ({ id: x.id, kind: x.kind, events: x.events })));
      expect((await api.editMonitor(key, monitorId, { channels: '*' }).expect(200)).body.channels).toEqual([a.id, b.id, c.id]);
      expect((await api.editMonitor(key, monitorId, { channels: [] }).expect(200)).body.channels).toEqual([]);
      expect(await attached(monitorId)).toEqual([]);
    });

    test('an edit without channels leaves them as they are', async () => {
      const a = await channel(accountId);
      const { monitorId } = await api.createMonitor(key, { channels: [a.id] });
      expect((await api.editMonitor(key, monitorId, { name: 'Renamed' }).expect(200)).body).toMatchObject({ name: 'Renamed', channels: [a.id] });
    });

    test('an unknown or another account\'s id is refused with 400, and nothing changes', async () => {
      const a = await channel(accountId);
      const other = await proAccount();
      const theirs = await channel(other.accountId);
      const { monitorId } = await api.createMonitor(key, { channels: [a.id] });
      const res = await api.editMonitor(key, monitorId, { name: 'Changed', channels: [theirs.id] }).expect(400);
      expect(res.body).toEqual({ error: `channels: unknown channel ${theirs.id}.` });
      expect((await api.status(key, monitorId).expect(200)).body).toMatchObject({ name: 'Nightly DB Backup', channels: [a.id] });
    });

    test('null is refused: [] is how every channel object is detached', async () => {
      const { monitorId } = await api.createMonitor(key);
      const res = await api.editMonitor(key, monitorId, { channels: null }).expect(400);
      expect(res.body).toEqual({ error: 'channels must be "*" or a list of at most 50 channel ids.' });
    });

    test('another account\'s monitor is 403 before its channels are looked at', async () => {
      const other = await proAccount();
      const { monitorId } = await api.createMonitor(other.key);
      await api.editMonitor(key, monitorId, { channels: [newChannelId()] }).expect(403);
    });
  });

  describe('the legacy alert fields', () => {
    test.each([
      ['a private address', 'http://10.0.0.1/hook', 'alertWebhook refused: 10.0.0.1 is a private address.'],
      ['loopback', 'http://127.0.0.1:8080/hook', 'alertWebhook refused: 127.0.0.1 is a private address.'],
      ['the metadata address', 'http://169.254.169.254/latest/meta-data/', 'alertWebhook refused: 169.254.169.254 is a private address.'],
      ['localhost', 'http://localhost:8080/hook', 'alertWebhook refused: localhost is a local network name.'],
      ['a user name in the URL', 'https://user:pw@alerts.example.com/hook', 'alertWebhook must not contain a user name or password.'],
    ])('alertWebhook to %s is refused with 400 on create and PATCH unless private targets are allowed', async (_what, url, error) => {
      await open({ allowPrivateWebhooks: false });
      expect((await api.createMonitorRequest(key, { alertWebhook: url }).expect(400)).body).toEqual({ error });
      expect((await api.listMonitors(key).expect(200)).body.count).toBe(0);
      const { monitorId } = await api.createMonitor(key);
      expect((await api.editMonitor(key, monitorId, { alertWebhook: url }).expect(400)).body).toEqual({ error });
      expect((await api.status(key, monitorId).expect(200)).body.alertWebhook).toBeNull();
    });

    test('a private webhook is accepted where private targets are allowed (self-hosting)', async () => {
      await open({ allowPrivateWebhooks: true });
      const res = await api.createMonitorRequest(key, { alertWebhook: 'http://10.0.0.1/hook' }).expect(201);
      expect(res.body.webhookSecret).toMatch(/^whsec_/);
      await api.editMonitor(key, res.body.monitorId, { alertWebhook: 'http://localhost:8080/hook' }).expect(200);
    });

    test('a public webhook and removing it still work with private targets refused', async () => {
      await open({ allowPrivateWebhooks: false });
      const { monitorId } = await api.createMonitor(key, { alertWebhook: 'https://alerts.example.com/hook' });
      expect((await api.editMonitor(key, monitorId, { alertWebhook: null }).expect(200)).body.alertWebhook).toBeNull();
    });

    test('alertSlack on a host that is not Slack\'s is refused with 400 on create and PATCH', async () => {
      const error = 'alertSlack must be on hooks.slack.com.';
      expect((await api.createMonitorRequest(key, { alertSlack: 'https://chat.example.com/services/T0/B0/x' }).expect(400)).body).toEqual({ error });
      const { monitorId } = await api.createMonitor(key, { alertSlack: SLACK_URL });
      expect((await api.editMonitor(key, monitorId, { alertSlack: 'https://hooks.slack.com.evil.example/services/x' }).expect(400)).body).toEqual({ error });
      expect((await api.status(key, monitorId).expect(200)).body.alertSlack).toBe(SLACK_URL);
    });

    test('alertSlack follows the configured Slack hosts (CRONPEEK_SLACK_HOSTS)', async () => {
      await open({ slackHosts: ['slack.internal.example'] });
      await api.createMonitorRequest(key, { alertSlack: 'https://slack.internal.example/services/T0/B0/x' }).expect(201);
      expect((await api.createMonitorRequest(key, { alertSlack: SLACK_URL }).expect(400)).body).toEqual({ error: 'alertSlack must be on slack.internal.example.' });
    });

    test('alertSlack to a private address is refused unless private targets are allowed', async () => {
      await open({ allowPrivateWebhooks: false, slackHosts: ['10.1.2.3'] });
      expect((await api.createMonitorRequest(key, { alertSlack: 'http://10.1.2.3/services/x' }).expect(400)).body).toEqual({ error: 'alertSlack refused: 10.1.2.3 is a private address.' });
    });
  });
});
