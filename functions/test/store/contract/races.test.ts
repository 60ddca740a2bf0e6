import { transition } from '../../../src/domain/transitions';
import type { InspectableStore } from '../../../src/store/inspection';
import { hashApiKey, newApiKey } from '../../../src/services/secrets';
import { makeAccount, makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { allPages, at, pingData, scenes, signal, togetherOn } from './support';

/** The storage contract under races: writes that depend on a read, overlapped, lose nothing and duplicate nothing. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  const together = togetherOn(name);
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { withMonitor, upMonitor, send, pendingNotification } = scenes(() => store);

  describe('accounts', () => {
    test(`${together} signups with one e-mail create exactly one account`, async () => {
      const attempts = Array.from({ length: 8 }, () => makeAccount({ email: 'race@company.com' }));
      const results = await Promise.all(attempts.map((a) => store.createAccount(a)));
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
    });
  });

  describe('key rotation and recovery', () => {
    const hour = 3600;

    test('of concurrent rotations from one key exactly one wins', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const candidates = Array.from({ length: 6 }, () => hashApiKey(newApiKey()));
      const results = await Promise.all(candidates.map((h) => store.replaceApiKey(account.id, account.apiKeyHash, h)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = candidates[results.indexOf(true)];
      const found = await Promise.all(candidates.map((h) => store.findAccountByKeyHash(h)));
      expect(found.map((a) => a?.apiKeyHash ?? null)).toEqual(candidates.map((h) => (h === winner ? winner : null)));
    });

    test('of concurrent redemptions of one token exactly one succeeds', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.saveRecoveryToken(account.email, 'token-hash', at(hour));
      const candidates = Array.from({ length: 6 }, () => hashApiKey(newApiKey()));
      const results = await Promise.all(candidates.map((h) => store.redeemRecoveryToken(account.email, 'token-hash', at(0), h)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = candidates[results.indexOf(true)];
      expect((await store.findAccountByKeyHash(winner))!.id).toBe(account.id);
      for (const h of candidates.filter((c) => c !== winner)) expect(await store.findAccountByKeyHash(h)).toBeNull();
    });
  });

  describe('monitors', () => {
    test(`${together} creates never pass the plan limit`, async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const results = await Promise.all(Array.from({ length: 12 }, () => store.createMonitor(makeMonitor({ accountId: account.id }), 5)));
      expect(results.filter((r) => r === 'created')).toHaveLength(5);
      expect(await store.listMonitors(account.id)).toHaveLength(5);
      expect((await store.findAccountByKeyHash(account.apiKeyHash))!.monitorCount).toBe(5);
    });
  });

  describe('pings', () => {
    test(`${together} pings are all recorded and counted`, async () => {
      const m = await withMonitor();
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.recordPing(m.pingToken, pingData(at(i)), (mon) => transition(mon, 'ping', at(i)))),
      );
      expect((await store.getMonitor(m.id))!.pingCount).toBe(40);
      expect(await store.listPings(m.id, 100)).toHaveLength(40);
      expect((await store.listFlips(m.id)).filter((f) => f.to === 'up')).toHaveLength(1);
    });
  });

  describe('cron monitors and signals', () => {
    test('a sweep racing a start: whichever commits first, the run is not reported missed', async () => {
      const m = await upMonitor();
      const deadline = m.alertAt!;
      const late = new Date(deadline.getTime() + 1_000);
      // The sweep saw the monitor due; a start lands before its transaction re-reads the monitor.
      expect(await store.findDueMonitors(late, 10)).toEqual([m.id]);
      const [started, swept] = await Promise.all([
        send(m, signal('start'), late),
        store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', late)),
      ]);
      const flips = await store.listFlips(m.id);
      if (swept!.transition === null) {
        // The start won: the run has its grace, nothing flipped.
        expect(flips.map((f) => f.reason)).toEqual(['ping']);
        expect((await store.getMonitor(m.id))!).toMatchObject({ status: 'up', alertAt: new Date(late.getTime() + m.grace * 1000) });
      } else {
        // The sweep won: the deadline had passed with no run; the start then leaves it down, unarmed.
        expect(flips.map((f) => f.reason)).toEqual(['ping', 'missed']);
        expect(started!.monitor).toMatchObject({ status: 'down', alertAt: null });
      }
      expect((await store.getMonitor(m.id))!.lastStartAt).toEqual(late);
    });

    test('concurrent starts with different rids all stay open', async () => {
      const m = await upMonitor();
      await Promise.all(Array.from({ length: 8 }, (_, i) => send(m, signal('start', `r${i}`), at(10 + i))));
      const stored = (await store.getMonitor(m.id))!;
      expect(stored.openRuns.map((r) => r.rid).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
      expect(stored.pingCount).toBe(9);
    });
  });

  describe('transitions and the outbox', () => {
    test(`${together} deadline checks flip the monitor once`, async () => {
      const m = await upMonitor();
      const due = m.alertAt!;
      const results = await Promise.all(Array.from({ length: 5 }, () => store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due))));
      expect(results.filter((r) => r?.transition !== null)).toHaveLength(1);
      expect((await store.listFlips(m.id)).map((f) => f.to)).toEqual(['up', 'down']);
      expect(await store.listNotifications(m.id)).toHaveLength(1);
    });
  });

  describe('editing settings', () => {
    test('edits racing pings lose neither the edit nor any ping', async () => {
      const m = await withMonitor();
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => store.recordPing(m.pingToken, pingData(at(i)), (mon) => transition(mon, 'ping', at(i)))),
        ...Array.from({ length: 5 }, (_, i) => store.editMonitor(m.id, () => ({ name: `edit ${i}` }))),
      ]);
      const after = (await store.getMonitor(m.id))!;
      expect(after.pingCount).toBe(20);
      expect(after.name).toMatch(/^edit \d$/);
    });
  });

  describe('history pages', () => {
    test('paging while pings keep arriving returns every earlier ping exactly once', async () => {
      const m = await withMonitor();
      for (let i = 0; i < 30; i++) await store.recordPing(m.pingToken, pingData(at(i), { body: `old ${i}` }), (mon) => transition(mon, 'ping', at(i)));
      let arriving = true;
      let n = 0;
      const writer = (async () => {
        while (arriving) {
          const when = at(100 + n);
          await store.recordPing(m.pingToken, pingData(when, { body: `new ${n++}` }), (mon) => transition(mon, 'ping', when));
          // SQLite answers synchronously: let the reader's timers run between writes.
          await new Promise((r) => setImmediate(r));
        }
      })();
      const pages = await allPages(async (before) => {
        const page = await store.pingHistory(m.id, { limit: 4, before, since: null });
        await new Promise((r) => setTimeout(r, 5));
        return page;
      });
      arriving = false;
      await writer;
      const bodies = pages.flat().map((p) => p.body as string);
      expect(n).toBeGreaterThan(0);
      expect(new Set(bodies).size).toBe(bodies.length);
      expect(bodies.filter((b) => b.startsWith('old'))).toEqual(Array.from({ length: 30 }, (_, i) => `old ${29 - i}`));
    });
  });

  describe('notification delivery', () => {
    test(`only one of several ${together} claims wins`, async () => {
      const { n, due } = await pendingNotification();
      const claims = await Promise.all([1, 2, 3].map(() => store.claimNotification(n.id, due, at(999_999))));
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
    });
  });
});
