import type { InspectableStore } from '../../../src/store/inspection';
import { storeKinds } from '../../support/stores';
import { scenes } from './support';

/** The storage contract for finding due alerts while some accounts are left out (fair delivery). */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { pendingNotification } = scenes(() => store);

  /** Three accounts' down alerts, each account's monitor missing its deadline one second after the last. */
  async function threeAccountsDue() {
    const first = await pendingNotification();
    const rows = [first.n];
    for (let i = 1; i < 3; i++) {
      const { n, due } = await pendingNotification();
      const later = new Date(due.getTime() + i * 1000);
      await store.postponeNotification(n.id, later, 'queued later');
      rows.push({ ...n, nextAttemptAt: later });
    }
    return { rows, due: new Date(first.due.getTime() + 10_000) };
  }

  describe('due notifications of other accounts', () => {
    test('the left-out accounts\' rows are skipped and the rest come earliest first', async () => {
      const { rows, due } = await threeAccountsDue();
      const found = await store.findDueNotifications(due, 10, [rows[0].accountId]);
      expect(found.map((n) => n.id)).toEqual([rows[1].id, rows[2].id]);
    });

    test('the limit counts only the rows returned, not those skipped', async () => {
      const { rows, due } = await threeAccountsDue();
      expect((await store.findDueNotifications(due, 1, [rows[0].accountId])).map((n) => n.id)).toEqual([rows[1].id]);
    });

    test('leaving out several accounts, or none, works the same way', async () => {
      const { rows, due } = await threeAccountsDue();
      expect((await store.findDueNotifications(due, 10, [rows[0].accountId, rows[2].accountId])).map((n) => n.id)).toEqual([rows[1].id]);
      expect((await store.findDueNotifications(due, 10, [])).map((n) => n.id)).toEqual(rows.map((n) => n.id));
    });
  });
});
