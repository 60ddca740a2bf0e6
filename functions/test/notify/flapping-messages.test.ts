import { SETTLE_MS } from '../../src/domain/alerts';
import { applyChanges, transition, type Signal } from '../../src/domain/transitions';
import type { Channel, Monitor, Notification } from '../../src/domain/types';
import { emailContent, webhookPayload } from '../../src/notify/message';
import { dedupKeyOf, pagerdutyEvent } from '../../src/notify/pagerduty';
import { slackMessage } from '../../src/notify/slack';
import { makeMonitor } from '../support/factories';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const FAIL: Signal = { kind: 'fail', exitCode: null, rid: null, output: null };

/**
 * The alerts of one flapping episode on every channel: an up monitor fails and recovers a minute
 * apart until it flaps (the 7th change, a failure), then it settles down or up.
 */
function episode(settle: 'up' | 'down') {
  let m: Monitor = makeMonitor({
    status: 'up',
    lastPingAt: t0,
    alertAt: at(66),
    alertWebhook: 'https://hooks.example.com/a',
    alertSlack: 'https://hooks.slack.com/services/T0/B0/x',
    alertPagerDuty: 'a'.repeat(32),
  });
  const sent: Notification[] = [];
  const apply = (event: Signal | 'ping' | 'deadline', when: Date) => {
    const t = transition(m, event, when)!;
    m = applyChanges(m, t.changes);
    sent.push(...t.notifications);
  };
  for (let i = 1; i <= 7; i++) apply(i % 2 === 1 ? FAIL : 'ping', at(i));
  if (settle === 'up') apply('ping', at(8));
  const settledAt = new Date((settle === 'up' ? at(8) : at(7)).getTime() + SETTLE_MS);
  apply('deadline', settledAt);
  const byEvent = (event: string) => Object.fromEntries(sent.filter((n) => n.event === event).map((n) => [n.channel, n])) as Record<Channel, Notification>;
  return { flapping: byEvent('monitor.flapping'), settled: byEvent('monitor.settled'), downs: byEvent('monitor.down'), settledAt, sent };
}

describe('a monitor that starts flapping', () => {
  const { flapping } = episode('down');

  test('the e-mail says it flaps, how it is now, and that alerts pause until it settles', () => {
    const mail = emailContent(flapping.email);
    expect(mail.subject).toBe('[CronPeek] FLAPPING: monitor “Nightly DB Backup”');
    expect(mail.text).toContain('is FLAPPING: it changed status 7 times within 30 minutes, and is DOWN now.');
    expect(mail.text).toContain('Alerts about it pause until it has held one status for 30 minutes');
    expect(mail.html).toContain('FLAPPING');
  });

  test('the webhook payload is a monitor.flapping with the status its latest change reached', () => {
    expect(webhookPayload(flapping.webhook)).toMatchObject({ event: 'monitor.flapping', reason: 'failed', monitor: { status: 'down' } });
  });

  test('Slack says it flaps', () => {
    expect(slackMessage(flapping.slack, null).text).toBe('🟠 FLAPPING: Nightly DB Backup — changed status 7 times within 30 minutes; down now');
  });

  test('PagerDuty triggers an incident on the key of the outage the flip began', () => {
    const event = pagerdutyEvent(flapping.pagerduty, null);
    expect(event).toMatchObject({ event_action: 'trigger', payload: { severity: 'error', class: 'flapping', custom_details: { status: 'down' } } });
    expect(event.payload.summary).toBe('FLAPPING: Nightly DB Backup — changed status 7 times within 30 minutes; down now');
  });
});

describe('a flapping monitor that settles down', () => {
  const { flapping, settled, settledAt } = episode('down');

  test('the e-mail leads with DOWN and says it settled after flapping, and since when', () => {
    const mail = emailContent(settled.email);
    expect(mail.subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup” (settled after flapping)');
    expect(mail.text).toContain(`has stopped flapping: it has been DOWN since 2026-03-28 02:07:00 UTC.`);
  });

  test('the webhook payload is a monitor.settled at the moment it settled, status down', () => {
    expect(webhookPayload(settled.webhook)).toMatchObject({
      event: 'monitor.settled',
      occurredAt: settledAt.toISOString(),
      reason: 'settled',
      monitor: { status: 'down' },
    });
  });

  test('PagerDuty keeps the flapping incident open, under the same key', () => {
    const event = pagerdutyEvent(settled.pagerduty, null);
    expect(event.event_action).toBe('trigger');
    expect(event.dedup_key).toBe(dedupKeyOf(flapping.pagerduty));
  });

  test('Slack shows it down', () => {
    expect(slackMessage(settled.slack, null).text).toBe(`🔴 DOWN: Nightly DB Backup — settled after flapping, down since 2026-03-28 02:07:00 UTC`);
  });
});

describe('a flapping monitor that settles up', () => {
  const { flapping, settled } = episode('up');

  test('the e-mail leads with UP', () => {
    expect(emailContent(settled.email).subject).toBe('[CronPeek] UP: monitor “Nightly DB Backup” (settled after flapping)');
  });

  test('PagerDuty resolves the incident the flapping alert opened', () => {
    const event = pagerdutyEvent(settled.pagerduty, null);
    expect(event).toMatchObject({ event_action: 'resolve', dedup_key: dedupKeyOf(flapping.pagerduty), payload: { custom_details: { status: 'up', reason: 'settled' } } });
  });

  test('the webhook payload says up, with the last ping', () => {
    expect(webhookPayload(settled.webhook)).toMatchObject({ event: 'monitor.settled', monitor: { status: 'up', lastPing: at(8).toISOString() } });
  });
});
