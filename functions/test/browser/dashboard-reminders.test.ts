import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, describeWithBrowser, eventually, launchBrowser, openPage, startTestServer, type TestServer } from './support';

describeWithBrowser('dashboard monitor page: reminders and acknowledgement', () => {
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

  const acknowledge = () => page.getByRole('button', { name: 'Acknowledge outage' });
  const reminderState = () => page.locator('#mp-reminder-state').textContent();

  test('the settings form sets and clears the reminder settings', async () => {
    const key = await api.signUp(server.baseUrl);
    const m = await api.createMonitor(server.baseUrl, key, { name: 'Reminded job', schedule: 3600 });
    await openMonitor(key, m.monitorId);
    await eventually(() => page.getByLabel('Remind every (seconds)').inputValue(), '');

    await page.getByLabel('Remind every (seconds)').fill('3600');
    await page.getByLabel('Reminders per outage').fill('5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await eventually(() => page.locator('#mp-edit-saved').textContent(), 'Saved "Reminded job".');
    expect(await monitorStatus(key, m.monitorId)).toMatchObject({ remindEvery: 3600, remindLimit: 5 });
    expect(await reminderState()).toBe('Reminders while down: every 1 hour, at most 5 per outage.');

    await page.getByLabel('Reminders per outage').fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await eventually(async () => (await monitorStatus(key, m.monitorId)).remindLimit, null);
  });

  test('a down monitor offers to acknowledge its outage; acknowledging stops its reminders', async () => {
    const key = await api.signUp(server.baseUrl);
    const m = await api.createMonitor(server.baseUrl, key, { name: 'Broken job', schedule: 3600, remindEvery: 600 });
    expect((await fetch(`${m.pingUrl}/fail`)).status).toBe(200);
    await openMonitor(key, m.monitorId);

    await eventually(() => acknowledge().isVisible(), true);
    expect(await reminderState()).toMatch(/^Down: 0 reminder\(s\) sent, next at .+\.$/);
    await acknowledge().click();
    await eventually(() => page.locator('#mp-control-done').textContent(), 'Acknowledged the outage of "Broken job".');
    expect(await reminderState()).toBe('Outage acknowledged: no more reminders until it ends.');
    expect(await acknowledge().isDisabled()).toBe(true);
    expect(await monitorStatus(key, m.monitorId)).toMatchObject({ acknowledged: true, nextReminderAt: null });
  });

  test('an up monitor has nothing to acknowledge', async () => {
    const key = await api.signUp(server.baseUrl);
    const m = await api.createMonitor(server.baseUrl, key, { name: 'Healthy job', schedule: 3600 });
    await fetch(m.pingUrl);
    await openMonitor(key, m.monitorId);
    await eventually(() => page.locator('#mp-status .badge').textContent(), 'up');
    expect(await acknowledge().isHidden()).toBe(true);
    expect(await reminderState()).toBe('No reminders while down (set them in Settings).');
  });
});
