import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runCheck } from '../../src/services/checker';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { axeViolations, comeBack, describeWithBrowser, eventually, launchBrowser, openNewMonitorForm, uniqueEmail, startTestServer, type TestServer } from './support';

/**
 * Issue 23's "done when": a new user, from a fresh server and only in the browser, signs up,
 * confirms the alert address, creates a cron monitor with the form, watches it go late and then
 * down, finds the e-mailed alert in the monitor's event log, and signs in again in another
 * browser by e-mail link, landing on the monitor the link they opened pointed to. E-mail goes to a
 * local stand-in of SendGrid's API; the job's ping is the one request that is not the browser's.
 * Every page visited passes axe (nothing serious or critical) and fits the window's width; the
 * screenshots (outside the repository) are for people to look at.
 */
const VIEWPORTS: Array<[string, { width: number; height: number }]> = [
  ['1280x900', { width: 1280, height: 900 }],
  ['390x844', { width: 390, height: 844 }],
];
const SHOTS = '/tmp/cronpeek-shots';
const CONFIRM_LINK = /(http:\/\/127\.0\.0\.1:\d+\/confirm\.html#token=[0-9a-f]{32}\.[A-Za-z0-9_-]{43})/;
const SIGN_IN_LINK = /(http:\/\/127\.0\.0\.1:\d+\/dashboard\.html#signin=[A-Za-z0-9_-]+)/;

describe.each(VIEWPORTS)('at %s', (label, viewport) => {
  describeWithBrowser('a new user’s first monitor, from sign-up to its alert and back by e-mail link', () => {
    let sendgrid: FakeHttp;
    let server: TestServer;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    const pageErrors: string[] = [];

    beforeAll(async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      sendgrid = await startFakeHttp();
      sendgrid.answer(() => ({ status: 202 }));
      [server, browser] = await Promise.all([startTestServer({ SENDGRID_API_KEY: 'SG.test-key', SENDGRID_API_URL: sendgrid.origin }), launchBrowser()]);
    });
    afterAll(async () => {
      for (const c of contexts) await c.close();
      await browser?.close();
      await server?.close();
      await sendgrid?.close();
    });

    /** A new browser (its own storage), at this viewport, whose page errors fail the test. */
    async function newBrowserPage(): Promise<Page> {
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      context.on('page', (p) => p.on('pageerror', (err) => pageErrors.push(`${p.url()}: ${err.message}`)));
      return context.newPage();
    }

    /** The e-mails SendGrid was asked to send to `email`, oldest first. */
    const mailTo = (email: string): Array<{ subject: string; text: string }> =>
      sendgrid.requests
        .map((r) => JSON.parse(r.body))
        .filter((b) => b.personalizations[0].to[0].email === email)
        .map((b) => ({ subject: String(b.subject), text: String(b.content[0].value) }));

    async function linkIn(email: string, pattern: RegExp, after: number): Promise<string> {
      for (let i = 0; i < 250; i++) {
        const link = mailTo(email).slice(after).map((m) => pattern.exec(m.text)?.[1]).find(Boolean);
        if (link) return link;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no e-mail to ${email} with a link like ${pattern}`);
    }

    /** What every page visited must pass: no sideways scrolling, no serious or critical axe violation; and a screenshot. */
    async function checkPage(page: Page, step: string): Promise<void> {
      const [scroll, client] = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
      expect({ step, scroll }).toEqual({ step, scroll: client });
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect({ step, serious: serious.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) }).toEqual({ step, serious: [] });
      await page.screenshot({ path: `${SHOTS}/new-user-${label}-${step}.png`, fullPage: true });
      // What the window shows first, at full scale.
      await page.screenshot({ path: `${SHOTS}/new-user-${label}-${step}-window.png` });
    }

    test('signs up, creates a cron monitor, sees it late, then down with its alert, and signs in again by e-mail link onto it', async () => {
      const email = uniqueEmail();
      const page = await newBrowserPage();

      // Sign up: the API key is shown once.
      await page.goto(`${server.baseUrl}/dashboard.html`);
      await checkPage(page, '01-signed-out');
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.locator('#new-key').waitFor();
      expect(await page.locator('#new-key-value').inputValue()).toMatch(/^cpk_/);
      await eventually(() => page.locator('#account-email').textContent(), email);
      await eventually(() => page.locator('#account-email-status').textContent(), 'Not yet: open the link in the e-mail CronPeek sent it');
      await checkPage(page, '02-signed-up');
      await page.locator('#account-panel').screenshot({ path: `${SHOTS}/new-user-${label}-02-account-panel.png` });
      await page.getByRole('button', { name: 'I have saved it' }).click();

      // The welcome e-mail's link, opened in a new tab, confirms the address alerts go to.
      const mail = await page.context().newPage();
      await mail.goto(await linkIn(email, CONFIRM_LINK, 0));
      await mail.getByRole('button', { name: 'Yes, send me these alerts' }).click();
      await eventually(() => mail.locator('#result').textContent(), `${email} is confirmed: this account's alerts now reach it.`);
      await checkPage(mail, '03-confirmed');
      await mail.close();
      await comeBack(page);
      await eventually(() => page.locator('#account-email-status').textContent(), 'Yes');

      // A monitor with a cron line: every hour on the hour, in UTC, 5 minutes' grace.
      await openNewMonitorForm(page);
      await page.getByLabel('Name', { exact: true }).fill('Hourly export');
      await page.getByLabel('Schedule', { exact: true }).selectOption('cron');
      await page.getByLabel('Cron line', { exact: true }).fill('0 * * * *');
      await page.getByLabel('Schedule time zone').fill('UTC');
      await page.getByLabel('Grace (optional)').fill('5');
      await eventually(() => page.locator('#schedule-preview li').count(), 3);
      await checkPage(page, '04-new-monitor-form');
      await page.getByRole('button', { name: 'Create monitor' }).click();
      await page.locator('#monitor-created').waitFor();
      const row = page.locator('#monitor-rows tr').filter({ hasText: 'Hourly export' });
      await row.waitFor();
      const monitorId = (await row.getAttribute('data-monitor-id')) as string;
      const pingUrl = (await page.locator('#monitor-created code').first().textContent()) as string;
      expect(await row.locator('td[data-label="Schedule"]').textContent()).toBe('cron 0 * * * * (UTC), grace 5 minutes');
      await checkPage(page, '05-created');

      // The job runs once; the list follows (here at once, as when the user comes back to the tab).
      expect((await fetch(pingUrl)).status).toBe(200);
      await comeBack(page);
      const state = () => row.locator('.badge').first().getAttribute('data-state');
      await eventually(state, 'up');
      const nextRun = Date.parse((await row.locator('td[data-label="Next run"] time').getAttribute('datetime')) as string);
      expect(new Date(nextRun).getUTCMinutes()).toBe(0);

      // A minute past the hour with no run: late, still within its grace.
      server.setClockAhead(nextRun + 60_000 - Date.now());
      await comeBack(page);
      await eventually(state, 'late');
      await checkPage(page, '06-list-late');
      await row.locator('a.monitor-name').click();
      await eventually(() => page.locator('#mp-id').textContent(), monitorId);
      await eventually(() => page.locator('#mp-status .badge').getAttribute('data-state'), 'late');
      expect(await page.locator('#mp-why-text').textContent()).toMatch(/^Late: a ping was expected by .*; it goes down at .* unless one arrives\.$/);
      await checkPage(page, '07-monitor-late');

      // Six minutes past: the grace is over. The checker finds it down and e-mails the alert.
      server.setClockAhead(nextRun + 6 * 60_000 - Date.now());
      const before = mailTo(email).length;
      const report = await runCheck(server.deps, { budgetMs: 10_000 });
      expect(report.flipped).toBe(1);
      await eventually(async () => mailTo(email).slice(before).map((m) => m.subject), ['[CronPeek] DOWN: monitor “Hourly export”']);
      await comeBack(page);
      await eventually(() => page.locator('#mp-status .badge').getAttribute('data-state'), 'down');
      // The reason comes with the event log, which may arrive after the monitor.
      const why = /^Down since .*: no ping since .*, expected by .* \(grace 5 minutes\)\.$/;
      await eventually(async () => why.test((await page.locator('#mp-why-text').textContent()) ?? ''), true);
      const alert = page.locator('#mp-events > li[data-event="delivery"]');
      await eventually(() => alert.locator('.mp-state').textContent(), 'delivered');
      expect(await alert.locator('.mp-method').textContent()).toBe('monitor.down');
      expect(await alert.locator('.mp-reason').textContent()).toBe('E-mail (monitor field)');
      expect(await page.locator('#mp-events > li[data-event="flip"] .mp-reason').first().textContent()).toBe('missed');
      await checkPage(page, '08-monitor-down');

      // Another browser opens a link to the monitor (from the alert, a chat): asked to sign in.
      const other = await newBrowserPage();
      await other.goto(`${server.baseUrl}/dashboard.html#monitor/${monitorId}`);
      await other.locator('#signed-out').waitFor({ state: 'visible' });
      expect(await other.locator('#link-notice').textContent()).toBe('Sign in to see this monitor: once you are in, it opens.');
      await checkPage(other, '09-other-browser-signed-out');
      const sent = mailTo(email).length;
      await other.getByLabel("Your account's e-mail").fill(email);
      await other.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
      await eventually(() => other.locator('#link-notice').textContent(), 'If an account uses this address, a sign-in link is on its way. Open it in this browser.');

      // The e-mailed link, opened in that browser, signs it in and lands on the monitor.
      const tab = await other.context().newPage();
      await tab.goto(await linkIn(email, SIGN_IN_LINK, sent));
      await eventually(() => tab.locator('#mp-id').textContent(), monitorId);
      expect(new URL(tab.url()).hash).toBe(`#monitor/${monitorId}`);
      await eventually(() => tab.locator('#mp-status .badge').getAttribute('data-state'), 'down');
      await eventually(() => tab.locator('#mp-events > li[data-event="delivery"] .mp-state').textContent(), 'delivered');
      await checkPage(tab, '10-signed-in-by-link-on-monitor');

      expect(pageErrors).toEqual([]);
    }, 120_000);
  });
});
