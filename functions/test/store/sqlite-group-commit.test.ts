import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { transition } from '../../src/domain/transitions';
import type { Monitor } from '../../src/domain/types';
import type { PingData } from '../../src/store/port';
import { SqliteStore, type GroupCommitOptions } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';

const at = new Date('2026-03-28T12:00:00.000Z');
const ping = (userAgent = 'curl/8'): PingData => ({
  at,
  method: 'GET',
  kind: 'success',
  exitCode: null,
  rid: null,
  source: '203.0.113.9',
  userAgent,
  body: null,
  bodyTruncated: false,
});

/**
 * Pings (and monitor transitions) that arrive in one turn of the event loop, or on the turns
 * that follow while more keep arriving, are written in one transaction. These tests issue them
 * in one turn (or in consecutive ones), so they share a batch, and watch the file through a
 * second connection, which sees only what has been committed.
 */
describe('SQLite group commit', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  let observer: Database.Database;
  let monitors: Monitor[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-group-'));
    file = path.join(dir, 'cronpeek.db');
    store = new SqliteStore(file);
    const account = makeAccount();
    await store.createAccount(account);
    monitors = Array.from({ length: 10 }, () => makeMonitor({ accountId: account.id }));
    for (const m of monitors) await store.createMonitor(m, null);
    observer = new Database(file, { readonly: true });
  });
  afterEach(async () => {
    observer.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const committedPings = () => Number((observer.prepare('SELECT COUNT(*) AS n FROM pings').get() as { n: number }).n);
  const record = (m: Monitor, data = ping()) => store.recordPing(m.pingToken, data, (x) => transition(x, 'ping', data.at));

  test('concurrent pings are all stored, and each settles only once its row is committed', async () => {
    const seenAtSettle: number[] = [];
    const n = 50;
    const all = Array.from({ length: n }, (_, i) =>
      record(monitors[i % monitors.length]).then((applied) => {
        seenAtSettle.push(committedPings());
        return applied;
      }),
    );
    // Nothing is committed while the pings are still waiting for their batch.
    expect(committedPings()).toBe(0);
    const applied = await Promise.all(all);
    expect(applied.every((a) => a !== null)).toBe(true);
    expect(committedPings()).toBe(n);
    // Every ping, from the first to settle, was already visible to another connection.
    expect(seenAtSettle).toEqual(Array(n).fill(n));
    // Five pings per monitor, applied one after another inside the batch.
    for (const m of monitors) expect((await store.getMonitor(m.id))!.pingCount).toBe(5);
  });

  test('a batch whose commit fails fails every ping in it and stores none of them', async () => {
    // A deferred foreign key is checked only at COMMIT: the ping with this user agent makes the
    // whole transaction fail there, after every statement in it has succeeded.
    const db = new Database(file);
    db.exec(`
      CREATE TABLE commit_guard (ref INTEGER REFERENCES pings(seq) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER fail_commit AFTER INSERT ON pings WHEN NEW.user_agent = 'fail-the-commit'
      BEGIN INSERT INTO commit_guard (ref) VALUES (-1); END;`);
    db.close();
    const batch = [record(monitors[0]), record(monitors[1], ping('fail-the-commit')), record(monitors[2])];
    const settled = await Promise.allSettled(batch);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committedPings()).toBe(0);
    for (const m of monitors.slice(0, 3)) expect((await store.getMonitor(m.id))!.pingCount).toBe(0);
    // The next batch is a transaction of its own and goes through.
    expect(await record(monitors[0])).not.toBeNull();
    expect(committedPings()).toBe(1);
  });

  test('a ping that fails inside a batch fails alone; the others in the batch are stored', async () => {
    const db = new Database(file);
    db.exec(`CREATE TRIGGER refuse_one BEFORE INSERT ON pings WHEN NEW.user_agent = 'refuse-me'
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;`);
    db.close();
    const settled = await Promise.allSettled([record(monitors[0]), record(monitors[1], ping('refuse-me')), record(monitors[2])]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedPings()).toBe(2);
    // The failed ping's savepoint was rolled back whole: its monitor row is untouched too.
    expect((await store.getMonitor(monitors[1].id))!.pingCount).toBe(0);
    expect((await store.getMonitor(monitors[0].id))!.pingCount).toBe(1);
  });

  test('an unknown token in a batch is answered null without disturbing the others', async () => {
    const [known, unknown] = await Promise.all([
      record(monitors[0]),
      store.recordPing('x'.repeat(24), ping(), (x) => transition(x, 'ping', at)),
    ]);
    expect(known).not.toBeNull();
    expect(unknown).toBeNull();
    expect(committedPings()).toBe(1);
  });

  /** Reopens the store with other group-commit bounds (the file and its monitors stay). */
  const reopen = async (options: GroupCommitOptions) => {
    await store.close();
    store = new SqliteStore(file, options);
  };
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** `perTurn` pings on each of `turns` consecutive turns of the event loop; for each, how many pings were committed when it settled. */
  const pingOverTurns = async (turns: number, perTurn: number): Promise<number[]> => {
    const seenAtSettle: number[] = [];
    const all: Array<Promise<unknown>> = [];
    for (let turn = 0; turn < turns; turn++) {
      for (let i = 0; i < perTurn; i++) all.push(record(monitors[i % monitors.length]).then(() => seenAtSettle.push(committedPings())));
      await nextTurn();
    }
    await Promise.all(all);
    return seenAtSettle;
  };

  test('writes that keep arriving on the following turns join the waiting batch', async () => {
    await reopen({ maxWaitMs: 60_000 });
    // Requests under load arrive over several turns: they share one commit, not one each.
    expect(await pingOverTurns(3, 10)).toEqual(Array(30).fill(30));
  });

  test('a lone write commits on the next quiet turn, without waiting for the time bound', async () => {
    await reopen({ maxWaitMs: 60_000 });
    const started = Date.now();
    expect(await record(monitors[0])).not.toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(committedPings()).toBe(1);
  });

  test('a batch commits once it holds maxWrites, even while more keep arriving', async () => {
    await reopen({ maxWaitMs: 60_000, maxWrites: 15 });
    // The first two turns' 20 pings reach the bound and commit; the third turn's 10 form the next batch.
    expect(await pingOverTurns(3, 10)).toEqual([...Array(20).fill(20), ...Array(10).fill(30)]);
  });

  test('a batch commits after maxWaitMs, even while more keep arriving', async () => {
    await reopen({ maxWaitMs: 5 });
    const seenAtSettle: number[] = [];
    const all: Array<Promise<unknown>> = [];
    const until = Date.now() + 100;
    while (Date.now() < until) {
      all.push(record(monitors[0]).then(() => seenAtSettle.push(committedPings())));
      await nextTurn();
    }
    await Promise.all(all);
    // A ping on every turn for 100 ms: the first ones were answered long before the last arrived.
    expect(seenAtSettle[0]).toBeLessThan(all.length);
    expect(committedPings()).toBe(all.length);
  });

  test('transitions from a sweep share batches with pings and keep their compare-and-set', async () => {
    await Promise.all(monitors.map((m) => record(m)));
    const later = new Date(at.getTime() + 10 * 86_400_000);
    // Two overlapping sweeps over the same due monitors, in the same turns: each flips once.
    const flips = await Promise.all(
      [...monitors, ...monitors].map((m) => store.updateMonitor(m.id, (x) => transition(x, 'deadline', later))),
    );
    expect(flips.filter((a) => a?.transition?.flip).length).toBe(monitors.length);
    for (const m of monitors) expect((await store.getMonitor(m.id))!.status).toBe('down');
  });
});
