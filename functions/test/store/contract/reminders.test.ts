import { applyChanges, transition, type Signal } from '../../../src/domain/transitions';
import type { InspectableStore } from '../../../src/store/inspection';
import { makeAccount, makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const FAIL: Signal = { kind: 'fail', exitCode: null, rid: null, output: null };

/** The storage contract for reminders: the outage state a transition decides, and the account's default. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  describe('reminders', () => {
    test('the reminder settings and the outage state are kept as the transitions decide them', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const m = makeMonitor({ accountId: account.id, remindEvery: 600, remindLimit: 3 });
      expect(await store.createMonitor(m, null)).toBe('created');
      await store.recordPing(m.pingToken, { at: t0, method: 'GET', kind: 'fail', exitCode: null, rid: null, source: null, userAgent: null, body: null }, (mon) =>
        transition(mon, FAIL, t0),
      );
      expect(await store.getMonitor(m.id)).toMatchObject({ remindEvery: 600, remindLimit: 3, downSince: t0, remindersSent: 0, nextReminderAt: at(600), alertAt: at(600) });

      const reminded = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(600)));
      expect(reminded?.transition?.notifications.map((n) => n.event)).toEqual(['monitor.still_down']);
      expect(await store.getMonitor(m.id)).toMatchObject({ remindersSent: 1, nextReminderAt: at(1200), alertAt: at(1200) });
      expect((await store.listNotifications(m.id)).filter((n) => n.event === 'monitor.still_down').map((n) => n.snapshot.reminder)).toEqual([
        { number: 1, limit: 3, downSince: t0.toISOString() },
      ]);

      await store.updateMonitor(m.id, (mon) => transition(mon, 'acknowledge', at(700)));
      const acked = await store.getMonitor(m.id);
      expect(acked).toMatchObject({ acknowledgedAt: at(700), remindersSent: 1, nextReminderAt: null, alertAt: null });
      expect(acked).toEqual(applyChanges(reminded!.monitor, transition(reminded!.monitor, 'acknowledge', at(700))!.changes));
    });

    test('an account keeps its default remindEvery, and a change touches nothing else', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      expect((await store.getAccount(account.id))?.defaults).toEqual({ remindEvery: null });
      expect(await store.setAccountDefaults(account.id, { remindEvery: 3600 })).toEqual({ ...account, defaults: { remindEvery: 3600 } });
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual({ ...account, defaults: { remindEvery: 3600 } });
      expect(await store.setAccountDefaults(account.id, { remindEvery: null })).toMatchObject({ defaults: { remindEvery: null } });
    });

    test('defaults for an unknown account change nothing', async () => {
      expect(await store.setAccountDefaults('0'.repeat(20), { remindEvery: 60 })).toBeNull();
    });
  });
});
