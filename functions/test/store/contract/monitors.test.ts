import { transition } from '../../../src/domain/transitions';
import type { Monitor } from '../../../src/domain/types';
import type { InspectableStore } from '../../../src/store/inspection';
import { makeAccount, makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, pingData, scenes } from './support';

/** The storage contract for monitors: creating within the plan limit, reading back, listing, deleting, badges, edits, pause and resume. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { withMonitor, upMonitor } = scenes(() => store);

  describe('monitors', () => {
    test('a created monitor reads back as it was written', async () => {
      const m = await withMonitor({ alertWebhook: 'https://hooks.example.com/a', webhookSecret: 'whsec_x', historyDays: null });
      expect(await store.getMonitor(m.id)).toEqual(m);
    });

    test('an unknown id reads as null', async () => {
      expect(await store.getMonitor('0123456789abcdef')).toBeNull();
    });

    test('creating counts the monitor against its account', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.createMonitor(makeMonitor({ accountId: account.id }), 5);
      await store.createMonitor(makeMonitor({ accountId: account.id }), 5);
      expect((await store.findAccountByKeyHash(account.apiKeyHash))!.monitorCount).toBe(2);
    });

    test('the plan limit refuses the monitor past it and stores nothing', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      for (let i = 0; i < 2; i++) expect(await store.createMonitor(makeMonitor({ accountId: account.id }), 2)).toBe('created');
      const refused = makeMonitor({ accountId: account.id });
      expect(await store.createMonitor(refused, 2)).toBe('limit_reached');
      expect(await store.getMonitor(refused.id)).toBeNull();
      expect(await store.listMonitors(account.id)).toHaveLength(2);
    });

    test('monitors are listed newest first, and only the account’s own', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const older = makeMonitor({ accountId: account.id, createdAt: at(0) });
      const newer = makeMonitor({ accountId: account.id, createdAt: at(60) });
      await store.createMonitor(older, null);
      await store.createMonitor(newer, null);
      await withMonitor();
      expect((await store.listMonitors(account.id)).map((m) => m.id)).toEqual([newer.id, older.id]);
    });

    test('deleting removes the monitor and its pings and frees its slot', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const m = makeMonitor({ accountId: account.id });
      await store.createMonitor(m, 1);
      await store.recordPing(m.pingToken, pingData(at(1)), (mon) => transition(mon, 'ping', at(1)));
      expect(await store.deleteMonitor(m.id)).toBe(true);
      expect(await store.getMonitor(m.id)).toBeNull();
      expect(await store.recordPing(m.pingToken, pingData(at(2)), (mon) => transition(mon, 'ping', at(2)))).toBeNull();
      expect(await store.createMonitor(makeMonitor({ accountId: account.id }), 1)).toBe('created');
      // Its pings go in the background (test/store/contract/cleanup.test.ts).
      await store.deletionsSettled();
      expect(await store.listPings(m.id, 10)).toEqual([]);
    });

    test('deleting an unknown monitor reports false', async () => {
      expect(await store.deleteMonitor('0123456789abcdef')).toBe(false);
    });
  });

  describe('badges', () => {
    test('a monitor is found by its badge key, as it is, after pings', async () => {
      const m = await upMonitor();
      await withMonitor();
      const found = await store.findMonitorByBadgeKey(m.badgeKey as string);
      expect(found).toEqual(await store.getMonitor(m.id));
      expect(found?.status).toBe('up');
    });

    test('an unknown badge key, or a ping token used as one, finds nothing', async () => {
      const m = await withMonitor();
      expect(await store.findMonitorByBadgeKey('0123456789abcdef0123456789abcdef')).toBeNull();
      expect(await store.findMonitorByBadgeKey(m.pingToken)).toBeNull();
    });

    test('a deleted monitor no longer answers to its badge key', async () => {
      const m = await withMonitor();
      await store.deleteMonitor(m.id);
      expect(await store.findMonitorByBadgeKey(m.badgeKey as string)).toBeNull();
    });
  });

  describe('editing settings', () => {
    test('an edit writes the fields it returns, and the monitor reads back edited', async () => {
      const m = await withMonitor({ alertWebhook: 'https://hooks.example.com/a', webhookSecret: 'whsec_a' });
      const edited = await store.editMonitor(m.id, () => ({
        name: 'Renamed', schedule: 600, grace: 90, alertEmail: null, alertWebhook: null, webhookSecret: null, alertAt: at(50),
      }));
      const expected = { ...m, name: 'Renamed', schedule: 600, grace: 90, alertEmail: null, alertWebhook: null, webhookSecret: null, alertAt: at(50) };
      expect(edited).toEqual(expected);
      expect(await store.getMonitor(m.id)).toEqual(expected);
      expect(await store.findDueMonitors(at(50), 10)).toEqual([m.id]);
    });

    test('an edit sees the monitor as stored and leaves status and counters alone', async () => {
      const m = await withMonitor();
      await store.recordPing(m.pingToken, pingData(at(1)), (mon) => transition(mon, 'ping', at(1)));
      let seen: Monitor | null = null;
      await store.editMonitor(m.id, (mon) => {
        seen = mon;
        return { name: 'x' };
      });
      expect(seen).toMatchObject({ status: 'up', pingCount: 1 });
      expect(await store.getMonitor(m.id)).toMatchObject({ name: 'x', status: 'up', pingCount: 1, lastPingAt: at(1) });
      expect(await store.listFlips(m.id)).toHaveLength(1);
    });

    test('editing an unknown monitor reports null', async () => {
      expect(await store.editMonitor('0123456789abcdef', () => ({ name: 'x' }))).toBeNull();
    });
  });

  describe('tags', () => {
    test('tags read back in the order written, from a read and from the list', async () => {
      const m = await withMonitor({ tags: ['db', 'backups', 'host-12'] });
      expect((await store.getMonitor(m.id))!.tags).toEqual(['db', 'backups', 'host-12']);
      expect((await store.listMonitors(m.accountId)).map((x) => x.tags)).toEqual([['db', 'backups', 'host-12']]);
    });

    test('a monitor written without tags reads back with none', async () => {
      const m = await withMonitor();
      expect((await store.getMonitor(m.id))!.tags).toEqual([]);
    });

    test('an edit replaces the tags and leaves the rest alone; [] removes them', async () => {
      const m = await withMonitor({ tags: ['backups'] });
      const edited = await store.editMonitor(m.id, () => ({ tags: ['nightly', 'backups'] }));
      expect(edited).toEqual({ ...m, tags: ['nightly', 'backups'] });
      expect(await store.getMonitor(m.id)).toEqual({ ...m, tags: ['nightly', 'backups'] });
      await store.editMonitor(m.id, () => ({ tags: [] }));
      expect(await store.getMonitor(m.id)).toEqual({ ...m, tags: [] });
    });

    test('tags survive pings and status changes', async () => {
      const m = await upMonitor({ tags: ['backups', 'db'] });
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(m.schedule + m.grace)));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'down', tags: ['backups', 'db'] });
    });
  });

  describe('pause', () => {
    test('manualResume is kept with the pause and cleared by the resume', async () => {
      const m = await withMonitor();
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(1), { manualResume: true }));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'paused', manualResume: true });
      await store.recordPing(m.pingToken, pingData(at(2)), (mon) => transition(mon, 'ping', at(2)));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'paused', manualResume: true, pingCount: 1, alertAt: null });
      await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(3)));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'up', manualResume: false });
    });

    test('a ping ends a plain pause with a flip', async () => {
      const m = await withMonitor();
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(1)));
      const applied = await store.recordPing(m.pingToken, pingData(at(2)), (mon) => transition(mon, 'ping', at(2)));
      expect(applied!.monitor).toMatchObject({ status: 'up', alertAt: at(2 + m.schedule + m.grace) });
      expect(await store.getMonitor(m.id)).toEqual(applied!.monitor);
      expect((await store.listFlips(m.id)).map((f) => [f.from, f.to, f.reason])).toEqual([
        ['new', 'paused', 'pause'],
        ['paused', 'up', 'ping'],
      ]);
    });
  });

  describe('resume', () => {
    test('a resume is stored with the monitor, and the deadline counts from it', async () => {
      const m = await upMonitor({ schedule: 3600, grace: 360 });
      await store.updateMonitor(m.id, (mon) => transition(mon, 'pause', at(1)));
      const resumed = (await store.updateMonitor(m.id, (mon) => transition(mon, 'resume', at(86_400))))!.monitor;
      expect(resumed).toMatchObject({ status: 'up', resumedAt: at(86_400), lastPingAt: at(0), alertAt: at(86_400 + 3600 + 360) });
      expect(await store.getMonitor(m.id)).toEqual(resumed);
    });
  });

  describe('plans and Pro channels', () => {
    test('Slack and PagerDuty targets read back as written', async () => {
      const m = await withMonitor({ alertSlack: 'https://hooks.slack.com/services/T0/B0/abc', alertPagerDuty: 'a'.repeat(32) });
      expect(await store.getMonitor(m.id)).toEqual(m);
    });
  });

  describe('quiet times on monitors', () => {
    test('snoozedUntil and dependsOn read back as created, from a read and from the list', async () => {
      const m = await withMonitor({ snoozedUntil: at(3600), dependsOn: ['0123456789abcdef', 'fedcba9876543210'] });
      expect(await store.getMonitor(m.id)).toEqual(m);
      expect((await store.listMonitors(m.accountId)).map((x) => [x.snoozedUntil, x.dependsOn])).toEqual([[at(3600), ['0123456789abcdef', 'fedcba9876543210']]]);
    });

    test('a monitor created without them is not snoozed and depends on nothing', async () => {
      const m = await withMonitor();
      expect(await store.getMonitor(m.id)).toMatchObject({ snoozedUntil: null, dependsOn: [] });
    });

    test('an edit sets them, and null and [] clear them, leaving the rest alone', async () => {
      const m = await withMonitor();
      const set = await store.editMonitor(m.id, () => ({ snoozedUntil: at(7200), dependsOn: ['fedcba9876543210'] }));
      expect(set).toEqual({ ...m, snoozedUntil: at(7200), dependsOn: ['fedcba9876543210'] });
      expect(await store.getMonitor(m.id)).toEqual({ ...m, snoozedUntil: at(7200), dependsOn: ['fedcba9876543210'] });
      const cleared = await store.editMonitor(m.id, () => ({ snoozedUntil: null, dependsOn: [] }));
      expect(cleared).toEqual(m);
      expect(await store.getMonitor(m.id)).toEqual(m);
    });

    test('an edit of one leaves the other as it was', async () => {
      const m = await withMonitor({ snoozedUntil: at(600), dependsOn: ['0123456789abcdef'] });
      await store.editMonitor(m.id, () => ({ snoozedUntil: null }));
      expect(await store.getMonitor(m.id)).toMatchObject({ snoozedUntil: null, dependsOn: ['0123456789abcdef'] });
      await store.editMonitor(m.id, () => ({ dependsOn: [] }));
      await store.editMonitor(m.id, () => ({ snoozedUntil: at(900) }));
      expect(await store.getMonitor(m.id)).toMatchObject({ snoozedUntil: at(900), dependsOn: [] });
    });

    test('they survive pings and status changes', async () => {
      const m = await upMonitor({ snoozedUntil: at(86_400), dependsOn: ['0123456789abcdef'] });
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(m.schedule + m.grace)));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'down', snoozedUntil: at(86_400), dependsOn: ['0123456789abcdef'] });
    });
  });

  describe('finding a monitor by its ping token', () => {
    test('a monitor is found by its ping token, as it is, and nothing is recorded', async () => {
      const m = await upMonitor({ snoozedUntil: at(600) });
      await withMonitor();
      const found = await store.findMonitorByPingToken(m.pingToken);
      expect(found).toEqual(await store.getMonitor(m.id));
      expect(found).toMatchObject({ id: m.id, status: 'up', pingCount: 1, snoozedUntil: at(600) });
      expect(await store.listPings(m.id, 10)).toHaveLength(1);
      expect((await store.getMonitor(m.id))!.pingCount).toBe(1);
    });

    test('an unknown token, or a badge key used as one, finds nothing', async () => {
      const m = await withMonitor();
      expect(await store.findMonitorByPingToken('AAAAAAAAAAAAAAAAAAAAAAAA')).toBeNull();
      expect(await store.findMonitorByPingToken(m.badgeKey as string)).toBeNull();
      expect(await store.findMonitorByPingToken(m.id)).toBeNull();
    });

    test('a deleted monitor no longer answers to its ping token', async () => {
      const m = await withMonitor();
      expect(await store.findMonitorByPingToken(m.pingToken)).toEqual(m);
      await store.deleteMonitor(m.id);
      expect(await store.findMonitorByPingToken(m.pingToken)).toBeNull();
    });
  });
});
