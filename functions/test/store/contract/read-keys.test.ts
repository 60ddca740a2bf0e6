import type { ReadKey } from '../../../src/domain/types';
import { newKeyId, newReadKey } from '../../../src/services/api-keys';
import { hashApiKey, hashSecret, newApiKey } from '../../../src/services/secrets';
import type { InspectableStore } from '../../../src/store/inspection';
import { makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, storePerTest, togetherOn } from './support';

/** A read-only key of the account, with a fresh secret. */
function makeReadKey(accountId: string, overrides: Partial<ReadKey> = {}): ReadKey {
  return { id: newKeyId(), accountId, keyHash: hashSecret(newReadKey()), name: 'grafana', access: 'read', createdAt: at(0), ...overrides };
}

/** The storage contract for read-only keys: found by hash, listed oldest first, capped, revoked, gone with their account. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  let store: InspectableStore;
  const newAccount = storePerTest(kind, (opened) => (store = opened));


  describe('read-only keys', () => {
    test('a created key is found by its hash as written', async () => {
      const account = await newAccount();
      const key = makeReadKey(account.id);
      expect(await store.createReadKey(key, 20)).toBe('created');
      expect(await store.findReadKeyByHash(key.keyHash)).toEqual(key);
    });

    test('an unknown hash, and the main key’s hash, find no read-only key', async () => {
      const account = await newAccount();
      await store.createReadKey(makeReadKey(account.id), 20);
      expect(await store.findReadKeyByHash(hashSecret(newReadKey()))).toBeNull();
      expect(await store.findReadKeyByHash(account.apiKeyHash)).toBeNull();
    });

    test('a read-only key’s hash never finds the account as its main key', async () => {
      const account = await newAccount();
      const key = makeReadKey(account.id);
      await store.createReadKey(key, 20);
      expect(await store.findAccountByKeyHash(key.keyHash)).toBeNull();
    });

    test('an account lists its own keys oldest first, in creation order within one instant', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const late = makeReadKey(account.id, { name: 'late', createdAt: at(60) });
      const early = makeReadKey(account.id, { name: 'early', createdAt: at(0) });
      const sameA = makeReadKey(account.id, { name: 'same a', createdAt: at(30) });
      const sameB = makeReadKey(account.id, { name: 'same b', createdAt: at(30) });
      for (const k of [late, early, sameA, sameB]) expect(await store.createReadKey(k, 20)).toBe('created');
      await store.createReadKey(makeReadKey(other.id, { name: 'theirs' }), 20);
      expect((await store.listReadKeys(account.id)).map((k) => k.name)).toEqual(['early', 'same a', 'same b', 'late']);
      expect(await store.listReadKeys(account.id)).toContainEqual(early);
      expect(await store.listReadKeys('nobody')).toEqual([]);
    });

    test('a key for an account that does not exist is refused', async () => {
      const key = makeReadKey('no-such-account');
      expect(await store.createReadKey(key, 20)).toBe('limit_reached');
      expect(await store.findReadKeyByHash(key.keyHash)).toBeNull();
    });

    test('at the cap a further key is refused and not stored', async () => {
      const account = await newAccount();
      await store.createReadKey(makeReadKey(account.id), 2);
      await store.createReadKey(makeReadKey(account.id), 2);
      const refused = makeReadKey(account.id);
      expect(await store.createReadKey(refused, 2)).toBe('limit_reached');
      expect(await store.findReadKeyByHash(refused.keyHash)).toBeNull();
      expect(await store.listReadKeys(account.id)).toHaveLength(2);
    });

    test(`creates ${togetherOn(name)} at the cap: exactly the cap is created`, async () => {
      const account = await newAccount();
      await store.createReadKey(makeReadKey(account.id), 5);
      const results = await Promise.all(Array.from({ length: 12 }, () => store.createReadKey(makeReadKey(account.id), 5)));
      expect(results.filter((r) => r === 'created')).toHaveLength(4);
      expect(results.filter((r) => r === 'limit_reached')).toHaveLength(8);
      expect(await store.listReadKeys(account.id)).toHaveLength(5);
    });

    test('one account’s keys do not count against another’s cap', async () => {
      const account = await newAccount();
      const other = await newAccount();
      await store.createReadKey(makeReadKey(other.id), 1);
      expect(await store.createReadKey(makeReadKey(account.id), 1)).toBe('created');
    });

    test('a deleted key is found no more and frees its slot', async () => {
      const account = await newAccount();
      const [a, b] = [makeReadKey(account.id, { name: 'a' }), makeReadKey(account.id, { name: 'b' })];
      await store.createReadKey(a, 2);
      await store.createReadKey(b, 2);
      expect(await store.createReadKey(makeReadKey(account.id), 2)).toBe('limit_reached');
      expect(await store.deleteReadKey(account.id, a.id)).toBe(true);
      expect(await store.findReadKeyByHash(a.keyHash)).toBeNull();
      expect(await store.listReadKeys(account.id)).toEqual([b]);
      expect(await store.createReadKey(makeReadKey(account.id), 2)).toBe('created');
    });

    test('deleting an unknown key, a deleted one or another account’s reports false and changes nothing', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const theirs = makeReadKey(other.id);
      const mine = makeReadKey(account.id);
      await store.createReadKey(theirs, 20);
      await store.createReadKey(mine, 20);
      expect(await store.deleteReadKey(account.id, theirs.id)).toBe(false);
      expect(await store.deleteReadKey(account.id, newKeyId())).toBe(false);
      expect(await store.deleteReadKey(account.id, mine.id)).toBe(true);
      expect(await store.deleteReadKey(account.id, mine.id)).toBe(false);
      expect(await store.findReadKeyByHash(theirs.keyHash)).toEqual(theirs);
      // The slot freed once only: the cap still counts the other account's key for it, and none for this one.
      expect(await store.createReadKey(makeReadKey(other.id), 1)).toBe('limit_reached');
      expect(await store.createReadKey(makeReadKey(account.id), 1)).toBe('created');
    });

    test('rotating the main key leaves the read-only keys as they were', async () => {
      const account = await newAccount();
      const key = makeReadKey(account.id);
      await store.createReadKey(key, 20);
      expect(await store.replaceApiKey(account.id, account.apiKeyHash, hashApiKey(newApiKey()))).toBe(true);
      expect(await store.findReadKeyByHash(key.keyHash)).toEqual(key);
      expect(await store.listReadKeys(account.id)).toEqual([key]);
    });

    test('deleting the account deletes its keys, and no other account’s', async () => {
      const account = await newAccount();
      const other = await newAccount();
      await store.createMonitor(makeMonitor({ accountId: account.id }), null);
      const keys = [makeReadKey(account.id), makeReadKey(account.id)];
      for (const k of keys) await store.createReadKey(k, 20);
      const theirs = makeReadKey(other.id);
      await store.createReadKey(theirs, 20);
      expect(await store.deleteAccount(account.id)).toBe(true);
      for (const k of keys) expect(await store.findReadKeyByHash(k.keyHash)).toBeNull();
      expect(await store.listReadKeys(account.id)).toEqual([]);
      expect(await store.findReadKeyByHash(theirs.keyHash)).toEqual(theirs);
      expect(await store.createReadKey(makeReadKey(account.id), 20)).toBe('limit_reached');
    });

    test(`keys created ${togetherOn(name)} with the account's deletion never outlive it`, async () => {
      const account = await newAccount();
      const keys = Array.from({ length: 8 }, () => makeReadKey(account.id));
      const [deleted] = await Promise.all([store.deleteAccount(account.id), ...keys.map((k) => store.createReadKey(k, 20))]);
      expect(deleted).toBe(true);
      for (const k of keys) expect(await store.findReadKeyByHash(k.keyHash)).toBeNull();
      expect(await store.listReadKeys(account.id)).toEqual([]);
    });
  });
});
