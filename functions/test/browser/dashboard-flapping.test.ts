import { api, describeWithBrowser, eventually, openMonitorPage, useBrowserSuite } from './support';

describeWithBrowser('dashboard monitor page: flapping', () => {
  const suite = useBrowserSuite();

  const flapping = () => suite.page.locator('#mp-flapping');

  test('a flapping monitor shows "flapping" next to its status, with since when', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Flaky job', schedule: 3600 });
    await fetch(m.pingUrl);
    for (let i = 0; i < 7; i++) expect((await fetch(i % 2 === 0 ? `${m.pingUrl}/fail` : m.pingUrl)).status).toBe(200);

    await openMonitorPage(suite, key, m.monitorId);

    await eventually(() => flapping().isVisible(), true);
    expect(await flapping().textContent()).toBe('flapping');
    expect(await flapping().getAttribute('title')).toMatch(/^Flapping since .+: no alerts until it has held one status for 30 minutes\.$/);
    expect(await suite.page.locator('#mp-status .badge').getAttribute('data-state')).toBe('down');
  });

  test('a monitor that does not flap shows its status alone', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Steady job', schedule: 3600 });
    await fetch(m.pingUrl);

    await openMonitorPage(suite, key, m.monitorId);

    await eventually(() => suite.page.locator('#mp-status .badge').getAttribute('data-state'), 'up');
    expect(await flapping().isHidden()).toBe(true);
  });
});
