import { transition, type Signal } from '../../src/domain/transitions';
import type { Channel, Monitor, Notification } from '../../src/domain/types';
import { emailContent, webhookPayload } from '../../src/notify/message';
import { pagerdutyEvent } from '../../src/notify/pagerduty';
import { slackMessage } from '../../src/notify/slack';
import { makeMonitor } from '../support/factories';

const at = new Date('2026-03-28T02:00:00.000Z');
const targets: Partial<Monitor> = {
  alertWebhook: 'https://hooks.example.com/a',
  alertSlack: 'https://hooks.slack.com/services/T0/B0/x',
  alertPagerDuty: 'a'.repeat(32),
};

function rows(m: Monitor, event: Signal | 'deadline', when = at): Record<Channel, Notification> {
  const t = transition(m, event, when)!;
  return Object.fromEntries(t.notifications.map((n) => [n.channel, n])) as Record<Channel, Notification>;
}
const up = (overrides: Partial<Monitor> = {}) => makeMonitor({ status: 'up', lastPingAt: new Date('2026-03-27T02:00:00.000Z'), alertAt: at, ...targets, ...overrides });
const fail = (exitCode: number | null, output: string | null): Signal => ({ kind: 'fail', exitCode, rid: null, output });

describe('alerts for a failed run', () => {
  const output = 'copying table 41 of 42\nerror: disk full';
  const n = rows(up(), fail(3, output));

  test('the e-mail names the exit code in its subject and quotes the last lines of the output', () => {
    const mail = emailContent(n.email);
    expect(mail.subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup” (exit code 3)');
    expect(mail.text).toContain('The job reported a failure (exit code 3).');
    expect(mail.text).toContain('Last lines of its output:\n  copying table 41 of 42\n  error: disk full');
    expect(mail.html).toContain('error: disk full');
  });

  test('the webhook payload carries the reason and the output', () => {
    expect(webhookPayload(n.webhook)).toMatchObject({ version: 1, event: 'monitor.down', reason: 'exit code 3', output, monitor: { status: 'down' } });
  });

  test('Slack says which failure and shows the output in a code block, escaped', () => {
    const withMarkup = rows(up(), fail(null, 'see <https://evil.example|here> & `rm`'));
    const message = slackMessage(withMarkup.slack, null);
    expect(message.text).toBe('🔴 DOWN: Nightly DB Backup — failed');
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('The job reported a failure (via /fail).');
    expect(shown).toContain("```see &lt;https://evil.example|here&gt; &amp; 'rm'```");
  });

  test('PagerDuty gets the reason in the summary and the output in its details', () => {
    const event = pagerdutyEvent(n.pagerduty, null);
    expect(event.payload.summary).toBe('DOWN: Nightly DB Backup — exit code 3');
    expect(event.payload.class).toBe('job failure');
    expect(event.payload.custom_details).toMatchObject({ reason: 'exit code 3', output });
  });
});

describe('alerts for a run that never finished', () => {
  const started = up({ openRuns: [{ rid: null, at: new Date(at.getTime() - 600_000) }], alertAt: at });
  const n = rows(started, 'deadline');

  test('every channel says the job started but never finished', () => {
    expect(emailContent(n.email).subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup” (started but never finished)');
    expect(emailContent(n.email).text).toContain('no end arrived within its grace (6 minutes): it started but never finished');
    expect(webhookPayload(n.webhook)).toMatchObject({ reason: 'started but never finished', output: null });
    expect(slackMessage(n.slack, null).text).toBe('🔴 DOWN: Nightly DB Backup — started but never finished');
    expect(pagerdutyEvent(n.pagerduty, null).payload).toMatchObject({ class: 'hung run', summary: 'DOWN: Nightly DB Backup — started but never finished' });
  });
});

describe('alerts for a missed cron run', () => {
  const n = rows(up({ cron: '30 2 * * *', tz: 'Europe/Berlin', schedule: 86_400, grace: 8_640 }), 'deadline');

  test('keep the plain subject and show the cron expression with its zone', () => {
    const mail = emailContent(n.email);
    expect(mail.subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup”');
    expect(mail.text).toContain('No ping arrived within its schedule ("30 2 * * *" (Europe/Berlin)) plus grace (144 minutes).');
    expect(webhookPayload(n.webhook)).toMatchObject({ reason: 'missed', monitor: { schedule: '30 2 * * *', tz: 'Europe/Berlin' } });
    expect(JSON.stringify(slackMessage(n.slack, null).blocks)).toContain('*Schedule*\\n\\"30 2 * * *\\" (Europe/Berlin)');
    expect(pagerdutyEvent(n.pagerduty, null).payload.custom_details).toMatchObject({ schedule: '30 2 * * *', tz: 'Europe/Berlin', reason: 'missed' });
  });
});
