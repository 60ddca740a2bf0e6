import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { withPingFastPath } from '../../src/http/ping';
import { MemoryRateLimiter, type Rules } from '../../src/limits';
import type { Deps } from '../../src/services/context';
import { createHttpServer } from '../../src/server';
import type { InspectableStore } from '../../src/store/inspection';
import { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient, pingPath, type CreatedMonitor } from '../support/http-client';
import { sqliteKind, storeKinds } from '../support/stores';

const NO_LIMITS: Rules = { signup: null, recoveryByAddress: null, recoveryByEmail: null, failedAuth: null, management: null, ping: null, unknownPing: null };

/**
 * Snoozing a monitor (issue 21): with the API key (`POST`/`DELETE /monitors/:id/snooze`) and from
 * the job host with the ping URL alone (`/ping/<token>/snooze`), which records no ping.
 */
describe.each(storeKinds())('snooze over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let clock: FakeClock;
  let app: Express;
  let api: ApiClient;
  let key: string;
  let m: CreatedMonitor;

  function start(limiter?: MemoryRateLimiter): void {
    app = createApp(testDeps(store, { clock, limiter }));
    api = new ApiClient(app);
  }

  beforeEach(async () => {
    store = await kind.open();
    clock = new FakeClock('2026-12-02T17:00:00.000Z');
    start();
    key = await api.signup();
    m = await api.createMonitor(key);
  });
  afterEach(async () => {
    await store.close();
  });

  const snooze = (body: unknown, id = m.monitorId, owner = key) =>
    request(app).post(`/api/v1/monitors/${id}/snooze`).set('x-api-key', owner).set('Content-Type', 'application/json').send(body as object);
  const unsnooze = (id = m.monitorId, owner = key) => request(app).delete(`/api/v1/monitors/${id}/snooze`).set('x-api-key', owner);
  const stored = async () => (await store.getMonitor(m.monitorId))!.snoozedUntil?.toISOString() ?? null;
  const pingSnooze = (query = '', pingUrl = m.pingUrl) => `${pingPath(pingUrl, 'snooze')}${query}`;

  describe('with the API key', () => {
    test('{"for": seconds} snoozes from now and answers the status answer', async () => {
      const before = (await api.status(key, m.monitorId).expect(200)).body;
      const res = await snooze({ for: 3600 }).expect(200);
      expect(res.body).toEqual({ ...before, snoozedUntil: '2026-12-02T18:00:00.000Z' });
      expect(await stored()).toBe('2026-12-02T18:00:00.000Z');
    });

    test('{"until": time} snoozes until then, a zone’s offset read', async () => {
      const res = await snooze({ until: '2026-12-03T09:30:00+01:00' }).expect(200);
      expect(res.body.snoozedUntil).toBe('2026-12-03T08:30:00.000Z');
    });

    test('the shortest and the longest snooze are accepted', async () => {
      expect((await snooze({ for: 60 }).expect(200)).body.snoozedUntil).toBe('2026-12-02T17:01:00.000Z');
      expect((await snooze({ until: '2026-12-09T17:00:00Z' }).expect(200)).body.snoozedUntil).toBe('2026-12-09T17:00:00.000Z');
    });

    test('a new snooze replaces the last, even a shorter one', async () => {
      await snooze({ for: 7200 }).expect(200);
      expect((await snooze({ for: 600 }).expect(200)).body.snoozedUntil).toBe('2026-12-02T17:10:00.000Z');
    });

    test('snoozedUntil reads null once the snooze has passed', async () => {
      await snooze({ for: 600 }).expect(200);
      clock.advance(599);
      expect((await api.status(key, m.monitorId)).body.snoozedUntil).toBe('2026-12-02T17:10:00.000Z');
      clock.advance(1);
      expect((await api.status(key, m.monitorId)).body.snoozedUntil).toBeNull();
      expect((await api.listMonitors(key)).body.monitors[0].snoozedUntil).toBeNull();
    });

    test.each([
      ['for under a minute', { for: 59 }, 'for must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['for over 7 days', { for: 604_801 }, 'for must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['a fractional for', { for: 90.5 }, 'for must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['for as a string', { for: '3600' }, 'for must be a whole number of seconds.'],
      ['until in the past', { until: '2026-12-02T16:59:59Z' }, 'until must be in the future.'],
      ['until more than 7 days ahead', { until: '2026-12-09T17:00:01Z' }, 'until must be at most 7 days from now.'],
      ['until without a zone', { until: '2026-12-03T09:30:00' }, 'until must be an ISO 8601 time with a zone, such as "2026-12-02T18:00:00Z".'],
      ['both', { for: 600, until: '2026-12-03T09:30:00Z' }, 'Give either for (seconds) or until (a time), not both.'],
      ['neither', {}, 'for (seconds) or until (a time) is required.'],
      ['an unknown field', { minutes: 5 }, 'Unknown field minutes; a snooze takes for (seconds) or until (a time).'],
    ])('%s is refused with a 400, and nothing changes', async (_case, body, message) => {
      expect((await snooze(body).expect(400)).body).toEqual({ error: message });
      expect(await stored()).toBeNull();
    });

    test('no body is a 400 saying what to send', async () => {
      const res = await request(app).post(`/api/v1/monitors/${m.monitorId}/snooze`).set('x-api-key', key).expect(400);
      expect(res.body).toEqual({ error: 'for (seconds) or until (a time) is required.' });
      expect(await stored()).toBeNull();
    });

    test('DELETE lifts the snooze and answers the status answer', async () => {
      await snooze({ for: 3600 }).expect(200);
      const res = await unsnooze().expect(200);
      expect(res.body).toMatchObject({ monitorId: m.monitorId, snoozedUntil: null });
      expect(await stored()).toBeNull();
      // Lifting it again changes nothing, and is no error.
      await unsnooze().expect(200);
    });

    test('another account’s monitor is 403 and unchanged; an unknown one 404; no key 401', async () => {
      const other = await api.signup();
      expect((await snooze({ for: 600 }, m.monitorId, other).expect(403)).body).toEqual({ error: 'This monitor belongs to another account.' });
      await snooze({ for: 600 }).expect(200);
      await unsnooze(m.monitorId, other).expect(403);
      expect(await stored()).toBe('2026-12-02T17:10:00.000Z');
      expect((await snooze({ for: 600 }, '0123456789abcdef').expect(404)).body).toEqual({ error: 'Monitor not found.' });
      await unsnooze('not-an-id').expect(404);
      await request(app).post(`/api/v1/monitors/${m.monitorId}/snooze`).send({ for: 600 }).expect(401);
    });
  });

  describe('with the ping URL', () => {
    test('GET snoozes for ?for= seconds, answers the monitor id and the end, and records no ping', async () => {
      const res = await request(app).get(pingSnooze('?for=600')).expect(200);
      expect(res.body).toEqual({ ok: true, monitor: m.monitorId, snoozedUntil: '2026-12-02T17:10:00.000Z' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(await stored()).toBe('2026-12-02T17:10:00.000Z');
      expect(await store.listPings(m.monitorId, 10)).toEqual([]);
      expect((await api.status(key, m.monitorId)).body).toMatchObject({ status: 'new', pingCount: 0, lastPing: null });
    });

    test('without ?for= or ?until= it snoozes for an hour', async () => {
      expect((await request(app).get(pingSnooze()).expect(200)).body.snoozedUntil).toBe('2026-12-02T18:00:00.000Z');
    });

    test('?until= snoozes until then', async () => {
      const res = await request(app).get(pingSnooze(`?until=${encodeURIComponent('2026-12-03T06:00:00+01:00')}`)).expect(200);
      expect(res.body.snoozedUntil).toBe('2026-12-03T05:00:00.000Z');
    });

    test('POST snoozes too, whatever its body, and stores no ping', async () => {
      const res = await request(app).post(pingSnooze('?for=900')).send('going down for a reboot').expect(200);
      expect(res.body.snoozedUntil).toBe('2026-12-02T17:15:00.000Z');
      expect(await store.listPings(m.monitorId, 10)).toEqual([]);
    });

    test('HEAD snoozes and answers the status alone', async () => {
      const res = await request(app).head(pingSnooze('?for=900')).expect(200);
      expect(res.text ?? '').toBe('');
      expect(await stored()).toBe('2026-12-02T17:15:00.000Z');
    });

    test('a snoozed monitor shows it in its status answer', async () => {
      await request(app).get(pingSnooze('?for=600')).expect(200);
      expect((await api.status(key, m.monitorId)).body.snoozedUntil).toBe('2026-12-02T17:10:00.000Z');
    });

    test.each([
      ['a well-formed unknown token', `/api/v1/ping/${'A'.repeat(24)}/snooze`],
      ['a malformed token', '/api/v1/ping/nope/snooze'],
    ])('%s is 404, as a ping to it is', async (_case, path) => {
      expect((await request(app).get(path).expect(404)).body).toEqual({ error: 'Unknown ping token.' });
    });

    test.each([
      ['for=abc', 'for must be a whole number of seconds.'],
      ['for=', 'for must be a whole number of seconds.'],
      ['for=1.5', 'for must be a whole number of seconds.'],
      ['for=-60', 'for must be a whole number of seconds.'],
      ['for=59', 'for must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['for=604801', 'for must be a whole number of seconds from 60 to 604800 (7 days).'],
      ['for=60&for=120', 'for must be given once.'],
      ['until=tomorrow', 'until must be an ISO 8601 time with a zone, such as "2026-12-02T18:00:00Z".'],
      ['until=2026-12-02T16:00:00Z', 'until must be in the future.'],
      ['for=600&until=2026-12-03T00:00:00Z', 'Give either for (seconds) or until (a time), not both.'],
    ])('?%s is refused with a 400, and nothing changes', async (query, message) => {
      expect((await request(app).get(pingSnooze(`?${query}`)).expect(400)).body).toEqual({ error: message });
      expect(await stored()).toBeNull();
    });

    test('a snooze counts against the monitor’s ping limit, with pings', async () => {
      start(new MemoryRateLimiter({ ...NO_LIMITS, ping: { limit: 2, windowSeconds: 60 } }));
      await api.ping(m.pingUrl).expect(200);
      await request(app).get(pingSnooze('?for=600')).expect(200);
      const refused = await request(app).get(pingSnooze('?for=900')).expect(429);
      expect(refused.body.error).toMatch(/^Too many pings for this monitor\./);
      expect(await stored()).toBe('2026-12-02T17:10:00.000Z');
      await api.ping(m.pingUrl).expect(429);
    });
  });
});

/** The embedded server's fast path answers `/snooze` itself, for GET and HEAD, through the same `handlePing`. */
describe('snooze on the embedded ping fast path', () => {
  let store: InspectableStore;
  let deps: Deps;
  let server: http.Server;
  let port: number;
  let reachedExpress: number;
  let m: CreatedMonitor;
  let key: string;

  beforeEach(async () => {
    store = await sqliteKind.open();
    deps = testDeps(store, { clock: new FakeClock('2026-12-02T17:00:00.000Z') });
    const app = createApp(deps);
    const api = new ApiClient(app);
    key = await api.signup();
    m = await api.createMonitor(key);
    reachedExpress = 0;
    const counted = Object.assign(
      (req: http.IncomingMessage, res: http.ServerResponse) => {
        reachedExpress++;
        app(req, res);
      },
      { get: app.get.bind(app) },
    );
    server = createHttpServer(withPingFastPath(deps, counted as unknown as Parameters<typeof withPingFastPath>[1]));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  const send = (method: string, path: string) => request(`http://127.0.0.1:${port}`)[method === 'HEAD' ? 'head' : 'get'](path);
  const stored = async () => (await store.getMonitor(m.monitorId))!.snoozedUntil?.toISOString() ?? null;

  test('GET answers the snooze without reaching Express, with the ping URLs’ headers', async () => {
    const res = await send('GET', `${pingPath(m.pingUrl, 'snooze')}?for=600`).expect(200);
    expect(res.body).toEqual({ ok: true, monitor: m.monitorId, snoozedUntil: '2026-12-02T17:10:00.000Z' });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(reachedExpress).toBe(0);
    expect(await stored()).toBe('2026-12-02T17:10:00.000Z');
    expect(await store.listPings(m.monitorId, 10)).toEqual([]);
  });

  test('HEAD snoozes for an hour by default, status alone', async () => {
    const res = await send('HEAD', pingPath(m.pingUrl, 'snooze')).expect(200);
    expect(res.text ?? '').toBe('');
    expect(reachedExpress).toBe(0);
    expect(await stored()).toBe('2026-12-02T18:00:00.000Z');
  });

  test('a bad ?for= is the same 400 there, changing nothing', async () => {
    const res = await send('GET', `${pingPath(m.pingUrl, 'snooze')}?for=soon`).expect(400);
    expect(res.body).toEqual({ error: 'for must be a whole number of seconds.' });
    expect(reachedExpress).toBe(0);
    expect(await stored()).toBeNull();
  });

  test('an unknown token is 404 there too', async () => {
    expect((await send('GET', `/api/v1/ping/${'B'.repeat(24)}/snooze`).expect(404)).body).toEqual({ error: 'Unknown ping token.' });
  });
});
