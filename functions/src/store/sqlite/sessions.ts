import type { Session } from '../port';
import { insertSql, ms, type Row } from './rows';

/**
 * Dashboard sessions and sign-in links as SQLite rows (migration "Dashboard sessions" in
 * schema.ts). Kept apart from rows.ts so the two features' mappings do not share a file.
 */
export const SESSION_COLUMNS = ['id', 'account_id', 'session_hash', 'created_at', 'expires_at', 'user_agent'] as const;

export const INSERT_SESSION = insertSql('sessions', SESSION_COLUMNS);

export function sessionValues(s: Session): unknown[] {
  return [s.id, s.accountId, s.sessionHash, ms(s.createdAt), ms(s.expiresAt), s.userAgent];
}

export function toSession(r: Row): Session {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    sessionHash: String(r.session_hash),
    createdAt: new Date(Number(r.created_at)),
    expiresAt: new Date(Number(r.expires_at)),
    userAgent: typeof r.user_agent === 'string' ? r.user_agent : null,
  };
}

/**
 * One statement keeps an account's one sign-in link: a new token for the account with the
 * e-mail replaces the one it held (the row is keyed by account), nothing for an unknown e-mail.
 */
export const SAVE_SIGN_IN_TOKEN = `INSERT INTO sign_in_tokens (account_id, token_hash, expires_at)
  SELECT id, ?, ? FROM accounts WHERE email = ?
  ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, expires_at = excluded.expires_at`;

/** Spends a token whatever its age (an expired one is useless anyway); the caller checks the expiry it returns. */
export const REDEEM_SIGN_IN_TOKEN = 'DELETE FROM sign_in_tokens WHERE token_hash = ? RETURNING account_id, expires_at';

/** An account's sessions past their end at a moment. */
export const DROP_EXPIRED_SESSIONS = 'DELETE FROM sessions WHERE account_id = ? AND expires_at <= ?';

/** An account's oldest sessions, `?` of them: those a new one pushes over the cap. */
export const DROP_OLDEST_SESSIONS = `DELETE FROM sessions WHERE rowid IN
  (SELECT rowid FROM sessions WHERE account_id = ? ORDER BY created_at, rowid LIMIT ?)`;
