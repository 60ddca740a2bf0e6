import { api, describeWithBrowser, eventually, openMonitorPage, openNewMonitorForm, useBrowserSuite } from './support';

/** Tags in the dashboard: the New monitor form, chips in the list, the filter bar (tag, status, search) and the monitor's settings. */
describeWithBrowser('dashboard: tags and list filters', () => {
  const suite = useBrowserSuite();

  async function openDashboard(key: string): Promise<void> {
    const { page, server } = suite;
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('#signed-in').waitFor();
  }

  /** The names the list shows, top to bottom. */
  const listed = () => suite.page.locator('#monitor-rows .monitor-name').allTextContents();

  async function monitorOf(key: string, monitorId: string): Promise<{ tags: string[] }> {
    const res = await fetch(`${suite.server.baseUrl}/api/v1/monitors/${monitorId}`, { headers: { 'x-api-key': key } });
    return (await res.json()) as { tags: string[] };
  }

  test('the New monitor form creates a tagged monitor, and the list shows its tags as chips', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const { page } = suite;
    await openDashboard(key);

    await openNewMonitorForm(page);
    await page.getByLabel('Name', { exact: true }).fill('Nightly DB Backup');
    await page.getByLabel('Tags (optional)').fill('backup, prod  backup');
    await page.getByRole('button', { name: 'Create monitor' }).click();
    await eventually(listed, ['Nightly DB Backup']);

    const [created] = await api.listMonitors(suite.server.baseUrl, key);
    expect((await monitorOf(key, created.monitorId)).tags).toEqual(['backup', 'prod']);
    expect(await page.locator(`tr[data-monitor-id="${created.monitorId}"] .tag-chip`).allTextContents()).toEqual(['backup', 'prod']);
    expect(await page.getByLabel('Tags (optional)').inputValue()).toBe('');
  });

  test('a tag the API refuses is shown as its error, and nothing is created', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const { page } = suite;
    await openDashboard(key);

    await openNewMonitorForm(page);
    await page.getByLabel('Name', { exact: true }).fill('Shouting job');
    await page.getByLabel('Tags (optional)').fill('Prod');
    await page.getByRole('button', { name: 'Create monitor' }).click();

    await eventually(async () => /^Tags: "Prod" is not a tag/.test((await page.locator('#monitor-error').textContent()) ?? ''), true);
    expect(await api.listMonitors(suite.server.baseUrl, key)).toEqual([]);
  });

  test('the filter bar narrows the list by tag, status and name, combined, and clears', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const base = suite.server.baseUrl;
    const backup = await api.createMonitor(base, key, { name: 'Nightly DB Backup', schedule: 3600, tags: ['backup', 'prod'] });
    await api.createMonitor(base, key, { name: 'Staging backup', schedule: 3600, tags: ['backup', 'staging'] });
    await api.createMonitor(base, key, { name: 'Invoice run', schedule: 3600, tags: ['prod'] });
    await api.createMonitor(base, key, { name: 'Untagged job', schedule: 3600 });
    await fetch(backup.pingUrl); // up; the others stay new
    const { page } = suite;
    await openDashboard(key);
    await eventually(async () => (await listed()).length, 4);
    // The tag choices are every tag the account's monitors have, in order.
    expect(await page.locator('#filter-tag option').allTextContents()).toEqual(['Any tag', 'backup', 'prod', 'staging']);

    await page.getByLabel('Tag', { exact: true }).selectOption('backup');
    await eventually(async () => (await listed()).sort(), ['Nightly DB Backup', 'Staging backup']);
    expect(await page.locator('#filter-count').textContent()).toBe('2 monitors match these filters.');
    // A filtered list keeps every tag among the choices.
    expect(await page.locator('#filter-tag option').allTextContents()).toEqual(['Any tag', 'backup', 'prod', 'staging']);

    await page.getByLabel('Status', { exact: true }).selectOption('new');
    await eventually(listed, ['Staging backup']);

    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('Search names').fill('DB');
    await eventually(listed, ['Nightly DB Backup']);
    expect(await page.locator('#filter-count').textContent()).toBe('1 monitor matches these filters.');

    await page.getByLabel('Search names').fill('nothing like it');
    await eventually(() => page.locator('#no-matches').isVisible(), true);
    expect(await listed()).toEqual([]);
    expect(await page.locator('#no-monitors').isHidden()).toBe(true);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await eventually(async () => (await listed()).length, 4);
    expect(await page.locator('#filter-count').isHidden()).toBe(true);
    expect(await page.locator('#no-matches').isHidden()).toBe(true);
  });

  test('names and tags are shown as text, never as HTML', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    await api.createMonitor(suite.server.baseUrl, key, { name: '<img src=x onerror="document.title=1">', schedule: 3600, tags: ['x-1'] });
    const { page } = suite;
    await openDashboard(key);

    await eventually(listed, ['<img src=x onerror="document.title=1">']);
    expect(await page.locator('#monitor-rows img').count()).toBe(0);
    expect(await page.locator('#monitor-rows .tag-chip').allTextContents()).toEqual(['x-1']);
  });

  test("the monitor's settings show its tags, replace them, and clear them", async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Tagged job', schedule: 3600, tags: ['backup', 'prod'] });
    const { page } = suite;
    await openMonitorPage(suite, key, m.monitorId);
    await eventually(() => page.getByRole('textbox', { name: 'Tags', exact: true }).inputValue(), 'backup, prod');
    expect(await page.locator('#mp-tags .tag-chip').allTextContents()).toEqual(['backup', 'prod']);

    await page.getByRole('textbox', { name: 'Tags', exact: true }).fill('prod nightly');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await eventually(() => page.locator('#mp-edit-saved').textContent(), 'Saved "Tagged job".');
    expect((await monitorOf(key, m.monitorId)).tags).toEqual(['prod', 'nightly']);
    expect(await page.locator('#mp-tags .tag-chip').allTextContents()).toEqual(['prod', 'nightly']);

    await page.getByRole('textbox', { name: 'Tags', exact: true }).fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await eventually(async () => (await monitorOf(key, m.monitorId)).tags, []);
    await eventually(() => page.locator('#mp-tags').textContent(), 'None');
  });

  test('at 390 px the filter bar and a list of long tags do not scroll sideways', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const tags = ['a-rather-long-tag-for-a-phone-01', 'another-long-tag-for-a-phone-002', 'prod', 'backup', 'eu-west-1'];
    await api.createMonitor(suite.server.baseUrl, key, { name: 'Phone job', schedule: 3600, tags });
    const { page } = suite;
    await page.setViewportSize({ width: 390, height: 844 });
    await openDashboard(key);
    await eventually(() => page.locator('#monitor-rows .tag-chip').count(), tags.length);
    await page.getByLabel('Tag', { exact: true }).selectOption('prod');
    await eventually(() => page.locator('#filter-count').isVisible(), true);

    const [scroll, client] = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
    expect(client).toBe(390);
    expect(scroll).toBeLessThanOrEqual(client);
    expect(await page.getByLabel('Search names').isVisible()).toBe(true);
  });
});
