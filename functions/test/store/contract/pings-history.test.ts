import { flipId, transition, type Signal } from '../../../src/domain/transitions';
import type { InspectableStore } from '../../../src/store/inspection';
import type { Page, PageKey } from '../../../src/store/port';
import { storeKinds } from '../../support/stores';
import { allPages, at, pingData, scenes, signal } from './support';

/** The storage contract for pings and history: pings and signals as recorded, their expiry, flips, and the paged histories. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { withMonitor, upMonitor, send } = scenes(() => store);

  describe('pings', () => {
    test('an unknown token records nothing', async () => {
      expect(await store.recordPing('unknown-token-000000000', pingData(at(0)), (m) => transition(m, 'ping', at(0)))).toBeNull();
    });

    test('a ping is stored with its details and an expiry from the history window', async () => {
      const m = await withMonitor({ historyDays: 7 });
      await store.recordPing(m.pingToken, pingData(at(5), { method: 'POST', body: 'rows=42', bodyTruncated: true }), (mon) => transition(mon, 'ping', at(5)));
      expect(await store.listPings(m.id, 10)).toEqual([
        {
          monitorId: m.id,
          at: at(5),
          method: 'POST',
          kind: 'success',
          exitCode: null,
          rid: null,
          duration: null,
          source: '203.0.113.9',
          userAgent: 'curl/8',
          body: 'rows=42',
          bodyTruncated: true,
          expiresAt: at(5 + 7 * 86_400),
        },
      ]);
    });

    test('pings of a monitor with unlimited history never expire', async () => {
      const m = await withMonitor({ historyDays: null });
      await store.recordPing(m.pingToken, pingData(at(5)), (mon) => transition(mon, 'ping', at(5)));
      expect((await store.listPings(m.id, 1))[0].expiresAt).toBeNull();
    });

    test('the first ping turns the monitor up, sets its deadline and records the flip', async () => {
      const m = await withMonitor();
      const applied = await store.recordPing(m.pingToken, pingData(at(5)), (mon) => transition(mon, 'ping', at(5)));
      expect(applied!.monitor).toMatchObject({ status: 'up', pingCount: 1, lastPingAt: at(5), alertAt: at(5 + m.schedule + m.grace) });
      expect(await store.getMonitor(m.id)).toEqual(applied!.monitor);
      expect(applied!.monitor.flipCount).toBe(1);
      expect(await store.listFlips(m.id)).toEqual([{ id: flipId(m.id, at(5), 'up', 1), monitorId: m.id, from: 'new', to: 'up', at: at(5), reason: 'ping' }]);
      expect(await store.listNotifications(m.id)).toEqual([]);
    });

    test('pings are listed newest first', async () => {
      const m = await withMonitor();
      for (const s of [1, 3, 2]) await store.recordPing(m.pingToken, pingData(at(s)), (mon) => transition(mon, 'ping', at(s)));
      expect((await store.listPings(m.id, 2)).map((p) => p.at)).toEqual([at(3), at(2)]);
    });

    test('expired pings are purged and the others kept', async () => {
      const m = await withMonitor({ historyDays: 1 });
      await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      await store.recordPing(m.pingToken, pingData(at(3600)), (mon) => transition(mon, 'ping', at(3600)));
      expect(await store.purgeExpiredPings(at(86_400 + 60), 100)).toBe(1);
      expect((await store.listPings(m.id, 10)).map((p) => p.at)).toEqual([at(3600)]);
    });
  });

  describe('cron monitors and signals', () => {
    test('a cron monitor reads back with its expression and zone', async () => {
      const m = await withMonitor({ schedule: 86_400, cron: '30 2 * * *', tz: 'Europe/Berlin', grace: 8_640 });
      expect(await store.getMonitor(m.id)).toEqual(m);
    });

    test('a cron monitor’s deadline is its next cron time plus grace', async () => {
      const m = await withMonitor({ schedule: 86_400, cron: '30 2 * * *', tz: 'Europe/Berlin', grace: 600 });
      // 28 March 2026 01:30 UTC is 02:30 CET; the next 02:30 falls into the skipped hour: 03:00 CEST.
      const pinged = new Date('2026-03-28T01:30:20.000Z');
      const applied = await store.recordPing(m.pingToken, pingData(pinged), (mon) => transition(mon, 'ping', pinged));
      expect(applied!.monitor.alertAt).toEqual(new Date('2026-03-29T01:10:00.000Z'));
      expect((await store.getMonitor(m.id))!.alertAt).toEqual(new Date('2026-03-29T01:10:00.000Z'));
    });

    test('a start is stored as an open run with its start time, and arms start + grace', async () => {
      const m = await upMonitor();
      await send(m, signal('start', 'run-1'), at(100));
      const stored = (await store.getMonitor(m.id))!;
      expect(stored).toMatchObject({ status: 'up', lastStartAt: at(100), alertAt: at(100 + m.grace), openRuns: [{ rid: 'run-1', at: at(100) }] });
      expect(await store.listFlips(m.id)).toHaveLength(1);
    });

    test('the end of a run stores its duration on the ping and the monitor, and closes the run', async () => {
      const m = await upMonitor();
      await send(m, signal('start', 'r'), at(100));
      const end = new Date(at(100).getTime() + 12_345);
      await send(m, signal('success', 'r', 0), end);
      expect((await store.getMonitor(m.id))!).toMatchObject({ lastDuration: 12_345, openRuns: [] });
      const [last, first] = await store.listPings(m.id, 2);
      expect(last).toMatchObject({ kind: 'success', exitCode: 0, rid: 'r', duration: 12_345 });
      expect(first).toMatchObject({ kind: 'start', exitCode: null, rid: 'r', duration: null });
    });

    test('a failure flips down with its reason and puts the output tail in the alert', async () => {
      const m = await upMonitor({ alertWebhook: 'https://hooks.example.com/a' });
      const applied = await send(m, signal('fail', null, 3, 'error: disk full'), at(50), 'copying...\nerror: disk full\n');
      expect(applied!.monitor.status).toBe('down');
      expect((await store.listFlips(m.id)).map((f) => f.reason)).toEqual(['ping', 'exit code 3']);
      const rows = await store.listNotifications(m.id);
      expect(rows.map((n) => [n.channel, n.event, n.snapshot.reason, n.snapshot.output])).toEqual([
        ['email', 'monitor.down', 'exit code 3', 'error: disk full'],
        ['webhook', 'monitor.down', 'exit code 3', 'error: disk full'],
      ]);
      expect((await store.listPings(m.id, 1))[0]).toMatchObject({ kind: 'fail', exitCode: 3, body: 'copying...\nerror: disk full\n' });
    });

    test('a run that never finished is found due at start + grace and flips with that reason', async () => {
      const m = await upMonitor();
      await send(m, signal('start'), at(100));
      expect(await store.findDueMonitors(at(100 + m.grace - 1), 10)).toEqual([]);
      expect(await store.findDueMonitors(at(100 + m.grace), 10)).toEqual([m.id]);
      const applied = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(100 + m.grace)));
      expect(applied!.transition!.flip).toMatchObject({ to: 'down', reason: 'started but never finished' });
      expect((await store.getMonitor(m.id))!.openRuns).toEqual([]);
    });
  });

  describe('flips within one millisecond', () => {
    test('the same status reached twice in one millisecond gets a flip each, with distinct ids, paged in order', async () => {
      const m = await withMonitor();
      const now = at(7);
      const fail: Signal = { kind: 'fail', exitCode: null, rid: null, output: null };
      await store.recordPing(m.pingToken, pingData(now), (mon) => transition(mon, 'ping', now));
      for (let i = 0; i < 2; i++) {
        await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', now));
        await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', now));
      }
      for (let i = 0; i < 2; i++) {
        await store.recordPing(m.pingToken, pingData(now, { kind: 'fail' }), (mon) => transition(mon, fail, now));
        await store.recordPing(m.pingToken, pingData(now), (mon) => transition(mon, 'ping', now));
      }
      const flips = await store.listFlips(m.id);
      const path = ['new>up', 'up>paused', 'paused>up', 'up>paused', 'paused>up', 'up>down', 'down>up', 'up>down', 'down>up'];
      expect(flips.map((f) => `${f.from}>${f.to}`)).toEqual(path);
      expect(new Set(flips.map((f) => f.id)).size).toBe(path.length);
      expect((await store.getMonitor(m.id))!.flipCount).toBe(path.length);
      const seen: string[] = [];
      let before: PageKey | null = null;
      for (;;) {
        const page: Page<{ id: string; from: string; to: string }> = await store.flipHistory(m.id, { limit: 2, before, since: null });
        seen.push(...page.items.map((f) => `${f.from}>${f.to}`));
        if (page.next === null) break;
        before = page.next;
      }
      expect(seen).toEqual([...path].reverse());
      // Each outage alerts and recovers once: four rows, none lost to a clashing id.
      const rows = await store.listNotifications(m.id);
      expect(rows.map((n) => n.event).sort()).toEqual(['monitor.down', 'monitor.down', 'monitor.up', 'monitor.up']);
      expect(new Set(rows.map((n) => n.id)).size).toBe(4);
    });
  });

  describe('history pages', () => {
    test('pings come newest first, a page at a time, each exactly once', async () => {
      const m = await withMonitor();
      // Two pings share each instant: the sequence keeps them apart.
      for (let i = 0; i < 7; i++) await store.recordPing(m.pingToken, pingData(at(Math.floor(i / 2)), { body: `#${i}` }), (mon) => transition(mon, 'ping', at(Math.floor(i / 2))));
      const pages = await allPages((before) => store.pingHistory(m.id, { limit: 3, before, since: null }));
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat().map((p) => p.body)).toEqual(['#6', '#5', '#4', '#3', '#2', '#1', '#0']);
    });

    test('a last page that is exactly full says so', async () => {
      const m = await withMonitor();
      for (let i = 0; i < 4; i++) await store.recordPing(m.pingToken, pingData(at(i)), (mon) => transition(mon, 'ping', at(i)));
      const first = await store.pingHistory(m.id, { limit: 2, before: null, since: null });
      const second = await store.pingHistory(m.id, { limit: 2, before: first.next, since: null });
      expect(second.items).toHaveLength(2);
      expect(second.next).toBeNull();
    });

    test('since leaves out older pings', async () => {
      const m = await withMonitor();
      for (const s of [0, 10, 20]) await store.recordPing(m.pingToken, pingData(at(s)), (mon) => transition(mon, 'ping', at(s)));
      const page = await store.pingHistory(m.id, { limit: 10, before: null, since: at(10) });
      expect(page.items.map((p) => p.at)).toEqual([at(20), at(10)]);
    });

    test('only the monitor’s own pings', async () => {
      const a = await withMonitor();
      const b = await withMonitor();
      await store.recordPing(a.pingToken, pingData(at(1)), (mon) => transition(mon, 'ping', at(1)));
      await store.recordPing(b.pingToken, pingData(at(2)), (mon) => transition(mon, 'ping', at(2)));
      expect((await store.pingHistory(a.id, { limit: 10, before: null, since: null })).items.map((p) => p.monitorId)).toEqual([a.id]);
    });

    test('flips come newest first, a page at a time', async () => {
      const m = await withMonitor();
      await store.recordPing(m.pingToken, pingData(at(1)), (mon) => transition(mon, 'ping', at(1)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(2)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(2)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(3)));
      const pages = await allPages((before) => store.flipHistory(m.id, { limit: 3, before, since: null }));
      expect(pages.map((p) => p.map((f) => `${f.from}>${f.to}`))).toEqual([['up>paused', 'paused>up', 'up>paused'], ['new>up']]);
    });
  });
});
