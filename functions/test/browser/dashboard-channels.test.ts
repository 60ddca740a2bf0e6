import { serve, type StandInRequest, type StandInServer } from '../support/standins/serve';
import { api, comeBack, describeWithBrowser, eventually, openMonitorPage, useBrowserSuite, type BrowserSuite } from './support';

/**
 * A real local receiver for webhook channels. It answers as CronPeek's webhook contract expects
 * (docs/alerts.md, "Delivery, retries and final failure"): 204 accepts, and a path under /gone
 * answers 410 with a text, which CronPeek keeps as a final failure.
 */
async function startReceiver(): Promise<StandInServer & { requests: StandInRequest[] }> {
  const requests: StandInRequest[] = [];
  const server = await serve((req) => {
    requests.push(req);
    if (req.path.startsWith('/gone')) return { status: 410, contentType: 'text/plain', body: 'this hook was removed' };
    return { status: 204, contentType: 'text/plain', body: '' };
  });
  return Object.assign(server, { requests });
}

interface Channel {
  channelId: string;
  kind: string;
  name: string;
  config: Record<string, unknown>;
  events: string[];
  isDefault: boolean;
}

async function call<T>(suite: BrowserSuite, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${suite.server.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

describeWithBrowser('dashboard: alert channels', () => {
  // Pro, so every kind may be created; private targets allowed, since the receiver is on 127.0.0.1.
  const suite = useBrowserSuite({ CRONPEEK_DEFAULT_PLAN: 'pro', CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1' });
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  const channelsOf = async (key: string) => (await call<{ channels: Channel[] }>(suite, key, 'GET', '/api/v1/channels')).body.channels;
  async function createChannel(key: string, body: Record<string, unknown>): Promise<Channel> {
    const res = await call<Channel>(suite, key, 'POST', '/api/v1/channels', body);
    if (res.status !== 201) throw new Error(`creating a channel answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const webhook = (name: string, path = '/hook') => ({ kind: 'webhook', name, config: { url: `${receiver.origin}${path}` } });

  async function openDashboard(key: string): Promise<void> {
    const { page, server } = suite;
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('#signed-in').waitFor();
  }

  const item = (channelId: string) => suite.page.locator(`#ac-list li[data-channel-id="${channelId}"]`);
  const fromReceiver = (event: string) => receiver.requests.filter((r) => r.headers['x-cronpeek-event'] === event);

  test('a channel created with the form is listed with its kind, events and default flag, its URL masked and its secret shown once', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    await openDashboard(key);
    const { page } = suite;

    await page.getByLabel('Kind', { exact: true }).selectOption('webhook');
    await page.getByLabel('Channel name').fill('Ops <b>bot</b>');
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.origin}/hook/secret-path`);
    await page.getByLabel('Reminders while down').uncheck();
    await page.getByLabel('Attach to monitors created from now on').check();
    await page.getByRole('button', { name: 'Create channel' }).click();

    await eventually(() => page.locator('#ac-done').textContent(), 'Created the channel "Ops <b>bot</b>".');
    const [created] = await channelsOf(key);
    expect(created).toMatchObject({ kind: 'webhook', name: 'Ops <b>bot</b>', events: ['down', 'up', 'flapping'], isDefault: true, config: { url: `${receiver.origin}/…` } });
    const shown = item(created.channelId);
    await eventually(() => shown.locator('.ac-name').textContent(), 'Ops <b>bot</b>');
    expect(await shown.locator('b').count()).toBe(0); // the name is text, never markup
    const text = (await shown.textContent()) ?? '';
    expect(text).toContain('Webhook');
    expect(text).toContain('down, up, flapping');
    expect(text).toContain('default');
    expect(text).not.toContain('secret-path');
    expect(await page.locator('#ac-secret-value').inputValue()).toMatch(/^whsec_/);
  });

  test('the form shows the fields of the chosen kind', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    await openDashboard(key);
    const { page } = suite;
    const fields = () => page.locator('#ac-config label').allTextContents();

    await page.getByLabel('Kind', { exact: true }).selectOption('telegram');
    expect(await fields()).toEqual(['Bot token', 'Chat id or @channelname']);
    await page.getByLabel('Kind', { exact: true }).selectOption('matrix');
    expect(await fields()).toEqual(['Homeserver URL', 'Room id (!opaque:server)', 'Access token']);
    expect(await page.locator('#ac-kind option').count()).toBe(14);
  });

  test("the API's refusal of a bad setting is shown and nothing is created", async () => {
    const key = await api.signUp(suite.server.baseUrl);
    await openDashboard(key);
    const { page } = suite;

    await page.getByLabel('Kind', { exact: true }).selectOption('pagerduty');
    await page.getByLabel('Channel name').fill('Pager');
    await page.getByLabel('Events API v2 integration key').fill('too-short');
    await page.getByRole('button', { name: 'Create channel' }).click();

    await eventually(async () => ((await page.locator('#ac-error').textContent()) ?? '').includes('config.routingKey'), true);
    expect(await channelsOf(key)).toEqual([]);
  });

  test('Test sends a test alert to the real receiver and shows "delivered"', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const channel = await createChannel(key, webhook('Receiver'));
    const before = fromReceiver('channel.test').length;
    await openDashboard(key);

    await suite.page.getByRole('button', { name: 'Test Receiver' }).click();

    await eventually(() => item(channel.channelId).locator('.ac-result').textContent(), 'delivered');
    expect(fromReceiver('channel.test').length).toBe(before + 1);
  });

  test("Test shows 'failed:' with the receiver's answer when it refuses", async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const channel = await createChannel(key, webhook('Removed hook', '/gone'));
    await openDashboard(key);

    await suite.page.getByRole('button', { name: 'Test Removed hook' }).click();

    const result = item(channel.channelId).locator('.ac-result');
    await eventually(async () => /^failed: .*410/.test((await result.textContent()) ?? ''), true);
  });

  test('editing changes the events and keeps the secret URL that was not sent again', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const channel = await createChannel(key, webhook('Editable'));
    await openDashboard(key);
    const { page } = suite;

    await page.getByRole('button', { name: 'Edit Editable' }).click();
    await page.getByLabel('Channel name').fill('Edited');
    await page.getByLabel('Up again').uncheck();
    await page.getByRole('button', { name: 'Save channel' }).click();

    await eventually(() => page.locator('#ac-done').textContent(), 'Saved the channel "Edited".');
    const [edited] = await channelsOf(key);
    expect(edited).toMatchObject({ channelId: channel.channelId, name: 'Edited', events: ['down', 'still_down', 'flapping'] });
    const test = await call<{ state: string }>(suite, key, 'POST', `/api/v1/channels/${channel.channelId}/test`);
    expect(test.body.state).toBe('delivered'); // the URL is still the receiver's
  });

  test('Delete asks first: dismissed keeps the channel, accepted deletes it', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const channel = await createChannel(key, webhook('Doomed'));
    await openDashboard(key);
    const { page } = suite;
    const answers = [false, true];
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void (answers.shift() ? dialog.accept() : dialog.dismiss());
    });

    await page.getByRole('button', { name: 'Delete Doomed' }).click();
    await eventually(() => Promise.resolve(dialogs.length), 1);
    expect((await channelsOf(key)).map((c) => c.channelId)).toEqual([channel.channelId]);

    await page.getByRole('button', { name: 'Delete Doomed' }).click();

    await eventually(async () => (await channelsOf(key)).length, 0);
    await eventually(() => item(channel.channelId).count(), 0);
    expect(dialogs[0]).toContain('Delete the channel "Doomed"?');
  });

  test("a channel checked on the monitor's page is attached, alerts it when the monitor goes down, and the delivery is listed", async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const channel = await createChannel(key, webhook('Down alerts', '/down-alerts'));
    await createChannel(key, webhook('Not attached', '/not-attached'));
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Attached job', schedule: 3600 });
    await openMonitorPage(suite, key, m.monitorId);
    const { page } = suite;

    await page.getByLabel('Down alerts (Webhook)').check();
    await page.getByRole('button', { name: 'Save channels' }).click();

    await eventually(() => page.locator('#mp-channels-saved').textContent(), 'This monitor alerts Down alerts.');
    const monitor = await call<{ channels: string[] }>(suite, key, 'GET', `/api/v1/monitors/${m.monitorId}`);
    expect(monitor.body.channels).toEqual([channel.channelId]);

    expect((await fetch(m.pingUrl)).status).toBe(200);
    expect((await fetch(`${m.pingUrl}/fail`)).status).toBe(200);
    await eventually(() => Promise.resolve(receiver.requests.filter((r) => r.path === '/down-alerts').length), 1);
    expect(receiver.requests.filter((r) => r.path === '/not-attached')).toEqual([]);

    await comeBack(page);
    // The monitor's own e-mail alert is listed too; this is the channel's.
    const delivery = page.locator('#mp-events li[data-event="delivery"]', { hasText: 'Webhook "Down alerts"' });
    await eventually(() => delivery.locator('.mp-state').textContent(), 'delivered');
    expect(await delivery.textContent()).toContain('monitor.down');
  });

  test('the event log shows 20 alerts, newest first, and "Load more" follows the cursor to the rest', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Busy job', schedule: 3600 });
    const { store } = suite.server.deps;
    const monitor = (await store.getMonitor(m.monitorId))!;
    // 25 past alerts in the store, one a minute; the newest failed with the receiver's text.
    for (let i = 0; i < 25; i++) {
      await store.insertNotification({
        id: `${m.monitorId}_past_${String(i).padStart(2, '0')}_email`,
        flipId: `${m.monitorId}_past_${i}`,
        monitorId: m.monitorId,
        accountId: monitor.accountId,
        channel: 'email',
        channelId: null,
        event: i % 2 === 0 ? 'monitor.down' : 'monitor.up',
        target: 'oncall@example.com',
        createdAt: new Date(Date.UTC(2026, 2, 28, 2, i)),
        state: i === 24 ? 'failed' : 'logged',
        attempts: 1,
        nextAttemptAt: null,
        lastError: i === 24 ? 'not sent: hourly e-mail cap of 20 for this account reached' : null,
        deliveredAt: null,
        snapshot: { monitorId: m.monitorId, name: 'Busy job', schedule: 3600, grace: 360, lastPingAt: null },
      });
    }
    await openMonitorPage(suite, key, m.monitorId);
    const { page } = suite;
    const ids = () => page.locator('#mp-events li[data-event="delivery"]').evaluateAll((items) => items.map((li) => li.getAttribute('data-notification-id')));
    const expected = (n: number) => Array.from({ length: n }, (_, k) => `${m.monitorId}_past_${String(24 - k).padStart(2, '0')}_email`);

    await eventually(ids, expected(20));
    const newest = page.locator('#mp-events li[data-event="delivery"]').first();
    expect(await newest.locator('.mp-state').textContent()).toBe('failed');
    expect(await newest.textContent()).toContain('not sent: hourly e-mail cap of 20 for this account reached');

    await page.getByRole('button', { name: 'Load more', exact: true }).click();

    await eventually(ids, expected(25));
    expect(await page.getByRole('button', { name: 'Load more', exact: true }).isHidden()).toBe(true);
  });

  test('at 390 px neither the channels panel nor the monitor page scrolls sideways', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    await createChannel(key, { ...webhook('A channel with a rather long name for a narrow phone screen'), events: ['down'] });
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Phone job', schedule: 3600 });
    const { page } = suite;
    await page.setViewportSize({ width: 390, height: 844 });
    const widths = () => page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]') as Promise<[number, number]>;

    await openDashboard(key);
    await eventually(() => page.locator('#ac-list li').count(), 1);
    await page.getByLabel('Kind', { exact: true }).selectOption('webhook');
    const [listWidth, listClient] = await widths();
    expect(listClient).toBe(390);
    expect(listWidth).toBeLessThanOrEqual(listClient);

    // Still signed in (the tab keeps its key): the monitor's page opens from its address.
    await page.goto(`${suite.server.baseUrl}/dashboard.html#monitor/${m.monitorId}`);
    await eventually(() => page.locator('#mp-channel-choices input').count(), 1);
    const [pageWidth, pageClient] = await widths();
    expect(pageWidth).toBeLessThanOrEqual(pageClient);
  });
});
