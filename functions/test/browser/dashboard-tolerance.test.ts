import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, describeWithBrowser, eventually, launchBrowser, openPage, startTestServer, type TestServer } from './support';

describeWithBrowser('dashboard monitor page: tolerance and run-time limits', () => {
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

  async function monitorStatus(key: string, monitorId: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${server.baseUrl}/api/v1/monitors/${monitorId}`, { headers: { 'x-api-key': key } });
    return (await res.json()) as Record<string, unknown>;
  }

  const save = () => page.getByRole('button', { name: 'Save changes' }).click();

  test('the settings form sets and clears tolerance and run-time limits, and the page shows the failures in a row', async () => {
    const key = await api.signUp(server.baseUrl);
    const m = await api.createMonitor(server.baseUrl, key, { name: 'Tolerant job', schedule: 3600 });
    await openMonitor(key, m.monitorId);
    await eventually(() => page.getByLabel('Alert after (failed runs in a row)').inputValue(), '1');
    expect(await page.getByLabel('Max run time (seconds)').inputValue()).toBe('');

    await page.getByLabel('Alert after (failed runs in a row)').fill('3');
    await page.getByLabel('Recover after (successes in a row)').fill('2');
    await page.getByLabel('Max run time (seconds)').fill('1800');
    await page.getByLabel('Min run time (seconds)').fill('30');
    await save();
    await eventually(() => page.locator('#mp-edit-saved').textContent(), 'Saved "Tolerant job".');
    expect(await monitorStatus(key, m.monitorId)).toMatchObject({ alertAfter: 3, recoverAfter: 2, maxRuntime: 1800, minRuntime: 30 });

    await fetch(`${server.baseUrl}${new URL(m.pingUrl).pathname}/fail`);
    await page.locator('#mp-refresh').click();
    await eventually(() => page.locator('#mp-streak').textContent(), '1 of 3 failures before an alert');

    await page.getByLabel('Alert after (failed runs in a row)').fill('');
    await page.getByLabel('Max run time (seconds)').fill('');
    await save();
    await eventually(async () => {
      const status = await monitorStatus(key, m.monitorId);
      return [status.alertAfter, status.maxRuntime, status.minRuntime];
    }, [1, null, 30]);
  });
});
