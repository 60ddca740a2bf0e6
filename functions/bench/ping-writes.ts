/**
 * What a routine ping writes in SQLite (issue 24: "follow the profiles: per-ping index
 * maintenance, what a group commit writes"). Without HTTP: the real `recordPing` service on a
 * SqliteStore, pings sent in groups of BENCH_WRITES_BATCH at once so that each group shares one
 * group commit, as under the ping bench's 50 connections.
 *   npx tsx bench/ping-writes.ts
 * Prints, for the write statements a ping runs, the b-trees each opens for writing (SQLite's
 * EXPLAIN: https://www.sqlite.org/opcode.html, OpenWrite's P2 is a root page) and its index
 * inserts and deletes; then, per group commit, the WAL frames appended (one frame per page the
 * transaction dirtied: https://www.sqlite.org/walformat.html) and the store's time per ping.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { recordPing } from '../src/services/ping';
import { SqliteStore } from '../src/store/sqlite';
import { makeAccount, makeMonitor } from '../test/support/factories';

const BATCH = Number(process.env.BENCH_WRITES_BATCH ?? 50);
const BATCHES = Number(process.env.BENCH_WRITES_BATCHES ?? 20);
const TIMED_PINGS = Number(process.env.BENCH_WRITES_TIMED ?? 20_000);
const SIZES = (process.env.BENCH_WRITES_MONITORS ?? '50,10000').split(',').map(Number);

/** Every SQL text prepared while `fn` runs (SqliteStore prepares each text once, on first use). */
async function recordingPrepares<T>(fn: () => Promise<T>): Promise<{ value: T; sql: string[] }> {
  const proto = Database.prototype as unknown as { prepare: (sql: string) => unknown };
  const original = proto.prepare;
  const sql: string[] = [];
  proto.prepare = function (this: unknown, text: string) {
    sql.push(text);
    return original.call(this, text);
  };
  try {
    return { value: await fn(), sql };
  } finally {
    proto.prepare = original;
  }
}

interface Plan {
  sql: string;
  writes: string[];
  idxInsert: number;
  idxDelete: number;
  rowWrites: number;
}

/** The b-trees a statement opens for writing, from its EXPLAIN listing. */
function planOf(db: Database.Database, sql: string): Plan {
  const roots = new Map<number, string>();
  for (const r of db.prepare('SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0').all() as Array<{ name: string; rootpage: number }>) roots.set(r.rootpage, r.name);
  // EXPLAIN compiles without running, but better-sqlite3 still wants a value for each `?`.
  const ops = db.prepare(`EXPLAIN ${sql}`).all(...Array.from(sql.match(/\?/g) ?? [], () => null)) as Array<{ opcode: string; p2: number; p3: number }>;
  const writes = ops.filter((o) => o.opcode === 'OpenWrite').map((o) => roots.get(o.p2) ?? `root ${o.p2}`);
  const count = (name: string) => ops.filter((o) => o.opcode === name).length;
  return { sql: sql.replace(/\s+/g, ' ').slice(0, 70), writes, idxInsert: count('IdxInsert'), idxDelete: count('IdxDelete'), rowWrites: count('Insert') };
}

const WAL_HEADER = 32;

/** The page numbers of the WAL frames between two offsets (a frame: 24-byte header, page number first, then the page). */
function walPages(file: string, from: number, to: number, pageSize: number): number[] {
  const fd = fs.openSync(file, 'r');
  try {
    const pages: number[] = [];
    const header = Buffer.alloc(4);
    for (let at = from; at + 24 + pageSize <= to; at += 24 + pageSize) {
      fs.readSync(fd, header, 0, 4, at);
      pages.push(header.readUInt32BE(0));
    }
    return pages;
  } finally {
    fs.closeSync(fd);
  }
}

/** Which table or index each page belongs to (SQLite's dbstat table: https://www.sqlite.org/dbstat.html), counted. */
function pageOwners(db: Database.Database, pages: number[]): Array<[string, number]> {
  const owner = new Map<number, string>();
  for (const r of db.prepare('SELECT name, pageno FROM dbstat').all() as Array<{ name: string; pageno: number }>) owner.set(r.pageno, r.name);
  const counts = new Map<string, number>();
  for (const p of pages) {
    const name = owner.get(p) ?? (p === 1 ? 'header page' : 'free / new');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

async function seed(dbPath: string, monitors: number): Promise<string[]> {
  const store = new SqliteStore(dbPath);
  const account = makeAccount({ plan: 'pro' });
  await store.createAccount(account);
  const tokens: string[] = [];
  for (let i = 0; i < monitors; i++) {
    const m = makeMonitor({ accountId: account.id, name: `job ${i}`, schedule: 86_400 });
    await store.createMonitor(m, null);
    tokens.push(m.pingToken);
  }
  await store.close();
  return tokens;
}

const ping = (store: SqliteStore, token: string) =>
  recordPing({ store, clock: () => new Date(), onDue: undefined }, { token, method: 'GET', source: '127.0.0.1', userAgent: 'curl/8.5.0', body: null });

async function measureSize(monitors: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-bench-writes-'));
  const dbPath = path.join(dir, 'bench.db');
  try {
    const tokens = await seed(dbPath, monitors);
    const walSize = () => (fs.existsSync(`${dbPath}-wal`) ? fs.statSync(`${dbPath}-wal`).size : 0);
    const { value: store, sql } = await recordingPrepares(async () => {
      const s = new SqliteStore(dbPath);
      await ping(s, tokens[0]); // prepares the ping's statements
      return s;
    });
    // Every monitor's first ping flips it from new to up; routine pings are what is measured.
    for (let i = 0; i < tokens.length; i += BATCH) await Promise.all(tokens.slice(i, i + BATCH).map((t) => ping(store, t)));
    const db = new Database(dbPath);
    // An empty WAL, so that its growth is what the measured commits append (until the automatic
    // checkpoint at 1,000 frames makes it start over).
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    const writes = sql.filter((s) => /^\s*(INSERT|UPDATE|DELETE)/i.test(s)).map((s) => planOf(db, s));
    let n = 0;
    const group = () => Promise.all(Array.from({ length: BATCH }, () => ping(store, tokens[monitors <= BATCH ? n++ % monitors : Math.floor(Math.random() * monitors)])));
    const frames: number[] = [];
    let pages: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const before = walSize();
      await group();
      const after = walSize();
      frames.push((after - Math.max(before, WAL_HEADER)) / (pageSize + 24));
      if (after > before && pages.length === 0 && b > 0) pages = walPages(`${dbPath}-wal`, Math.max(before, WAL_HEADER), after, pageSize);
    }
    const owners = pageOwners(db, pages);
    db.close();
    // Timed apart from the WAL sizes (no stat calls), over enough groups for the JIT to settle.
    const groups = Math.max(BATCHES, Math.ceil(TIMED_PINGS / BATCH));
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let b = 0; b < groups; b++) await group();
    const wallUs = Number(process.hrtime.bigint() - started) / 1e3 / (BATCH * groups);
    const used = process.cpuUsage(cpu);
    await store.close();
    printSize(monitors, writes, frames, wallUs, (used.user + used.system) / (BATCH * groups), used.system / (BATCH * groups));
    console.log(`  pages of one group commit, by b-tree: ${owners.map(([name, k]) => `${name} ${k}`).join(', ')}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printSize(monitors: number, writes: Plan[], frames: number[], wallUs: number, cpuUs: number, sysUs: number): void {
  console.log(`\n${monitors} monitors, each pinged once before; group commits of ${BATCH} routine pings (${monitors <= BATCH ? 'round-robin' : 'on random monitors'})`);
  for (const w of writes) {
    console.log(`  ${w.sql}…`);
    console.log(`    opens for writing: ${w.writes.join(', ')}; row inserts ${w.rowWrites}, index inserts ${w.idxInsert}, index deletes ${w.idxDelete} (partial indexes only when their WHERE holds)`);
  }
  // The WAL wraps after an automatic checkpoint (1,000 frames): such a commit shows as ≤ 0 and is left out.
  const counted = frames.filter((f) => f > 0).sort((a, b) => a - b);
  const mean = counted.reduce((a, b) => a + b, 0) / Math.max(counted.length, 1);
  console.log(
    `  WAL frames per group commit: median ${counted[Math.floor(counted.length / 2)] ?? NaN}, mean ${mean.toFixed(1)} (${(mean / BATCH).toFixed(2)} pages per ping), first ${frames[0]}`,
  );
  console.log(`  store time per ping: ${wallUs.toFixed(1)} µs wall, ${cpuUs.toFixed(1)} µs CPU (${sysUs.toFixed(1)} µs of it in the kernel)`);
}

async function main() {
  for (const size of SIZES) await measureSize(size);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
