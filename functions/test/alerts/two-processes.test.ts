import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CheckReport } from '../../src/services/checker';
import { SqliteStore } from '../../src/store/sqlite';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { alertDeps, dueWebhookMonitors } from './support/world';

const run = promisify(execFile);
const MONITORS = 30;
const TSX = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
const CHILD = path.join(__dirname, 'support', 'check-process.ts');

/**
 * Two embedded servers on one SQLite file run their checkers at the same moment: real processes,
 * real file locks. Every due monitor must go down once and alert once.
 */
describe('two checker processes on one SQLite file', () => {
  let dir: string;
  let target: FakeHttp;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-two-'));
    target = await startFakeHttp();
    target.answer(() => ({ status: 200, delayMs: 20 }));
  });
  afterEach(async () => {
    await target.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('flip each due monitor once and deliver each alert once', async () => {
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    const deps = alertDeps(store);
    const monitors = await dueWebhookMonitors(deps, MONITORS, target.origin);
    const checkAt = deps.clock().toISOString();

    const go = path.join(dir, 'go');
    const env = { ...process.env, CHECK_DB: file, CHECK_AT: checkAt, CHECK_GO: go };
    const children = [run(TSX, [CHILD], { env }), run(TSX, [CHILD], { env })];
    // The gate opens once both processes have said they are ready (tsx takes a moment to start).
    const deadline = Date.now() + 30_000;
    while (fs.readdirSync(dir).filter((f) => f.endsWith('.ready')).length < 2) {
      if (Date.now() > deadline) throw new Error('the checker processes did not get ready within 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    fs.writeFileSync(go, '');
    const reports = (await Promise.all(children)).map((c) => JSON.parse(c.stdout) as CheckReport);

    expect(reports.reduce((sum, r) => sum + r.flipped, 0)).toBe(MONITORS);
    // Webhooks are delivered; e-mails, with no SendGrid key in the children, are logged.
    expect(reports.reduce((sum, r) => sum + r.delivery.delivered, 0)).toBe(MONITORS);
    expect(reports.reduce((sum, r) => sum + r.delivery.logged, 0)).toBe(MONITORS);
    const webhookPaths = target.requests.map((r) => r.path).sort();
    expect(webhookPaths).toEqual(monitors.map((_, i) => `/hook/${i}`).sort());
    for (const m of monitors) {
      expect((await store.listFlips(m.id)).map((f) => f.to)).toEqual(['up', 'down']);
      expect((await store.listNotifications(m.id)).map((n) => [n.channel, n.state, n.attempts])).toEqual([
        ['email', 'logged', 1],
        ['webhook', 'delivered', 1],
      ]);
    }
    await store.close();
  }, 60_000);
});
