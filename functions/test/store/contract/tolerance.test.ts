import { editMonitor } from '../../../src/domain/settings';
import { transition } from '../../../src/domain/transitions';
import type { InspectableStore } from '../../../src/store/inspection';
import { storeKinds } from '../../support/stores';
import { at, scenes, signal } from './support';

/** The storage contract for tolerance and run-time limits: stores keep what the transition decides. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { withMonitor, upMonitor, send } = scenes(() => store);

  describe('tolerance and run-time limits', () => {
    test('a new monitor keeps its settings and starts with no runs counted', async () => {
      const m = await withMonitor({ alertAfter: 3, recoverAfter: 2, maxRuntime: 1800, minRuntime: 30 });
      expect(await store.getMonitor(m.id)).toMatchObject({
        alertAfter: 3, recoverAfter: 2, maxRuntime: 1800, minRuntime: 30, consecutiveFailures: 0, consecutiveSuccesses: 0, missedDueAt: null,
      });
    });

    test('a tolerated miss keeps the count, the missed run and the re-armed deadline', async () => {
      const m = await upMonitor({ alertAfter: 3 });
      const missedAt = m.alertAt!;
      const applied = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', missedAt));
      expect(applied?.transition?.flip).toBeNull();
      const stored = await store.getMonitor(m.id);
      expect(stored).toMatchObject({ status: 'up', consecutiveFailures: 1, missedDueAt: at(m.schedule), alertAt: new Date(missedAt.getTime() + m.schedule * 1000) });
      expect(stored).toEqual(applied!.monitor);
    });

    test('a success resets the failures, and the counts survive the next read', async () => {
      const m = await upMonitor({ alertAfter: 3 });
      await send(m, signal('fail'), at(10));
      await send(m, signal('fail'), at(20));
      expect(await store.getMonitor(m.id)).toMatchObject({ consecutiveFailures: 2, consecutiveSuccesses: 0 });
      await send(m, signal('success'), at(30));
      expect(await store.getMonitor(m.id)).toMatchObject({ status: 'up', consecutiveFailures: 0, consecutiveSuccesses: 1 });
    });

    test('an edit writes the settings', async () => {
      const m = await withMonitor();
      const edited = await store.editMonitor(m.id, (mon) => editMonitor(mon, { alertAfter: 5, recoverAfter: 3, maxRuntime: 600, minRuntime: 5 }, null, 's', at(1)));
      expect(edited).toMatchObject({ alertAfter: 5, recoverAfter: 3, maxRuntime: 600, minRuntime: 5 });
      expect(await store.getMonitor(m.id)).toMatchObject({ alertAfter: 5, recoverAfter: 3, maxRuntime: 600, minRuntime: 5 });
    });
  });
});
