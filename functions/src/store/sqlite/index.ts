import Database from 'better-sqlite3';
import { readDueRows, type DeliveryRecord } from '../../domain/delivery';
import type { MaintenanceWindow } from '../../domain/maintenance';
import type { StatusPage } from '../../domain/status-pages';
import type { EmailCaps, PlanId } from '../../domain/plans';
import type { Recipient } from '../../domain/recipients';
import type { MonitorUpdate } from '../../domain/settings';
import { applyChanges, type Transition } from '../../domain/transitions';
import type { Account, AccountDefaults, AlertChannel, AttachedChannel, Flip, Monitor, Notification, Ping, ReadKey } from '../../domain/types';
import type { StoreInspection } from '../inspection';
import {
  bodySize,
  emailCounters,
  type Applied,
  type BodyBudget,
  type Decide,
  type DecidePing,
  type EmailCount,
  type HistoryQuery,
  type Page,
  type PageKey,
  type PingData,
  type Store,
  type ChannelUpdate,
  type NotificationOwner,
  type WindowUpdate,
  type StatusPageUpdate,
  type Session,
} from '../port';
import { CHECKPOINT_DEFAULTS, Checkpointer, type CheckpointerOptions, type CheckpointReport } from './checkpointer';
import { preparePrivateDatabase } from './files';
import {
  ACCOUNT_COLUMNS,
  CHANNEL_COLUMNS,
  EDITABLE_COLUMNS,
  FLIP_COLUMNS,
  MONITOR_COLUMNS,
  NOTIFICATION_COLUMNS,
  PING_COLUMNS,
  READ_KEY_COLUMNS,
  RECIPIENT_COLUMNS,
  SELECT_MONITOR,
  WINDOW_COLUMNS,
  accountValues,
  attachedJson,
  channelValues,
  columnValue,
  flipPageKey,
  flipValues,
  insertSql,
  monitorValues,
  monitorFromValues,
  ms,
  notificationPageKey,
  notificationValues,
  openRunsJson,
  pingPageKey,
  pingValues,
  readKeyValues,
  recentFlipsJson,
  remindersValues,
  recipientValues,
  windowValues,
  toAccount,
  toAttached,
  toChannel,
  toFlip,
  toMonitor,
  toNotification,
  toPing,
  toReadKey,
  toRecipient,
  toWindow,
  type Row,
} from './rows';
import { migrate } from './schema';
import { editedPage, INSERT_STATUS_PAGE, statusPageUpdateValues, statusPageValues, toStatusPage, UPDATE_STATUS_PAGE } from './status-pages';
import { DROP_EXPIRED_SESSIONS, DROP_OLDEST_SESSIONS, INSERT_SESSION, REDEEM_SIGN_IN_TOKEN, SAVE_SIGN_IN_TOKEN, sessionValues, toSession } from './sessions';

const INSERT_ACCOUNT = insertSql('accounts', ACCOUNT_COLUMNS);
const INSERT_MONITOR = insertSql('monitors', MONITOR_COLUMNS);
const INSERT_PING = insertSql('pings', PING_COLUMNS);
const INSERT_FLIP = insertSql('flips', FLIP_COLUMNS);
const INSERT_NOTIFICATION = insertSql('notifications', NOTIFICATION_COLUMNS);
const INSERT_RECIPIENT = insertSql('recipients', RECIPIENT_COLUMNS);
const INSERT_CHANNEL = insertSql('channels', CHANNEL_COLUMNS);
const INSERT_READ_KEY = insertSql('read_keys', READ_KEY_COLUMNS);
const INSERT_WINDOW = insertSql('maintenance_windows', WINDOW_COLUMNS);
/** Every setting of a window: what an edit rewrites. */
const UPDATE_WINDOW = `UPDATE maintenance_windows SET ${WINDOW_COLUMNS.slice(2, -1).map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;
/**
 * The monitors a channel object is attached to: among its account's (monitors_by_account), those
 * whose JSON array of attached channels names it. A channel reaches only its own account's monitors.
 */
const ATTACHED_MONITORS = `SELECT id, channels FROM monitors WHERE account_id = ?
  AND EXISTS (SELECT 1 FROM json_each(monitors.channels) WHERE json_extract(json_each.value, '$.id') = ?)`;
const INSERT_DELETION = 'INSERT INTO deletions (kind, owner_id) VALUES (?, ?)';

/**
 * Rows one removal batch deletes in its transaction: about 10 ms of work on pings with small
 * bodies, 35 ms when each holds 10 KB. The event loop runs between two batches, so requests keep
 * being answered during a big deletion.
 */
const REMOVAL_BATCH = 5_000;
/** What a deleted monitor ('monitor') or account ('account') leaves behind, removed oldest rows first, a batch at a time. */
const LEFTOVERS: Record<string, string[]> = {
  monitor: [
    'DELETE FROM pings WHERE seq IN (SELECT seq FROM pings WHERE monitor_id = ? LIMIT ?)',
    'DELETE FROM flips WHERE rowid IN (SELECT rowid FROM flips WHERE monitor_id = ? LIMIT ?)',
  ],
  account: ['DELETE FROM notifications WHERE rowid IN (SELECT rowid FROM notifications WHERE account_id = ? LIMIT ?)'],
};
/** Bodies one trimming step drops in its transaction, and how many monitors due for a total one call looks at. */
const TRIM_BATCH = 1_000;
const BODY_CHECK_MONITORS = 100;
const OWNED_MONITORS = 'SELECT id FROM monitors WHERE account_id = ?';

/** Resolves on the next turn of the event loop, after the requests and timers waiting for it. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Every column but the id, for replacing a record in place. */
const UPDATE_RECIPIENT = `UPDATE recipients SET ${RECIPIENT_COLUMNS.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE id = ? AND version = ?`;

/** The parameters of "strictly after `key` in newest-first order" (all null for the first page). */
function afterKey(key: PageKey | null): Array<number | null> {
  return key === null ? [null, null, null, null] : [key.at.getTime(), key.at.getTime(), key.at.getTime(), key.seq];
}

/** Rows fetched with one extra: the extra one only says that another page follows. */
function pageOf<T>(rows: Row[], limit: number, map: (r: Row) => T, keyOf: (r: Row) => PageKey): Page<T> {
  const shown = rows.slice(0, limit);
  return { items: shown.map(map), next: rows.length > limit ? keyOf(shown[shown.length - 1]) : null };
}

/**
 * How long a group commit may wait for more writes while they keep arriving (see `grouped`), and
 * after how many it stops waiting: a 2xx waits at most 1 ms more for its commit, and waiting
 * never grows a transaction past about 200 pings' work (10–20 ms on the event loop).
 */
export interface GroupCommitOptions {
  maxWaitMs?: number;
  maxWrites?: number;
}
const GROUP_COMMIT_DEFAULTS: Required<GroupCommitOptions> = { maxWaitMs: 1, maxWrites: 200 };

/**
 * The store's options: its group commit, and who checkpoints the WAL. By default a worker thread
 * does (see `Checkpointer`); `'inline'` keeps SQLite's own checkpoint inside the commit that takes
 * the WAL past 1,000 pages (an in-memory database has no WAL and never starts a worker).
 */
export interface SqliteStoreOptions extends GroupCommitOptions {
  checkpoints?: 'inline' | (CheckpointerOptions & { onReport?: (r: CheckpointReport) => void });
}

interface PendingWrite {
  write: () => unknown;
  /** The monitor an `updateMonitor` write decides on: the batch reads all of these at once (see `readBatchMonitors`). */
  monitorId?: string;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { value: unknown } | { error: unknown };

/**
 * The monitors a batch's `updateMonitor` writes decide on, in one read: the ids go in as one JSON
 * array, so one prepared statement serves any batch size (each id is still a primary-key lookup).
 */
const SELECT_MONITORS_BY_IDS = `${SELECT_MONITOR} WHERE id IN (SELECT value FROM json_each(?))`;

/** Rows grouped by the value of one column, in the order each value first appears. */
function groupedBy(rows: Row[], column: string): Row[][] {
  const groups = new Map<unknown, Row[]>();
  for (const r of rows) groups.set(r[column], [...(groups.get(r[column]) ?? []), r]);
  return [...groups.values()];
}

/**
 * The embedded adapter: one SQLite file in WAL mode. Every read-decides-write runs in a
 * `BEGIN IMMEDIATE` transaction (the write lock is taken before the read, so a second process on
 * the same file waits instead of interleaving) and its UPDATE re-checks the status it read.
 */
export class SqliteStore implements Store, StoreInspection {
  private readonly db: Database.Database;
  /** Prepared once per SQL text: preparing is a large share of a small statement's cost. */
  private readonly statements = new Map<string, Database.Statement>();
  /** A sweep's whole batch at once: its transitions then share one group commit (see `grouped`). */
  readonly sweepParallelism = 200;
  /** Writes waiting for the next group commit (see `grouped`). */
  private pendingWrites: PendingWrite[] = [];
  /** When the first of `pendingWrites` arrived (performance.now()). */
  private batchStartedAt = 0;
  private readonly groupCommit: Required<GroupCommitOptions>;
  /** The background removal of deleted monitors' and accounts' rows, while one runs. */
  private removal: Promise<void> | null = null;
  private closed = false;
  /** The worker that checkpoints the WAL, unless checkpoints are inline. */
  private checkpointer: Checkpointer | null = null;
  /** Until the checkpoint worker starts (see `startCheckpointer`). */
  private checkpointerTimer: NodeJS.Timeout | null = null;
  /** One `BEGIN IMMEDIATE` transaction around a batch of writes; the first that throws rolls back all. */
  private readonly runBatch: (batch: PendingWrite[]) => Outcome[];
  /** The same, with each write in a savepoint of its own: one that throws fails alone. */
  private readonly runBatchIsolated: (batch: PendingWrite[]) => Outcome[];
  /**
   * While a batch's transaction runs: the rows of the monitors its `updateMonitor` writes decide
   * on, read at its start under the write lock, as arrays of values (see `readBatchMonitors`).
   */
  private batchMonitors: Map<string, unknown[]> | null = null;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.groupCommit = {
      maxWaitMs: options.maxWaitMs ?? GROUP_COMMIT_DEFAULTS.maxWaitMs, maxWrites: options.maxWrites ?? GROUP_COMMIT_DEFAULTS.maxWrites,
    };
    if (file !== ':memory:') preparePrivateDatabase(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    if (file !== ':memory:' && options.checkpoints !== 'inline') {
      const settings = options.checkpoints ?? {};
      const delay = settings.startAfterMs ?? CHECKPOINT_DEFAULTS.startAfterMs;
      if (delay <= 0) this.startCheckpointer(file, settings);
      else {
        this.checkpointerTimer = setTimeout(() => this.startCheckpointer(file, settings), delay);
        this.checkpointerTimer.unref();
      }
    }
    this.runBatch = this.transaction((batch: PendingWrite[]): Outcome[] => {
      this.readBatchMonitors(batch);
      return batch.map((w) => ({ value: w.write() }));
    });
    // A better-sqlite3 transaction called inside another one becomes a savepoint.
    const inSavepoint = this.db.transaction((write: () => unknown) => write());
    this.runBatchIsolated = this.transaction((batch: PendingWrite[]) => {
      this.readBatchMonitors(batch);
      return batch.map((w): Outcome => {
        try {
          return { value: inSavepoint(w.write) };
        } catch (error) {
          return { error };
        }
      });
    });
  }

  /**
   * Starts the checkpoint worker, `startAfterMs` after the store opened: a store that lives less
   * (an admin command, most tests) keeps SQLite's own checkpoints and never pays the thread's start
   * (70–80 ms of CPU). From then on the store's commits checkpoint only past the backstop.
   */
  private startCheckpointer(file: string, settings: NonNullable<Exclude<SqliteStoreOptions['checkpoints'], 'inline'>>): void {
    this.checkpointerTimer = null;
    if (this.closed || !this.db.open) return;
    const backstop = settings.inlineAbovePages ?? CHECKPOINT_DEFAULTS.inlineAbovePages;
    try {
      this.checkpointer = new Checkpointer(file, (err) => this.checkpointInline(err), settings);
    } catch (err) {
      this.checkpointInline(err);
      return;
    }
    this.db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(backstop))}`);
  }

  /** The checkpoint worker failed: SQLite checkpoints inside commits again, so the WAL stays bounded. */
  private checkpointInline(err: unknown): void {
    if (!this.db.open) return;
    this.db.pragma('wal_autocheckpoint = 1000');
    console.warn(JSON.stringify({
      severity: 'WARNING', message: 'sqlite: the checkpoint worker stopped; checkpoints run inside commits again', error: String(err),
    }));
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A `BEGIN IMMEDIATE` transaction around `fn`, built once. */
  private transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const tx = this.db.transaction(fn);
    return (...args: A) => tx.immediate(...args);
  }

  async createAccount(a: Account): Promise<'created' | 'email_taken'> {
    const result = this.stmt(`${INSERT_ACCOUNT} ON CONFLICT (email) DO NOTHING`).run(...accountValues(a));
    return result.changes === 1 ? 'created' : 'email_taken';
  }

  async findAccountByKeyHash(hash: string): Promise<Account | null> {
    const r = this.stmt('SELECT * FROM accounts WHERE api_key_hash = ?').get(hash) as Row | undefined;
    return r ? toAccount(r) : null;
  }

  async getAccount(id: string): Promise<Account | null> {
    const r = this.stmt('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return r ? toAccount(r) : null;
  }

  async setAccountPlan(accountId: string, plan: PlanId): Promise<Account | null> {
    this.stmt('UPDATE accounts SET plan = ? WHERE id = ?').run(plan, accountId);
    return this.getAccount(accountId);
  }

  async setAccountDefaults(accountId: string, defaults: AccountDefaults): Promise<Account | null> {
    this.stmt('UPDATE accounts SET default_remind_every = ? WHERE id = ?').run(defaults.remindEvery, accountId);
    return this.getAccount(accountId);
  }

  async getRecipient(id: string): Promise<Recipient | null> {
    const r = this.stmt('SELECT * FROM recipients WHERE id = ?').get(id) as Row | undefined;
    return r ? toRecipient(r) : null;
  }

  async saveRecipient(next: Recipient, readVersion: number | null): Promise<boolean> {
    if (readVersion === null) return this.stmt(`${INSERT_RECIPIENT} ON CONFLICT (id) DO NOTHING`).run(...recipientValues(next)).changes === 1;
    const [id, ...rest] = recipientValues(next);
    return this.stmt(UPDATE_RECIPIENT).run(...rest, id, readVersion).changes === 1;
  }

  async findAccountByEmail(email: string): Promise<Account | null> {
    const r = this.stmt('SELECT * FROM accounts WHERE email = ?').get(email) as Row | undefined;
    return r ? toAccount(r) : null;
  }

  async replaceApiKey(accountId: string, currentKeyHash: string, newKeyHash: string): Promise<boolean> {
    const result = this.stmt('UPDATE accounts SET api_key_hash = ? WHERE id = ? AND api_key_hash = ?')
      .run(newKeyHash, accountId, currentKeyHash);
    return result.changes === 1;
  }

  async saveRecoveryToken(email: string, tokenHash: string, expiresAt: Date): Promise<boolean> {
    const result = this.stmt('UPDATE accounts SET recovery_token_hash = ?, recovery_expires_at = ? WHERE email = ?')
      .run(tokenHash, ms(expiresAt), email);
    return result.changes === 1;
  }

  async redeemRecoveryToken(email: string, tokenHash: string, now: Date, newKeyHash: string): Promise<boolean> {
    // One statement checks and spends the token: of two concurrent redemptions only one matches.
    const result = this.stmt(
        `UPDATE accounts SET api_key_hash = ?, recovery_token_hash = NULL, recovery_expires_at = NULL
         WHERE email = ? AND recovery_token_hash = ? AND recovery_expires_at > ?`,
      )
      .run(newKeyHash, email, tokenHash, ms(now));
    return result.changes === 1;
  }

  /** The account and its monitors go in one short transaction; their history is left to `finishDeletions`. */
  async deleteAccount(accountId: string): Promise<boolean> {
    const deleted = this.db
      .transaction((): boolean => {
        if (this.stmt('SELECT 1 FROM accounts WHERE id = ?').get(accountId) === undefined) return false;
        for (const m of this.stmt(OWNED_MONITORS).all(accountId) as Row[]) this.stmt(INSERT_DELETION).run('monitor', m.id);
        this.stmt(INSERT_DELETION).run('account', accountId);
        this.stmt('DELETE FROM recipients WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM channels WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM read_keys WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM sessions WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM sign_in_tokens WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM maintenance_windows WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM status_pages WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM monitors WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM accounts WHERE id = ?').run(accountId);
        return true;
      })
      .immediate();
    if (deleted) this.startRemoval();
    return deleted;
  }

  async createMonitor(m: Monitor, maxMonitors: number | null): Promise<'created' | 'limit_reached' | 'slug_taken'> {
    return this.db
      .transaction((): 'created' | 'limit_reached' | 'slug_taken' => {
        // Under the write lock (BEGIN IMMEDIATE), so of concurrent creates of one slug one passes;
        // the unique index monitors_by_slug would refuse a second row anyway.
        if (m.slug != null && this.stmt('SELECT 1 FROM monitors WHERE account_id = ? AND slug = ?').get(m.accountId, m.slug) !== undefined) return 'slug_taken';
        // The count and the limit check are one statement: concurrent creates cannot both pass.
        const counted = this.stmt(
            `UPDATE accounts SET monitor_count = monitor_count + 1
             WHERE id = ? AND (? IS NULL OR monitor_count < ?)`,
          )
          .run(m.accountId, maxMonitors, maxMonitors);
        if (counted.changes !== 1) return 'limit_reached';
        this.stmt(INSERT_MONITOR).run(...monitorValues({ ...m, channels: this.currentAttachments(m.accountId, m.channels) }));
        return 'created';
      })
      .immediate();
  }

  async findMonitorBySlug(accountId: string, slug: string): Promise<Monitor | null> {
    const r = this.stmt('SELECT * FROM monitors WHERE account_id = ? AND slug = ?').get(accountId, slug) as Row | undefined;
    return r ? toMonitor(r) : null;
  }

  async setMonitorSlug(id: string, slug: string | null): Promise<Monitor | null | 'slug_taken'> {
    return this.db
      .transaction((): Monitor | null | 'slug_taken' => {
        const r = this.stmt('SELECT account_id FROM monitors WHERE id = ?').get(id) as Row | undefined;
        if (!r) return null;
        if (slug !== null && this.stmt('SELECT 1 FROM monitors WHERE account_id = ? AND slug = ? AND id != ?').get(r.account_id, slug, id) !== undefined) return 'slug_taken';
        this.stmt('UPDATE monitors SET slug = ? WHERE id = ?').run(slug, id);
        return toMonitor(this.stmt('SELECT * FROM monitors WHERE id = ?').get(id) as Row);
      })
      .immediate();
  }

  async setPingKey(accountId: string, pingKeyHash: string): Promise<boolean> {
    return this.stmt('UPDATE accounts SET ping_key_hash = ? WHERE id = ?').run(pingKeyHash, accountId).changes === 1;
  }

  async findAccountByPingKeyHash(pingKeyHash: string): Promise<Account | null> {
    const r = this.stmt('SELECT * FROM accounts WHERE ping_key_hash = ?').get(pingKeyHash) as Row | undefined;
    return r ? toAccount(r) : null;
  }

  async listMonitors(accountId: string): Promise<Monitor[]> {
    const rows = this.stmt('SELECT * FROM monitors WHERE account_id = ? ORDER BY created_at DESC, rowid DESC')
      .all(accountId) as Row[];
    return rows.map(toMonitor);
  }

  async getMonitor(id: string): Promise<Monitor | null> {
    const r = this.stmt('SELECT * FROM monitors WHERE id = ?').get(id) as Row | undefined;
    return r ? toMonitor(r) : null;
  }

  async findMonitorByBadgeKey(badgeKey: string): Promise<Monitor | null> {
    const r = this.stmt('SELECT * FROM monitors WHERE badge_key = ?').get(badgeKey) as Row | undefined;
    return r ? toMonitor(r) : null;
  }

  async findMonitorByPingToken(pingToken: string): Promise<Monitor | null> {
    // The same unique index on ping_token that recordPing reads through.
    const r = this.stmt('SELECT * FROM monitors WHERE ping_token = ?').get(pingToken) as Row | undefined;
    return r ? toMonitor(r) : null;
  }

  /**
   * The monitor row goes in one short transaction, and with it the monitor from every read and
   * its ping token; its pings and flips are left to `finishDeletions`. Deleting them here, a
   * million rows in one transaction, held the event loop (and every request) for 19 s.
   */
  async deleteMonitor(id: string): Promise<boolean> {
    const deleted = this.db
      .transaction((): boolean => {
        const r = this.stmt('SELECT account_id FROM monitors WHERE id = ?').get(id) as Row | undefined;
        if (!r) return false;
        this.stmt('DELETE FROM monitors WHERE id = ?').run(id);
        this.stmt('UPDATE accounts SET monitor_count = monitor_count - 1 WHERE id = ?').run(r.account_id);
        this.stmt(INSERT_DELETION).run('monitor', id);
        return true;
      })
      .immediate();
    if (deleted) this.startRemoval();
    return deleted;
  }

  /** Starts removing deleted rows in the background, unless a removal already runs (it takes up new deletions too). */
  private startRemoval(): void {
    if (this.removal === null) this.removal = this.removeInBackground();
  }

  private async removeInBackground(): Promise<void> {
    try {
      for (;;) {
        await nextTurn();
        // Stopping and clearing `removal` happen in the same synchronous step as the last look:
        // a deletion made after it starts a new removal.
        if (this.closed || this.removeBatch() === null) return;
      }
    } catch {
      // A batch that failed (the file locked by another process past the busy timeout) is left
      // to the checker, which finishes deletions on every run.
    } finally {
      this.removal = null;
    }
  }

  async finishDeletions(keepGoing: () => boolean): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = this.removeBatch();
      if (batch === null) return removed;
      removed += batch;
      if (!keepGoing()) return removed;
      await nextTurn();
      // Closed meanwhile (a shutdown cut the checker's run short): the rest is the next run's.
      if (this.closed) return removed;
    }
  }

  /**
   * One short transaction on the oldest unfinished deletion: removes up to REMOVAL_BATCH of its
   * rows, and the deletion itself once none is left. How many rows it removed; null when no
   * deletion is unfinished.
   */
  private removeBatch(): number | null {
    return this.db
      .transaction((): number | null => {
        const d = this.stmt('SELECT id, kind, owner_id FROM deletions ORDER BY id LIMIT 1').get() as Row | undefined;
        if (d === undefined) return null;
        let removed = 0;
        for (const sql of LEFTOVERS[String(d.kind)]) {
          removed += this.stmt(sql).run(d.owner_id, REMOVAL_BATCH - removed).changes;
          if (removed >= REMOVAL_BATCH) return removed;
        }
        this.stmt('DELETE FROM deletions WHERE id = ?').run(d.id);
        return removed;
      })
      .immediate();
  }

  /**
   * Group commit: writes that arrive together run in one transaction, and each caller's promise
   * settles only after that transaction has committed. The commit is most of a small write's
   * cost, so a burst of pings (or a sweep's parallel flips) shares one instead of queueing behind
   * one each. "Together" is: until a turn of the event loop brings no new write, or `maxWrites`
   * wait, or `maxWaitMs` has passed since the first. Under load, requests arrive over several
   * turns, and committing at the first split them into many small commits, each rewriting the
   * same pages; a lone write still commits on the next turn (see docs/performance.md). A write
   * that throws fails alone (the batch is then run again with a savepoint per write); a
   * transaction that cannot begin or commit fails every write in the batch, and none of them is
   * stored. Writes are closures over the store's statements and the domain's pure decisions, so
   * running one again is safe.
   */
  private grouped<T>(write: () => T, monitorId?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingWrites.push({ write, monitorId, resolve: resolve as (value: unknown) => void, reject });
      if (this.pendingWrites.length === 1) {
        this.batchStartedAt = performance.now();
        setImmediate(() => this.commitWhenQuiet(1));
      }
    });
  }

  /** Commits the waiting writes unless more arrived since the last turn (`seen` of them then) and the batch may still wait. */
  private commitWhenQuiet(seen: number): void {
    const waiting = this.pendingWrites.length;
    const mayWait = waiting < this.groupCommit.maxWrites && performance.now() - this.batchStartedAt < this.groupCommit.maxWaitMs;
    if (waiting > seen && mayWait) setImmediate(() => this.commitWhenQuiet(waiting));
    else this.commitPendingWrites();
  }

  private commitPendingWrites(): void {
    const batch = this.pendingWrites;
    this.pendingWrites = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.runBatch(batch);
    } catch {
      // A write (or the commit) failed, and the whole transaction was rolled back. Run the batch
      // again with each write in a savepoint, so that a failing write fails alone. Only then:
      // savepoints cost about a tenth of a ping, and writes almost never fail.
      try {
        outcomes = this.runBatchIsolated(batch);
      } catch (err) {
        for (const w of batch) w.reject(err);
        return;
      }
    } finally {
      this.batchMonitors = null;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if ('error' in o) w.reject(o.error);
      else w.resolve(o.value);
    });
  }

  async recordPing(token: string, ping: PingData, decide: DecidePing): Promise<Applied | null> {
    return this.grouped((): Applied | null => {
      const monitor = this.monitorWhere('ping_token', token);
      if (!monitor) return null;
      const t = decide(monitor);
      const stored: Ping = {
        ...ping, bodyTruncated: ping.bodyTruncated ?? false, monitorId: monitor.id, expiresAt: t.ping.expiresAt, duration: t.ping.duration,
      };
      this.stmt(INSERT_PING).run(...pingValues(stored));
      const size = bodySize(stored.body);
      if (size > 0) this.stmt('UPDATE monitors SET body_bytes_unchecked = body_bytes_unchecked + ? WHERE id = ?').run(size, monitor.id);
      return this.applyInTransaction(monitor, t);
    });
  }

  async updateMonitor(id: string, decide: Decide): Promise<Applied | null> {
    return this.grouped((): Applied | null => {
      const monitor = this.monitorForWrite(id);
      if (!monitor) return null;
      return this.applyInTransaction(monitor, decide(monitor));
    }, id);
  }

  /**
   * Reads, in one statement, the monitors the batch's `updateMonitor` writes decide on (a sweep's
   * whole batch of due monitors): one read instead of one per write. It runs inside the batch's
   * transaction, under the write lock, so what it reads is what each write would have read
   * itself, except where an earlier write of the same batch changed the monitor: every write to a
   * monitor drops its entry, and the next write to it reads it afresh (see `monitorForWrite`).
   */
  private readBatchMonitors(batch: PendingWrite[]): void {
    this.batchMonitors = null;
    const ids = batch.flatMap((w) => (w.monitorId === undefined ? [] : [w.monitorId]));
    if (ids.length < 2) return;
    const rows = this.stmt(SELECT_MONITORS_BY_IDS).raw(true).all(JSON.stringify(ids)) as unknown[][];
    this.batchMonitors = new Map(rows.map((values) => [String(values[0]), values]));
  }

  /** The monitor an `updateMonitor` write decides on: from the batch's read when it holds it (once), else read now. */
  private monitorForWrite(id: string): Monitor | null {
    const values = this.batchMonitors?.get(id);
    if (values === undefined) return this.monitorWhere('id', id);
    this.batchMonitors!.delete(id);
    return monitorFromValues(values);
  }

  /** The monitor a write decides on, read as an array of values (see `SELECT_MONITOR`): the ping path's read. */
  private monitorWhere(column: 'ping_token' | 'id', value: string): Monitor | null {
    const values = this.stmt(`${SELECT_MONITOR} WHERE ${column} = ?`).raw(true).get(value) as unknown[] | undefined;
    return values ? monitorFromValues(values) : null;
  }

  /** Writes a transition with its flip and notifications; must run inside a transaction. */
  private applyInTransaction(monitor: Monitor, t: Transition | null): Applied {
    if (t === null) return { monitor, transition: null };
    // Every write to a monitor comes through here: a later write of the same batch reads it afresh.
    this.batchMonitors?.delete(monitor.id);
    const c = t.changes;
    const updated = this.stmt(
        `UPDATE monitors SET status = ?, alert_at = ?,
           last_ping_at = COALESCE(?, last_ping_at), last_alert_at = COALESCE(?, last_alert_at),
           last_start_at = COALESCE(?, last_start_at), last_duration = COALESCE(?, last_duration),
           open_runs = COALESCE(?, open_runs), ping_count = ping_count + ?, manual_resume = COALESCE(?, manual_resume),
           resumed_at = COALESCE(?, resumed_at), flip_count = COALESCE(?, flip_count),
           recent_flips = COALESCE(?, recent_flips), flapping_since = CASE WHEN ? THEN ? ELSE flapping_since END,
           down_since = CASE WHEN ? THEN ? ELSE down_since END, acknowledged_at = CASE WHEN ? THEN ? ELSE acknowledged_at END,
           reminders_sent = CASE WHEN ? THEN ? ELSE reminders_sent END, next_reminder_at = CASE WHEN ? THEN ? ELSE next_reminder_at END,
           consecutive_failures = COALESCE(?, consecutive_failures), consecutive_successes = COALESCE(?, consecutive_successes),
           missed_due_at = COALESCE(?, missed_due_at)
         WHERE id = ? AND status = ?`,
      )
      .run(
        c.status, ms(c.alertAt), ms(c.lastPingAt ?? null), ms(c.lastAlertAt ?? null), ms(c.lastStartAt ?? null),
        c.lastDuration ?? null, c.openRuns ? openRunsJson(c.openRuns) : null, c.countPing ? 1 : 0,
        c.manualResume === undefined ? null : c.manualResume ? 1 : 0, ms(c.resumedAt ?? null), c.flipCount ?? null,
        c.recentFlips ? recentFlipsJson(c.recentFlips) : null, c.flappingSince === undefined ? 0 : 1, ms(c.flappingSince ?? null),
        ...remindersValues(c.reminders), c.consecutiveFailures ?? null, c.consecutiveSuccesses ?? null, ms(c.missedDueAt ?? null),
        monitor.id, monitor.status,
      );
    if (updated.changes !== 1) throw new Error(`monitor ${monitor.id} changed inside its own transaction`);
    if (t.flip) this.stmt(INSERT_FLIP).run(...flipValues(t.flip));
    for (const n of t.notifications) this.stmt(INSERT_NOTIFICATION).run(...notificationValues(n));
    return { monitor: applyChanges(monitor, c), transition: t };
  }

  async postponeMonitor(id: string, until: Date): Promise<void> {
    this.stmt('UPDATE monitors SET alert_at = MAX(alert_at, ?) WHERE id = ? AND alert_at IS NOT NULL').run(ms(until), id);
  }

  async editMonitor(id: string, edit: (monitor: Monitor) => MonitorUpdate): Promise<Monitor | null> {
    return this.db
      .transaction((): Monitor | null => {
        const r = this.stmt('SELECT * FROM monitors WHERE id = ?').get(id) as Row | undefined;
        if (!r) return null;
        const monitor = toMonitor(r);
        const edited = edit(monitor);
        const update = edited.channels === undefined ? edited : { ...edited, channels: this.currentAttachments(monitor.accountId, edited.channels) };
        const fields = Object.keys(update) as Array<keyof MonitorUpdate>;
        if (fields.length > 0) {
          const sets = fields.map((f) => `${EDITABLE_COLUMNS[f]} = ?`).join(', ');
          this.stmt(`UPDATE monitors SET ${sets} WHERE id = ?`).run(...fields.map((f) => columnValue(f, update[f])), id);
        }
        return { ...monitor, ...update };
      })
      .immediate();
  }

  async findDueMonitors(now: Date, limit: number): Promise<string[]> {
    const rows = this.stmt('SELECT id FROM monitors WHERE alert_at IS NOT NULL AND alert_at <= ? ORDER BY alert_at LIMIT ?')
      .all(ms(now), limit) as Row[];
    return rows.map((r) => String(r.id));
  }

  async nextDueAt(): Promise<Date | null> {
    // Each MIN is answered from its partial index (monitors_due, notifications_due) without a scan.
    const row = this.stmt(
      `SELECT (SELECT MIN(alert_at) FROM monitors WHERE alert_at IS NOT NULL) AS monitor,
              (SELECT MIN(next_attempt_at) FROM notifications WHERE next_attempt_at IS NOT NULL) AS notification`,
    ).get() as Row;
    const times = [row.monitor, row.notification].filter((t): t is number => typeof t === 'number');
    return times.length === 0 ? null : new Date(Math.min(...times));
  }

  async pingHistory(monitorId: string, q: HistoryQuery): Promise<Page<Ping>> {
    // `seq` is the rowid: with the (monitor_id, at) index it gives this order without a sort.
    const rows = this.stmt(
        `SELECT * FROM pings WHERE monitor_id = ? AND (? IS NULL OR at >= ?)
           AND (? IS NULL OR at < ? OR (at = ? AND seq < ?))
         ORDER BY at DESC, seq DESC LIMIT ?`,
      )
      .all(monitorId, ms(q.since), ms(q.since), ...afterKey(q.before), q.limit + 1) as Row[];
    return pageOf(rows, q.limit, toPing, pingPageKey);
  }

  async flipHistory(monitorId: string, q: HistoryQuery): Promise<Page<Flip>> {
    const rows = this.stmt(
        `SELECT rowid AS seq, * FROM flips WHERE monitor_id = ? AND (? IS NULL OR at >= ?)
           AND (? IS NULL OR at < ? OR (at = ? AND rowid < ?))
         ORDER BY at DESC, rowid DESC LIMIT ?`,
      )
      .all(monitorId, ms(q.since), ms(q.since), ...afterKey(q.before), q.limit + 1) as Row[];
    return pageOf(rows, q.limit, toFlip, flipPageKey);
  }

  async purgeExpiredPings(now: Date, limit: number): Promise<number> {
    return this.stmt(
        `DELETE FROM pings WHERE seq IN (
           SELECT seq FROM pings WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)`,
      )
      .run(ms(now), limit).changes;
  }

  async trimPingBodies(budget: BodyBudget, keepGoing: () => boolean): Promise<number> {
    // The partial index on body_bytes_unchecked serves this only with its own condition spelled out.
    const due = this.stmt(
        `SELECT m.id, m.account_id, m.body_bytes_unchecked AS unchecked, a.plan FROM monitors m JOIN accounts a ON a.id = m.account_id
         WHERE m.body_bytes_unchecked > 0 AND m.body_bytes_unchecked >= ? LIMIT ?`,
      )
      .all(budget.checkEvery, BODY_CHECK_MONITORS) as Row[];
    let dropped = 0;
    for (const monitors of groupedBy(due, 'account_id')) {
      const trimmed = await this.trimAccount(String(monitors[0].account_id), budget.bytes[monitors[0].plan as PlanId], keepGoing);
      dropped += trimmed.dropped;
      // Still over budget: its monitors stay due, and the next call carries on.
      if (!trimmed.done) return dropped;
      // Subtracting what was read keeps the bytes stored meanwhile for the next total.
      for (const m of monitors) this.stmt('UPDATE monitors SET body_bytes_unchecked = body_bytes_unchecked - ? WHERE id = ?').run(m.unchecked, m.id);
      if (!keepGoing()) break;
    }
    return dropped;
  }

  /** Drops the oldest bodies of the account's pings until the rest fit in `allowed` bytes, a batch per turn of the event loop. */
  private async trimAccount(accountId: string, allowed: number, keepGoing: () => boolean): Promise<{ dropped: number; done: boolean }> {
    // Both reads come from the partial index pings_bodies alone, never from the bodies.
    const total = this.stmt(`SELECT COALESCE(SUM(body_size), 0) AS bytes FROM pings WHERE monitor_id IN (${OWNED_MONITORS}) AND body_size > 0`).get(accountId) as Row;
    let excess = Number(total.bytes) - allowed;
    let dropped = 0;
    while (excess > 0) {
      if (!keepGoing()) return { dropped, done: false };
      const oldest = this.stmt(`SELECT seq, body_size FROM pings WHERE monitor_id IN (${OWNED_MONITORS}) AND body_size > 0 ORDER BY at, seq LIMIT ?`)
        .all(accountId, TRIM_BATCH) as Row[];
      if (oldest.length === 0) break;
      const chosen: unknown[] = [];
      for (const r of oldest) {
        if (excess <= 0) break;
        chosen.push(r.seq);
        excess -= Number(r.body_size);
      }
      this.db.transaction(() => {
        for (const seq of chosen) this.stmt('UPDATE pings SET body = NULL, body_size = 0, body_truncated = 1 WHERE seq = ?').run(seq);
      }).immediate();
      dropped += chosen.length;
      await nextTurn();
      if (this.closed) return { dropped, done: false };
    }
    return { dropped, done: true };
  }

  async countAlertEmail(accountId: string, recipient: string, hour: number, caps: EmailCaps): Promise<EmailCount> {
    return this.db
      .transaction((): EmailCount => {
        // Past hours are never read again; the table holds at most one hour of counters.
        this.stmt('DELETE FROM alert_email_counts WHERE hour < ?').run(hour);
        const countOf = (counter: string) =>
          Number((this.stmt('SELECT count FROM alert_email_counts WHERE counter = ? AND hour = ?').get(counter, hour) as Row | undefined)?.count ?? 0);
        const [account, address] = emailCounters(accountId, recipient);
        if (countOf(account) >= caps.perAccount) return 'account_cap';
        if (countOf(address) >= caps.perRecipient) return 'recipient_cap';
        const add = this.stmt('INSERT INTO alert_email_counts (counter, hour, count) VALUES (?, ?, 1) ON CONFLICT (counter, hour) DO UPDATE SET count = count + 1');
        add.run(account, hour);
        add.run(address, hour);
        return 'counted';
      })
      .immediate();
  }

  async findDueNotifications(now: Date, limit: number, exceptAccounts: readonly string[] = []): Promise<Notification[]> {
    // One statement per number of left-out accounts (0 to 10), each prepared once.
    const rows = this.stmt(
        `SELECT * FROM notifications WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?
           AND account_id NOT IN (${exceptAccounts.map(() => '?').join(', ')})
         ORDER BY next_attempt_at LIMIT ?`,
      )
      .all(ms(now), ...exceptAccounts, limit) as Row[];
    const { readable, unreadable } = readDueRows(rows, toNotification, now);
    for (const { row, setAside } of unreadable) {
      this.stmt('UPDATE notifications SET next_attempt_at = ?, last_error = ? WHERE id = ?').run(ms(setAside.nextAttemptAt), setAside.lastError, row.id);
    }
    return readable;
  }

  async claimNotification(id: string, now: Date, leaseUntil: Date): Promise<Notification | null> {
    const claimed = this.stmt(
        `UPDATE notifications SET state = 'processing', attempts = attempts + 1, next_attempt_at = ?
         WHERE id = ? AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?
         RETURNING *`,
      )
      .get(ms(leaseUntil), id, ms(now)) as Row | undefined;
    return claimed ? toNotification(claimed) : null;
  }

  async wakeHeldNotifications(accountId: string, monitorIds: readonly string[] | null, now: Date): Promise<number> {
    // Held rows are few and all sit in the partial due index (next_attempt_at set), which this walks.
    const rows = this.stmt(`SELECT id, monitor_id FROM notifications WHERE next_attempt_at > ? AND state = 'held' AND account_id = ?`).all(ms(now), accountId) as Row[];
    const wanted = monitorIds === null ? null : new Set(monitorIds);
    const wake = this.stmt(`UPDATE notifications SET next_attempt_at = ? WHERE id = ? AND state = 'held' AND next_attempt_at > ?`);
    let woken = 0;
    for (const row of rows) {
      if (wanted !== null && !wanted.has(String(row.monitor_id))) continue;
      woken += wake.run(ms(now), row.id, ms(now)).changes;
    }
    return woken;
  }

  async postponeNotification(id: string, until: Date, reason: string): Promise<void> {
    this.stmt('UPDATE notifications SET next_attempt_at = MAX(next_attempt_at, ?), last_error = ? WHERE id = ? AND next_attempt_at IS NOT NULL')
      .run(ms(until), reason, id);
  }

  async recordDelivery(id: string, attempt: number, rec: DeliveryRecord): Promise<boolean> {
    // Only the holder of the latest claim may record: a stale worker whose lease lapsed loses.
    const result = this.stmt(
        `UPDATE notifications SET state = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?, attempts = ?
         WHERE id = ? AND attempts = ? AND state = 'processing'`,
      )
      .run(rec.state, ms(rec.nextAttemptAt), rec.lastError, ms(rec.deliveredAt), rec.attempts ?? attempt, id, attempt);
    return result.changes === 1;
  }

  // StoreInspection: reads only tests and the bench make.

  async listPings(monitorId: string, limit: number): Promise<Ping[]> {
    const rows = this.stmt('SELECT * FROM pings WHERE monitor_id = ? ORDER BY at DESC, seq DESC LIMIT ?')
      .all(monitorId, limit) as Row[];
    return rows.map(toPing);
  }

  async listFlips(monitorId: string): Promise<Flip[]> {
    const rows = this.stmt('SELECT * FROM flips WHERE monitor_id = ? ORDER BY at, rowid').all(monitorId) as Row[];
    return rows.map(toFlip);
  }

  async getNotification(id: string): Promise<Notification | null> {
    const r = this.stmt('SELECT * FROM notifications WHERE id = ?').get(id) as Row | undefined;
    return r ? toNotification(r) : null;
  }

  async listNotifications(monitorId: string): Promise<Notification[]> {
    const rows = this.stmt('SELECT * FROM notifications WHERE monitor_id = ? ORDER BY created_at, id')
      .all(monitorId) as Row[];
    return rows.map(toNotification);
  }

  async deletionsSettled(): Promise<void> {
    while (this.removal !== null) await this.removal;
  }

  /**
   * Attached channels as their channel objects are now: kind and events copied from each, and
   * any that no longer exists (deleted meanwhile) or is another account's left out. Read in the
   * transaction that writes them, so an attachment never outlives a delete or misses an events
   * change that committed before it. Must run inside a transaction.
   */
  private currentAttachments(accountId: string, channels: readonly AttachedChannel[]): AttachedChannel[] {
    return channels.flatMap((c): AttachedChannel[] => {
      const r = this.stmt('SELECT kind, events FROM channels WHERE id = ? AND account_id = ?').get(c.id, accountId) as Row | undefined;
      return r ? [{ id: c.id, kind: r.kind as AttachedChannel['kind'], events: JSON.parse(String(r.events)) as AttachedChannel['events'] }] : [];
    });
  }

  async saveSignInToken(email: string, tokenHash: string, expiresAt: Date): Promise<boolean> {
    return this.stmt(SAVE_SIGN_IN_TOKEN).run(tokenHash, ms(expiresAt), email).changes === 1;
  }

  async redeemSignInToken(tokenHash: string, now: Date): Promise<string | null> {
    // One statement finds and spends the token: of two concurrent redemptions only one gets the row.
    const r = this.stmt(REDEEM_SIGN_IN_TOKEN).get(tokenHash) as Row | undefined;
    return r !== undefined && Number(r.expires_at) > now.getTime() ? String(r.account_id) : null;
  }

  async createSession(session: Session, maxSessions: number, now: Date): Promise<'created' | 'no_account'> {
    return this.db
      .transaction((): 'created' | 'no_account' => {
        // Under the write lock (BEGIN IMMEDIATE): sign-ins racing at the cap cannot both keep a slot.
        if (this.stmt('SELECT 1 FROM accounts WHERE id = ?').get(session.accountId) === undefined) return 'no_account';
        this.stmt(DROP_EXPIRED_SESSIONS).run(session.accountId, ms(now));
        const held = Number((this.stmt('SELECT COUNT(*) AS n FROM sessions WHERE account_id = ?').get(session.accountId) as Row).n);
        if (held >= maxSessions) this.stmt(DROP_OLDEST_SESSIONS).run(session.accountId, held - maxSessions + 1);
        this.stmt(INSERT_SESSION).run(...sessionValues(session));
        return 'created';
      })
      .immediate();
  }

  async findSessionByHash(sessionHash: string): Promise<Session | null> {
    const r = this.stmt('SELECT * FROM sessions WHERE session_hash = ?').get(sessionHash) as Row | undefined;
    return r ? toSession(r) : null;
  }

  async listSessions(accountId: string): Promise<Session[]> {
    const rows = this.stmt('SELECT * FROM sessions WHERE account_id = ? ORDER BY created_at DESC, rowid DESC').all(accountId) as Row[];
    return rows.map(toSession);
  }

  async deleteSession(accountId: string, id: string): Promise<boolean> {
    return this.stmt('DELETE FROM sessions WHERE id = ? AND account_id = ?').run(id, accountId).changes === 1;
  }

  async createReadKey(key: ReadKey, maxKeys: number): Promise<'created' | 'limit_reached'> {
    return this.db
      .transaction((): 'created' | 'limit_reached' => {
        // Count and insert under the write lock (BEGIN IMMEDIATE): concurrent creates at the cap cannot both pass.
        if (this.stmt('SELECT 1 FROM accounts WHERE id = ?').get(key.accountId) === undefined) return 'limit_reached';
        const held = this.stmt('SELECT COUNT(*) AS n FROM read_keys WHERE account_id = ?').get(key.accountId) as Row;
        if (Number(held.n) >= maxKeys) return 'limit_reached';
        this.stmt(INSERT_READ_KEY).run(...readKeyValues(key));
        return 'created';
      })
      .immediate();
  }

  async findReadKeyByHash(keyHash: string): Promise<ReadKey | null> {
    const r = this.stmt('SELECT * FROM read_keys WHERE key_hash = ?').get(keyHash) as Row | undefined;
    return r ? toReadKey(r) : null;
  }

  async listReadKeys(accountId: string): Promise<ReadKey[]> {
    const rows = this.stmt('SELECT * FROM read_keys WHERE account_id = ? ORDER BY created_at, rowid').all(accountId) as Row[];
    return rows.map(toReadKey);
  }

  async deleteReadKey(accountId: string, id: string): Promise<boolean> {
    return this.stmt('DELETE FROM read_keys WHERE id = ? AND account_id = ?').run(id, accountId).changes === 1;
  }

  async createChannel(channel: AlertChannel, maxChannels: number): Promise<'created' | 'limit_reached'> {
    return this.db
      .transaction((): 'created' | 'limit_reached' => {
        // Count and insert under the write lock (BEGIN IMMEDIATE): concurrent creates at the cap cannot both pass.
        if (this.stmt('SELECT 1 FROM accounts WHERE id = ?').get(channel.accountId) === undefined) return 'limit_reached';
        const held = this.stmt('SELECT COUNT(*) AS n FROM channels WHERE account_id = ?').get(channel.accountId) as Row;
        if (Number(held.n) >= maxChannels) return 'limit_reached';
        this.stmt(INSERT_CHANNEL).run(...channelValues(channel));
        return 'created';
      })
      .immediate();
  }

  async listChannels(accountId: string): Promise<AlertChannel[]> {
    const rows = this.stmt('SELECT * FROM channels WHERE account_id = ? ORDER BY created_at, rowid').all(accountId) as Row[];
    return rows.map(toChannel);
  }

  async getChannel(id: string): Promise<AlertChannel | null> {
    const r = this.stmt('SELECT * FROM channels WHERE id = ?').get(id) as Row | undefined;
    return r ? toChannel(r) : null;
  }

  /** Rewrites the attached copy of channel `id` on each of its monitors: `change` gives the new copy, or null to detach. Inside a transaction. */
  private rewriteAttachments(accountId: string, id: string, change: (c: AttachedChannel) => AttachedChannel | null): void {
    for (const m of this.stmt(ATTACHED_MONITORS).all(accountId, id) as Row[]) {
      const next = toAttached(m.channels).flatMap((c) => (c.id === id ? [change(c)].filter((x): x is AttachedChannel => x !== null) : [c]));
      this.stmt('UPDATE monitors SET channels = ? WHERE id = ?').run(attachedJson(next), m.id);
    }
  }

  async updateChannel(id: string, edit: (channel: AlertChannel) => ChannelUpdate): Promise<AlertChannel | null> {
    return this.db
      .transaction((): AlertChannel | null => {
        const r = this.stmt('SELECT * FROM channels WHERE id = ?').get(id) as Row | undefined;
        if (!r) return null;
        const current = toChannel(r);
        const next: AlertChannel = { ...current, ...edit(current), id: current.id, kind: current.kind };
        this.stmt('UPDATE channels SET name = ?, config = ?, events = ?, is_default = ? WHERE id = ?')
          .run(next.name, JSON.stringify(next.config), JSON.stringify(next.events), next.isDefault ? 1 : 0, id);
        // Same transaction: no flip can make alerts from the old events once this commits.
        if (JSON.stringify(next.events) !== JSON.stringify(current.events)) {
          this.rewriteAttachments(current.accountId, id, (c) => ({ ...c, events: [...next.events] }));
        }
        return next;
      })
      .immediate();
  }

  async deleteChannel(id: string): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const r = this.stmt('SELECT account_id FROM channels WHERE id = ?').get(id) as Row | undefined;
        if (!r) return false;
        this.stmt('DELETE FROM channels WHERE id = ?').run(id);
        this.rewriteAttachments(String(r.account_id), id, () => null);
        return true;
      })
      .immediate();
  }

  async notificationHistory(owner: NotificationOwner, q: HistoryQuery): Promise<Page<Notification>> {
    // Served by notifications_by_monitor or notifications_by_channel, both (owner, created_at, id): no sort.
    const column = 'monitorId' in owner ? 'monitor_id' : 'channel_id';
    const ownerId = 'monitorId' in owner ? owner.monitorId : owner.channelId;
    const before = q.before === null ? [null, null, null, null] : [ms(q.before.at), ms(q.before.at), ms(q.before.at), q.before.id];
    const rows = this.stmt(
        `SELECT * FROM notifications WHERE ${column} = ? AND (? IS NULL OR created_at >= ?)
           AND (? IS NULL OR created_at < ? OR (created_at = ? AND id < ?))
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(ownerId, ms(q.since), ms(q.since), ...before, q.limit + 1) as Row[];
    return pageOf(rows, q.limit, toNotification, notificationPageKey);
  }

  async insertNotification(n: Notification): Promise<void> {
    this.stmt(INSERT_NOTIFICATION).run(...notificationValues(n));
  }

  async createStatusPage(page: StatusPage, maxPages: number): Promise<'created' | 'limit_reached' | 'slug_taken'> {
    return this.db
      .transaction((): 'created' | 'limit_reached' | 'slug_taken' => {
        // Count, slug check and insert under the write lock (BEGIN IMMEDIATE): concurrent creates cannot both pass either.
        if (this.stmt('SELECT 1 FROM accounts WHERE id = ?').get(page.accountId) === undefined) return 'limit_reached';
        const held = this.stmt('SELECT COUNT(*) AS n FROM status_pages WHERE account_id = ?').get(page.accountId) as Row;
        if (Number(held.n) >= maxPages) return 'limit_reached';
        if (this.stmt('SELECT 1 FROM status_pages WHERE slug = ?').get(page.slug) !== undefined) return 'slug_taken';
        this.stmt(INSERT_STATUS_PAGE).run(...statusPageValues(page));
        return 'created';
      })
      .immediate();
  }

  async listStatusPages(accountId: string): Promise<StatusPage[]> {
    const rows = this.stmt('SELECT * FROM status_pages WHERE account_id = ? ORDER BY created_at, rowid').all(accountId) as Row[];
    return rows.map(toStatusPage);
  }

  async getStatusPage(id: string): Promise<StatusPage | null> {
    const r = this.stmt('SELECT * FROM status_pages WHERE id = ?').get(id) as Row | undefined;
    return r ? toStatusPage(r) : null;
  }

  async findStatusPageBySlug(slug: string): Promise<StatusPage | null> {
    const r = this.stmt('SELECT * FROM status_pages WHERE slug = ?').get(slug) as Row | undefined;
    return r ? toStatusPage(r) : null;
  }

  async updateStatusPage(id: string, edit: StatusPageUpdate): Promise<StatusPage | null | 'slug_taken'> {
    return this.db
      .transaction((): StatusPage | null | 'slug_taken' => {
        const r = this.stmt('SELECT * FROM status_pages WHERE id = ?').get(id) as Row | undefined;
        if (!r) return null;
        const next = editedPage(toStatusPage(r), edit);
        if (this.stmt('SELECT 1 FROM status_pages WHERE slug = ? AND id != ?').get(next.slug, id) !== undefined) return 'slug_taken';
        this.stmt(UPDATE_STATUS_PAGE).run(...statusPageUpdateValues(next));
        return next;
      })
      .immediate();
  }

  async deleteStatusPage(id: string): Promise<boolean> {
    return this.stmt('DELETE FROM status_pages WHERE id = ?').run(id).changes === 1;
  }

  async createWindow(window: MaintenanceWindow, maxWindows: number): Promise<'created' | 'limit_reached'> {
    return this.db
      .transaction((): 'created' | 'limit_reached' => {
        // Count and insert under the write lock (BEGIN IMMEDIATE): concurrent creates at the cap cannot both pass.
        if (this.stmt('SELECT 1 FROM accounts WHERE id = ?').get(window.accountId) === undefined) return 'limit_reached';
        const held = this.stmt('SELECT COUNT(*) AS n FROM maintenance_windows WHERE account_id = ?').get(window.accountId) as Row;
        if (Number(held.n) >= maxWindows) return 'limit_reached';
        this.stmt(INSERT_WINDOW).run(...windowValues(window));
        return 'created';
      })
      .immediate();
  }

  async listWindows(accountId: string): Promise<MaintenanceWindow[]> {
    // maintenance_windows_by_account gives this order; the rowid keeps windows of the same millisecond in creation order.
    const rows = this.stmt('SELECT * FROM maintenance_windows WHERE account_id = ? ORDER BY created_at, rowid').all(accountId) as Row[];
    return rows.map(toWindow);
  }

  async getWindow(id: string): Promise<MaintenanceWindow | null> {
    const r = this.stmt('SELECT * FROM maintenance_windows WHERE id = ?').get(id) as Row | undefined;
    return r ? toWindow(r) : null;
  }

  async updateWindow(id: string, edit: (window: MaintenanceWindow) => WindowUpdate): Promise<MaintenanceWindow | null> {
    return this.db
      .transaction((): MaintenanceWindow | null => {
        const r = this.stmt('SELECT * FROM maintenance_windows WHERE id = ?').get(id) as Row | undefined;
        if (!r) return null;
        const current = toWindow(r);
        const next: MaintenanceWindow = { ...current, ...edit(current), id: current.id, accountId: current.accountId, createdAt: current.createdAt };
        this.stmt(UPDATE_WINDOW).run(...windowValues(next).slice(2, -1), id);
        return next;
      })
      .immediate();
  }

  async deleteWindow(id: string): Promise<boolean> {
    return this.stmt('DELETE FROM maintenance_windows WHERE id = ?').run(id).changes === 1;
  }

  async close(): Promise<void> {
    // A background removal stops before its next batch; what it left, the checker finishes.
    this.closed = true;
    if (this.checkpointerTimer) clearTimeout(this.checkpointerTimer);
    // The worker's connection first: the last connection to close checkpoints and removes the WAL.
    // (Without a worker the file closes before this returns its promise, as it always did.)
    if (this.checkpointer) await this.checkpointer.stop();
    if (this.db.open) this.db.close();
  }
}
