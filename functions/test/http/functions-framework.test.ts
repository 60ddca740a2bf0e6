import * as framework from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import type { Server } from 'node:http';
import { createApp } from '../../src/http/app';
import type { InspectableStore } from '../../src/store/inspection';
import { testDeps } from '../support/deps';
import { sqliteKind } from '../support/stores';

/**
 * On Cloud Functions the app runs behind Google's Functions Framework, which parses request
 * bodies itself before the app sees them. These tests put the app behind the real framework so
 * that limits, leniency and errors are the same as on the embedded server.
 */
describe('HTTP API behind the Cloud Functions framework', () => {
  let store: InspectableStore;
  let server: Server;

  beforeAll(async () => {
    store = await sqliteKind.open();
    framework.http('cronpeekApi', createApp(testDeps(store), { trustProxy: true }));
    server = getTestServer('cronpeekApi');
  });
  afterAll(async () => {
    server.close();
    await store.close();
  });

  let seq = 0;
  const email = () => `ff${++seq}@example.com`;

  async function monitorToken(): Promise<{ key: string; token: string; id: string }> {
    const key = (await request(server).post('/v1/accounts').send({ email: email() }).expect(201)).body.apiKey;
    const created = await request(server).post('/v1/monitors').set('x-api-key', key).send({ name: 'job', schedule: 60 }).expect(201);
    return { key, token: created.body.pingUrl.split('/').pop(), id: created.body.monitorId };
  }

  test('a JSON signup is created', async () => {
    const res = await request(server).post('/v1/accounts').send({ email: email() }).expect(201);
    expect(res.body.apiKey).toMatch(/^cpk_/);
  });

  test('a JSON body sent with curl’s default form content type is still read as JSON', async () => {
    const res = await request(server)
      .post('/v1/accounts')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(JSON.stringify({ email: email() }))
      .expect(201);
    expect(res.body.plan).toBe('free');
  });

  test('a JSON body over 64 KB is refused with a JSON 413', async () => {
    const res = await request(server)
      .post('/v1/accounts')
      .send({ email: email(), padding: 'x'.repeat(70 * 1024) })
      .expect(413);
    expect(res.body).toEqual({ error: 'Request body is too large.' });
  });

  test('malformed JSON under a non-JSON content type is a JSON 400 from the app', async () => {
    const res = await request(server).post('/v1/accounts').set('Content-Type', 'text/plain').send('{"email": ').expect(400);
    expect(res.body).toEqual({ error: 'Malformed JSON in request body.' });
  });

  test.each([
    ['text/plain', 'backup finished: 42 tables'],
    ['application/octet-stream', 'binary-ish output'],
    ['application/json', '{"rows": 42}'],
  ])('a POST ping with %s keeps its body', async (type, body) => {
    const { token, id } = await monitorToken();
    await request(server).post(`/v1/ping/${token}`).set('Content-Type', type).send(body).expect(200);
    const [ping] = await store.listPings(id, 1);
    expect(ping.body).toBe(body);
  });

  test('a POST ping over 1 MB is refused with 413 and not counted', async () => {
    const { token, id } = await monitorToken();
    await request(server).post(`/v1/ping/${token}`).set('Content-Type', 'text/plain').send('x'.repeat(1024 * 1024 + 1)).expect(413);
    expect((await store.getMonitor(id))!.pingCount).toBe(0);
  });

  test('the ping source is the client address from X-Forwarded-For', async () => {
    const { token, id } = await monitorToken();
    await request(server).get(`/v1/ping/${token}`).set('X-Forwarded-For', '203.0.113.7').expect(200);
    expect((await store.listPings(id, 1))[0].source).toBe('203.0.113.7');
  });
});
