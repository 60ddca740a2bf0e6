import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { REPO_DIR } from '../../src/config';
import { createApp } from '../../src/http/app';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { sqliteKind } from '../support/stores';

interface Example {
  name: string;
  code: number;
  body: string;
  originalRequest: { body: { raw: string } };
}

/** The Postman collection's Slack and PagerDuty examples, and its channel examples, replayed against the real app. */
describe('Postman collection: Slack and PagerDuty examples', () => {
  const collection = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'public', 'cronpeek.postman_collection.json'), 'utf8')) as {
    item: Array<{ name: string; item: Array<{ name: string; response: Example[] }> }>;
  };
  const create = collection.item.flatMap((g) => g.item).find((i) => i.name === 'Create monitor')!;
  const example = (name: string) => create.response.find((r) => r.name === name)!;
  let store: Store;
  beforeEach(async () => {
    store = await sqliteKind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  async function signedUp(plan: 'free' | 'pro') {
    const app = createApp(testDeps(store, { plan }));
    const { body } = await request(app).post('/api/v1/accounts').send({ email: `postman-${plan}@example.com` }).expect(201);
    return { app, apiKey: body.apiKey as string };
  }

  test('the Pro example is created as shown', async () => {
    const ex = example('Created with Slack and PagerDuty (Pro)');
    const { app, apiKey } = await signedUp('pro');
    const res = await request(app).post('/api/v1/monitors').set('x-api-key', apiKey).set('content-type', 'application/json').send(ex.originalRequest.body.raw);
    expect(res.status).toBe(ex.code);
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(JSON.parse(ex.body)).sort());
    const status = await request(app).get(`/api/v1/monitors/${res.body.monitorId}/status`).set('x-api-key', apiKey);
    const sent = JSON.parse(ex.originalRequest.body.raw);
    expect(status.body).toMatchObject({ alertSlack: sent.alertSlack, alertPagerDuty: sent.alertPagerDuty });
  });

  test('the Free example is refused with the answer shown', async () => {
    const ex = example('Slack on the Free plan');
    const { app, apiKey } = await signedUp('free');
    const res = await request(app).post('/api/v1/monitors').set('x-api-key', apiKey).set('content-type', 'application/json').send(ex.originalRequest.body.raw);
    expect(res.status).toBe(ex.code);
    expect(res.body).toEqual(JSON.parse(ex.body));
  });

  describe('the Channels folder', () => {
    const createChannel = collection.item.flatMap((g) => g.item).find((i) => i.name === 'Create channel')!;
    const channelExample = (name: string) => createChannel.response.find((r) => r.name === name)!;

    test.each(['Created (e-mail)', 'Created (Slack, Pro)', 'Created (webhook with a template, Pro)', 'Created (Telegram, Pro)'])(
      'the example "%s" is created on Pro with the fields, kind, events and masked config shown',
      async (name) => {
        const ex = channelExample(name);
        const { app, apiKey } = await signedUp('pro');
        const res = await request(app).post('/api/v1/channels').set('x-api-key', apiKey).set('content-type', 'application/json').send(ex.originalRequest.body.raw);
        const shown = JSON.parse(ex.body) as Record<string, unknown>;
        expect(res.status).toBe(ex.code);
        expect(Object.keys(res.body).sort()).toEqual(Object.keys(shown).sort());
        expect(res.body).toMatchObject({ kind: shown.kind, name: shown.name, events: shown.events, isDefault: shown.isDefault, config: shown.config });
      },
    );

    test('the Free example is refused with the answer shown', async () => {
      const ex = channelExample('Slack on the Free plan');
      const { app, apiKey } = await signedUp('free');
      const res = await request(app).post('/api/v1/channels').set('x-api-key', apiKey).set('content-type', 'application/json').send(ex.originalRequest.body.raw);
      expect(res.status).toBe(ex.code);
      expect(res.body).toEqual(JSON.parse(ex.body));
    });
  });

  test('the PATCH example removes Slack from a Pro monitor', async () => {
    const edit = collection.item.flatMap((g) => g.item).find((i) => i.name === 'Edit monitor')!;
    const ex = edit.response.find((r) => r.name === 'Remove Slack (Pro)')!;
    const { app, apiKey } = await signedUp('pro');
    const created = await request(app).post('/api/v1/monitors').set('x-api-key', apiKey).send({ name: 'a', schedule: 3600, alertSlack: 'https://hooks.slack.com/services/T0/B0/x' });
    const res = await request(app).patch(`/api/v1/monitors/${created.body.monitorId}`).set('x-api-key', apiKey).set('content-type', 'application/json').send(ex.originalRequest.body.raw);
    expect(res.status).toBe(ex.code);
    expect(res.body.alertSlack).toBeNull();
    expect(JSON.parse(ex.body).alertSlack).toBeNull();
  });
});
