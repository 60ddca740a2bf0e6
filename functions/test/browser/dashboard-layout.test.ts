import type { Page } from 'playwright-core';
import { api, axeViolations, describeWithBrowser, eventually, useBrowserSuite } from './support';

/** The list first: the monitors are what a signed-in user came for, so they start above the fold. */
describeWithBrowser('dashboard: the list first', () => {
  const suite = useBrowserSuite({ CRONPEEK_DEFAULT_PLAN: 'pro' });

  async function signInWithMonitors(count: number): Promise<string> {
    const { page, server } = suite;
    const key = await api.signUp(server.baseUrl);
    for (let i = 1; i <= count; i++) {
      await api.createMonitor(server.baseUrl, key, { name: `Job ${String(i).padStart(2, '0')}`, schedule: 3600, tags: ['prod'] });
    }
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await eventually(() => page.locator('#monitor-rows tr').count(), count);
    return key;
  }

  /** How many of the list's rows lie wholly inside the viewport, and where the list's table starts. */
  const fold = (page: Page) =>
    page.evaluate(`(() => {
      const rows = Array.from(document.querySelectorAll('#monitor-rows tr'));
      const height = window.innerHeight;
      return {
        listTop: Math.round(document.querySelector('table.monitors').getBoundingClientRect().top),
        visibleRows: rows.filter((r) => { const b = r.getBoundingClientRect(); return b.height > 0 && b.top >= 0 && b.bottom <= height; }).length,
      };
    })()`) as Promise<{ listTop: number; visibleRows: number }>;

  const sideways = (page: Page) => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;

  test('at 1280×900 with 10 monitors the list starts above the fold and shows at least 8 of them', async () => {
    const { page } = suite;
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInWithMonitors(10);

    const { listTop, visibleRows } = await fold(page);

    expect(listTop).toBeLessThan(900);
    expect(visibleRows).toBeGreaterThanOrEqual(8);
  });

  test('the New monitor form stays out of the way until asked for, and closes again', async () => {
    const { page } = suite;
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInWithMonitors(1);
    const toggle = page.getByRole('button', { name: 'New monitor' });
    expect(await page.getByLabel('Name', { exact: true }).isVisible()).toBe(false);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');

    await toggle.click();

    expect(await page.getByLabel('Name', { exact: true }).isVisible()).toBe(true);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('monitor-name');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    expect(await page.getByLabel('Name', { exact: true }).isVisible()).toBe(false);
  });

  test('the account and settings panels come after the list', async () => {
    const { page } = suite;
    await signInWithMonitors(1);

    const order = (await page.evaluate(`['monitors-title', 'account-title', 'sp-title', 'ac-title', 'mw-title', 'channels-title']
      .map((id) => Math.round(document.getElementById(id).getBoundingClientRect().top + window.scrollY))`)) as number[];

    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('at 390 px nothing scrolls sideways, signed out, signed in and with the form open, and axe finds no serious violation', async () => {
    const { page, server } = suite;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.locator('#signed-out').waitFor();
    expect(await sideways(page)).toBe(0);

    await signInWithMonitors(3);
    expect(await sideways(page)).toBe(0);
    await page.getByRole('button', { name: 'New monitor' }).click();
    expect(await sideways(page)).toBe(0);

    const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious).toEqual([]);
  });
});
