import type { MaintenanceWindow } from '../../src/domain/maintenance';
import type { Monitor, Notification } from '../../src/domain/types';
import { runCheck } from '../../src/services/checker';
import { deleteWindow } from '../../src/services/maintenance';
import { snoozeMonitor, unsnoozeMonitor } from '../../src/services/snooze';
import { recordPing } from '../../src/services/ping';
import { quietViews } from '../../src/services/quiet-view';
import type { InspectableStore } from '../../src/store/inspection';
import { startFakeHttp, type FakeHttp } from '../notify/support/fake-http';
import { storeKinds } from '../support/stores';
import { alertDeps, newAccount, newMonitor, ping, type AlertDeps } from './support/world';

const HOUR = 3600;
const MINUTE = 60;
const check = (deps: AlertDeps) => runCheck(deps, { budgetMs: 10_000 });

let windows = 0;
/** A one-off window of the monitors' account from now for `seconds`. */
function oneOff(deps: AlertDeps, accountId: string, monitors: string[] | '*', seconds: number): MaintenanceWindow {
  const now = deps.clock();
  return {
    id: `mw_${(++windows).toString(16).padStart(16, '0')}`,
    accountId,
    name: 'database upgrade',
    monitors,
    schedule: null,
    tz: null,
    duration: null,
    start: now,
    end: new Date(now.getTime() + seconds * 1000),
    createdAt: now,
  };
}

/**
 * The quiet rules end to end: monitors go down and recover through real pings and checker runs,
 * alerts go to a real HTTP webhook receiver, and what each row became is read back from the store.
 */
describe.each(storeKinds())('maintenance, snooze and dependencies through the checker on %s', (_name, kind) => {
  let store: InspectableStore;
  let target: FakeHttp;
  beforeEach(async () => {
    store = await kind.open();
    target = await startFakeHttp();
    target.answer(() => ({ status: 200 }));
  });
  afterEach(async () => {
    await target.close();
    await store.close();
  });

  /** What the webhook receiver got, as `<path> <event>[ <afterQuiet|afterParent>]`. */
  const received = () =>
    target.requests.map((r) => {
      const body = JSON.parse(r.body) as { event: string; afterQuiet?: string; afterParent?: string };
      return [r.path, body.event, body.afterQuiet ?? body.afterParent].filter(Boolean).join(' ');
    });
  const rowsOf = async (m: Monitor, event?: string): Promise<Notification[]> =>
    (await store.listNotifications(m.id)).filter((n) => n.channel === 'webhook' && (event === undefined || n.event === event));

  const fail = (deps: AlertDeps, m: Monitor) =>
    recordPing(deps, { token: m.pingToken, method: 'GET', source: '203.0.113.9', userAgent: 'curl/8', body: null, kind: 'fail' });

  async function watched(deps: AlertDeps, name: string, accountId?: string, extra: Partial<Monitor> = {}): Promise<Monitor> {
    const account = accountId === undefined ? undefined : await deps.store.getAccount(accountId);
    const m = await newMonitor(deps, { name, alertWebhook: `${target.origin}/${name}`, alertEmail: null, remindEvery: extra.remindEvery ?? null }, account ?? undefined);
    await ping(deps, m);
    if (extra.dependsOn !== undefined) await store.editMonitor(m.id, () => ({ dependsOn: extra.dependsOn }));
    return (await store.getMonitor(m.id)) as Monitor;
  }

  describe('snooze', () => {
    test('an outage inside a snooze alerts once, when the snooze ends, marked as after the snooze', async () => {
      const deps = alertDeps(store);
      const m = await watched(deps, 'backup');
      await store.editMonitor(m.id, () => ({ snoozedUntil: new Date(deps.clock().getTime() + 2 * HOUR * 1000) }));
      await fail(deps, m);
      await check(deps);
      expect(received()).toEqual([]);
      expect((await rowsOf(m, 'monitor.down'))[0]).toMatchObject({ state: 'held', attempts: 0 });
      expect((await rowsOf(m, 'monitor.down'))[0].lastError).toMatch(/^held: snoozed until /);
      deps.fakeClock.advance(2 * HOUR);
      await check(deps);
      expect(received()).toEqual(['/backup monitor.down snooze']);
      expect((await rowsOf(m, 'monitor.down'))[0]).toMatchObject({ state: 'delivered' });
    });

    test('down and up again inside a snooze: nothing owed, nothing sent', async () => {
      const deps = alertDeps(store);
      const m = await watched(deps, 'backup');
      await store.editMonitor(m.id, () => ({ snoozedUntil: new Date(deps.clock().getTime() + HOUR * 1000) }));
      await fail(deps, m);
      await check(deps);
      await ping(deps, m);
      await check(deps);
      deps.fakeClock.advance(HOUR);
      await check(deps);
      expect(received()).toEqual([]);
      expect((await rowsOf(m)).map((n) => [n.event, n.state])).toEqual(
        expect.arrayContaining([
          ['monitor.down', 'suppressed'],
          ['monitor.up', 'suppressed'],
        ]),
      );
    });
  });

  describe('ending a quiet period early', () => {
    test('lifting a snooze sends what it held at the next check, not at its old end', async () => {
      const deps = alertDeps(store);
      const m = await watched(deps, 'backup');
      const account = (await store.getAccount(m.accountId))!;
      await snoozeMonitor(deps, account, m.id, { for: 6 * HOUR });
      await fail(deps, m);
      await check(deps);
      expect(received()).toEqual([]);
      deps.fakeClock.advance(MINUTE);
      await unsnoozeMonitor(deps, account, m.id);
      await check(deps);
      expect(received()).toEqual(['/backup monitor.down snooze']);
    });

    test('deleting a window sends what it held at once; a shorter snooze still holds', async () => {
      const deps = alertDeps(store);
      const m = await watched(deps, 'etl');
      const other = await watched(deps, 'other', m.accountId);
      const account = (await store.getAccount(m.accountId))!;
      const window = oneOff(deps, m.accountId, '*', 6 * HOUR);
      await store.createWindow(window, 10);
      await snoozeMonitor(deps, account, other.id, { for: 2 * HOUR });
      await fail(deps, m);
      await fail(deps, other);
      await check(deps);
      await deleteWindow(deps, account, window.id);
      await check(deps);
      expect(received()).toEqual(['/etl monitor.down maintenance']);
      expect((await rowsOf(other, 'monitor.down'))[0].lastError).toMatch(/^held: snoozed until /);
      deps.fakeClock.advance(2 * HOUR);
      await check(deps);
      expect(received()).toEqual(['/etl monitor.down maintenance', '/other monitor.down snooze']);
    });
  });

  describe('maintenance windows', () => {
    test('a window that ends while the monitor is still down sends one down alert per channel; reminders pause', async () => {
      const deps = alertDeps(store);
      const m = await watched(deps, 'etl', undefined, { remindEvery: 10 * MINUTE });
      await store.createWindow(oneOff(deps, m.accountId, [m.id], 3 * HOUR), 10);
      deps.fakeClock.advance(m.schedule + m.grace);
      await check(deps);
      for (let i = 0; i < 3; i++) {
        deps.fakeClock.advance(10 * MINUTE);
        await check(deps);
      }
      expect(received()).toEqual([]);
      deps.fakeClock.advance(2 * HOUR);
      await check(deps);
      expect(received()).toEqual(['/etl monitor.down maintenance']);
      const reminders = await rowsOf(m, 'monitor.still_down');
      expect(reminders.filter((n) => n.state === 'suppressed').length).toBeGreaterThanOrEqual(3);
    });

    test('down, up and down again inside a window: one down alert when it ends', async () => {
      const deps = alertDeps(store);
      const m = await watched(deps, 'etl');
      await store.createWindow(oneOff(deps, m.accountId, '*', HOUR), 10);
      await fail(deps, m);
      await check(deps);
      await ping(deps, m);
      await check(deps);
      deps.fakeClock.advance(MINUTE);
      await fail(deps, m);
      await check(deps);
      deps.fakeClock.advance(HOUR);
      await check(deps);
      expect(received()).toEqual(['/etl monitor.down maintenance']);
    });

    test('down before a window and up during it: the recovery is owed, and sent at the end', async () => {
      const deps = alertDeps(store);
      const m = await watched(deps, 'etl');
      await fail(deps, m);
      await check(deps);
      expect(received()).toEqual(['/etl monitor.down']);
      await store.createWindow(oneOff(deps, m.accountId, [m.id], HOUR), 10);
      await ping(deps, m);
      await check(deps);
      expect(received()).toEqual(['/etl monitor.down']);
      deps.fakeClock.advance(HOUR);
      await check(deps);
      expect(received()).toEqual(['/etl monitor.down', '/etl monitor.up maintenance']);
    });

    test('a window for other monitors holds nothing of this one', async () => {
      const deps = alertDeps(store);
      const m = await watched(deps, 'etl');
      const other = await watched(deps, 'other', m.accountId);
      await store.createWindow(oneOff(deps, m.accountId, [other.id], HOUR), 10);
      await fail(deps, m);
      await check(deps);
      expect(received()).toEqual(['/etl monitor.down']);
    });

    test('two checker runs racing at the end of a window send the alert it owes once', async () => {
      const deps = alertDeps(store);
      const account = await newAccount(deps);
      const monitors: Monitor[] = [];
      for (let i = 0; i < 5; i++) monitors.push(await watched(deps, `job${i}`, account.id));
      await store.createWindow(oneOff(deps, account.id, '*', HOUR), 10);
      for (const m of monitors) await fail(deps, m);
      await check(deps);
      deps.fakeClock.advance(HOUR);
      await Promise.all([check(deps), check(deps), check(deps)]);
      expect(received().sort()).toEqual(monitors.map((_m, i) => `/job${i} monitor.down maintenance`).sort());
    });
  });

  describe('dependencies', () => {
    test('ten children of a dead host: one alert, the parent’s; the children follow only if still down after it recovers', async () => {
      const deps = alertDeps(store);
      const host = await watched(deps, 'host');
      const children: Monitor[] = [];
      for (let i = 0; i < 10; i++) children.push(await watched(deps, `child${i}`, host.accountId, { dependsOn: [host.id] }));
      // All of them miss their deadline in the same sweep.
      deps.fakeClock.advance(host.schedule + host.grace);
      await check(deps);
      expect(received()).toEqual(['/host monitor.down']);
      expect(await store.getMonitor(children[0].id)).toMatchObject({ status: 'down' });
      const held = (await rowsOf(children[0], 'monitor.down'))[0];
      expect(held.state).toBe('held');
      expect(held.lastError).toBe('held: parent "host" is down');
      // Minutes pass; still one alert.
      deps.fakeClock.advance(5 * MINUTE);
      await check(deps);
      expect(received()).toEqual(['/host monitor.down']);
      // The host comes back, two children with it; the other eight stay down and alert within a minute.
      await ping(deps, host);
      await ping(deps, children[0]);
      await ping(deps, children[1]);
      await check(deps);
      deps.fakeClock.advance(MINUTE);
      await check(deps);
      const after = received().slice(1);
      expect(after[0]).toBe('/host monitor.up');
      expect(after.slice(1).sort()).toEqual(children.slice(2).map((c) => `/${c.name} monitor.down host`).sort());
      for (const c of children.slice(0, 2)) {
        expect((await rowsOf(c)).map((n) => [n.event, n.state]).sort()).toEqual([
          ['monitor.down', 'suppressed'],
          ['monitor.up', 'suppressed'],
        ]);
      }
    });

    test('a child that goes down before its parent alerts as usual; the parent’s later outage does not take it back', async () => {
      const deps = alertDeps(store);
      const host = await watched(deps, 'host');
      const child = await watched(deps, 'child', host.accountId, { dependsOn: [host.id] });
      await fail(deps, child);
      await check(deps);
      await fail(deps, host);
      await check(deps);
      expect(received()).toEqual(['/child monitor.down', '/host monitor.down']);
      await ping(deps, child);
      await check(deps);
      expect(received()).toEqual(['/child monitor.down', '/host monitor.down', '/child monitor.up']);
    });

    test('a chain of three going down together: only the root alerts', async () => {
      const deps = alertDeps(store);
      const a = await watched(deps, 'a');
      const b = await watched(deps, 'b', a.accountId, { dependsOn: [a.id] });
      await watched(deps, 'c', a.accountId, { dependsOn: [b.id] });
      deps.fakeClock.advance(a.schedule + a.grace);
      await check(deps);
      deps.fakeClock.advance(MINUTE);
      await check(deps);
      expect(received()).toEqual(['/a monitor.down']);
    });

    test('a cycle two racing edits closed (a → b → c → a) holds no alert: each of them alerts when down', async () => {
      const deps = alertDeps(store);
      const a = await watched(deps, 'a');
      const b = await watched(deps, 'b', a.accountId, { dependsOn: [a.id] });
      const c = await watched(deps, 'c', a.accountId, { dependsOn: [b.id] });
      // Validation refuses this edit; written to the store directly, as a lost race would leave it.
      await store.editMonitor(a.id, () => ({ dependsOn: [c.id] }));
      deps.fakeClock.advance(a.schedule + a.grace);
      await check(deps);
      deps.fakeClock.advance(MINUTE);
      await check(deps);
      expect(received().sort()).toEqual(['/a monitor.down', '/b monitor.down', '/c monitor.down']);
      // The answers agree: no monitor of the cycle says a parent explains its outage.
      const views = await quietViews(deps, await store.listMonitors(a.accountId));
      expect([...views.values()].map((v) => v.suppressedBy)).toEqual([null, null, null]);
    });

    test('a parent in a maintenance window holds its children’s down alerts as if it were down', async () => {
      const deps = alertDeps(store);
      const host = await watched(deps, 'host');
      const child = await watched(deps, 'child', host.accountId, { dependsOn: [host.id] });
      await store.createWindow(oneOff(deps, host.accountId, [host.id], HOUR), 10);
      await fail(deps, child);
      await check(deps);
      expect(received()).toEqual([]);
      expect((await rowsOf(child, 'monitor.down'))[0].lastError).toBe('held: parent "host" is quiet');
      // The window ends with the host up: the child, still down, alerts now.
      deps.fakeClock.advance(HOUR);
      await check(deps);
      deps.fakeClock.advance(MINUTE);
      await check(deps);
      expect(received()).toEqual(['/child monitor.down host']);
    });
  });
});
