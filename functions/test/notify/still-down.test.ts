import { stillDownNotificationsFor } from '../../src/domain/alerts';
import type { Monitor, Notification } from '../../src/domain/types';
import { emailContent, webhookPayload } from '../../src/notify/message';
import { slackMessage } from '../../src/notify/slack';
import { makeMonitor } from '../support/factories';

const downSince = new Date('2026-03-28T02:00:00.000Z');
const threeHoursLater = new Date('2026-03-28T05:00:00.000Z');

function reminder(overrides: Partial<Monitor>, n: number): Notification {
  const m = makeMonitor({ name: 'Nightly DB Backup', status: 'down', downSince, lastAlertAt: downSince, alertSlack: 'https://hooks.slack.com/services/T/B/x', ...overrides });
  return stillDownNotificationsFor(m, n, threeHoursLater)[0];
}

describe('monitor.still_down as each channel tells it', () => {
  test('the e-mail subject names the reminder, the limit and how long it has been down', () => {
    expect(emailContent(reminder({ remindLimit: 5 }, 2)).subject).toBe('[CronPeek] STILL DOWN: monitor “Nightly DB Backup” (reminder 2 of 5, down for 3 hours)');
    expect(emailContent(reminder({ remindLimit: null }, 7)).subject).toBe('[CronPeek] STILL DOWN: monitor “Nightly DB Backup” (reminder 7, down for 3 hours)');
  });

  test('the e-mail says how to stop the reminders', () => {
    const m = reminder({}, 1);
    expect(emailContent(m).text).toContain(`POST /api/v1/monitors/${m.monitorId}/acknowledge`);
  });

  test('the webhook payload is a monitor.still_down with the reminder', () => {
    expect(webhookPayload(reminder({ remindLimit: 5 }, 2))).toMatchObject({
      event: 'monitor.still_down',
      reason: 'still down',
      occurredAt: threeHoursLater.toISOString(),
      reminder: { number: 2, limit: 5, downSince: downSince.toISOString() },
      monitor: { status: 'down' },
    });
  });

  test('Slack titles it STILL DOWN with the reminder', () => {
    const slack = stillDownNotificationsFor(makeMonitor({ status: 'down', downSince, alertSlack: 'https://hooks.slack.com/services/T/B/x' }), 1, threeHoursLater)
      .find((n) => n.channel === 'slack')!;
    expect(slackMessage(slack, null).text).toBe('🔴 STILL DOWN: Nightly DB Backup — reminder 1, down for 3 hours');
  });

  test('the outage rows share their outage id with the down alert, so PagerDuty could pair them', () => {
    const n = reminder({}, 1);
    expect(n.snapshot.outageId).toBe(`${n.monitorId}_${downSince.getTime()}_down`);
  });
});
