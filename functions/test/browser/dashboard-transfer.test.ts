import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { api, axeViolations, describeWithBrowser, eventually, signInWithKey, useBrowserSuite } from './support';

/**
 * Export and import in the dashboard's account panel: Export downloads the account's export as
 * cronpeek-export-YYYY-MM-DD.json; a file chosen for import gets a dry run's report first, then
 * imports on its button and the list shows the monitors; a Healthchecks check list shows what it
 * leaves out; a file that is not JSON is refused without calling the API.
 */
const VIEWPORTS: Array<[string, { width: number; height: number }]> = [
  ['1280 px', { width: 1280, height: 900 }],
  ['390 px', { width: 390, height: 844 }],
];

const SHOTS = '/tmp/cronpeek-shots';

describe.each(VIEWPORTS)('at %s', (label, viewport) => {
  describeWithBrowser('dashboard: export and import', () => {
    const suite = useBrowserSuite();
    const shot = (name: string) => `${SHOTS}/transfer-${label.replace(' ', '')}-${name}.png`;

    beforeAll(() => {
      fs.mkdirSync(SHOTS, { recursive: true });
    });

    beforeEach(async () => {
      await suite.page.setViewportSize(viewport);
    });


    async function signOut(page: Page): Promise<void> {
      await page.locator('#sign-out').click();
      await page.locator('#signed-out').waitFor();
    }

    async function expectCleanPage(page: Page): Promise<void> {
      const [scroll, client] = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
      expect(scroll).toBeLessThanOrEqual(client);
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    }

    /** The report's entries as the page shows them: name, result attribute, and the whole item's text. */
    function reportItems(page: Page): Promise<Array<{ name: string; result: string; text: string }>> {
      return page.locator('#tx-list li').evaluateAll((lis) =>
        lis.map((li) => ({
          name: (li.querySelector('.tx-name')?.textContent ?? '').trim(),
          result: li.getAttribute('data-result') ?? '',
          text: (li.textContent ?? '').replace(/\s+/g, ' ').trim(),
        })),
      );
    }

    const file = (name: string, text: string) => ({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

    test('exports with the button, and imports the file into another account after a dry run', async () => {
      const { page, server } = suite;
      const from = await api.signUp(server.baseUrl);
      const longName = 'Nightly database backup of the whole production cluster with a name far too long for a phone';
      await api.createMonitor(server.baseUrl, from, { name: longName, schedule: 86400, slug: 'nightly-backup', tags: ['db'] });
      await api.createMonitor(server.baseUrl, from, { name: 'Hourly sync', schedule: 3600, slug: 'hourly-sync' });
      await signInWithKey(suite, from);
      await eventually(() => page.locator('#monitor-rows a.monitor-name').count(), 2);

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export monitors' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^cronpeek-export-\d{4}-\d{2}-\d{2}\.json$/);
      const text = fs.readFileSync((await download.path()) as string, 'utf8');
      const exported = JSON.parse(text) as { version: number; monitors: Array<{ name: string; slug: string }> };
      expect(exported.version).toBe(1);
      expect(exported.monitors.map((m) => m.slug)).toEqual(['nightly-backup', 'hourly-sync']);
      expect(await page.locator('#tx-error').isHidden()).toBe(true);

      // Into a second account: the dry run reports and changes nothing.
      await signOut(page);
      const to = await api.signUp(server.baseUrl);
      await signInWithKey(suite, to);
      await eventually(() => page.locator('#tx-report').isHidden(), true);
      await page.getByLabel('Import monitors from a file').setInputFiles(file(download.suggestedFilename(), text));
      await eventually(async () => (await reportItems(page)).map((i) => [i.name, i.result]), [[longName, 'created'], ['Hourly sync', 'created']]);
      const summary = page.locator('#tx-summary');
      expect(await summary.textContent()).toMatch(/^Nothing is imported yet\. cronpeek-export-.*\.json has 2 monitors: 2 would be created\.$/);
      expect((await reportItems(page))[0].text).toContain('would be created');
      expect(await api.listMonitors(server.baseUrl, to)).toHaveLength(0);
      const importButton = page.getByRole('button', { name: 'Import 2 monitors' });
      expect(await importButton.isVisible()).toBe(true);
      await expectCleanPage(page);
      await page.locator('#tx-section').screenshot({ path: shot('dry-run') });

      // The real import: the final report, and the list shows the monitors without waiting for its timer.
      await importButton.click();
      await eventually(async () => /^Imported cronpeek-export-.*\.json: 2 created\.$/.test((await summary.textContent()) ?? ''), true);
      expect(await importButton.isHidden()).toBe(true);
      expect((await api.listMonitors(server.baseUrl, to)).map((m) => m.name).sort()).toEqual(['Hourly sync', longName].sort());
      await eventually(async () => (await page.locator('#monitor-rows a.monitor-name').allTextContents()).sort(), ['Hourly sync', longName].sort());
      await expectCleanPage(page);

      // The same file again: every monitor unchanged, nothing to import.
      await page.getByLabel('Import monitors from a file').setInputFiles(file('again.json', text));
      await eventually(async () => (await reportItems(page)).map((i) => i.result), ['unchanged', 'unchanged']);
      expect(await summary.textContent()).toBe('Nothing is imported yet. again.json has 2 monitors: 2 unchanged. There is nothing to import.');
      expect(await page.locator('#tx-import').isHidden()).toBe(true);
    });

    test("imports a Healthchecks check list, naming the fields it leaves out; refuses a file that is not JSON", async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      await signInWithKey(suite, key);
      let importCalls = 0;
      page.on('request', (request) => {
        if (request.url().includes('/api/v1/import')) importCalls += 1;
      });

      await page.getByLabel('Import monitors from a file').setInputFiles(file('notes.json', 'name,schedule\nbackup,3600\n'));
      await eventually(() => page.locator('#tx-error').textContent(), 'notes.json is not a JSON file. Choose a CronPeek export or a Healthchecks check list (.json).');
      expect(importCalls).toBe(0);
      expect(await page.locator('#tx-report').isHidden()).toBe(true);
      await expectCleanPage(page);

      const checks = {
        checks: [
          { name: 'Backups', slug: 'backups', tags: 'prod db', timeout: 86400, grace: 3600, desc: '', status: 'up', n_pings: 12, ping_url: 'https://hc-ping.com/x' },
          { name: 'Hourly report', slug: 'hourly-report', tags: '', schedule: '5 * * * *', tz: 'Europe/Riga', grace: 600 },
          { name: 'Webhook receiver', slug: 'webhook-receiver', tags: '', timeout: 3600, grace: 300, methods: 'POST', manual_resume: true },
        ],
      };
      await page.getByLabel('Import monitors from a file').setInputFiles(file('checks.json', JSON.stringify(checks)));
      await eventually(async () => (await reportItems(page)).map((i) => [i.name, i.result]), [
        ['Backups', 'created'],
        ['Hourly report', 'created'],
        ['Webhook receiver', 'created'],
      ]);
      expect(importCalls).toBe(1);
      // The choice stays in the input while its report is shown.
      expect(await page.getByLabel('Import monitors from a file').inputValue()).toMatch(/checks\.json$/);
      expect(await page.locator('#tx-error').isHidden()).toBe(true);
      const items = await reportItems(page);
      expect(items[0].text).not.toContain('Not imported');
      expect(items[2].text).toContain('Not imported: ');
      expect(await page.locator('#tx-list li').nth(2).locator('.tx-fields').textContent()).toMatch(/methods/);
      await expectCleanPage(page);
      await page.locator('#tx-section').screenshot({ path: shot('healthchecks') });

      await page.getByRole('button', { name: 'Import 3 monitors' }).click();
      await eventually(() => page.locator('#tx-summary').textContent(), 'Imported checks.json: 3 created.');
      expect(await page.locator('#tx-list li').nth(2).locator('.tx-fields').textContent()).toMatch(/methods/);
      const monitors = await api.listMonitors(server.baseUrl, key);
      expect(monitors.map((m) => m.name).sort()).toEqual(['Backups', 'Hourly report', 'Webhook receiver']);
      await eventually(async () => (await page.locator('#monitor-rows a.monitor-name').allTextContents()).sort(), ['Backups', 'Hourly report', 'Webhook receiver']);
      await expectCleanPage(page);

      // The panel by keyboard: Tab from Export reaches the file input.
      await page.getByRole('button', { name: 'Export monitors' }).focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('tx-file');
    });

    test('an API error is shown as the other panels show it', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      await signInWithKey(suite, key);
      await page.getByLabel('Import monitors from a file').setInputFiles(file('other.json', JSON.stringify({ version: 9, monitors: [] })));
      await eventually(async () => ((await page.locator('#tx-error').textContent()) ?? '').length > 0, true);
      expect(await page.locator('#tx-report').isHidden()).toBe(true);
      await expectCleanPage(page);
    });
  });
});
