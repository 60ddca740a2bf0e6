import type { Browser, BrowserContext, Page } from 'playwright-core';
import { transition } from '../../src/domain/transitions';
import { sweepDueMonitors } from '../../src/services/checker';
import { SUCCESS_BODY_LIMIT } from '../../src/services/ping';
import { api, describeWithBrowser, comeBack, eventually, launchBrowser, openNewMonitorForm, openPage, startTestServer, uniqueEmail, type TestServer } from './support';

describeWithBrowser('dashboard (public/dashboard.html) against the embedded server', () => {
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
    expect(pageErrors).toEqual([]);
  });

  const openDashboard = () => page.goto(`${server.baseUrl}/dashboard.html`);

  async function signUpInPage(email = uniqueEmail()): Promise<string> {
    await openDashboard();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.locator('#new-key').waitFor();
    return page.locator('#new-key-value').inputValue();
  }

  async function openWithKey(apiKey: string): Promise<void> {
    await openDashboard();
    await page.getByLabel('API key', { exact: true }).fill(apiKey);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('#signed-in').waitFor();
  }

  const row = (monitorId: string) => page.locator(`#monitor-rows tr[data-monitor-id="${monitorId}"]`);
  const statusOf = (monitorId: string) => row(monitorId).locator('.badge').getAttribute('data-state');
  const pingsOf = (monitorId: string) => row(monitorId).locator('td[data-label="Pings"]').textContent();
  const rowIds = () => page.locator('#monitor-rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-monitor-id')));

  test('signing up shows the new API key with a copy button and a warning to save it', async () => {
    const key = await signUpInPage();

    expect(key).toMatch(/^cpk_[0-9a-f]{32}$/);
    expect(await page.locator('#new-key').textContent()).toContain('only time CronPeek shows it');
    expect(await page.getByRole('button', { name: 'Copy key' }).isVisible()).toBe(true);
    await expect(api.listMonitors(server.baseUrl, key)).resolves.toEqual([]);
  });

  test('the copy button puts the new key on the clipboard', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    const key = await signUpInPage();

    await page.getByRole('button', { name: 'Copy key' }).click();

    await eventually(() => page.evaluate('navigator.clipboard.readText()'), key);
  });

  test('the new key is not shown again after a reload, though the tab stays signed in', async () => {
    await signUpInPage();

    await page.reload();

    await page.locator('#signed-in').waitFor();
    expect(await page.locator('#new-key').isHidden()).toBe(true);
    expect(await page.locator('#new-key-value').inputValue()).toBe('');
  });

  test('the API key is kept in sessionStorage, never in localStorage', async () => {
    const key = await signUpInPage();

    expect(await page.evaluate('sessionStorage.getItem("cronpeek.apiKey")')).toBe(key);
    expect(await page.evaluate('localStorage.length')).toBe(0);
  });

  test('signing out forgets the key', async () => {
    await signUpInPage();

    await page.getByRole('button', { name: 'Sign out' }).click();

    expect(await page.locator('#signed-out').isVisible()).toBe(true);
    expect(await page.evaluate('sessionStorage.getItem("cronpeek.apiKey")')).toBeNull();
  });

  test('a second signup with the same email shows the API error and no key', async () => {
    const email = uniqueEmail();
    await api.signUp(server.baseUrl, email);
    await openDashboard();

    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Sign up' }).click();

    await eventually(() => page.locator('#signup-error').textContent(), 'An account with this email already exists. Use the API key issued when it was created.');
    expect(await page.locator('#new-key-value').inputValue()).toBe('');
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
  });

  test("a pasted API key opens that account's monitors", async () => {
    const key = await api.signUp(server.baseUrl);
    const monitor = await api.createMonitor(server.baseUrl, key, { name: 'Pasted key job', schedule: 300 });

    await openWithKey(key);

    await eventually(rowIds, [monitor.monitorId]);
    expect(await row(monitor.monitorId).locator('.monitor-name').textContent()).toBe('Pasted key job');
  });

  test("an unknown pasted key is refused with the API's message", async () => {
    await openDashboard();
    await page.getByLabel('API key', { exact: true }).fill(`cpk_${'0'.repeat(32)}`);
    await page.getByRole('button', { name: 'Open dashboard' }).click();

    await eventually(() => page.locator('#key-error').textContent(), 'Your API key was not accepted: Invalid API key.');
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
  });

  test('a monitor created in the form appears in the list with status new', async () => {
    const key = await signUpInPage();

    await openNewMonitorForm(page);
    await page.getByLabel('Name', { exact: true }).fill('Nightly DB Backup');
    await page.getByLabel('Schedule', { exact: true }).selectOption({ label: 'Every day' });
    await page.getByRole('button', { name: 'Create monitor' }).click();

    await page.locator('#monitor-rows tr').first().waitFor();
    const [created] = await api.listMonitors(server.baseUrl, key);
    await eventually(rowIds, [created.monitorId]);
    expect(created).toMatchObject({ name: 'Nightly DB Backup', schedule: 86400 });
    expect(await statusOf(created.monitorId)).toBe('new');
    expect(await pingsOf(created.monitorId)).toBe('0');
    expect(await row(created.monitorId).locator('code').textContent()).toMatch(new RegExp(`^${server.baseUrl}/api/v1/ping/[A-Za-z0-9_-]{24}$`));
  });

  test("a cron monitor created in the form uses the viewer's zone and shows its next run in local time", async () => {
    await context.close();
    // A viewer in New York: the form offers their zone, and times are shown in it.
    ({ context, page, pageErrors } = await openPage(browser, { timezoneId: 'America/New_York', locale: 'en-US' }));
    const key = await signUpInPage();

    expect(await page.getByLabel('Schedule time zone').inputValue()).toBe('America/New_York');
    await openNewMonitorForm(page);
    await page.getByLabel('Name', { exact: true }).fill('Nightly report');
    await page.getByLabel('Schedule', { exact: true }).selectOption('cron');
    await page.getByLabel('Cron line', { exact: true }).fill('30 2 * * *');
    await page.getByRole('button', { name: 'Create monitor' }).click();
    await page.locator('#monitor-rows tr').first().waitFor();
    const [created] = await api.listMonitors(server.baseUrl, key);
    expect(created).toMatchObject({ schedule: '30 2 * * *', tz: 'America/New_York' });
    expect(await row(created.monitorId).locator('td[data-label="Schedule"]').textContent()).toMatch(/^cron 30 2 \* \* \* \(America\/New_York\), grace /);
    expect(await row(created.monitorId).locator('td[data-label="Next run"]').textContent()).toBe('after the first ping');

    const pingUrl = (await row(created.monitorId).locator('code').textContent()) as string;
    expect((await fetch(pingUrl)).status).toBe(200);
    await comeBack(page);
    // 02:30 in New York, whatever the UTC offset of the day.
    await eventually(async () => /2:30\s?AM/.test((await row(created.monitorId).locator('td[data-label="Next run"]').textContent()) ?? ''), true);
  });

  test('a run reported with a start and an exit code shows how long it took', async () => {
    const key = await api.signUp(server.baseUrl);
    const monitor = await api.createMonitor(server.baseUrl, key, { name: 'Backup', schedule: 3600 });
    await openWithKey(key);
    await eventually(() => row(monitor.monitorId).locator('td[data-label="Last run took"]').textContent(), '—');

    expect((await fetch(`${monitor.pingUrl}/start`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect((await fetch(`${monitor.pingUrl}/0`)).status).toBe(200);
    await comeBack(page);

    await eventually(async () => /^1\.\d s$/.test((await row(monitor.monitorId).locator('td[data-label="Last run took"]').textContent()) ?? ''), true);
  });

  test('the schedule choice shows the seconds field or the cron line only when chosen', async () => {
    await signUpInPage();
    await openNewMonitorForm(page);
    const seconds = page.getByLabel('Seconds between runs');
    const cron = page.getByLabel('Cron line', { exact: true });
    expect([await seconds.isVisible(), await cron.isVisible()]).toEqual([false, false]);

    await page.getByLabel('Schedule', { exact: true }).selectOption({ label: 'Every N seconds…' });
    expect([await seconds.isVisible(), await cron.isVisible()]).toEqual([true, false]);
    await page.getByLabel('Schedule', { exact: true }).selectOption({ label: 'A cron line…' });
    expect([await seconds.isVisible(), await cron.isVisible()]).toEqual([false, true]);
    await page.getByLabel('Schedule', { exact: true }).selectOption({ label: 'Every day' });
    expect([await seconds.isVisible(), await cron.isVisible()]).toEqual([false, false]);
  });

  test('after an HTTP ping, coming back to the window shows the monitor up with one ping', async () => {
    const key = await api.signUp(server.baseUrl);
    const monitor = await api.createMonitor(server.baseUrl, key, { name: 'Hourly sync', schedule: 3600 });
    await openWithKey(key);
    await eventually(() => statusOf(monitor.monitorId), 'new');

    expect((await fetch(monitor.pingUrl)).status).toBe(200);
    await comeBack(page);

    await eventually(() => statusOf(monitor.monitorId), 'up');
    expect(await pingsOf(monitor.monitorId)).toBe('1');
    expect(await row(monitor.monitorId).locator('td[data-label="Last ping"]').textContent()).toBe('just now');
  });

  test('the list refreshes by itself every 15 seconds', async () => {
    // Paused, so that only runFor moves the page's time: a slow machine must not fire the refresh early.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1_000);
    const key = await api.signUp(server.baseUrl);
    const monitor = await api.createMonitor(server.baseUrl, key, { name: 'Auto refresh', schedule: 60 });
    await openWithKey(key);
    await eventually(() => statusOf(monitor.monitorId), 'new');
    await fetch(monitor.pingUrl);

    await page.clock.runFor(14_000);
    expect(await statusOf(monitor.monitorId)).toBe('new');
    await page.clock.runFor(1_000);

    await eventually(() => statusOf(monitor.monitorId), 'up');
  });

  test('deleting a monitor after confirming removes it from the list and the account', async () => {
    const key = await api.signUp(server.baseUrl);
    const keep = await api.createMonitor(server.baseUrl, key, { name: 'Keep me', schedule: 60 });
    const doomed = await api.createMonitor(server.baseUrl, key, { name: 'Delete me', schedule: 60 });
    await openWithKey(key);
    await eventually(rowIds, [doomed.monitorId, keep.monitorId]);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });

    await page.getByRole('button', { name: 'Delete monitor Delete me' }).click();

    await eventually(rowIds, [keep.monitorId]);
    expect(dialogs).toEqual([expect.stringContaining('"Delete me"')]);
    expect((await api.listMonitors(server.baseUrl, key)).map((m) => m.monitorId)).toEqual([keep.monitorId]);
  });

  test('dismissing the delete confirmation keeps the monitor', async () => {
    const key = await api.signUp(server.baseUrl);
    const monitor = await api.createMonitor(server.baseUrl, key, { name: 'Not today', schedule: 60 });
    await openWithKey(key);
    await eventually(rowIds, [monitor.monitorId]);
    page.on('dialog', (dialog) => void dialog.dismiss());

    await page.getByRole('button', { name: 'Delete monitor Not today' }).click();
    await comeBack(page);

    await eventually(rowIds, [monitor.monitorId]);
    expect(await api.listMonitors(server.baseUrl, key)).toHaveLength(1);
  });

  test("an API error while creating a monitor is shown from the response's error field", async () => {
    const key = await signUpInPage();

    await openNewMonitorForm(page);
    await page.getByLabel('Name', { exact: true }).fill('Too eager');
    await page.getByLabel('Schedule', { exact: true }).selectOption('seconds');
    await page.getByLabel('Seconds between runs').fill('30');
    await page.getByRole('button', { name: 'Create monitor' }).click();

    // In the form's words: the API's field name, capitalised as the form's label is.
    await eventually(() => page.locator('#monitor-error').textContent(), 'Schedule must be at least 60 seconds.');
    expect(await api.listMonitors(server.baseUrl, key)).toEqual([]);
  });

  test('on the Pro plan, a monitor created with a webhook shows its signing secret once', async () => {
    const pro = await startTestServer({ CRONPEEK_DEFAULT_PLAN: 'pro' });
    try {
      await page.goto(`${pro.baseUrl}/dashboard.html`);
      await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.locator('#new-key').waitFor();

      await openNewMonitorForm(page);
      await page.getByLabel('Name', { exact: true }).fill('Webhook job');
      await page.getByLabel('Alert webhook (optional)').fill('https://hooks.example.com/cronpeek');
      await page.getByRole('button', { name: 'Create monitor' }).click();

      await page.locator('#monitor-created').waitFor();
      const created = (await page.locator('#monitor-created code').allTextContents())[1] ?? '';
      expect(created).toMatch(/^whsec_[A-Za-z0-9_-]+$/);
      await comeBack(page);
      await eventually(async () => (await page.locator('#monitor-rows').textContent())?.includes('whsec_'), false);
    } finally {
      await pro.close();
    }
  });

  test('monitor names are shown as text, never interpreted as HTML', async () => {
    const name = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>';
    const key = await api.signUp(server.baseUrl);
    const monitor = await api.createMonitor(server.baseUrl, key, { name, schedule: 60 });

    await openWithKey(key);

    await eventually(() => row(monitor.monitorId).locator('.monitor-name').textContent(), name);
    expect(await page.locator('#monitor-rows img, #monitor-rows b').count()).toBe(0);
    expect(await page.title()).toBe('CronPeek Dashboard');
  });

  describe('Slack and PagerDuty', () => {
    const SLACK_URL = 'https://hooks.slack.com/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c';
    const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';
    let pro: TestServer;
    beforeAll(async () => {
      pro = await startTestServer({ CRONPEEK_DEFAULT_PLAN: 'pro' });
    });
    afterAll(async () => {
      await pro?.close();
    });

    const statusOn = async (baseUrl: string, key: string, id: string) =>
      (await (await fetch(`${baseUrl}/api/v1/monitors/${id}/status`, { headers: { 'x-api-key': key } })).json()) as Record<string, unknown>;

    async function signUpOn(baseUrl: string): Promise<string> {
      await page.goto(`${baseUrl}/dashboard.html`);
      await page.getByLabel('Email', { exact: true }).fill(uniqueEmail());
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.locator('#new-key').waitFor();
      return page.locator('#new-key-value').inputValue();
    }

    test('on the Pro plan, the new-monitor form sets Slack and PagerDuty', async () => {
      const key = await signUpOn(pro.baseUrl);
      await openNewMonitorForm(page);
      await page.getByLabel('Name', { exact: true }).fill('Team job');
      await page.getByLabel('Slack webhook URL (optional)').fill(SLACK_URL);
      await page.getByLabel('PagerDuty integration key (optional)').fill(ROUTING_KEY);
      await page.getByRole('button', { name: 'Create monitor' }).click();

      await page.locator('#monitor-created').waitFor();
      const [listed] = await api.listMonitors(pro.baseUrl, key);
      expect(await statusOn(pro.baseUrl, key, listed.monitorId)).toMatchObject({ alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY });
      expect(await page.getByLabel('Slack webhook URL (optional)').inputValue()).toBe('');
    });

    test("on the Free plan, Slack is refused with the API's message and nothing is created", async () => {
      const key = await signUpOn(server.baseUrl);
      await openNewMonitorForm(page);
      await page.getByLabel('Name', { exact: true }).fill('Team job');
      await page.getByLabel('Slack webhook URL (optional)').fill(SLACK_URL);
      await page.getByRole('button', { name: 'Create monitor' }).click();

      await eventually(
        () => page.locator('#monitor-error').textContent(),
        'Slack alerts need the Pro plan. Remove Slack webhook URL or upgrade your plan.',
      );
      expect(await api.listMonitors(server.baseUrl, key)).toEqual([]);
    });

    test('the alert-channel panel shows a monitor\'s channels and removes Slack', async () => {
      const key = await api.signUp(pro.baseUrl);
      const m = await api.createMonitor(pro.baseUrl, key, { name: 'Team job', schedule: 3600, alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY });
      await page.goto(`${pro.baseUrl}/dashboard.html`);
      await page.getByLabel('API key', { exact: true }).fill(key);
      await page.getByRole('button', { name: 'Open dashboard' }).click();

      await eventually(() => page.locator('#channels-monitor option').count(), 2);
      await page.getByLabel('Monitor', { exact: true }).selectOption(m.monitorId);
      await eventually(() => page.getByLabel('Slack webhook URL', { exact: true }).inputValue(), SLACK_URL);
      expect(await page.getByLabel('PagerDuty integration key', { exact: true }).inputValue()).toBe(ROUTING_KEY);

      await page.getByRole('button', { name: 'Remove Slack' }).click();

      await eventually(async () => (await statusOn(pro.baseUrl, key, m.monitorId)).alertSlack, null);
      expect(await statusOn(pro.baseUrl, key, m.monitorId)).toMatchObject({ alertPagerDuty: ROUTING_KEY });
      await eventually(() => page.getByLabel('Slack webhook URL', { exact: true }).inputValue(), '');
      expect(await page.locator('#channels-saved').textContent()).toBe('Slack alerts removed from "Team job".');
    });

    test('the alert-channel panel sets PagerDuty, and shows the API\'s message for a bad key', async () => {
      const key = await api.signUp(pro.baseUrl);
      const m = await api.createMonitor(pro.baseUrl, key, { name: 'Team job', schedule: 3600 });
      await page.goto(`${pro.baseUrl}/dashboard.html`);
      await page.getByLabel('API key', { exact: true }).fill(key);
      await page.getByRole('button', { name: 'Open dashboard' }).click();
      await eventually(() => page.locator('#channels-monitor option').count(), 2);
      await page.getByLabel('Monitor', { exact: true }).selectOption(m.monitorId);
      await eventually(() => page.getByLabel('PagerDuty integration key', { exact: true }).isEnabled(), true);

      await page.getByLabel('PagerDuty integration key', { exact: true }).fill('too-short');
      await page.getByRole('button', { name: 'Save alert channels' }).click();
      await eventually(
        () => page.locator('#channels-error').textContent(),
        'alertPagerDuty must be a PagerDuty Events API v2 integration key (32 letters and digits).',
      );
      expect((await statusOn(pro.baseUrl, key, m.monitorId)).alertPagerDuty).toBeNull();

      await page.getByLabel('PagerDuty integration key', { exact: true }).fill(ROUTING_KEY);
      await page.getByRole('button', { name: 'Save alert channels' }).click();
      await eventually(async () => (await statusOn(pro.baseUrl, key, m.monitorId)).alertPagerDuty, ROUTING_KEY);
      expect((await statusOn(pro.baseUrl, key, m.monitorId)).alertSlack).toBeNull();
    });
  });

  describe('account panel', () => {
    const fact = (id: string) => page.locator(`#account-${id}`).textContent();
    const facts = async () => Promise.all(['email', 'plan', 'monitors', 'history', 'channels'].map(fact));

    test('shows the e-mail, plan, usage, history and channels, and follows the usage', async () => {
      const email = uniqueEmail();
      await signUpInPage(email);
      await eventually(facts, [email, 'Free', '0 of 5', '7 days', 'Email']);

      await openNewMonitorForm(page);
      await page.getByLabel('Name', { exact: true }).fill('Counted job');
      await page.getByRole('button', { name: 'Create monitor' }).click();

      await eventually(() => fact('monitors'), '1 of 5');
    });

    test('on the Pro plan monitors and history are unlimited and every channel listed', async () => {
      const pro = await startTestServer({ CRONPEEK_DEFAULT_PLAN: 'pro' });
      try {
        const email = uniqueEmail();
        await page.goto(`${pro.baseUrl}/dashboard.html`);
        await page.getByLabel('Email', { exact: true }).fill(email);
        await page.getByRole('button', { name: 'Sign up' }).click();
        await eventually(facts, [email, 'Pro', '0 (unlimited)', 'Unlimited', 'Email, Webhook, Slack, PagerDuty, Discord, Microsoft Teams, Telegram, ntfy, Opsgenie, Pushover, Google Chat, Mattermost, Gotify, Matrix']);
      } finally {
        await pro.close();
      }
    });

    test('rotating the key after confirming shows the new key once; the old key stops and the tab keeps working', async () => {
      const oldKey = await api.signUp(server.baseUrl);
      const monitor = await api.createMonitor(server.baseUrl, oldKey, { name: 'Survives rotation', schedule: 60 });
      await openWithKey(oldKey);
      await eventually(rowIds, [monitor.monitorId]);
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.accept();
      });

      await page.getByRole('button', { name: 'Rotate API key' }).click();

      await page.locator('#new-key').waitFor();
      const newKey = await page.locator('#new-key-value').inputValue();
      expect(newKey).toMatch(/^cpk_[0-9a-f]{32}$/);
      expect(newKey).not.toBe(oldKey);
      expect(dialogs).toEqual([expect.stringContaining('stops working')]);
      expect(await page.evaluate('sessionStorage.getItem("cronpeek.apiKey")')).toBe(newKey);
      expect(await page.locator('#key-hint-value').textContent()).toBe(`cpk_…${newKey.slice(-4)}`);
      await expect(api.listMonitors(server.baseUrl, oldKey)).rejects.toThrow(/401/);
      expect((await api.listMonitors(server.baseUrl, newKey)).map((m) => m.monitorId)).toEqual([monitor.monitorId]);

      await comeBack(page);
      await eventually(rowIds, [monitor.monitorId]);
      expect(await page.locator('#signed-in').isVisible()).toBe(true);
    });

    test('dismissing the rotation confirmation keeps the key', async () => {
      const key = await api.signUp(server.baseUrl);
      await openWithKey(key);
      page.on('dialog', (dialog) => void dialog.dismiss());

      await page.getByRole('button', { name: 'Rotate API key' }).click();
      await comeBack(page);

      expect(await page.locator('#new-key').isHidden()).toBe(true);
      await expect(api.listMonitors(server.baseUrl, key)).resolves.toEqual([]);
    });
  });

  describe('monitor page', () => {
    const monitorApi = async (baseUrl: string, key: string, method: string, suffix: string, body?: unknown) => {
      const res = await fetch(`${baseUrl}/api/v1/monitors${suffix}`, {
        method,
        headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const getMonitor = async (key: string, id: string, baseUrl = server.baseUrl) => (await monitorApi(baseUrl, key, 'GET', `/${id}`)).body;
    const post = (url: string, body: string, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body }).then((r) => expect(r.status).toBe(200));

    const pageShown = () => page.locator('#monitor-page');
    const heading = () => page.locator('#mp-name').textContent();
    const statusShown = () => page.locator('#mp-status .badge').getAttribute('data-state');
    // The page's one event log merges pings, status changes and alerts; these read one kind each.
    const pingItems = () => page.locator('#mp-events > li[data-event="ping"]');
    const flipTexts = () =>
      page.locator('#mp-events > li[data-event="flip"]').evaluateAll((items: any[]) =>
        items.map((li) => Array.from(li.querySelectorAll('.badge, .mp-reason') as ArrayLike<{ textContent: string }>).map((n) => n.textContent).join(' ')),
      );
    const pingBodies = () => page.locator('#mp-events > li[data-event="ping"]').evaluateAll((items: any[]) => items.map((li) => li.querySelector('pre')?.textContent ?? null));

    /** Opens the dashboard with the key, then the monitor from the list, as a user would. */
    async function openMonitor(key: string, monitorId: string, baseUrl = server.baseUrl): Promise<void> {
      await page.goto(`${baseUrl}/dashboard.html`);
      await page.getByLabel('API key', { exact: true }).fill(key);
      await page.getByRole('button', { name: 'Open dashboard' }).click();
      await row(monitorId).locator('a.monitor-name').click();
      await pageShown().waitFor();
      await eventually(() => page.locator('#mp-id').textContent(), monitorId);
    }

    test('opens from the list with its details, ping URL and badge, and goes back to the list', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Nightly DB Backup', schedule: 3600, grace: 300 });
      await fetch(m.pingUrl);
      const stored = await getMonitor(key, m.monitorId);

      await openMonitor(key, m.monitorId);

      expect(new URL(page.url()).hash).toBe(`#monitor/${m.monitorId}`);
      expect(await page.locator('#signed-in').isHidden()).toBe(true);
      await eventually(heading, 'Nightly DB Backup');
      expect(await statusShown()).toBe('up');
      expect(await page.locator('#mp-schedule').textContent()).toBe('every hour');
      expect(await page.locator('#mp-grace').textContent()).toBe('5 minutes');
      expect(await page.locator('#mp-ping-count').textContent()).toBe('1');
      expect(await page.locator('#mp-next-due time').getAttribute('datetime')).toBe(stored.nextDue);
      expect(await page.locator('#mp-deadline time').getAttribute('datetime')).toBe(new Date(Date.parse(stored.nextDue) + 300_000).toISOString());
      expect(await page.locator('#mp-ping-url').textContent()).toBe(m.pingUrl);
      expect(await page.getByLabel('Markdown for a README').inputValue()).toBe(`![CronPeek status](${stored.badgeUrl})`);
      // The badge image really loads under the page's CSP, and shows the monitor's status.
      await eventually(() => page.locator('#mp-badge-img').evaluate((img: any) => img.complete && img.naturalWidth > 0), true);
      expect(await page.locator('#mp-badge-img').getAttribute('src')).toMatch(/^\/api\/v1\/badge\/[0-9a-f]{32}\.svg\?v=up$/);

      await page.getByRole('link', { name: 'All monitors' }).click();
      await page.locator('#signed-in').waitFor();
      expect(await pageShown().isHidden()).toBe(true);
      await eventually(rowIds, [m.monitorId]);
    });

    test('a monitor address opened directly shows that monitor; another account’s monitor shows the 403', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Direct', schedule: 60 });
      const other = await api.createMonitor(server.baseUrl, await api.signUp(server.baseUrl), { name: 'Not yours', schedule: 60 });
      await openWithKey(key);

      await page.goto(`${server.baseUrl}/dashboard.html#monitor/${m.monitorId}`);
      await eventually(heading, 'Direct');
      await page.goto(`${server.baseUrl}/dashboard.html#monitor/${other.monitorId}`);
      await eventually(() => page.locator('#mp-error').textContent(), 'This monitor belongs to another account.');
      expect(await heading()).toBe('Monitor');
      expect(await pingItems().count()).toBe(0);
    });

    test('a ping whose body was dropped for the body budget says so instead of showing no body', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Chatty', schedule: 3600 });
      await post(m.pingUrl, 'first run: 42 rows');
      await post(m.pingUrl, 'second run: 43 rows');
      expect((await fetch(m.pingUrl)).status).toBe(200);
      // A budget of 20 bytes: of these 37, the older body goes (other tests' accounts may lose theirs too).
      expect(await server.deps.store.trimPingBodies({ bytes: { free: 20, pro: 20 }, checkEvery: 1 }, () => true)).toBeGreaterThanOrEqual(1);

      await openMonitor(key, m.monitorId);

      await eventually(() => pingItems().count(), 3);
      const [plain, kept, dropped] = await pingItems().all();
      expect(await plain.textContent()).toContain('No body.');
      expect(await kept.locator('pre').textContent()).toBe('second run: 43 rows');
      expect(await dropped.textContent()).toContain('Body dropped: the account keeps only its newest bodies');
    });

    test('pings show newest first with time, kind, method, source, user agent, and bodies as plain text', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Bodies', schedule: 3600 });
      const hostile = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">\nline 2 & <b>bold</b>';
      await post(m.pingUrl, hostile, { 'user-agent': 'backup-script/2.1 <i>ua</i>' });
      await post(m.pingUrl, 'x'.repeat(SUCCESS_BODY_LIMIT + 500));
      expect((await fetch(`${m.pingUrl}/fail`)).status).toBe(200);

      await openMonitor(key, m.monitorId);

      await eventually(() => pingItems().count(), 3);
      const [fail, big, first] = await pingItems().all();
      expect(await fail.locator('.badge').textContent()).toBe('fail');
      expect(await fail.textContent()).toContain('No body.');
      expect(await big.locator('summary').textContent()).toBe(`Body (${SUCCESS_BODY_LIMIT} characters)truncated`);
      expect(await first.locator('.badge').textContent()).toBe('success');
      expect(await first.locator('.mp-method').textContent()).toBe('POST');
      expect(await first.locator('.mp-item-meta').textContent()).toContain('User agentbackup-script/2.1 <i>ua</i>');
      expect(await first.locator('.mp-item-meta').textContent()).toMatch(/Source(::ffff:)?127\.0\.0\.1/);
      expect(await first.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await first.locator('summary').textContent()).toBe(`Body (${hostile.length} characters)`);
      expect(await first.locator('pre').isVisible()).toBe(false);

      await first.locator('summary').click();

      expect(await first.locator('pre').isVisible()).toBe(true);
      expect(await first.locator('pre').textContent()).toBe(hostile);
      expect(await page.locator('#mp-events script, #mp-events img, #mp-events b, #mp-events i').count()).toBe(0);
      // The title counts the monitor that failed, and nothing in a body changed it.
      expect(await page.title()).toBe('(1 down) CronPeek Dashboard');
    });

    test('load more walks every page of pings, each ping exactly once, then stops', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Busy', schedule: 60 });
      for (let i = 0; i < 45; i++) await post(m.pingUrl, `run ${i}`);
      const expected = Array.from({ length: 45 }, (_, i) => `run ${44 - i}`);

      await openMonitor(key, m.monitorId);

      await eventually(pingBodies, expected.slice(0, 20));
      await page.getByRole('button', { name: 'Load more', exact: true }).click();
      await eventually(pingBodies, expected.slice(0, 40));
      // A ping arriving meanwhile is not on later pages: it sorts before them.
      await post(m.pingUrl, 'late');
      await page.getByRole('button', { name: 'Load more', exact: true }).click();
      await eventually(pingBodies, expected);
      expect(await page.locator('#mp-more-events').isHidden()).toBe(true);
    });

    test('a missed deadline found by the checker and the recovery ping show as status changes', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Flaky', schedule: 60, grace: 60 });
      const token = new URL(m.pingUrl).pathname.split('/').pop() as string;
      // A run two minutes ago, then one step of the checker now: the deadline has passed.
      const pingedAt = new Date(Date.now() - 121_000);
      await server.deps.store.recordPing(
        token,
        { at: pingedAt, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '127.0.0.1', userAgent: 'cron', body: null },
        (mon) => transition(mon, 'ping', pingedAt),
      );
      const swept = await sweepDueMonitors(server.deps, new Date());
      expect(swept.flipped).toBeGreaterThanOrEqual(1);
      expect((await getMonitor(key, m.monitorId)).status).toBe('down');

      await openMonitor(key, m.monitorId);
      await eventually(statusShown, 'down');
      expect(await flipTexts()).toEqual(['up down missed', 'new up ping']);
      await fetch(m.pingUrl);
      await comeBack(page);

      await eventually(flipTexts, ['down up ping', 'up down missed', 'new up ping']);
      expect(await statusShown()).toBe('up');
      expect(await page.locator('#mp-last-alert time').count()).toBe(1);
    });

    test('an invalid schedule or a Pro-only webhook shows the API’s error and changes nothing; a valid edit saves', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Editable', schedule: 3600 });
      const before = await getMonitor(key, m.monitorId);
      await openMonitor(key, m.monitorId);
      await eventually(() => page.getByLabel('Monitor name').inputValue(), 'Editable');

      await page.getByLabel('Schedule (seconds, or a cron line)').fill('every hour');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(async () => (await page.locator('#mp-edit-error').textContent())?.startsWith('Schedule is not a valid cron expression'), true);
      expect(await getMonitor(key, m.monitorId)).toEqual(before);

      await page.getByLabel('Schedule (seconds, or a cron line)').fill('3600');
      await page.getByLabel('Alert webhook', { exact: true }).fill('https://hooks.example.com/cronpeek');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(() => page.locator('#mp-edit-error').textContent(), 'Webhook alerts need the Pro plan. Remove alert webhook or upgrade your plan.');
      expect(await getMonitor(key, m.monitorId)).toEqual(before);

      await page.getByLabel('Alert webhook', { exact: true }).fill('');
      await page.getByLabel('Monitor name').fill('Renamed job');
      await page.getByLabel('Schedule (seconds, or a cron line)').fill('1800');
      await page.getByLabel('Grace', { exact: true }).fill('2');
      await page.getByLabel('Alert email', { exact: true }).fill('');
      await page.getByRole('button', { name: 'Save changes' }).click();

      await eventually(() => page.locator('#mp-edit-saved').textContent(), 'Saved "Renamed job".');
      expect(await page.locator('#mp-edit-error').isHidden()).toBe(true);
      expect(await getMonitor(key, m.monitorId)).toMatchObject({ name: 'Renamed job', schedule: 1800, grace: 120, alertEmail: null });
      expect(await heading()).toBe('Renamed job');
      expect(await page.locator('#mp-alert-email').textContent()).toBe('none');
    });

    test('a cron schedule with a zone is saved from the settings form', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'To cron', schedule: 3600 });
      await openMonitor(key, m.monitorId);
      await eventually(() => page.getByLabel('Monitor name').inputValue(), 'To cron');

      await page.getByLabel('Schedule (seconds, or a cron line)').fill('30 2 * * *');
      await page.getByLabel('Time zone (cron only)').fill('Europe/Berlin');
      await page.getByRole('button', { name: 'Save changes' }).click();

      await eventually(() => page.locator('#mp-schedule').textContent(), 'cron 30 2 * * * (Europe/Berlin)');
      expect(await getMonitor(key, m.monitorId)).toMatchObject({ schedule: '30 2 * * *', tz: 'Europe/Berlin' });
    });

    test('on the Pro plan, setting a webhook shows its new signing secret once', async () => {
      const pro = await startTestServer({ CRONPEEK_DEFAULT_PLAN: 'pro' });
      try {
        const key = await api.signUp(pro.baseUrl);
        const m = await api.createMonitor(pro.baseUrl, key, { name: 'Hooked later', schedule: 3600 });
        await openMonitor(key, m.monitorId, pro.baseUrl);
        await eventually(() => page.getByLabel('Monitor name').inputValue(), 'Hooked later');

        await page.getByLabel('Alert webhook', { exact: true }).fill('https://hooks.example.com/cronpeek');
        await page.getByRole('button', { name: 'Save changes' }).click();

        await eventually(async () => /^whsec_[A-Za-z0-9_-]+$/.test((await page.locator('#mp-edit-saved code').textContent()) ?? ''), true);
        expect(await getMonitor(key, m.monitorId, pro.baseUrl)).toMatchObject({ alertWebhook: 'https://hooks.example.com/cronpeek' });
        await comeBack(page);
        await page.getByRole('link', { name: 'All monitors' }).click();
        await row(m.monitorId).locator('a.monitor-name').click();
        await eventually(heading, 'Hooked later');
        expect(await page.locator('#monitor-page').textContent()).not.toContain('whsec_');
      } finally {
        await pro.close();
      }
    });

    test('pause and resume; a 409 from a page out of date is shown and the page catches up', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Pausable', schedule: 3600 });
      await fetch(m.pingUrl);
      await openMonitor(key, m.monitorId);
      await eventually(statusShown, 'up');
      expect(await page.getByRole('button', { name: 'Resume monitor' }).isDisabled()).toBe(true);

      await page.getByRole('button', { name: 'Pause monitor' }).click();
      await eventually(statusShown, 'paused');
      expect(await getMonitor(key, m.monitorId)).toMatchObject({ status: 'paused', manualResume: false });
      expect(await page.locator('#mp-pause-state').textContent()).toBe('Paused: the next ping resumes it.');
      await eventually(flipTexts, ['up paused pause', 'new up ping']);

      await page.getByRole('button', { name: 'Resume monitor' }).click();
      await eventually(statusShown, 'up');
      expect((await getMonitor(key, m.monitorId)).status).toBe('up');

      // Paused elsewhere (another tab, a script): this page still offers Pause.
      expect((await monitorApi(server.baseUrl, key, 'POST', `/${m.monitorId}/pause`)).status).toBe(200);
      await page.getByRole('button', { name: 'Pause monitor' }).click();
      await eventually(() => page.locator('#mp-control-error').textContent(), 'This monitor is already paused.');
      await eventually(statusShown, 'paused');
      expect(await page.getByRole('button', { name: 'Resume monitor' }).isEnabled()).toBe(true);

      expect((await monitorApi(server.baseUrl, key, 'POST', `/${m.monitorId}/resume`)).status).toBe(200);
      await page.getByRole('button', { name: 'Resume monitor' }).click();
      await eventually(() => page.locator('#mp-control-error').textContent(), 'This monitor is not paused.');
      await eventually(statusShown, 'up');
    });

    test('an edit in progress survives a pause and a refresh, and a save shows the monitor as saved', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Half edited', schedule: 3600 });
      await openMonitor(key, m.monitorId);
      await eventually(() => page.getByLabel('Monitor name').inputValue(), 'Half edited');

      await page.getByLabel('Monitor name').fill('Typed, not saved');
      await page.getByRole('button', { name: 'Pause monitor' }).click();
      await eventually(statusShown, 'paused');
      await comeBack(page);
      await eventually(() => page.locator('#mp-ping-count').textContent(), '0');
      expect(await page.getByLabel('Monitor name').inputValue()).toBe('Typed, not saved');

      await page.getByRole('button', { name: 'Save changes' }).click();
      await eventually(heading, 'Typed, not saved');
      await monitorApi(server.baseUrl, key, 'PATCH', `/${m.monitorId}`, { name: 'Renamed elsewhere' });
      await comeBack(page);
      await eventually(() => page.getByLabel('Monitor name').inputValue(), 'Renamed elsewhere');
    });

    test('a pause with "manual resume only" survives a ping, which is still recorded', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Maintenance', schedule: 3600 });
      await fetch(m.pingUrl);
      await openMonitor(key, m.monitorId);
      await eventually(statusShown, 'up');

      await page.getByLabel('Manual resume only (pings are recorded but do not resume it)').check();
      await page.getByRole('button', { name: 'Pause monitor' }).click();
      await eventually(statusShown, 'paused');
      expect(await getMonitor(key, m.monitorId)).toMatchObject({ status: 'paused', manualResume: true });

      await post(m.pingUrl, 'ran during maintenance');
      await comeBack(page);

      await eventually(() => page.locator('#mp-ping-count').textContent(), '2');
      expect(await statusShown()).toBe('paused');
      expect(await page.locator('#mp-pause-state').textContent()).toBe('Paused until resumed here: pings are recorded but do not resume it.');
      expect(await pingBodies()).toEqual(['ran during maintenance', null]);

      await page.getByRole('button', { name: 'Resume monitor' }).click();
      await eventually(statusShown, 'up');
      expect(await getMonitor(key, m.monitorId)).toMatchObject({ status: 'up', manualResume: false });
    });

    test('the docs page describes the monitor page as it is: its address opens the monitor, pages hold 20', async () => {
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Documented', schedule: 60 });
      for (let i = 0; i < 21; i++) await post(m.pingUrl, `run ${i}`);
      await page.goto(`${server.baseUrl}/`);
      const said = (await page.locator('#monitor-page + p').textContent()) ?? '';
      const address = /dashboard\.html#monitor\/<monitorId>/.exec(said)?.[0];
      expect(address).toBeDefined();
      const pageSize = Number(/(\d+) at a time/.exec(said)?.[1]);

      await openWithKey(key);
      await page.goto(`${server.baseUrl}/${(address as string).replace('<monitorId>', m.monitorId)}`);

      await eventually(heading, 'Documented');
      await eventually(() => pingItems().count(), pageSize);
      expect(await page.getByRole('button', { name: 'Load more', exact: true }).isVisible()).toBe(true);
    });

    test('at phone width the page fits the screen, long bodies and user agents included', async () => {
      await context.close();
      ({ context, page, pageErrors } = await openPage(browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true }));
      const key = await api.signUp(server.baseUrl);
      const m = await api.createMonitor(server.baseUrl, key, { name: 'Phone', schedule: 3600 });
      await post(m.pingUrl, `${'a-very-long-unbroken-log-line-'.repeat(20)}\n${'word '.repeat(200)}`, { 'user-agent': `agent/${'x'.repeat(300)}` });
      await openMonitor(key, m.monitorId);
      await eventually(() => pingItems().count(), 1);
      await pingItems().first().locator('summary').click();

      const widths = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })')) as { scroll: number; client: number };
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(await page.getByRole('button', { name: 'Pause monitor' }).isVisible()).toBe(true);
    });
  });
});
