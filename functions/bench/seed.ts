/**
 * Monitors written straight into the schema, for benches that need tens of thousands to
 * millions of them (store calls would take minutes and measure nothing the bench does).
 */
import Database from 'better-sqlite3';
import { newBadgeKey, newMonitorId, newPingToken } from '../src/services/secrets';
import { SqliteStore } from '../src/store/sqlite';

export interface DirectSeed {
  accountId: string;
  email: string;
  monitors: number;
  /** Seconds between pings, and the grace after a missed one. */
  schedule: number;
  grace: number;
  now: number;
  /** The i-th monitor's deadline (`alert_at`, ms). */
  alertAt: (i: number) => number;
  name: (i: number) => string;
}

/**
 * A new database at `dbPath` (the store's schema) with one pro account (so it may hold them all)
 * and its monitors, written in one transaction: all up, created a day ago, last pinged one
 * schedule ago. Returns their ping tokens.
 */
export function seedMonitorsDirect(dbPath: string, s: DirectSeed): string[] {
  void new SqliteStore(dbPath, { checkpoints: 'inline' }).close(); // creates the schema
  const db = new Database(dbPath);
  db.prepare(`INSERT INTO accounts (id, email, api_key_hash, plan, created_at, monitor_count) VALUES (?, ?, ?, 'pro', ?, ?)`).run(
    s.accountId, s.email, 'x'.repeat(64), s.now, s.monitors,
  );
  const insert = db.prepare(
    `INSERT INTO monitors (id, account_id, name, schedule, grace, alert_email, ping_token, badge_key, status, created_at,
       last_ping_at, ping_count, alert_at, history_days)
     VALUES (?, ?, ?, ?, ?, 'ops@example.com', ?, ?, 'up', ?, ?, 1, ?, 7)`,
  );
  const tokens: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < s.monitors; i++) {
      const token = newPingToken();
      tokens.push(token);
      insert.run(newMonitorId(), s.accountId, s.name(i), s.schedule, s.grace, token, newBadgeKey(), s.now - 86_400_000, s.now - s.schedule * 1000, s.alertAt(i));
    }
  })();
  db.close();
  return tokens;
}
