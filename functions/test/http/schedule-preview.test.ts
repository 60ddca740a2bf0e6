import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter } from '../../src/limits';
import type { Store } from '../../src/store/port';
import type { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { ApiClient } from '../support/http-client';
import { sqliteKind } from '../support/stores';

// Issue 23: the dashboard's new-monitor form previews a schedule's next runs before the monitor
// exists. The preview reads nothing stored, so one store is enough.
describe('GET /api/v1/schedule/preview', () => {
  let store: Store;
  let app: Express;
  let api: ApiClient;
  let clock: FakeClock;
  let key: string;

  beforeEach(async () => {
    store = await sqliteKind.open();
    const deps = testDeps(store);
    clock = deps.fakeClock;
    app = createApp(deps);
    api = new ApiClient(app);
    key = await api.signup();
  });
  afterEach(async () => {
    await store.close();
  });

  const preview = (query: Record<string, string>, withKey: string | null = key) => {
    const req = request(app).get('/api/v1/schedule/preview').query(query);
    return withKey === null ? req : req.set('x-api-key', withKey);
  };

  test('a cron schedule answers its next three runs in its zone, as UTC instants, with the normalised expression', async () => {
    clock.set('2026-06-01T10:07:00.000Z');
    const res = await preview({ schedule: ' 0  9 * * 1-5 ', tz: 'europe/berlin' }).expect(200);
    expect(res.body).toEqual({
      schedule: '0 9 * * 1-5',
      tz: 'Europe/Berlin',
      period: 86_400,
      // 09:00 in Berlin is 07:00 UTC in summer; 1 June 2026 is a Monday, already past 09:00 there.
      next: ['2026-06-02T07:00:00.000Z', '2026-06-03T07:00:00.000Z', '2026-06-04T07:00:00.000Z'],
    });
  });

  test('a cron schedule without a zone is read in UTC', async () => {
    clock.set('2026-06-01T10:07:00.000Z');
    const res = await preview({ schedule: '*/15 * * * *' }).expect(200);
    expect(res.body.tz).toBe('UTC');
    expect(res.body.next).toEqual(['2026-06-01T10:15:00.000Z', '2026-06-01T10:30:00.000Z', '2026-06-01T10:45:00.000Z']);
  });

  test('across the spring DST change a daily job at a skipped time is expected right after the gap', async () => {
    // 2026-03-29: Berlin skips 02:00–03:00; a job at 02:30 runs at 03:00 CEST (01:00 UTC) that day.
    clock.set('2026-03-28T12:00:00.000Z');
    const res = await preview({ schedule: '30 2 * * *', tz: 'Europe/Berlin' }).expect(200);
    expect(res.body.next).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
  });

  test('a number of seconds answers now plus one, two and three periods, and no zone', async () => {
    clock.set('2026-06-01T10:07:00.000Z');
    const res = await preview({ schedule: '300' }).expect(200);
    expect(res.body).toEqual({ schedule: 300, period: 300, next: ['2026-06-01T10:12:00.000Z', '2026-06-01T10:17:00.000Z', '2026-06-01T10:22:00.000Z'] });
  });

  test('count asks for up to ten runs', async () => {
    expect((await preview({ schedule: '0 * * * *', count: '10' }).expect(200)).body.next).toHaveLength(10);
    expect((await preview({ schedule: '0 * * * *', count: '1' }).expect(200)).body.next).toHaveLength(1);
    for (const count of ['0', '11', 'three', '']) {
      expect((await preview({ schedule: '0 * * * *', count }).expect(400)).body.error).toBe('count must be a whole number from 1 to 10.');
    }
  });

  test.each([
    [{ schedule: 'every day' }, /^schedule is not a valid cron expression/],
    [{ schedule: '0 0 * * * *' }, /^schedule must be a 5-field cron expression/],
    [{ schedule: '0 0 31 2 *' }, /^schedule never fires/],
    [{ schedule: '0 3 * * *', tz: 'Mars/Olympus' }, /^tz must be an IANA time zone name/],
    [{ schedule: '0 3 * * *', tz: '+01:00' }, /^tz must be an IANA time zone name/],
    [{ schedule: '30' }, /^schedule must be from 60 to 31536000 seconds\.$/],
    [{ schedule: '300', tz: 'UTC' }, /^tz applies to cron schedules only/],
    [{}, /^schedule is required\.$/],
  ])('%j is a 400 that says what is wrong', async (query, message) => {
    const res = await preview(query as Record<string, string>).expect(400);
    expect(res.body.error).toMatch(message);
  });

  test('a repeated parameter is a 400, not a guess', async () => {
    const res = await request(app).get('/api/v1/schedule/preview?schedule=0+*+*+*+*&schedule=300').set('x-api-key', key).expect(400);
    expect(res.body.error).toMatch(/^schedule must be a number of seconds or a 5-field cron expression, given once/);
  });

  test('it needs no key, and a key given is not checked', async () => {
    expect((await preview({ schedule: '0 * * * *' }, null).expect(200)).body.next).toHaveLength(3);
    await preview({ schedule: '0 * * * *' }, 'ck_not_a_key').expect(200);
  });

  test('an address past its allowance gets a 429 with Retry-After; another address is still answered', async () => {
    const limited = createApp(testDeps(store, { limiter: new MemoryRateLimiter({ schedulePreview: { limit: 2, windowSeconds: 60 } }) }), { trustProxy: true });
    const from = (address: string) => request(limited).get('/api/v1/schedule/preview').query({ schedule: '300' }).set('x-forwarded-for', address);
    await from('198.51.100.7').expect(200);
    await from('198.51.100.7').expect(200);
    const refused = await from('198.51.100.7').expect(429);
    expect(refused.body.error).toMatch(/^Too many schedule previews from this address\. Try again in \d+ s\.$/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await from('198.51.100.8').expect(200);
  });

  test('runs are counted from the moment of asking: an hour later the first run is the one that was second', async () => {
    const a = await preview({ schedule: '0 * * * *' }).expect(200);
    clock.advance(3600);
    expect((await preview({ schedule: '0 * * * *' }).expect(200)).body.next[0]).toBe(a.body.next[1]);
  });
});
