import { emailNotifier } from '../../src/notify/email';
import { silentLogger } from '../../src/log';
import { testNotifyConfig } from '../support/deps';
import { alertFor } from './support/alert';
import { startFakeHttp, type FakeHttp } from './support/fake-http';

const UNSUBSCRIBE = {
  oneClickUrl: 'https://cronpeek.test/api/v1/email/unsubscribe?token=abc.def',
  pageUrl: 'https://cronpeek.test/confirm.html#action=unsubscribe&token=abc.def',
};

interface SendGridBody {
  headers?: Record<string, string>;
  content: Array<{ type: string; value: string }>;
}

/** RFC 8058 one-click unsubscribe on alert e-mails, as the SendGrid SDK sends them to a local fake of its API. */
describe('alert e-mail unsubscribe', () => {
  let sendgrid: FakeHttp;
  beforeEach(async () => {
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
  });
  afterEach(async () => {
    await sendgrid.close();
  });

  const send = async (context: Parameters<ReturnType<typeof emailNotifier>['send']>[1]) => {
    const notifier = emailNotifier(testNotifyConfig({ sendgridApiKey: 'SG.test-key', sendgridApiUrl: sendgrid.origin }), silentLogger);
    expect(await notifier.send(alertFor('email', 'oncall@example.com'), context)).toEqual({ outcome: 'delivered' });
    return JSON.parse(sendgrid.requests[0].body) as SendGridBody;
  };

  test('carries List-Unsubscribe with the one-click URL and List-Unsubscribe-Post', async () => {
    const body = await send({ webhookSecret: null, unsubscribe: UNSUBSCRIBE });
    expect(body.headers).toEqual({
      'List-Unsubscribe': `<${UNSUBSCRIBE.oneClickUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  test('both bodies end with the page that stops the alerts, HTML-escaped in the HTML one', async () => {
    const [text, html] = (await send({ webhookSecret: null, unsubscribe: UNSUBSCRIBE })).content.map((c) => c.value);
    expect(text.endsWith(`To stop alerts from this account to this address: ${UNSUBSCRIBE.pageUrl}`)).toBe(true);
    expect(html).toContain(`<a href="${UNSUBSCRIBE.pageUrl.replace('&', '&amp;')}">Stop alerts from this account to this address</a>`);
  });

  test('without unsubscribe links (no delivery context for them) the e-mail has neither header nor link', async () => {
    const body = await send({ webhookSecret: null });
    expect(body.headers).toBeUndefined();
    expect(body.content[0].value).not.toContain('confirm.html');
  });
});
