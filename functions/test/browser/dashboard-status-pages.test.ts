import { api, describeWithBrowser, eventually, useBrowserSuite } from './support';

interface OwnPage {
  id: string;
  slug: string;
  title: string;
  monitors: string[] | { tag: string };
  url: string;
}

/** The Status pages panel: list with the public address, create for ticked monitors or a tag, delete. */
describeWithBrowser('dashboard: status pages', () => {
  const suite = useBrowserSuite({ CRONPEEK_DEFAULT_PLAN: 'pro' });

  async function openDashboard(key: string): Promise<void> {
    const { page, server } = suite;
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('#signed-in').waitFor();
  }

  const pagesOf = async (key: string): Promise<OwnPage[]> =>
    ((await (await fetch(`${suite.server.baseUrl}/api/v1/status-pages`, { headers: { 'x-api-key': key } })).json()) as { statusPages: OwnPage[] }).statusPages;
  const slugOf = (name: string) => `${name}-${Date.now().toString(36)}`;

  test('creates a page for the ticked monitors and lists it with its public link', async () => {
    const { page, server } = suite;
    const key = await api.signUp(server.baseUrl);
    const shown = await api.createMonitor(server.baseUrl, key, { name: 'Shown job', schedule: 3600 });
    const hidden = await api.createMonitor(server.baseUrl, key, { name: 'Private job', schedule: 3600 });
    await openDashboard(key);
    const slug = slugOf('jobs');

    await page.getByLabel('Page title').fill('Our jobs');
    await page.getByLabel('Address', { exact: true }).fill(slug);
    await page.locator('#sp-monitor-choices').getByLabel('Private job').waitFor();
    await page.locator('#sp-monitor-choices').getByLabel('Private job').uncheck();
    await page.getByRole('button', { name: 'Create status page' }).click();

    const link = page.locator('#sp-list a.sp-url');
    await eventually(() => link.allTextContents(), [`${server.baseUrl}/status/${slug}`]);
    expect(await link.getAttribute('href')).toBe(`${server.baseUrl}/status/${slug}`);
    const [created] = await pagesOf(key);
    expect(created).toMatchObject({ slug, title: 'Our jobs', monitors: [shown.monitorId] });
    expect(created.monitors).not.toContain(hidden.monitorId);
    const publicView = (await (await fetch(`${server.baseUrl}/status/${slug}.json`)).json()) as { monitors: Array<{ name: string }> };
    expect(publicView.monitors.map((m) => m.name)).toEqual(['Shown job']);
    expect(await page.locator('#sp-list li .hint').textContent()).toBe('Shows Shown job');
  });

  test('creates a page for every monitor with a tag', async () => {
    const { page, server } = suite;
    const key = await api.signUp(server.baseUrl);
    await openDashboard(key);
    const slug = slugOf('prod');

    await page.getByLabel('Page title').fill('Production');
    await page.getByLabel('Address', { exact: true }).fill(slug);
    await page.getByLabel('Which monitors').selectOption('tag');
    await page.getByLabel('Tag of the monitors it shows').fill('prod');
    await page.getByRole('button', { name: 'Create status page' }).click();

    await eventually(() => page.locator('#sp-list li .hint').allTextContents(), ['Shows every monitor tagged prod']);
    expect((await pagesOf(key)).map((p) => p.monitors)).toEqual([{ tag: 'prod' }]);
  });

  test('a taken address shows the API error and creates nothing', async () => {
    const { page, server } = suite;
    const first = await api.signUp(server.baseUrl);
    const monitor = await api.createMonitor(server.baseUrl, first, { name: 'Theirs', schedule: 3600 });
    const slug = slugOf('taken');
    const res = await fetch(`${server.baseUrl}/api/v1/status-pages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': first },
      body: JSON.stringify({ slug, title: 'Theirs', monitors: [monitor.monitorId] }),
    });
    expect(res.status).toBe(201);
    const key = await api.signUp(server.baseUrl);
    await api.createMonitor(server.baseUrl, key, { name: 'Mine', schedule: 3600 });
    await openDashboard(key);

    await page.getByLabel('Page title').fill('Mine');
    await page.getByLabel('Address', { exact: true }).fill(slug);
    await page.locator('#sp-monitor-choices').getByLabel('Mine').waitFor();
    await page.getByRole('button', { name: 'Create status page' }).click();

    await page.locator('#sp-error').waitFor();
    expect(await page.locator('#sp-error').textContent()).toMatch(/./);
    expect(await pagesOf(key)).toEqual([]);
  });

  test('a malformed address is explained in the form\'s words before anything is sent', async () => {
    const { page, server } = suite;
    const key = await api.signUp(server.baseUrl);
    await openDashboard(key);

    await page.getByLabel('Page title').fill('Bad');
    await page.getByLabel('Address', { exact: true }).fill('Not A Slug');
    await page.getByRole('button', { name: 'Create status page' }).click();

    await eventually(() => page.locator('#sp-error').textContent(), 'The address takes 2 to 63 lower-case letters, digits and dashes, starting with a letter or digit.');
    expect(await pagesOf(key)).toEqual([]);
  });

  test('deletes a page: it leaves the list and its public address answers 404', async () => {
    const { page, server } = suite;
    const key = await api.signUp(server.baseUrl);
    const monitor = await api.createMonitor(server.baseUrl, key, { name: 'Job', schedule: 3600 });
    const slug = slugOf('gone');
    await fetch(`${server.baseUrl}/api/v1/status-pages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ slug, title: 'Soon gone', monitors: [monitor.monitorId] }),
    });
    await openDashboard(key);
    page.on('dialog', (dialog) => void dialog.accept());

    await page.getByRole('button', { name: 'Delete status page Soon gone' }).click();

    await eventually(() => page.locator('#sp-done').textContent(), 'Deleted "Soon gone".');
    await eventually(() => page.locator('#sp-list li').count(), 0);
    expect(await page.locator('#sp-none').isVisible()).toBe(true);
    expect(await pagesOf(key)).toEqual([]);
    expect((await fetch(`${server.baseUrl}/status/${slug}.json`)).status).toBe(404);
  });
});
