import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema';

/**
 * What undoes each SQLite migration, by the version it brings a database to. The migration tests
 * take a file written by this CronPeek back to an older version with these, then open it again to
 * watch the migrations after that version run on old rows. A new migration adds its undo here.
 */
const UNDO: Record<number, string> = {
  6: 'DROP INDEX monitors_badge_key; ALTER TABLE monitors DROP COLUMN badge_key;',
  7: 'ALTER TABLE monitors DROP COLUMN resumed_at; ALTER TABLE monitors DROP COLUMN flip_count;',
  8: 'DROP TABLE recipients;',
  9: 'DROP TABLE alert_email_counts; ALTER TABLE monitors DROP COLUMN recent_flips; ALTER TABLE monitors DROP COLUMN flapping_since;',
  10: 'DROP TABLE deletions; DROP INDEX pings_bodies; DROP INDEX monitors_body_check; ALTER TABLE pings DROP COLUMN body_size; ALTER TABLE monitors DROP COLUMN body_bytes_unchecked;',
  11: 'ALTER TABLE monitors DROP COLUMN remind_every; ALTER TABLE monitors DROP COLUMN remind_limit; ALTER TABLE monitors DROP COLUMN down_since; ALTER TABLE monitors DROP COLUMN acknowledged_at; ALTER TABLE monitors DROP COLUMN reminders_sent; ALTER TABLE monitors DROP COLUMN next_reminder_at; ALTER TABLE accounts DROP COLUMN default_remind_every;',
  12: 'ALTER TABLE monitors DROP COLUMN alert_after; ALTER TABLE monitors DROP COLUMN recover_after; ALTER TABLE monitors DROP COLUMN max_runtime; ALTER TABLE monitors DROP COLUMN min_runtime; ALTER TABLE monitors DROP COLUMN consecutive_failures; ALTER TABLE monitors DROP COLUMN consecutive_successes; ALTER TABLE monitors DROP COLUMN missed_due_at;',
  13: 'DROP TABLE channels; DROP INDEX notifications_by_channel; DROP INDEX notifications_by_monitor; CREATE INDEX notifications_by_monitor ON notifications (monitor_id, created_at); ALTER TABLE notifications DROP COLUMN channel_id; ALTER TABLE monitors DROP COLUMN channels;',
  14: 'ALTER TABLE monitors DROP COLUMN tags;',
  15: 'ALTER TABLE monitors DROP COLUMN snoozed_until; ALTER TABLE monitors DROP COLUMN depends_on; DROP TABLE maintenance_windows;',
  16: 'DROP TABLE read_keys;',
  17: 'DROP TABLE status_pages;',
  18: 'DROP TABLE sessions; DROP TABLE sign_in_tokens;',
  19: 'DROP INDEX monitors_by_slug; ALTER TABLE monitors DROP COLUMN slug; DROP INDEX accounts_by_ping_key; ALTER TABLE accounts DROP COLUMN ping_key_hash;',
};

/** Takes the (closed) database file back to schema `version`, undoing the newer migrations newest first. */
export function rewindSchema(file: string, version: number): void {
  const raw = new Database(file);
  try {
    for (let v = SCHEMA_VERSION; v > version; v--) {
      if (UNDO[v] === undefined) throw new Error(`no undo for SQLite migration ${v}: add it to test/store/sqlite-rewind.ts`);
      raw.exec(UNDO[v]);
    }
    raw.pragma(`user_version = ${version}`);
  } finally {
    raw.close();
  }
}
