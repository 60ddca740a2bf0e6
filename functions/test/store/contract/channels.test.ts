import { transition } from '../../../src/domain/transitions';
import type { InspectableStore } from '../../../src/store/inspection';
import { makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, attachedOf, makeChannel, pingData, scenes, storePerTest, togetherOn } from './support';

/** The storage contract for channel objects and the copies monitors keep of the ones attached to them. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  let store: InspectableStore;
  const newAccount = storePerTest(kind, (opened) => (store = opened), { plan: 'pro' });

  const { withMonitor } = scenes(() => store);

  describe('channel objects', () => {
    test('a created channel reads back as written, and its account lists its channels oldest first', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const late = makeChannel(account.id, { name: 'late', createdAt: at(60) });
      const early = makeChannel(account.id, {
        name: 'early',
        kind: 'webhook',
        config: { url: 'https://example.com/hook', method: 'PUT', headers: { Authorization: 'Bearer x' }, body: '{"a":1}' },
        events: ['down'],
        isDefault: true,
        webhookSecret: 'whsec_abc',
        createdAt: at(0),
      });
      // Created in the same instant: they list in the order they were created.
      const sameA = makeChannel(account.id, { name: 'same a', createdAt: at(30) });
      const sameB = makeChannel(account.id, { name: 'same b', createdAt: at(30) });
      for (const c of [late, early, sameA, sameB]) expect(await store.createChannel(c, 10)).toBe('created');
      await store.createChannel(makeChannel(other.id), 10);

      expect(await store.getChannel(early.id)).toEqual(early);
      expect(await store.getChannel('ch_0000000000000000')).toBeNull();
      expect((await store.listChannels(account.id)).map((c) => c.name)).toEqual(['early', 'same a', 'same b', 'late']);
      expect(await store.listChannels(account.id)).toContainEqual(early);
      expect(await store.listChannels('nobody')).toEqual([]);
    });

    test('a channel for an account that does not exist is refused', async () => {
      expect(await store.createChannel(makeChannel('no-such-account'), 10)).toBe('limit_reached');
      expect(await store.listChannels('no-such-account')).toEqual([]);
    });

    test(`creates ${togetherOn(name)} at the cap: exactly the cap is created`, async () => {
      const account = await newAccount();
      await store.createChannel(makeChannel(account.id), 5);
      const results = await Promise.all(Array.from({ length: 12 }, () => store.createChannel(makeChannel(account.id), 5)));
      expect(results.filter((r) => r === 'created')).toHaveLength(4);
      expect(results.filter((r) => r === 'limit_reached')).toHaveLength(8);
      expect(await store.listChannels(account.id)).toHaveLength(5);
    });

    test('deleting a channel frees its slot', async () => {
      const account = await newAccount();
      const [a] = [makeChannel(account.id), makeChannel(account.id)];
      await store.createChannel(a, 2);
      await store.createChannel(makeChannel(account.id), 2);
      expect(await store.createChannel(makeChannel(account.id), 2)).toBe('limit_reached');
      expect(await store.deleteChannel(a.id)).toBe(true);
      expect(await store.createChannel(makeChannel(account.id), 2)).toBe('created');
    });

    test('an edit writes only what it returns, and never the id, kind or secret', async () => {
      const account = await newAccount();
      const c = makeChannel(account.id, { kind: 'webhook', config: { url: 'https://example.com/a' }, webhookSecret: 'whsec_k' });
      await store.createChannel(c, 10);
      const seen: string[] = [];
      const edited = await store.updateChannel(c.id, (current) => {
        seen.push(current.name);
        return { name: 'renamed', config: { ...current.config, method: 'PUT' }, isDefault: true };
      });
      const expected = { ...c, name: 'renamed', config: { url: 'https://example.com/a', method: 'PUT' }, isDefault: true };
      expect(edited).toEqual(expected);
      expect(seen[0]).toBe(c.name);
      expect(await store.getChannel(c.id)).toEqual(expected);
      expect(await store.updateChannel('ch_0000000000000000', () => ({ name: 'x' }))).toBeNull();
    });

    test('a deleted channel is gone; deleting it again answers false', async () => {
      const account = await newAccount();
      const c = makeChannel(account.id);
      await store.createChannel(c, 10);
      expect(await store.deleteChannel(c.id)).toBe(true);
      expect(await store.getChannel(c.id)).toBeNull();
      expect(await store.listChannels(account.id)).toEqual([]);
      expect(await store.deleteChannel(c.id)).toBe(false);
    });

    test('deleting an account deletes its channels, and no one else’s', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const mine = [makeChannel(account.id), makeChannel(account.id)];
      const theirs = makeChannel(other.id);
      for (const c of [...mine, theirs]) await store.createChannel(c, 10);
      expect(await store.deleteAccount(account.id)).toBe(true);
      await store.deletionsSettled();
      await store.finishDeletions(() => true);
      for (const c of mine) expect(await store.getChannel(c.id)).toBeNull();
      expect(await store.listChannels(account.id)).toEqual([]);
      expect(await store.getChannel(theirs.id)).toEqual(theirs);
    });
  });

  describe('attached channels on monitors', () => {
    /** An account with channels `a` (down only) and `b` (every event), and nothing attached yet. */
    async function accountWithChannels() {
      const account = await newAccount();
      const a = makeChannel(account.id, { name: 'a', events: ['down'] });
      const b = makeChannel(account.id, { name: 'b', kind: 'discord', config: { url: 'https://discord.com/api/webhooks/1/x' } });
      for (const c of [a, b]) await store.createChannel(c, 10);
      return { account, a, b };
    }

    test('a monitor keeps its attached channels in order through create, edit, pings and transitions', async () => {
      const { account, a, b } = await accountWithChannels();
      const m = makeMonitor({ accountId: account.id, channels: [attachedOf(b), attachedOf(a)] });
      await store.createMonitor(m, null);
      expect((await store.getMonitor(m.id))!.channels).toEqual([attachedOf(b), attachedOf(a)]);
      expect((await store.listMonitors(account.id))[0].channels).toEqual([attachedOf(b), attachedOf(a)]);

      const edited = await store.editMonitor(m.id, () => ({ channels: [attachedOf(a)] }));
      expect(edited!.channels).toEqual([attachedOf(a)]);
      await store.editMonitor(m.id, () => ({ name: 'renamed' }));
      expect((await store.getMonitor(m.id))!.channels).toEqual([attachedOf(a)]);

      const pinged = await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      expect(pinged!.monitor.channels).toEqual([attachedOf(a)]);
      const down = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(m.schedule + m.grace)));
      expect(down!.monitor.channels).toEqual([attachedOf(a)]);
      expect(await store.getMonitor(m.id)).toEqual(down!.monitor);
      expect((await store.findMonitorByBadgeKey(m.badgeKey!))!.channels).toEqual([attachedOf(a)]);
    });

    test('a monitor attached to nothing reads back with no channels', async () => {
      const m = await withMonitor();
      expect((await store.getMonitor(m.id))!.channels).toEqual([]);
    });

    test('attachments are written as the channels are: stale events refreshed, deleted or foreign channels left out', async () => {
      const { account, a, b } = await accountWithChannels();
      const other = await newAccount();
      const foreign = makeChannel(other.id);
      await store.createChannel(foreign, 10);
      await store.deleteChannel(b.id);
      // Read before an events change and a delete that then commit first.
      const stale = { ...attachedOf(a), events: [...b.events] };
      const m = makeMonitor({ accountId: account.id, channels: [attachedOf(b), stale, attachedOf(foreign)] });
      await store.createMonitor(m, null);
      expect((await store.getMonitor(m.id))!.channels).toEqual([attachedOf(a)]);
      const edited = await store.editMonitor(m.id, () => ({ channels: [attachedOf(foreign), stale, attachedOf(b)] }));
      expect(edited!.channels).toEqual([attachedOf(a)]);
      expect((await store.getMonitor(m.id))!.channels).toEqual([attachedOf(a)]);
    });

    test('changing a channel’s events refreshes the copy on every monitor attached to it, and only there', async () => {
      const { account, a, b } = await accountWithChannels();
      const both = makeMonitor({ accountId: account.id, channels: [attachedOf(a), attachedOf(b)] });
      const onlyB = makeMonitor({ accountId: account.id, channels: [attachedOf(b)] });
      const none = makeMonitor({ accountId: account.id });
      for (const m of [both, onlyB, none]) await store.createMonitor(m, null);

      const edited = await store.updateChannel(a.id, () => ({ events: ['down', 'up'] }));
      expect(edited!.events).toEqual(['down', 'up']);
      expect((await store.getMonitor(both.id))!.channels).toEqual([{ ...attachedOf(a), events: ['down', 'up'] }, attachedOf(b)]);
      expect((await store.getMonitor(onlyB.id))!.channels).toEqual([attachedOf(b)]);
      expect((await store.getMonitor(none.id))!.channels).toEqual([]);
    });

    test('deleting a channel detaches it from every monitor, keeping the others in order; its queued alerts stay', async () => {
      const { account, a, b } = await accountWithChannels();
      const c = makeChannel(account.id, { name: 'c' });
      await store.createChannel(c, 10);
      const m1 = makeMonitor({ accountId: account.id, channels: [attachedOf(b), attachedOf(a), attachedOf(c)], alertEmail: null });
      const m2 = makeMonitor({ accountId: account.id, channels: [attachedOf(a)] });
      for (const m of [m1, m2]) await store.createMonitor(m, null);
      await store.recordPing(m1.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      await store.updateMonitor(m1.id, (mon) => transition(mon, 'deadline', at(m1.schedule + m1.grace)));
      const queued = (await store.listNotifications(m1.id)).filter((n) => n.channelId === a.id);
      expect(queued).toHaveLength(1);

      expect(await store.deleteChannel(a.id)).toBe(true);
      expect((await store.getMonitor(m1.id))!.channels).toEqual([attachedOf(b), attachedOf(c)]);
      expect((await store.getMonitor(m2.id))!.channels).toEqual([]);
      expect(await store.getNotification(queued[0].id)).toEqual(queued[0]);
    });

    test('a flip writes one row per attached channel subscribed to its event, carrying the channel’s id', async () => {
      const { account, a, b } = await accountWithChannels();
      const m = makeMonitor({ accountId: account.id, channels: [attachedOf(a), attachedOf(b)] });
      await store.createMonitor(m, null);
      await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      const due = at(m.schedule + m.grace);
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', due));
      await store.recordPing(m.pingToken, pingData(at(m.schedule + m.grace + 10)), (mon) => transition(mon, 'ping', at(m.schedule + m.grace + 10)));

      const rows = await store.listNotifications(m.id);
      const described = rows.map((n) => [n.event, n.channel, n.channelId ?? '-', n.target].join(' ')).sort();
      expect(described).toEqual(
        [
          `monitor.down email - ${m.alertEmail}`,
          `monitor.down slack ${a.id} ${a.id}`,
          `monitor.down discord ${b.id} ${b.id}`,
          `monitor.up email - ${m.alertEmail}`,
          `monitor.up discord ${b.id} ${b.id}`,
        ].sort(),
      );
      const due2 = await store.findDueNotifications(at(100_000), 10);
      expect(due2.filter((n) => n.channelId === b.id)).toHaveLength(2);
      const claimed = await store.claimNotification(rows.find((n) => n.channelId === a.id)!.id, at(100_000), at(100_060));
      expect(claimed).toMatchObject({ channelId: a.id, channel: 'slack', state: 'processing' });
    });

    test('after an events change, the next flip follows the new events', async () => {
      const { account, a } = await accountWithChannels();
      const m = makeMonitor({ accountId: account.id, channels: [attachedOf(a)], alertEmail: null });
      await store.createMonitor(m, null);
      await store.updateChannel(a.id, () => ({ events: ['up'] }));
      await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(m.schedule + m.grace)));
      await store.recordPing(m.pingToken, pingData(at(m.schedule + m.grace + 10)), (mon) => transition(mon, 'ping', at(m.schedule + m.grace + 10)));
      expect((await store.listNotifications(m.id)).map((n) => [n.event, n.channelId])).toEqual([['monitor.up', a.id]]);
    });
  });
});
