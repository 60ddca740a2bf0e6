import request from 'supertest';
import type { Express } from 'express';
import { PLANS } from '../../src/domain/plans';
import { createApp } from '../../src/http/app';
import { sweepDueMonitors } from '../../src/services/checker';
import type { Deps } from '../../src/services/context';
import type { InspectableStore } from '../../src/store/inspection';
import { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient, type CreatedMonitor } from '../support/http-client';
import { storeKinds } from '../support/stores';

/**
 * Maintenance windows over HTTP (issue 21): create, list, read, edit and delete, their validation,
 * the plan's cap, where a window stands (`active`, `nextStart`…) against a fake clock, and what
 * monitor answers and status history say about them.
 */
describe.each(storeKinds())('maintenance windows over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let clock: FakeClock;
  let deps: Deps;
  let app: Express;
  let api: ApiClient;
  let key: string;

  beforeEach(async () => {
    store = await kind.open();
    // Saturday 28 March 2026, 02:00Z: the night before Europe's spring-forward.
    clock = new FakeClock('2026-03-28T02:00:00.000Z');
    deps = testDeps(store, { clock });
    app = createApp(deps);
    api = new ApiClient(app);
    key = await api.signup();
  });
  afterEach(async () => {
    await store.close();
  });

  const create = (body: unknown, owner = key) => request(app).post('/api/v1/maintenance').set('x-api-key', owner).send(body as object);
  const list = (owner = key) => request(app).get('/api/v1/maintenance').set('x-api-key', owner);
  const read = (id: string, owner = key) => request(app).get(`/api/v1/maintenance/${id}`).set('x-api-key', owner);
  const edit = (id: string, body: unknown, owner = key) =>
    request(app).patch(`/api/v1/maintenance/${id}`).set('x-api-key', owner).set('Content-Type', 'application/json').send(body as object);
  const remove = (id: string, owner = key) => request(app).delete(`/api/v1/maintenance/${id}`).set('x-api-key', owner);

  /** A weekly window on Sundays at 03:00 Berlin time, two hours long, over the given monitors. */
  const weekly = (monitors: string[] | '*', overrides: Record<string, unknown> = {}) => ({
    name: 'DB maintenance',
    monitors,
    schedule: '0 3 * * 0',
    tz: 'Europe/Berlin',
    duration: 7200,
    ...overrides,
  });

  /** A one-off window from `start` to `end` over the given monitors. */
  const oneOff = (monitors: string[] | '*', start: string, end: string) => ({ name: 'Deploy', monitors, start, end });

  async function created(body: unknown, owner = key): Promise<Record<string, any>> {
    return (await create(body, owner).expect(201)).body;
  }

  const count = async (owner = key) => (await list(owner).expect(200)).body.count as number;

  describe('create', () => {
    test('a recurring window answers 201 with its settings and where it stands now', async () => {
      const m = await api.createMonitor(key);
      const res = await create(weekly([m.monitorId])).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^mw_[0-9a-f]{16}$/),
        name: 'DB maintenance',
        monitors: [m.monitorId],
        schedule: '0 3 * * 0',
        tz: 'Europe/Berlin',
        duration: 7200,
        start: null,
        end: null,
        createdAt: '2026-03-28T02:00:00.000Z',
        active: false,
        activeUntil: null,
        // Sunday 29 March, 03:00 CEST (the clocks went forward at 02:00 CET).
        nextStart: '2026-03-29T01:00:00.000Z',
        nextEnd: '2026-03-29T03:00:00.000Z',
      });
      expect(await store.getWindow(res.body.id)).toMatchObject({ name: 'DB maintenance', monitors: [m.monitorId], duration: 7200 });
    });

    test('a one-off window answers with start and end, and the recurring fields null', async () => {
      const res = await create(oneOff('*', '2026-03-28T04:00:00+01:00', '2026-03-28T05:30:00Z')).expect(201);
      expect(res.body).toMatchObject({
        monitors: '*',
        schedule: null,
        tz: null,
        duration: null,
        start: '2026-03-28T03:00:00.000Z',
        end: '2026-03-28T05:30:00.000Z',
        active: false,
        activeUntil: null,
        nextStart: '2026-03-28T03:00:00.000Z',
        nextEnd: '2026-03-28T05:30:00.000Z',
      });
    });

    test('tz defaults to UTC', async () => {
      const res = await create(weekly('*', { tz: undefined })).expect(201);
      expect(res.body).toMatchObject({ tz: 'UTC', nextStart: '2026-03-29T03:00:00.000Z' });
    });

    test('a repeated monitor id is kept once, and an unknown field is ignored as on a monitor', async () => {
      const m = await api.createMonitor(key);
      const res = await create({ ...weekly([m.monitorId, m.monitorId]), color: 'blue' }).expect(201);
      expect(res.body.monitors).toEqual([m.monitorId]);
      expect(res.body).not.toHaveProperty('color');
    });

    test.each([
      ['no name', { name: undefined }, 'name is required.'],
      ['an empty name', { name: '   ' }, 'name must not be empty.'],
      ['a name that is not a string', { name: 5 }, 'name must be a string.'],
      ['no monitors', { monitors: undefined }, 'monitors is required.'],
      ['monitors as a string', { monitors: 'all' }, 'monitors must be "*" or a list of monitor ids.'],
      ['an empty monitor list', { monitors: [] }, 'monitors must be "*" or a list of at least one monitor id.'],
      ['a malformed monitor id', { monitors: ['../etc'] }, 'monitors must list monitor ids (16 hex digits).'],
      ['both forms', { start: '2026-03-28T04:00:00Z', end: '2026-03-28T05:00:00Z' }, 'A window is either recurring (schedule, tz, duration) or one-off (start, end), not both.'],
      ['neither form', { schedule: undefined, tz: undefined, duration: undefined }, 'schedule and duration (a recurring window) or start and end (a one-off window) are required.'],
      ['no duration', { duration: undefined }, 'duration is required with schedule: how long each window lasts, in seconds.'],
      ['a duration under a minute', { duration: 59 }, 'duration must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['a duration over 7 days', { duration: 604_801 }, 'duration must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['a fractional duration', { duration: 90.5 }, 'duration must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['a duration as a string', { duration: '7200' }, 'duration must be a whole number of seconds.'],
      ['a schedule in seconds', { schedule: '3600' }, 'schedule must be a 5-field cron expression of when the window starts, such as "0 2 * * SUN".'],
      ['a schedule that is not a string', { schedule: 3600 }, 'schedule must be a 5-field cron expression string, such as "0 3 * * 0".'],
      ['an unknown zone', { tz: 'Mars/Olympus' }, expect.stringMatching(/^tz /)],
      ['an invalid cron line', { schedule: '61 * * * *' }, expect.stringMatching(/^schedule /)],
      ['a duration that keeps every window running into the next', { schedule: '* * * * *', duration: 120 }, expect.stringMatching(/^duration is longer than the gap/)],
    ])('%s is refused with a 400 naming the field, and nothing is created', async (_case, overrides, message) => {
      const m = await api.createMonitor(key);
      const res = await create(weekly([m.monitorId], overrides)).expect(400);
      expect(res.body).toEqual({ error: message });
      expect(await count()).toBe(0);
    });

    test.each([
      ['a start without a zone', '2026-03-28T04:00:00', '2026-03-28T05:00:00Z', 'start must be an ISO 8601 time with a zone, such as "2026-12-02T18:00:00Z".'],
      ['a date that does not exist', '2026-02-30T04:00:00Z', '2026-03-28T05:00:00Z', 'start must be an ISO 8601 time with a zone, such as "2026-12-02T18:00:00Z".'],
      ['an end as a number', '2026-03-28T04:00:00Z', 1774670400000, 'end must be an ISO 8601 time such as "2026-12-02T18:00:00Z".'],
      ['a start with no end', '2026-03-28T04:00:00Z', undefined, 'end is required with start: when the one-off window ends (an ISO 8601 time).'],
      ['an end before the start', '2026-03-28T05:00:00Z', '2026-03-28T04:00:00Z', 'end must be at least 60 seconds after start.'],
      ['a window over 7 days', '2026-03-28T04:00:00Z', '2026-04-04T04:00:01Z', 'end must be at most 7 days after start.'],
      ['a window already over', '2026-03-28T00:00:00Z', '2026-03-28T01:00:00Z', 'end must be in the future: this window would already be over.'],
      ['a start over a year ahead', '2027-03-29T04:00:00Z', '2027-03-29T05:00:00Z', 'start must be within a year from now.'],
    ])('a one-off window with %s is refused with a 400 naming the field', async (_case, start, end, message) => {
      const res = await create({ name: 'Deploy', monitors: '*', start, end }).expect(400);
      expect(res.body).toEqual({ error: message });
      expect(await count()).toBe(0);
    });

    test('an id that is no monitor of this account is refused with a 400 naming it, and nothing is created', async () => {
      const mine = await api.createMonitor(key);
      const unknown = '0123456789abcdef';
      expect((await create(weekly([mine.monitorId, unknown])).expect(400)).body).toEqual({ error: `monitors: unknown monitor ${unknown}.` });
      expect(await count()).toBe(0);
    });

    test('another account’s monitor id is refused like one nobody has', async () => {
      const theirs = await api.createMonitor(await api.signup());
      expect((await create(weekly([theirs.monitorId])).expect(400)).body).toEqual({ error: `monitors: unknown monitor ${theirs.monitorId}.` });
      expect(await count()).toBe(0);
    });

    test(`the free plan holds ${PLANS.free.maxWindows} windows; the next is refused with a 403`, async () => {
      for (let i = 0; i < PLANS.free.maxWindows; i++) await created(weekly('*', { name: `w${i}` }));
      const res = await create(weekly('*', { name: 'one too many' })).expect(403);
      expect(res.body).toEqual({ error: `Maintenance window limit reached (${PLANS.free.maxWindows}). Delete a window or upgrade your plan for more.` });
      expect(await count()).toBe(PLANS.free.maxWindows);
    });

    test('a request without an API key is 401', async () => {
      await request(app).post('/api/v1/maintenance').send(weekly('*')).expect(401);
      await request(app).get('/api/v1/maintenance').expect(401);
    });
  });

  describe('list and read', () => {
    test('the list holds the account’s windows, oldest first, with their count; nobody else’s', async () => {
      const first = await created(weekly('*', { name: 'first' }));
      clock.advance(1);
      const second = await created(oneOff('*', '2026-03-30T00:00:00Z', '2026-03-30T01:00:00Z'));
      await created(weekly('*', { name: 'someone else’s' }), await api.signup());
      const res = await list().expect(200);
      expect(res.body).toEqual({ windows: [first, second], count: 2 });
    });

    test('one window reads as it was created', async () => {
      const w = await created(weekly('*'));
      expect((await read(w.id).expect(200)).body).toEqual(w);
    });

    test.each([
      ['an id nobody has', () => 'mw_0123456789abcdef'],
      ['a malformed id', () => 'not-a-window'],
      ['a monitor id', () => '0123456789abcdef'],
    ])('%s is 404', async (_case, id) => {
      expect((await read(id()).expect(404)).body).toEqual({ error: 'Maintenance window not found.' });
    });
  });

  describe('where a window stands, against the clock', () => {
    test('a one-off window is off before its start, on until its end, and over after', async () => {
      const w = await created(oneOff('*', '2026-03-28T03:00:00Z', '2026-03-28T05:00:00Z'));
      clock.set('2026-03-28T03:00:00Z');
      expect((await read(w.id)).body).toMatchObject({ active: true, activeUntil: '2026-03-28T05:00:00.000Z', nextStart: null, nextEnd: null });
      clock.set('2026-03-28T05:00:00Z');
      expect((await read(w.id)).body).toMatchObject({ active: false, activeUntil: null, nextStart: null, nextEnd: null });
    });

    test('a daily UTC window: the next one before it, the current one and the one after during it', async () => {
      const w = await created(weekly('*', { schedule: '0 3 * * *', tz: 'UTC' }));
      expect(w).toMatchObject({ active: false, nextStart: '2026-03-28T03:00:00.000Z', nextEnd: '2026-03-28T05:00:00.000Z' });
      clock.set('2026-03-28T04:30:00Z');
      expect((await read(w.id)).body).toMatchObject({
        active: true,
        activeUntil: '2026-03-28T05:00:00.000Z',
        nextStart: '2026-03-29T03:00:00.000Z',
        nextEnd: '2026-03-29T05:00:00.000Z',
      });
    });

    test('Europe/Berlin spring forward: a 02:30 window, which the day skips, starts at 03:00 CEST', async () => {
      const w = await created(weekly('*', { schedule: '30 2 * * *', tz: 'Europe/Berlin', duration: 3600 }));
      clock.set('2026-03-29T00:45:00Z');
      expect((await read(w.id)).body).toMatchObject({ active: false, nextStart: '2026-03-29T01:00:00.000Z', nextEnd: '2026-03-29T02:00:00.000Z' });
      clock.set('2026-03-29T01:30:00Z');
      expect((await read(w.id)).body).toMatchObject({
        active: true,
        activeUntil: '2026-03-29T02:00:00.000Z',
        // 30 March: 02:30 CEST again.
        nextStart: '2026-03-30T00:30:00.000Z',
      });
    });
  });

  describe('edit', () => {
    test('a new name changes the name alone', async () => {
      const w = await created(weekly('*'));
      const res = await edit(w.id, { name: 'Weekly vacuum' }).expect(200);
      expect(res.body).toEqual({ ...w, name: 'Weekly vacuum' });
      expect((await read(w.id)).body).toEqual(res.body);
    });

    test('a new duration is checked with the stored schedule and changes what it implies', async () => {
      const w = await created(weekly('*'));
      const res = await edit(w.id, { duration: 3600 }).expect(200);
      expect(res.body).toMatchObject({ schedule: '0 3 * * 0', tz: 'Europe/Berlin', duration: 3600, nextEnd: '2026-03-29T02:00:00.000Z' });
    });

    test('switching to one-off, with the recurring fields sent as null', async () => {
      const w = await created(weekly('*'));
      const res = await edit(w.id, { schedule: null, tz: null, duration: null, start: '2026-03-28T10:00:00Z', end: '2026-03-28T11:00:00Z' }).expect(200);
      expect(res.body).toMatchObject({ schedule: null, tz: null, duration: null, start: '2026-03-28T10:00:00.000Z', end: '2026-03-28T11:00:00.000Z', nextStart: '2026-03-28T10:00:00.000Z' });
    });

    test('switching to recurring without a zone takes UTC', async () => {
      const w = await created(oneOff('*', '2026-03-28T10:00:00Z', '2026-03-28T11:00:00Z'));
      const res = await edit(w.id, { start: null, end: null, schedule: '0 4 * * *', duration: 600 }).expect(200);
      expect(res.body).toMatchObject({ schedule: '0 4 * * *', tz: 'UTC', duration: 600, start: null, end: null, nextStart: '2026-03-28T04:00:00.000Z' });
    });

    test.each([
      ['one form’s field added to the other’s', { start: '2026-03-28T10:00:00Z', end: '2026-03-28T11:00:00Z' }, 'A window is either recurring (schedule, tz, duration) or one-off (start, end), not both.'],
      ['a duration that is too long', { duration: 604_801 }, 'duration must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['an empty name', { name: '' }, 'name must not be empty.'],
      ['a null name', { name: null }, 'name must be a string.'],
      ['an unknown field', { nmae: 'x' }, 'Unknown field nmae; a maintenance window has name, monitors, schedule, tz, duration, start, end.'],
      ['an empty edit', {}, 'Send at least one of name, monitors, schedule, tz, duration, start, end.'],
      ['an unknown monitor', { monitors: ['0123456789abcdef'] }, 'monitors: unknown monitor 0123456789abcdef.'],
    ])('%s is refused with a 400, and the window is unchanged', async (_case, body, message) => {
      const w = await created(weekly('*'));
      expect((await edit(w.id, body).expect(400)).body).toEqual({ error: message });
      expect((await read(w.id)).body).toEqual(w);
    });

    test('another account’s monitor named in an edit is refused like one nobody has', async () => {
      const theirs = await api.createMonitor(await api.signup());
      const w = await created(weekly('*'));
      expect((await edit(w.id, { monitors: [theirs.monitorId] }).expect(400)).body).toEqual({ error: `monitors: unknown monitor ${theirs.monitorId}.` });
      expect((await read(w.id)).body.monitors).toBe('*');
    });

    test('a one-off window that is over can still be renamed', async () => {
      const w = await created(oneOff('*', '2026-03-28T03:00:00Z', '2026-03-28T04:00:00Z'));
      clock.set('2026-03-29T00:00:00Z');
      expect((await edit(w.id, { name: 'Last deploy' }).expect(200)).body).toMatchObject({ name: 'Last deploy', active: false, end: '2026-03-28T04:00:00.000Z' });
      // New timing is checked as of now.
      expect((await edit(w.id, { end: '2026-03-28T05:00:00Z' }).expect(400)).body).toEqual({ error: 'end must be in the future: this window would already be over.' });
    });

    test('a window that still names a deleted monitor can be renamed', async () => {
      const m = await api.createMonitor(key);
      const w = await created(weekly([m.monitorId]));
      await request(app).delete(`/api/v1/monitors/${m.monitorId}`).set('x-api-key', key).expect(200);
      expect((await edit(w.id, { name: 'Renamed' }).expect(200)).body).toMatchObject({ name: 'Renamed', monitors: [m.monitorId] });
    });
  });

  describe('delete', () => {
    test('answers {"deleted": true}, and the window is gone', async () => {
      const w = await created(weekly('*'));
      expect((await remove(w.id).expect(200)).body).toEqual({ deleted: true });
      await read(w.id).expect(404);
      expect(await store.getWindow(w.id)).toBeNull();
      expect(await count()).toBe(0);
    });

    test('an id nobody has is 404', async () => {
      expect((await remove('mw_0123456789abcdef').expect(404)).body).toEqual({ error: 'Maintenance window not found.' });
    });
  });

  test('another account’s window is 404 to read, edit and delete, and stays as it was', async () => {
    const owner = await api.signup();
    const w = await created(weekly('*'), owner);
    for (const res of [await read(w.id), await edit(w.id, { name: 'mine now' }), await remove(w.id)]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Maintenance window not found.' });
    }
    expect((await read(w.id, owner).expect(200)).body).toEqual(w);
  });

  test('other methods are 405 with Allow', async () => {
    const w = await created(weekly('*'));
    const res = await request(app).put(`/api/v1/maintenance/${w.id}`).set('x-api-key', key).expect(405);
    expect(res.headers.allow).toBe('GET, PATCH, DELETE, HEAD');
  });

  describe('in monitor answers and history', () => {
    async function monitorIn(window: (m: CreatedMonitor) => unknown): Promise<CreatedMonitor> {
      const m = await api.createMonitor(key, { schedule: 60, grace: 60 });
      await created(window(m));
      return m;
    }

    test('inMaintenance is true in every monitor answer while a covering window is on, and false for a monitor it does not cover', async () => {
      const covered = await monitorIn((m) => oneOff([m.monitorId], '2026-03-28T03:00:00Z', '2026-03-28T04:00:00Z'));
      const other = await api.createMonitor(key, { name: 'Other' });
      expect((await api.status(key, covered.monitorId)).body.inMaintenance).toBe(false);
      clock.set('2026-03-28T03:00:00Z');
      expect((await api.status(key, covered.monitorId)).body.inMaintenance).toBe(true);
      expect((await api.monitor(key, covered.monitorId)).body.inMaintenance).toBe(true);
      expect((await api.editMonitor(key, covered.monitorId, { name: 'Renamed' })).body.inMaintenance).toBe(true);
      expect((await api.pause(key, covered.monitorId)).body.inMaintenance).toBe(true);
      const listed = (await api.listMonitors(key).expect(200)).body.monitors as Array<{ monitorId: string; inMaintenance: boolean }>;
      expect(Object.fromEntries(listed.map((m) => [m.monitorId, m.inMaintenance]))).toEqual({ [covered.monitorId]: true, [other.monitorId]: false });
      clock.set('2026-03-28T04:00:00Z');
      expect((await api.status(key, covered.monitorId)).body.inMaintenance).toBe(false);
    });

    test('a "*" window covers a monitor created while it is on', async () => {
      await created(oneOff('*', '2026-03-28T02:00:00Z', '2026-03-28T04:00:00Z'));
      const res = await api.createMonitorRequest(key, { name: 'Newcomer' }).expect(201);
      expect(res.body.inMaintenance).toBe(true);
    });

    test('flips say whether a window covered the monitor when they happened', async () => {
      const m = await monitorIn((mon) => oneOff([mon.monitorId], '2026-03-28T02:00:30Z', '2026-03-28T03:00:00Z'));
      await api.ping(m.pingUrl).expect(200);
      // The deadline passes inside the window: the monitor goes down there, recorded as always.
      await sweepDueMonitors(deps, clock.advance(10 * 60));
      clock.set('2026-03-28T03:30:00Z');
      await api.ping(m.pingUrl).expect(200);
      const flips = (await api.flips(key, m.monitorId).expect(200)).body.flips;
      expect(flips.map((f: { from: string; to: string; inMaintenance: boolean }) => [`${f.from}>${f.to}`, f.inMaintenance])).toEqual([
        ['down>up', false],
        ['up>down', true],
        ['new>up', false],
      ]);
    });
  });
});
