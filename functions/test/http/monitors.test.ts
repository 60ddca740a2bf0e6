import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { sweepDueMonitors } from '../../src/services/checker';
import type { InspectableStore } from '../../src/store/inspection';
import { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient, pingPath } from '../support/http-client';
import { storeKinds } from '../support/stores';

const DAY = 86_400;

/** One monitor, edited, paused, and read back with its history: the API a monitor's page uses. */
describe.each(storeKinds())('monitor management over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let clock: FakeClock;
  let app: Express;
  let api: ApiClient;
  let proApi: ApiClient;

  beforeEach(async () => {
    store = await kind.open();
    clock = new FakeClock();
    app = createApp(testDeps(store, { clock }));
    api = new ApiClient(app);
    proApi = new ApiClient(createApp(testDeps(store, { clock, plan: 'pro' })));
  });
  afterEach(async () => {
    await store.close();
  });

  const deps = () => ({ store, log: silentLogger });

  /** Every monitor route, for the checks all of them share. */
  const routes: Array<[string, (key: string, id: string) => request.Test]> = [
    ['GET /monitors/:id', (k, id) => api.monitor(k, id)],
    ['PATCH /monitors/:id', (k, id) => api.editMonitor(k, id, { name: 'x' })],
    ['POST /monitors/:id/pause', (k, id) => api.pause(k, id)],
    ['POST /monitors/:id/resume', (k, id) => api.resume(k, id)],
    ['GET /monitors/:id/pings', (k, id) => api.pings(k, id)],
    ['GET /monitors/:id/flips', (k, id) => api.flips(k, id)],
  ];

  describe('every monitor route', () => {
    test.each(routes)('%s answers 403 for another account’s monitor and changes nothing', async (_route, call) => {
      const owner = await api.signup();
      const m = await api.createMonitor(owner);
      const before = (await api.monitor(owner, m.monitorId).expect(200)).body;
      const res = await call(await api.signup(), m.monitorId).expect(403);
      expect(res.body).toEqual({ error: 'This monitor belongs to another account.' });
      expect((await api.monitor(owner, m.monitorId).expect(200)).body).toEqual(before);
    });

    test.each(routes)('%s answers 404 for an unknown or malformed id', async (_route, call) => {
      const key = await api.signup();
      expect((await call(key, '0123456789abcdef').expect(404)).body).toEqual({ error: 'Monitor not found.' });
      expect((await call(key, 'not-an-id').expect(404)).body).toEqual({ error: 'Monitor not found.' });
    });

    test.each(routes)('%s answers 401 without a key', async (_route, call) => {
      const m = await api.createMonitor(await api.signup());
      await call('', m.monitorId).expect(401);
    });
  });

  describe('GET /monitors/:id', () => {
    test('answers what /status answers', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await api.ping(m.pingUrl).expect(200);
      const one = await api.monitor(key, m.monitorId).expect(200);
      const status = await api.status(key, m.monitorId).expect(200);
      expect(one.body).toEqual(status.body);
      expect(one.body).toMatchObject({ monitorId: m.monitorId, status: 'up', pingCount: 1, manualResume: false });
    });

    test('other methods are 405 with Allow', async () => {
      const m = await api.createMonitor(await api.signup());
      const res = await request(app).put(`/api/v1/monitors/${m.monitorId}`).expect(405);
      expect(res.headers.allow).toBe('GET, PATCH, DELETE, HEAD');
    });
  });

  describe('PATCH /monitors/:id', () => {
    test('changes the named fields and answers the monitor', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const res = await api.editMonitor(key, m.monitorId, { name: '  Hourly sync ', alertEmail: 'Ops@Example.com' }).expect(200);
      expect(res.body).toMatchObject({ monitorId: m.monitorId, name: 'Hourly sync', alertEmail: 'ops@example.com', schedule: 3600 });
      expect(res.body).not.toHaveProperty('webhookSecret');
      expect((await api.monitor(key, m.monitorId)).body).toEqual(res.body);
    });

    test('null removes e-mail alerts, and null grace returns it to the default', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { grace: 900 });
      const res = await api.editMonitor(key, m.monitorId, { alertEmail: null, schedule: 86_400, grace: null }).expect(200);
      expect(res.body).toMatchObject({ alertEmail: null, schedule: 86_400, grace: 8640 });
    });

    test('null at creation means what an edit’s null leaves: no e-mail alerts, the default grace, no reminders', async () => {
      const key = await api.signup();
      await request(app).patch('/api/v1/account').set('x-api-key', key).send({ defaults: { remindEvery: 3600 } }).expect(200);
      const m = await api.createMonitor(key, { schedule: 86_400, alertEmail: null, grace: null, remindEvery: null, tz: null, maxRuntime: null });
      expect((await api.monitor(key, m.monitorId).expect(200)).body).toMatchObject({ alertEmail: null, grace: 8640, remindEvery: null, maxRuntime: null });
      const withDefault = await api.createMonitor(key, { schedule: 86_400 });
      expect((await api.monitor(key, withDefault.monitorId).expect(200)).body).toMatchObject({ remindEvery: 3600, alertEmail: expect.stringContaining('@') });
    });

    test('a monitor without e-mail alerts creates no e-mail notification when it goes down', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 60, grace: 60 });
      await api.editMonitor(key, m.monitorId, { alertEmail: null }).expect(200);
      await api.ping(m.pingUrl).expect(200);
      await sweepDueMonitors(deps(), clock.advance(121));
      expect((await api.monitor(key, m.monitorId)).body.status).toBe('down');
      expect(await store.listNotifications(m.monitorId)).toEqual([]);
    });

    test('moves an up monitor’s deadline from its last ping, and never flips it by itself', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 3600, grace: 600 });
      await api.ping(m.pingUrl).expect(200);
      clock.advance(1000);
      const res = await api.editMonitor(key, m.monitorId, { schedule: 600, grace: 300 }).expect(200);
      expect(res.body.status).toBe('up');
      // The new deadline is 900 s after the ping, already passed: the next sweep flips it, the edit did not.
      expect((await api.flips(key, m.monitorId)).body.flips).toHaveLength(1);
      expect(await sweepDueMonitors(deps(), clock.now())).toEqual({ due: 1, flipped: 1, failed: 0 });
    });

    test('a longer schedule postpones the deadline from the last ping', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 3600, grace: 600 });
      await api.ping(m.pingUrl).expect(200);
      await api.editMonitor(key, m.monitorId, { schedule: 7200 }).expect(200);
      expect(await sweepDueMonitors(deps(), clock.advance(4200))).toEqual({ due: 0, flipped: 0, failed: 0 });
      expect(await sweepDueMonitors(deps(), clock.advance(3600))).toEqual({ due: 1, flipped: 1, failed: 0 });
    });

    test('a resumed monitor not pinged since keeps a full period from the resume when its schedule or grace changes', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 3600, grace: 600 });
      await api.ping(m.pingUrl).expect(200);
      await api.pause(key, m.monitorId).expect(200);
      clock.advance(DAY);
      await api.resume(key, m.monitorId).expect(200);
      const resumedAt = clock.now().getTime();
      clock.advance(60);
      const res = await api.editMonitor(key, m.monitorId, { schedule: 1800, grace: 300 }).expect(200);
      // From the last ping (a day ago) the deadline would have passed: a false alarm at the next sweep.
      expect(res.body.nextDue).toBe(new Date(resumedAt + 1800_000).toISOString());
      expect(await sweepDueMonitors(deps(), clock.now())).toEqual({ due: 0, flipped: 0, failed: 0 });
      clock.set(new Date(resumedAt + 2099_000).toISOString());
      expect(await sweepDueMonitors(deps(), clock.now())).toEqual({ due: 0, flipped: 0, failed: 0 });
      expect(await sweepDueMonitors(deps(), clock.advance(1))).toEqual({ due: 1, flipped: 1, failed: 0 });
    });

    test('after a resume, a ping counts again: the edited deadline follows the latest of the two', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 3600, grace: 600 });
      await api.ping(m.pingUrl).expect(200);
      await api.pause(key, m.monitorId).expect(200);
      clock.advance(DAY);
      await api.resume(key, m.monitorId).expect(200);
      clock.advance(1000);
      await api.ping(m.pingUrl).expect(200);
      const pingedAt = clock.now().getTime();
      const res = await api.editMonitor(key, m.monitorId, { grace: 60 }).expect(200);
      expect(res.body.nextDue).toBe(new Date(pingedAt + 3600_000).toISOString());
      expect(await sweepDueMonitors(deps(), clock.advance(3659))).toEqual({ due: 0, flipped: 0, failed: 0 });
      expect(await sweepDueMonitors(deps(), clock.advance(1))).toEqual({ due: 1, flipped: 1, failed: 0 });
    });

    test('a webhook on the free plan is 403 and changes nothing', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const before = (await api.monitor(key, m.monitorId)).body;
      const res = await api.editMonitor(key, m.monitorId, { name: 'changed', alertWebhook: 'https://hooks.example.com/x' }).expect(403);
      expect(res.body).toEqual({ error: 'Webhook alerts need the Pro plan. Remove alertWebhook or upgrade your plan.' });
      expect((await api.monitor(key, m.monitorId)).body).toEqual(before);
    });

    test.each([
      ['Slack', { alertSlack: 'https://hooks.slack.com/services/T/B/x' }, 'Slack alerts need the Pro plan. Remove alertSlack or upgrade your plan.'],
      ['PagerDuty', { alertPagerDuty: 'a'.repeat(32) }, 'PagerDuty alerts need the Pro plan. Remove alertPagerDuty or upgrade your plan.'],
    ])('%s on the free plan is 403 and changes nothing', async (_what, body, message) => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const before = (await api.monitor(key, m.monitorId)).body;
      expect((await api.editMonitor(key, m.monitorId, body).expect(403)).body).toEqual({ error: message });
      expect((await api.monitor(key, m.monitorId)).body).toEqual(before);
    });

    test('a schedule can become a cron expression in a zone, and go back to seconds', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const cron = await api.editMonitor(key, m.monitorId, { schedule: '30 2 * * *', tz: 'europe/berlin' }).expect(200);
      expect(cron.body).toMatchObject({ schedule: '30 2 * * *', tz: 'Europe/Berlin' });
      const back = await api.editMonitor(key, m.monitorId, { schedule: 3600 }).expect(200);
      expect(back.body.schedule).toBe(3600);
      expect(back.body).not.toHaveProperty('tz');
    });

    test('setting a webhook on pro returns a new secret once; removing it drops the secret', async () => {
      const key = await proApi.signup();
      const m = await proApi.createMonitor(key, { alertWebhook: 'https://hooks.example.com/a' });
      const res = await proApi.editMonitor(key, m.monitorId, { alertWebhook: 'https://hooks.example.com/b' }).expect(200);
      expect(res.body.alertWebhook).toBe('https://hooks.example.com/b');
      expect(res.body.webhookSecret).toMatch(/^whsec_/);
      expect(res.body.webhookSecret).not.toBe(m.webhookSecret);
      expect((await api.monitor(key, m.monitorId)).body).not.toHaveProperty('webhookSecret');
      expect((await store.getMonitor(m.monitorId))!.webhookSecret).toBe(res.body.webhookSecret);
      const renamed = await proApi.editMonitor(key, m.monitorId, { name: 'x' }).expect(200);
      expect(renamed.body).not.toHaveProperty('webhookSecret');
      await proApi.editMonitor(key, m.monitorId, { alertWebhook: null }).expect(200);
      expect(await store.getMonitor(m.monitorId)).toMatchObject({ alertWebhook: null, webhookSecret: null });
    });

    test.each([
      ['an empty edit', {}, 'Send at least one of name, schedule, tz, grace, remindEvery, remindLimit, alertAfter, recoverAfter, maxRuntime, minRuntime, alertEmail, alertWebhook, alertSlack, alertPagerDuty, channels, tags, dependsOn, slug.'],
      ['an unknown field', { nmae: 'x' }, 'Unknown field nmae; a monitor has name, schedule, tz, grace, remindEvery, remindLimit, alertAfter, recoverAfter, maxRuntime, minRuntime, alertEmail, alertWebhook, alertSlack, alertPagerDuty, channels, tags, dependsOn, slug.'],
      ['a null name', { name: null }, 'name must be a string.'],
      ['an empty name', { name: '  ' }, 'name must not be empty.'],
      ['a null schedule', { schedule: null }, 'schedule must be a number of seconds or a 5-field cron expression string.'],
      ['an invalid cron expression', { schedule: '61 * * * *' }, expect.stringMatching(/^schedule is not a valid cron expression/)],
      ['a zone for a schedule in seconds', { tz: 'Europe/Berlin' }, 'tz applies to cron schedules only; a numeric schedule is a number of seconds.'],
      ['a schedule under a minute', { schedule: 30 }, 'schedule must be at least 60 seconds.'],
      ['a fractional grace', { grace: 61.5 }, 'grace must be an integer number of seconds.'],
      ['an invalid e-mail', { alertEmail: 'nope' }, 'alertEmail must be a valid email address.'],
      ['a webhook that is not http(s)', { alertWebhook: 'ftp://x.example.com' }, 'alertWebhook must be an http(s) URL.'],
    ])('refuses %s with 400 and changes nothing', async (_what, body, message) => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const before = (await api.monitor(key, m.monitorId)).body;
      expect((await api.editMonitor(key, m.monitorId, body).expect(400)).body).toEqual({ error: message });
      expect((await api.monitor(key, m.monitorId)).body).toEqual(before);
    });

    test.each([
      ['malformed JSON', '{"name": ', 'Malformed JSON in request body.'],
      ['an array', '[]', 'Request body must be a JSON object.'],
      ['no body', '', 'Send at least one of name, schedule, tz, grace, remindEvery, remindLimit, alertAfter, recoverAfter, maxRuntime, minRuntime, alertEmail, alertWebhook, alertSlack, alertPagerDuty, channels, tags, dependsOn, slug.'],
    ])('refuses %s with 400', async (_what, raw, message) => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const res = await request(app).patch(`/api/v1/monitors/${m.monitorId}`).set('x-api-key', key).set('Content-Type', 'application/json').send(raw).expect(400);
      expect(res.body).toEqual({ error: message });
    });
  });

  describe('pause and resume', () => {
    test('a paused monitor never goes down and alerts nobody', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 60, grace: 60 });
      await api.ping(m.pingUrl).expect(200);
      const res = await api.pause(key, m.monitorId).expect(200);
      expect(res.body).toMatchObject({ status: 'paused', manualResume: false });
      expect(await sweepDueMonitors(deps(), clock.advance(30 * DAY))).toEqual({ due: 0, flipped: 0, failed: 0 });
      expect(await store.listNotifications(m.monitorId)).toEqual([]);
    });

    test('pausing twice is 409; resuming a monitor that is not paused is 409', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      expect((await api.resume(key, m.monitorId).expect(409)).body).toEqual({ error: 'This monitor is not paused.' });
      await api.pause(key, m.monitorId).expect(200);
      expect((await api.pause(key, m.monitorId).expect(409)).body).toEqual({ error: 'This monitor is already paused.' });
    });

    test('a ping is recorded and ends a plain pause', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await api.pause(key, m.monitorId).expect(200);
      const res = await api.ping(m.pingUrl).expect(200);
      expect(res.body.status).toBe('up');
      expect((await api.monitor(key, m.monitorId)).body).toMatchObject({ status: 'up', pingCount: 1 });
      expect((await api.flips(key, m.monitorId)).body.flips.map((f: { reason: string }) => f.reason)).toEqual(['ping', 'pause']);
    });

    test('with manualResume a ping is recorded but the monitor stays paused until resumed', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await api.ping(m.pingUrl).expect(200);
      expect((await api.pause(key, m.monitorId, { manualResume: true }).expect(200)).body).toMatchObject({ status: 'paused', manualResume: true });
      clock.advance(60);
      expect((await api.ping(m.pingUrl).expect(200)).body.status).toBe('paused');
      expect((await api.monitor(key, m.monitorId)).body).toMatchObject({ status: 'paused', pingCount: 2, lastPing: clock.now().toISOString() });
      expect((await api.pings(key, m.monitorId)).body.pings).toHaveLength(2);
      expect(await sweepDueMonitors(deps(), clock.advance(30 * DAY))).toEqual({ due: 0, flipped: 0, failed: 0 });
      const resumed = await api.resume(key, m.monitorId).expect(200);
      expect(resumed.body).toMatchObject({ status: 'up', manualResume: false });
    });

    test('resuming gives a monitor that pinged one full period, and returns one that never pinged to new', async () => {
      const key = await api.signup();
      const never = await api.createMonitor(key);
      await api.pause(key, never.monitorId).expect(200);
      expect((await api.resume(key, never.monitorId).expect(200)).body.status).toBe('new');

      const pinged = await api.createMonitor(key, { schedule: 60, grace: 60 });
      await api.ping(pinged.pingUrl).expect(200);
      await api.pause(key, pinged.monitorId).expect(200);
      clock.advance(DAY);
      expect((await api.resume(key, pinged.monitorId).expect(200)).body.status).toBe('up');
      expect(await sweepDueMonitors(deps(), clock.advance(119))).toEqual({ due: 0, flipped: 0, failed: 0 });
      expect(await sweepDueMonitors(deps(), clock.advance(1))).toEqual({ due: 1, flipped: 1, failed: 0 });
    });

    test.each([
      ['manualResume that is not a boolean', { manualResume: 'yes' }, 'manualResume must be true or false.'],
      ['an unknown field', { manual: true }, 'Unknown field manual; a pause takes only manualResume.'],
    ])('pause refuses %s with 400 and stays unpaused', async (_what, body, message) => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      expect((await api.pause(key, m.monitorId, body).expect(400)).body).toEqual({ error: message });
      expect((await api.monitor(key, m.monitorId)).body.status).toBe('new');
    });

    test('pausing and resuming twice within one millisecond answers 200 each time and records every flip', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await api.ping(m.pingUrl).expect(200);
      // The fake clock stands still: every change below happens at the same instant.
      for (let i = 0; i < 2; i++) {
        await api.pause(key, m.monitorId).expect(200);
        await api.resume(key, m.monitorId).expect(200);
      }
      const res = await api.flips(key, m.monitorId, '?limit=2').expect(200);
      expect(res.body.flips.map((f: { from: string; to: string }) => `${f.from}>${f.to}`)).toEqual(['paused>up', 'up>paused']);
      const rest = await api.flips(key, m.monitorId, `?limit=10&cursor=${encodeURIComponent(res.body.nextCursor)}`).expect(200);
      expect(rest.body.flips.map((f: { from: string; to: string }) => `${f.from}>${f.to}`)).toEqual(['paused>up', 'up>paused', 'new>up']);
    });

    test('pause and resume answer other methods with 405', async () => {
      const m = await api.createMonitor(await api.signup());
      expect((await request(app).get(`/api/v1/monitors/${m.monitorId}/pause`).expect(405)).headers.allow).toBe('POST');
      expect((await request(app).get(`/api/v1/monitors/${m.monitorId}/resume`).expect(405)).headers.allow).toBe('POST');
    });
  });

  describe('history', () => {
    test('pings come newest first with their details and whether the body was cut', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await api.ping(m.pingUrl).set('User-Agent', 'cron/1').expect(200);
      clock.advance(1);
      await api.ping(m.pingUrl, { body: 'x'.repeat(11 * 1024) }).expect(200);
      const res = await api.pings(key, m.monitorId).expect(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.pings).toHaveLength(2);
      expect(res.body.pings[0]).toMatchObject({ at: clock.now().toISOString(), method: 'POST', kind: 'success', bodyTruncated: true });
      expect(res.body.pings[0].body).toHaveLength(1024);
      expect(res.body.pings[1]).toEqual({
        at: new Date(clock.now().getTime() - 1000).toISOString(),
        method: 'GET', kind: 'success', exitCode: null, rid: null, duration: null, source: expect.any(String), userAgent: 'cron/1', body: null, bodyTruncated: false,
      });
    });

    test('limit defaults to 50 and the cursor walks every page to a null nextCursor', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      for (let i = 0; i < 53; i++) await api.ping(m.pingUrl, { body: `#${i}` }).expect(200);
      const first = await api.pings(key, m.monitorId).expect(200);
      expect(first.body.pings).toHaveLength(50);
      const second = await api.pings(key, m.monitorId, `?limit=50&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body.nextCursor).toBeNull();
      const bodies = [...first.body.pings, ...second.body.pings].map((p: { body: string }) => p.body);
      expect(bodies).toEqual(Array.from({ length: 53 }, (_, i) => `#${52 - i}`));
    });

    test.each([['0'], ['101'], ['abc'], ['1.5'], ['-1'], ['']])('limit=%s is 400', async (limit) => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const res = await api.pings(key, m.monitorId, `?limit=${limit}`).expect(400);
      expect(res.body).toEqual({ error: 'limit must be a whole number from 1 to 100.' });
      await api.flips(key, m.monitorId, `?limit=${limit}`).expect(400);
    });

    test('a repeated limit is 400', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await api.pings(key, m.monitorId, '?limit=1&limit=2').expect(400);
    });

    test.each([
      ['not base64url', '***'],
      ['not JSON', Buffer.from('hello').toString('base64url')],
      ['the wrong shape', Buffer.from('{"at":1}').toString('base64url')],
      ['a negative time', Buffer.from('[-1,1,"x"]').toString('base64url')],
    ])('a cursor that is %s is 400', async (_what, cursor) => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      const res = await api.pings(key, m.monitorId, `?cursor=${encodeURIComponent(cursor)}`).expect(400);
      expect(res.body).toEqual({ error: 'cursor is not valid: pass the nextCursor of a previous page unchanged.' });
      await api.flips(key, m.monitorId, `?cursor=${encodeURIComponent(cursor)}`).expect(400);
    });

    test('a free account never sees a ping older than 7 days, even before the purge', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key);
      await api.ping(m.pingUrl, { body: 'old' }).expect(200);
      clock.advance(DAY);
      await api.ping(m.pingUrl, { body: 'newer' }).expect(200);
      clock.advance(6 * DAY - 1);
      expect((await api.pings(key, m.monitorId)).body.pings.map((p: { body: string }) => p.body)).toEqual(['newer', 'old']);
      clock.advance(2);
      expect((await api.pings(key, m.monitorId)).body.pings.map((p: { body: string }) => p.body)).toEqual(['newer']);
      // Still stored: only reading holds the window here.
      expect(await store.listPings(m.monitorId, 10)).toHaveLength(2);
    });

    test('a pro account sees its whole history', async () => {
      const key = await proApi.signup();
      const m = await proApi.createMonitor(key);
      await api.ping(m.pingUrl, { body: 'old' }).expect(200);
      clock.advance(90 * DAY);
      const res = await proApi.pings(key, m.monitorId).expect(200);
      expect(res.body.pings.map((p: { body: string }) => p.body)).toEqual(['old']);
    });

    test('flips come newest first with from, to and reason, and page like pings', async () => {
      const key = await api.signup();
      const m = await api.createMonitor(key, { schedule: 60, grace: 60 });
      await api.ping(m.pingUrl).expect(200);
      await sweepDueMonitors(deps(), clock.advance(120));
      clock.advance(1);
      await api.ping(m.pingUrl).expect(200);
      const first = await api.flips(key, m.monitorId, '?limit=2').expect(200);
      expect(first.body.flips).toEqual([
        { at: clock.now().toISOString(), from: 'down', to: 'up', reason: 'ping', inMaintenance: false },
        { at: new Date(clock.now().getTime() - 1000).toISOString(), from: 'up', to: 'down', reason: 'missed', inMaintenance: false },
      ]);
      const second = await api.flips(key, m.monitorId, `?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body).toEqual({ flips: [expect.objectContaining({ from: 'new', to: 'up' })], nextCursor: null });
    });

    test('paging over a real server while pings keep arriving returns every earlier ping exactly once', async () => {
      const server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const key = await api.signup();
        const m = await api.createMonitor(key);
        for (let i = 0; i < 25; i++) {
          await fetch(`${base}${pingPath(m.pingUrl)}`, { method: 'POST', body: `old ${i}` });
          if (i % 3 === 0) clock.advance(1);
        }
        let arriving = true;
        let sent = 0;
        // Four concurrent senders, the clock moving under them, while the pages are read.
        const senders = Array.from({ length: 4 }, async (_, w) => {
          while (arriving) {
            const res = await fetch(`${base}${pingPath(m.pingUrl)}`, { method: 'POST', body: `new ${w}-${sent++}` });
            expect(res.status).toBe(200);
            if (sent % 5 === 0) clock.advance(1);
          }
        });
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = `?limit=4${cursor ? `&cursor=${cursor}` : ''}`;
          const res = await fetch(`${base}/api/v1/monitors/${m.monitorId}/pings${query}`, { headers: { 'x-api-key': key } });
          expect(res.status).toBe(200);
          const page = (await res.json()) as { pings: Array<{ body: string }>; nextCursor: string | null };
          seen.push(...page.pings.map((p) => p.body));
          cursor = page.nextCursor;
        } while (cursor !== null);
        arriving = false;
        await Promise.all(senders);
        expect(sent).toBeGreaterThan(0);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.filter((b) => b.startsWith('old'))).toEqual(Array.from({ length: 25 }, (_, i) => `old ${24 - i}`));
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
