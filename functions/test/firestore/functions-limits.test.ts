import type { RequestListener } from 'node:http';
import { deleteApp, getApps } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import functionsTest from 'firebase-functions-test';
import request from 'supertest';
import { api } from '../../src/index';
import { RATE_LIMITS } from '../../src/store/firestore/limits';
import { openFirestoreStore } from '../../src/store/firestore';
import { clearProject } from '../support/emulator';
import { makeAccount, makeMonitor } from '../support/factories';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun } from '../support/stores';

const apiHandler = api as unknown as RequestListener;

const missing = firestoreMissing();
if (missing !== null) markFirestoreNotRun(missing);

/**
 * The API function with its abuse limits on, as deployed (a file of its own: the function reads
 * its settings once, on first use). Pings are limited per token in the instance's memory, so a
 * ping costs no Firestore operation for its limit; the other limits keep shared counters.
 */
(missing === null ? describe : describe.skip)('the API function’s limits on the Firestore emulator', () => {
  const projectId = emulatorProjectId();
  const saved = { all: process.env.CRONPEEK_RATE_LIMITS, pings: process.env.CRONPEEK_LIMIT_PINGS, signups: process.env.CRONPEEK_LIMIT_SIGNUPS };
  let fft: ReturnType<typeof functionsTest>;
  let store: ReturnType<typeof openFirestoreStore>;

  beforeAll(() => {
    process.env.CRONPEEK_RATE_LIMITS = 'on';
    process.env.CRONPEEK_LIMIT_PINGS = '3/60';
    process.env.CRONPEEK_LIMIT_SIGNUPS = '1/3600';
    fft = functionsTest({ projectId });
    store = openFirestoreStore({ projectId });
  });
  afterAll(async () => {
    await store.close();
    for (const app of getApps()) {
      await getFirestore(app).terminate();
      await deleteApp(app);
    }
    fft.cleanup();
    await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
    for (const [name, value] of [['CRONPEEK_RATE_LIMITS', saved.all], ['CRONPEEK_LIMIT_PINGS', saved.pings], ['CRONPEEK_LIMIT_SIGNUPS', saved.signups]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const counterDocs = async () => (await store.db.collection(RATE_LIMITS).get()).docs.map((d) => d.id);

  test('a token past its ping limit gets 429 with Retry-After, signals included, and no counter document is written', async () => {
    const account = makeAccount();
    await store.createAccount(account);
    const monitor = makeMonitor({ accountId: account.id });
    await store.createMonitor(monitor, null);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(apiHandler).get(`/api/v1/ping/${monitor.pingToken}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await request(apiHandler).get(`/api/v1/ping/${monitor.pingToken}/start`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.error).toMatch(/^Too many pings for this monitor/);
    expect((await store.getMonitor(monitor.id))!.pingCount).toBe(3);
    expect((await counterDocs()).filter((id) => id.startsWith('ping_'))).toEqual([]);
  });

  test('sign-ups are still counted in Firestore, shared by every instance', async () => {
    const from = { 'X-Forwarded-For': '198.51.100.40, 10.0.0.1, 10.0.0.2' };
    expect((await request(apiHandler).post('/api/v1/accounts').set(from).send({ email: 'limits-1@example.com' })).status).toBe(201);
    expect((await request(apiHandler).post('/api/v1/accounts').set(from).send({ email: 'limits-2@example.com' })).status).toBe(429);
    expect((await counterDocs()).filter((id) => id.startsWith('signup_'))).toHaveLength(1);
  });
});
