import { transition, type Signal } from '../../src/domain/transitions';
import type { Monitor, Notification } from '../../src/domain/types';
import { emailNotifier } from '../../src/notify/email';
import { silentLogger } from '../../src/log';
import { duration, emailContent, plainMessage, when } from '../../src/notify/message';
import { slackMessage } from '../../src/notify/slack';
import { testNotifyConfig } from '../support/deps';
import { makeMonitor } from '../support/factories';
import { alertFor } from './support/alert';
import { startFakeHttp, type FakeHttp } from './support/fake-http';

// Issue 23: alert e-mails with a link to the monitor's page, plural-correct durations, times to
// the second with their zone, and the failing ping's own time when a ping caused the alert.
const PUBLIC_URL = 'https://cronpeek.example';
const at = new Date('2026-03-28T02:00:00.000Z');

function emailRow(m: Monitor, event: Signal | 'deadline'): Notification {
  const t = transition(m, event, at)!;
  const row = t.notifications.find((n) => n.channel === 'email');
  if (!row) throw new Error('no e-mail row');
  return row;
}
const up = (overrides: Partial<Monitor> = {}) =>
  makeMonitor({ status: 'up', lastPingAt: new Date('2026-03-28T00:54:00.250Z'), alertAt: at, ...overrides });

describe('alert e-mail wording', () => {
  test.each([
    [1, '1 second'],
    [90, '90 seconds'],
    [60, '1 minute'],
    [120, '2 minutes'],
    [3_600, '1 hour'],
    [7_200, '2 hours'],
    [86_400, '1 day'],
    [172_800, '2 days'],
  ])('duration(%i) is "%s"', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });

  test('times are shown to the second with their zone: UTC, or the monitor\'s own zone named with its offset', () => {
    expect(when(new Date('2026-03-01T04:00:00.789Z'))).toBe('2026-03-01 04:00:00 UTC');
    expect(when(new Date('2026-03-01T04:00:00.789Z'), 'UTC')).toBe('2026-03-01 04:00:00 UTC');
    expect(when(new Date('2026-03-01T04:00:00.789Z'), 'Europe/Berlin')).toBe('2026-03-01 05:00:00 Europe/Berlin (GMT+1)');
    // After the clocks went forward (29 March 2026) the offset follows.
    expect(when(new Date('2026-04-01T04:00:00.000Z'), 'Europe/Berlin')).toBe('2026-04-01 06:00:00 Europe/Berlin (GMT+2)');
    expect(when(new Date('2026-03-01T23:30:00.000Z'), 'America/New_York')).toBe('2026-03-01 18:30:00 America/New_York (GMT-5)');
    expect(when(null)).toBe('never');
  });

  test('a missed ping says when the last ping came and when it was declared down, with no milliseconds and no "(s)"', () => {
    const mail = emailContent(emailRow(up(), 'deadline'));
    expect(mail.text).toContain('Last ping: 2026-03-28 00:54:00 UTC\nDeclared down: 2026-03-28 02:00:00 UTC');
    expect(mail.text).toContain('plus grace (6 minutes)');
    expect(mail.text).not.toMatch(/\(s\)|\.\d{3}Z/);
  });

  test('a cron monitor in a zone shows its times in that zone, named', () => {
    const mail = emailContent(emailRow(up({ cron: '0 * * * *', tz: 'Europe/Berlin', schedule: 3600 }), 'deadline'));
    expect(mail.text).toContain('Last ping: 2026-03-28 01:54:00 Europe/Berlin (GMT+1)');
    expect(mail.text).toContain('Declared down: 2026-03-28 03:00:00 Europe/Berlin (GMT+1)');
  });

  test('chat channels take the same format, in the same zone: decided so, since people read them too', () => {
    const m = up({ cron: '0 * * * *', tz: 'Europe/Berlin', schedule: 3600, alertSlack: 'https://hooks.slack.com/services/T0/B0/x' });
    const t = transition(m, 'deadline', at)!;
    const slack = t.notifications.find((n) => n.channel === 'slack')!;
    expect(plainMessage(slack).text).toContain('no ping since 2026-03-28 01:54:00 Europe/Berlin (GMT+1)');
    expect(plainMessage(slack).text).toContain('Declared down at 2026-03-28 03:00:00 Europe/Berlin (GMT+1).');
    expect(JSON.stringify(slackMessage(slack, null))).toContain('*Last ping*\\n2026-03-28 01:54:00 Europe/Berlin (GMT+1)');
  });

  test('a down caused by a failure ping gives that ping\'s own time, and the one before it', () => {
    const mail = emailContent(emailRow(up(), { kind: 'fail', exitCode: 3, rid: null, output: null }));
    expect(mail.text).toContain('Failing ping: 2026-03-28 02:00:00 UTC\nPrevious ping: 2026-03-28 00:54:00 UTC');
    expect(mail.text).not.toContain('Declared down');
  });

  test('with a public URL every monitor e-mail links to the monitor\'s page, in the text and as an HTML link', () => {
    for (const event of ['monitor.down', 'monitor.up'] as const) {
      const n = alertFor('email', 'oncall@example.com', event);
      const mail = emailContent(n, PUBLIC_URL);
      const page = `${PUBLIC_URL}/dashboard.html#monitor/${n.snapshot.monitorId}`;
      expect(mail.text).toContain(`Open the monitor: ${page}\nMonitor id: ${n.snapshot.monitorId}`);
      expect(mail.html).toContain(`Open the monitor: <a href="${page}">${page}</a>`);
    }
  });

  test('without a public URL there is no link', () => {
    const mail = emailContent(alertFor('email', 'oncall@example.com'), null);
    expect(mail.text).not.toContain('Open the monitor');
    expect(mail.html).not.toContain('<a ');
  });
});

/** Through the real notifier and the SendGrid SDK, to a local stand-in of `POST /v3/mail/send` (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send). */
describe('the e-mail notifier sends the link to the monitor', () => {
  let sendgrid: FakeHttp;
  beforeEach(async () => {
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
  });
  afterEach(async () => {
    await sendgrid.close();
  });

  test('both bodies carry the configured public URL\'s monitor page', async () => {
    const config = testNotifyConfig({ sendgridApiKey: 'SG.test-key', sendgridApiUrl: sendgrid.origin, publicUrl: PUBLIC_URL });
    const n = alertFor('email', 'oncall@example.com');
    expect(await emailNotifier(config, silentLogger).send(n, { webhookSecret: null })).toEqual({ outcome: 'delivered' });
    const { content } = JSON.parse(sendgrid.requests[0].body) as { content: Array<{ value: string }> };
    for (const part of content) expect(part.value).toContain(`${PUBLIC_URL}/dashboard.html#monitor/${n.snapshot.monitorId}`);
  });
});
