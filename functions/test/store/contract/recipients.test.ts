import { withAnswer, withRequest, type Recipient } from '../../../src/domain/recipients';
import type { InspectableStore } from '../../../src/store/inspection';
import { recipientId } from '../../../src/services/secrets';
import { makeAccount } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, togetherOn } from './support';

/** The storage contract for recipient records: one per account and address, written compare-and-set, gone with the account. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const keyFor = (accountId: string, email = 'oncall@example.com') => ({ id: recipientId(accountId, email), accountId, email });
  const request = (accountId: string, n = 1, current: Recipient | null = null) =>
    withRequest(current, keyFor(accountId), { confirmTokenHash: `hash-${n}`, unsubscribeToken: `${keyFor(accountId).id}.unsubscribe` }, at(n)) as Recipient;

  describe('recipients', () => {
    test('a created record is read back as written', async () => {
      const r = request('account-1');
      expect(await store.saveRecipient(r, null)).toBe(true);
      expect(await store.getRecipient(r.id)).toEqual(r);
    });

    test('an id nobody has finds nothing', async () => {
      expect(await store.getRecipient('0'.repeat(32))).toBeNull();
    });

    test('creating a record that exists changes nothing', async () => {
      const first = request('account-1', 1);
      await store.saveRecipient(first, null);
      expect(await store.saveRecipient(request('account-1', 2), null)).toBe(false);
      expect(await store.getRecipient(first.id)).toEqual(first);
    });

    test('a write based on the version read replaces the record; one based on an older read changes nothing', async () => {
      const first = request('account-1');
      await store.saveRecipient(first, null);
      const confirmed = withAnswer(first, 'confirmation', 'confirmed', at(10)) as Recipient;
      expect(await store.saveRecipient(confirmed, first.version)).toBe(true);
      const declined = withAnswer(first, 'confirmation', 'declined', at(11)) as Recipient;
      expect(await store.saveRecipient(declined, first.version)).toBe(false);
      expect(await store.getRecipient(first.id)).toEqual(confirmed);
    });

    test('replacing a record that does not exist changes nothing', async () => {
      const r = request('account-1');
      expect(await store.saveRecipient({ ...r, version: 2 }, 1)).toBe(false);
      expect(await store.getRecipient(r.id)).toBeNull();
    });

    test(`of two creations ${togetherOn(name)} exactly one is written`, async () => {
      const results = await Promise.all([store.saveRecipient(request('account-1', 1), null), store.saveRecipient(request('account-1', 2), null)]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    test(`of two answers ${togetherOn(name)} from the same read exactly one is written`, async () => {
      const first = request('account-1');
      await store.saveRecipient(first, null);
      const answers = (['confirmed', 'declined'] as const).map((a) => withAnswer(first, 'confirmation', a, at(10)) as Recipient);
      const results = await Promise.all(answers.map((r) => store.saveRecipient(r, first.version)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getRecipient(first.id))?.status).toBe(answers[results.indexOf(true)].status);
    });

    test("deleting an account deletes its records and no one else's", async () => {
      const [gone, kept] = [makeAccount(), makeAccount()];
      await store.createAccount(gone);
      await store.createAccount(kept);
      const [mine, theirs] = [request(gone.id), request(kept.id)];
      await store.saveRecipient(mine, null);
      await store.saveRecipient(theirs, null);
      expect(await store.deleteAccount(gone.id)).toBe(true);
      expect(await store.getRecipient(mine.id)).toBeNull();
      expect(await store.getRecipient(theirs.id)).toEqual(theirs);
    });
  });
});
