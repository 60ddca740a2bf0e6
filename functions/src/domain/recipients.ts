/**
 * Who may receive an account's alert e-mails. Every address an account alerts has one record per
 * account: `pending` until the address's owner answers the confirmation request, then
 * `confirmed` or `declined`; an alert's one-click link makes it `unsubscribed`. Only the owner of
 * the address changes it, with a token that was e-mailed to it. The caller makes the tokens and
 * hashes (the domain has no randomness) and the store writes each decision compare-and-set.
 */

export type RecipientStatus = 'pending' | 'confirmed' | 'declined' | 'unsubscribed';

export const RECIPIENT_STATUSES: readonly RecipientStatus[] = ['pending', 'confirmed', 'declined', 'unsubscribed'];

export interface Recipient {
  /** Derived from the account id and the address, so the record is found in one read. */
  id: string;
  accountId: string;
  email: string;
  status: RecipientStatus;
  /** The hash of the confirmation token of the request in flight; null when none is. */
  confirmTokenHash: string | null;
  /** When that token expires; until then no other request goes to the address. */
  confirmExpiresAt: Date | null;
  /**
   * Carried by every alert e-mail to the address (`List-Unsubscribe`), so it is kept as is, like a
   * webhook's signing secret: it can only stop (or restart) this account's alerts to this address.
   */
  unsubscribeToken: string;
  /** Counts the record's writes: a write based on an older read loses (compare-and-set). */
  version: number;
  updatedAt: Date;
}

/** How long a confirmation request's token works; also how often one address can be asked. */
export const CONFIRMATION_TTL_MS = 24 * 3_600_000;

/** The record's identity: which account asks which address. */
export interface RecipientKey {
  id: string;
  accountId: string;
  email: string;
}

/** What a new request needs: the hash of its token, and the unsubscribe token if the record has none yet. */
export interface RequestSecrets {
  confirmTokenHash: string;
  unsubscribeToken: string;
}

/** Whether the record's confirmation request is still in flight (its token works) at `now`. */
export const requestLive = (r: Recipient, now: Date): boolean => r.confirmExpiresAt !== null && r.confirmExpiresAt.getTime() > now.getTime();

/** The record as first written: pending, with no request unless one is sent with it. */
function fresh(key: RecipientKey, unsubscribeToken: string, now: Date): Recipient {
  return { ...key, status: 'pending', confirmTokenHash: null, confirmExpiresAt: null, unsubscribeToken, version: 1, updatedAt: now };
}

/**
 * The record after asking its address to confirm, or null when no request may go: the address
 * has answered (a decline or an unsubscribe is never asked again), or the last request is still
 * live. So an account asks an address at most once per CONFIRMATION_TTL_MS.
 */
export function withRequest(current: Recipient | null, key: RecipientKey, secrets: RequestSecrets, now: Date): Recipient | null {
  if (current !== null && (current.status !== 'pending' || requestLive(current, now))) return null;
  const base = current === null ? fresh(key, secrets.unsubscribeToken, now) : { ...current, version: current.version + 1 };
  return { ...base, confirmTokenHash: secrets.confirmTokenHash, confirmExpiresAt: new Date(now.getTime() + CONFIRMATION_TTL_MS), updatedAt: now };
}

/** A record without a request (confirmation turned off), only so that alerts can carry an unsubscribe link. */
export function withoutRequest(key: RecipientKey, unsubscribeToken: string, now: Date): Recipient {
  return fresh(key, unsubscribeToken, now);
}

/** What the address's owner answers, and the token kinds that may give each answer. */
export type RecipientAnswer = 'confirmed' | 'declined' | 'unsubscribed';

/** Which of the record's tokens a caller presented: the live confirmation token, or the lasting unsubscribe token. */
export type TokenKind = 'confirmation' | 'unsubscribe';

/**
 * A confirmation request is answered yes or no with its token; the unsubscribe token in every
 * alert stops the alerts, and also starts them again (an unsubscribe by mistake is undone by the
 * one who made it).
 */
const ANSWERS_BY_TOKEN: Record<TokenKind, readonly RecipientAnswer[]> = {
  confirmation: ['confirmed', 'declined'],
  unsubscribe: ['unsubscribed', 'confirmed'],
};

/**
 * The record after its owner's answer, or null when the token presented cannot give it. Any
 * answer spends the confirmation token, so a link works once.
 */
export function withAnswer(current: Recipient, token: TokenKind, answer: RecipientAnswer, now: Date): Recipient | null {
  if (!ANSWERS_BY_TOKEN[token].includes(answer)) return null;
  return { ...current, status: answer, confirmTokenHash: null, confirmExpiresAt: null, version: current.version + 1, updatedAt: now };
}

/**
 * Why an alert e-mail to the address is not sent, or null to send it. A decline or an unsubscribe
 * is always honoured; a pending address is held only while `holdUnconfirmed` (e-mail really goes
 * out and confirmation is on).
 */
export function notSentReason(r: Recipient, holdUnconfirmed: boolean): string | null {
  switch (r.status) {
    case 'confirmed':
      return null;
    case 'pending':
      return holdUnconfirmed ? `not sent: ${r.email} has not confirmed that it wants alerts from this account` : null;
    case 'declined':
      return `not sent: ${r.email} declined alerts from this account`;
    case 'unsubscribed':
      return `not sent: ${r.email} unsubscribed from this account's alerts`;
  }
}

/**
 * The address's status as the API shows it: `pending` before it has a record. Where the server
 * does not ask for confirmation (`verifying` false) an address that has not answered counts as
 * `confirmed`, since nothing is held for it; a decline or an unsubscribe shows, being honoured.
 */
export function shownStatus(r: Recipient | null, verifying: boolean): RecipientStatus {
  const status = r?.status ?? 'pending';
  return status === 'pending' && !verifying ? 'confirmed' : status;
}
