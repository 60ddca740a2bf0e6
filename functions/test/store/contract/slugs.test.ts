import { hashSecret, newPingKey } from '../../../src/services/secrets';
import type { InspectableStore } from '../../../src/store/inspection';
import { makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { storePerTest } from './support';

/** The storage contract for monitor slugs (unique per account, freed by a change or a delete) and the account's ping key (issue 22). */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  const newAccount = storePerTest(kind, (opened) => (store = opened));


  describe('monitor slugs', () => {
    test('a monitor is found by its account and slug, and by nothing else', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const m = makeMonitor({ accountId: account.id, slug: 'db-backup' });
      expect(await store.createMonitor(m, null)).toBe('created');
      expect(await store.findMonitorBySlug(account.id, 'db-backup')).toEqual(m);
      expect(await store.getMonitor(m.id)).toEqual(m);
      expect(await store.findMonitorBySlug(other.id, 'db-backup')).toBeNull();
      expect(await store.findMonitorBySlug(account.id, 'nope')).toBeNull();
      // Another account may have the same slug; monitors without one never clash.
      expect(await store.createMonitor(makeMonitor({ accountId: other.id, slug: 'db-backup' }), null)).toBe('created');
      expect(await store.createMonitor(makeMonitor({ accountId: account.id }), null)).toBe('created');
      expect(await store.createMonitor(makeMonitor({ accountId: account.id, slug: null }), null)).toBe('created');
    });

    test('a second monitor with the slug is refused, counting nothing', async () => {
      const account = await newAccount();
      expect(await store.createMonitor(makeMonitor({ accountId: account.id, slug: 'nightly' }), null)).toBe('created');
      const second = makeMonitor({ accountId: account.id, slug: 'nightly' });
      expect(await store.createMonitor(second, null)).toBe('slug_taken');
      expect(await store.getMonitor(second.id)).toBeNull();
      expect((await store.getAccount(account.id))?.monitorCount).toBe(1);
    });

    test('of ten concurrent creates of one slug exactly one is created', async () => {
      const account = await newAccount();
      const results = await Promise.all(Array.from({ length: 10 }, () => store.createMonitor(makeMonitor({ accountId: account.id, slug: 'race' }), null)));
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
      expect(results.filter((r) => r === 'slug_taken')).toHaveLength(9);
      expect(await store.listMonitors(account.id)).toHaveLength(1);
      expect((await store.getAccount(account.id))?.monitorCount).toBe(1);
    });

    test('setMonitorSlug moves a slug, frees the old one, refuses a taken one, and clears it', async () => {
      const account = await newAccount();
      const a = makeMonitor({ accountId: account.id, slug: 'a' });
      const b = makeMonitor({ accountId: account.id, slug: 'b' });
      await store.createMonitor(a, null);
      await store.createMonitor(b, null);
      expect(await store.setMonitorSlug(b.id, 'a')).toBe('slug_taken');
      expect((await store.getMonitor(b.id))?.slug).toBe('b');
      expect(await store.setMonitorSlug(a.id, 'c')).toMatchObject({ id: a.id, slug: 'c' });
      expect(await store.findMonitorBySlug(account.id, 'a')).toBeNull();
      expect(await store.setMonitorSlug(b.id, 'a')).toMatchObject({ id: b.id, slug: 'a' });
      expect((await store.findMonitorBySlug(account.id, 'a'))?.id).toBe(b.id);
      expect(await store.setMonitorSlug(b.id, null)).toMatchObject({ slug: null });
      expect(await store.findMonitorBySlug(account.id, 'a')).toBeNull();
      expect(await store.createMonitor(makeMonitor({ accountId: account.id, slug: 'a' }), null)).toBe('created');
      expect(await store.setMonitorSlug('0123456789abcdef', 'x')).toBeNull();
    });

    test('of concurrent renames to one slug exactly one wins', async () => {
      const account = await newAccount();
      const monitors = Array.from({ length: 5 }, () => makeMonitor({ accountId: account.id }));
      for (const m of monitors) await store.createMonitor(m, null);
      const results = await Promise.all(monitors.map((m) => store.setMonitorSlug(m.id, 'winner')));
      expect(results.filter((r) => r === 'slug_taken')).toHaveLength(4);
      expect((await store.listMonitors(account.id)).filter((m) => m.slug === 'winner')).toHaveLength(1);
    });

    test('deleting a monitor, or its account, frees its slug', async () => {
      const account = await newAccount();
      const m = makeMonitor({ accountId: account.id, slug: 'gone' });
      await store.createMonitor(m, null);
      expect(await store.deleteMonitor(m.id)).toBe(true);
      expect(await store.findMonitorBySlug(account.id, 'gone')).toBeNull();
      expect(await store.createMonitor(makeMonitor({ accountId: account.id, slug: 'gone' }), null)).toBe('created');
      expect(await store.deleteAccount(account.id)).toBe(true);
      expect(await store.findMonitorBySlug(account.id, 'gone')).toBeNull();
    });

    test('other writes keep the slug', async () => {
      const account = await newAccount();
      const m = makeMonitor({ accountId: account.id, slug: 'kept' });
      await store.createMonitor(m, null);
      await store.editMonitor(m.id, () => ({ name: 'Renamed', tags: ['x'] }));
      expect(await store.findMonitorBySlug(account.id, 'kept')).toMatchObject({ name: 'Renamed', slug: 'kept' });
    });
  });

  describe('ping keys', () => {
    test('an account is found by its ping key hash until it is replaced; the account shows the hash', async () => {
      const account = await newAccount();
      expect((await store.getAccount(account.id))?.pingKeyHash).toBeNull();
      const first = hashSecret(newPingKey());
      expect(await store.setPingKey(account.id, first)).toBe(true);
      expect(await store.findAccountByPingKeyHash(first)).toMatchObject({ id: account.id, pingKeyHash: first });
      const second = hashSecret(newPingKey());
      expect(await store.setPingKey(account.id, second)).toBe(true);
      expect(await store.findAccountByPingKeyHash(first)).toBeNull();
      expect((await store.findAccountByPingKeyHash(second))?.id).toBe(account.id);
      // The account's main key is untouched.
      expect((await store.findAccountByKeyHash(account.apiKeyHash))?.id).toBe(account.id);
    });

    test('an account that does not exist gets none; a deleted account is found by it no more', async () => {
      expect(await store.setPingKey('0123456789abcdef0123', hashSecret(newPingKey()))).toBe(false);
      const account = await newAccount();
      const hash = hashSecret(newPingKey());
      await store.setPingKey(account.id, hash);
      expect(await store.deleteAccount(account.id)).toBe(true);
      expect(await store.findAccountByPingKeyHash(hash)).toBeNull();
    });
  });
});
