import { transition, type Signal } from '../../../src/domain/transitions';
import type { InspectableStore } from '../../../src/store/inspection';
import { storeKinds } from '../../support/stores';
import { at, scenes } from './support';

const FAIL: Signal = { kind: 'fail', exitCode: null, rid: null, output: null };

/** The storage contract for what the alert policy keeps on a monitor to tell flapping, and the settled alert it writes. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { upMonitor, send } = scenes(() => store);

  /** Seven changes a minute apart, the last a failure: the monitor is down and flapping. */
  async function flappingDown() {
    const m = await upMonitor();
    for (let i = 1; i <= 7; i++) await send(m, i % 2 === 1 ? FAIL : { ...FAIL, kind: 'success' }, at(60 * i));
    return (await store.getMonitor(m.id))!;
  }

  describe('flapping', () => {
    test('recent flips and the start of flapping are stored with the monitor', async () => {
      const m = await flappingDown();
      expect(m).toMatchObject({ status: 'down', flappingSince: at(420), alertAt: at(420 + 1800) });
      expect(m.recentFlips).toEqual([at(60), at(120), at(180), at(240), at(300), at(360), at(420)]);
      const rows = await store.listNotifications(m.id);
      expect(rows.filter((n) => n.event === 'monitor.flapping').map((n) => [n.channel, n.snapshot.status])).toEqual([['email', 'down']]);
    });

    test('a flapping monitor is due when it settles, and settling writes its alert, clears flapping and keeps the status', async () => {
      const m = await flappingDown();
      expect(await store.findDueMonitors(at(420 + 1799), 10)).toEqual([]);
      expect(await store.findDueMonitors(at(420 + 1800), 10)).toEqual([m.id]);
      const applied = await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(420 + 1800)));
      expect(applied!.transition!.flip).toBeNull();
      const stored = await store.getMonitor(m.id);
      expect(stored).toEqual(applied!.monitor);
      expect(stored).toMatchObject({ status: 'down', flappingSince: null, recentFlips: [], alertAt: null });
      const settled = (await store.listNotifications(m.id)).filter((n) => n.event === 'monitor.settled');
      expect(settled).toHaveLength(1);
      expect(settled[0]).toMatchObject({ channel: 'email', createdAt: at(420 + 1800), state: 'pending' });
      expect(settled[0].snapshot).toMatchObject({ status: 'down', cron: null, tz: null, outageId: expect.any(String) });
      expect(await store.findDueMonitors(at(7200), 10)).toEqual([]);
    });
  });
});
