import type { RequestListener } from 'node:http';
import { deleteApp, getApps } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import functionsTest from 'firebase-functions-test';
import request from 'supertest';
import { api, checkMonitors } from '../../src/index';
import type { InspectableStore } from '../../src/store/inspection';
import { openFirestoreStore } from '../../src/store/firestore';
import { DELETIONS } from '../../src/store/firestore/layout';
import { clearProject } from '../support/emulator';
import { makeAccount, makeMonitor } from '../support/factories';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun } from '../support/stores';

/** Cloud Functions hands the function an Express request; supertest's plain one is upgraded by the app itself. */
const apiHandler = api as unknown as RequestListener;

const missing = firestoreMissing();
if (missing !== null) markFirestoreNotRun(missing);

/** The exported Cloud Functions themselves, on the emulator, with the params left at their defaults. */
(missing === null ? describe : describe.skip)('Firebase functions on the Firestore emulator', () => {
  const projectId = emulatorProjectId();
  const savedSendgridKey = process.env.SENDGRID_API_KEY;
  let fft: ReturnType<typeof functionsTest>;
  let store: InspectableStore;
  let logged: string[];

  beforeAll(() => {
    // Alerts must go to the log here, never to a real SendGrid account a developer has configured.
    process.env.SENDGRID_API_KEY = '';
    fft = functionsTest({ projectId });
    // A second client on the function's project, to arrange data and to look behind the API.
    store = openFirestoreStore({ projectId });
  });
  beforeEach(() => {
    logged = [];
    jest.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)));
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await store.close();
    // The functions' cached composition holds a client on the default Firestore of its app. An
    // account deleted above is still being cleared in the background through a BulkWriter of that
    // client; its deletion record goes last, so terminating waits until none is left.
    for (const app of getApps()) {
      const db = getFirestore(app);
      for (let i = 0; i < 200 && !(await db.collection(DELETIONS).limit(1).get()).empty; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    // The writer closes just after the record's delete resolves.
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const app of getApps()) {
      await getFirestore(app).terminate();
      await deleteApp(app);
    }
    fft.cleanup();
    await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
    if (savedSendgridKey !== undefined) process.env.SENDGRID_API_KEY = savedSendgridKey;
  });

  test('api answers both behind the Hosting rewrite (/api/...) and at its own URL', async () => {
    const viaHosting = await request(apiHandler).get('/api/health');
    const direct = await request(apiHandler).get('/health');
    expect([viaHosting.status, direct.status]).toEqual([200, 200]);
    expect(direct.body.status).toBe('ok');
  });

  test('api serves the whole flow on Firestore: sign up, create a monitor, ping, read its status', async () => {
    const signup = await request(apiHandler).post('/api/v1/accounts').send({ email: 'fn@example.com' });
    expect(signup.status).toBe(201);
    const apiKey = signup.body.apiKey as string;

    const created = await request(apiHandler).post('/v1/monitors').set('x-api-key', apiKey).send({ name: 'Nightly', schedule: 3600 });
    expect(created.status).toBe(201);
    expect(created.body.pingUrl).toMatch(/^https:\/\/cronpeek\.web\.app\/api\/v1\/ping\/[A-Za-z0-9_-]{24}$/);
    const token = (created.body.pingUrl as string).split('/').pop() as string;

    const ping = await request(apiHandler).get(`/api/v1/ping/${token}`);
    expect(ping.body).toEqual({ ok: true, monitor: 'Nightly', status: 'up' });

    const status = await request(apiHandler).get(`/api/v1/monitors/${created.body.monitorId}/status`).set('x-api-key', apiKey);
    expect(status.body).toMatchObject({ status: 'up', pingCount: 1 });
    expect((await store.getMonitor(created.body.monitorId))!.pingCount).toBe(1);
  });

  test('checkMonitors turns a monitor whose deadline has passed down and logs its alert', async () => {
    const account = makeAccount();
    await store.createAccount(account);
    const now = Date.now();
    const monitor = makeMonitor({
      accountId: account.id,
      status: 'up',
      lastPingAt: new Date(now - 2 * 3600_000),
      pingCount: 1,
      alertAt: new Date(now - 60_000),
    });
    await store.createMonitor(monitor, null);

    await checkMonitors.run({ scheduleTime: new Date(now).toISOString() });

    expect((await store.getMonitor(monitor.id))!.status).toBe('down');
    expect((await store.listFlips(monitor.id)).map((f) => `${f.from}>${f.to}:${f.reason}`)).toEqual(['up>down:missed']);
    expect((await store.listNotifications(monitor.id)).map((n) => `${n.channel}:${n.state}`)).toEqual(['email:logged']);
    const report = logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'check');
    expect(report).toMatchObject({ flipped: 1, delivery: { attempted: 1, logged: 1 } });
  });

  test('api serves the account calls on Firestore: Bearer, overview, rotation, recovery from the logged e-mail, deletion', async () => {
    const signup = await request(apiHandler).post('/api/v1/accounts').send({ email: 'owner@example.com' });
    const first = signup.body.apiKey as string;
    await request(apiHandler).post('/v1/monitors').set('Authorization', `Bearer ${first}`).send({ name: 'Nightly', schedule: 3600 }).expect(201);
    const overview = await request(apiHandler).get('/v1/account').set('Authorization', `Bearer ${first}`).expect(200);
    expect(overview.body).toMatchObject({ email: 'owner@example.com', plan: 'free', monitorsUsed: 1, monitorsAllowed: 5 });

    const rotated = (await request(apiHandler).post('/api/v1/account/rotate-key').set('x-api-key', first).expect(200)).body.apiKey as string;
    await request(apiHandler).get('/api/v1/account').set('x-api-key', first).expect(401);

    // No SendGrid key here: the recovery e-mail, token included, is written to the log.
    await request(apiHandler).post('/api/v1/accounts/recover').send({ email: 'owner@example.com' }).expect(202);
    let token: string | undefined;
    for (let i = 0; i < 100 && token === undefined; i++) {
      token = logged.map((l) => /^([A-Za-z0-9_-]{43})$/m.exec(String((JSON.parse(l) as { text?: string }).text ?? ''))?.[1]).find(Boolean);
      if (token === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const recovered = await request(apiHandler).post('/api/v1/accounts/recover/confirm').send({ email: 'owner@example.com', token }).expect(200);
    await request(apiHandler).get('/api/v1/account').set('x-api-key', rotated).expect(401);
    const key = recovered.body.apiKey as string;

    await request(apiHandler).delete('/api/v1/account').set('x-api-key', key).expect(200);
    await request(apiHandler).get('/api/v1/account').set('x-api-key', key).expect(401);
    expect(await store.findAccountByEmail('owner@example.com')).toBeNull();
    await request(apiHandler).post('/api/v1/accounts').send({ email: 'owner@example.com' }).expect(201);
  });
});
