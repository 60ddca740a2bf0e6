import {
  CONFIRMATION_TTL_MS,
  notSentReason,
  shownStatus,
  withAnswer,
  withoutRequest,
  withRequest,
  type Recipient,
  type RecipientStatus,
} from '../../src/domain/recipients';

const t0 = new Date('2026-03-28T02:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const key = { id: 'a'.repeat(32), accountId: 'account-1', email: 'oncall@example.com' };
const secrets = (n: number) => ({ confirmTokenHash: `hash-${n}`, unsubscribeToken: `unsubscribe-${n}` });
const asked = (): Recipient => withRequest(null, key, secrets(1), t0) as Recipient;
const answered = (status: RecipientStatus): Recipient => ({ ...asked(), status, confirmTokenHash: null, confirmExpiresAt: null });

describe('asking an address to confirm', () => {
  test('an address never asked gets a pending record with a request that expires in 24 hours', () => {
    expect(withRequest(null, key, secrets(1), t0)).toEqual({
      ...key,
      status: 'pending',
      confirmTokenHash: 'hash-1',
      confirmExpiresAt: at(CONFIRMATION_TTL_MS),
      unsubscribeToken: 'unsubscribe-1',
      version: 1,
      updatedAt: t0,
    });
    expect(CONFIRMATION_TTL_MS).toBe(24 * 3_600_000);
  });

  test('no second request while the first is live', () => {
    expect(withRequest(asked(), key, secrets(2), at(CONFIRMATION_TTL_MS - 1))).toBeNull();
  });

  test('once the request has expired, a new one replaces its token and keeps the unsubscribe token', () => {
    const again = withRequest(asked(), key, secrets(2), at(CONFIRMATION_TTL_MS));
    expect(again).toMatchObject({ status: 'pending', confirmTokenHash: 'hash-2', unsubscribeToken: 'unsubscribe-1', version: 2 });
    expect(again?.confirmExpiresAt).toEqual(at(2 * CONFIRMATION_TTL_MS));
  });

  test.each<RecipientStatus>(['confirmed', 'declined', 'unsubscribed'])('an address that has answered (%s) is never asked again', (status) => {
    expect(withRequest(answered(status), key, secrets(2), at(10 * CONFIRMATION_TTL_MS))).toBeNull();
  });

  test('a record made without a request (confirmation off) is pending with no token in flight', () => {
    expect(withoutRequest(key, 'unsubscribe-9', t0)).toMatchObject({ status: 'pending', confirmTokenHash: null, confirmExpiresAt: null, unsubscribeToken: 'unsubscribe-9' });
  });
});

describe("the address owner's answer", () => {
  test('the confirmation token confirms or declines, and is spent either way', () => {
    for (const answer of ['confirmed', 'declined'] as const) {
      expect(withAnswer(asked(), 'confirmation', answer, at(1))).toMatchObject({ status: answer, confirmTokenHash: null, confirmExpiresAt: null, version: 2, updatedAt: at(1) });
    }
  });

  test('the confirmation token cannot unsubscribe; the unsubscribe token cannot decline', () => {
    expect(withAnswer(asked(), 'confirmation', 'unsubscribed', at(1))).toBeNull();
    expect(withAnswer(answered('confirmed'), 'unsubscribe', 'declined', at(1))).toBeNull();
  });

  test('the unsubscribe token stops the alerts and starts them again', () => {
    const unsubscribed = withAnswer(answered('confirmed'), 'unsubscribe', 'unsubscribed', at(1)) as Recipient;
    expect(unsubscribed.status).toBe('unsubscribed');
    expect(withAnswer(unsubscribed, 'unsubscribe', 'confirmed', at(2))?.status).toBe('confirmed');
  });
});

describe('what an alert e-mail to the address does', () => {
  test('a confirmed address gets its alerts', () => {
    expect(notSentReason(answered('confirmed'), true)).toBeNull();
  });

  test('an unanswered address is held while confirmation applies, and only then', () => {
    expect(notSentReason(asked(), true)).toBe('not sent: oncall@example.com has not confirmed that it wants alerts from this account');
    expect(notSentReason(asked(), false)).toBeNull();
  });

  test('a decline and an unsubscribe are honoured even where nothing is held', () => {
    expect(notSentReason(answered('declined'), false)).toBe('not sent: oncall@example.com declined alerts from this account');
    expect(notSentReason(answered('unsubscribed'), false)).toBe("not sent: oncall@example.com unsubscribed from this account's alerts");
  });
});

describe('the status answers show', () => {
  test('an address without a record is pending', () => {
    expect(shownStatus(null, true)).toBe('pending');
  });

  test('where the server does not ask, an unanswered address counts as confirmed; an answer still shows', () => {
    expect(shownStatus(null, false)).toBe('confirmed');
    expect(shownStatus(asked(), false)).toBe('confirmed');
    expect(shownStatus(answered('declined'), false)).toBe('declined');
    expect(shownStatus(answered('unsubscribed'), true)).toBe('unsubscribed');
  });
});
