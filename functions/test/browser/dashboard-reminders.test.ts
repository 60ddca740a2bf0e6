import { api, describeWithBrowser, eventually, openMonitorPage, useBrowserSuite } from './support';

describeWithBrowser('dashboard monitor page: reminders and acknowledgement', () => {
  const suite = useBrowserSuite();

  async function monitorStatus(key: string, monitorId: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${suite.server.baseUrl}/api/v1/monitors/${monitorId}`, { headers: { 'x-api-key': key } });
    return (await res.json()) as Record<string, unknown>;
  }

  const acknowledge = () => suite.page.getByRole('button', { name: 'Acknowledge outage' });
  const reminderState = () => suite.page.locator('#mp-reminder-state').textContent();

  test('the settings form sets and clears the reminder settings', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Reminded job', schedule: 3600 });
    await openMonitorPage(suite, key, m.monitorId);
    await eventually(() => suite.page.getByLabel('Remind every (seconds)').inputValue(), '');

    await suite.page.getByLabel('Remind every (seconds)').fill('3600');
    await suite.page.getByLabel('Reminders per outage').fill('5');
    await suite.page.getByRole('button', { name: 'Save changes' }).click();
    await eventually(() => suite.page.locator('#mp-edit-saved').textContent(), 'Saved "Reminded job".');
    expect(await monitorStatus(key, m.monitorId)).toMatchObject({ remindEvery: 3600, remindLimit: 5 });
    expect(await reminderState()).toBe('Reminders while down: every 1 hour, at most 5 per outage.');

    await suite.page.getByLabel('Reminders per outage').fill('');
    await suite.page.getByRole('button', { name: 'Save changes' }).click();
    await eventually(async () => (await monitorStatus(key, m.monitorId)).remindLimit, null);
  });

  test('a down monitor offers to acknowledge its outage; acknowledging stops its reminders', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Broken job', schedule: 3600, remindEvery: 600 });
    expect((await fetch(`${m.pingUrl}/fail`)).status).toBe(200);
    await openMonitorPage(suite, key, m.monitorId);

    await eventually(() => acknowledge().isVisible(), true);
    expect(await reminderState()).toMatch(/^Down: 0 reminders sent, next at .+\.$/);
    await acknowledge().click();
    await eventually(() => suite.page.locator('#mp-control-done').textContent(), 'Acknowledged the outage of "Broken job".');
    expect(await reminderState()).toBe('Outage acknowledged: no more reminders until it ends.');
    expect(await acknowledge().isDisabled()).toBe(true);
    expect(await monitorStatus(key, m.monitorId)).toMatchObject({ acknowledged: true, nextReminderAt: null });
  });

  test('an up monitor has nothing to acknowledge', async () => {
    const key = await api.signUp(suite.server.baseUrl);
    const m = await api.createMonitor(suite.server.baseUrl, key, { name: 'Healthy job', schedule: 3600 });
    await fetch(m.pingUrl);
    await openMonitorPage(suite, key, m.monitorId);
    await eventually(() => suite.page.locator('#mp-status .badge').getAttribute('data-state'), 'up');
    expect(await acknowledge().isHidden()).toBe(true);
    expect(await reminderState()).toBe('No reminders while down (set them in Settings).');
  });
});
