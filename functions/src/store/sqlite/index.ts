import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyChanges, type Transition } from '../../domain/transitions';
import type { Account, AlertSnapshot, Flip, Monitor, Notification, OpenRun, Ping } from '../../domain/types';
import type { MonitorUpdate } from '../../domain/settings';
import {
  UNREADABLE_RETRY_MS,
  type Applied,
  type Decide,
  type DecidePing,
  type DeliveryRecord,
  type HistoryQuery,
  type Page,
  type PageKey,
  type PingData,
  type Store,
} from '../port';
import type { PlanId } from '../../domain/plans';
import { migrate } from './schema';

type Row = Record<string, unknown>;

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
const reqDate = (v: unknown): Date => new Date(Number(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Open runs are a small JSON array on the monitor row, rewritten whole by each signal. */
const openRunsJson = (runs: OpenRun[]): string => JSON.stringify(runs.map((r) => ({ rid: r.rid, at: r.at.getTime() })));
const toOpenRuns = (v: unknown): OpenRun[] =>
  (JSON.parse(String(v ?? '[]')) as Array<{ rid: string | null; at: number }>).map((r) => ({ rid: r.rid, at: new Date(r.at) }));

/**
 * `alert_email` predates removable e-mail alerts and is NOT NULL; SQLite cannot drop that
 * without rebuilding the table, so an empty string stands for "no e-mail alerts".
 */
const NO_EMAIL = '';
const emailColumn = (e: string | null): string => e ?? NO_EMAIL;

/** The column each editable monitor field is stored in. */
const EDITABLE_COLUMNS: Record<keyof MonitorUpdate, string> = {
  name: 'name',
  schedule: 'schedule',
  cron: 'cron',
  tz: 'tz',
  grace: 'grace',
  alertEmail: 'alert_email',
  alertWebhook: 'alert_webhook',
  webhookSecret: 'webhook_secret',
  alertSlack: 'alert_slack',
  alertPagerDuty: 'alert_pagerduty',
  alertAt: 'alert_at',
};

function columnValue(field: keyof MonitorUpdate, value: unknown): unknown {
  if (field === 'alertEmail') return emailColumn(value as string | null);
  return value instanceof Date ? value.getTime() : value;
}

function toAccount(r: Row): Account {
  return {
    id: String(r.id),
    email: String(r.email),
    apiKeyHash: String(r.api_key_hash),
    plan: r.plan as Account['plan'],
    createdAt: reqDate(r.created_at),
    monitorCount: Number(r.monitor_count),
  };
}

function toMonitor(r: Row): Monitor {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    name: String(r.name),
    schedule: Number(r.schedule),
    cron: str(r.cron),
    tz: str(r.tz),
    grace: Number(r.grace),
    alertEmail: r.alert_email === NO_EMAIL ? null : String(r.alert_email),
    alertWebhook: (r.alert_webhook as string | null) ?? null,
    webhookSecret: (r.webhook_secret as string | null) ?? null,
    alertSlack: (r.alert_slack as string | null) ?? null,
    alertPagerDuty: (r.alert_pagerduty as string | null) ?? null,
    pingToken: String(r.ping_token),
    badgeKey: str(r.badge_key),
    status: r.status as Monitor['status'],
    manualResume: Number(r.manual_resume) === 1,
    createdAt: reqDate(r.created_at),
    lastPingAt: date(r.last_ping_at),
    lastAlertAt: date(r.last_alert_at),
    pingCount: Number(r.ping_count),
    alertAt: date(r.alert_at),
    historyDays: r.history_days === null ? null : Number(r.history_days),
    lastStartAt: date(r.last_start_at),
    lastDuration: num(r.last_duration),
    openRuns: toOpenRuns(r.open_runs),
    resumedAt: date(r.resumed_at),
    flipCount: Number(r.flip_count),
  };
}

function toPing(r: Row): Ping {
  return {
    monitorId: String(r.monitor_id),
    at: reqDate(r.at),
    method: r.method as Ping['method'],
    kind: r.kind as Ping['kind'],
    exitCode: num(r.exit_code),
    rid: str(r.rid),
    duration: num(r.duration),
    source: (r.source as string | null) ?? null,
    userAgent: (r.user_agent as string | null) ?? null,
    body: (r.body as string | null) ?? null,
    bodyTruncated: Number(r.body_truncated) === 1,
    expiresAt: date(r.expires_at),
  };
}

function toFlip(r: Row): Flip {
  return {
    id: String(r.id),
    monitorId: String(r.monitor_id),
    from: r.from_status as Flip['from'],
    to: r.to_status as Flip['to'],
    at: reqDate(r.at),
    reason: r.reason as Flip['reason'],
  };
}

function toNotification(r: Row): Notification {
  const snap = JSON.parse(String(r.snapshot)) as Omit<AlertSnapshot, 'lastPingAt'> & { lastPingAt: number | null };
  return {
    id: String(r.id),
    flipId: String(r.flip_id),
    monitorId: String(r.monitor_id),
    accountId: String(r.account_id),
    channel: r.channel as Notification['channel'],
    event: r.event as Notification['event'],
    target: String(r.target),
    createdAt: reqDate(r.created_at),
    state: r.state as Notification['state'],
    attempts: Number(r.attempts),
    nextAttemptAt: date(r.next_attempt_at),
    lastError: (r.last_error as string | null) ?? null,
    deliveredAt: date(r.delivered_at),
    snapshot: { ...snap, lastPingAt: date(snap.lastPingAt) },
  };
}

/** The parameters of "strictly after `key` in newest-first order" (all null for the first page). */
function afterKey(key: PageKey | null): Array<number | null> {
  return key === null ? [null, null, null, null] : [key.at.getTime(), key.at.getTime(), key.at.getTime(), key.seq];
}

/** Rows fetched with one extra: the extra one only says that another page follows. */
function pageOf<T>(rows: Row[], limit: number, map: (r: Row) => T, keyOf: (r: Row) => PageKey): Page<T> {
  const shown = rows.slice(0, limit);
  return { items: shown.map(map), next: rows.length > limit ? keyOf(shown[shown.length - 1]) : null };
}

interface PendingWrite {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { value: unknown } | { error: unknown };

/**
 * The embedded adapter: one SQLite file in WAL mode. Every read-decides-write runs in a
 * `BEGIN IMMEDIATE` transaction (the write lock is taken before the read, so a second process on
 * the same file waits instead of interleaving) and its UPDATE re-checks the status it read.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  /** Prepared once per SQL text: preparing is a large share of a small statement's cost. */
  private readonly statements = new Map<string, Database.Statement>();
  /** A sweep's whole batch at once: its transitions then share one group commit (see `grouped`). */
  readonly sweepParallelism = 200;
  /** Writes waiting for the next group commit (see `grouped`). */
  private pendingWrites: PendingWrite[] = [];
  /** One `BEGIN IMMEDIATE` transaction around a batch of writes; the first that throws rolls back all. */
  private readonly runBatch: (batch: PendingWrite[]) => Outcome[];
  /** The same, with each write in a savepoint of its own: one that throws fails alone. */
  private readonly runBatchIsolated: (batch: PendingWrite[]) => Outcome[];

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.runBatch = this.transaction((batch: PendingWrite[]): Outcome[] => batch.map((w) => ({ value: w.write() })));
    // A better-sqlite3 transaction called inside another one becomes a savepoint.
    const inSavepoint = this.db.transaction((write: () => unknown) => write());
    this.runBatchIsolated = this.transaction((batch: PendingWrite[]) =>
      batch.map((w): Outcome => {
        try {
          return { value: inSavepoint(w.write) };
        } catch (error) {
          return { error };
        }
      }),
    );
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
    const result = this.stmt(
        `INSERT INTO accounts (id, email, api_key_hash, plan, created_at, monitor_count)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
      )
      .run(a.id, a.email, a.apiKeyHash, a.plan, ms(a.createdAt), a.monitorCount);
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

  async deleteAccount(accountId: string): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const owned = 'SELECT id FROM monitors WHERE account_id = ?';
        this.stmt(`DELETE FROM pings WHERE monitor_id IN (${owned})`).run(accountId);
        this.stmt(`DELETE FROM flips WHERE monitor_id IN (${owned})`).run(accountId);
        this.stmt('DELETE FROM notifications WHERE account_id = ?').run(accountId);
        this.stmt('DELETE FROM monitors WHERE account_id = ?').run(accountId);
        return this.stmt('DELETE FROM accounts WHERE id = ?').run(accountId).changes === 1;
      })
      .immediate();
  }

  async createMonitor(m: Monitor, maxMonitors: number | null): Promise<'created' | 'limit_reached'> {
    return this.db
      .transaction((): 'created' | 'limit_reached' => {
        // The count and the limit check are one statement: concurrent creates cannot both pass.
        const counted = this.stmt(
            `UPDATE accounts SET monitor_count = monitor_count + 1
             WHERE id = ? AND (? IS NULL OR monitor_count < ?)`,
          )
          .run(m.accountId, maxMonitors, maxMonitors);
        if (counted.changes !== 1) return 'limit_reached';
        this.stmt(
            `INSERT INTO monitors (id, account_id, name, schedule, grace, alert_email, alert_webhook,
               webhook_secret, ping_token, status, created_at, last_ping_at, last_alert_at, ping_count,
               alert_at, history_days, alert_slack, alert_pagerduty, cron, tz, last_start_at, last_duration, open_runs,
               manual_resume, badge_key, resumed_at, flip_count)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            m.id, m.accountId, m.name, m.schedule, m.grace, emailColumn(m.alertEmail), m.alertWebhook, m.webhookSecret,
            m.pingToken, m.status, ms(m.createdAt), ms(m.lastPingAt), ms(m.lastAlertAt), m.pingCount,
            ms(m.alertAt), m.historyDays, m.alertSlack, m.alertPagerDuty, m.cron, m.tz, ms(m.lastStartAt), m.lastDuration,
            openRunsJson(m.openRuns), m.manualResume ? 1 : 0, m.badgeKey, ms(m.resumedAt), m.flipCount,
          );
        return 'created';
      })
      .immediate();
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

  async deleteMonitor(id: string): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const r = this.stmt('SELECT account_id FROM monitors WHERE id = ?').get(id) as Row | undefined;
        if (!r) return false;
        this.stmt('DELETE FROM monitors WHERE id = ?').run(id);
        this.stmt('DELETE FROM pings WHERE monitor_id = ?').run(id);
        this.stmt('DELETE FROM flips WHERE monitor_id = ?').run(id);
        this.stmt('UPDATE accounts SET monitor_count = monitor_count - 1 WHERE id = ?').run(r.account_id);
        return true;
      })
      .immediate();
  }

  /**
   * Group commit: writes that arrive together (in one turn of the event loop) run in one
   * transaction, and each caller's promise settles only after that transaction has committed.
   * The commit is most of a small write's cost, so a burst of pings (or a sweep's parallel
   * flips) shares one instead of queueing behind one each. A write that throws fails alone (the
   * batch is then run again with a savepoint per write); a transaction that cannot begin or
   * commit fails every write in the batch, and none of them is stored. Writes are closures over
   * the store's statements and the domain's pure decisions, so running one again is safe.
   */
  private grouped<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingWrites.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.pendingWrites.length === 1) setImmediate(() => this.commitPendingWrites());
    });
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
    }
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if ('error' in o) w.reject(o.error);
      else w.resolve(o.value);
    });
  }

  async recordPing(token: string, ping: PingData, decide: DecidePing): Promise<Applied | null> {
    return this.grouped((): Applied | null => {
      const r = this.stmt('SELECT * FROM monitors WHERE ping_token = ?').get(token) as Row | undefined;
      if (!r) return null;
      const monitor = toMonitor(r);
      const t = decide(monitor);
      this.stmt(
        `INSERT INTO pings (monitor_id, at, method, kind, source, user_agent, body, expires_at, exit_code, rid, duration, body_truncated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        monitor.id, ms(ping.at), ping.method, ping.kind, ping.source, ping.userAgent, ping.body,
        ms(t.ping.expiresAt), ping.exitCode, ping.rid, t.ping.duration, ping.bodyTruncated ? 1 : 0,
      );
      return this.applyInTransaction(monitor, t);
    });
  }

  async updateMonitor(id: string, decide: Decide): Promise<Applied | null> {
    return this.grouped((): Applied | null => {
      const r = this.stmt('SELECT * FROM monitors WHERE id = ?').get(id) as Row | undefined;
      if (!r) return null;
      const monitor = toMonitor(r);
      return this.applyInTransaction(monitor, decide(monitor));
    });
  }

  /** Writes a transition with its flip and notifications; must run inside a transaction. */
  private applyInTransaction(monitor: Monitor, t: Transition | null): Applied {
    if (t === null) return { monitor, transition: null };
    const c = t.changes;
    const updated = this.stmt(
        `UPDATE monitors SET status = ?, alert_at = ?,
           last_ping_at = COALESCE(?, last_ping_at), last_alert_at = COALESCE(?, last_alert_at),
           last_start_at = COALESCE(?, last_start_at), last_duration = COALESCE(?, last_duration),
           open_runs = COALESCE(?, open_runs), ping_count = ping_count + ?, manual_resume = COALESCE(?, manual_resume),
           resumed_at = COALESCE(?, resumed_at), flip_count = COALESCE(?, flip_count)
         WHERE id = ? AND status = ?`,
      )
      .run(
        c.status, ms(c.alertAt), ms(c.lastPingAt ?? null), ms(c.lastAlertAt ?? null), ms(c.lastStartAt ?? null),
        c.lastDuration ?? null, c.openRuns ? openRunsJson(c.openRuns) : null, c.countPing ? 1 : 0,
        c.manualResume === undefined ? null : c.manualResume ? 1 : 0, ms(c.resumedAt ?? null), c.flipCount ?? null,
        monitor.id, monitor.status,
      );
    if (updated.changes !== 1) throw new Error(`monitor ${monitor.id} changed inside its own transaction`);
    if (t.flip) {
      const f = t.flip;
      this.stmt('INSERT INTO flips (id, monitor_id, from_status, to_status, at, reason) VALUES (?, ?, ?, ?, ?, ?)')
        .run(f.id, f.monitorId, f.from, f.to, ms(f.at), f.reason);
    }
    const insert = this.stmt(
      `INSERT INTO notifications (id, flip_id, monitor_id, account_id, channel, event, target, created_at,
         state, attempts, next_attempt_at, last_error, delivered_at, snapshot)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const n of t.notifications) {
      insert.run(
        n.id, n.flipId, n.monitorId, n.accountId, n.channel, n.event, n.target, ms(n.createdAt), n.state,
        n.attempts, ms(n.nextAttemptAt), n.lastError, ms(n.deliveredAt),
        JSON.stringify({ ...n.snapshot, lastPingAt: ms(n.snapshot.lastPingAt) }),
      );
    }
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
        const update = edit(monitor);
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

  async listPings(monitorId: string, limit: number): Promise<Ping[]> {
    const rows = this.stmt('SELECT * FROM pings WHERE monitor_id = ? ORDER BY at DESC, seq DESC LIMIT ?')
      .all(monitorId, limit) as Row[];
    return rows.map(toPing);
  }

  async pingHistory(monitorId: string, q: HistoryQuery): Promise<Page<Ping>> {
    // `seq` is the rowid: with the (monitor_id, at) index it gives this order without a sort.
    const rows = this.stmt(
        `SELECT * FROM pings WHERE monitor_id = ? AND (? IS NULL OR at >= ?)
           AND (? IS NULL OR at < ? OR (at = ? AND seq < ?))
         ORDER BY at DESC, seq DESC LIMIT ?`,
      )
      .all(monitorId, ms(q.since), ms(q.since), ...afterKey(q.before), q.limit + 1) as Row[];
    return pageOf(rows, q.limit, toPing, (r) => ({ at: reqDate(r.at), seq: Number(r.seq), id: String(r.seq) }));
  }

  async flipHistory(monitorId: string, q: HistoryQuery): Promise<Page<Flip>> {
    const rows = this.stmt(
        `SELECT rowid AS seq, * FROM flips WHERE monitor_id = ? AND (? IS NULL OR at >= ?)
           AND (? IS NULL OR at < ? OR (at = ? AND rowid < ?))
         ORDER BY at DESC, rowid DESC LIMIT ?`,
      )
      .all(monitorId, ms(q.since), ms(q.since), ...afterKey(q.before), q.limit + 1) as Row[];
    return pageOf(rows, q.limit, toFlip, (r) => ({ at: reqDate(r.at), seq: Number(r.seq), id: String(r.id) }));
  }

  async listFlips(monitorId: string): Promise<Flip[]> {
    const rows = this.stmt('SELECT * FROM flips WHERE monitor_id = ? ORDER BY at, rowid').all(monitorId) as Row[];
    return rows.map(toFlip);
  }

  async purgeExpiredPings(now: Date, limit: number): Promise<number> {
    return this.stmt(
        `DELETE FROM pings WHERE seq IN (
           SELECT seq FROM pings WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?)`,
      )
      .run(ms(now), limit).changes;
  }

  async findDueNotifications(now: Date, limit: number): Promise<Notification[]> {
    const rows = this.stmt(
        `SELECT * FROM notifications WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?
         ORDER BY next_attempt_at LIMIT ?`,
      )
      .all(ms(now), limit) as Row[];
    const found: Notification[] = [];
    for (const r of rows) {
      try {
        found.push(toNotification(r));
      } catch (err) {
        this.stmt('UPDATE notifications SET next_attempt_at = ?, last_error = ? WHERE id = ?')
          .run(now.getTime() + UNREADABLE_RETRY_MS, `unreadable row set aside: ${(err as Error).message}`, r.id);
      }
    }
    return found;
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

  async postponeNotification(id: string, until: Date, reason: string): Promise<void> {
    this.stmt('UPDATE notifications SET next_attempt_at = MAX(next_attempt_at, ?), last_error = ? WHERE id = ? AND next_attempt_at IS NOT NULL')
      .run(ms(until), reason, id);
  }

  async recordDelivery(id: string, attempt: number, rec: DeliveryRecord): Promise<boolean> {
    // Only the holder of the latest claim may record: a stale worker whose lease lapsed loses.
    const result = this.stmt(
        `UPDATE notifications SET state = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?
         WHERE id = ? AND attempts = ? AND state = 'processing'`,
      )
      .run(rec.state, ms(rec.nextAttemptAt), rec.lastError, ms(rec.deliveredAt), id, attempt);
    return result.changes === 1;
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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
