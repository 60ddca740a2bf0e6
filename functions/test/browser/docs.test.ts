import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHANNEL_KINDS, secretFields, type Channel } from '../../src/domain/channels';
import { PLANS } from '../../src/domain/plans';
import { FAILURE_BODY_LIMIT, SUCCESS_BODY_LIMIT } from '../../src/services/ping';
import { api, describeWithBrowser, launchBrowser, openPage, startTestServer, type TestServer } from './support';

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

  test("its response examples have the same fields as the API's real responses", async () => {
    await page.goto(`${server.baseUrl}/`);
    const documented = async (section: string, label: string) => {
      const text = await page.locator(`#${section} .code-label:text-is("${label}") + .code-block code`).textContent();
      return Object.keys(JSON.parse(text ?? '') as object).sort();
    };
    const fieldsOf = (body: unknown) => Object.keys(body as object).sort();
    const exampleOf = async (section: string) =>
      (await page.locator(`#${section} .code-label:text-is("Response 200") + .code-block code`).textContent()) ?? '';
    const call = async (method: string, apiPath: string, apiKey?: string, body?: unknown) => {
      const res = await fetch(`${server.baseUrl}${apiPath}`, {
        method,
        headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const email = `docs-${Date.now()}@example.com`;
    const signup = await call('POST', '/api/v1/accounts', undefined, { email });
    const apiKey = signup.apiKey as string;
    const created = await call('POST', '/api/v1/monitors', apiKey, { name: 'Docs check', schedule: 60 });
    const ping = await call('GET', new URL(created.pingUrl as string).pathname);
    const [listed] = await api.listMonitors(server.baseUrl, apiKey);
    const cron = await call('POST', '/api/v1/monitors', apiKey, { name: 'Docs cron', schedule: '30 2 * * *', tz: 'Europe/Berlin' });
    const signal = await call('POST', `${new URL(cron.pingUrl as string).pathname}/3`);

    const actual = {
      account: fieldsOf(signup),
      duplicate: fieldsOf(await call('POST', '/api/v1/accounts', undefined, { email })),
      monitor: fieldsOf({ ...created, webhookSecret: 'only with a webhook' }),
      list: fieldsOf(await call('GET', '/api/v1/monitors', apiKey)),
      listed: fieldsOf(listed),
      status: fieldsOf(await call('GET', `/api/v1/monitors/${created.monitorId}/status`, apiKey)),
      ping: fieldsOf(ping),
      cron: fieldsOf(cron),
      signal: fieldsOf(signal),
      health: fieldsOf(await call('GET', '/api/health')),
      getMonitor: fieldsOf(await call('GET', `/api/v1/monitors/${created.monitorId}`, apiKey)),
      edited: fieldsOf(await call('PATCH', `/api/v1/monitors/${created.monitorId}`, apiKey, { name: 'Docs check (edited)' })),
      paused: fieldsOf(await call('POST', `/api/v1/monitors/${created.monitorId}/pause`, apiKey, { manualResume: true })),
      resumed: fieldsOf(await call('POST', `/api/v1/monitors/${created.monitorId}/resume`, apiKey)),
      ...(await (async () => {
        const pings = await call('GET', `/api/v1/monitors/${created.monitorId}/pings`, apiKey);
        const flips = await call('GET', `/api/v1/monitors/${created.monitorId}/flips`, apiKey);
        return {
          pings: fieldsOf(pings),
          pingItem: fieldsOf((pings.pings as object[])[0]),
          flips: fieldsOf(flips),
          flipItem: fieldsOf((flips.flips as object[])[0]),
        };
      })()),
      deleted: fieldsOf(await call('DELETE', `/api/v1/monitors/${created.monitorId}`, apiKey)),
    };
    const listExample = JSON.parse((await page.locator('#list-monitors .code-label:text-is("Response 200") + .code-block code').textContent()) ?? '') as {
      monitors: object[];
    };

    expect({
      account: await documented('create-account', 'Response 201'),
      duplicate: await documented('create-account', 'Response 409 (email already registered)'),
      monitor: await documented('create-monitor', 'Response 201'),
      list: await documented('list-monitors', 'Response 200'),
      listed: fieldsOf(listExample.monitors[0]),
      status: await documented('monitor-status', 'Response 200'),
      ping: await documented('send-ping', 'Response 200 (GET/POST)'),
      cron: await documented('cron-schedules', 'Response 201 (cron)'),
      signal: await documented('signals', 'Response 200 (GET/POST)'),
      health: await documented('health-check', 'Response 200'),
      getMonitor: await documented('get-monitor', 'Response 200'),
      edited: await documented('edit-monitor', 'Response 200'),
      paused: await documented('pause-monitor', 'Response 200'),
      resumed: await documented('resume-monitor', 'Response 200'),
      pings: await documented('ping-history', 'Response 200'),
      pingItem: fieldsOf((JSON.parse(await exampleOf('ping-history')) as { pings: object[] }).pings[0]),
      flips: await documented('flip-history', 'Response 200'),
      flipItem: fieldsOf((JSON.parse(await exampleOf('flip-history')) as { flips: object[] }).flips[0]),
      deleted: await documented('delete-monitor', 'Response 200'),
    }).toEqual(actual);
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
      'GET /api/v1/monitors/:id API key required',
      'PATCH /api/v1/monitors/:id API key required',
      'POST /api/v1/monitors/:id/pause API key required',
      'POST /api/v1/monitors/:id/resume API key required',
      'POST /api/v1/monitors/:id/acknowledge API key required',
      'POST DELETE /api/v1/monitors/:id/snooze API key required',
      'GET POST HEAD /api/v1/ping/:token/snooze No auth',
      'GET /api/v1/monitors/:id/pings API key required',
      'GET /api/v1/monitors/:id/flips API key required',
      'GET /api/v1/schedule/preview No auth',
      'GET POST HEAD /api/v1/ping/:token No auth',
      'GET POST HEAD /api/v1/ping/:token/start | /fail | /:exitCode No auth',
      'POST /api/v1/account/ping-key API key required',
      'GET POST HEAD /api/v1/ping/:pingKey/:slug/:signal No auth',
      'PUT /api/v1/monitors/by-slug/:slug API key required',
      'GET /api/v1/export API key required',
      'POST /api/v1/import API key required',
      'GET /api/health No auth',
      'GET /api/v1/account API key required',
      'PATCH /api/v1/account API key required',
      'POST /api/v1/account/rotate-key API key required',
      'POST /api/v1/account/keys API key required',
      'GET /api/v1/account/keys API key required',
      'DELETE /api/v1/account/keys/:keyId API key required',
      'POST /api/v1/account/confirm-email API key required',
      'DELETE /api/v1/account API key required',
      'POST /api/v1/accounts/recover No auth',
      'POST /api/v1/accounts/recover/confirm No auth',
      'POST /api/v1/auth/email-link No auth',
      'POST /api/v1/auth/sessions No auth',
      'GET /api/v1/account/sessions API key required',
      'DELETE /api/v1/account/sessions/:sessionId API key required',
      'POST /api/v1/email/confirm No auth',
      'POST /api/v1/email/decline No auth',
      'GET POST /api/v1/email/unsubscribe No auth',
      'GET /api/v1/badge/:key.svg No auth',
      'GET /api/v1/badge/:key.json No auth',
      'POST /api/v1/channels API key required',
      'GET /api/v1/channels API key required',
      'GET /api/v1/channels/:id API key required',
      'PATCH /api/v1/channels/:id API key required',
      'DELETE /api/v1/channels/:id API key required',
      'POST /api/v1/channels/:id/test API key required',
      'GET /api/v1/channels/:id/notifications API key required',
      'GET /api/v1/monitors/:id/notifications API key required',
      'POST /api/v1/maintenance API key required',
      'GET /api/v1/maintenance API key required',
      'GET PATCH DELETE /api/v1/maintenance/:id API key required',
      'POST /api/v1/status-pages API key required',
      'GET /api/v1/status-pages API key required',
      'GET PATCH DELETE /api/v1/status-pages/:id API key required',
      'GET /status/:slug No auth',
      'GET /status/:slug.json No auth',
      'GET /api/v1/metrics API key required',
    ]);
  });

  test('says a duplicate signup answers 409 with an error and never shows the key again', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = await sectionText('create-account');

    expect(text).toContain('409 Conflict');
    expect(text).toContain('the existing key is never shown again');
    expect(text).not.toContain('the existing key is returned');
  });

  test('says ping URLs accept GET, POST and HEAD, what they keep of a POST body, and the body budget', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = (await sectionText('send-ping')).replace(/\s+/g, ' ');

    expect(text).toContain('Ping URLs accept GET, POST, or HEAD requests');
    // The figures are the code's own.
    expect(text).toContain(`keeps the first ${FAILURE_BODY_LIMIT / 1024} KB of it with a failure`);
    expect(text).toContain(`the first ${SUCCESS_BODY_LIMIT / 1024} KB with a success or a start`);
    const mb = (bytes: number) => bytes / (1024 * 1024);
    expect(text).toContain(`An account keeps up to ${mb(PLANS.free.pingBodyBytes)} MB of bodies in all (Pro: ${mb(PLANS.pro.pingBodyBytes)} MB)`);
  });

  test('shows where to find a Slack webhook URL and a PagerDuty key, and its example is refused on Free as it says', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = (await sectionText('slack-pagerduty')).replace(/\s+/g, ' ');
    expect(text).toContain('Incoming Webhooks');
    expect(text).toContain('Events API V2');
    expect(text).toContain('Integration Key');

    const example = (await page.locator('#slack-pagerduty pre code').first().textContent()) ?? '';
    const body = JSON.parse(/-d '([\s\S]+)'/.exec(example)?.[1] ?? '') as Record<string, unknown>;
    expect(body).toMatchObject({ alertSlack: expect.stringMatching(/^https:\/\/hooks\.slack\.com\//), alertPagerDuty: expect.stringMatching(/^[0-9a-z]{32}$/) });
    const apiKey = await api.signUp(server.baseUrl);
    const res = await fetch(`${server.baseUrl}/api/v1/monitors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'Slack alerts need the Pro plan. Remove alertSlack or upgrade your plan.' });
  });

  test('shows one channel example per kind, in registry order, and each is created as written on the Pro plan with its secrets masked', async () => {
    await page.goto(`${server.baseUrl}/`);
    const examples = await page.locator('#channels h3[id^="channel-"] + .code-block code').allTextContents();
    const bodies = examples.map((text) => JSON.parse(/-d '([\s\S]+)'/.exec(text)?.[1] ?? '') as { kind: Channel; name: string; config: Record<string, string> });
    expect(bodies.map((b) => b.kind)).toEqual(CHANNEL_KINDS);
    expect(await page.locator('#channels table tbody tr').count()).toBe(CHANNEL_KINDS.length);

    const pro = await startTestServer({ CRONPEEK_DEFAULT_PLAN: 'pro' });
    try {
      const apiKey = await api.signUp(pro.baseUrl);
      for (const body of bodies) {
        const res = await fetch(`${pro.baseUrl}/api/v1/channels`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
        const created = (await res.json()) as { kind: string; config: Record<string, string> };
        expect({ kind: body.kind, status: res.status }).toEqual({ kind: body.kind, status: 201 });
        expect(created.kind).toBe(body.kind);
        for (const field of secretFields(body.kind)) {
          if (body.config[field] !== undefined) expect(created.config[field]).not.toBe(body.config[field]);
        }
      }
    } finally {
      await pro.close();
    }
  });

  test('documents signals with a crontab example that sends start, then the exit code with the output', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = (await sectionText('signals')).replace(/\s+/g, ' ');

    expect(text).toContain('/ping/:token/start');
    expect(text).toContain('/ping/:token/fail');
    expect(text).toContain('started but never finished');
    expect(text).toMatch(/30 2 \* \* \* .*\$URL\/start.*--data-binary @\/tmp\/backup\.log "\$URL\/\$\?"/);
    expect(text).toContain('?rid=');
  });

  test('offers cronpeek.sh for download and shows it wrapping a crontab job', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = (await sectionText('job-wrapper')).replace(/\s+/g, ' ');
    const href = await page.locator('#job-wrapper a[download]').getAttribute('href');
    const script = await fetch(new URL(href as string, page.url()));

    expect(text).toContain(`cronpeek.sh exec ${server.baseUrl}/api/v1/ping/`);
    expect(text).toContain('last 10 KB');
    expect(text).toContain(`curl -fsS -o /usr/local/bin/cronpeek.sh ${server.baseUrl}/cronpeek.sh`);
    expect(script.status).toBe(200);
    expect(await script.text()).toMatch(/^#!\/bin\/sh\n/);
  });

  test('documents status badges, and the documented JSON badge has the fields of a real one', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = (await sectionText('status-badges')).replace(/\s+/g, ' ');
    const example = JSON.parse((await page.locator('#status-badges .code-label:text-is("Response 200 (.json)") + .code-block code').textContent()) ?? '') as Record<string, unknown>;
    const apiKey = await api.signUp(server.baseUrl);
    const created = await api.createMonitor(server.baseUrl, apiKey, { name: 'Docs badge', schedule: 3600 });
    const status = (await (await fetch(`${server.baseUrl}/api/v1/monitors/${created.monitorId}/status`, { headers: { 'x-api-key': apiKey } })).json()) as { badgeUrl: string };
    const real = (await (await fetch(status.badgeUrl.replace(/\.svg$/, '.json'))).json()) as Record<string, unknown>;

    expect(text).toContain('not the ping token');
    expect(text).toContain('max-age=60');
    expect(Object.keys(example).sort()).toEqual(Object.keys(real).sort());
    expect((await fetch(status.badgeUrl)).headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });

  test('documents cron schedules with their zone and how DST is handled', async () => {
    await page.goto(`${server.baseUrl}/`);

    const text = (await sectionText('cron-schedules')).replace(/\s+/g, ' ');

    expect(text).toContain('5-field cron expression');
    expect(text).toContain('"tz": "Europe/Berlin"');
    expect(text).toContain('the hour the clocks skip');
  });

  test("the account calls' response examples have the same fields as the API's real responses", async () => {
    await page.goto(`${server.baseUrl}/`);
    const documented = async (section: string, label: string) => {
      const text = await page.locator(`#${section} .code-label:text-is("${label}") + .code-block code`).textContent();
      return Object.keys(JSON.parse(text ?? '') as object).sort();
    };
    const call = async (method: string, apiPath: string, apiKey?: string, body?: unknown) => {
      const res = await fetch(`${server.baseUrl}${apiPath}`, {
        method,
        headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return Object.keys((await res.json()) as object).sort();
    };
    const email = `docs-account-${Date.now()}@example.com`;
    const apiKey = await api.signUp(server.baseUrl, email);
    const rotated = await fetch(`${server.baseUrl}/api/v1/account/rotate-key`, { method: 'POST', headers: { 'x-api-key': apiKey } });
    const newKey = ((await rotated.json()) as { apiKey: string }).apiKey;

    expect({
      account: await documented('get-account', 'Response 200'),
      rotated: await documented('rotate-key', 'Response 200'),
      recover: await documented('recover-account', 'Response 202'),
      badToken: await documented('confirm-recovery', 'Response 400 (wrong, expired or used token)'),
      deleted: await documented('delete-account', 'Response 200'),
    }).toEqual({
      account: await call('GET', '/api/v1/account', newKey),
      rotated: ['apiKey'],
      recover: await call('POST', '/api/v1/accounts/recover', undefined, { email }),
      badToken: await call('POST', '/api/v1/accounts/recover/confirm', undefined, { email, token: 'A'.repeat(43) }),
      deleted: await call('DELETE', '/api/v1/account', newKey),
    });
    expect(await documented('confirm-recovery', 'Response 200')).toEqual(['apiKey']);
  });

  test("the maintenance window, snooze and read-only key examples have the same fields as the API's real responses, and the refusal is its words", async () => {
    await page.goto(`${server.baseUrl}/`);
    const example = async (section: string, label: string) =>
      JSON.parse((await page.locator(`#${section} .code-label:text-is("${label}") + .code-block code`).textContent()) ?? '') as Record<string, unknown>;
    const call = async (method: string, apiPath: string, apiKey?: string, body?: unknown) => {
      const res = await fetch(`${server.baseUrl}${apiPath}`, {
        method,
        headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const keys = (o: object) => Object.keys(o).sort();
    const apiKey = await api.signUp(server.baseUrl, `docs-quiet-${Date.now()}@example.com`);
    const monitor = (await call('POST', '/api/v1/monitors', apiKey, { name: 'Docs quiet', schedule: 3600 })).body;
    const window = await call('POST', '/api/v1/maintenance', apiKey, { name: 'Weekly', monitors: [monitor.monitorId], schedule: '0 3 * * 0', tz: 'Europe/Berlin', duration: 7200 });
    const byPing = await call('GET', `${new URL(monitor.pingUrl as string).pathname}/snooze?for=3600`);
    const made = await call('POST', '/api/v1/account/keys', apiKey, { name: 'grafana', access: 'read' });
    const listed = await call('GET', '/api/v1/account/keys', made.body.apiKey as string);
    const refused = await call('PATCH', `/api/v1/monitors/${monitor.monitorId}`, made.body.apiKey as string, { name: 'Renamed' });

    expect([window.status, byPing.status, made.status, listed.status]).toEqual([201, 200, 201, 200]);
    expect(keys(window.body)).toEqual(keys(await example('maintenance-windows', 'Response 201')));
    expect(keys(byPing.body)).toEqual(keys(await example('snooze', 'Response 200 (GET/POST)')));
    expect(keys(made.body)).toEqual(keys(await example('read-only-keys', 'Response 201')));
    const documentedList = await example('read-only-keys', 'Response 200 (GET)');
    expect(keys(listed.body)).toEqual(keys(documentedList));
    expect(keys((listed.body.keys as object[])[0])).toEqual(keys((documentedList.keys as object[])[0]));
    expect(refused).toEqual({ status: 403, body: await example('read-only-keys', 'Response 403 (a change with a read-only key)') });
  });
  test("the status page and sign-in examples have the same fields as the API's real responses, and the fixed answers are its words", async () => {
    await page.goto(`${server.baseUrl}/`);
    const example = async (section: string, label: string) =>
      JSON.parse((await page.locator(`#${section} .code-label:text-is("${label}") + .code-block code`).textContent()) ?? '') as Record<string, unknown>;
    const call = async (method: string, apiPath: string, apiKey?: string, body?: unknown) => {
      const res = await fetch(`${server.baseUrl}${apiPath}`, {
        method,
        headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const keys = (o: unknown) => Object.keys(o as object).sort();
    const email = `docs-pages-${Date.now()}@example.com`;
    const apiKey = await api.signUp(server.baseUrl, email);
    const monitor = (await call('POST', '/api/v1/monitors', apiKey, { name: 'Docs page', schedule: 3600 })).body;
    const slug = `docs-${Date.now()}`;
    const made = await call('POST', '/api/v1/status-pages', apiKey, { slug, title: 'Docs status', description: 'Ours', monitors: [monitor.monitorId] });
    await call('GET', new URL(monitor.pingUrl as string).pathname);
    const shown = await call('GET', `/status/${slug}.json`);
    const link = await call('POST', '/api/v1/auth/email-link', undefined, { email });
    const badLink = await call('POST', '/api/v1/auth/sessions', undefined, { token: 'A'.repeat(43) });
    const session = await call('POST', '/api/v1/auth/sessions', apiKey, { remember: true });
    const sessions = await call('GET', '/api/v1/account/sessions', session.body.session as string);
    const signedOut = await call('DELETE', '/api/v1/account/sessions/current', session.body.session as string);

    expect([made.status, shown.status, link.status, badLink.status, session.status, sessions.status, signedOut.status]).toEqual([201, 200, 202, 401, 201, 200, 200]);
    expect(keys(made.body)).toEqual(keys(await example('status-pages', 'Response 201')));
    const documentedPage = await example('status-pages', 'Response 200 (status/acme.json)');
    expect(keys(shown.body)).toEqual(keys(documentedPage));
    const [shownMonitor] = shown.body.monitors as Array<Record<string, unknown>>;
    const [documentedMonitor] = documentedPage.monitors as Array<Record<string, unknown>>;
    expect([keys(shownMonitor), keys(shownMonitor.uptime)]).toEqual([keys(documentedMonitor), keys(documentedMonitor.uptime)]);
    expect(keys((documentedMonitor.outages as object[])[0])).toEqual(['end', 'seconds', 'start']);
    expect(link.body).toEqual(await example('sign-in', 'Response 202'));
    expect(badLink.body).toEqual(await example('sign-in', 'Response 401 (expired, used or unknown link)'));
    const documentedSession = await example('sign-in', 'Response 201');
    expect([keys(session.body), keys(session.body.account)]).toEqual([keys(documentedSession), keys(documentedSession.account)]);
    const documentedList = await example('sign-in', 'Response 200 (GET sessions)');
    expect([keys(sessions.body), keys((sessions.body.sessions as object[])[0])]).toEqual([keys(documentedList), keys((documentedList.sessions as object[])[0])]);
    expect(signedOut.body).toEqual(await example('sign-in', 'Response 200 (DELETE)'));
  });
});

/** What the page looks like in the browser: measured in the page, returned as plain data. */
interface Layout {
  scrollWidth: number;
  clientWidth: number;
  /** Elements reaching past the viewport's right edge outside a horizontal scroll container. */
  overflowing: string[];
  /** Table cells whose content is wider than the cell. */
  clippedCells: string[];
  /** Tables wider than the viewport that are not inside a horizontal scroll container. */
  unscrollableTables: string[];
  /** Words split between two letters or digits although they would fit a line of their own. */
  midWordBreaks: string[];
  /** th/td/code whose computed style lets the browser split any word anywhere. */
  breakAnywhere: string[];
}

/** The in-page measurement (plain JavaScript: it runs in the browser, not under ts-node). */
const MEASURE_LAYOUT = `(${fs.readFileSync(path.join(__dirname, 'layout-probe.js'), 'utf8')})()`;

describeWithBrowser('documentation page layout on a phone (390×844) and a desktop (1280×800)', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await context?.close();
  });

  async function open(width: number, height: number): Promise<Page> {
    let page: Page;
    ({ context, page } = await openPage(browser, { viewport: { width, height } }));
    await page.goto(`${server.baseUrl}/`, { waitUntil: 'load' });
    return page;
  }

  const fine: Omit<Layout, 'scrollWidth' | 'clientWidth'> = { overflowing: [], clippedCells: [], unscrollableTables: [], midWordBreaks: [], breakAnywhere: [] };

  test('at 390 px nothing overflows sideways, no table cell is clipped and no word is split mid-word', async () => {
    const page = await open(390, 844);
    await page.locator('.toc summary').click(); // the open contents must fit too

    const { scrollWidth, clientWidth, ...problems } = (await page.evaluate(MEASURE_LAYOUT)) as Layout;

    expect(clientWidth).toBe(390);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(problems).toEqual(fine);
  });

  test('at 390 px wide tables scroll inside their own container', async () => {
    const page = await open(390, 844);

    const wraps = (await page.evaluate(`[...document.querySelectorAll('main table')].map((t) => ({
      wrapped: t.parentElement.classList.contains('table-wrap') && getComputedStyle(t.parentElement).overflowX === 'auto',
      fits: t.parentElement.getBoundingClientRect().right <= document.documentElement.clientWidth,
    }))`)) as Array<{ wrapped: boolean; fits: boolean }>;

    expect(wraps.length).toBeGreaterThanOrEqual(8);
    expect(wraps.filter((w) => !(w.wrapped && w.fits))).toEqual([]);
  });

  test('at 390 px the contents start folded and open and close on a tap, without leaving the page', async () => {
    const page = await open(390, 844);
    const link = page.getByRole('navigation', { name: 'On this page' }).getByRole('link', { name: 'Error Codes' });

    expect(await page.evaluate('document.querySelector("nav.toc details").open')).toBe(false);
    await expect(link.isVisible()).resolves.toBe(false);
    expect((await page.locator('#quick-start').boundingBox())!.y).toBeLessThan(844); // the text starts on the first screen
    // The header scrolls away instead of keeping a slice of a small screen.
    expect(await page.evaluate("getComputedStyle(document.querySelector('.site-header')).position")).toBe('static');
    expect((await page.locator('.site-header').boundingBox())!.height).toBeLessThanOrEqual(110);

    await page.locator('.toc summary').click();
    await expect(link.isVisible()).resolves.toBe(true);
    await link.click();
    expect(new URL(page.url()).hash).toBe('#errors');

    await page.locator('.toc summary').click();
    await expect(link.isVisible()).resolves.toBe(false);
  });

  test('the contents are a <details> that is open in the HTML itself, so they work without scripts', async () => {
    const html = await (await fetch(`${server.baseUrl}/`)).text();

    expect(html).toMatch(/<nav class="toc"[^>]*>\s*<details class="toc-details" open>\s*<summary>/);
  });

  test('at 1280 px the contents stay open beside the text and nothing overflows', async () => {
    const page = await open(1280, 800);
    const toc = (await page.locator('nav.toc').boundingBox())!;
    const main = (await page.locator('main').boundingBox())!;

    expect(await page.evaluate('document.querySelector("nav.toc details").open')).toBe(true);
    await expect(page.getByRole('navigation', { name: 'On this page' }).getByRole('link', { name: 'Error Codes' }).isVisible()).resolves.toBe(true);
    expect(toc.x + toc.width).toBeLessThanOrEqual(main.x);
    const { scrollWidth, clientWidth, ...problems } = (await page.evaluate(MEASURE_LAYOUT)) as Layout;
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(problems).toEqual(fine);
  });
});
