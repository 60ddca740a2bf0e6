import type { Page } from 'playwright-core';
import { api, axeViolations, describeWithBrowser, useBrowserSuite, type AxeViolation, type BrowserSuite } from './support';

/**
 * The public status page (issue 22) in Chromium, at a phone and a desktop size: no sideways
 * scroll however long a name is, axe-core finds no serious or critical violation (tags wcag2a
 * and wcag2aa), and its own style block and the site's stylesheet both apply under its policy.
 */

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
];

function describeViolations(violations: AxeViolation[]): string {
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${v.help}`)).join('\n');
}

async function post(baseUrl: string, key: string, apiPath: string, body: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${baseUrl}${apiPath}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`POST ${apiPath} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}

/**
 * A page with a monitor that is down after a failed run (an open outage), one up, one paused and
 * one with a long unbroken name; answers its slug.
 */
async function statusPage(suite: BrowserSuite): Promise<string> {
  const { baseUrl } = suite.server;
  const key = await api.signUp(baseUrl);
  const down = await api.createMonitor(baseUrl, key, { name: 'Nightly database backup', schedule: 3600, tags: ['prod'] });
  const up = await api.createMonitor(baseUrl, key, { name: 'Hourly report', schedule: 3600, tags: ['prod'] });
  const paused = await api.createMonitor(baseUrl, key, { name: 'Weekly invoices', schedule: 3600, tags: ['prod'] });
  await api.createMonitor(baseUrl, key, { name: `billing-${'x'.repeat(90)}`, schedule: 3600, tags: ['prod'] });
  expect((await fetch(down.pingUrl)).status).toBe(200);
  expect((await fetch(`${down.pingUrl}/fail`, { method: 'POST', body: 'disk full' })).status).toBe(200);
  expect((await fetch(up.pingUrl)).status).toBe(200);
  await post(baseUrl, key, `/api/v1/monitors/${paused.monitorId}/pause`, {});
  const slug = `acme-${Date.now().toString(36)}`;
  await post(baseUrl, key, '/api/v1/status-pages', { slug, title: 'Acme Corp status', description: 'Scheduled jobs behind our service.', monitors: { tag: 'prod' } });
  return slug;
}

async function openStatusPage(page: Page, url: string): Promise<string[]> {
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const res = await page.goto(url);
  expect(res?.status()).toBe(200);
  return consoleErrors;
}

describeWithBrowser('the public status page', () => {
  const suite = useBrowserSuite();

  for (const viewport of VIEWPORTS) {
    const size = `${viewport.width}×${viewport.height}`;

    test(`at ${size}: every monitor shown, no sideways scroll, styles applied`, async () => {
      const { page, server } = suite;
      await page.setViewportSize(viewport);
      const slug = await statusPage(suite);
      const consoleErrors = await openStatusPage(page, `${server.baseUrl}/status/${slug}`);
      expect(await page.locator('h1').textContent()).toBe('Acme Corp status');
      expect(await page.locator('.sp-list > li').count()).toBe(4);
      expect(await page.locator('.sp-overall').textContent()).toBe('Some systems are down');
      expect(await page.locator('.sp-outages li').count()).toBe(1);
      const [scroll, client] = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
      expect(scroll).toBeLessThanOrEqual(client);
      // The inline block (allowed by its hash) and the site's stylesheet both apply.
      expect(await page.evaluate(`getComputedStyle(document.querySelector('.sp-list')).listStyleType`)).toBe('none');
      expect(await page.evaluate(`getComputedStyle(document.querySelector('.panel')).borderTopStyle`)).toBe('solid');
      expect(consoleErrors).toEqual([]);
    });

    test(`at ${size}: axe-core finds no serious or critical violation`, async () => {
      const { page, server } = suite;
      await page.setViewportSize(viewport);
      const slug = await statusPage(suite);
      await openStatusPage(page, `${server.baseUrl}/status/${slug}`);
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(describeViolations(serious)).toBe('');
    });
  }

  test('a slug no page has shows a readable 404 page, itself free of serious violations', async () => {
    const { page, server } = suite;
    await page.setViewportSize(VIEWPORTS[0]);
    const res = await page.goto(`${server.baseUrl}/status/no-such-page`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Status page not found');
    const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(describeViolations(serious)).toBe('');
  });
});
