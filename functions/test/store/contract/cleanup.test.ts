import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transition } from '../../../src/domain/transitions';
import type { Account, Monitor } from '../../../src/domain/types';
import { openFirestoreStore } from '../../../src/store/firestore';
import type { InspectableStore } from '../../../src/store/inspection';
import type { BodyBudget } from '../../../src/store/port';
import { SqliteStore } from '../../../src/store/sqlite';
import { clearProject } from '../../support/emulator';
import { makeAccount, makeMonitor } from '../../support/factories';
import { emulatorProjectId, storeKinds } from '../../support/stores';
import { at, pingData, scenes, signal } from './support';

const keepGoing = () => true;

/**
 * The storage contract for keeping storage bounded: a deleted monitor or account is gone at
 * once and its rows follow in the background (or through `finishDeletions`), and an account's
 * ping bodies stay within its budget, the oldest dropped first.
 */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { withMonitor } = scenes(() => store);

  /** `count` pings a second apart from t0, then a missed deadline: pings, two flips (up, then down) and the down alert. */
  async function withHistory(m: Monitor, count: number): Promise<void> {
    for (let s = 0; s < count; s++) await store.recordPing(m.pingToken, pingData(at(s), { body: `run ${s}` }), (mon) => transition(mon, 'ping', at(s)));
    const due = at(count + m.schedule + m.grace);
    await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
  }

  async function history(m: Monitor) {
    return { pings: (await store.listPings(m.id, 1000)).length, flips: (await store.listFlips(m.id)).length, alerts: (await store.listNotifications(m.id)).length };
  }

  describe('deleting', () => {
    test('a deleted monitor is gone at once; its pings and flips follow, and its account’s other monitors keep theirs', async () => {
      const m = await withMonitor();
      const sibling = makeMonitor({ accountId: m.accountId });
      await store.createMonitor(sibling, null);
      await withHistory(m, 30);
      await withHistory(sibling, 3);

      expect(await store.deleteMonitor(m.id)).toBe(true);
      expect(await store.getMonitor(m.id)).toBeNull();
      expect((await store.listMonitors(m.accountId)).map((x) => x.id)).toEqual([sibling.id]);
      expect(await store.recordPing(m.pingToken, pingData(at(99)), (mon) => transition(mon, 'ping', at(99)))).toBeNull();

      await store.deletionsSettled();
      // A monitor's alerts stay until its account goes: they are recorded as not sent.
      expect(await history(m)).toEqual({ pings: 0, flips: 0, alerts: 1 });
      expect(await history(sibling)).toEqual({ pings: 3, flips: 2, alerts: 1 });
    });

    test('a deleted account is gone at once, with its key and monitors; their history and alerts follow', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const monitors = [makeMonitor({ accountId: account.id }), makeMonitor({ accountId: account.id })];
      for (const m of monitors) {
        await store.createMonitor(m, null);
        await withHistory(m, 12);
      }
      const other = await withMonitor();
      await withHistory(other, 2);

      expect(await store.deleteAccount(account.id)).toBe(true);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toBeNull();
      for (const m of monitors) {
        expect(await store.getMonitor(m.id)).toBeNull();
        expect(await store.recordPing(m.pingToken, pingData(at(99)), (mon) => transition(mon, 'ping', at(99)))).toBeNull();
      }

      await store.deletionsSettled();
      for (const m of monitors) expect(await history(m)).toEqual({ pings: 0, flips: 0, alerts: 0 });
      expect(await history(other)).toEqual({ pings: 2, flips: 2, alerts: 1 });
    });

    test('finishDeletions removes everything a deletion left, whatever the background removal has done yet', async () => {
      const m = await withMonitor();
      await withHistory(m, 40);
      expect(await store.deleteMonitor(m.id)).toBe(true);

      await store.finishDeletions(keepGoing);
      expect(await history(m)).toEqual({ pings: 0, flips: 0, alerts: 1 });
      expect(await store.finishDeletions(keepGoing)).toBe(0);
    });

    test('finishDeletions stops when told to, and a later call carries on', async () => {
      const m = await withMonitor();
      await withHistory(m, 5);
      await store.deletionsSettled();
      expect(await store.finishDeletions(keepGoing)).toBe(0);
      expect(await store.deleteMonitor(m.id)).toBe(true);
      await store.finishDeletions(() => false);
      await store.finishDeletions(keepGoing);
      expect(await history(m)).toEqual({ pings: 0, flips: 0, alerts: 1 });
    });
  });

  describe('ping body budget', () => {
    /** An account on `plan` with two monitors whose ten pings (100-byte bodies, a second apart) alternate between them. */
    async function accountWithBodies(plan: Account['plan']) {
      const account = makeAccount({ plan });
      await store.createAccount(account);
      const monitors = [makeMonitor({ accountId: account.id }), makeMonitor({ accountId: account.id })];
      for (const m of monitors) await store.createMonitor(m, null);
      for (let s = 0; s < 10; s++) {
        const m = monitors[s % 2];
        await store.recordPing(m.pingToken, pingData(at(s), { method: 'POST', body: `${s}`.padEnd(100, '.') }), (mon) => transition(mon, 'ping', at(s)));
      }
      return { account, monitors };
    }

    /** Which of the account's pings (by second after t0) still have their body, and which were marked truncated. */
    async function bodies(monitors: Monitor[]) {
      const pings = (await Promise.all(monitors.map((m) => store.listPings(m.id, 100)))).flat();
      const second = (d: Date) => (d.getTime() - at(0).getTime()) / 1000;
      return {
        kept: pings.filter((p) => p.body !== null).map((p) => second(p.at)).sort((a, b) => a - b),
        truncated: pings.filter((p) => p.bodyTruncated).map((p) => second(p.at)).sort((a, b) => a - b),
        count: pings.length,
      };
    }

    const budget = (free: number, pro: number, checkEvery = 100): BodyBudget => ({ bytes: { free, pro }, checkEvery });

    test('an account over its plan’s budget loses its oldest bodies first, across its monitors; the pings stay', async () => {
      const { monitors } = await accountWithBodies('pro');
      const free = await accountWithBodies('free');

      // 1,000 bytes against a Pro budget of 450: the six oldest bodies go, whichever monitor holds
      // them. The Free account's 1,000 bytes are within its budget of 2,000.
      expect(await store.trimPingBodies(budget(2000, 450), keepGoing)).toBe(6);
      expect(await bodies(monitors)).toEqual({ kept: [6, 7, 8, 9], truncated: [0, 1, 2, 3, 4, 5], count: 10 });
      expect((await bodies(free.monitors)).kept).toHaveLength(10);
      expect((await store.listPings(monitors[0].id, 1))[0]).toMatchObject({ body: `${8}`.padEnd(100, '.'), bodyTruncated: false });
    });

    test('an account within its budget keeps every body', async () => {
      const { monitors } = await accountWithBodies('free');
      expect(await store.trimPingBodies(budget(1000, 0), keepGoing)).toBe(0);
      expect((await bodies(monitors)).kept).toHaveLength(10);
    });

    test('an account is totalled only once a monitor has stored checkEvery bytes since its last total', async () => {
      const { monitors } = await accountWithBodies('free');
      // Each monitor stored 500 bytes: not yet due at 600.
      expect(await store.trimPingBodies(budget(300, 0, 600), keepGoing)).toBe(0);
      expect((await bodies(monitors)).kept).toHaveLength(10);

      expect(await store.trimPingBodies(budget(1000, 0, 500), keepGoing)).toBe(0);
      // Totalled just now and within budget: the same bytes do not make it due again.
      expect(await store.trimPingBodies(budget(300, 0, 500), keepGoing)).toBe(0);

      const [m] = monitors;
      for (let s = 10; s < 15; s++) {
        await store.recordPing(m.pingToken, pingData(at(s), { method: 'POST', body: 'x'.repeat(100) }), (mon) => transition(mon, 'ping', at(s)));
      }
      // 500 new bytes make it due: 1,500 stored against 300, the twelve oldest go.
      expect(await store.trimPingBodies(budget(300, 0, 500), keepGoing)).toBe(12);
      expect((await bodies(monitors)).kept).toEqual([12, 13, 14]);
    });

    test('pings without a body never count, and a failure’s long body counts in bytes', async () => {
      const m = await withMonitor();
      await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      await store.recordPing(m.pingToken, pingData(at(1), { kind: 'fail', body: 'é'.repeat(1000) }), (mon) => transition(mon, signal('fail'), at(1)));
      await store.recordPing(m.pingToken, pingData(at(2), { body: 'ok' }), (mon) => transition(mon, 'ping', at(2)));
      // 2,002 bytes (é is two): a budget of 2,001 drops the failure's body and nothing else.
      expect(await store.trimPingBodies(budget(2001, 0, 1), keepGoing)).toBe(1);
      const pings = await store.listPings(m.id, 10);
      expect(pings.map((p) => [p.body, p.bodyTruncated])).toEqual([['ok', false], [null, true], [null, false]]);
    });
  });
});

/** Two handles, one after the other, on one database: a server that stops and starts again. */
interface Restartable {
  open(): InspectableStore;
  dispose(): Promise<void>;
}

function sqliteRestartable(): Restartable {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-cleanup-'));
  return {
    open: () => new SqliteStore(path.join(dir, 'cronpeek.db')),
    async dispose() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function firestoreRestartable(): Restartable {
  const projectId = emulatorProjectId();
  return {
    open: () => openFirestoreStore({ projectId }),
    dispose: () => clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId),
  };
}

const restartables = storeKinds().map(([name]): [string, () => Restartable] => [name, name === 'sqlite' ? sqliteRestartable : firestoreRestartable]);

describe.each(restartables)('deletions across a restart on %s', (name, make) => {
  test('a removal cut short when the store closes is finished by finishDeletions after the restart', async () => {
    const database = make();
    const first = database.open();
    const account = makeAccount();
    await first.createAccount(account);
    const m = makeMonitor({ accountId: account.id });
    await first.createMonitor(m, null);
    for (let s = 0; s < 30; s++) await first.recordPing(m.pingToken, pingData(at(s)), (mon) => transition(mon, 'ping', at(s)));

    expect(await first.deleteMonitor(m.id)).toBe(true);
    await first.close();

    const second = database.open();
    try {
      expect(await second.getMonitor(m.id)).toBeNull();
      // SQLite's removal waits a turn of the event loop before its first batch, so nothing was removed yet.
      if (name === 'sqlite') expect(await second.listPings(m.id, 100)).toHaveLength(30);
      await second.finishDeletions(keepGoing);
      expect(await second.listPings(m.id, 100)).toEqual([]);
      expect(await second.finishDeletions(keepGoing)).toBe(0);
    } finally {
      await second.close();
      await database.dispose();
    }
  });
});
