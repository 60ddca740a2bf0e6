import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, describeWithBrowser, eventually, launchBrowser, openPage, startTestServer, type TestServer } from './support';

describeWithBrowser('dashboard monitor page: flapping', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    ({ context, page, pageErrors } = await openPage(browser));
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  async function openMonitor(key: string, monitorId: string): Promise<void> {
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('#signed-in').waitFor();
    await page.goto(`${server.baseUrl}/dashboard.html#monitor/${monitorId}`);
    await eventually(() => page.locator('#mp-id').textContent(), monitorId);
  }

  const flapping = () => page.locator('#mp-flapping');

  test('a flapping monitor shows "flapping" next to its status, with since when', async () => {
    const key = await api.signUp(server.baseUrl);
    const m = await api.createMonitor(server.baseUrl, key, { name: 'Flaky job', schedule: 3600 });
    await fetch(m.pingUrl);
    for (let i = 0; i < 7; i++) expect((await fetch(i % 2 === 0 ? `${m.pingUrl}/fail` : m.pingUrl)).status).toBe(200);

    await openMonitor(key, m.monitorId);

    await eventually(() => flapping().isVisible(), true);
    expect(await flapping().textContent()).toBe('flapping');
    expect(await flapping().getAttribute('title')).toMatch(/^Flapping since .+: no alerts until it has held one status for 30 minutes\.$/);
    expect(await page.locator('#mp-status .badge').textContent()).toBe('down');
  });

  test('a monitor that does not flap shows its status alone', async () => {
    const key = await api.signUp(server.baseUrl);
    const m = await api.createMonitor(server.baseUrl, key, { name: 'Steady job', schedule: 3600 });
    await fetch(m.pingUrl);

    await openMonitor(key, m.monitorId);

    await eventually(() => page.locator('#mp-status .badge').textContent(), 'up');
    expect(await flapping().isHidden()).toBe(true);
  });
});
