import type { RequestListener } from 'node:http';
import { deleteApp, getApps } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import functionsTest from 'firebase-functions-test';
import request from 'supertest';
import { api } from '../../src/index';
import { clearProject } from '../support/emulator';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun } from '../support/stores';

const apiHandler = api as unknown as RequestListener;

const missing = firestoreMissing();
if (missing !== null) markFirestoreNotRun(missing);

/**
 * The API function as deployed, params at their defaults, sign-ups limited per address in
 * Firestore (a file of its own: the function reads its settings once, on first use). Each
 * request carries X-Forwarded-For as Google's front end hands it on: what the caller sent, then
 * the address that reached the front end.
 */
(missing === null ? describe : describe.skip)('the API function’s client address on the Firestore emulator', () => {
  const projectId = emulatorProjectId();
  const saved = { all: process.env.CRONPEEK_RATE_LIMITS, signups: process.env.CRONPEEK_LIMIT_SIGNUPS };
  let fft: ReturnType<typeof functionsTest>;

  beforeAll(() => {
    process.env.CRONPEEK_RATE_LIMITS = 'on';
    process.env.CRONPEEK_LIMIT_SIGNUPS = '2/3600';
    fft = functionsTest({ projectId });
  });
  afterAll(async () => {
    for (const app of getApps()) {
      await getFirestore(app).terminate();
      await deleteApp(app);
    }
    fft.cleanup();
    await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
    for (const [name, value] of [['CRONPEEK_RATE_LIMITS', saved.all], ['CRONPEEK_LIMIT_SIGNUPS', saved.signups]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  let emails = 0;
  const signup = (forwardedFor: string) =>
    request(apiHandler).post('/api/v1/accounts').set('X-Forwarded-For', forwardedFor).send({ email: `client-address-${++emails}@example.com` });

  test('a caller of the function URL gets no fresh sign-up allowance from the addresses it writes', async () => {
    const statuses = [];
    for (const forged of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) statuses.push((await signup(`${forged}, 203.0.113.20`)).status);
    expect(statuses).toEqual([201, 201, 429]);
  });

  test('behind Hosting each client is counted under the address Hosting forwarded', async () => {
    const statuses = [];
    for (const client of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) statuses.push((await signup(`${client}, 34.96.0.17`)).status);
    expect(statuses).toEqual([201, 201, 201]);
    expect((await signup('192.0.2.1, 34.96.0.17')).status).toBe(201);
    expect((await signup('6.6.6.6, 192.0.2.1, 34.96.0.17')).status).toBe(429);
  });
});
