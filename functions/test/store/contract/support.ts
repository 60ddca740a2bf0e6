import { transition, type Signal } from '../../../src/domain/transitions';
import type { Account, AlertChannel, AttachedChannel, Monitor, Notification } from '../../../src/domain/types';
import type { InspectableStore } from '../../../src/store/inspection';
import type { Page, PageKey, PingData } from '../../../src/store/port';
import { makeAccount, makeChannel as makeChannelAt, makeMonitor } from '../../support/factories';
import type { StoreKind } from '../../support/stores';

/**
 * The storage contract: every adapter must behave exactly like the suites in this folder, which
 * share what is here. Each file runs its tests on every store kind under the
 * title `store contract on <kind>`, opening an empty store per test; the helpers that need that
 * store take a function answering the current one.
 */

/**
 * Opens an empty store of `kind` before each test of the calling suite, hands it to `use`, and
 * closes it after the test. Answers a maker of accounts stored in it, `defaults` under each
 * call's overrides.
 */
export function storePerTest(kind: StoreKind, use: (store: InspectableStore) => void, defaults: Partial<Account> = {}) {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
    use(store);
  });
  afterEach(async () => {
    await store.close();
  });
  return async (overrides: Partial<Account> = {}): Promise<Account> => {
    const account = makeAccount({ ...defaults, ...overrides });
    await store.createAccount(account);
    return account;
  };
}

export const t0 = new Date('2026-03-28T02:00:00.000Z');
export const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

export const pingData = (when: Date, overrides: Partial<PingData> = {}): PingData => ({
  at: when,
  method: 'GET',
  kind: 'success',
  exitCode: null,
  rid: null,
  source: '203.0.113.9',
  userAgent: 'curl/8',
  body: null,
  ...overrides,
});

/**
 * How the race tests name their overlap. SQLite calls are synchronous: "concurrent" requests there
 * run one after another, and the test names say so. Firestore's really overlap. Real overlap on
 * SQLite is the two-process test.
 */
export function togetherOn(storeName: string): string {
  return storeName === 'sqlite' ? 'interleaved (sequential on SQLite)' : 'concurrent';
}

export const signal = (kind: Signal['kind'], rid: string | null = null, exitCode: number | null = null, output: string | null = null): Signal => ({
  kind,
  exitCode,
  rid,
  output,
});

/** Every page of a history, following `next` until there is none. */
export async function allPages<T>(read: (before: PageKey | null) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let before: PageKey | null = null;
  for (;;) {
    const page: Page<T> = await read(before);
    pages.push(page.items);
    if (page.next === null) return pages;
    before = page.next;
  }
}

/** Scenes the tests start from, written into the store `current()` answers. */
export function scenes(current: () => InspectableStore) {
  /** A new monitor of a new account. */
  async function withMonitor(overrides: Partial<Monitor> = {}): Promise<Monitor> {
    const store = current();
    const account = makeAccount();
    await store.createAccount(account);
    const monitor = makeMonitor({ accountId: account.id, ...overrides });
    expect(await store.createMonitor(monitor, null)).toBe('created');
    return monitor;
  }

  /** A monitor pinged once at t0, so up with its deadline armed. */
  async function upMonitor(overrides: Partial<Monitor> = {}): Promise<Monitor> {
    const m = await withMonitor(overrides);
    return (await current().recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0))))!.monitor;
  }

  /** A signal (start, success, fail) from the monitor's job, recorded as its ping. */
  const send = (m: Monitor, s: Signal, when: Date, body: string | null = null) =>
    current().recordPing(m.pingToken, pingData(when, { kind: s.kind, exitCode: s.exitCode, rid: s.rid, body }), (mon) => transition(mon, s, when));

  /** A monitor that missed its deadline, and the down notification that wrote. */
  async function pendingNotification() {
    const store = current();
    const m = await withMonitor();
    await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
    const due = at(m.schedule + m.grace);
    await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
    const [n] = await store.listNotifications(m.id);
    return { n, due };
  }

  return { withMonitor, upMonitor, send, pendingNotification };
}

/** A channel object of `accountId`, every event subscribed unless told otherwise. */
/** A channel object created at `t0`, the contract suites' start of time. */
export const makeChannel = (accountId: string, overrides: Partial<AlertChannel> = {}): AlertChannel => makeChannelAt(accountId, { createdAt: t0, ...overrides });

/** The copy a monitor keeps of a channel object. */
export const attachedOf = (c: AlertChannel): AttachedChannel => ({ id: c.id, kind: c.kind, events: [...c.events] });

/** A notification row as a test alert or a flip would write it, for delivery-log tests. */
export function makeNotification(overrides: Partial<Notification> & Pick<Notification, 'id' | 'accountId' | 'createdAt'>): Notification {
  return {
    flipId: 'f',
    monitorId: '',
    channel: 'slack',
    channelId: null,
    event: 'monitor.down',
    target: 'https://hooks.slack.com/services/T000/B000/XXXX',
    state: 'delivered',
    attempts: 1,
    nextAttemptAt: null,
    lastError: null,
    deliveredAt: overrides.createdAt,
    snapshot: { monitorId: '', name: 'Nightly DB Backup', schedule: 3600, grace: 360, lastPingAt: null },
    ...overrides,
  };
}
