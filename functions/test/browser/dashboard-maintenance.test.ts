import { api, comeBack, describeWithBrowser, eventually, openMonitorPage, useBrowserSuite, type BrowserSuite } from './support';

/**
 * Quiet times and read-only keys in the dashboard, against a real embedded server: the
 * Maintenance panel (create a window, see it listed and on, delete it), a monitor's page (snooze
 * and lift, depend on another monitor, the badges) and the account panel's read-only keys.
 */
describeWithBrowser('dashboard: maintenance windows, snooze, dependencies and read-only keys', () => {
  const suite = useBrowserSuite();

  async function openDashboard(key: string): Promise<void> {
    const { page, server } = suite;
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('#signed-in').waitFor();
  }

  async function get<T>(key: string, apiPath: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${suite.server.baseUrl}${apiPath}`, { headers: { 'x-api-key': key } });
    return { status: res.status, body: (await res.json()) as T };
  }

  interface Window {
    id: string;
    name: string;
    monitors: string[] | '*';
    schedule: string | null;
    duration: number | null;
    start: string | null;
    end: string | null;
    active: boolean;
  }
  const windows = async (key: string) => (await get<{ windows: Window[] }>(key, '/api/v1/maintenance')).body.windows;

  /** A datetime-local value `minutes` from now, in the browser's zone (the server's here). */
  function localInput(minutes: number): string {
    const t = new Date(Date.now() + minutes * 60_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}`;
  }

  const acceptDialogs = (s: BrowserSuite) => s.page.on('dialog', (dialog) => void dialog.accept());

  test('a one-off window for a chosen monitor is created in the Maintenance panel, listed as on now, and deleted', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const db = await api.createMonitor(suite.server.baseUrl, key, { name: 'Nightly DB Backup', schedule: 3600 });
    await api.createMonitor(suite.server.baseUrl, key, { name: 'Invoice run', schedule: 3600 });
    const { page } = suite;
    acceptDialogs(suite);
    await openDashboard(key);

    await page.getByLabel('Window name').fill('Deploy v2');
    await page.getByLabel('How often').selectOption('once');
    await page.getByLabel('Starts', { exact: true }).fill(localInput(-1));
    await page.getByLabel('Ends', { exact: true }).fill(localInput(60));
    await page.getByLabel('All monitors, those created later too').uncheck();
    await page.locator('#mw-form').getByRole('checkbox', { name: 'Nightly DB Backup' }).check();
    await page.getByRole('button', { name: 'Create window' }).click();

    await eventually(() => page.locator('#mw-done').textContent(), 'Created "Deploy v2".');
    const [created] = await windows(key);
    expect(created).toMatchObject({ name: 'Deploy v2', monitors: [db.monitorId], schedule: null, active: true });
    const item = page.locator(`#mw-list li[data-window-id="${created.id}"]`);
    await eventually(() => item.locator('.mw-state').textContent(), 'On now');
    expect(await item.textContent()).toContain('Covers Nightly DB Backup');

    // The covered monitor's page says it is in maintenance.
    await page.goto(`${suite.server.baseUrl}/dashboard.html#monitor/${db.monitorId}`);
    await eventually(() => page.locator('#mp-quiet-badges [data-quiet="maintenance"]').textContent(), 'in maintenance');
    await page.goto(`${suite.server.baseUrl}/dashboard.html#`);
    // So does its row in the list; the other monitor's row says nothing of it.
    await eventually(() => page.locator(`tr[data-monitor-id="${db.monitorId}"] [data-quiet]`).allTextContents(), ['in maintenance']);
    expect(await page.locator('#monitor-rows [data-quiet]').count()).toBe(1);

    await page.getByRole('button', { name: 'Delete maintenance window Deploy v2' }).click();
    await eventually(() => page.locator('#mw-list li').count(), 0);
    expect(await windows(key)).toEqual([]);
    expect(await page.locator('#mw-none').isVisible()).toBe(true);
  });

  test('a recurring window for every monitor takes its cron line, zone and length in minutes, and shows when it next starts', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const { page } = suite;
    await openDashboard(key);

    await page.getByLabel('Window name').fill('Weekly database maintenance');
    await page.getByLabel('Starts at (cron line)').fill('0 3 * * 0');
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Berlin');
    await page.getByLabel('Lasts (minutes)').fill('120');
    await page.getByRole('button', { name: 'Create window' }).click();

    await eventually(async () => (await windows(key)).length, 1);
    expect((await windows(key))[0]).toMatchObject({ monitors: '*', schedule: '0 3 * * 0', duration: 7200, active: false });
    await eventually(() => page.locator('#mw-list .mw-state').textContent(), 'Next');
    expect(await page.locator('#mw-list').textContent()).toContain('Covers all monitors');
  });

  test("a window the API refuses shows the API's reason, and a missing field is named in the form's words", async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const { page } = suite;
    await openDashboard(key);

    await page.getByRole('button', { name: 'Create window' }).click();
    await eventually(() => page.locator('#mw-error').textContent(), 'Give the window a name.');
    await page.getByLabel('Window name').fill('Broken');
    await page.getByLabel('Starts at (cron line)').fill('every sunday');
    await page.getByRole('button', { name: 'Create window' }).click();
    await eventually(async () => /schedule/.test((await page.locator('#mw-error').textContent()) ?? ''), true);
    expect(await windows(key)).toEqual([]);
  });

  test("a monitor is snoozed for an hour from its page, shows the badge, and the snooze is lifted", async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Nightly DB Backup', schedule: 3600 });
    const { page } = suite;
    await openMonitorPage(suite, key, m.monitorId);
    await eventually(() => page.locator('#mp-snooze-state').textContent(), 'Not snoozed.');

    const before = Date.now();
    await page.getByRole('button', { name: 'Snooze 1 hour' }).click();
    await eventually(async () => (await page.locator('#mp-quiet-badges [data-quiet="snoozed"]').count()) === 1, true);
    const { body } = await get<{ snoozedUntil: string | null }>(key, `/api/v1/monitors/${m.monitorId}`);
    const until = Date.parse(body.snoozedUntil ?? '');
    expect(until).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    expect(await page.locator('#mp-quiet-badges [data-quiet="snoozed"]').textContent()).toMatch(/^snoozed until /);
    expect(await page.getByRole('button', { name: 'Lift snooze' }).isEnabled()).toBe(true);

    await page.getByRole('button', { name: 'Lift snooze' }).click();
    await eventually(() => page.locator('#mp-snooze-state').textContent(), 'Not snoozed.');
    expect((await get<{ snoozedUntil: string | null }>(key, `/api/v1/monitors/${m.monitorId}`)).body.snoozedUntil).toBeNull();
    expect(await page.locator('#mp-quiet-badges [data-quiet]').count()).toBe(0);
  });

  test('a monitor is made to depend on another from its page, and its page says "held" while the parent is down', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const host = await api.createMonitor(suite.server.baseUrl, key, { name: 'db-host', schedule: 3600 });
    const job = await api.createMonitor(suite.server.baseUrl, key, { name: 'Nightly DB Backup', schedule: 3600 });
    const { page } = suite;
    await openMonitorPage(suite, key, job.monitorId);

    await page.getByRole('checkbox', { name: 'db-host' }).check();
    await page.getByRole('button', { name: 'Save dependencies' }).click();
    await eventually(() => page.locator('#mp-quiet-done').textContent(), '"Nightly DB Backup" depends on db-host.');
    expect((await get<{ dependsOn: string[] }>(key, `/api/v1/monitors/${job.monitorId}`)).body.dependsOn).toEqual([host.monitorId]);

    // The parent and then the child fail: the child's page names the parent that holds its alert.
    expect((await fetch(`${host.pingUrl}/fail`)).status).toBe(200);
    expect((await fetch(`${job.pingUrl}/fail`)).status).toBe(200);
    await comeBack(page);
    await eventually(() => page.locator('#mp-quiet-badges [data-quiet="held"]').textContent(), 'held: parent db-host is down');

    await page.getByRole('checkbox', { name: 'db-host' }).uncheck();
    await page.getByRole('button', { name: 'Save dependencies' }).click();
    await eventually(async () => (await get<{ dependsOn: string[] }>(key, `/api/v1/monitors/${job.monitorId}`)).body.dependsOn, []);
  });

  test('a read-only key is created in the account panel, shown once, reads but cannot change, and is revoked', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Nightly DB Backup', schedule: 3600 });
    const { page } = suite;
    acceptDialogs(suite);
    await openDashboard(key);

    await page.getByLabel('What the key is for').fill('Grafana');
    await page.getByRole('button', { name: 'Create read-only key' }).click();
    await page.locator('#rk-new').waitFor();
    const readKey = await page.getByLabel('New read-only key').inputValue();
    expect(readKey).toMatch(/^cpr_[0-9a-f]{32}$/);
    await eventually(() => page.locator('#rk-list .rk-name').allTextContents(), ['Grafana']);
    expect(await page.locator('#rk-list').textContent()).not.toContain(readKey);

    expect((await get<{ name: string }>(readKey, `/api/v1/monitors/${m.monitorId}`)).status).toBe(200);
    const refused = await fetch(`${suite.server.baseUrl}/api/v1/monitors/${m.monitorId}`, { method: 'DELETE', headers: { 'x-api-key': readKey } });
    expect(refused.status).toBe(403);
    expect((await get<{ name: string }>(key, `/api/v1/monitors/${m.monitorId}`)).status).toBe(200);

    await page.getByRole('button', { name: 'Revoke read-only key Grafana' }).click();
    await eventually(() => page.locator('#rk-list li').count(), 0);
    expect((await get<unknown>(readKey, '/api/v1/account')).status).toBe(401);
  });

  test('at 390 px the Maintenance panel, the read-only keys and a monitor page with its quiet badges do not scroll sideways', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'A monitor with a rather long name for a phone screen', schedule: 3600 });
    await fetch(`${suite.server.baseUrl}/api/v1/maintenance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ name: 'A maintenance window with a long name, for a phone', monitors: [m.monitorId], start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() }),
    });
    const { page } = suite;
    await page.setViewportSize({ width: 390, height: 844 });
    await openDashboard(key);
    await eventually(() => page.locator('#mw-list li').count(), 1);
    await page.getByLabel('What the key is for').fill('Grafana on the wall screen');
    await page.getByRole('button', { name: 'Create read-only key' }).click();
    await eventually(() => page.locator('#rk-list li').count(), 1);
    const width = () => page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]') as Promise<[number, number]>;
    let [scroll, client] = await width();
    expect(client).toBe(390);
    expect(scroll).toBeLessThanOrEqual(client);

    await page.goto(`${suite.server.baseUrl}/dashboard.html#monitor/${m.monitorId}`);
    await page.getByRole('button', { name: 'Snooze 1 day' }).click();
    await eventually(() => page.locator('#mp-quiet-badges [data-quiet]').count(), 2);
    [scroll, client] = await width();
    expect(scroll).toBeLessThanOrEqual(client);
  });
});
