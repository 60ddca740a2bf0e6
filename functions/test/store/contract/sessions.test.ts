import { randomBytes } from 'node:crypto';
import { hashApiKey, hashSecret, newApiKey } from '../../../src/services/secrets';
import type { InspectableStore } from '../../../src/store/inspection';
import type { Session } from '../../../src/store/port';
import { makeAccount, makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, storePerTest, togetherOn } from './support';

/** A session of the account, with a fresh credential, from `at(0)` for an hour unless told otherwise. */
function makeSession(accountId: string, overrides: Partial<Session> = {}): Session {
  return {
    id: `ses_${randomBytes(8).toString('hex')}`,
    accountId,
    sessionHash: hashSecret(`cps_${randomBytes(16).toString('hex')}`),
    createdAt: at(0),
    expiresAt: at(3600),
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
    ...overrides,
  };
}

const tokenHash = () => hashSecret(randomBytes(32).toString('base64url'));

/** The storage contract for sign-in links and dashboard sessions: single use, expiry, the cap, revocation, gone with their account. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  let store: InspectableStore;
  const newAccount = storePerTest(kind, (opened) => (store = opened));


  describe('sign-in links', () => {
    test('a saved token redeems once, for its account', async () => {
      const account = await newAccount();
      const hash = tokenHash();
      expect(await store.saveSignInToken(account.email, hash, at(900))).toBe(true);
      expect(await store.redeemSignInToken(hash, at(0))).toBe(account.id);
      expect(await store.redeemSignInToken(hash, at(0))).toBeNull();
    });

    test('an e-mail without an account keeps no token', async () => {
      const hash = tokenHash();
      expect(await store.saveSignInToken('nobody@example.com', hash, at(900))).toBe(false);
      expect(await store.redeemSignInToken(hash, at(0))).toBeNull();
    });

    test('an unknown token redeems nothing', async () => {
      await newAccount();
      expect(await store.redeemSignInToken(tokenHash(), at(0))).toBeNull();
    });

    test('a new link replaces the one before it', async () => {
      const account = await newAccount();
      const [first, second] = [tokenHash(), tokenHash()];
      await store.saveSignInToken(account.email, first, at(900));
      await store.saveSignInToken(account.email, second, at(900));
      expect(await store.redeemSignInToken(first, at(0))).toBeNull();
      expect(await store.redeemSignInToken(second, at(0))).toBe(account.id);
    });

    test('a token works until its expiry, not at it, and an expired one is spent by the attempt', async () => {
      const account = await newAccount();
      const [early, late] = [tokenHash(), tokenHash()];
      await store.saveSignInToken(account.email, early, at(900));
      expect(await store.redeemSignInToken(early, at(899))).toBe(account.id);
      await store.saveSignInToken(account.email, late, at(900));
      expect(await store.redeemSignInToken(late, at(900))).toBeNull();
      expect(await store.redeemSignInToken(late, at(0))).toBeNull();
    });

    test('one account’s link leaves another’s alone', async () => {
      const [a, b] = [await newAccount(), await newAccount()];
      const [ha, hb] = [tokenHash(), tokenHash()];
      await store.saveSignInToken(a.email, ha, at(900));
      await store.saveSignInToken(b.email, hb, at(900));
      expect(await store.redeemSignInToken(ha, at(0))).toBe(a.id);
      expect(await store.redeemSignInToken(hb, at(0))).toBe(b.id);
    });

    test(`redemptions of one token ${togetherOn(name)}: exactly one gets the account`, async () => {
      const account = await newAccount();
      const hash = tokenHash();
      await store.saveSignInToken(account.email, hash, at(900));
      const results = await Promise.all(Array.from({ length: 8 }, () => store.redeemSignInToken(hash, at(0))));
      expect(results.filter((r) => r === account.id)).toHaveLength(1);
      expect(results.filter((r) => r === null)).toHaveLength(7);
    });

    test('deleting the account deletes its link', async () => {
      const account = await newAccount();
      const hash = tokenHash();
      await store.saveSignInToken(account.email, hash, at(900));
      expect(await store.deleteAccount(account.id)).toBe(true);
      expect(await store.redeemSignInToken(hash, at(0))).toBeNull();
      // The address may sign up again and ask for a link of its own.
      const again = makeAccount({ email: account.email });
      expect(await store.createAccount(again)).toBe('created');
      const next = tokenHash();
      expect(await store.saveSignInToken(again.email, next, at(900))).toBe(true);
      expect(await store.redeemSignInToken(next, at(0))).toBe(again.id);
    });
  });

  describe('sessions', () => {
    test('a created session is found by its hash as written', async () => {
      const account = await newAccount();
      const session = makeSession(account.id);
      expect(await store.createSession(session, 50, at(0))).toBe('created');
      expect(await store.findSessionByHash(session.sessionHash)).toEqual(session);
      expect(await store.findSessionByHash(hashSecret('cps_unknown'))).toBeNull();
    });

    test('a session without a user agent keeps null', async () => {
      const account = await newAccount();
      const session = makeSession(account.id, { userAgent: null });
      await store.createSession(session, 50, at(0));
      expect(await store.findSessionByHash(session.sessionHash)).toEqual(session);
    });

    test('a session’s hash is no key, and no key’s hash is a session', async () => {
      const account = await newAccount();
      const session = makeSession(account.id);
      await store.createSession(session, 50, at(0));
      expect(await store.findAccountByKeyHash(session.sessionHash)).toBeNull();
      expect(await store.findReadKeyByHash(session.sessionHash)).toBeNull();
      expect(await store.findSessionByHash(account.apiKeyHash)).toBeNull();
    });

    test('an account lists its own sessions newest first, in creation order within one instant', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const early = makeSession(account.id, { userAgent: 'early', createdAt: at(0) });
      const sameA = makeSession(account.id, { userAgent: 'same a', createdAt: at(30) });
      const sameB = makeSession(account.id, { userAgent: 'same b', createdAt: at(30) });
      const late = makeSession(account.id, { userAgent: 'late', createdAt: at(60) });
      for (const s of [early, sameA, sameB, late]) expect(await store.createSession(s, 50, at(0))).toBe('created');
      await store.createSession(makeSession(other.id, { userAgent: 'theirs' }), 50, at(0));
      expect((await store.listSessions(account.id)).map((s) => s.userAgent)).toEqual(['late', 'same b', 'same a', 'early']);
      expect(await store.listSessions(account.id)).toContainEqual(early);
      expect(await store.listSessions('nobody')).toEqual([]);
    });

    test('a session for an account that does not exist is refused and not stored', async () => {
      const session = makeSession('no-such-account');
      expect(await store.createSession(session, 50, at(0))).toBe('no_account');
      expect(await store.findSessionByHash(session.sessionHash)).toBeNull();
    });

    test('past the cap the oldest session is ended to make room', async () => {
      const account = await newAccount();
      const sessions = [0, 10, 20].map((s) => makeSession(account.id, { createdAt: at(s) }));
      for (const s of sessions) await store.createSession(s, 3, at(20));
      const newest = makeSession(account.id, { createdAt: at(30) });
      expect(await store.createSession(newest, 3, at(30))).toBe('created');
      expect(await store.findSessionByHash(sessions[0].sessionHash)).toBeNull();
      expect((await store.listSessions(account.id)).map((s) => s.id)).toEqual([newest.id, sessions[2].id, sessions[1].id]);
    });

    test('creating a session drops the account’s expired ones first, so they take no slot', async () => {
      const account = await newAccount();
      const expired = makeSession(account.id, { createdAt: at(0), expiresAt: at(100) });
      const live = makeSession(account.id, { createdAt: at(50), expiresAt: at(10_000) });
      await store.createSession(expired, 2, at(50));
      await store.createSession(live, 2, at(50));
      const next = makeSession(account.id, { createdAt: at(100), expiresAt: at(10_000) });
      expect(await store.createSession(next, 2, at(100))).toBe('created');
      expect(await store.findSessionByHash(expired.sessionHash)).toBeNull();
      expect((await store.listSessions(account.id)).map((s) => s.id)).toEqual([next.id, live.id]);
    });

    test(`sign-ins ${togetherOn(name)} at the cap: the account keeps exactly the cap`, async () => {
      const account = await newAccount();
      const results = await Promise.all(Array.from({ length: 9 }, (_v, i) => store.createSession(makeSession(account.id, { createdAt: at(i) }), 4, at(10))));
      expect(results).toEqual(Array(9).fill('created'));
      expect(await store.listSessions(account.id)).toHaveLength(4);
    });

    test('one account’s sessions do not count against another’s cap', async () => {
      const [a, b] = [await newAccount(), await newAccount()];
      const theirs = makeSession(b.id);
      await store.createSession(theirs, 1, at(0));
      await store.createSession(makeSession(a.id), 1, at(0));
      expect(await store.findSessionByHash(theirs.sessionHash)).toEqual(theirs);
    });

    test('a deleted session is found no more; deleting an unknown one, a deleted one or another account’s reports false', async () => {
      const [account, other] = [await newAccount(), await newAccount()];
      const mine = makeSession(account.id);
      const theirs = makeSession(other.id);
      await store.createSession(mine, 50, at(0));
      await store.createSession(theirs, 50, at(0));
      expect(await store.deleteSession(account.id, theirs.id)).toBe(false);
      expect(await store.deleteSession(account.id, 'ses_0000000000000000')).toBe(false);
      expect(await store.deleteSession(account.id, mine.id)).toBe(true);
      expect(await store.deleteSession(account.id, mine.id)).toBe(false);
      expect(await store.findSessionByHash(mine.sessionHash)).toBeNull();
      expect(await store.findSessionByHash(theirs.sessionHash)).toEqual(theirs);
      expect(await store.listSessions(account.id)).toEqual([]);
    });

    test(`deletes of one session ${togetherOn(name)}: exactly one reports it`, async () => {
      const account = await newAccount();
      const session = makeSession(account.id);
      await store.createSession(session, 50, at(0));
      const results = await Promise.all(Array.from({ length: 5 }, () => store.deleteSession(account.id, session.id)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    test('rotating the main key leaves the sessions as they were', async () => {
      const account = await newAccount();
      const session = makeSession(account.id);
      await store.createSession(session, 50, at(0));
      expect(await store.replaceApiKey(account.id, account.apiKeyHash, hashApiKey(newApiKey()))).toBe(true);
      expect(await store.findSessionByHash(session.sessionHash)).toEqual(session);
    });

    test('deleting the account deletes its sessions, and no other account’s', async () => {
      const [account, other] = [await newAccount(), await newAccount()];
      await store.createMonitor(makeMonitor({ accountId: account.id }), null);
      const mine = [makeSession(account.id), makeSession(account.id)];
      for (const s of mine) await store.createSession(s, 50, at(0));
      const theirs = makeSession(other.id);
      await store.createSession(theirs, 50, at(0));
      expect(await store.deleteAccount(account.id)).toBe(true);
      for (const s of mine) expect(await store.findSessionByHash(s.sessionHash)).toBeNull();
      expect(await store.listSessions(account.id)).toEqual([]);
      expect(await store.findSessionByHash(theirs.sessionHash)).toEqual(theirs);
      expect(await store.createSession(makeSession(account.id), 50, at(0))).toBe('no_account');
    });
  });
});
