import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { api, axeViolations, comeBack, describeWithBrowser, eventually, openMonitorPage, openNewMonitorForm, signInWithKey, useBrowserSuite } from './support';

/**
 * Issue 22 in the dashboard: a monitor's slug, set in the New monitor form and the monitor's
 * settings, shown on its page, refused in the form's words; and the account's ping key, created
 * and rotated from the account panel, shown once with a ping URL that works as shown.
 */
const VIEWPORTS: Array<[string, { width: number; height: number }]> = [
  ['390 px', { width: 390, height: 844 }],
  ['1280 px', { width: 1280, height: 900 }],
];

const SHOTS = '/tmp/cronpeek-shots';

describe.each(VIEWPORTS)('at %s', (label, viewport) => {
  describeWithBrowser('dashboard: monitor slugs and the ping key', () => {
    const suite = useBrowserSuite();

    beforeAll(() => {
      fs.mkdirSync(SHOTS, { recursive: true });
    });

    beforeEach(async () => {
      await suite.page.setViewportSize(viewport);
    });


    async function monitor(key: string, id: string): Promise<{ slug: string | null; name: string }> {
      const res = await fetch(`${suite.server.baseUrl}/api/v1/monitors/${id}`, { headers: { 'x-api-key': key } });
      expect(res.status).toBe(200);
      return (await res.json()) as { slug: string | null; name: string };
    }

    async function expectCleanPage(page: Page): Promise<void> {
      const [scroll, client] = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
      expect(scroll).toBeLessThanOrEqual(client);
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    }

    async function create(page: Page, name: string, slug: string): Promise<void> {
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Slug (optional)').fill(slug);
      await page.getByRole('button', { name: 'Create monitor' }).click();
    }

    test('the New monitor form saves a slug, and refuses a taken, reserved or all-digit one in its own words', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      await signInWithKey(suite, key);
      await openNewMonitorForm(page);

      await create(page, 'Nightly backup', 'nightly-backup');
      await page.locator('#monitor-created').waitFor();
      const [first] = await api.listMonitors(server.baseUrl, key);
      expect((await monitor(key, first.monitorId)).slug).toBe('nightly-backup');
      expect(await page.getByLabel('Slug (optional)').inputValue()).toBe('');
      // The list names it by its slug where it would show the id.
      await eventually(() => page.locator(`#monitor-rows tr[data-monitor-id="${first.monitorId}"] .monitor-id`).textContent(), 'nightly-backup');

      await create(page, 'Second backup', 'nightly-backup');
      await eventually(() => page.locator('#monitor-error').textContent(), 'Another monitor already uses the slug nightly-backup. Choose another, or leave it empty.');
      await create(page, 'Second backup', 'start');
      await eventually(() => page.locator('#monitor-error').textContent(), 'Slug must not be start, fail, snooze, log: the ping URL uses those words as signals.');
      await create(page, 'Second backup', '2024');
      await eventually(() => page.locator('#monitor-error').textContent(), 'Slug must not be all digits: the ping URL reads a number as an exit code.');
      await create(page, 'Second backup', 'Nightly Backup');
      await eventually(async () => /^Slug must be 1 to 100 lower-case letters/.test((await page.locator('#monitor-error').textContent()) ?? ''), true);
      expect(await api.listMonitors(server.baseUrl, key)).toHaveLength(1);
      await expectCleanPage(page);
      await page.locator('#new-monitor-panel').screenshot({ path: `${SHOTS}/slugs-${label.replace(' ', '')}-form-error.png` });

      // Without a slug, as before.
      await create(page, 'Second backup', '');
      await eventually(async () => (await api.listMonitors(server.baseUrl, key)).length, 2);
    });

    test('the monitor page shows the slug, and its settings change, refuse and remove it', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      const a = await api.createMonitor(server.baseUrl, key, { name: 'Export', schedule: 3600, slug: 'export' });
      await api.createMonitor(server.baseUrl, key, { name: 'Import', schedule: 3600, slug: 'import' });
      await openMonitorPage(suite, key, a.monitorId);
      await eventually(() => page.locator('#mp-slug').textContent(), 'export');
      expect(await page.getByLabel('Slug', { exact: true }).inputValue()).toBe('export');
      await expectCleanPage(page);

      await page.getByLabel('Slug', { exact: true }).fill('import');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(() => page.locator('#mp-edit-error').textContent(), 'Another monitor already uses the slug import. Choose another, or leave it empty.');
      expect((await monitor(key, a.monitorId)).slug).toBe('export');

      await page.getByLabel('Slug', { exact: true }).fill('log');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(() => page.locator('#mp-edit-error').textContent(), 'Slug must not be start, fail, snooze, log: the ping URL uses those words as signals.');

      await page.getByLabel('Slug', { exact: true }).fill('daily-export');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(() => page.locator('#mp-edit-saved').textContent(), 'Saved "Export".');
      await eventually(() => page.locator('#mp-slug').textContent(), 'daily-export');
      expect((await monitor(key, a.monitorId)).slug).toBe('daily-export');
      await page.locator('#monitor-page .panel').first().screenshot({ path: `${SHOTS}/slugs-${label.replace(' ', '')}-monitor-page.png` });

      await page.getByLabel('Slug', { exact: true }).fill('');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(() => page.locator('#mp-slug').textContent(), 'None');
      expect((await monitor(key, a.monitorId)).slug).toBeNull();
      await expectCleanPage(page);
    });

    test('the account panel creates a ping key, shows it once with a ping URL that creates the monitor, and rotates it after asking', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      await signInWithKey(suite, key);
      const state = page.locator('#pk-state');
      await eventually(() => state.textContent(), 'No ping key yet: monitors are pinged by their own ping URLs.');
      expect(await page.locator('#pk-new').isHidden()).toBe(true);

      await page.getByRole('button', { name: 'Create ping key' }).click();
      await eventually(() => page.locator('#pk-done').textContent(), 'Created a ping key.');
      const pingKey = await page.getByLabel('New ping key').inputValue();
      expect(pingKey).toMatch(/^pk_/);
      const example = await page.getByLabel(/^A job's ping URL/).inputValue();
      expect(example).toBe(`${server.baseUrl}/api/v1/ping/${pingKey}/my-job?create=1`);
      expect(await state.textContent()).toMatch(/^This account has a ping key\./);
      await expectCleanPage(page);
      await page.locator('#account-panel').screenshot({ path: `${SHOTS}/slugs-${label.replace(' ', '')}-ping-key.png` });

      // The URL works as shown: its first ping creates the monitor, which the list then shows.
      expect((await fetch(example)).status).toBe(201);
      await comeBack(page);
      await eventually(() => page.locator('#monitor-rows a.monitor-name').allTextContents(), ['my-job']);

      // Rotating asks first; dismissed, the key stays.
      const questions: string[] = [];
      let answer = false;
      page.on('dialog', (dialog) => {
        questions.push(dialog.message());
        void (answer ? dialog.accept() : dialog.dismiss());
      });
      await page.getByRole('button', { name: 'Rotate ping key' }).click();
      await eventually(() => Promise.resolve(questions.length), 1);
      expect(questions[0]).toMatch(/stops working/);
      expect((await fetch(`${server.baseUrl}/api/v1/ping/${pingKey}/my-job`)).status).toBe(200);

      answer = true;
      await page.getByRole('button', { name: 'Rotate ping key' }).click();
      await eventually(() => page.locator('#pk-done').textContent(), 'Rotated the ping key: the old one no longer pings.');
      const rotated = await page.getByLabel('New ping key').inputValue();
      expect(rotated).toMatch(/^pk_/);
      expect(rotated).not.toBe(pingKey);
      expect((await fetch(`${server.baseUrl}/api/v1/ping/${pingKey}/my-job`)).status).not.toBe(200);
      expect((await fetch(`${server.baseUrl}/api/v1/ping/${rotated}/my-job`)).status).toBe(200);

      // Shown once: a reload says a key exists and shows none.
      await page.reload();
      await eventually(async () => /^This account has a ping key\./.test((await state.textContent()) ?? ''), true);
      expect(await page.locator('#pk-new').isHidden()).toBe(true);
      expect(await page.getByRole('button', { name: 'Rotate ping key' }).isVisible()).toBe(true);
      await expectCleanPage(page);
    });
  });
});
