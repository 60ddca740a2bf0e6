import { transition } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import { silentLogger } from '../../src/log';
import { runCheck, sweepDueMonitors } from '../../src/services/checker';
import { openFirestoreStore, type FirestoreStore } from '../../src/store/firestore';
import type { PingData, Store } from '../../src/store/port';
import { clearProject } from '../support/emulator';
import { makeAccount, makeMonitor } from '../support/factories';
import { testDeps } from '../support/deps';
import { FakeClock } from '../support/clock';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun } from '../support/stores';
import { openMeteredStore, type UsageMeter } from './support/usage';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const pingData = (when: Date): PingData => ({ at: when, method: 'GET', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body: null });
const ping = (store: Store, m: Monitor, seconds: number) =>
  store.recordPing(m.pingToken, pingData(at(seconds)), (mon) => transition(mon, 'ping', at(seconds)));

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const missing = firestoreMissing();
if (missing !== null) markFirestoreNotRun(missing);

/** What only the Firestore adapter has: its cost per operation, its fast path and its races between instances. */
(missing === null ? describe : describe.skip)('Firestore adapter', () => {
  let projectId: string;
  let store: FirestoreStore;
  let meter: UsageMeter;
  const instances: Store[] = [];

  beforeEach(() => {
    projectId = emulatorProjectId();
    ({ store, meter } = openMeteredStore(projectId));
  });
  afterEach(async () => {
    await Promise.all([store, ...instances.splice(0)].map((s) => s.close()));
    await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
  });

  /** A second client on the same project: another Cloud Functions instance. */
  function anotherInstance(): Store {
    const other = openFirestoreStore({ projectId });
    instances.push(other);
    return other;
  }

  /** An `up` monitor pinged at t0, due at t0 + 3960 s. */
  async function upMonitor(overrides: Partial<Monitor> = {}): Promise<Monitor> {
    const account = makeAccount();
    await store.createAccount(account);
    const m = makeMonitor({ accountId: account.id, status: 'up', lastPingAt: t0, pingCount: 1, alertAt: at(3960), ...overrides });
    await store.createMonitor(m, null);
    meter.take();
    return m;
  }

  describe('cost', () => {
    test('a routine ping is one read and two writes, with no transaction', async () => {
      const m = await upMonitor();
      await ping(store, m, 60);
      expect(meter.take()).toEqual({ reads: 1, writes: 2, deletes: 0, transactions: 0, rpcs: ['RunQuery', 'Commit'] });
      expect((await store.getMonitor(m.id))!).toMatchObject({ pingCount: 2, lastPingAt: at(60), alertAt: at(60 + 3960) });
    });

    test('a ping that recovers a down monitor is decided in a transaction with its flip and alert', async () => {
      const m = await upMonitor({ status: 'down', alertAt: null });
      const applied = await ping(store, m, 60);
      expect(applied!.transition!.flip).toMatchObject({ from: 'down', to: 'up' });
      // The token query, the transaction's read; the ping, the monitor, the flip, the e-mail alert.
      expect(meter.take()).toMatchObject({ reads: 2, writes: 4, transactions: 1 });
    });

    test('a ping within the safety margin of its deadline goes through the transaction', async () => {
      const m = await upMonitor();
      await ping(store, m, 3960 - 10);
      expect(meter.take()).toMatchObject({ reads: 2, writes: 2, transactions: 1 });
      expect(await store.listFlips(m.id)).toEqual([]);
    });

    test('a start, the success that ends its run, and a success with no start are each one read and two writes', async () => {
      const m = await upMonitor();
      const signal = (kind: 'start' | 'success', seconds: number, rid: string | null) =>
        store.recordPing(
          m.pingToken,
          { ...pingData(at(seconds)), kind, rid },
          (mon) => transition(mon, { kind, exitCode: null, rid, output: null }, at(seconds)),
        );
      const routine = { reads: 1, writes: 2, deletes: 0, transactions: 0, rpcs: ['RunQuery', 'Commit'] };
      await signal('start', 60, 'r1');
      expect(meter.take()).toEqual(routine);
      await signal('success', 90, 'r1');
      expect(meter.take()).toEqual(routine);
      await ping(store, m, 120);
      expect(meter.take()).toEqual(routine);
      expect((await store.getMonitor(m.id))!).toMatchObject({ status: 'up', lastDuration: 30_000, openRuns: [], pingCount: 4 });
    });

    test('an idle sweep reads nothing but its query', async () => {
      await upMonitor();
      expect(await sweepDueMonitors({ store, log: silentLogger }, at(60))).toEqual({ due: 0, flipped: 0, failed: 0 });
      expect(meter.take()).toEqual({ reads: 1, writes: 0, deletes: 0, transactions: 0, rpcs: ['RunQuery'] });
    });

    test('an idle checker run is one empty query each for monitors, alerts, expired pings, unfinished deletions and accounts due for a body total', async () => {
      await upMonitor();
      const deps = testDeps(store, { clock: new FakeClock(at(60).toISOString()) });
      await runCheck(deps, { budgetMs: 10_000 });
      expect(meter.take()).toMatchObject({ reads: 5, writes: 0, deletes: 0, rpcs: ['RunQuery', 'RunQuery', 'RunQuery', 'RunQuery', 'RunQuery'] });
    });
  });

  describe('races between instances', () => {
    test('a pause (manualResume) landing between a routine ping’s read and its write is kept; the ping is redone in a transaction', async () => {
      const m = await upMonitor();
      const release = gate();
      const held = meter.holdNextCommit(release.promise);
      const pinging = ping(store, m, 60);
      await held;
      await anotherInstance().updateMonitor(m.id, (mon) => transition(mon, 'pause', at(61), { manualResume: true }));
      release.open();
      const applied = await pinging;

      expect(applied!.monitor).toMatchObject({ status: 'paused', alertAt: null, pingCount: 2 });
      expect((await store.getMonitor(m.id))!).toMatchObject({ status: 'paused', alertAt: null, pingCount: 2, lastPingAt: at(60) });
      expect((await store.listFlips(m.id)).map((f) => `${f.from}>${f.to}`)).toEqual(['up>paused']);
      expect(await store.listPings(m.id, 10)).toHaveLength(1);
    });

    test('a sweep by another instance during a stalled routine ping wins, and the ping then recovers the monitor', async () => {
      const m = await upMonitor();
      const release = gate();
      const held = meter.holdNextCommit(release.promise);
      const pinging = ping(store, m, 60);
      await held;
      expect(await sweepDueMonitors({ store: anotherInstance(), log: silentLogger }, at(4000))).toEqual({ due: 1, flipped: 1, failed: 0 });
      release.open();
      await pinging;

      expect((await store.getMonitor(m.id))!).toMatchObject({ status: 'up', pingCount: 2 });
      expect((await store.listFlips(m.id)).map((f) => `${f.from}>${f.to}`).sort()).toEqual(['down>up', 'up>down']);
      expect((await store.listNotifications(m.id)).map((n) => n.event).sort()).toEqual(['monitor.down', 'monitor.up']);
    });

    test('two instances sweeping at once flip a due monitor once', async () => {
      const m = await upMonitor();
      const other = anotherInstance();
      const passes = await Promise.all([sweepDueMonitors({ store, log: silentLogger }, at(4000)), sweepDueMonitors({ store: other, log: silentLogger }, at(4000))]);
      expect(passes[0].flipped + passes[1].flipped).toBe(1);
      expect((await store.listFlips(m.id)).map((f) => `${f.from}>${f.to}`)).toEqual(['up>down']);
      expect(await store.listNotifications(m.id)).toHaveLength(1);
    });

    test('40 concurrent pings to an up monitor are all counted', async () => {
      const m = await upMonitor();
      await Promise.all(Array.from({ length: 40 }, (_, i) => ping(store, m, 60 + i)));
      expect((await store.getMonitor(m.id))!.pingCount).toBe(41);
      expect(await store.listPings(m.id, 100)).toHaveLength(40);
    });

    test('pings arriving at two instances at once are all counted', async () => {
      const m = await upMonitor();
      const other = anotherInstance();
      await Promise.all(Array.from({ length: 12 }, (_, i) => ping(i % 2 === 0 ? store : other, m, 60 + i)));
      expect((await store.getMonitor(m.id))!.pingCount).toBe(13);
      expect(await store.listPings(m.id, 100)).toHaveLength(12);
    });
  });

  describe('layout', () => {
    test('deleting a monitor removes its flips along with its pings', async () => {
      const m = await upMonitor({ status: 'down', alertAt: null });
      await ping(store, m, 60);
      expect(await store.listFlips(m.id)).toHaveLength(1);
      expect(await store.deleteMonitor(m.id)).toBe(true);
      // Both go in the background, after the monitor itself.
      await store.deletionsSettled();
      expect(await store.listFlips(m.id)).toEqual([]);
      expect(await store.listPings(m.id, 10)).toEqual([]);
    });

    test('e-mails that differ only in an escaped character stay distinct accounts', async () => {
      expect(await store.createAccount(makeAccount({ email: 'a/b@example.com' }))).toBe('created');
      expect(await store.createAccount(makeAccount({ email: 'a%2Fb@example.com' }))).toBe('created');
      expect(await store.createAccount(makeAccount({ email: 'a/b@example.com' }))).toBe('email_taken');
    });

    test('flips of the same millisecond keep the order they happened in', async () => {
      const m = await upMonitor({ status: 'down', alertAt: null });
      await ping(store, m, 60);
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(60)));
      expect((await store.listFlips(m.id)).map((f) => `${f.from}>${f.to}`)).toEqual(['down>up', 'up>paused']);
    });
  });

  describe('accounts across instances', () => {
    test('two instances redeeming one recovery token: exactly one succeeds', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.saveRecoveryToken(account.email, 'token-hash', at(3600));
      const stores = [store, anotherInstance(), anotherInstance()];
      const keys = stores.map((_, i) => `new-key-${i}`);
      const results = await Promise.all(stores.map((s, i) => s.redeemRecoveryToken(account.email, 'token-hash', t0, keys[i])));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = keys[results.indexOf(true)];
      expect((await store.findAccountByKeyHash(winner))!.id).toBe(account.id);
      for (const k of [account.apiKeyHash, ...keys.filter((k) => k !== winner)]) expect(await store.findAccountByKeyHash(k)).toBeNull();
    });

    test('two instances rotating one key: exactly one wins and one key document remains', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const stores = [store, anotherInstance(), anotherInstance()];
      const keys = stores.map((_, i) => `rotated-${i}`);
      const results = await Promise.all(stores.map((s, i) => s.replaceApiKey(account.id, account.apiKeyHash, keys[i])));
      expect(results.filter(Boolean)).toHaveLength(1);
      const found = await Promise.all([account.apiKeyHash, ...keys].map((k) => store.findAccountByKeyHash(k)));
      expect(found.filter((a) => a !== null)).toHaveLength(1);
    });
  });
});
