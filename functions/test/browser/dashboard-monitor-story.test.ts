import type { Page } from 'playwright-core';
import { api, axeViolations, describeWithBrowser, eventually, openMonitorPage, openNewMonitorForm, signInWithKey, useBrowserSuite } from './support';

/**
 * Issue 23, the remaining parts, at a phone's width and a laptop's: the new-monitor form's
 * schedule presets, cron line and next-runs preview; a monitor's page that says why it is down,
 * merges its pings, status changes and alerts into one log, edits its settings and deletes it;
 * and a dashboard that follows the server by itself, counting the monitors down in the tab title.
 */
const VIEWPORTS: Array<[string, { width: number; height: number }]> = [
  ['390 px', { width: 390, height: 844 }],
  ['1280 px', { width: 1280, height: 900 }],
];

describe.each(VIEWPORTS)('at %s', (_label, viewport) => {
  describeWithBrowser('dashboard: new monitor form, a monitor’s whole story, live updates', () => {
    const suite = useBrowserSuite();

    beforeEach(async () => {
      await suite.page.setViewportSize(viewport);
    });


    async function get<T>(key: string, apiPath: string): Promise<T> {
      const res = await fetch(`${suite.server.baseUrl}${apiPath}`, { headers: { 'x-api-key': key } });
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    }

    /** No sideways scrolling: the page is no wider than the window. */
    async function expectNoSidewaysScroll(page: Page): Promise<void> {
      const [scroll, client] = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
      expect(scroll).toBeLessThanOrEqual(client);
    }

    async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    }

    const previewTimes = (page: Page) => page.locator('#schedule-preview time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));

    test('a preset previews its next three runs; a cron line previews them in the chosen zone, as the API computes them, and saves with grace in minutes', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      await signInWithKey(suite, key);
      await openNewMonitorForm(page);

      // The default preset (every hour) previews three runs, an hour apart, counted from now.
      await eventually(async () => (await previewTimes(page)).length, 3);
      const hourly = (await previewTimes(page)).map((t) => Date.parse(t!));
      expect(hourly[1] - hourly[0]).toBe(3_600_000);
      expect(hourly[2] - hourly[1]).toBe(3_600_000);
      expect(await page.getByLabel('Seconds between runs').isVisible()).toBe(false);
      expect(await page.getByLabel('Cron line', { exact: true }).isVisible()).toBe(false);

      await page.getByLabel('Schedule', { exact: true }).selectOption('cron');
      expect(await page.getByLabel('Cron line', { exact: true }).isVisible()).toBe(true);
      await page.getByLabel('Cron line', { exact: true }).fill('0 9 * * 1-5');
      await page.getByLabel('Schedule time zone').fill('Europe/Berlin');
      const expected = await get<{ next: string[] }>(key, `/api/v1/schedule/preview?schedule=${encodeURIComponent('0 9 * * 1-5')}&tz=Europe%2FBerlin`);
      await eventually(() => previewTimes(page), expected.next);
      expect(await page.locator('#schedule-preview-note').textContent()).toContain('Europe/Berlin');
      // Shown at 09:00 in Berlin, whatever the browser's own zone.
      for (const text of await page.locator('#schedule-preview time').allTextContents()) expect(text).toMatch(/09:00/);
      await expectNoSidewaysScroll(page);
      await expectNoSeriousAxeViolations(page);

      // A cron line that is not one is said in the form's words.
      await page.getByLabel('Cron line', { exact: true }).fill('every weekday');
      await eventually(async () => /^Cron line is not a valid cron expression/.test((await page.locator('#schedule-preview-note').textContent()) ?? ''), true);
      expect(await page.locator('#schedule-preview li').count()).toBe(0);

      await page.getByLabel('Cron line', { exact: true }).fill('0 9 * * 1-5');
      await page.getByLabel('Name', { exact: true }).fill('Weekday report');
      await page.getByLabel('Grace (optional)').fill('5');
      await page.getByRole('button', { name: 'Create monitor' }).click();
      await page.locator('#monitor-created').waitFor();
      const [created] = await get<{ monitors: Array<{ schedule: unknown; tz: string; grace: number; name: string }> }>(key, '/api/v1/monitors').then((r) => r.monitors);
      expect(created).toMatchObject({ name: 'Weekday report', schedule: '0 9 * * 1-5', tz: 'Europe/Berlin', grace: 300 });
    });

    test('"every day at a time" and "every week on a day" preview and save as cron lines in the chosen zone', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      await signInWithKey(suite, key);
      await openNewMonitorForm(page);

      await page.getByLabel('Schedule', { exact: true }).selectOption('daily');
      expect(await page.getByLabel('Day of the week').isVisible()).toBe(false);
      await page.getByLabel('At', { exact: true }).fill('06:45');
      await page.getByLabel('Schedule time zone').fill('America/New_York');
      const daily = await get<{ next: string[] }>(key, `/api/v1/schedule/preview?schedule=${encodeURIComponent('45 6 * * *')}&tz=America%2FNew_York`);
      await eventually(() => previewTimes(page), daily.next);
      for (const text of await page.locator('#schedule-preview time').allTextContents()) expect(text).toMatch(/06:45/);

      await page.getByLabel('Schedule', { exact: true }).selectOption('weekly');
      await page.getByLabel('Day of the week').selectOption({ label: 'Sunday' });
      const weekly = await get<{ next: string[] }>(key, `/api/v1/schedule/preview?schedule=${encodeURIComponent('45 6 * * 0')}&tz=America%2FNew_York`);
      await eventually(() => previewTimes(page), weekly.next);
      await expectNoSidewaysScroll(page);

      await page.getByLabel('Name', { exact: true }).fill('Sunday cleanup');
      await page.getByRole('button', { name: 'Create monitor' }).click();
      await page.locator('#monitor-created').waitFor();
      const [created] = await get<{ monitors: Array<{ schedule: unknown; tz: string }> }>(key, '/api/v1/monitors').then((r) => r.monitors);
      expect(created).toMatchObject({ schedule: '45 6 * * 0', tz: 'America/New_York' });
    });

    test('seconds and grace in hours are sent as seconds, and errors use the form’s words', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      await signInWithKey(suite, key);
      await openNewMonitorForm(page);

      await page.getByLabel('Schedule', { exact: true }).selectOption('seconds');
      await page.getByLabel('Seconds between runs').fill('30');
      await page.getByLabel('Name', { exact: true }).fill('Too eager');
      await page.getByRole('button', { name: 'Create monitor' }).click();
      await eventually(() => page.locator('#monitor-error').textContent(), 'Schedule must be at least 60 seconds.');

      await page.getByLabel('Grace (optional)').fill('1.5');
      await page.getByLabel('Seconds between runs').fill('7200');
      await page.getByRole('button', { name: 'Create monitor' }).click();
      await eventually(() => page.locator('#monitor-error').textContent(), 'Grace must be a whole number of minutes, at least 1, or empty.');
      expect(await api.listMonitors(server.baseUrl, key)).toEqual([]);

      await page.getByLabel('Grace (optional)').fill('2');
      await page.locator('#monitor-form').getByLabel('Grace unit').selectOption({ label: 'hours' });
      await page.getByLabel('Alert email (optional)').fill('not-an-address');
      await page.getByRole('button', { name: 'Create monitor' }).click();
      await eventually(async () => /^Alert email must be/.test((await page.locator('#monitor-error').textContent()) ?? ''), true);

      await page.getByLabel('Alert email (optional)').fill('');
      await page.getByRole('button', { name: 'Create monitor' }).click();
      await page.locator('#monitor-created').waitFor();
      const [m] = await api.listMonitors(server.baseUrl, key);
      expect(m).toMatchObject({ name: 'Too eager', schedule: 7200 });
      expect((m as unknown as { grace: number }).grace).toBe(7200);
    });

    test('a failed run: the page says why it is down, and one log, newest first, holds the ping with its output, the status change and the alert', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Nightly backup', schedule: 3600, grace: 300 });
      expect((await fetch(m.pingUrl, { method: 'POST', body: 'backup ok' })).status).toBe(200);
      expect((await fetch(`${m.pingUrl}/3`, { method: 'POST', body: 'copying…\ndisk full: /var/backups' })).status).toBe(200);

      await openMonitorPage(suite, key, m.monitorId);
      await eventually(async () => /failed with exit code 3\.$/.test((await page.locator('#mp-why-text').textContent()) ?? ''), true);
      expect(await page.locator('#mp-why-text').textContent()).toMatch(/^Down since /);
      expect(await page.locator('#mp-why-output').textContent()).toBe('copying…\ndisk full: /var/backups');

      const events = page.locator('#mp-events > li');
      // The alert's delivery is written by the outbox as the flip is; the page follows it by itself.
      await eventually(async () => (await events.evaluateAll((items) => items.map((li) => li.getAttribute('data-event')))).sort(), ['delivery', 'flip', 'flip', 'ping', 'ping'], 20_000);
      const times = await events.evaluateAll((items) => items.map((li) => Date.parse(li.querySelector('time')?.getAttribute('datetime') ?? '')));
      expect([...times].sort((a, b) => b - a)).toEqual(times);

      const failure = page.locator('#mp-events > li[data-event="ping"]').first();
      expect(await failure.locator('.badge').first().textContent()).toBe('fail (exit 3)');
      expect(await failure.locator('details').getAttribute('open')).not.toBeNull();
      expect(await failure.locator('pre').textContent()).toBe('copying…\ndisk full: /var/backups');
      const success = page.locator('#mp-events > li[data-event="ping"]').nth(1);
      expect(await success.locator('details').getAttribute('open')).toBeNull();
      expect(await page.locator('#mp-events > li[data-event="flip"] .mp-reason').allTextContents()).toEqual(['exit code 3', 'ping']);
      expect(await page.locator('#mp-events > li[data-event="delivery"] .mp-method').textContent()).toBe('monitor.down');
      expect(await page.locator('#mp-events .mp-event-kind').allTextContents()).toEqual(expect.arrayContaining(['Ping', 'Status', 'Alert']));
      await expectNoSidewaysScroll(page);
      await expectNoSeriousAxeViolations(page);
    });

    test('"Load more" continues the merged log where it stopped, without repeating or skipping', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Chatty job', schedule: 3600 });
      for (let i = 0; i < 24; i++) expect((await fetch(m.pingUrl, { method: 'POST', body: `run ${i}` })).status).toBe(200);

      await openMonitorPage(suite, key, m.monitorId);
      const events = page.locator('#mp-events > li');
      await eventually(() => events.count(), 20);
      const more = page.getByRole('button', { name: 'Load more', exact: true });
      expect(await more.isVisible()).toBe(true);
      await more.click();
      // 24 pings and the first one's status change (new → up), shown above the ping that caused it.
      await eventually(() => events.count(), 25);
      await eventually(() => more.isHidden(), true);
      const bodies = await page.locator('#mp-events > li[data-event="ping"] pre').allTextContents();
      expect(bodies).toEqual(Array.from({ length: 24 }, (_, i) => `run ${23 - i}`));
      expect(await page.locator('#mp-events > li').last().getAttribute('data-event')).toBe('ping');
    });

    test('every setting is edited from the page: grace in hours, schedule and zone, tags, reminders, tolerance, run-time limits', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Edited job', schedule: 3600, grace: 600 });
      await openMonitorPage(suite, key, m.monitorId);
      // 600 s reads as 10 minutes.
      await eventually(() => page.locator('#mp-edit-grace').inputValue(), '10');
      expect(await page.locator('#mp-edit-grace-unit').inputValue()).toBe('60');

      await page.getByLabel('Monitor name').fill('Renamed job');
      await page.getByLabel('Schedule (seconds, or a cron line)').fill('30 2 * * *');
      await page.getByLabel('Time zone (cron only)').fill('America/New_York');
      await page.locator('#mp-edit-grace').fill('2');
      await page.locator('#mp-edit-grace-unit').selectOption('3600');
      await page.getByLabel('Tags', { exact: true }).fill('backup, prod');
      await page.getByLabel('Remind every (seconds)').fill('3600');
      await page.getByLabel('Alert after (failed runs in a row)').fill('2');
      await page.getByLabel('Max run time (seconds)').fill('1800');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(() => page.locator('#mp-edit-saved').textContent(), 'Saved "Renamed job".');

      const saved = await get<Record<string, unknown>>(key, `/api/v1/monitors/${m.monitorId}`);
      expect(saved).toMatchObject({ name: 'Renamed job', schedule: '30 2 * * *', tz: 'America/New_York', grace: 7200, tags: ['backup', 'prod'], remindEvery: 3600, alertAfter: 2, maxRuntime: 1800 });

      // An API refusal names the form's field, not the API's.
      await page.getByLabel('Remind every (seconds)').fill('1');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(async () => /^Remind every must /.test((await page.locator('#mp-edit-error').textContent()) ?? ''), true);
      expect(await page.locator('#mp-edit-error').textContent()).not.toContain('remindEvery');
      await expectNoSidewaysScroll(page);
    });

    test('delete asks first: dismissed, nothing happens; confirmed, the monitor is gone and the list says so', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Doomed job', schedule: 3600 });
      await openMonitorPage(suite, key, m.monitorId);

      const questions: string[] = [];
      let answer = false;
      page.on('dialog', (dialog) => {
        questions.push(dialog.message());
        void (answer ? dialog.accept() : dialog.dismiss());
      });
      await page.getByRole('button', { name: 'Delete monitor' }).click();
      await eventually(() => Promise.resolve(questions.length), 1);
      expect(questions[0]).toContain('"Doomed job"');
      expect(await api.listMonitors(server.baseUrl, key)).toHaveLength(1);
      expect(await page.locator('#monitor-page').isVisible()).toBe(true);

      answer = true;
      await page.getByRole('button', { name: 'Delete monitor' }).click();
      await eventually(() => page.locator('#list-notice').textContent(), 'Deleted "Doomed job".');
      expect(await page.locator('#monitor-page').isHidden()).toBe(true);
      expect(await api.listMonitors(server.baseUrl, key)).toEqual([]);
      await eventually(() => page.locator('#monitor-rows tr').count(), 0);
    });

    test('without a reload, the list, the monitor page and the tab title follow a monitor going down', async () => {
      const { page, server } = suite;
      const key = await api.signUp(server.baseUrl);
      const a = await api.createMonitor(server.baseUrl, key, { name: 'First job', schedule: 3600 });
      const b = await api.createMonitor(server.baseUrl, key, { name: 'Second job', schedule: 3600 });
      await signInWithKey(suite, key);
      await eventually(() => page.locator('#monitor-rows tr').count(), 2);
      expect(await page.title()).toBe('CronPeek Dashboard');

      expect((await fetch(`${a.pingUrl}/fail`)).status).toBe(200);
      await eventually(() => page.title(), '(1 down) CronPeek Dashboard', 20_000);
      await eventually(() => page.locator(`#monitor-rows tr[data-monitor-id="${a.monitorId}"] .badge`).first().getAttribute('data-state'), 'down');

      // On the other monitor's page: its own state and the title both follow.
      await page.goto(`${server.baseUrl}/dashboard.html#monitor/${b.monitorId}`);
      await eventually(() => page.locator('#mp-id').textContent(), b.monitorId);
      await eventually(() => page.title(), '(1 down) CronPeek Dashboard');
      expect((await fetch(`${b.pingUrl}/fail`)).status).toBe(200);
      await eventually(() => page.locator('#mp-status .badge').getAttribute('data-state'), 'down', 20_000);
      await eventually(() => page.title(), '(2 down) CronPeek Dashboard', 20_000);
      await eventually(async () => /^Down since .*: the run at .* failed\.$/.test((await page.locator('#mp-why-text').textContent()) ?? ''), true);
    }, 90_000);
  });
});
