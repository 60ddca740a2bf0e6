import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCheck, sweepDueMonitors } from '../../src/services/checker';
import { openFirestoreStore, type FirestoreStore } from '../../src/store/firestore';
import { NOTIFICATIONS } from '../../src/store/firestore/layout';
import { UNREADABLE_RETRY_MS } from '../../src/domain/delivery';
import type { InspectableStore } from '../../src/store/inspection';
import { SqliteStore } from '../../src/store/sqlite';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { clearProject } from '../support/emulator';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun } from '../support/stores';
import { alertDeps, dueWebhookMonitors, notificationOf } from './support/world';

/**
 * A notification row the adapter cannot decode (a damaged SQLite row, a Firestore document
 * written by hand) used to fail the whole batch, so no alert at all went out. Now it is set aside
 * with the reason, and the others are delivered. Each adapter is damaged its own way.
 */
type Damage = { store: InspectableStore; damage(id: string): Promise<void>; close(): Promise<void> };

const kinds: Array<[string, () => Damage]> = [
  [
    'sqlite',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-unreadable-'));
      const file = path.join(dir, 'cronpeek.db');
      const store = new SqliteStore(file);
      return {
        store,
        async damage(id) {
          const raw = new Database(file);
          raw.prepare('UPDATE notifications SET snapshot = ? WHERE id = ?').run('{not json', id);
          raw.close();
        },
        async close() {
          await store.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];
const missing = firestoreMissing();
if (missing !== null) markFirestoreNotRun(missing);
else {
  kinds.push([
    'firestore',
    () => {
      const projectId = emulatorProjectId();
      const store: FirestoreStore = openFirestoreStore({ projectId });
      return {
        store,
        async damage(id) {
          await store.db.collection(NOTIFICATIONS).doc(id).update({ createdAt: 'not a timestamp' });
        },
        async close() {
          await store.close();
          await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
        },
      };
    },
  ]);
}

describe.each(kinds)('an unreadable notification on %s', (_name, make) => {
  let made: Damage;
  let target: FakeHttp;
  beforeEach(async () => {
    made = make();
    target = await startFakeHttp();
  });
  afterEach(async () => {
    await target.close();
    await made.close();
  });

  test('is set aside with the reason, and the other alerts are delivered', async () => {
    const deps = alertDeps(made.store);
    const monitors = await dueWebhookMonitors(deps, 3, target.origin);
    expect((await sweepDueMonitors(deps, deps.clock())).flipped).toBe(3);
    const bad = await notificationOf(made.store, monitors[1], 'webhook');
    await made.damage(bad.id);

    const report = await runCheck(deps, { budgetMs: 10_000 });

    expect(report.delivery).toMatchObject({ attempted: 5, delivered: 2, logged: 3 });
    expect(target.requests.map((r) => r.path).sort()).toEqual(['/hook/0', '/hook/2']);
    expect(await made.store.findDueNotifications(new Date(deps.clock().getTime() + UNREADABLE_RETRY_MS - 1), 10)).toEqual([]);
  });
});
