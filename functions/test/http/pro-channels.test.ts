import { createApp } from '../../src/http/app';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { ApiClient, freshEmail } from '../support/http-client';
import { storeKinds } from '../support/stores';

const SLACK_URL = 'https://hooks.slack.com/services/T0CRONPEEK/B0ALERTS/x7kQ2mN9pL4vR8sT1wY6zA3c';
const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';

describe.each(storeKinds())('Slack and PagerDuty settings over HTTP on %s', (_name, kind) => {
  let store: Store;
  let api: ApiClient;
  beforeEach(async () => {
    store = await kind.open();
    api = new ApiClient(createApp(testDeps(store)));
  });
  afterEach(async () => {
    await store.close();
  });

  async function account(plan: 'free' | 'pro'): Promise<string> {
    const email = freshEmail();
    const key = await api.signup(email);
    if (plan === 'pro') await store.setAccountPlan((await store.findAccountByEmail(email))!.id, 'pro');
    return key;
  }

  test.each([
    ['alertSlack', { alertSlack: SLACK_URL }, 'Slack alerts need the Pro plan. Remove alertSlack or upgrade your plan.'],
    ['alertPagerDuty', { alertPagerDuty: ROUTING_KEY }, 'PagerDuty alerts need the Pro plan. Remove alertPagerDuty or upgrade your plan.'],
  ])('a free account is refused %s with 403 naming the channel, and nothing is created', async (_field, body, message) => {
    const key = await account('free');
    expect((await api.createMonitorRequest(key, body).expect(403)).body).toEqual({ error: message });
    expect((await api.listMonitors(key)).body.count).toBe(0);
  });

  test('a Pro account sets both, and the status answer shows them', async () => {
    const key = await account('pro');
    const created = await api.createMonitor(key, { alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY });
    const { body: status } = await api.status(key, created.monitorId).expect(200);
    expect(status).toMatchObject({ alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY, alertWebhook: null });
  });

  test('a monitor without them shows null for both', async () => {
    const key = await account('free');
    const created = await api.createMonitor(key);
    const { body: status } = await api.status(key, created.monitorId).expect(200);
    expect(status).toMatchObject({ alertSlack: null, alertPagerDuty: null });
  });

  test.each([
    ['a Slack URL that is not http(s)', { alertSlack: 'ftp://hooks.slack.com/x' }, 'alertSlack must be an http(s) URL.'],
    ['a Slack URL that is not a URL', { alertSlack: 'hooks.slack.com/services/x' }, 'alertSlack must be an http(s) URL.'],
    ['a Slack URL given as a number', { alertSlack: 42 }, 'alertSlack must be a string.'],
    ['a Slack URL over 2048 characters', { alertSlack: `https://hooks.slack.com/${'x'.repeat(2048)}` }, 'alertSlack must be at most 2048 characters.'],
    ['a routing key of 31 characters', { alertPagerDuty: ROUTING_KEY.slice(1) }, 'alertPagerDuty must be a PagerDuty Events API v2 integration key (32 letters and digits).'],
    ['a routing key with symbols', { alertPagerDuty: `${ROUTING_KEY.slice(2)}-_` }, 'alertPagerDuty must be a PagerDuty Events API v2 integration key (32 letters and digits).'],
    ['a routing key given as an object', { alertPagerDuty: { key: ROUTING_KEY } }, 'alertPagerDuty must be a string.'],
  ])('refuses %s with 400 naming the field', async (_what, body, message) => {
    const key = await account('pro');
    expect((await api.createMonitorRequest(key, body).expect(400)).body).toEqual({ error: message });
    expect((await api.listMonitors(key)).body.count).toBe(0);
  });

  test('the documented Slack example for alertWebhook is accepted on Pro', async () => {
    const key = await account('pro');
    await api.createMonitorRequest(key, { alertWebhook: SLACK_URL }).expect(201);
  });

  describe('PATCH', () => {
    const status = async (key: string, id: string) => (await api.status(key, id).expect(200)).body;

    test('a Pro account adds Slack and PagerDuty to a monitor, and null removes each on its own', async () => {
      const key = await account('pro');
      const created = await api.createMonitor(key);
      await api.editMonitor(key, created.monitorId, { alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY }).expect(200);
      expect(await status(key, created.monitorId)).toMatchObject({ alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY });

      await api.editMonitor(key, created.monitorId, { alertSlack: null }).expect(200);
      expect(await status(key, created.monitorId)).toMatchObject({ alertSlack: null, alertPagerDuty: ROUTING_KEY });
      await api.editMonitor(key, created.monitorId, { alertPagerDuty: null }).expect(200);
      expect(await status(key, created.monitorId)).toMatchObject({ alertSlack: null, alertPagerDuty: null });
    });

    test.each([
      ['alertSlack', { alertSlack: 'not a url' }, 'alertSlack must be an http(s) URL.'],
      ['alertPagerDuty', { alertPagerDuty: 'x'.repeat(33) }, 'alertPagerDuty must be a PagerDuty Events API v2 integration key (32 letters and digits).'],
    ])('an invalid %s is refused with 400 naming it, and changes nothing', async (_field, body, message) => {
      const key = await account('pro');
      const created = await api.createMonitor(key, { alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY });
      expect((await api.editMonitor(key, created.monitorId, body).expect(400)).body).toEqual({ error: message });
      expect(await status(key, created.monitorId)).toMatchObject({ alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY });
    });

    test('after a downgrade the owner may still remove them, but not set them again', async () => {
      const email = freshEmail();
      const apiKey = await api.signup(email);
      const accountId = (await store.findAccountByEmail(email))!.id;
      await store.setAccountPlan(accountId, 'pro');
      const created = await api.createMonitor(apiKey, { alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY });
      await store.setAccountPlan(accountId, 'free');

      expect(await status(apiKey, created.monitorId)).toMatchObject({ alertSlack: SLACK_URL, alertPagerDuty: ROUTING_KEY });
      expect((await api.editMonitor(apiKey, created.monitorId, { alertSlack: SLACK_URL }).expect(403)).body).toEqual({
        error: 'Slack alerts need the Pro plan. Remove alertSlack or upgrade your plan.',
      });
      await api.editMonitor(apiKey, created.monitorId, { alertSlack: null, alertPagerDuty: null }).expect(200);
      expect(await status(apiKey, created.monitorId)).toMatchObject({ alertSlack: null, alertPagerDuty: null });
    });
  });
});
