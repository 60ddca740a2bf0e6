import type Database from 'better-sqlite3';

/**
 * Migrations in order; `PRAGMA user_version` records how many have run. Append, never edit:
 * a database created by an older version is brought forward at start.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    api_key_hash TEXT NOT NULL UNIQUE,
    plan TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    monitor_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE monitors (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    schedule INTEGER NOT NULL,
    grace INTEGER NOT NULL,
    alert_email TEXT NOT NULL,
    alert_webhook TEXT,
    webhook_secret TEXT,
    ping_token TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_ping_at INTEGER,
    last_alert_at INTEGER,
    ping_count INTEGER NOT NULL DEFAULT 0,
    alert_at INTEGER,
    history_days INTEGER
  );
  CREATE INDEX monitors_by_account ON monitors (account_id, created_at);
  -- The checker's only question is "alert_at <= now": a partial index keeps it proportional to due monitors.
  CREATE INDEX monitors_due ON monitors (alert_at) WHERE alert_at IS NOT NULL;
  CREATE TABLE pings (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    method TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT,
    user_agent TEXT,
    body TEXT,
    expires_at INTEGER
  );
  CREATE INDEX pings_by_monitor ON pings (monitor_id, at);
  CREATE INDEX pings_expiry ON pings (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE flips (
    id TEXT PRIMARY KEY,
    monitor_id TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX flips_by_monitor ON flips (monitor_id, at);
  CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    flip_id TEXT NOT NULL,
    monitor_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    event TEXT NOT NULL,
    target TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error TEXT,
    delivered_at INTEGER,
    snapshot TEXT NOT NULL
  );
  CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
  CREATE INDEX notifications_by_monitor ON notifications (monitor_id, created_at);
  `,
  // Slack and PagerDuty alert channels (Pro).
  `
  ALTER TABLE monitors ADD COLUMN alert_slack TEXT;
  ALTER TABLE monitors ADD COLUMN alert_pagerduty TEXT;
  `,
  // Cron schedules, start/fail/exit-code signals and run durations.
  `
  ALTER TABLE monitors ADD COLUMN cron TEXT;
  ALTER TABLE monitors ADD COLUMN tz TEXT;
  ALTER TABLE monitors ADD COLUMN last_start_at INTEGER;
  ALTER TABLE monitors ADD COLUMN last_duration INTEGER;
  ALTER TABLE monitors ADD COLUMN open_runs TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE pings ADD COLUMN exit_code INTEGER;
  ALTER TABLE pings ADD COLUMN rid TEXT;
  ALTER TABLE pings ADD COLUMN duration INTEGER;
  `,
  // Pause that only an explicit resume ends; whether a ping's body was cut to the kept size.
  `
  ALTER TABLE monitors ADD COLUMN manual_resume INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE pings ADD COLUMN body_truncated INTEGER NOT NULL DEFAULT 0;
  `,
  // Lost-key recovery and account deletion.
  `
  -- The hash of the one token an account may hold, and when it expires.
  ALTER TABLE accounts ADD COLUMN recovery_token_hash TEXT;
  ALTER TABLE accounts ADD COLUMN recovery_expires_at INTEGER;
  -- Deleting an account removes its notifications, those of monitors deleted earlier too.
  CREATE INDEX notifications_by_account ON notifications (account_id);
  `,
  // Status badges: every monitor gets its own read-only key, existing ones included.
  `
  ALTER TABLE monitors ADD COLUMN badge_key TEXT;
  UPDATE monitors SET badge_key = lower(hex(randomblob(16))) WHERE badge_key IS NULL;
  CREATE UNIQUE INDEX monitors_badge_key ON monitors (badge_key);
  `,
  // When a monitor was last resumed (its deadline counts from it), and its flip count (which numbers flip ids).
  `
  ALTER TABLE monitors ADD COLUMN resumed_at INTEGER;
  ALTER TABLE monitors ADD COLUMN flip_count INTEGER NOT NULL DEFAULT 0;
  UPDATE monitors SET
    resumed_at = (SELECT MAX(at) FROM flips WHERE flips.monitor_id = monitors.id AND flips.reason = 'resume'),
    flip_count = (SELECT COUNT(*) FROM flips WHERE flips.monitor_id = monitors.id);
  `,
  // Confirmed alert addresses: one record per account and address (see domain/recipients.ts).
  `
  CREATE TABLE recipients (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL,
    confirm_token_hash TEXT,
    confirm_expires_at INTEGER,
    unsubscribe_token TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- Deleting an account removes its records.
  CREATE INDEX recipients_by_account ON recipients (account_id);
  `,
  // Flapping (the alert policy's recent flips, and since when a monitor flaps); hourly alert e-mail counts.
  `
  ALTER TABLE monitors ADD COLUMN recent_flips TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE monitors ADD COLUMN flapping_since INTEGER;
  -- One row per counter (an account, or a recipient address) and clock hour; past hours are deleted as new ones are counted.
  CREATE TABLE alert_email_counts (
    counter TEXT NOT NULL,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (counter, hour)
  ) WITHOUT ROWID;
  `,
  // Deletions finished in the background, and the ping body budget.
  `
  -- A deleted monitor ('monitor': its pings and flips) or account ('account': its notifications)
  -- whose rows are still being removed, in small batches (SqliteStore.finishDeletions).
  CREATE TABLE deletions (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, owner_id TEXT NOT NULL);
  -- Bytes of body each ping keeps; a partial index holds only pings with a body, so an account's
  -- total and its oldest bodies are read from the index alone.
  ALTER TABLE pings ADD COLUMN body_size INTEGER NOT NULL DEFAULT 0;
  UPDATE pings SET body_size = length(CAST(body AS BLOB)) WHERE body IS NOT NULL;
  CREATE INDEX pings_bodies ON pings (monitor_id, at, body_size) WHERE body_size > 0;
  -- Body bytes a monitor stored since its account was last totalled; bodies kept before this
  -- version count as new, so accounts already over budget are trimmed.
  ALTER TABLE monitors ADD COLUMN body_bytes_unchecked INTEGER NOT NULL DEFAULT 0;
  UPDATE monitors SET body_bytes_unchecked = (SELECT COALESCE(SUM(body_size), 0) FROM pings WHERE pings.monitor_id = monitors.id AND body_size > 0);
  CREATE INDEX monitors_body_check ON monitors (body_bytes_unchecked) WHERE body_bytes_unchecked > 0;
  `,
  // Reminders while down: the settings, the state of the current outage's reminders, and the account's default.
  `
  ALTER TABLE monitors ADD COLUMN remind_every INTEGER;
  ALTER TABLE monitors ADD COLUMN remind_limit INTEGER;
  ALTER TABLE monitors ADD COLUMN down_since INTEGER;
  ALTER TABLE monitors ADD COLUMN acknowledged_at INTEGER;
  ALTER TABLE monitors ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE monitors ADD COLUMN next_reminder_at INTEGER;
  -- The account's default remindEvery for new monitors; null: none.
  ALTER TABLE accounts ADD COLUMN default_remind_every INTEGER;
  `,
  // Tolerance and run-time limits: the settings, the counts of runs in a row, and the last tolerated miss.
  `
  ALTER TABLE monitors ADD COLUMN alert_after INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE monitors ADD COLUMN recover_after INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE monitors ADD COLUMN max_runtime INTEGER;
  ALTER TABLE monitors ADD COLUMN min_runtime INTEGER;
  ALTER TABLE monitors ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE monitors ADD COLUMN consecutive_successes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE monitors ADD COLUMN missed_due_at INTEGER;
  `,
  // Channel objects (account-level integrations), the ones each monitor is attached to, and delivery logs.
  `
  CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    events TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    webhook_secret TEXT,
    created_at INTEGER NOT NULL
  );
  -- Listing (oldest first), the cap, and deleting an account's.
  CREATE INDEX channels_by_account ON channels (account_id, created_at);
  -- The attached channels, a JSON array of {id, kind, events} in attachment order; a channel's
  -- monitors are found among its account's (monitors_by_account) with json_each.
  ALTER TABLE monitors ADD COLUMN channels TEXT NOT NULL DEFAULT '[]';
  -- The channel object a row goes to; null for a monitor's own alert fields (and older rows).
  ALTER TABLE notifications ADD COLUMN channel_id TEXT;
  -- Delivery logs, newest first by (created_at, id): one monitor's, one channel's.
  DROP INDEX notifications_by_monitor;
  CREATE INDEX notifications_by_monitor ON notifications (monitor_id, created_at, id);
  CREATE INDEX notifications_by_channel ON notifications (channel_id, created_at, id) WHERE channel_id IS NOT NULL;
  `,
  // Tags: a JSON array of lower-case words, in the order given. The list filters by them in the
  // service, over the account's monitors (monitors_by_account), so they need no index.
  `
  ALTER TABLE monitors ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  `,
  // Quiet times: a monitor's snooze and the monitors it depends on (a JSON array of ids), and the
  // account's maintenance windows (read whole per account by delivery, so indexed by account only).
  `
  ALTER TABLE monitors ADD COLUMN snoozed_until INTEGER;
  ALTER TABLE monitors ADD COLUMN depends_on TEXT NOT NULL DEFAULT '[]';
  CREATE TABLE maintenance_windows (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    monitors TEXT NOT NULL,
    schedule TEXT,
    tz TEXT,
    duration INTEGER,
    start_at INTEGER,
    end_at INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX maintenance_windows_by_account ON maintenance_windows (account_id, created_at);
  `,
  // Read-only API keys: found by their hash on every request that carries one (unique, so a
  // hash can never name two keys); listed, capped and deleted by account.
  `
  CREATE TABLE read_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    access TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX read_keys_by_hash ON read_keys (key_hash);
  CREATE INDEX read_keys_by_account ON read_keys (account_id, created_at);
  `,
  // Status pages: found by slug for every public view (unique across the service, so two pages
  // can never claim one address), listed, capped and deleted by account. `monitors` is JSON: a
  // list of ids, or {"tag": …}.
  `
  CREATE TABLE status_pages (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    monitors TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX status_pages_by_slug ON status_pages (slug);
  CREATE INDEX status_pages_by_account ON status_pages (account_id, created_at);
  `,
  // Dashboard sessions, found by their hash on every request that carries one, listed, capped and
  // deleted by account; and sign-in links, one per account (a new one replaces it), spent by hash.
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    session_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    user_agent TEXT
  );
  CREATE UNIQUE INDEX sessions_by_hash ON sessions (session_hash);
  CREATE INDEX sessions_by_account ON sessions (account_id, created_at);
  CREATE TABLE sign_in_tokens (
    account_id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL
  );
  `,
  // Monitor slugs and the account's ping key (issue 22): a slug is unique within its account (the
  // index makes concurrent creates of one slug end with one monitor; rows without a slug are NULL
  // and never clash), and a ping by slug finds its account by the key's hash, then its monitor.
  `
  ALTER TABLE monitors ADD COLUMN slug TEXT;
  CREATE UNIQUE INDEX monitors_by_slug ON monitors (account_id, slug) WHERE slug IS NOT NULL;
  ALTER TABLE accounts ADD COLUMN ping_key_hash TEXT;
  CREATE UNIQUE INDEX accounts_by_ping_key ON accounts (ping_key_hash) WHERE ping_key_hash IS NOT NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this CronPeek (${SCHEMA_VERSION})`);
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
