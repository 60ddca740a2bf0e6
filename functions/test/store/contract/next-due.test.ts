import type { InspectableStore } from '../../../src/store/inspection';
import { storeKinds } from '../../support/stores';
import { at, scenes } from './support';

/** The storage contract for the embedded server's timer: the earliest moment anything is due. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { withMonitor, upMonitor, pendingNotification } = scenes(() => store);

  describe('next due time', () => {
    test('nothing is due in an empty store or one whose monitors are unarmed', async () => {
      expect(await store.nextDueAt()).toBeNull();
      await withMonitor();
      expect(await store.nextDueAt()).toBeNull();
    });

    test('the earliest armed deadline among the monitors', async () => {
      const later = await upMonitor({ schedule: 600, grace: 60 });
      const sooner = await upMonitor({ schedule: 60, grace: 10 });
      expect(await store.nextDueAt()).toEqual(sooner.alertAt);
      expect(sooner.alertAt!.getTime()).toBeLessThan(later.alertAt!.getTime());
    });

    test('a pending alert is due at its next attempt, earlier than any deadline', async () => {
      const { n } = await pendingNotification();
      const retryAt = at(5_000);
      await store.postponeNotification(n.id, retryAt, 'retry later');
      await upMonitor({ schedule: 86_400, grace: 60 });
      expect(await store.nextDueAt()).toEqual(retryAt);
    });

    test('a delivered alert is no longer due', async () => {
      const { n, due } = await pendingNotification();
      const claimed = await store.claimNotification(n.id, due, at(9_000));
      expect(await store.nextDueAt()).toEqual(at(9_000));
      await store.recordDelivery(n.id, claimed!.attempts, { state: 'delivered', nextAttemptAt: null, lastError: null, deliveredAt: due });
      expect(await store.nextDueAt()).toBeNull();
    });
  });
});
