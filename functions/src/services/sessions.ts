import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../domain/errors';
import { displayLine, shortened } from '../domain/text';
import type { Account } from '../domain/types';
import { signInEmailContent } from '../notify/message';
import type { Session } from '../store/port';
import type { Deps } from './context';
import { hashSecret, newRecoveryToken, RECOVERY_TOKEN_PATTERN } from './secrets';

/**
 * Dashboard sessions: `cps_` and 32 lower-case hex characters (128 random bits). The prefix tells
 * them from the main key (`cpk_`) and read-only keys (`cpr_`), so a credential is looked up in
 * one place only. A session has its account's full access until it expires or is ended.
 */
export const SESSION_PATTERN = /^cps_[0-9a-f]{32}$/;
/** How an owner names a session to end it: `ses_` and 16 hex characters, never the secret. */
export const SESSION_ID_PATTERN = /^ses_[0-9a-f]{16}$/;
/** Sign-in link tokens: URL-safe base64 of 32 random bytes (256 bits), as recovery tokens are. */
export const SIGN_IN_TOKEN_PATTERN = RECOVERY_TOKEN_PATTERN;

export const SIGN_IN_TTL_MS = 15 * 60_000;
/** "Remember this browser": 30 days; otherwise long enough for a working day. */
export const SESSION_TTL_MS = { remember: 30 * 86_400_000, once: 12 * 3_600_000 } as const;
/** Sessions an account keeps at once; a new one past it ends the oldest. */
export const MAX_SESSIONS = 50;
/** The user agent a session keeps, at most: enough to tell browsers apart in a list. */
const USER_AGENT_MAX = 200;

/** The one answer to every sign-in link request, whether or not an account has the address. */
export const SIGN_IN_REQUESTED = 'If an account uses this address, a sign-in link is on its way.';
export const INVALID_SIGN_IN = 'This sign-in link is invalid, has expired or was already used. Ask for a new one.';
export const INVALID_SESSION = 'This session has expired or was signed out. Sign in again.';

const newSessionCredential = (): string => `cps_${randomBytes(16).toString('hex')}`;
const newSessionId = (): string => `ses_${randomBytes(8).toString('hex')}`;
const normalise = (email: string): string => email.trim().toLowerCase();

/**
 * Starts a sign-in by e-mail link: keeps the hash of a fresh one-time token for the account with
 * this address (replacing its earlier link) and e-mails the link. Nothing of it is awaited by the
 * answer, which is the same whether or not such an account exists: the lookup, the write and the
 * e-mail all happen after it, so neither its body nor its timing tells. `done` settles when they
 * have (tests wait for it); a failure is logged without the token and the user asks again.
 *
 * Sent directly, not through the alert outbox, for the reason recovery gives: the outbox keeps a
 * message until it is delivered, and the token may be kept only as a hash.
 */
export function requestSignInLink(deps: Deps, input: { email: string }): { done: Promise<void> } {
  const email = normalise(input.email);
  const failed = (err: unknown) => deps.log.error('sign-in e-mail not sent; the user can ask again', { to: email, error: err instanceof Error ? err.message : String(err) });
  const done = sendSignInLink(deps, email).catch(failed);
  return { done };
}

async function sendSignInLink(deps: Deps, email: string): Promise<void> {
  const token = newRecoveryToken();
  const expiresAt = new Date(deps.clock().getTime() + SIGN_IN_TTL_MS);
  if (!(await deps.store.saveSignInToken(email, hashSecret(token), expiresAt))) return;
  const content = signInEmailContent({ email, token, expiresAt, publicUrl: deps.config.publicUrl });
  const result = await deps.mailer.send({ to: email, ...content, logAs: { purpose: 'sign-in link' } });
  if (result.outcome === 'failed' || result.outcome === 'retry') throw new Error(result.error);
}

/** A new session as its creation answers it: the credential, shown this once. */
export interface CreatedSession {
  session: Session;
  credential: string;
  account: Account;
}

export interface SessionOptions {
  /** 30 days rather than 12 hours. */
  remember: boolean;
  /** The client's `User-Agent`, as sent (cut and cleaned here). */
  userAgent: string | undefined;
}

const invalidSignIn = () => new AppError(ErrorCode.Unauthorized, INVALID_SIGN_IN);

/**
 * Trades a sign-in link's token for a session. A wrong, expired or spent token is one and the
 * same 401 and changes nothing; of two concurrent trades of one token exactly one succeeds.
 */
export async function signInWithToken(deps: Pick<Deps, 'store' | 'clock'>, input: { token: string } & SessionOptions): Promise<CreatedSession> {
  if (!SIGN_IN_TOKEN_PATTERN.test(input.token)) throw invalidSignIn();
  const accountId = await deps.store.redeemSignInToken(hashSecret(input.token), deps.clock());
  const account = accountId === null ? null : await deps.store.getAccount(accountId);
  if (account === null) throw invalidSignIn();
  return startSession(deps, account, input);
}

/**
 * A session for an account whose full-access credential the caller holds (the dashboard's
 * sign-in with the main key keeps a session, not the key). The route refuses read-only keys.
 */
export async function startSession(deps: Pick<Deps, 'store' | 'clock'>, account: Account, options: SessionOptions): Promise<CreatedSession> {
  const now = deps.clock();
  const credential = newSessionCredential();
  const session: Session = {
    id: newSessionId(),
    accountId: account.id,
    sessionHash: hashSecret(credential),
    createdAt: now,
    expiresAt: new Date(now.getTime() + (options.remember ? SESSION_TTL_MS.remember : SESSION_TTL_MS.once)),
    userAgent: userAgentOf(options.userAgent),
  };
  if ((await deps.store.createSession(session, MAX_SESSIONS, now)) === 'no_account') throw invalidSignIn();
  return { session, credential, account };
}

/** What a session keeps of a `User-Agent`: one displayable line, cut; null when there is none. */
function userAgentOf(raw: string | undefined): string | null {
  const line = displayLine(raw ?? '').trim();
  return line === '' ? null : shortened(line, USER_AGENT_MAX);
}

/** The account a session credential belongs to; null when it is not a live one (unknown, expired, ended, or its account gone). */
export async function sessionAccount(deps: Pick<Deps, 'store' | 'clock'>, credential: string): Promise<Account | null> {
  const session = SESSION_PATTERN.test(credential) ? await deps.store.findSessionByHash(hashSecret(credential)) : null;
  if (session === null || session.expiresAt.getTime() <= deps.clock().getTime()) return null;
  return deps.store.getAccount(session.accountId);
}

/** A session as the list shows it, `current` for the one the request came with. */
export interface SessionView {
  session: Session;
  current: boolean;
}

/** The account's live sessions, newest first; `credential` is what the request authenticated with. */
export async function listSessions(deps: Pick<Deps, 'store' | 'clock'>, account: Account, credential: string | undefined): Promise<SessionView[]> {
  const now = deps.clock().getTime();
  const currentHash = credential !== undefined && SESSION_PATTERN.test(credential) ? hashSecret(credential) : null;
  const sessions = await deps.store.listSessions(account.id);
  return sessions.filter((s) => s.expiresAt.getTime() > now).map((session) => ({ session, current: session.sessionHash === currentHash }));
}

/** Ends one of the account's sessions: it stops working at once. An unknown id and another account's are the same 404. */
export async function endSession(deps: Pick<Deps, 'store'>, account: Account, sessionId: string): Promise<void> {
  const deleted = SESSION_ID_PATTERN.test(sessionId) && (await deps.store.deleteSession(account.id, sessionId));
  if (!deleted) throw new AppError(ErrorCode.NotFound, 'Session not found.');
}

/** Signs out: ends the session the request came with. A request made with an API key has none to end. */
export async function signOut(deps: Pick<Deps, 'store'>, account: Account, credential: string | undefined): Promise<void> {
  const session = credential !== undefined && SESSION_PATTERN.test(credential) ? await deps.store.findSessionByHash(hashSecret(credential)) : null;
  if (session === null || session.accountId !== account.id || !(await deps.store.deleteSession(account.id, session.id))) {
    throw new AppError(ErrorCode.NotFound, 'This request was not made with a session, so there is none to sign out. Send the session you want to end.');
  }
}
