import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { InspectableStore } from '../../src/store/inspection';
import type { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient, signupPro } from '../support/http-client';
import { storeKinds } from '../support/stores';

const SLACK_URL = 'https://hooks.slack.com/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c';
const HEALTHCHECKS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'healthchecks-checks.json'), 'utf8')) as { checks: Array<Record<string, unknown>> };
const READ_ONLY = { error: "This API key is read-only: it can read but not change anything. Use the account's main key to make changes." };

type Json = Record<string, unknown>;

/** Export and import of an account's monitors, and import of Healthchecks' check list (issue 22). */
describe.each(storeKinds())('export and import on %s', (_name, kind) => {
  let store: InspectableStore;
  let app: Express;
  let api: ApiClient;
  let clock: FakeClock;

  beforeEach(async () => {
    store = await kind.open();
    const deps = testDeps(store);
    clock = deps.fakeClock;
    app = createApp(deps);
    api = new ApiClient(app);
  });
  afterEach(async () => {
    await store.close();
  });

  const exportOf = (key: string) => request(app).get('/api/v1/export').set('x-api-key', key);
  const importInto = (key: string, body: unknown, query = '') => request(app).post(`/api/v1/import${query}`).set('x-api-key', key).set('Content-Type', 'application/json').send(body as object);
  const pro = async () => (await signupPro(api, store)).key;
  const createChannel = async (key: string, name = 'Ops Slack') =>
    (await request(app).post('/api/v1/channels').set('x-api-key', key).send({ kind: 'slack', name, config: { url: SLACK_URL } }).expect(201)).body.channelId as string;

  /** A Pro account with a cron monitor, a parent and its child (by slug), one without slug, tags, a channel object and reminders. */
  async function fleet(): Promise<{ key: string; channelId: string }> {
    const key = await pro();
    const channelId = await createChannel(key);
    const parent = await api.createMonitor(key, { name: 'Network', slug: 'network', schedule: 300, grace: 120 });
    await api.createMonitor(key, { name: 'DB backup', slug: 'db-backup', schedule: '15 3 * * *', tz: 'Europe/Berlin', tags: ['db', 'nightly'], channels: [channelId], dependsOn: [parent.monitorId], remindEvery: 3600, alertAfter: 2, maxRuntime: 900 });
    await api.createMonitor(key, { name: 'Unslugged job', schedule: 3600, alertEmail: 'ops@example.com', alertSlack: SLACK_URL });
    return { key, channelId };
  }

  /** The settings of every monitor of the account as GET /monitors/:id answers them, by name; references by slug or name. */
  async function settingsOf(key: string): Promise<Json[]> {
    const list = (await api.listMonitors(key).expect(200)).body.monitors as Json[];
    const slugById = new Map(list.map((m) => [m.monitorId, m.slug ?? m.name]));
    const channels = (await request(app).get('/api/v1/channels').set('x-api-key', key).expect(200)).body.channels as Json[];
    const channelName = new Map(channels.map((c) => [c.channelId, c.name]));
    const answers = await Promise.all(list.map(async (m) => (await api.monitor(key, m.monitorId as string).expect(200)).body as Json));
    const settings = answers.map((a): Json => {
      const { monitorId: _id, pingUrl: _p, badgeUrl: _b, createdAt: _c, alertEmail, alertEmailStatus: _s, ...rest } = a;
      return {
        ...rest,
        // The account's own address is each account's: what matters is whether it is the account's.
        alertEmail: alertEmail === 'ops@example.com' ? alertEmail : alertEmail === null ? null : 'the account',
        dependsOn: (a.dependsOn as string[]).map((id) => slugById.get(id)),
        channels: (a.channels as string[]).map((id) => channelName.get(id)),
      };
    });
    return settings.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  }

  describe('export', () => {
    test('answers version 1, the time, the monitors as create bodies (parents by slug) and the channel objects with secrets masked', async () => {
      const { key, channelId } = await fleet();
      const res = await exportOf(key).expect(200);
      expect(Object.keys(res.body)).toEqual(['version', 'exportedAt', 'monitors', 'channels']);
      expect(res.body.version).toBe(1);
      expect(res.body.exportedAt).toBe(clock.now().toISOString());
      expect(res.body.monitors.map((m: Json) => m.name)).toEqual(['Network', 'DB backup', 'Unslugged job']);
      expect(res.body.monitors[1]).toMatchObject({ slug: 'db-backup', schedule: '15 3 * * *', tz: 'Europe/Berlin', tags: ['db', 'nightly'], channels: [channelId], dependsOn: ['network'], remindEvery: 3600, alertAfter: 2, maxRuntime: 900 });
      expect(res.body.monitors[1]).not.toHaveProperty('alertEmail');
      expect(res.body.monitors[2]).toMatchObject({ slug: null, alertEmail: 'ops@example.com', alertSlack: SLACK_URL });
      expect(res.body.channels).toEqual([{ channelId, kind: 'slack', name: 'Ops Slack', config: { url: 'https://hooks.slack.com/…' }, events: expect.any(Array), isDefault: false }]);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/\/ping\/|monitorId|pingToken|webhookSecret|x7kQ2mN9pL4vR8sT1wY6zA3c"}/);
    });

    test("shows only the account's own monitors", async () => {
      await fleet();
      const stranger = await api.signup();
      expect((await exportOf(stranger).expect(200)).body).toMatchObject({ monitors: [], channels: [] });
    });

    test('a read-only key may export (the same document), but its import is refused with 403 and changes nothing', async () => {
      const { key } = await fleet();
      const reader = (await request(app).post('/api/v1/account/keys').set('x-api-key', key).send({ name: 'backup', access: 'read' }).expect(201)).body.apiKey as string;
      const document = (await exportOf(reader).expect(200)).body;
      expect(document).toEqual((await exportOf(key).expect(200)).body);
      const refused = await importInto(reader, { ...document, monitors: [{ name: 'New', schedule: 60 }] }).expect(403);
      expect(refused.body).toEqual(READ_ONLY);
      expect((await api.listMonitors(key)).body.count).toBe(3);
    });
  });

  describe('import of an export', () => {
    test('into another account reproduces the monitors, parents and channels (matched by kind and name)', async () => {
      const { key } = await fleet();
      const document = (await exportOf(key).expect(200)).body;
      const other = await pro();
      await createChannel(other);

      const res = await importInto(other, document).expect(200);

      expect(res.body).toEqual({
        dryRun: false,
        created: 3,
        updated: 0,
        unchanged: 0,
        skipped: 0,
        monitors: [
          { name: 'Network', slug: 'network', result: 'created' },
          { name: 'DB backup', slug: 'db-backup', result: 'created' },
          { name: 'Unslugged job', slug: null, result: 'created' },
        ],
      });
      expect(await settingsOf(other)).toEqual(await settingsOf(key));
    });

    test('a second import of the same document changes nothing: every monitor unchanged', async () => {
      const { key } = await fleet();
      const document = (await exportOf(key).expect(200)).body;
      const other = await pro();
      await createChannel(other);
      await importInto(other, document).expect(200);
      const before = await settingsOf(other);

      const res = await importInto(other, document).expect(200);

      expect(res.body).toMatchObject({ created: 0, updated: 0, unchanged: 3, skipped: 0 });
      expect(res.body.monitors.map((m: Json) => m.result)).toEqual(['unchanged', 'unchanged', 'unchanged']);
      expect(await settingsOf(other)).toEqual(before);
    });

    test('into the same account is all unchanged; a changed setting updates that monitor only', async () => {
      const { key } = await fleet();
      const document = (await exportOf(key).expect(200)).body;
      expect((await importInto(key, document).expect(200)).body).toMatchObject({ created: 0, updated: 0, unchanged: 3, skipped: 0 });
      document.monitors[1].grace = 1800;
      document.monitors[2].schedule = 7200;

      const res = await importInto(key, document).expect(200);

      expect(res.body).toMatchObject({ created: 0, updated: 2, unchanged: 1, skipped: 0 });
      const list = (await api.listMonitors(key)).body.monitors as Json[];
      expect(list.find((m) => m.slug === 'db-backup')).toMatchObject({ grace: 1800 });
      expect(list.find((m) => m.name === 'Unslugged job')).toMatchObject({ schedule: 7200 });
      expect((await api.listMonitors(key)).body.count).toBe(3);
    });

    test('?dryRun=1 answers the same report and changes nothing', async () => {
      const { key } = await fleet();
      const document = (await exportOf(key).expect(200)).body;
      document.monitors[0].grace = 600;
      document.monitors.push({ name: 'Brand new', slug: 'brand-new', schedule: 600, dependsOn: ['network'] });
      const before = await settingsOf(key);

      const dry = await importInto(key, document, '?dryRun=1').expect(200);

      expect(await settingsOf(key)).toEqual(before);
      const real = await importInto(key, document).expect(200);
      expect(dry.body).toEqual({ ...real.body, dryRun: true });
      expect(real.body).toMatchObject({ created: 1, updated: 1, unchanged: 2, skipped: 0 });
    });

    test('one invalid monitor is skipped with its reason; the others still import', async () => {
      const key = await pro();
      const res = await importInto(key, {
        version: 1,
        monitors: [{ name: 'Good', slug: 'good', schedule: 60 }, { name: 'Bad schedule', slug: 'bad', schedule: 'every day' }, 'not an object', { name: 'Bad grace', schedule: 60, grace: 'soon' }, { name: 'Good', slug: 'good', schedule: 120 }],
      }).expect(200);

      expect(res.body).toMatchObject({ created: 1, skipped: 4 });
      expect(res.body.monitors.map((m: Json) => [m.result, m.reason])).toEqual([
        ['created', undefined],
        ['skipped', expect.stringMatching(/cron expression/)],
        ['skipped', 'each monitor must be a JSON object'],
        ['skipped', 'grace must be an integer number of seconds'],
        ['skipped', 'slug good is given to an earlier monitor of this import'],
      ]);
      expect((await api.listMonitors(key)).body.count).toBe(1);
    });

    test('a parent or channel that resolves to nothing in this account is left out and named', async () => {
      const { key } = await fleet();
      const document = (await exportOf(key).expect(200)).body;
      const stranger = await pro();
      const res = await importInto(stranger, { ...document, monitors: document.monitors.slice(1, 2) }).expect(200);
      expect(res.body.monitors).toEqual([
        { name: 'DB backup', slug: 'db-backup', result: 'created', unmapped: ['dependsOn', 'channels'], reason: expect.stringMatching(/^dependsOn: no monitor of this account has the slug or id network; channels: /) },
      ]);
      const created = ((await api.listMonitors(stranger)).body.monitors as Json[])[0];
      expect(created).toMatchObject({ dependsOn: [], channels: [] });
    });

    test('a field a create body does not have is named in unmapped', async () => {
      const key = await pro();
      const res = await importInto(key, { version: 1, monitors: [{ name: 'x', schedule: 60, description: 'hello', status: 'up' }] }).expect(200);
      expect(res.body.monitors).toEqual([{ name: 'x', slug: null, result: 'created', unmapped: ['description', 'status'] }]);
    });

    test('a free account past its plan limit: the monitors over it are skipped with the limit as reason, dry run or not', async () => {
      const key = await api.signup();
      for (let i = 0; i < 3; i++) await api.createMonitor(key, { name: `existing ${i}` });
      const document = { version: 1, monitors: ['a', 'b', 'c', 'd'].map((s) => ({ name: s, slug: s, schedule: 60 })) };
      const expected = (dryRun: boolean) => ({
        dryRun,
        created: 2,
        updated: 0,
        unchanged: 0,
        skipped: 2,
        monitors: [
          { name: 'a', slug: 'a', result: 'created' },
          { name: 'b', slug: 'b', result: 'created' },
          { name: 'c', slug: 'c', result: 'skipped', reason: 'Monitor limit reached (5). Upgrade your plan for more monitors' },
          { name: 'd', slug: 'd', result: 'skipped', reason: 'Monitor limit reached (5). Upgrade your plan for more monitors' },
        ],
      });

      expect((await importInto(key, document, '?dryRun=1').expect(200)).body).toEqual(expected(true));
      expect((await importInto(key, document).expect(200)).body).toEqual(expected(false));
      expect((await api.listMonitors(key)).body.count).toBe(5);
    });
  });

  describe("import of Healthchecks' check list", () => {
    test('creates what maps, skips what cannot, and names every setting left behind', async () => {
      const key = await pro();

      const res = await importInto(key, HEALTHCHECKS).expect(200);

      expect(res.body).toEqual({
        dryRun: false,
        created: 5,
        updated: 0,
        unchanged: 0,
        skipped: 2,
        monitors: [
          { name: 'Filesystem Backup', slug: 'filesystem-backup', result: 'created', unmapped: ['desc', 'channels'] },
          { name: 'Database Backup', slug: 'database-backup', result: 'created' },
          { name: 'Invoice run', slug: 'invoice-run', result: 'created', unmapped: ['tags', 'manual_resume', 'methods'], reason: expect.stringMatching(/^tags "prod!" dropped/) },
          { name: 'Email report', slug: null, result: 'created', unmapped: ['start_kw', 'success_kw', 'failure_kw', 'filter_subject'] },
          { name: 'Weekday report', slug: 'weekday-report', result: 'skipped', reason: expect.stringMatching(/cron/) },
          { name: 'Database Backup (replica)', slug: 'database-backup', result: 'skipped', reason: 'slug database-backup is given to an earlier monitor of this import' },
          { name: 'cleanup', slug: 'cleanup', result: 'created' },
        ],
      });
      const list = (await api.listMonitors(key)).body.monitors as Json[];
      expect(list.find((m) => m.slug === 'filesystem-backup')).toMatchObject({ schedule: 3600, grace: 600, tags: ['backup', 'fs'] });
      expect(list.find((m) => m.slug === 'database-backup')).toMatchObject({ schedule: '15 5 * * *', tz: 'Europe/Berlin', grace: 1200, tags: ['production', 'db'] });
      expect(list.find((m) => m.slug === 'invoice-run')).toMatchObject({ tags: ['billing', 'finance'] });
    });

    test('imported again, the same checks are unchanged (the one without a slug matched by its name)', async () => {
      const key = await pro();
      await importInto(key, HEALTHCHECKS).expect(200);
      const res = await importInto(key, HEALTHCHECKS).expect(200);
      expect(res.body).toMatchObject({ created: 0, updated: 0, unchanged: 5, skipped: 2 });
      expect((await api.listMonitors(key)).body.count).toBe(5);
    });
  });

  describe('refusals of the whole document', () => {
    test.each([
      ['a body that is neither format', { monitors: [] }, /^Send a CronPeek export/],
      ['an array', [{ name: 'x', schedule: 60 }], /^Send a CronPeek export/],
      ['another version', { version: 2, monitors: [] }, /^version must be 1/],
      ['monitors that are not a list', { version: 1, monitors: { name: 'x' } }, /^monitors must be a list/],
      ['checks that are not a list', { checks: 'all' }, /^checks must be a list/],
      ['channels of the wrong shape', { version: 1, monitors: [], channels: 'none' }, /^channels must list channel objects/],
    ])('%s is a 400', async (_label, body, message) => {
      const key = await pro();
      const res = await importInto(key, body).expect(400);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(res.body.error).toMatch(message);
    });

    test('malformed JSON is a 400', async () => {
      const key = await pro();
      const res = await request(app).post('/api/v1/import').set('x-api-key', key).set('Content-Type', 'application/json').send('{"version": 1, "monitors": [').expect(400);
      expect(res.body).toEqual({ error: 'Malformed JSON in request body.' });
    });

    test('?dryRun=maybe is a 400', async () => {
      const key = await pro();
      expect((await importInto(key, { version: 1, monitors: [] }, '?dryRun=maybe').expect(400)).body).toEqual({ error: 'dryRun must be 1 or 0.' });
    });

    test('a body past 1 MB is a 413; one of a few hundred monitors (past the 64 KB of other bodies) is read', async () => {
      const key = await pro();
      const monitors = Array.from({ length: 600 }, (_, i) => ({ name: `Job number ${i} of the nightly batch`, slug: `job-${i}`, schedule: 3600, grace: 300, tags: ['batch', 'nightly'], remindEvery: null }));
      expect(JSON.stringify({ version: 1, monitors }).length).toBeGreaterThan(64 * 1024);
      expect((await importInto(key, { version: 1, monitors }, '?dryRun=1').expect(200)).body).toMatchObject({ created: 600, skipped: 0 });
      const huge = { version: 1, monitors: [{ name: 'x', schedule: 60, padding: 'x'.repeat(1024 * 1024) }] };
      expect((await importInto(key, huge).expect(413)).body).toEqual({ error: expect.any(String) });
    });

    test('without a key is a 401', async () => {
      await request(app).post('/api/v1/import').send({ version: 1, monitors: [] }).expect(401);
      await request(app).get('/api/v1/export').expect(401);
    });
  });
});
