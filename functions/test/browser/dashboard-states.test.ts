import { api, describeWithBrowser, eventually, useBrowserSuite } from './support';

// Issue 23: the list and the monitor page show a state icon and its word for new, up, late,
// running, down and paused; late and running come from the API's `late` and `running` fields.
describeWithBrowser('dashboard: monitor state icons', () => {
  // Six monitors: one more than the Free plan allows, so this server gives every account Pro.
  const suite = useBrowserSuite({ CRONPEEK_DEFAULT_PLAN: 'pro' });


  async function monitors(key: string) {
    const base = suite.server.baseUrl;
    const make = (name: string) => api.createMonitor(base, key, { name, schedule: 3600 });
    const [fresh, up, late, running, down, paused] = await Promise.all(['Fresh', 'Steady', 'Slow', 'Busy', 'Broken', 'Resting'].map(make));
    for (const m of [up, late, running, down, paused]) expect((await fetch(m.pingUrl)).status).toBe(200);
    expect((await fetch(`${running.pingUrl}/start`)).status).toBe(200);
    expect((await fetch(`${down.pingUrl}/fail`)).status).toBe(200);
    const pause = await fetch(`${base}/api/v1/monitors/${paused.monitorId}/pause`, { method: 'POST', headers: { 'x-api-key': key } });
    expect(pause.status).toBe(200);
    return { fresh, up, late, running, down, paused };
  }

  test('each row shows its state as a symbol and a word, with a hint, and the monitor page the same', async () => {
    const { page, server } = suite;
    const key = await api.signUp(server.baseUrl);
    const m = await monitors(key);
    // A job an hour late needs an hour; the API's `late` is tested against a fake clock on both
    // stores (test/http/late-running.test.ts), so here the list answer says one monitor is late.
    await page.route('**/api/v1/monitors', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { monitors: Array<Record<string, unknown>> };
      for (const item of body.monitors) if (item.monitorId === m.late.monitorId) item.late = true;
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(`${server.baseUrl}/dashboard.html`);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('#signed-in').waitFor();

    const badge = (id: string) => page.locator(`#monitor-rows tr[data-monitor-id="${id}"] .badge`);
    const expected: Array<[string, string, string, RegExp]> = [
      [m.fresh.monitorId, 'new', 'New', /first ping/],
      [m.up.monitorId, 'up', 'Up', /on schedule/],
      [m.late.monitorId, 'late', 'Late', /within grace/],
      [m.running.monitorId, 'running', 'Running', /not ended/],
      [m.down.monitorId, 'down', 'Down', /failure/],
      [m.paused.monitorId, 'paused', 'Paused', /resumed/],
    ];
    for (const [id, state, word, hint] of expected) {
      await eventually(() => badge(id).getAttribute('data-state'), state);
      expect((await badge(id).locator('.state-label').textContent())?.trim()).toBe(word);
      expect(await badge(id).locator('.state-icon').getAttribute('aria-hidden')).toBe('true');
      expect((await badge(id).locator('.state-icon').textContent())?.length).toBeGreaterThan(0);
      expect(await badge(id).getAttribute('title')).toMatch(hint);
      expect(await badge(id).getAttribute('class')).toContain(`status-${state}`);
    }
    // Six states, six different symbols: the word is never the only difference, nor the colour.
    const icons = await page.locator('#monitor-rows .state-icon').allTextContents();
    expect(new Set(icons).size).toBe(6);

    // Signed in already (this tab keeps the key): the monitor's page is a link away.
    await page.goto(`${server.baseUrl}/dashboard.html#monitor/${m.running.monitorId}`);
    await eventually(() => page.locator('#mp-id').textContent(), m.running.monitorId);
    const shown = page.locator('#mp-status .badge');
    await eventually(() => shown.getAttribute('data-state'), 'running');
    expect((await shown.textContent())?.trim()).toMatch(/Running$/);

    // Its end closes the run: the page (reloaded) shows it up.
    expect((await fetch(m.running.pingUrl)).status).toBe(200);
    await page.reload();
    await eventually(() => shown.getAttribute('data-state'), 'up');
  });
});
