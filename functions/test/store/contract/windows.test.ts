import type { MaintenanceWindow } from '../../../src/domain/maintenance';
import type { InspectableStore } from '../../../src/store/inspection';
import { makeWindow } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, storePerTest, togetherOn } from './support';

/** A recurring window of `accountId`: Sundays at 03:00 in Berlin, two hours, over two monitors. */
const recurring = (accountId: string, overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow =>
  makeWindow({
    accountId,
    name: 'Sunday patching',
    monitors: ['0123456789abcdef', 'fedcba9876543210'],
    schedule: '0 3 * * 0',
    tz: 'Europe/Berlin',
    duration: 7200,
    start: null,
    end: null,
    createdAt: at(0),
    ...overrides,
  });

/** A one-off window of `accountId` over every monitor. */
const oneOff = (accountId: string, overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow =>
  makeWindow({ accountId, start: at(3600), end: at(7200), createdAt: at(0), ...overrides });

/** The storage contract for maintenance windows: both forms round-trip, the cap holds, and they go with their account. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  let store: InspectableStore;
  const newAccount = storePerTest(kind, (opened) => (store = opened), { plan: 'pro' });

  describe('maintenance windows', () => {
    test('a recurring window over a list of monitors reads back as written', async () => {
      const account = await newAccount();
      const w = recurring(account.id);
      expect(await store.createWindow(w, 10)).toBe('created');
      expect(await store.getWindow(w.id)).toEqual(w);
      expect(await store.listWindows(account.id)).toEqual([w]);
    });

    test('a one-off window over every monitor reads back as written', async () => {
      const account = await newAccount();
      const w = oneOff(account.id);
      expect(await store.createWindow(w, 10)).toBe('created');
      expect(await store.getWindow(w.id)).toEqual(w);
      expect((await store.getWindow(w.id))!.monitors).toBe('*');
    });

    test('a window over no monitor yet keeps its empty list, told apart from every monitor', async () => {
      const account = await newAccount();
      const w = oneOff(account.id, { monitors: [] });
      await store.createWindow(w, 10);
      expect((await store.getWindow(w.id))!.monitors).toEqual([]);
    });

    test('an account lists its own windows oldest first, those of one instant in creation order', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const late = oneOff(account.id, { name: 'late', createdAt: at(60) });
      const early = recurring(account.id, { name: 'early', createdAt: at(0) });
      const sameA = oneOff(account.id, { name: 'same a', createdAt: at(30) });
      const sameB = oneOff(account.id, { name: 'same b', createdAt: at(30) });
      for (const w of [late, early, sameA, sameB]) expect(await store.createWindow(w, 10)).toBe('created');
      await store.createWindow(oneOff(other.id), 10);
      expect((await store.listWindows(account.id)).map((w) => w.name)).toEqual(['early', 'same a', 'same b', 'late']);
      expect(await store.listWindows('nobody')).toEqual([]);
    });

    test('an unknown id reads as null', async () => {
      expect(await store.getWindow('mw_0000000000000000')).toBeNull();
    });

    test('a window for an account that does not exist is refused', async () => {
      const w = oneOff('no-such-account');
      expect(await store.createWindow(w, 10)).toBe('limit_reached');
      expect(await store.getWindow(w.id)).toBeNull();
    });
  });

  describe('the cap on windows', () => {
    test('the cap refuses the window past it and stores nothing', async () => {
      const account = await newAccount();
      for (let i = 0; i < 2; i++) expect(await store.createWindow(oneOff(account.id), 2)).toBe('created');
      const refused = oneOff(account.id);
      expect(await store.createWindow(refused, 2)).toBe('limit_reached');
      expect(await store.getWindow(refused.id)).toBeNull();
      expect(await store.listWindows(account.id)).toHaveLength(2);
    });

    test('another account’s windows do not count against the cap', async () => {
      const account = await newAccount();
      const other = await newAccount();
      for (let i = 0; i < 2; i++) await store.createWindow(oneOff(other.id), 2);
      expect(await store.createWindow(oneOff(account.id), 2)).toBe('created');
    });

    test(`creates ${togetherOn(name)} at the cap: exactly the cap is created`, async () => {
      const account = await newAccount();
      await store.createWindow(oneOff(account.id), 5);
      const results = await Promise.all(Array.from({ length: 12 }, () => store.createWindow(oneOff(account.id), 5)));
      expect(results.filter((r) => r === 'created')).toHaveLength(4);
      expect(results.filter((r) => r === 'limit_reached')).toHaveLength(8);
      expect(await store.listWindows(account.id)).toHaveLength(5);
    });

    test('deleting a window frees its slot', async () => {
      const account = await newAccount();
      const first = oneOff(account.id);
      await store.createWindow(first, 2);
      await store.createWindow(oneOff(account.id), 2);
      expect(await store.createWindow(oneOff(account.id), 2)).toBe('limit_reached');
      expect(await store.deleteWindow(first.id)).toBe(true);
      expect(await store.createWindow(oneOff(account.id), 2)).toBe('created');
      expect(await store.createWindow(oneOff(account.id), 2)).toBe('limit_reached');
    });
  });

  describe('editing and deleting windows', () => {
    test('an edit sees the window as stored, writes what it returns, and never the id, account or creation time', async () => {
      const account = await newAccount();
      const w = oneOff(account.id);
      await store.createWindow(w, 10);
      const seen: MaintenanceWindow[] = [];
      const edited = await store.updateWindow(w.id, (current) => {
        seen.push(current);
        return { name: 'renamed', monitors: ['0123456789abcdef'] };
      });
      const expected = { ...w, name: 'renamed', monitors: ['0123456789abcdef'] };
      expect(seen[0]).toEqual(w);
      expect(edited).toEqual(expected);
      expect(await store.getWindow(w.id)).toEqual(expected);
    });

    test('an edit switches a one-off window to recurring and back, the other form’s fields cleared', async () => {
      const account = await newAccount();
      const w = oneOff(account.id);
      await store.createWindow(w, 10);
      const toRecurring = { schedule: '30 1 * * *', tz: 'America/New_York', duration: 600, start: null, end: null };
      expect(await store.updateWindow(w.id, () => toRecurring)).toEqual({ ...w, ...toRecurring });
      expect(await store.getWindow(w.id)).toEqual({ ...w, ...toRecurring });
      const back = { schedule: null, tz: null, duration: null, start: at(86_400), end: at(90_000), monitors: '*' as const };
      expect(await store.updateWindow(w.id, () => back)).toEqual({ ...w, ...back });
      expect(await store.getWindow(w.id)).toEqual({ ...w, ...back });
      expect(await store.listWindows(account.id)).toEqual([{ ...w, ...back }]);
    });

    test('an edit that returns nothing leaves the window as it was', async () => {
      const account = await newAccount();
      const w = recurring(account.id);
      await store.createWindow(w, 10);
      expect(await store.updateWindow(w.id, () => ({}))).toEqual(w);
      expect(await store.getWindow(w.id)).toEqual(w);
    });

    test('editing an unknown window reports null and calls no edit', async () => {
      const edit = jest.fn(() => ({ name: 'x' }));
      expect(await store.updateWindow('mw_0000000000000000', edit)).toBeNull();
      expect(edit).not.toHaveBeenCalled();
      expect(await store.getWindow('mw_0000000000000000')).toBeNull();
    });

    test('a deleted window is gone; deleting it again answers false', async () => {
      const account = await newAccount();
      const w = oneOff(account.id);
      const kept = recurring(account.id);
      await store.createWindow(w, 10);
      await store.createWindow(kept, 10);
      expect(await store.deleteWindow(w.id)).toBe(true);
      expect(await store.getWindow(w.id)).toBeNull();
      expect(await store.listWindows(account.id)).toEqual([kept]);
      expect(await store.deleteWindow(w.id)).toBe(false);
    });

    test('deleting an account deletes its windows, and no one else’s', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const mine = [oneOff(account.id), recurring(account.id)];
      const theirs = recurring(other.id);
      for (const w of [...mine, theirs]) await store.createWindow(w, 10);
      expect(await store.deleteAccount(account.id)).toBe(true);
      await store.deletionsSettled();
      await store.finishDeletions(() => true);
      for (const w of mine) expect(await store.getWindow(w.id)).toBeNull();
      expect(await store.listWindows(account.id)).toEqual([]);
      expect(await store.getWindow(theirs.id)).toEqual(theirs);
      expect(await store.createWindow(oneOff(account.id), 10)).toBe('limit_reached');
    });
  });
});
