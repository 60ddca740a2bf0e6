import { Timestamp, type DocumentData, type DocumentSnapshot } from 'firebase-admin/firestore';
import type { Session } from '../port';

/**
 * Dashboard sessions and sign-in links in Firestore (see layout.ts for the rest):
 *
 *   sessions/{sha256 of the credential}   a session; authentication is a document read, as for
 *                                         keys; queried by `accountId` only (listing, revoking,
 *                                         the cap, deleting an account's): at most 50 documents,
 *                                         sorted in memory by `createdAt` then `seq` (the
 *                                         account's `sessionSeq`), so no composite index.
 *                                         `expiresAt` carries a TTL policy.
 *   signInTokens/{sha256 of the token}    { accountId, expiresAt }: a sign-in link, one per
 *                                         account (the account's `signInTokenHash` names it, so a
 *                                         new link deletes the old); `expiresAt` carries a TTL policy.
 */
export const SESSIONS = 'sessions';
export const SIGN_IN_TOKENS = 'signInTokens';

export function sessionDoc(s: Session, seq: number): DocumentData {
  return {
    sessionId: s.id,
    accountId: s.accountId,
    createdAt: Timestamp.fromDate(s.createdAt),
    expiresAt: Timestamp.fromDate(s.expiresAt),
    userAgent: s.userAgent,
    seq,
  };
}

export function toSession(snap: DocumentSnapshot): Session {
  const d = snap.data() as DocumentData;
  return {
    id: String(d.sessionId),
    accountId: String(d.accountId),
    sessionHash: snap.id,
    createdAt: (d.createdAt as Timestamp).toDate(),
    expiresAt: (d.expiresAt as Timestamp).toDate(),
    userAgent: typeof d.userAgent === 'string' ? d.userAgent : null,
  };
}

export function signInTokenDoc(accountId: string, expiresAt: Date): DocumentData {
  return { accountId, expiresAt: Timestamp.fromDate(expiresAt) };
}

/** Newest first: by `createdAt`, then by `seq` within one instant. */
export function newestFirst(a: DocumentSnapshot, b: DocumentSnapshot): number {
  const at = (d: DocumentSnapshot) => (d.get('createdAt') as Timestamp).toMillis();
  return at(b) - at(a) || Number(b.get('seq')) - Number(a.get('seq'));
}
