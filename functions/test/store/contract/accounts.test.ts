import { transition } from '../../../src/domain/transitions';
import type { InspectableStore } from '../../../src/store/inspection';
import { hashApiKey, newApiKey } from '../../../src/services/secrets';
import { makeAccount, makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, pingData, scenes } from './support';

/** The storage contract for accounts: lookups by key hash, e-mail and id, key rotation and recovery, deletion, plan changes. */
describe.each(storeKinds())('store contract on %s', (_name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const { withMonitor } = scenes(() => store);

  describe('accounts', () => {
    test('an account is found by its key hash', async () => {
      const account = makeAccount();
      expect(await store.createAccount(account)).toBe('created');
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual(account);
    });

    test('an unknown key hash finds nothing', async () => {
      expect(await store.findAccountByKeyHash('0'.repeat(64))).toBeNull();
    });

    test('an account is found by its e-mail', async () => {
      const account = makeAccount({ email: 'owner/ops%team@company.com' });
      await store.createAccount(account);
      await store.createAccount(makeAccount());
      expect(await store.findAccountByEmail('owner/ops%team@company.com')).toEqual(account);
    });

    test('an unknown e-mail finds nothing', async () => {
      await store.createAccount(makeAccount({ email: 'dev@company.com' }));
      expect(await store.findAccountByEmail('nobody@company.com')).toBeNull();
    });

    test('a second account with the same e-mail is refused and the first keeps its key', async () => {
      const first = makeAccount({ email: 'dev@company.com' });
      const second = makeAccount({ email: 'dev@company.com' });
      await store.createAccount(first);
      expect(await store.createAccount(second)).toBe('email_taken');
      expect(await store.findAccountByKeyHash(second.apiKeyHash)).toBeNull();
      expect(await store.findAccountByKeyHash(first.apiKeyHash)).not.toBeNull();
    });
  });

  describe('key rotation and recovery', () => {
    const hour = 3600;

    test('a replaced key stops finding the account and the new one finds it', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      const fresh = hashApiKey(newApiKey());
      expect(await store.replaceApiKey(account.id, account.apiKeyHash, fresh)).toBe(true);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toBeNull();
      expect(await store.findAccountByKeyHash(fresh)).toEqual({ ...account, apiKeyHash: fresh });
    });

    test('replacing with a key the account no longer has changes nothing', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      expect(await store.replaceApiKey(account.id, hashApiKey(newApiKey()), hashApiKey(newApiKey()))).toBe(false);
      expect(await store.replaceApiKey('0'.repeat(20), account.apiKeyHash, hashApiKey(newApiKey()))).toBe(false);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual(account);
    });

    test('a saved token is redeemed once for a new key, and the old key stops', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      expect(await store.saveRecoveryToken(account.email, 'token-hash', at(hour))).toBe(true);
      const fresh = hashApiKey(newApiKey());
      expect(await store.redeemRecoveryToken(account.email, 'token-hash', at(0), fresh)).toBe(true);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toBeNull();
      expect((await store.findAccountByKeyHash(fresh))!.id).toBe(account.id);
      expect(await store.redeemRecoveryToken(account.email, 'token-hash', at(1), hashApiKey(newApiKey()))).toBe(false);
      expect(await store.findAccountByKeyHash(fresh)).not.toBeNull();
    });

    test('saving a token for an unknown e-mail reports false', async () => {
      expect(await store.saveRecoveryToken('nobody@company.com', 'token-hash', at(hour))).toBe(false);
    });

    test.each([
      ['an expired token', 'token-hash', 'owner', hour],
      ['a wrong token', 'other-hash', 'owner', 0],
      ['another account’s e-mail', 'token-hash', 'other', 0],
    ])('%s redeems nothing and keeps the key', async (_what, hash, whose, seconds) => {
      const account = makeAccount();
      const other = makeAccount();
      await store.createAccount(account);
      await store.createAccount(other);
      await store.saveRecoveryToken(account.email, 'token-hash', at(hour));
      const email = whose === 'owner' ? account.email : other.email;
      expect(await store.redeemRecoveryToken(email, hash, at(seconds), hashApiKey(newApiKey()))).toBe(false);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual(account);
      expect(await store.findAccountByKeyHash(other.apiKeyHash)).toEqual(other);
      // Still there for the right e-mail, before it expires.
      expect(await store.redeemRecoveryToken(account.email, 'token-hash', at(hour - 1), hashApiKey(newApiKey()))).toBe(true);
    });

    test('a newer token replaces the earlier one', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.saveRecoveryToken(account.email, 'first', at(hour));
      await store.saveRecoveryToken(account.email, 'second', at(hour));
      expect(await store.redeemRecoveryToken(account.email, 'first', at(0), hashApiKey(newApiKey()))).toBe(false);
      expect(await store.redeemRecoveryToken(account.email, 'second', at(0), hashApiKey(newApiKey()))).toBe(true);
    });
  });

  describe('account deletion', () => {
    test('deleting an account removes its monitors, history and alerts, and frees its e-mail', async () => {
      const account = makeAccount({ email: 'leaving@company.com' });
      const other = await withMonitor();
      await store.createAccount(account);
      const monitors = [makeMonitor({ accountId: account.id }), makeMonitor({ accountId: account.id })];
      for (const m of monitors) await store.createMonitor(m, null);
      const [m] = monitors;
      await store.recordPing(m.pingToken, pingData(at(0)), (mon) => transition(mon, 'ping', at(0)));
      await store.updateMonitor(m.id, (mon) => transition(mon, 'deadline', at(m.schedule + m.grace)));
      expect(await store.listNotifications(m.id)).toHaveLength(1);

      expect(await store.deleteAccount(account.id)).toBe(true);
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toBeNull();
      expect(await store.findAccountByEmail(account.email)).toBeNull();
      expect(await store.listMonitors(account.id)).toEqual([]);
      for (const mon of monitors) {
        expect(await store.getMonitor(mon.id)).toBeNull();
        expect(await store.recordPing(mon.pingToken, pingData(at(9)), (x) => transition(x, 'ping', at(9)))).toBeNull();
      }
      // History and alerts go in the background (test/store/contract/cleanup.test.ts).
      await store.deletionsSettled();
      for (const mon of monitors) {
        expect(await store.listPings(mon.id, 10)).toEqual([]);
        expect(await store.listFlips(mon.id)).toEqual([]);
        expect(await store.listNotifications(mon.id)).toEqual([]);
      }
      expect(await store.findDueNotifications(at(10 ** 7), 10)).toEqual([]);
      expect(await store.getMonitor(other.id)).toEqual(other);
      expect(await store.createAccount(makeAccount({ email: 'leaving@company.com' }))).toBe('created');
    });

    test('deleting an unknown account reports false', async () => {
      expect(await store.deleteAccount('0'.repeat(20))).toBe(false);
    });

    test('a deleted account cannot create monitors', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      await store.deleteAccount(account.id);
      expect(await store.createMonitor(makeMonitor({ accountId: account.id }), null)).toBe('limit_reached');
    });
  });

  describe('plans and Pro channels', () => {
    test('an account is found by its id', async () => {
      const account = makeAccount();
      await store.createAccount(account);
      expect(await store.getAccount(account.id)).toEqual(account);
      expect(await store.getAccount('0'.repeat(20))).toBeNull();
    });

    test('a plan change is kept and returned, and touches nothing else', async () => {
      const account = makeAccount({ plan: 'free' });
      await store.createAccount(account);
      const m = await store.createMonitor(makeMonitor({ accountId: account.id }), 5);
      expect(m).toBe('created');
      expect(await store.setAccountPlan(account.id, 'pro')).toEqual({ ...account, plan: 'pro', monitorCount: 1 });
      expect(await store.findAccountByKeyHash(account.apiKeyHash)).toEqual({ ...account, plan: 'pro', monitorCount: 1 });
      expect(await store.setAccountPlan(account.id, 'free')).toMatchObject({ plan: 'free', monitorCount: 1 });
    });

    test('a plan change for an unknown account changes nothing', async () => {
      expect(await store.setAccountPlan('0'.repeat(20), 'pro')).toBeNull();
      expect(await store.getAccount('0'.repeat(20))).toBeNull();
    });
  });
});
