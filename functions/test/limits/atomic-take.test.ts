import request from 'supertest';
import { createApp } from '../../src/http/app';
import { MemoryRateLimiter, type RateLimiter, type Rules } from '../../src/limits';
import { openFirestoreStore } from '../../src/store/firestore';
import { FirestoreRateLimiter } from '../../src/store/firestore/limits';
import type { Store } from '../../src/store/port';
import { capturingLogger } from '../notify/support/logger';
import { clearProject } from '../support/emulator';
import { testDeps } from '../support/deps';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun, sqliteKind } from '../support/stores';

const missing = firestoreMissing();
if (missing !== null) markFirestoreNotRun(missing);

const RULES: Rules = { recoveryByEmail: { limit: 3, windowSeconds: 3600 } };

/** A limiter and the store the app keeps its data in: memory with SQLite, Firestore with Firestore (as on Cloud Functions). */
interface Setup {
  limiter: RateLimiter;
  store: Store;
  close(): Promise<void>;
}
const setups: Array<[string, () => Promise<Setup>]> = [
  ['memory limiter on SQLite', async () => {
    const store = await sqliteKind.open();
    return { limiter: new MemoryRateLimiter(RULES), store, close: () => store.close() };
  }],
];
if (missing === null) {
  setups.push([
    'Firestore limiter on Firestore',
    async () => {
      const projectId = emulatorProjectId();
      const store = openFirestoreStore({ projectId });
      return {
        limiter: new FirestoreRateLimiter(store.db, RULES),
        store,
        close: async () => {
          await store.close();
          await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
        },
      };
    },
  ]);
}

describe.each(setups)('requests at once for one key, %s', (_name, open) => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await open();
  });
  afterEach(() => setup.close());

  test('twenty takes at once for one key pass at most the limit; the key is then refused', async () => {
    const now = new Date('2026-03-28T02:00:00.000Z');
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => setup.limiter.take('recoveryByEmail', 'victim@example.com', now)));
    expect(verdicts.filter((v) => v.allowed).length).toBeLessThanOrEqual(3);
    expect(await setup.limiter.take('recoveryByEmail', 'victim@example.com', now)).toMatchObject({ allowed: false });
  });

  test('as many takes at once as the limit all pass', async () => {
    const now = new Date('2026-03-28T02:00:00.000Z');
    const verdicts = await Promise.all(Array.from({ length: 3 }, () => setup.limiter.take('recoveryByEmail', 'victim@example.com', now)));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true]);
  });

  test('ten recovery requests at once for one e-mail send at most the limit of e-mails', async () => {
    const log = capturingLogger();
    const app = createApp(testDeps(setup.store, { limiter: setup.limiter, log }), { trustProxy: 1 });
    await request(app).post('/api/v1/accounts').send({ email: 'victim@example.com' }).expect(201);

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => request(app).post('/api/v1/accounts/recover').set('X-Forwarded-For', `198.51.100.${i + 1}`).send({ email: 'victim@example.com' })),
    );
    const accepted = answers.filter((a) => a.status === 202).length;
    expect(accepted).toBeLessThanOrEqual(3);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(10 - accepted);
    // E-mails leave after their request has been answered: give any extra one time to show.
    const recoveryMails = () => log.lines.filter((l) => l.fields.purpose === 'account recovery');
    const deadline = Date.now() + 5_000;
    while (recoveryMails().length < accepted && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recoveryMails()).toHaveLength(accepted);
  });
});
