import { api, comeBack, describeWithBrowser, eventually, openMonitorPage, useBrowserSuite } from './support';

describeWithBrowser('dashboard monitor page: tolerance and run-time limits', () => {
  const suite = useBrowserSuite();

  async function monitorStatus(key: string, monitorId: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${suite.server.baseUrl}/api/v1/monitors/${monitorId}`, { headers: { 'x-api-key': key } });
    return (await res.json()) as Record<string, unknown>;
  }

  const save = () => suite.page.getByRole('button', { name: 'Save changes' }).click();

  test('the settings form sets and clears tolerance and run-time limits, and the page shows the failures in a row', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Tolerant job', schedule: 3600 });
    await openMonitorPage(suite, key, m.monitorId);
    await eventually(() => suite.page.getByLabel('Alert after (failed runs in a row)').inputValue(), '1');
    expect(await suite.page.getByLabel('Max run time (seconds)').inputValue()).toBe('');

    await suite.page.getByLabel('Alert after (failed runs in a row)').fill('3');
    await suite.page.getByLabel('Recover after (successes in a row)').fill('2');
    await suite.page.getByLabel('Max run time (seconds)').fill('1800');
    await suite.page.getByLabel('Min run time (seconds)').fill('30');
    await save();
    await eventually(() => suite.page.locator('#mp-edit-saved').textContent(), 'Saved "Tolerant job".');
    expect(await monitorStatus(key, m.monitorId)).toMatchObject({ alertAfter: 3, recoverAfter: 2, maxRuntime: 1800, minRuntime: 30 });

    await fetch(`${suite.server.baseUrl}${new URL(m.pingUrl).pathname}/fail`);
    await comeBack(suite.page);
    await eventually(() => suite.page.locator('#mp-streak').textContent(), '1 of 3 failures before an alert');

    await suite.page.getByLabel('Alert after (failed runs in a row)').fill('');
    await suite.page.getByLabel('Max run time (seconds)').fill('');
    await save();
    await eventually(async () => {
      const status = await monitorStatus(key, m.monitorId);
      return [status.alertAfter, status.maxRuntime, status.minRuntime];
    }, [1, null, 30]);
  });
});
