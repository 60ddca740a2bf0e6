import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import type { InspectableStore } from '../../src/store/inspection';
import { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient, type CreatedMonitor } from '../support/http-client';
import { storeKinds } from '../support/stores';

/**
 * Monitor tags over HTTP (issue 22): `tags` on create and PATCH and in every monitor answer, the
 * list's `?tag=&status=&q=` filters, and the `tags` label of GET /api/v1/metrics.
 */
describe.each(storeKinds())('monitor tags and list filters over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let clock: FakeClock;
  let app: Express;
  let api: ApiClient;
  let key: string;

  beforeEach(async () => {
    store = await kind.open();
    clock = new FakeClock();
    app = createApp(testDeps(store, { clock, plan: 'pro' }));
    api = new ApiClient(app);
    key = await api.signup();
  });
  afterEach(async () => {
    await store.close();
  });

  /** A monitor created a second after the last, so the list's newest-first order is certain. */
  async function monitor(name: string, tags?: unknown, owner = key): Promise<CreatedMonitor & { tags: string[] }> {
    clock.advance(1);
    const created = await api.createMonitor(owner, tags === undefined ? { name } : { name, tags });
    return created as CreatedMonitor & { tags: string[] };
  }

  const list = (query: string, owner = key) => request(app).get(`/api/v1/monitors${query}`).set('x-api-key', owner);

  /** The names the list answers for `query`, after checking that `count` counts them. */
  async function listed(query: string, owner = key): Promise<string[]> {
    const res = await list(query, owner).expect(200);
    expect(res.body.count).toBe(res.body.monitors.length);
    return res.body.monitors.map((m: { name: string }) => m.name);
  }

  const storedTags = async (id: string) => (await store.getMonitor(id))!.tags;

  describe('on create', () => {
    test('tags are kept in the order given, a repeated one once, and every monitor answer shows them', async () => {
      const m = await monitor('Nightly DB backup', ['db', 'backups', 'db', 'host-12_a']);
      expect(m.tags).toEqual(['db', 'backups', 'host-12_a']);
      expect(await storedTags(m.monitorId)).toEqual(['db', 'backups', 'host-12_a']);
      for (const res of [await api.monitor(key, m.monitorId), await api.status(key, m.monitorId), await api.pause(key, m.monitorId)]) {
        expect(res.status).toBe(200);
        expect(res.body.tags).toEqual(['db', 'backups', 'host-12_a']);
      }
      expect((await list('').expect(200)).body.monitors[0].tags).toEqual(['db', 'backups', 'host-12_a']);
    });

    test('tags come right after channels in the creation answer', async () => {
      const m = await monitor('Nightly DB backup', ['backups']);
      const keys = Object.keys(m);
      expect(keys.indexOf('tags')).toBe(keys.indexOf('channels') + 1);
    });

    test('a monitor created without tags, or with null, has none', async () => {
      const without = await monitor('No tags');
      const withNull = await monitor('Null tags', null);
      expect([without.tags, withNull.tags]).toEqual([[], []]);
      expect([await storedTags(without.monitorId), await storedTags(withNull.monitorId)]).toEqual([[], []]);
    });

    test('ten tags are accepted, the most a monitor may have', async () => {
      const ten = Array.from({ length: 10 }, (_, i) => `t${i}`);
      expect((await monitor('Ten', ten)).tags).toEqual(ten);
    });

    test.each([
      ['an upper-case tag', ['backups', 'Nightly'], 'tags: "Nightly" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.'],
      ['a tag starting with -', ['-db'], 'tags: "-db" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.'],
      ['a tag with a space', ['db backup'], 'tags: "db backup" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.'],
      ['an empty tag', [''], 'tags: "" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.'],
      ['a tag of 33 characters', ['a'.repeat(33)], `tags: "${'a'.repeat(33)}" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.`],
      ['a number', ['db', 5], 'tags must list tags (strings).'],
      ['a string instead of a list', 'backups', 'tags must be a list of at most 10 tags.'],
      ['eleven tags', Array.from({ length: 11 }, (_, i) => `t${i}`), 'tags must be a list of at most 10 tags.'],
    ])('%s is refused with a 400 naming it, and nothing is created', async (_case, tags, message) => {
      const res = await api.createMonitorRequest(key, { tags }).expect(400);
      expect(res.body).toEqual({ error: message });
      expect((await list('').expect(200)).body.count).toBe(0);
    });

    test('a very long bad tag is shortened in the message', async () => {
      const res = await api.createMonitorRequest(key, { tags: ['X'.repeat(5000)] }).expect(400);
      expect(res.body.error).toBe(`tags: "${'X'.repeat(40)}…" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.`);
    });
  });

  describe('on PATCH', () => {
    test('a list replaces the tags, in its order, and leaves every other setting alone', async () => {
      const m = await monitor('Nightly DB backup', ['backups', 'db']);
      const before = (await api.monitor(key, m.monitorId).expect(200)).body;
      const res = await api.editMonitor(key, m.monitorId, { tags: ['nightly', 'backups', 'nightly'] }).expect(200);
      expect(res.body).toEqual({ ...before, tags: ['nightly', 'backups'] });
      expect(await storedTags(m.monitorId)).toEqual(['nightly', 'backups']);
    });

    test('an edit that leaves tags out keeps them', async () => {
      const m = await monitor('Nightly DB backup', ['backups']);
      expect((await api.editMonitor(key, m.monitorId, { name: 'Renamed' }).expect(200)).body.tags).toEqual(['backups']);
      expect(await storedTags(m.monitorId)).toEqual(['backups']);
    });

    test.each([
      ['[]', []],
      ['null', null],
    ])('%s removes every tag', async (_case, tags) => {
      const m = await monitor('Nightly DB backup', ['backups', 'db']);
      expect((await api.editMonitor(key, m.monitorId, { tags }).expect(200)).body.tags).toEqual([]);
      expect(await storedTags(m.monitorId)).toEqual([]);
      expect(await listed('?tag=backups')).toEqual([]);
    });

    test('a bad tag is refused with a 400 naming it, and the tags stay as they were', async () => {
      const m = await monitor('Nightly DB backup', ['backups']);
      const res = await api.editMonitor(key, m.monitorId, { tags: ['db', 'DB'] }).expect(400);
      expect(res.body.error).toBe('tags: "DB" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.');
      expect(await storedTags(m.monitorId)).toEqual(['backups']);
    });
  });

  describe('list filters', () => {
    /** Four monitors, newest last: one up, one new, one down (a failed run), one paused. */
    async function fleet() {
      const nightly = await monitor('Nightly DB Backup', ['backups', 'db']);
      await api.ping(nightly.pingUrl).expect(200);
      await monitor('Hourly backup sync', ['backups']);
      const weekly = await monitor('Weekly report', ['reports', 'db']);
      await api.ping(weekly.pingUrl, { signal: 'fail' }).expect(200);
      const cleanup = await monitor('Cleanup');
      await api.pause(key, cleanup.monitorId).expect(200);
    }

    test('without filters every monitor is listed, newest first', async () => {
      await fleet();
      expect(await listed('')).toEqual(['Cleanup', 'Weekly report', 'Hourly backup sync', 'Nightly DB Backup']);
    });

    test('one tag lists the monitors having it; several, those having all of them', async () => {
      await fleet();
      expect(await listed('?tag=backups')).toEqual(['Hourly backup sync', 'Nightly DB Backup']);
      expect(await listed('?tag=db')).toEqual(['Weekly report', 'Nightly DB Backup']);
      expect(await listed('?tag=backups&tag=db')).toEqual(['Nightly DB Backup']);
      expect(await listed('?tag=db&tag=backups&tag=db')).toEqual(['Nightly DB Backup']);
      expect(await listed('?tag=reports&tag=backups')).toEqual([]);
      expect(await listed('?tag=nobody')).toEqual([]);
    });

    test('status lists the monitors with that status', async () => {
      await fleet();
      expect(await listed('?status=up')).toEqual(['Nightly DB Backup']);
      expect(await listed('?status=new')).toEqual(['Hourly backup sync']);
      expect(await listed('?status=down')).toEqual(['Weekly report']);
      expect(await listed('?status=paused')).toEqual(['Cleanup']);
    });

    test('q lists the monitors whose name contains it, ignoring case', async () => {
      await fleet();
      expect(await listed('?q=BACKUP')).toEqual(['Hourly backup sync', 'Nightly DB Backup']);
      expect(await listed('?q=db%20b')).toEqual(['Nightly DB Backup']);
      expect(await listed('?q=report')).toEqual(['Weekly report']);
      expect(await listed('?q=nothing')).toEqual([]);
    });

    test('filters combine: every one given must hold', async () => {
      await fleet();
      expect(await listed('?tag=backups&status=up')).toEqual(['Nightly DB Backup']);
      expect(await listed('?tag=db&status=down&q=weekly')).toEqual(['Weekly report']);
      expect(await listed('?tag=backups&q=hourly')).toEqual(['Hourly backup sync']);
      expect(await listed('?tag=backups&q=weekly')).toEqual([]);
      expect(await listed('?tag=reports&status=up')).toEqual([]);
    });

    test('unknown query parameters are ignored, as before', async () => {
      await fleet();
      expect(await listed('?tags=backups&state=down&name=x')).toHaveLength(4);
    });

    test("another account's monitors are never listed, whatever the filter", async () => {
      await fleet();
      const other = await api.signup();
      await monitor('Nightly DB Backup', ['backups', 'db'], other);
      expect(await listed('?tag=backups&tag=db')).toEqual(['Nightly DB Backup']);
      expect(await listed('?q=nightly&status=new')).toEqual([]);
      expect(await listed('?tag=backups', other)).toEqual(['Nightly DB Backup']);
      expect(await listed('?status=up', other)).toEqual([]);
    });

    test.each([
      ['an unknown status', '?status=late', 'status must be one of new, up, down, paused.'],
      ['an empty status', '?status=', 'status must be one of new, up, down, paused.'],
      ['a repeated status', '?status=up&status=down', 'status must be given once.'],
      ['a tag that is not one', '?tag=backups&tag=Backups', 'tag: "Backups" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.'],
      ['an empty tag', '?tag=', 'tag: "" is not a tag; a tag is 1 to 32 lower-case letters, digits, _ or -, starting with a letter or digit.'],
      ['eleven tags', `?${Array.from({ length: 11 }, (_, i) => `tag=t${i}`).join('&')}`, 'tag may be given at most 10 times (a monitor has at most 10 tags).'],
      ['an empty q', '?q=', 'q must not be empty.'],
      ['a q of 101 characters', `?q=${'a'.repeat(101)}`, 'q must be at most 100 characters.'],
      ['a repeated q', '?q=a&q=b', 'q must be given once.'],
    ])('%s is refused with a 400 naming the parameter', async (_case, query, message) => {
      await monitor('Nightly DB Backup', ['backups']);
      const res = await list(query).expect(400);
      expect(res.body).toEqual({ error: message });
    });
  });

  describe('metrics', () => {
    const scrape = async () => (await request(app).get('/api/v1/metrics').set('x-api-key', key).expect(200)).text;

    test('each series carries the tags label, the tags joined with commas, empty when there are none', async () => {
      const tagged = await monitor('Nightly DB Backup', ['backups', 'db']);
      const plain = await monitor('Cleanup');
      const text = await scrape();
      expect(text).toContain(`cronpeek_monitor_up{monitor_id="${tagged.monitorId}",name="Nightly DB Backup",slug="",tags="backups,db"} 0\n`);
      expect(text).toContain(`cronpeek_monitor_status{monitor_id="${tagged.monitorId}",name="Nightly DB Backup",slug="",tags="backups,db",status="new"} 1\n`);
      expect(text).toContain(`cronpeek_monitor_up{monitor_id="${plain.monitorId}",name="Cleanup",slug="",tags=""} 0\n`);
    });

    test('an edit of the tags changes the label', async () => {
      const m = await monitor('Nightly DB Backup', ['backups']);
      await api.editMonitor(key, m.monitorId, { tags: ['db', 'nightly'] }).expect(200);
      expect(await scrape()).toContain(`cronpeek_monitor_paused{monitor_id="${m.monitorId}",name="Nightly DB Backup",slug="",tags="db,nightly"} 0\n`);
    });
  });
});
