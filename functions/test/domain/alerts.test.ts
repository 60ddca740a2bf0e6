import { alertEventOf, MAX_ATTEMPTS, nextRetryAt, notificationsFor } from '../../src/domain/alerts';
import { applyChanges, transition } from '../../src/domain/transitions';
import { makeMonitor } from '../support/factories';

const now = new Date('2026-03-28T02:00:00.000Z');

describe('alert policy', () => {
  test('an outage alerts every channel of the monitor', () => {
    const m = makeMonitor({ status: 'up', alertAt: now, alertWebhook: 'https://hooks.example.com/x' });
    const flip = transition(m, 'deadline', now)!.flip!;
    const rows = notificationsFor(flip, m);
    expect(rows.map((n) => [n.channel, n.event, n.target])).toEqual([
      ['email', 'monitor.down', 'ops@example.com'],
      ['webhook', 'monitor.down', 'https://hooks.example.com/x'],
    ]);
    expect(rows.every((n) => n.state === 'pending' && n.attempts === 0 && n.nextAttemptAt?.getTime() === now.getTime())).toBe(true);
  });

  test('a monitor without a webhook alerts by e-mail only', () => {
    const m = makeMonitor({ status: 'up', alertAt: now });
    const rows = notificationsFor(transition(m, 'deadline', now)!.flip!, m);
    expect(rows.map((n) => n.channel)).toEqual(['email']);
  });

  test('a recovery is announced', () => {
    const m = makeMonitor({ status: 'down' });
    expect(alertEventOf(transition(m, 'ping', now)!.flip!)).toBe('monitor.up');
  });

  test('the snapshot freezes what the alert says about the monitor', () => {
    const last = new Date('2026-03-28T00:00:00.000Z');
    const m = makeMonitor({ status: 'up', alertAt: now, lastPingAt: last, name: 'ETL' });
    const flip = transition(m, 'deadline', now)!.flip!;
    const [row] = notificationsFor(flip, m);
    expect(row.snapshot).toEqual({
      monitorId: m.id, name: 'ETL', schedule: m.schedule, grace: m.grace, lastPingAt: last, outageId: `${m.id}_${now.getTime()}_down`,
      cron: null, tz: null, reason: 'missed', output: null,
    });
  });

  test('a recovery names the outage its down alert named', () => {
    const up = makeMonitor({ status: 'up', alertAt: now, lastPingAt: new Date('2026-03-28T00:00:00.000Z') });
    const downFlip = transition(up, 'deadline', now)!;
    const down = applyChanges(up, downFlip.changes);
    const later = new Date(now.getTime() + 5 * 60_000);
    const [recovery] = notificationsFor(transition(down, 'ping', later)!.flip!, down);
    expect(recovery.event).toBe('monitor.up');
    expect(recovery.snapshot.outageId).toBe(downFlip.notifications[0].snapshot.outageId);
  });

  test('the outage key is the id down flips had before they were numbered, so an outage from then still pairs', () => {
    const down = makeMonitor({ status: 'down', lastAlertAt: now, flipCount: 5 });
    const [recovery] = notificationsFor(transition(down, 'ping', new Date(now.getTime() + 60_000))!.flip!, down);
    expect(recovery.snapshot.outageId).toBe(`${down.id}_${now.getTime()}_down`);
  });
});

describe('retry schedule', () => {
  test('starts at 30 seconds and doubles', () => {
    expect(nextRetryAt(1, now)!.getTime() - now.getTime()).toBe(30_000);
    expect(nextRetryAt(2, now)!.getTime() - now.getTime()).toBe(60_000);
    expect(nextRetryAt(3, now)!.getTime() - now.getTime()).toBe(120_000);
  });

  test('never waits more than an hour between attempts', () => {
    expect(nextRetryAt(MAX_ATTEMPTS - 1, now)!.getTime() - now.getTime()).toBe(3_600_000);
  });

  test('keeps trying for more than an hour before giving up', () => {
    let total = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) total += nextRetryAt(attempt, now)!.getTime() - now.getTime();
    expect(total).toBeGreaterThan(3_600_000);
    expect(nextRetryAt(MAX_ATTEMPTS, now)).toBeNull();
  });
});
