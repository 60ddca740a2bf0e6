import { applyChanges, transition, type MonitorEvent, type Signal } from '../../src/domain/transitions';
import type { Channel, Monitor, Notification } from '../../src/domain/types';
import { emailContent, webhookPayload } from '../../src/notify/message';
import { pagerdutyEvent } from '../../src/notify/pagerduty';
import { slackMessage } from '../../src/notify/slack';
import { makeMonitor } from '../support/factories';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const start: Signal = { kind: 'start', exitCode: null, rid: null, output: null };
const fail = (exitCode: number | null): Signal => ({ kind: 'fail', exitCode, rid: null, output: null });

/** The down alerts, one per channel, of an up monitor after `events`. */
function downAlerts(overrides: Partial<Monitor>, events: Array<[number, MonitorEvent]>): Record<Channel, Notification> {
  let m = makeMonitor({
    status: 'up',
    lastPingAt: t0,
    alertAt: at(3960),
    alertWebhook: 'https://hooks.example.com/a',
    alertSlack: 'https://hooks.slack.com/services/T0/B0/x',
    alertPagerDuty: 'a'.repeat(32),
    ...overrides,
  });
  const sent: Notification[] = [];
  for (const [s, e] of events) {
    const t = transition(m, e, at(s))!;
    m = applyChanges(m, t.changes);
    sent.push(...t.notifications);
  }
  return Object.fromEntries(sent.filter((n) => n.event === 'monitor.down').map((n) => [n.channel, n])) as Record<Channel, Notification>;
}

const slackText = (n: Notification): string => JSON.stringify(slackMessage(n, null));

describe('a down alert after several failed runs in a row', () => {
  const missed = () => downAlerts({ alertAfter: 3 }, [[3960, 'deadline'], [7560, 'deadline'], [11_160, 'deadline']]);
  const failed = () => downAlerts({ alertAfter: 3 }, [[100, fail(3)], [200, fail(3)], [300, fail(3)]]);

  test('says the count in the e-mail: subject for a missed ping, and the body', () => {
    const mail = emailContent(missed().email);
    expect(mail.subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup” (3rd failure in a row)');
    expect(mail.text).toContain('No ping arrived within its schedule (1 hour) plus grace (6 minutes). It is the 3rd failure in a row.');
  });

  test('keeps what failed in the subject of a failure, with the count', () => {
    expect(emailContent(failed().email).subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup” (exit code 3 (3rd failure in a row))');
    expect(emailContent(failed().email).text).toContain('The job reported a failure (exit code 3). It is the 3rd failure in a row.');
  });

  test('gives webhooks the whole reason', () => {
    expect(webhookPayload(missed().webhook).reason).toBe('missed (3rd failure in a row)');
  });

  test('says the count in Slack and in the PagerDuty summary', () => {
    expect(slackText(failed().slack)).toContain('exit code 3 (3rd failure in a row)');
    expect(slackText(missed().slack)).toContain('(3rd failure in a row)');
    expect(pagerdutyEvent(missed().pagerduty, null).payload.summary).toBe(`DOWN: Nightly DB Backup — no ping since 2026-03-28 02:00:00 UTC (3rd failure in a row)`);
    expect(pagerdutyEvent(failed().pagerduty, null).payload.summary).toBe('DOWN: Nightly DB Backup — exit code 3 (3rd failure in a row)');
  });

  test('is worded as before when the first failure alerts', () => {
    const mail = emailContent(downAlerts({}, [[3960, 'deadline']]).email);
    expect(mail.subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup”');
    expect(mail.text).not.toContain('in a row');
  });
});

describe('a down alert for a run-time limit', () => {
  test('tells a run that ran too long', () => {
    const alerts = downAlerts({ maxRuntime: 1800 }, [[100, start], [1900, 'deadline']]);
    expect(emailContent(alerts.email).subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup” (ran longer than 30m)');
    expect(emailContent(alerts.email).text).toContain('A run started and did not end within its maximum run time: it ran longer than 30m.');
    expect(pagerdutyEvent(alerts.pagerduty, null).payload.summary).toBe('DOWN: Nightly DB Backup — ran longer than 30m');
  });

  test('tells a run that finished too fast', () => {
    const alerts = downAlerts({ minRuntime: 30 }, [[100, start], [102, 'ping']]);
    expect(emailContent(alerts.email).text).toContain('A run ended sooner than its minimum run time allows: it finished too fast (2s < 30s).');
    expect(webhookPayload(alerts.webhook).reason).toBe('finished too fast (2s < 30s)');
    expect(slackText(alerts.slack)).toContain('finished too fast (2s &lt; 30s)');
  });
});
