import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadServerConfig, packageVersion } from '../../src/config';
import { transition } from '../../src/domain/transitions';
import { startServer } from '../../src/server';
import { SIGNATURE_HEADER } from '../../src/notify/webhook';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { capturingLogger } from '../notify/support/logger';
import { verifyCronPeekSignature } from '../notify/support/verify';

const CHECK_INTERVAL_S = 1;

/**
 * The acceptance run: the embedded server as self-hosters start it (SQLite file, Pro by
 * default, private webhooks allowed), a real receiver, real time. A 60 s schedule cannot be waited
 * out here, so the monitor's one ping is recorded as having happened `schedule + grace` seconds
 * ago, through the same store call and transition the ping route uses.
 */
describe('alerts on the embedded server', () => {
  let dir: string;
  let receiver: FakeHttp;
  let running: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-e2e-'));
    receiver = await startFakeHttp();
    const config = loadServerConfig({
      CRONPEEK_DB: path.join(dir, 'cronpeek.db'),
      CRONPEEK_DEFAULT_PLAN: 'pro',
      CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1',
      CRONPEEK_CHECK_INTERVAL: String(CHECK_INTERVAL_S),
      CRONPEEK_RATE_LIMITS: 'off',
    });
    running = await startServer({ ...config, port: 0 }, capturingLogger());
    base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await running?.close();
    await receiver?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function api(method: string, route: string, body?: unknown, apiKey?: string) {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  test('a missed ping posts a signed monitor.down, the status shows it, and a ping posts monitor.up', async () => {
    const account = await api('POST', '/api/v1/accounts', { email: 'selfhost@example.com' });
    expect(account.status).toBe(201);
    const apiKey = account.body.apiKey as string;
    const created = await api('POST', '/api/v1/monitors', { name: 'Nightly DB Backup', schedule: 60, alertWebhook: `${receiver.origin}/cronpeek` }, apiKey);
    expect(created.status).toBe(201);
    const { monitorId, webhookSecret, grace } = created.body as { monitorId: string; webhookSecret: string; grace: number };
    const token = new URL(created.body.pingUrl as string).pathname.split('/').pop() as string;

    const pingedAt = new Date(Date.now() - (60 + grace) * 1000);
    await running.deps.store.recordPing(
      token,
      { at: pingedAt, method: 'GET', kind: 'success', exitCode: null, rid: null, source: '127.0.0.1', userAgent: 'cron', body: null },
      (m) => transition(m, 'ping', pingedAt),
    );

    // Due now: the down alert must arrive within one check interval (plus time to deliver it).
    const [down] = await receiver.waitForRequests(1, (CHECK_INTERVAL_S + 2) * 1000);
    expect(down.headers['user-agent']).toBe(`CronPeek/${packageVersion()}`);
    expect(verifyCronPeekSignature(webhookSecret, down.headers[SIGNATURE_HEADER.toLowerCase()] as string, down.body)).toBe(true);
    expect(JSON.parse(down.body)).toMatchObject({ version: 1, event: 'monitor.down', monitor: { monitorId, status: 'down', lastPing: pingedAt.toISOString() } });

    const status = await api('GET', `/api/v1/monitors/${monitorId}/status`, undefined, apiKey);
    expect(status.body).toMatchObject({ status: 'down', lastAlert: expect.any(String) });
    expect(Date.parse(status.body.lastAlert as string)).toBeGreaterThanOrEqual(pingedAt.getTime() + (60 + grace) * 1000);

    const pinged = await fetch(`${base}/api/v1/ping/${token}`);
    expect(pinged.status).toBe(200);
    const [, up] = await receiver.waitForRequests(2, (CHECK_INTERVAL_S + 2) * 1000);
    expect(verifyCronPeekSignature(webhookSecret, up.headers[SIGNATURE_HEADER.toLowerCase()] as string, up.body)).toBe(true);
    expect(JSON.parse(up.body)).toMatchObject({ event: 'monitor.up', monitor: { monitorId, status: 'up' } });
    expect(receiver.requests).toHaveLength(2);
  });
});
