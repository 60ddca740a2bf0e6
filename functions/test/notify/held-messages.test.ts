import { transition } from '../../src/domain/transitions';
import type { Monitor, Notification } from '../../src/domain/types';
import { emailContent, heldText, plainMessage, webhookPayload } from '../../src/notify/message';
import { slackMessage } from '../../src/notify/slack';
import { makeMonitor } from '../support/factories';

// Issue 21: an alert held for a maintenance window, a snooze or a parent's outage says so when it
// finally goes out, on every channel; one sent when it happened says nothing of the kind.
const at = new Date('2026-03-28T02:00:00.000Z');
const up = (overrides: Partial<Monitor> = {}) => makeMonitor({ status: 'up', lastPingAt: new Date('2026-03-28T00:54:00.000Z'), alertAt: at, ...overrides });

function downRow(channel: Notification['channel'], snapshot: Partial<Notification['snapshot']> = {}): Notification {
  const m = up({ alertWebhook: 'https://hooks.example/cronpeek', alertSlack: 'https://hooks.slack.com/services/T0/B0/x' });
  const row = transition(m, 'deadline', at)!.notifications.find((n) => n.channel === channel);
  if (!row) throw new Error(`no ${channel} row`);
  return { ...row, snapshot: { ...row.snapshot, ...snapshot } };
}

describe('alerts that were held say why they come late', () => {
  test('after maintenance: the e-mail subject and first lines, the plain message and the webhook payload', () => {
    const mail = emailContent(downRow('email', { afterQuiet: 'maintenance' }));
    expect(mail.subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup” — after maintenance');
    expect(mail.text.split('\n').slice(0, 3)).toEqual([
      'Your monitor “Nightly DB Backup” is DOWN.',
      '',
      'This alert was held during a maintenance window and is sent now that the window has ended.',
    ]);
    expect(plainMessage(downRow('webhook', { afterQuiet: 'maintenance' })).title).toMatch(/— no ping since .* \(after maintenance\)$/);
    expect(webhookPayload(downRow('webhook', { afterQuiet: 'maintenance' }))).toMatchObject({ event: 'monitor.down', afterQuiet: 'maintenance' });
  });

  test('after a snooze, and after the parent recovered (its name quoted as user text)', () => {
    expect(heldText(downRow('email', { afterQuiet: 'snooze' }).snapshot)?.short).toBe('after snooze');
    const child = downRow('slack', { afterParent: 'db “host”' });
    expect(heldText(child.snapshot)).toEqual({
      short: 'after “db "host"” recovered',
      sentence: 'This alert was held while “db "host"”, the monitor it depends on, was down; “db "host"” has recovered and this one is still down.',
    });
    expect(JSON.stringify(slackMessage(child, null))).toContain('the monitor it depends on, was down');
    expect(webhookPayload(downRow('webhook', { afterParent: 'db' }))).toMatchObject({ afterParent: 'db' });
  });

  test('an alert sent when it happened carries none of it', () => {
    const row = downRow('webhook');
    expect(heldText(row.snapshot)).toBeNull();
    expect(webhookPayload(row)).not.toHaveProperty('afterQuiet');
    expect(webhookPayload(row)).not.toHaveProperty('afterParent');
    expect(emailContent(downRow('email')).subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup”');
  });
});
