import { transition } from '../../src/domain/transitions';
import type { Channel, Monitor, Notification } from '../../src/domain/types';
import { emailContent, webhookPayload } from '../../src/notify/message';
import { pagerdutyEvent } from '../../src/notify/pagerduty';
import { slackMessage } from '../../src/notify/slack';
import { makeMonitor } from '../support/factories';
import { BIDI_CONTROLS } from '../support/xml';

const at = new Date('2026-03-28T02:00:00.000Z');
/** A name stored before names were checked: a forged header line, an override, quotes that try to close ours. */
const STORED_NAME = 'db\r\nBcc: victim@example.com\u202E ” (failed) “';
const OUTPUT = 'step 1\r\nstep 2 \u202Egnirts\u0007\nerror: disk full';

function alerts(overrides: Partial<Monitor>): Record<Channel, Notification> {
  // A failed run, so that the e-mail and Slack messages carry its output too.
  const m = makeMonitor({
    status: 'up',
    lastPingAt: new Date('2026-03-27T02:00:00.000Z'),
    alertAt: at,
    alertWebhook: 'https://hooks.example.com/a',
    alertSlack: 'https://hooks.slack.com/services/T0/B0/x',
    alertPagerDuty: 'a'.repeat(32),
    ...overrides,
  });
  const t = transition(m, { kind: 'fail', exitCode: 3, rid: null, output: OUTPUT }, at)!;
  return Object.fromEntries(t.notifications.map((n) => [n.channel, n])) as Record<Channel, Notification>;
}

describe('a stored name and a run output with control characters, where alerts show them', () => {
  const n = alerts({ name: STORED_NAME });

  test('the e-mail subject is one line, and only CronPeek closes the quotes around the name', () => {
    const { subject } = emailContent(n.email);
    expect(subject).toBe('[CronPeek] DOWN: monitor “db Bcc: victim@example.com " (failed) "” (exit code 3)');
    expect(subject.match(/[“”]/g)).toEqual(['“', '”']);
  });

  test('the e-mail body shows the output line by line, without the hidden characters', () => {
    const { text, html } = emailContent(n.email);
    expect(text).toContain('Last lines of its output:\n  step 1\n  step 2 gnirts\n  error: disk full');
    for (const body of [text, html]) {
      expect(body).not.toMatch(/[\r\u0007]/);
      expect(body).not.toMatch(BIDI_CONTROLS);
    }
  });

  test('Slack and PagerDuty summaries are one line without hidden characters', () => {
    const slack = slackMessage(n.slack, null);
    const event = pagerdutyEvent(n.pagerduty, null);
    expect(slack.text).toBe('🔴 DOWN: db Bcc: victim@example.com ” (failed) “ — exit code 3');
    expect(event.payload.summary).toBe('DOWN: db Bcc: victim@example.com ” (failed) “ — exit code 3');
    expect(event.payload.component).toBe('db Bcc: victim@example.com ” (failed) “');
    expect(JSON.stringify(slack.blocks)).not.toMatch(/\\r|\\u0007|\u202E/);
  });

  test('data fields keep the name as stored: the webhook payload and PagerDuty details are for programs', () => {
    expect(webhookPayload(n.webhook).monitor.name).toBe(STORED_NAME);
    expect(pagerdutyEvent(n.pagerduty, null).payload.custom_details.name).toBe(STORED_NAME);
  });
});
