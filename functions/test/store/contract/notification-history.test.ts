import { transition } from '../../../src/domain/transitions';
import type { Notification } from '../../../src/domain/types';
import type { InspectableStore } from '../../../src/store/inspection';
import type { NotificationOwner, PageKey } from '../../../src/store/port';
import { makeAccount, makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { allPages, at, attachedOf, makeChannel, makeNotification, pingData } from './support';

/** The storage contract for delivery logs: one monitor's or one channel object's notifications, newest first. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const ACCOUNT = 'acct-log';
  const CHANNEL = 'ch_00000000000000aa';
  /** Rows of monitor m1 (some to the channel), of monitor m2 (to the channel), and test alerts of the channel. */
  async function scene(): Promise<Notification[]> {
    const rows: Notification[] = [];
    for (let i = 0; i < 7; i++) {
      // Pairs share an instant: the id orders them.
      const createdAt = at(Math.floor(i / 2) * 10);
      rows.push(makeNotification({ id: `m1_${i}`, accountId: ACCOUNT, monitorId: 'm1', createdAt, ...(i % 3 === 0 ? { channelId: CHANNEL, target: CHANNEL } : {}) }));
      rows.push(makeNotification({ id: `m2_${i}`, accountId: ACCOUNT, monitorId: 'm2', createdAt, channelId: CHANNEL, target: CHANNEL }));
    }
    rows.push(makeNotification({ id: 'test_1', accountId: ACCOUNT, createdAt: at(15), event: 'channel.test', channelId: CHANNEL, target: CHANNEL, state: 'failed', lastError: 'HTTP 404', deliveredAt: null }));
    for (const n of rows) await store.insertNotification(n);
    return rows;
  }

  /** Newest first, by time then id. */
  const newestFirst = (rows: Notification[]) =>
    [...rows].sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0)).map((n) => n.id);

  const read = (owner: NotificationOwner, limit: number, since: Date | null = null) => (before: PageKey | null) =>
    store.notificationHistory(owner, { limit, before, since });

  test('a row inserted as given reads back as it was written, final state and channel included', async () => {
    const rows = await scene();
    const test1 = rows.find((n) => n.id === 'test_1')!;
    expect(await store.getNotification('test_1')).toEqual(test1);
    expect(await store.getNotification('m1_1')).toEqual(rows.find((n) => n.id === 'm1_1'));
  });

  test('a monitor’s log lists its rows newest first, by time then id, a page at a time', async () => {
    const rows = await scene();
    const pages = await allPages(read({ monitorId: 'm1' }, 3));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((n) => n.id)).toEqual(newestFirst(rows.filter((n) => n.monitorId === 'm1')));
    const first = await store.notificationHistory({ monitorId: 'm1' }, { limit: 3, before: null, since: null });
    expect(first.next).toEqual({ at: first.items[2].createdAt, seq: 0, id: first.items[2].id });
    expect(first.items[0]).toEqual(rows.find((n) => n.id === 'm1_6'));
  });

  test('a channel’s log lists every row to it, of any monitor, and its test alerts', async () => {
    const rows = await scene();
    const pages = await allPages(read({ channelId: CHANNEL }, 4));
    expect(pages.flat().map((n) => n.id)).toEqual(newestFirst(rows.filter((n) => n.channelId === CHANNEL)));
    expect(pages.flat()).toContainEqual(rows.find((n) => n.id === 'test_1'));
    expect((await store.notificationHistory({ channelId: 'ch_00000000000000bb' }, { limit: 5, before: null, since: null })).items).toEqual([]);
  });

  test('`since` keeps rows at or after it; `before` starts strictly after its key', async () => {
    const rows = await scene();
    const since = (await allPages(read({ monitorId: 'm2' }, 2, at(20)))).flat();
    expect(since.map((n) => n.id)).toEqual(newestFirst(rows.filter((n) => n.monitorId === 'm2' && n.createdAt >= at(20))));
    const key = { at: at(10), seq: 0, id: 'm2_3' };
    const after = await store.notificationHistory({ monitorId: 'm2' }, { limit: 10, before: key, since: null });
    expect(after.items.map((n) => n.id)).toEqual(['m2_2', 'm2_1', 'm2_0']);
    expect(after.next).toBeNull();
  });

  test('paging while rows are added repeats and skips none of those it started with', async () => {
    const rows = await scene();
    const seen: string[] = [];
    let before: PageKey | null = null;
    let added = 0;
    for (;;) {
      const page = await store.notificationHistory({ channelId: CHANNEL }, { limit: 2, before, since: null });
      seen.push(...page.items.map((n) => n.id));
      // Newer rows (and one at the same instant as the oldest, with a larger id) arrive between pages.
      await store.insertNotification(makeNotification({ id: `new_${added++}`, accountId: ACCOUNT, monitorId: 'm1', createdAt: at(1000 + added), channelId: CHANNEL }));
      await store.insertNotification(makeNotification({ id: `zz_${added}`, accountId: ACCOUNT, monitorId: 'm2', createdAt: at(0), channelId: CHANNEL }));
      if (page.next === null) break;
      before = page.next;
    }
    const original = newestFirst(rows.filter((n) => n.channelId === CHANNEL));
    expect(seen.filter((id) => original.includes(id))).toEqual(original);
    expect(new Set(seen).size).toBe(seen.length);
  });

  test('the rows a flip writes are in the monitor’s log and its attached channel’s', async () => {
    const account = makeAccount({ plan: 'pro' });
    await store.createAccount(account);
    const channel = makeChannel(account.id);
    await store.createChannel(channel, 10);
    const m = makeMonitor({ accountId: account.id, channels: [attachedOf(channel)] });
    await store.createMonitor(m, null);
    await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
    await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(m.schedule + m.grace)));

    const log = await store.notificationHistory({ monitorId: m.id }, { limit: 10, before: null, since: null });
    expect(log.items.map((n) => [n.channel, n.channelId]).sort()).toEqual([
      ['email', null],
      ['slack', channel.id],
    ]);
    const channelLog = await store.notificationHistory({ channelId: channel.id }, { limit: 10, before: null, since: null });
    expect(channelLog.items).toEqual(log.items.filter((n) => n.channelId === channel.id));
    expect(channelLog.items[0]).toMatchObject({ event: 'monitor.down', monitorId: m.id, state: 'pending' });
  });
});
