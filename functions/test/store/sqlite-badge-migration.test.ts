import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite';
import { makeAccount, makeMonitor } from '../support/factories';

describe('SQLite migration for status badges', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-badge-migration-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('monitors stored before badges each get their own key, and keys are unique', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const account = makeAccount();
    await store.createAccount(account);
    const monitors = [makeMonitor({ accountId: account.id }), makeMonitor({ accountId: account.id })];
    for (const m of monitors) await store.createMonitor(m, null);
    await store.close();

    // Take the file back to the schema before badges (the fifth migration), dropping what later ones added.
    const raw = new Database(file);
    raw.exec('ALTER TABLE monitors DROP COLUMN resumed_at; ALTER TABLE monitors DROP COLUMN flip_count;');
    raw.exec('DROP TABLE recipients; DROP TABLE alert_email_counts; ALTER TABLE monitors DROP COLUMN recent_flips; ALTER TABLE monitors DROP COLUMN flapping_since;');
    raw.exec('DROP INDEX monitors_badge_key; ALTER TABLE monitors DROP COLUMN badge_key;');
    raw.exec('DROP TABLE deletions; DROP INDEX pings_bodies; DROP INDEX monitors_body_check; ALTER TABLE pings DROP COLUMN body_size; ALTER TABLE monitors DROP COLUMN body_bytes_unchecked;');
    raw.exec('ALTER TABLE monitors DROP COLUMN alert_after; ALTER TABLE monitors DROP COLUMN recover_after; ALTER TABLE monitors DROP COLUMN max_runtime; ALTER TABLE monitors DROP COLUMN min_runtime; ALTER TABLE monitors DROP COLUMN consecutive_failures; ALTER TABLE monitors DROP COLUMN consecutive_successes; ALTER TABLE monitors DROP COLUMN missed_due_at;');
    raw.exec('ALTER TABLE monitors DROP COLUMN remind_every; ALTER TABLE monitors DROP COLUMN remind_limit; ALTER TABLE monitors DROP COLUMN down_since; ALTER TABLE monitors DROP COLUMN acknowledged_at; ALTER TABLE monitors DROP COLUMN reminders_sent; ALTER TABLE monitors DROP COLUMN next_reminder_at; ALTER TABLE accounts DROP COLUMN default_remind_every;');
    raw.exec('ALTER TABLE monitors DROP COLUMN tags;');
    raw.exec('DROP TABLE channels; DROP INDEX notifications_by_channel; DROP INDEX notifications_by_monitor; CREATE INDEX notifications_by_monitor ON notifications (monitor_id, created_at); ALTER TABLE notifications DROP COLUMN channel_id; ALTER TABLE monitors DROP COLUMN channels;');
    raw.pragma('user_version = 5');
    raw.close();

    const upgraded = new SqliteStore(file);
    try {
      const keys = await Promise.all(monitors.map(async (m) => (await upgraded.getMonitor(m.id))?.badgeKey));
      expect(keys).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/), expect.stringMatching(/^[0-9a-f]{32}$/)]);
      expect(keys[0]).not.toBe(keys[1]);
      expect(await upgraded.findMonitorByBadgeKey(keys[0] as string)).toMatchObject({ id: monitors[0].id });
      // The unique index refuses a second monitor with a key already in use.
      const duplicate = await upgraded.createMonitor(makeMonitor({ accountId: account.id, badgeKey: keys[0] as string }), null).then(() => 'created', (err: unknown) => String(err));
      expect(duplicate).toMatch(/UNIQUE constraint failed: monitors\.badge_key/);
    } finally {
      await upgraded.close();
    }
  });
});
