import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithBrowser, launchBrowser, openPage, startTestServer, type TestServer } from './support';

describeWithBrowser('documentation page (public/index.html) on the embedded server', () => {
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
  });

  const codeBlocks = () => page.locator('pre code').allTextContents();
  const sectionText = async (id: string) => (await page.locator(`section#${id}`).textContent()) ?? '';

  test('loads without console errors, page errors or failed requests', async () => {
    const consoleErrors: string[] = [];
    const failed: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('requestfailed', (req) => failed.push(`${req.url()} ${req.failure()?.errorText}`));
    page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.url()} ${res.status()}`);
    });

    const response = await page.goto(`${server.baseUrl}/`, { waitUntil: 'load' });

    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('CronPeek API Documentation');
    expect({ consoleErrors, pageErrors, failed }).toEqual({ consoleErrors: [], pageErrors: [], failed: [] });
  });

  test("its examples use the page's own origin instead of the production one", async () => {
    await page.goto(`${server.baseUrl}/`);

    const blocks = await codeBlocks();

    expect(blocks.filter((text) => text.includes('cronpeek.web.app'))).toEqual([]);
    expect(blocks.filter((text) => text.includes(`${server.baseUrl}/api/`)).length).toBeGreaterThanOrEqual(15);
    expect(blocks).toContain(server.baseUrl);
  });

  test('its health-check example URL answers as documented', async () => {
    await page.goto(`${server.baseUrl}/`);
    const example = (await page.locator('#health-check pre code').first().textContent()) ?? '';
    const url = /curl "([^"]+)"/.exec(example)?.[1];

    expect(url).toBe(`${server.baseUrl}/api/health`);
    const res = await fetch(url as string);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', service: 'cronpeek' });
  });

  test('links to the dashboard and the Postman collection, and both resolve', async () => {
    await page.goto(`${server.baseUrl}/`);
    const nav = page.getByRole('navigation', { name: 'Site' });
    const hrefs = await Promise.all(
      ['Dashboard', 'Postman collection'].map((name) => nav.getByRole('link', { name, exact: true }).getAttribute('href')),
    );
    const [dashboard, collection] = await Promise.all(hrefs.map((href) => fetch(new URL(href as string, page.url()))));

    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('<title>CronPeek Dashboard</title>');
    expect(collection.status).toBe(200);
    expect((await collection.json()) as { info: { name: string } }).toMatchObject({ info: { name: 'CronPeek API' } });
  });

  test('documents every endpoint of the API', async () => {
    await page.goto(`${server.baseUrl}/`);

    const endpoints = (await page.locator('.endpoint-line').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());

    expect(endpoints).toEqual([
      'POST /api/v1/accounts No auth',
      'POST /api/v1/monitors API key required',
      'GET /api/v1/monitors API key required',
      'GET /api/v1/monitors/:id/status API key required',
      'DELETE /api/v1/monitors/:id API key required',
      'GET POST HEAD /api/v1/ping/:token No auth',
      'GET /api/health No auth',
    ]);
  });

  test('says a duplicate signup answers 409 with an error and never shows the key again', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = await sectionText('create-account');

    expect(text).toContain('409 Conflict');
    expect(text).toContain('the existing key is never shown again');
    expect(text).not.toContain('the existing key is returned');
  });

  test('says ping URLs accept GET, POST and HEAD and keep the first 10 KB of a POST body', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = (await sectionText('send-ping')).replace(/\s+/g, ' ');

    expect(text).toContain('Ping URLs accept GET, POST, or HEAD requests');
    expect(text).toContain('keeps the first 10 KB of it');
  });
});
