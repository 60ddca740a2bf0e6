import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadServerConfig } from '../../src/config';
import { startServer } from '../../src/server';
import { silentLogger } from '../../src/log';
import { freePort } from '../support/emulator';

/** Debian's Chromium; `npx playwright install` is not available on these machines. */
export const CHROMIUM_PATH = process.env.CRONPEEK_CHROMIUM || '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function missingBrowserReason(): string | null {
  try {
    fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
    return null;
  } catch {
    return `no executable Chromium at ${CHROMIUM_PATH} (install it with "apt-get install -y chromium", or set CRONPEEK_CHROMIUM)`;
  }
}

/**
 * `describe` for suites that drive a real browser. Without Chromium the suite does not run: it
 * says so loudly and leaves a visible todo, or fails outright when CRONPEEK_REQUIRE_BROWSER=1
 * (CI must not go green on a machine that silently skipped the browser).
 */
export function describeWithBrowser(title: string, body: () => void): void {
  const reason = missingBrowserReason();
  if (reason === null) {
    describe(title, body);
    return;
  }
  if (process.env.CRONPEEK_REQUIRE_BROWSER === '1') {
    describe(title, () => {
      test('needs Chromium (CRONPEEK_REQUIRE_BROWSER=1)', () => {
        throw new Error(`Browser tests required but cannot run: ${reason}`);
      });
    });
    return;
  }
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!!! BROWSER TESTS DID NOT RUN: "${title}"\n!!! Why: ${reason}\n!!! Set CRONPEEK_REQUIRE_BROWSER=1 to make this a failure.\n${bar}\n`);
  describe(title, () => {
    test.todo(`browser tests did not run: ${reason}`);
  });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
}


export interface TestServer {
  baseUrl: string;
  /** The server's own dependencies (its store), for tests that drive the checker step by step. */
  deps: Awaited<ReturnType<typeof startServer>>['deps'];
  /**
   * Sets the server's clock `ms` ahead of real time, for a job that is late or missed its run
   * without waiting for it. The embedded checker keeps its real-time timer, so a test runs the
   * checker itself (`runCheck(server.deps, …)`), which reads this clock.
   */
  setClockAhead(ms: number): void;
  close(): Promise<void>;
}

/**
 * The real embedded server (API + `public/`), on a free port, with SQLite in a temp dir. `env`
 * adds settings such as CRONPEEK_DEFAULT_PLAN.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-browser-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadServerConfig({
    PORT: String(port),
    CRONPEEK_DB: path.join(dir, 'cronpeek.db'),
    PUBLIC_URL: baseUrl,
    CRONPEEK_CHECK_INTERVAL: '3600',
    CRONPEEK_RATE_LIMITS: 'off',
    ...env,
  });
  const running = await startServer(config, silentLogger);
  let ahead = 0;
  // Every service reads `deps.clock()` when it runs, so this one clock moves all of them.
  running.deps.clock = () => new Date(Date.now() + ahead);
  return {
    baseUrl,
    deps: running.deps,
    setClockAhead(ms: number) {
      ahead = ms;
    },
    async close() {
      await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh context per test (empty session storage) that records uncaught page errors. */
export async function openPage(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return { context, page, pageErrors };
}

/** The browser-suite fixture: one real server and browser per file, a fresh page per test, and no page errors allowed. */
export interface BrowserSuite {
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  pageErrors: string[];
}

/** Registers the hooks of a browser suite; its fields are set before each test runs. */
export function useBrowserSuite(env: Record<string, string> = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    [suite.server, suite.browser] = await Promise.all([startTestServer(env), launchBrowser()]);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  beforeEach(async () => {
    Object.assign(suite, await openPage(suite.browser));
  });
  afterEach(async () => {
    await suite.context.close();
    expect(suite.pageErrors).toEqual([]);
  });
  return suite;
}

/** Opens the dashboard's New monitor form, which stays behind its button so the list comes first. */
export async function openNewMonitorForm(page: Page): Promise<void> {
  if (await page.locator('#new-monitor-panel').isHidden()) await page.getByRole('button', { name: 'New monitor', exact: true }).click();
}

/**
 * The user comes back to the dashboard's window (another window had the focus): the list, or the
 * monitor page and its panels, reload at once, by the code their 15-second poll runs. The
 * dashboard has no Refresh button; this is how a test gets the update without waiting 15 s.
 */
export async function comeBack(page: Page): Promise<void> {
  await page.evaluate("window.dispatchEvent(new Event('focus'))");
}

/** Signs in to the dashboard with the API key `key`, as the sign-in form does, and waits for the signed-in view. */
export async function signInWithKey(suite: BrowserSuite, key: string): Promise<void> {
  const { page, server } = suite;
  await page.goto(`${server.baseUrl}/dashboard.html`);
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await page.locator('#signed-in').waitFor();
}

/** Signs in to the dashboard with `key` and opens the monitor's own page. */
export async function openMonitorPage(suite: BrowserSuite, key: string, monitorId: string): Promise<void> {
  const { page, server } = suite;
  await signInWithKey(suite, key);
  await page.goto(`${server.baseUrl}/dashboard.html#monitor/${monitorId}`);
  await eventually(() => page.locator('#mp-id').textContent(), monitorId);
}

/**
 * Polls `read` until it returns `expected` (deep equality) or `timeoutMs` passes, then asserts,
 * so a failure shows the last value seen.
 */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  expect(last).toEqual(expected);
}

let emailCounter = 0;
export function uniqueEmail(): string {
  emailCounter += 1;
  return `user${emailCounter}-${Date.now()}@example.com`;
}

async function apiCall<T>(baseUrl: string, method: string, apiPath: string, body?: unknown, apiKey?: string): Promise<T> {
  const res = await fetch(`${baseUrl}${apiPath}`, {
    method,
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${apiPath} answered ${res.status}: ${JSON.stringify(data)}`);
  return data;
}

/** Direct API calls, for setting up and checking what the browser did. */
export const api = {
  signUp: (baseUrl: string, email = uniqueEmail()) =>
    apiCall<{ apiKey: string }>(baseUrl, 'POST', '/api/v1/accounts', { email }).then((r) => r.apiKey),
  createMonitor: (baseUrl: string, apiKey: string, body: Record<string, unknown>) =>
    apiCall<{ monitorId: string; pingUrl: string; name: string }>(baseUrl, 'POST', '/api/v1/monitors', body, apiKey),
  listMonitors: (baseUrl: string, apiKey: string) =>
    apiCall<{ monitors: Array<{ monitorId: string; name: string; status: string; pingCount: number; schedule: number }> }>(
      baseUrl,
      'GET',
      '/api/v1/monitors',
      undefined,
      apiKey,
    ).then((r) => r.monitors),
};

/** One axe-core rule broken on a page (https://github.com/dequelabs/axe-core/blob/develop/doc/API.md#results-object). */
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; failureSummary: string }>;
}

/**
 * Injects axe-core into the page and runs the WCAG 2 A and AA rules on the whole document. The
 * source is evaluated rather than added as a <script> tag: the pages' Content-Security-Policy
 * (script-src 'self') rightly refuses inline scripts, and the check must not loosen it.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(fs.readFileSync(require.resolve('axe-core'), 'utf8'));
  // A string, since this project compiles without the DOM library; it runs in the page.
  return page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })),
    })))`) as Promise<AxeViolation[]>;
}
