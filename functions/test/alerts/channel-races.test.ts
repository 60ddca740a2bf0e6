import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CheckReport } from '../../src/services/checker';
import { runCheck } from '../../src/services/checker';
import type { Account, AlertChannel, ChannelEvent, Monitor } from '../../src/domain/types';
import { newChannelId, newWebhookSecret } from '../../src/services/secrets';
import type { InspectableStore } from '../../src/store/inspection';
import { SqliteStore } from '../../src/store/sqlite';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, newAccount, newMonitor, ping, type AlertDeps } from './support/world';

const run = promisify(execFile);
const TSX = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
const CHILD = path.join(__dirname, 'support', 'check-process.ts');

/**
 * Monitors attached to channel objects, with checkers racing: every alert to a channel object
 * must reach its receiver exactly once, counted at a real HTTP server by the delivery id each
 * webhook carries (`X-CronPeek-Delivery`, the row's id; see docs/alerts.md).
 */

/** Two webhook channel objects of one account: `all` takes down and up, `downOnly` down alerts only. */
async function webhookChannels(store: InspectableStore, account: Account, origin: string): Promise<{ all: AlertChannel; downOnly: AlertChannel }> {
  const make = async (name: string, events: ChannelEvent[]): Promise<AlertChannel> => {
    const c: AlertChannel = {
      id: newChannelId(),
      accountId: account.id,
      kind: 'webhook',
      name,
      config: { url: `${origin}/channel/${name}` },
      events,
      isDefault: false,
      webhookSecret: newWebhookSecret(),
      createdAt: new Date('2026-03-01T00:00:00.000Z'),
    };
    expect(await store.createChannel(c, 100)).toBe('created');
    return c;
  };
  return { all: await make('all', ['down', 'up']), downOnly: await make('down-only', ['down']) };
}

/** `count` monitors attached to both channels (through the service, as `channels` on POST /monitors), pinged once, then due. */
async function dueAttachedMonitors(deps: AlertDeps, count: number, origin: string) {
  const account = await newAccount(deps);
  const channels = await webhookChannels(deps.store as InspectableStore, account, origin);
  const monitors: Monitor[] = [];
  for (let i = 0; i < count; i++) {
    // No e-mail: only the channel objects alert, so every row is counted at the receiver.
    const m = await newMonitor(deps, { name: `job ${i}`, channels: [channels.all.id, channels.downOnly.id] }, account);
    await deps.store.editMonitor(m.id, () => ({ alertEmail: null }));
    await ping(deps, m);
    monitors.push(m);
  }
  deps.fakeClock.advance(3600 + 360);
  return { monitors, channels };
}

/** How many times the receiver got each delivery id, and each path. */
function receipts(target: FakeHttp) {
  const perDelivery = new Map<string, number>();
  const perPath = new Map<string, number>();
  for (const r of target.requests) {
    const id = String(r.headers['x-cronpeek-delivery']);
    perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
  }
  return { perDelivery, perPath };
}

const MONITORS = 4;

describe.each(storeKinds())('checkers racing over channel objects on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
    // A slow receiver keeps both runs in flight at once.
    target.answer(() => ({ status: 200, delayMs: 50 }));
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  test('two checker runs at once send each alert to each channel object once, down and then up', async () => {
    const deps = alertDeps(store);
    const { monitors } = await dueAttachedMonitors(deps, MONITORS, target.origin);
    const check = () => runCheck(deps, { budgetMs: 10_000 });

    const down = await Promise.all([check(), check()]);
    expect(down[0].flipped + down[1].flipped).toBe(MONITORS);
    let { perDelivery, perPath } = receipts(target);
    expect(perDelivery.size).toBe(2 * MONITORS);
    expect([...perDelivery.values()].every((n) => n === 1)).toBe(true);
    expect(Object.fromEntries(perPath)).toEqual({ '/channel/all': MONITORS, '/channel/down-only': MONITORS });

    // The recovery goes to the channel that takes up alerts only.
    for (const m of monitors) await ping(deps, m);
    await Promise.all([check(), check()]);
    ({ perDelivery, perPath } = receipts(target));
    expect(perDelivery.size).toBe(3 * MONITORS);
    expect([...perDelivery.values()].every((n) => n === 1)).toBe(true);
    expect(Object.fromEntries(perPath)).toEqual({ '/channel/all': 2 * MONITORS, '/channel/down-only': MONITORS });

    for (const m of monitors) {
      const rows = await store.listNotifications(m.id);
      expect(rows.map((n) => [n.event, n.channel, n.state, n.attempts]).sort()).toEqual([
        ['monitor.down', 'webhook', 'delivered', 1],
        ['monitor.down', 'webhook', 'delivered', 1],
        ['monitor.up', 'webhook', 'delivered', 1],
      ]);
    }
  });
});

describe('two checker processes over channel objects on one SQLite file', () => {
  let dir: string;
  let target: FakeHttp;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-channel-races-'));
    target = await startFakeHttp();
    target.answer(() => ({ status: 200, delayMs: 20 }));
  });
  afterEach(async () => {
    await target.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('each alert to each channel object is delivered once', async () => {
    const count = 20;
    const file = path.join(dir, 'cronpeek.db');
    const store = new SqliteStore(file);
    try {
      const deps = alertDeps(store);
      const { monitors, channels } = await dueAttachedMonitors(deps, count, target.origin);
      const go = path.join(dir, 'go');
      const env = { ...process.env, CHECK_DB: file, CHECK_AT: deps.clock().toISOString(), CHECK_GO: go };
      const children = [run(TSX, [CHILD], { env }), run(TSX, [CHILD], { env })];
      const deadline = Date.now() + 30_000;
      while (fs.readdirSync(dir).filter((f) => f.endsWith('.ready')).length < 2) {
        if (Date.now() > deadline) throw new Error('the checker processes did not get ready within 30 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      fs.writeFileSync(go, '');
      const reports = (await Promise.all(children)).map((c) => JSON.parse(c.stdout) as CheckReport);

      expect(reports.reduce((sum, r) => sum + r.flipped, 0)).toBe(count);
      expect(reports.reduce((sum, r) => sum + r.delivery.delivered, 0)).toBe(2 * count);
      const { perDelivery, perPath } = receipts(target);
      expect(perDelivery.size).toBe(2 * count);
      expect([...perDelivery.values()].every((n) => n === 1)).toBe(true);
      expect(Object.fromEntries(perPath)).toEqual({ '/channel/all': count, '/channel/down-only': count });
      for (const m of monitors) {
        const rows = await store.listNotifications(m.id);
        expect(rows.map((n) => [n.channelId, n.state, n.attempts]).sort()).toEqual(
          [
            [channels.all.id, 'delivered', 1],
            [channels.downOnly.id, 'delivered', 1],
          ].sort(),
        );
      }
    } finally {
      await store.close();
    }
  }, 60_000);
});
