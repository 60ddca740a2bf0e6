import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { api, describeWithBrowser, eventually, launchBrowser, openPage, startTestServer, uniqueEmail, type TestServer } from './support';

const LINK = /(http:\/\/127\.0\.0\.1:\d+\/dashboard\.html#signin=[A-Za-z0-9_-]+)/;
const NEUTRAL = 'If an account uses this address, a sign-in link is on its way. Open it in this browser.';

/** Sign-in by e-mail link in the dashboard: the link read from a local stand-in of SendGrid's API, sessions remembered or not, sign-out. */
describeWithBrowser('dashboard: sign in by e-mail link, sessions', () => {
  let sendgrid: FakeHttp;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    sendgrid = await startFakeHttp();
    sendgrid.answer(() => ({ status: 202 }));
    [server, browser] = await Promise.all([startTestServer({ SENDGRID_API_KEY: 'SG.test-key', SENDGRID_API_URL: sendgrid.origin }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sendgrid?.close();
  });
  beforeEach(async () => {
    ({ context, page, pageErrors } = await openPage(browser));
    context.on('page', (p) => p.on('pageerror', (err) => pageErrors.push(err.message)));
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  /** The sign-in links e-mailed to `email`, oldest first. */
  const linksTo = (email: string): string[] =>
    sendgrid.requests
      .map((r) => JSON.parse(r.body))
      .filter((b) => b.personalizations[0].to[0].email === email)
      .map((b) => LINK.exec(b.content[0].value)?.[1])
      .filter((link): link is string => Boolean(link));

  async function linkNumber(email: string, n: number): Promise<string> {
    for (let i = 0; i < 250; i++) {
      const links = linksTo(email);
      if (links.length >= n) return links[n - 1];
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no sign-in link number ${n} to ${email}`);
  }

  /** Asks for a link in the dashboard (ticking "Remember this browser" or not) and returns it. */
  async function requestLink(email: string, remember: boolean): Promise<string> {
    const before = linksTo(email).length;
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel("Your account's e-mail").fill(email);
    await page.getByLabel('Remember this browser').setChecked(remember);
    await page.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
    await eventually(() => page.locator('#link-notice').textContent(), NEUTRAL);
    return linkNumber(email, before + 1);
  }

  const status = async (credential: string, path = '/api/v1/account') =>
    (await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${credential}` } })).status;
  const stored = (p: Page, where: 'localStorage' | 'sessionStorage') => p.evaluate(`${where}.getItem("cronpeek.apiKey")`) as Promise<string | null>;

  test('a remembered e-mail link signs in, leaves the address bar, and a deep link in a new tab opens signed in', async () => {
    const email = uniqueEmail();
    const key = await api.signUp(server.baseUrl, email);
    const monitor = await api.createMonitor(server.baseUrl, key, { name: 'Linked job', schedule: 3600 });

    const link = await requestLink(email, true);
    await page.goto(link);

    await page.locator('#signed-in').waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/dashboard.html`);
    await eventually(() => page.locator('#account-email').textContent(), email);
    const session = await stored(page, 'localStorage');
    expect(session).toMatch(/^cps_[0-9a-f]{32}$/);
    expect(await stored(page, 'sessionStorage')).toBeNull();
    await eventually(() => page.locator('#ses-list li .ses-current').allTextContents(), ['This browser']);

    const tab = await context.newPage();
    await tab.goto(`${server.baseUrl}/dashboard.html#monitor/${monitor.monitorId}`);
    await eventually(() => tab.locator('#mp-id').textContent(), monitor.monitorId);
    expect(await tab.locator('#signed-out').isHidden()).toBe(true);
  });

  test('a link not remembered signs in this tab only: a new tab asks to sign in again', async () => {
    const email = uniqueEmail();
    await api.signUp(server.baseUrl, email);

    const link = await requestLink(email, false);
    await page.goto(link);

    await page.locator('#signed-in').waitFor();
    expect(await stored(page, 'sessionStorage')).toMatch(/^cps_/);
    expect(await stored(page, 'localStorage')).toBeNull();
    const tab = await context.newPage();
    await tab.goto(`${server.baseUrl}/dashboard.html`);
    await tab.locator('#signed-out').waitFor();
    expect(await tab.locator('#signed-in').isHidden()).toBe(true);
  });

  test('an address without an account gets the same answer, and no e-mail', async () => {
    const email = uniqueEmail();
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel("Your account's e-mail").fill(email);
    await page.getByRole('button', { name: 'E-mail me a sign-in link' }).click();

    await eventually(() => page.locator('#link-notice').textContent(), NEUTRAL);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(linksTo(email)).toEqual([]);
  });

  test('a link used once does not sign in again, and says why', async () => {
    const email = uniqueEmail();
    await api.signUp(server.baseUrl, email);
    const link = await requestLink(email, true);
    await page.goto(link);
    await page.locator('#signed-in').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.goto(link);

    await eventually(() => page.locator('#link-error').textContent(), 'This sign-in link is invalid, has expired or was already used. Ask for a new one.');
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
  });

  test('signing out ends the session on the server and forgets it in the browser', async () => {
    const email = uniqueEmail();
    await api.signUp(server.baseUrl, email);
    await page.goto(await requestLink(email, true));
    await page.locator('#signed-in').waitFor();
    const session = (await stored(page, 'localStorage')) as string;
    expect(await status(session)).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.locator('#signed-out').waitFor();
    expect(await stored(page, 'localStorage')).toBeNull();
    for (let i = 0; i < 100 && (await status(session)) !== 401; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await status(session)).toBe(401);
  });

  test('the account panel lists the signed-in browsers and signs another one out', async () => {
    const email = uniqueEmail();
    const key = await api.signUp(server.baseUrl, email);
    const other = (await (
      await fetch(`${server.baseUrl}/api/v1/auth/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key, 'user-agent': 'Other browser/1.0' },
        body: JSON.stringify({ remember: true }),
      })
    ).json()) as { session: string; sessionId: string };
    await page.goto(await requestLink(email, true));
    await page.locator('#signed-in').waitFor();
    const otherItem = page.locator(`#ses-list li[data-session-id="${other.sessionId}"]`);
    await otherItem.waitFor();
    expect(await otherItem.locator('.rk-name').textContent()).toBe('Other browser/1.0');

    await otherItem.getByRole('button', { name: /^Sign out the session of Other browser/ }).click();

    await eventually(() => page.locator('#ses-done').textContent(), 'Signed out that browser.');
    await eventually(() => page.locator('#ses-list li').count(), 1);
    expect(await status(other.session)).toBe(401);
    expect(await status((await stored(page, 'localStorage')) as string)).toBe(200);
  });

  test('the API key still signs in for this tab only', async () => {
    const key = await api.signUp(server.baseUrl);
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();

    await page.locator('#signed-in').waitFor();
    expect(await stored(page, 'sessionStorage')).toBe(key);
    expect(await stored(page, 'localStorage')).toBeNull();
    expect(await page.locator('#key-hint-value').textContent()).toBe(`cpk_…${key.slice(-4)}`);
  });
});
