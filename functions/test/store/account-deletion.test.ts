import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore, type CollectionReference, type Firestore } from 'firebase-admin/firestore';
import { transition } from '../../src/domain/transitions';
import type { Account, AlertChannel, Monitor } from '../../src/domain/types';
import { newChannelId } from '../../src/services/secrets';
import { openFirestoreStore } from '../../src/store/firestore';
import type { InspectableStore } from '../../src/store/inspection';
import type { PingData } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { clearProject } from '../support/emulator';
import { makeAccount, makeMonitor } from '../support/factories';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun } from '../support/stores';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const pingData = (when: Date): PingData => ({ at: when, method: 'POST', kind: 'success', source: null, userAgent: null, body: 'ok', exitCode: null, rid: null });

/** A store and a way to count, underneath the port, every row or document it holds. */
interface Counted {
  store: InspectableStore;
  /** Rows per table, or documents per collection path pattern (ids replaced by `*`). */
  count(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

async function sqliteCounted(): Promise<Counted> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-delete-'));
  const file = path.join(dir, 'cronpeek.db');
  const store = new SqliteStore(file);
  return {
    store,
    async count() {
      const db = new Database(file, { readonly: true });
      try {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
        return Object.fromEntries(tables.map(({ name }) => [name, (db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n]));
      } finally {
        db.close();
      }
    },
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Walks every collection, including subcollections under documents that no longer exist. */
async function countTree(collections: CollectionReference[], into: Record<string, number>, prefix = ''): Promise<void> {
  for (const collection of collections) {
    const key = `${prefix}${collection.id}`;
    for (const doc of await collection.listDocuments()) {
      if ((await doc.get()).exists) into[key] = (into[key] ?? 0) + 1;
      await countTree(await doc.listCollections(), into, `${key}/*/`);
    }
  }
}

async function firestoreCounted(): Promise<Counted> {
  const projectId = emulatorProjectId();
  const store = openFirestoreStore({ projectId });
  const app = initializeApp({ projectId }, `count-${randomUUID()}`);
  const db: Firestore = getFirestore(app);
  return {
    store,
    async count() {
      const counts: Record<string, number> = {};
      await countTree(await db.listCollections(), counts);
      return counts;
    },
    async close() {
      await store.close();
      await db.terminate();
      await deleteApp(app);
      await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
    },
  };
}

/** An account with everything an account can own: channel objects, monitors attached to them with pings and flips, queued and finished alerts, a test alert. */
async function populated(store: InspectableStore, email: string): Promise<{ account: Account; monitors: Monitor[] }> {
  const account = makeAccount({ email });
  await store.createAccount(account);
  const channel = (name: string): AlertChannel => ({
    id: newChannelId(), accountId: account.id, kind: 'discord', name, config: { url: 'https://discord.com/api/webhooks/1/x' },
    events: ['down', 'up'], isDefault: false, webhookSecret: null, createdAt: at(0),
  });
  const [attached, idle] = [channel('attached'), channel('idle')];
  for (const c of [attached, idle]) await store.createChannel(c, 10);
  const monitors = [
    makeMonitor({ accountId: account.id, alertWebhook: 'https://hooks.example.com/x', webhookSecret: 'whsec_x', channels: [{ id: attached.id, kind: attached.kind, events: attached.events }] }),
    makeMonitor({ accountId: account.id, historyDays: null }),
    makeMonitor({ accountId: account.id }),
  ];
  for (const m of monitors) await store.createMonitor(m, null);
  for (const m of monitors.slice(0, 2)) {
    for (const s of [0, 10, 20]) await store.recordPing(m.pingToken, pingData(at(s)), (mon) => transition(mon, 'ping', at(s)));
    const due = at(20 + m.schedule + m.grace);
    await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
  }
  const [first] = await store.listNotifications(monitors[0].id);
  await store.claimNotification(first.id, at(10 ** 6), at(10 ** 6 + 60));
  await store.recordDelivery(first.id, 1, { state: 'delivered', nextAttemptAt: null, lastError: null, deliveredAt: at(10 ** 6) });
  await store.insertNotification({
    ...first, id: `test_${idle.id}`, flipId: '', monitorId: '', channel: idle.kind, channelId: idle.id, event: 'channel.test', target: idle.id, state: 'failed', lastError: 'HTTP 404',
  });
  // A monitor deleted earlier leaves its alerts behind (they are recorded as not sent); the account's deletion takes them too.
  await store.deleteMonitor(monitors[1].id);
  await store.deletionsSettled();
  return { account, monitors };
}

const kinds: Array<[string, () => Promise<Counted>]> = [['sqlite', sqliteCounted]];
const missing = firestoreMissing();
if (missing === null) kinds.push(['firestore', firestoreCounted]);
else markFirestoreNotRun(missing);

describe.each(kinds)('deleting an account on %s', (_name, open) => {
  let counted: Counted;
  beforeEach(async () => {
    counted = await open();
  });
  afterEach(async () => {
    await counted.close();
  });

  test('leaves not one row or document of it behind, and the other account untouched', async () => {
    await populated(counted.store, 'stays@company.com');
    const before = await counted.count();
    const { account } = await populated(counted.store, 'leaves@company.com');
    await counted.store.saveRecoveryToken('leaves@company.com', 'token-hash', at(3600));
    const during = await counted.count();
    expect(during).not.toEqual(before);

    expect(await counted.store.deleteAccount(account.id)).toBe(true);
    // Its history goes in the background, after the call returns.
    await counted.store.deletionsSettled();
    const after = await counted.count();
    // Empty tables stay as tables; only what rows they hold matters.
    const nonEmpty = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0));
    expect(nonEmpty(after)).toEqual(nonEmpty(before));
  });
});
