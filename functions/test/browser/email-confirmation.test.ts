import type { Browser, BrowserContext, Page } from 'playwright-core';
import { recipientId } from '../../src/services/secrets';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { api, comeBack, describeWithBrowser, eventually, launchBrowser, openMonitorPage, openPage, startTestServer, uniqueEmail, type TestServer } from './support';

const LINK = /(http:\/\/127\.0\.0\.1:\d+\/confirm\.html#token=[0-9a-f]{32}\.[A-Za-z0-9_-]{43})/;

describeWithBrowser('alert address confirmation (public/confirm.html, the dashboard account panel)', () => {
  let sendgrid: FakeHttp;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
    // E-mail really goes out (to a local stand-in of SendGrid's API), so confirmation applies.
    [server, browser] = await Promise.all([startTestServer({ SENDGRID_API_KEY: 'SG.test-key', SENDGRID_API_URL: sendgrid.origin }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sendgrid?.close();
  });
  beforeEach(async () => {
    ({ context, page, pageErrors } = await openPage(browser));
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  /** A new account, and the link of the welcome e-mail sent to it. */
  async function signUpWithLink(): Promise<{ apiKey: string; email: string; link: string }> {
    const email = uniqueEmail();
    const apiKey = await api.signUp(server.baseUrl, email);
    for (let i = 0; i < 100; i++) {
      const welcome = sendgrid.requests.map((r) => JSON.parse(r.body)).find((b) => b.personalizations[0].to[0].email === email);
      const link = welcome && LINK.exec(welcome.content[0].value)?.[1];
      if (link) return { apiKey, email, link };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no welcome e-mail to ${email}`);
  }

  const account = async (apiKey: string) =>
    (await (await fetch(`${server.baseUrl}/api/v1/account`, { headers: { 'x-api-key': apiKey } })).json()) as { emailStatus: string };
  const result = () => page.locator('#result').textContent();

  test('the welcome link changes nothing when opened; pressing Confirm confirms the address', async () => {
    const { apiKey, email, link } = await signUpWithLink();
    await page.goto(link);
    await page.getByRole('button', { name: 'Yes, send me these alerts' }).waitFor();
    expect((await account(apiKey)).emailStatus).toBe('pending');

    await page.getByRole('button', { name: 'Yes, send me these alerts' }).click();

    await eventually(result, `${email} is confirmed: this account's alerts now reach it.`);
    expect((await account(apiKey)).emailStatus).toBe('confirmed');
  });

  test('pressing No declines, and the spent link then shows the API error', async () => {
    const { apiKey, email, link } = await signUpWithLink();
    await page.goto(link);
    await page.getByRole('button', { name: 'No, never e-mail me for this account' }).click();
    await eventually(result, `${email} declined: this account never e-mails it again.`);
    expect((await account(apiKey)).emailStatus).toBe('declined');

    await page.reload();
    await page.getByRole('button', { name: 'Yes, send me these alerts' }).click();
    await eventually(() => page.locator('#problem').textContent(), 'Invalid or expired token.');
  });

  test('an alert’s unsubscribe link asks first, unsubscribes on the button, and can subscribe again', async () => {
    const { apiKey, email, link } = await signUpWithLink();
    await page.goto(link);
    await page.getByRole('button', { name: 'Yes, send me these alerts' }).click();
    await eventually(() => account(apiKey).then((a) => a.emailStatus), 'confirmed');
    const accountId = (await server.deps.store.findAccountByEmail(email))!.id;
    const token = (await server.deps.store.getRecipient(recipientId(accountId, email)))!.unsubscribeToken;

    // What a browser gets from the List-Unsubscribe URL: a redirect to the page, nothing changed.
    await page.goto(`${server.baseUrl}/api/v1/email/unsubscribe?token=${token}`);
    expect(page.url()).toBe(`${server.baseUrl}/confirm.html#action=unsubscribe&token=${token}`);
    expect((await account(apiKey)).emailStatus).toBe('confirmed');

    await page.getByRole('button', { name: 'Stop these alerts' }).click();
    await eventually(result, `${email} is unsubscribed: this account's alerts no longer reach it.`);
    expect((await account(apiKey)).emailStatus).toBe('unsubscribed');

    await page.getByRole('button', { name: 'Send me these alerts again' }).click();
    await eventually(result, `${email} is confirmed: this account's alerts now reach it.`);
    expect((await account(apiKey)).emailStatus).toBe('confirmed');
  });

  test('a link without its token says so', async () => {
    await page.goto(`${server.baseUrl}/confirm.html`);
    await eventually(() => page.locator('#problem').textContent(), 'This link has no token. Open the whole link from the e-mail, or copy it into the address bar.');
    expect(await page.getByRole('button', { name: 'Yes, send me these alerts' }).isVisible()).toBe(false);
  });

  test('the page runs under the page policy: no inline script, no framing', async () => {
    const res = await fetch(`${server.baseUrl}/confirm.html`);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
    expect(await res.text()).not.toMatch(/<script>/);
  });

  test('the dashboard account panel says whether the e-mail is confirmed and resends the link', async () => {
    const { apiKey, link } = await signUpWithLink();
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(apiKey);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    const status = () => page.locator('#account-email-status').textContent();
    await eventually(status, 'Not yet: open the link in the e-mail CronPeek sent it');

    // The welcome link still works, so another is refused with the API's reason.
    await page.getByRole('button', { name: 'Resend confirmation e-mail' }).click();
    await eventually(async () => /^A confirmation request is on its way to .*; another can be sent after /.test((await page.locator('#account-error').textContent()) ?? ''), true);

    await fetch(`${server.baseUrl}/api/v1/email/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: link.split('#token=')[1] }) });
    await comeBack(page);
    await eventually(status, 'Yes');
    expect(await page.getByRole('button', { name: 'Resend confirmation e-mail' }).isVisible()).toBe(false);
  });

  test('the monitor page says when its alert address has not confirmed yet', async () => {
    const { apiKey } = await signUpWithLink();
    const other = uniqueEmail();
    const m = await api.createMonitor(server.baseUrl, apiKey, { name: 'Backup', schedule: 3600, alertEmail: other });
    await openMonitorPage({ server, browser, context, page, pageErrors }, apiKey, m.monitorId);
    await eventually(() => page.locator('#mp-alert-email').textContent(), `${other} (not confirmed yet)`);

    // The request goes out after the create answer, so it may still be on its way.
    const sentTo = () => sendgrid.requests.map((r) => JSON.parse(r.body)).find((b) => b.personalizations[0].to[0].email === other);
    await eventually(async () => sentTo() !== undefined, true);
    const token = LINK.exec(sentTo().content[0].value)![1].split('#token=')[1];
    await fetch(`${server.baseUrl}/api/v1/email/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    await page.reload();
    await eventually(() => page.locator('#mp-alert-email').textContent(), other);
  });
});
