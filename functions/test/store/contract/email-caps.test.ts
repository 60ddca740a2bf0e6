import type { EmailCaps } from '../../../src/domain/plans';
import type { InspectableStore } from '../../../src/store/inspection';
import { storeKinds } from '../../support/stores';
import { togetherOn } from './support';

const HOUR = 493_000;
const caps: EmailCaps = { perAccount: 5, perRecipient: 3 };

/** The storage contract for the hourly alert e-mail caps: counted per account and per recipient, atomically. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  let store: InspectableStore;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const count = (accountId: string, recipient: string, hour = HOUR, limits = caps) => store.countAlertEmail(accountId, recipient, hour, limits);

  describe('alert e-mail caps', () => {
    test('an account is refused past its cap in the hour, whatever the recipient', async () => {
      const outcomes = [];
      for (let i = 0; i < 6; i++) outcomes.push(await count('acct-a', `r${i}@example.com`));
      expect(outcomes).toEqual(['counted', 'counted', 'counted', 'counted', 'counted', 'account_cap']);
    });

    test('a recipient is refused past its cap in the hour, counted across accounts', async () => {
      expect(await count('acct-a', 'victim@example.com')).toBe('counted');
      expect(await count('acct-b', 'victim@example.com')).toBe('counted');
      expect(await count('acct-c', 'victim@example.com')).toBe('counted');
      expect(await count('acct-d', 'victim@example.com')).toBe('recipient_cap');
      expect(await count('acct-d', 'other@example.com')).toBe('counted');
    });

    test('a refused e-mail is not counted against the other cap', async () => {
      for (let i = 0; i < 3; i++) await count('acct-a', 'victim@example.com');
      expect(await count('acct-a', 'victim@example.com')).toBe('recipient_cap');
      expect(await count('acct-a', 'x@example.com')).toBe('counted');
      expect(await count('acct-a', 'y@example.com')).toBe('counted');
      expect(await count('acct-a', 'z@example.com')).toBe('account_cap');
    });

    test('the next hour starts afresh', async () => {
      for (let i = 0; i < 5; i++) await count('acct-a', `r${i}@example.com`);
      expect(await count('acct-a', 'r9@example.com')).toBe('account_cap');
      expect(await count('acct-a', 'r9@example.com', HOUR + 1)).toBe('counted');
    });

    test(`e-mails counted ${togetherOn(name)} never pass a cap`, async () => {
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => count('acct-a', `r${i % 2}@example.com`, HOUR, { perAccount: 5, perRecipient: 50 })));
      expect(outcomes.filter((o) => o === 'counted')).toHaveLength(5);
      const toOne = await Promise.all(Array.from({ length: 8 }, (_, i) => count(`acct-${i}`, 'victim@example.com')));
      expect(toOne.filter((o) => o === 'counted')).toHaveLength(3);
    });
  });
});
