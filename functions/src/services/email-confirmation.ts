import { AppError, ErrorCode } from '../domain/errors';
import {
  CONFIRMATION_TTL_MS,
  notSentReason,
  requestLive,
  shownStatus,
  withAnswer,
  withoutRequest,
  withRequest,
  type Recipient,
  type RecipientAnswer,
  type RecipientKey,
  type RecipientStatus,
  type TokenKind,
} from '../domain/recipients';
import type { Account, Monitor, Notification } from '../domain/types';
import { confirmationEmailContent, confirmationPageUrl, oneClickUnsubscribeUrl } from '../notify/confirmation';
import type { UnsubscribeLinks } from '../notify/types';
import type { Deps } from './context';
import { EMAIL_TOKEN_PATTERN, hashSecret, newEmailToken, recipientId } from './secrets';

/**
 * Confirmed addresses only: each address an account alerts is asked once whether it wants those
 * alerts (the sign-up's welcome e-mail asks the account's own), and where e-mail really goes out
 * an alert waits for a yes. Every alert e-mail carries a one-click unsubscribe. The rules are
 * `domain/recipients.ts`; this module reads the clock, makes the tokens and sends the e-mails.
 */

export const INVALID_EMAIL_TOKEN = 'Invalid or expired token.';
/** The answer to a resend: where the request went and how long its link works. */
export const confirmationRequested = (email: string): string =>
  `A confirmation request is on its way to ${email}. Its link works for ${CONFIRMATION_TTL_MS / 3_600_000} hours.`;
const invalidToken = () => new AppError(ErrorCode.InvalidEmailToken, INVALID_EMAIL_TOKEN);

/** A compare-and-set lost to a concurrent write is decided again on a fresh read, this many times at most. */
const ANSWER_ATTEMPTS = 3;

const NOTHING_SENT = Promise.resolve();

const keyOf = (accountId: string, email: string): RecipientKey => ({ id: recipientId(accountId, email), accountId, email });

export interface ConfirmationInput {
  account: Pick<Account, 'id' | 'email'>;
  /** The address to ask, trimmed and lower-cased as addresses are stored. */
  email: string;
  /** The monitor whose alerts go there; null for the account's own address. */
  monitorName: string | null;
  /** The sign-up's welcome e-mail. */
  welcome?: boolean;
}

/**
 * Sends one e-mail outside the outbox (the token may be kept only as a hash). A failure is logged
 * (without the token), never thrown: a new request can be sent once this one has expired.
 */
function mailOut(deps: Deps, to: string, content: ReturnType<typeof confirmationEmailContent>): Promise<void> {
  const failed = (error: string) => deps.log.error('confirmation e-mail not sent; a new one can be sent once its link has expired', { to, error });
  return deps.mailer
    .send({ to, ...content, logAs: { purpose: 'e-mail confirmation' } })
    .then((result) => {
      if (result.outcome === 'failed' || result.outcome === 'retry') failed(result.error);
    })
    .catch((err: unknown) => failed(err instanceof Error ? err.message : String(err)));
}

/**
 * Writes a request on the record (compare-and-set against `current`) and, when that write wins,
 * e-mails it. `recipient` is the record afterwards, whoever wrote it; `sent` settles once the
 * e-mail has gone (or failed and been logged).
 */
async function ask(deps: Deps, key: RecipientKey, current: Recipient | null, input: ConfirmationInput) {
  const token = newEmailToken(key.id);
  const now = deps.clock();
  const next = withRequest(current, key, { confirmTokenHash: hashSecret(token), unsubscribeToken: newEmailToken(key.id) }, now);
  if (next === null) return { recipient: current, sent: NOTHING_SENT };
  if (!(await deps.store.saveRecipient(next, current?.version ?? null))) return { recipient: await deps.store.getRecipient(key.id), sent: NOTHING_SENT };
  const content = confirmationEmailContent({
    email: key.email,
    accountEmail: input.account.email,
    monitorName: input.monitorName,
    welcome: input.welcome ?? false,
    token,
    expiresAt: next.confirmExpiresAt as Date,
    publicUrl: deps.config.publicUrl,
  });
  return { recipient: next, sent: mailOut(deps, key.email, content) };
}

/**
 * Asks the address whether it wants the account's alerts, unless confirmation is off, the address
 * has answered, or a request to it is still live. The record is written before this returns; the
 * e-mail goes out after, like the recovery e-mail, and `sent` settles when it has. Never throws:
 * the caller (a sign-up, a monitor's edit) has already succeeded, and an address that was not
 * asked now is asked at its first alert.
 */
export async function requestConfirmation(deps: Deps, input: ConfirmationInput): Promise<{ sent: Promise<void> }> {
  if (!deps.config.verifyEmails) return { sent: NOTHING_SENT };
  const key = keyOf(input.account.id, input.email);
  try {
    return await ask(deps, key, await deps.store.getRecipient(key.id), input);
  } catch (err) {
    deps.log.error('confirmation request not recorded; the address is asked at its first alert', { to: input.email, error: String(err) });
    return { sent: NOTHING_SENT };
  }
}

/** Which token of the record `token` is, at `now`: its live confirmation token, its unsubscribe token, or neither. */
function tokenKind(r: Recipient, token: string, now: Date): TokenKind | null {
  const hash = hashSecret(token);
  if (r.confirmTokenHash === hash && requestLive(r, now)) return 'confirmation';
  // Compared as hashes, like the confirmation token, so the comparison's time says nothing about the token.
  if (hashSecret(r.unsubscribeToken) === hash) return 'unsubscribe';
  return null;
}

/**
 * The address owner's answer, given with a token from an e-mail: confirm or decline with the
 * request's token (which it spends), unsubscribe or subscribe again with an alert's. A token that
 * cannot give the answer (wrong, expired, spent, or of the other kind) is one and the same
 * `InvalidEmailToken` (a 400) and changes nothing.
 */
export async function answerAddress(deps: Pick<Deps, 'store' | 'clock'>, token: string, answer: RecipientAnswer) {
  const id = EMAIL_TOKEN_PATTERN.exec(token)?.[1];
  if (id === undefined) throw invalidToken();
  for (let attempt = 0; attempt < ANSWER_ATTEMPTS; attempt++) {
    const current = await deps.store.getRecipient(id);
    const now = deps.clock();
    const kind = current === null ? null : tokenKind(current, token, now);
    const next = kind === null ? null : withAnswer(current as Recipient, kind, answer, now);
    if (next === null) throw invalidToken();
    if (await deps.store.saveRecipient(next, (current as Recipient).version)) return { email: next.email, status: next.status };
  }
  throw invalidToken();
}

/** Whether alerts to unanswered addresses wait for a yes: confirmation is on and e-mail really goes out. */
const holdsUnconfirmed = (deps: Deps): boolean => deps.config.verifyEmails && deps.mailer.delivers;

/**
 * The record of an address alerted before it had one (set before confirmation existed, or whose
 * request could not be recorded): asked now when confirmation is on, else recorded without a
 * request, so that its alerts can carry an unsubscribe link.
 */
async function firstRecord(deps: Deps, key: RecipientKey, n: Notification): Promise<Recipient> {
  const account = deps.config.verifyEmails ? await deps.store.getAccount(n.accountId) : null;
  if (account !== null) {
    const { recipient, sent } = await ask(deps, key, null, { account, email: key.email, monitorName: n.snapshot.name });
    // Awaited here: the checker's run may be all the time a cloud instance gets.
    await sent;
    if (recipient !== null) return recipient;
  }
  const created = withoutRequest(key, newEmailToken(key.id), deps.clock());
  if (await deps.store.saveRecipient(created, null)) return created;
  return (await deps.store.getRecipient(key.id)) ?? created;
}

/**
 * Whether an alert e-mail may go to its address: the reason it is not sent (an unanswered
 * address while `holdsUnconfirmed`, a decline, an unsubscribe), or the unsubscribe links it carries.
 */
export async function emailPermit(deps: Deps, n: Notification): Promise<{ notSent: string } | { unsubscribe: UnsubscribeLinks }> {
  const key = keyOf(n.accountId, n.target);
  const recipient = (await deps.store.getRecipient(key.id)) ?? (await firstRecord(deps, key, n));
  const reason = notSentReason(recipient, holdsUnconfirmed(deps));
  if (reason !== null) return { notSent: reason };
  const { publicUrl } = deps.config;
  const token = recipient.unsubscribeToken;
  return { unsubscribe: { oneClickUrl: oneClickUnsubscribeUrl(publicUrl, token), pageUrl: confirmationPageUrl(publicUrl, token, 'unsubscribe') } };
}

/** Where an address of the account stands, as answers show it (`shownStatus`). */
export async function addressStatus(deps: Pick<Deps, 'store' | 'config'>, accountId: string, email: string): Promise<RecipientStatus> {
  return shownStatus(await deps.store.getRecipient(recipientId(accountId, email)), deps.config.verifyEmails);
}

/** Where a monitor's alert address stands (`addressStatus`); null when it sends no e-mail. */
export function alertEmailStatus(deps: Pick<Deps, 'store' | 'config'>, m: Monitor): Promise<RecipientStatus | null> {
  return m.alertEmail === null ? Promise.resolve(null) : addressStatus(deps, m.accountId, m.alertEmail);
}

/** Why the account's own address cannot be asked again, or null when it can. */
function noResendReason(deps: Deps, account: Account, current: Recipient | null, now: Date): AppError | null {
  if (!deps.config.verifyEmails) return new AppError(ErrorCode.Conflict, 'This server does not ask for e-mail confirmation: nothing waits for it.');
  const status = current?.status ?? 'pending';
  if (status === 'confirmed') return new AppError(ErrorCode.Conflict, `${account.email} is already confirmed.`);
  if (status === 'declined') return new AppError(ErrorCode.Conflict, `${account.email} declined alerts from this account, so it is not asked again.`);
  if (status === 'unsubscribed') {
    return new AppError(ErrorCode.Conflict, `${account.email} unsubscribed from this account's alerts; the link in any of its alert e-mails subscribes it again.`);
  }
  if (current === null || !requestLive(current, now)) return null;
  const expiresAt = current.confirmExpiresAt as Date;
  const waitSeconds = Math.ceil((expiresAt.getTime() - now.getTime()) / 1000);
  return new AppError(ErrorCode.RateLimited, `A confirmation request is on its way to ${account.email}; another can be sent after ${expiresAt.toISOString()}.`, waitSeconds);
}

/**
 * Asks the account's own address again (the dashboard's "resend"), at most once per request's
 * lifetime: refused (409) once it has answered or where confirmation is off, and 429 while a
 * request is live. Returns once the request is recorded; the e-mail goes out after.
 */
export async function resendAccountConfirmation(deps: Deps, account: Account): Promise<void> {
  const key = keyOf(account.id, account.email);
  const current = await deps.store.getRecipient(key.id);
  const refusal = noResendReason(deps, account, current, deps.clock());
  if (refusal !== null) throw refusal;
  await ask(deps, key, current, { account, email: account.email, monitorName: null });
}
