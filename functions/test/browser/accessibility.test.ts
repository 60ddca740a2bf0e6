import type { Page } from 'playwright-core';
import { api, axeViolations, describeWithBrowser, eventually, openMonitorPage, openNewMonitorForm, uniqueEmail, useBrowserSuite, type AxeViolation, type BrowserSuite } from './support';

/**
 * Issue 23's quality bar: axe-core (https://github.com/dequelabs/axe-core/blob/develop/doc/API.md,
 * tags wcag2a and wcag2aa) finds no serious or critical violation on any page, at a desktop and a
 * phone size, and the dashboard works by keyboard (WCAG 2.1.1 Keyboard, 2.4.3 Focus Order, 2.4.7
 * Focus Visible: https://www.w3.org/TR/WCAG21/#keyboard).
 */

const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

/** One line per violation and node: rule, impact, the element and how to fix it. */
function describeViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .flatMap((v) => v.nodes.map((n) => `${where}: ${v.id} (${v.impact}) at ${n.target.join(' ')}: ${v.help} [${v.helpUrl}]\n    ${n.failureSummary.replace(/\n/g, '\n    ')}`))
    .join('\n');
}

async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(describeViolations(where, serious)).toBe('');
}

async function signIn(suite: BrowserSuite, key: string): Promise<void> {
  const { page, server } = suite;
  await page.goto(`${server.baseUrl}/dashboard.html`);
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await page.locator('#signed-in').waitFor();
}

/**
 * An account with a channel, three monitors (new, down after a failed run, running) and deliveries
 * in both states; a maintenance window on now, a read-only key, and the down monitor snoozed with
 * another depending on it (quiet badges, the Maintenance panel and the keys list all show).
 */
async function accountWithHistory(suite: BrowserSuite): Promise<{ key: string; monitorId: string }> {
  const { baseUrl, deps } = suite.server;
  const key = await api.signUp(baseUrl);
  const res = await fetch(`${baseUrl}/api/v1/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ kind: 'email', name: 'On-call inbox', config: { address: 'oncall@example.com' } }),
  });
  if (res.status !== 201) throw new Error(`creating a channel answered ${res.status}: ${await res.text()}`);
  const m = await api.createMonitor(baseUrl, key, { name: 'Nightly backup', schedule: 3600 });
  const hourly = await api.createMonitor(baseUrl, key, { name: 'Hourly report', schedule: 3600, dependsOn: [m.monitorId] });
  const running = await api.createMonitor(baseUrl, key, { name: 'Long import', schedule: 3600 });
  expect((await fetch(`${running.pingUrl}/start`)).status).toBe(200);
  expect((await fetch(m.pingUrl)).status).toBe(200);
  expect((await fetch(`${m.pingUrl}/fail`, { method: 'POST', body: 'disk full' })).status).toBe(200);
  const monitor = (await deps.store.getMonitor(m.monitorId))!;
  for (const [i, state] of (['delivered', 'failed'] as const).entries()) {
    await deps.store.insertNotification({
      id: `${m.monitorId}_a11y_${i}_email`,
      flipId: `${m.monitorId}_a11y_${i}`,
      monitorId: m.monitorId,
      accountId: monitor.accountId,
      channel: 'email',
      channelId: null,
      event: 'monitor.down',
      target: 'oncall@example.com',
      createdAt: new Date(Date.UTC(2026, 2, 28, 2, i)),
      state,
      attempts: 1,
      nextAttemptAt: null,
      lastError: state === 'failed' ? 'not sent: hourly e-mail cap of 20 for this account reached' : null,
      deliveredAt: state === 'delivered' ? new Date(Date.UTC(2026, 2, 28, 2, i, 5)) : null,
      snapshot: { monitorId: m.monitorId, name: 'Nightly backup', schedule: 3600, grace: 360, lastPingAt: null },
    });
  }
  const quiet: Array<[string, string, unknown]> = [
    ['POST', '/api/v1/maintenance', { name: 'Deploy', monitors: [m.monitorId], start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() }],
    ['POST', '/api/v1/account/keys', { name: 'Grafana', access: 'read' }],
    ['POST', `/api/v1/monitors/${m.monitorId}/snooze`, { for: 3600 }],
  ];
  for (const [method, apiPath, body] of quiet) {
    const answer = await fetch(`${baseUrl}${apiPath}`, { method, headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
    if (answer.status >= 300) throw new Error(`${method} ${apiPath} answered ${answer.status}: ${await answer.text()}`);
  }
  expect(hourly.monitorId).toMatch(/^[0-9a-f]{16}$/);
  return { key, monitorId: m.monitorId };
}

describeWithBrowser('accessibility: axe-core on every page', () => {
  const suite = useBrowserSuite({ CRONPEEK_DEFAULT_PLAN: 'pro' });

  for (const viewport of VIEWPORTS) {
    const size = `${viewport.width}×${viewport.height}`;
    describe(`at ${size}`, () => {
      beforeEach(async () => {
        await suite.page.setViewportSize(viewport);
      });

      test('the docs page', async () => {
        await suite.page.goto(`${suite.server.baseUrl}/`);
        await expectNoSeriousViolations(suite.page, `docs ${size}`);
      });

      test("the dashboard's sign-in view", async () => {
        await suite.page.goto(`${suite.server.baseUrl}/dashboard.html`);
        await suite.page.locator('#signed-out').waitFor();
        await expectNoSeriousViolations(suite.page, `sign-in ${size}`);
      });

      test('the dashboard with monitors and channels listed', async () => {
        const { key } = await accountWithHistory(suite);
        await signIn(suite, key);
        await eventually(() => suite.page.locator('#monitor-rows tr').count(), 3);
        await eventually(() => suite.page.locator('#ac-list li').count(), 1);
        await eventually(() => suite.page.locator('#mw-list li').count(), 1);
        await eventually(() => suite.page.locator('#rk-list li').count(), 1);
        await expectNoSeriousViolations(suite.page, `dashboard ${size}`);
      });

      test('the dashboard just after sign-up, its new key shown, and a refused form with its error', async () => {
        const { page, server } = suite;
        await page.goto(`${server.baseUrl}/dashboard.html`);
        await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
        await page.getByRole('button', { name: 'Sign up' }).click();
        await page.locator('#new-key').waitFor();
        await openNewMonitorForm(page);
        await page.getByRole('button', { name: 'Create monitor' }).click();
        await page.locator('#monitor-error').waitFor();
        await expectNoSeriousViolations(page, `dashboard after sign-up ${size}`);
      });

      test('the channels panel with its form open for editing a channel of each field kind', async () => {
        const { key } = await accountWithHistory(suite);
        await signIn(suite, key);
        await suite.page.getByRole('button', { name: 'Edit On-call inbox' }).click();
        await suite.page.locator('#ac-cancel').waitFor();
        await expectNoSeriousViolations(suite.page, `channel form (editing) ${size}`);
        await suite.page.getByRole('button', { name: 'Cancel editing' }).click();
        await suite.page.getByLabel('Kind', { exact: true }).selectOption('matrix');
        await expectNoSeriousViolations(suite.page, `channel form (matrix) ${size}`);
      });

      test("a monitor's page with its channels, deliveries, pings and status changes", async () => {
        const { key, monitorId } = await accountWithHistory(suite);
        await openMonitorPage(suite, key, monitorId);
        await eventually(() => suite.page.locator('#mp-events li[data-event="delivery"]').count(), 3);
        await eventually(() => suite.page.locator('#mp-channel-choices input').count(), 1);
        await eventually(async () => (await suite.page.locator('#mp-events li[data-event="ping"]').count()) >= 2, true);
        await eventually(() => suite.page.locator('#mp-quiet-badges [data-quiet]').count(), 2);
        await eventually(() => suite.page.locator('#mp-depends-choices input').count(), 2);
        await expectNoSeriousViolations(suite.page, `monitor page ${size}`);
      });

      test('confirm.html, asking and after an answer is refused', async () => {
        await suite.page.goto(`${suite.server.baseUrl}/confirm.html#token=not-a-real-token`);
        await suite.page.locator('#confirm-panel').waitFor();
        await expectNoSeriousViolations(suite.page, `confirm.html ${size}`);
        await suite.page.getByRole('button', { name: 'Yes, send me these alerts' }).click();
        await suite.page.locator('#problem').waitFor();
        await expectNoSeriousViolations(suite.page, `confirm.html (refused) ${size}`);
      });

      test('the 404 page', async () => {
        // Firebase Hosting serves it for unknown paths (https://firebase.google.com/docs/hosting/full-config#404);
        // the embedded server answers those with JSON, so the page is opened by its own name.
        const res = await suite.page.goto(`${suite.server.baseUrl}/404.html`);
        expect(res?.status()).toBe(200);
        await expectNoSeriousViolations(suite.page, `404 ${size}`);
      });
    });
  }
});

/** The focused element: its id (or text), and whether it draws a visible focus indicator. */
interface Focused {
  name: string;
  visible: boolean;
}

/** How the tests name a control: its id, else its tag and its label's or its own text. */
const NAME_OF = `(el) => {
  const label = (el.labels && el.labels[0] && el.labels[0].textContent) || el.getAttribute('aria-label') || el.textContent || '';
  return el.id ? '#' + el.id : el.tagName.toLowerCase() + ' "' + label.trim() + '"';
}`;

async function focused(page: Page): Promise<Focused> {
  // A string, since this project compiles without the DOM library; it runs in the page.
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { name: '(body)', visible: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const ring = style.boxShadow !== 'none';
    const rect = el.getBoundingClientRect();
    return { name: (${NAME_OF})(el), visible: (outline || ring) && rect.width > 0 && rect.height > 0 };
  })()`) as Promise<Focused>;
}

/** Every control in `section` a keyboard user should reach (shown, enabled, not taken out of the Tab order), in document order. */
function controlsOf(page: Page, section: string): Promise<string[]> {
  return page.evaluate(`[...document.querySelector(${JSON.stringify(section)}).querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
    .filter((el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .map(${NAME_OF})`) as Promise<string[]>;
}

/** Presses Tab until `last` has focus; every stop must show a focus style. Returns the stops in order. */
async function tabThrough(page: Page, last: string, maxStops = 200): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < maxStops; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f.visible) throw new Error(`${f.name} (stop ${i + 1}, after ${stops.slice(-3).join(', ')}) shows no visible focus style`);
    stops.push(f.name);
    if (f.name === last) return stops;
  }
  throw new Error(`Tab never reached ${last}; stops: ${stops.join(', ')}`);
}

const order = (stops: string[], names: string[]) => names.map((n) => stops.indexOf(n));

describeWithBrowser('accessibility: the dashboard by keyboard', () => {
  const suite = useBrowserSuite({ CRONPEEK_DEFAULT_PLAN: 'pro' });

  // Each test tabs from the top of the page through every control of one view, in document order.
  test('Tab reaches every control of the list in reading order, each with a visible focus style', async () => {
    const { key, monitorId } = await accountWithHistory(suite);
    await signIn(suite, key);
    const { page } = suite;
    await eventually(() => page.locator('#monitor-rows tr').count(), 3);
    await page.locator('body').focus();

    const controls = await controlsOf(page, '#signed-in');
    const stops = await tabThrough(page, controls[controls.length - 1]);
    expect(stops.filter((n) => controls.includes(n))).toEqual(controls);

    const expected = ['#sign-out', '#new-monitor-toggle', '#filter-clear', '#rotate-key', '#pk-create', '#sp-page-title', '#ac-kind', '#ac-save', '#channels-monitor'];
    const at = order(stops, expected);
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Every row's monitor link is reached, between the list's filters and the channels panel.
    const links = (await page.locator('#monitor-rows a').evaluateAll((as) => as.map((a) => (a.getAttribute('aria-label') || a.textContent || '').trim()))).map((t) => `a "${t}"`);
    expect(links.length).toBeGreaterThanOrEqual(2);
    for (const link of links) {
      expect(stops.indexOf(link)).toBeGreaterThan(stops.indexOf('#filter-clear'));
      expect(stops.indexOf(link)).toBeLessThan(stops.indexOf('#ac-kind'));
    }

    // Space presses a channel's Edit button; Enter follows a monitor's link to its page.
    await page.getByRole('button', { name: 'Edit On-call inbox' }).focus();
    await page.keyboard.press('Space');
    await eventually(() => page.locator('#ac-cancel').isVisible(), true);
    await page.locator(`#monitor-rows tr[data-monitor-id="${monitorId}"] a`).first().focus();
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('#mp-id').textContent(), monitorId);
  });

  test("Tab reaches every control of a monitor's page in order, and Enter and Space press its buttons", async () => {
    const { key, monitorId } = await accountWithHistory(suite);
    await openMonitorPage(suite, key, monitorId);
    const { page } = suite;
    await eventually(() => page.locator('#mp-channel-choices input').count(), 1);
    await page.locator('body').focus();

    const choice = await page.locator('#mp-channel-choices label').first().textContent();
    const controls = await controlsOf(page, '#monitor-page');
    const stops = await tabThrough(page, controls[controls.length - 1]);
    expect(stops.filter((n) => controls.includes(n))).toEqual(controls);
    const expected = ['#mp-back', '#mp-copy-ping-url', '#mp-badge-markdown', '#mp-copy-badge', '#mp-manual-resume', '#mp-edit-name', '#mp-edit-slug', '#mp-save', `input "${(choice ?? '').trim()}"`];
    const at = order(stops, expected);
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);

    // Space toggles the checkbox, which enables Save channels; Enter on it saves.
    await page.locator('#mp-channel-choices input').focus();
    await page.keyboard.press('Space');
    expect(await page.locator('#mp-channel-choices input').isChecked()).toBe(true);
    await page.locator('#mp-channels-save').focus();
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('#mp-channels-saved').isVisible(), true);

    // Space on Pause, Enter on Resume.
    await page.locator('#mp-pause').focus();
    await page.keyboard.press('Space');
    await eventually(async () => (await api.listMonitors(suite.server.baseUrl, key)).find((m) => m.monitorId === monitorId)?.status, 'paused');
    await page.locator('#mp-resume').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => (await api.listMonitors(suite.server.baseUrl, key)).find((m) => m.monitorId === monitorId)?.status !== 'paused', true);
  });
});
