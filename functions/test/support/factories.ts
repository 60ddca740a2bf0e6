import { randomBytes } from 'node:crypto';
import { CHANNEL_EVENTS } from '../../src/domain/channels';
import type { MaintenanceWindow } from '../../src/domain/maintenance';
import type { Account, AlertChannel, Monitor } from '../../src/domain/types';
import { hashApiKey, newApiKey, newBadgeKey, newChannelId, newMonitorId, newPingToken } from '../../src/services/secrets';

export function makeAccount(overrides: Partial<Account> = {}): Account {
  const id = randomBytes(10).toString('hex');
  return {
    id,
    email: `${id}@example.com`,
    apiKeyHash: hashApiKey(newApiKey()),
    plan: 'free',
    createdAt: new Date('2026-03-01T00:00:00.000Z'),
    monitorCount: 0,
    defaults: { remindEvery: null },
    pingKeyHash: null,
    ...overrides,
  };
}

export function makeMonitor(overrides: Partial<Monitor> = {}): Monitor {
  return {
    id: newMonitorId(),
    accountId: 'account-1',
    channels: [],
    tags: [],
    slug: null,
    snoozedUntil: null,
    dependsOn: [],
    name: 'Nightly DB Backup',
    schedule: 3600,
    cron: null,
    tz: null,
    grace: 360,
    alertEmail: 'ops@example.com',
    alertWebhook: null,
    webhookSecret: null,
    alertSlack: null,
    alertPagerDuty: null,
    pingToken: newPingToken(),
    badgeKey: newBadgeKey(),
    status: 'new',
    manualResume: false,
    createdAt: new Date('2026-03-01T00:00:00.000Z'),
    lastPingAt: null,
    lastAlertAt: null,
    pingCount: 0,
    alertAt: null,
    historyDays: 7,
    lastStartAt: null,
    lastDuration: null,
    openRuns: [],
    resumedAt: null,
    flipCount: 0,
    recentFlips: [],
    flappingSince: null,
    remindEvery: null,
    remindLimit: null,
    downSince: null,
    acknowledgedAt: null,
    remindersSent: 0,
    nextReminderAt: null,
    alertAfter: 1,
    recoverAfter: 1,
    maxRuntime: null,
    minRuntime: null,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    missedDueAt: null,
    ...overrides,
  };
}

/** A channel object as the store keeps it: a Slack channel taking every event unless told otherwise. */
export function makeChannel(accountId: string, overrides: Partial<AlertChannel> = {}): AlertChannel {
  return {
    id: newChannelId(),
    accountId,
    kind: 'slack',
    name: 'Ops Slack',
    config: { url: 'https://hooks.slack.com/services/T000/B000/XXXX' },
    events: [...CHANNEL_EVENTS],
    isDefault: false,
    webhookSecret: null,
    createdAt: new Date('2026-03-01T00:00:00.000Z'),
    ...overrides,
  };
}

/**
 * A maintenance window as the store keeps it: a one-off window for every monitor of `account-1`,
 * from 2026-03-02 02:00 to 04:00 UTC, unless told otherwise. To make a recurring one, override
 * `schedule`, `tz` and `duration` and set `start` and `end` to null.
 */
export function makeWindow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: `mw_${randomBytes(8).toString('hex')}`,
    accountId: 'account-1',
    name: 'Database upgrade',
    monitors: '*',
    schedule: null,
    tz: null,
    duration: null,
    start: new Date('2026-03-02T02:00:00.000Z'),
    end: new Date('2026-03-02T04:00:00.000Z'),
    createdAt: new Date('2026-03-01T00:00:00.000Z'),
    ...overrides,
  };
}
