import { emailNotifier } from '../../src/notify/email';
import { silentLogger } from '../../src/log';
import { testNotifyConfig } from '../support/deps';
import { alertFor } from './support/alert';
import { startFakeHttp, type FakeHttp } from './support/fake-http';
import { capturingLogger } from './support/logger';

const KEY = 'SG.test-key';

interface SendGridBody {
  personalizations: Array<{ to: Array<{ email: string }> }>;
  from: { email: string };
  subject: string;
  content: Array<{ type: string; value: string }>;
}

/** The SendGrid SDK itself, talking to a local fake of `POST /v3/mail/send`. */
describe('e-mail notifier', () => {
  let sendgrid: FakeHttp;
  beforeEach(async () => {
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
  });
  afterEach(async () => {
    await sendgrid.close();
  });

  const notifier = (timeoutMs?: number) =>
    emailNotifier(testNotifyConfig({ sendgridApiKey: KEY, sendgridApiUrl: sendgrid.origin }), silentLogger, { timeoutMs });

  test('sends the alert through the SendGrid API with key, sender, recipient, subject and both bodies', async () => {
    const result = await notifier().send(alertFor('email', 'oncall@example.com'), { webhookSecret: null });
    expect(result).toEqual({ outcome: 'delivered' });
    const [req] = sendgrid.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v3/mail/send');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = JSON.parse(req.body) as SendGridBody;
    expect(body.personalizations[0].to).toEqual([{ email: 'oncall@example.com' }]);
    expect(body.from).toEqual({ email: 'alerts@cronpeek.test' });
    expect(body.subject).toBe('[CronPeek] DOWN: monitor “Nightly DB Backup”');
    expect(body.content.map((c) => c.type)).toEqual(['text/plain', 'text/html']);
  });

  test('the body names the monitor, the last ping, the expected schedule and what to do', async () => {
    await notifier().send(alertFor('email', 'oncall@example.com'), { webhookSecret: null });
    const { content } = JSON.parse(sendgrid.requests[0].body) as SendGridBody;
    for (const part of content) {
      expect(part.value).toContain('Nightly DB Backup');
      expect(part.value).toContain('Last ping: 2026-03-28 00:54:00 UTC');
      expect(part.value).toContain('schedule (1 hour) plus grace (6 minutes)');
      expect(part.value).toContain('What to do');
    }
  });

  test('a recovery e-mail is headed UP', async () => {
    await notifier().send(alertFor('email', 'oncall@example.com', 'monitor.up'), { webhookSecret: null });
    expect((JSON.parse(sendgrid.requests[0].body) as SendGridBody).subject).toBe('[CronPeek] UP: monitor “Nightly DB Backup”');
  });

  test.each([429, 500, 503])('SendGrid answering %i is retried', async (status) => {
    sendgrid.answer(() => ({ status }));
    expect(await notifier().send(alertFor('email', 'oncall@example.com'), { webhookSecret: null })).toEqual({
      outcome: 'retry',
      error: `SendGrid answered ${status}`,
    });
  });

  test('a refusal fails at once and keeps SendGrid\'s reason', async () => {
    sendgrid.answer(() => ({ status: 400, json: { errors: [{ message: 'The from address does not match a verified Sender Identity.' }] } }));
    expect(await notifier().send(alertFor('email', 'oncall@example.com'), { webhookSecret: null })).toEqual({
      outcome: 'failed',
      error: 'SendGrid answered 400: The from address does not match a verified Sender Identity.',
    });
  });

  test('SendGrid not answering within the timeout is retried', async () => {
    sendgrid.answer(() => 'hang');
    const result = await notifier(200).send(alertFor('email', 'oncall@example.com'), { webhookSecret: null });
    expect(result.outcome).toBe('retry');
    expect(result).toHaveProperty('error', expect.stringMatching(/^SendGrid unreachable: timeout of 200ms exceeded/));
  });

  test('SendGrid unreachable is retried', async () => {
    await sendgrid.close();
    const result = await notifier().send(alertFor('email', 'oncall@example.com'), { webhookSecret: null });
    expect(result.outcome).toBe('retry');
    expect(result).toHaveProperty('error', expect.stringMatching(/^SendGrid unreachable/));
  });

  test('without an API key the e-mail is written to the log and reported as logged', async () => {
    const log = capturingLogger();
    const n = alertFor('email', 'oncall@example.com');
    const result = await emailNotifier(testNotifyConfig({ sendgridApiKey: null, sendgridApiUrl: sendgrid.origin }), log).send(n, { webhookSecret: null });
    expect(result).toEqual({ outcome: 'logged' });
    expect(sendgrid.requests).toHaveLength(0);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0].fields).toMatchObject({ notification: n.id, to: 'oncall@example.com', subject: '[CronPeek] DOWN: monitor “Nightly DB Backup”' });
    expect(log.lines[0].fields.text).toContain('What to do');
  });
});
