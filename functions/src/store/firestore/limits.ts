import { FieldValue, Timestamp, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import { counterId, MemoryRateLimiter, retryAfter, splitLimiter, windowOf, type Bucket, type RateLimiter, type Rules, type Verdict } from '../../limits';

/** Counter documents; `expiresAt` carries the TTL policy in firestore.indexes.json, so old windows are deleted. */
export const RATE_LIMITS = 'rateLimits';

/**
 * Counters in Firestore, so a limit holds across every Cloud Functions instance. Counting rests on
 * one atomic step, the counter's increment: a request passes only if the count read back after its
 * own increment is within the limit. Its increment made it the n-th in the window and the count it
 * reads is at least n, so however many requests run at once (recovery e-mails to one address), at
 * most the limit pass; one racing others at the very edge may be refused, never one too many let
 * in. No transaction: a transaction's read lock makes parallel requests for one key (a dashboard's
 * calls with one key) wait seconds for each other. A counted request costs two reads and a write;
 * a key already past its limit is refused after one read, so a flood writes nothing.
 */
export class FirestoreRateLimiter implements RateLimiter {
  constructor(
    private readonly db: Firestore,
    private readonly rules: Rules,
  ) {}

  async take(bucket: Bucket, key: string, now: Date): Promise<Verdict> {
    const rule = this.rules[bucket];
    if (!rule) return { allowed: true, retryAfterSeconds: 0 };
    const { index, endsAt } = windowOf(rule, now);
    const ref = this.db.collection(RATE_LIMITS).doc(counterId(bucket, key, index));
    const retryAfterSeconds = retryAfter(endsAt, now);
    if (countIn(await ref.get()) >= rule.limit) return { allowed: false, retryAfterSeconds };
    await ref.set({ count: FieldValue.increment(1), expiresAt: Timestamp.fromMillis(endsAt) }, { merge: true });
    return { allowed: countIn(await ref.get()) <= rule.limit, retryAfterSeconds };
  }

  async check(bucket: Bucket, key: string, now: Date): Promise<Verdict> {
    const rule = this.rules[bucket];
    if (!rule) return { allowed: true, retryAfterSeconds: 0 };
    const { index, endsAt } = windowOf(rule, now);
    const count = countIn(await this.db.collection(RATE_LIMITS).doc(counterId(bucket, key, index)).get());
    return { allowed: count < rule.limit, retryAfterSeconds: retryAfter(endsAt, now) };
  }
}

const countIn = (snap: DocumentSnapshot): number => (snap.exists ? Number(snap.get('count')) : 0);

/**
 * The limiter of the Cloud Functions API: counters in Firestore, shared by every instance, except
 * for pings, which each instance counts in its own memory. A shared counter would cost every ping
 * a read and a write more (2 reads + 3 writes instead of 1 + 2, on the operation that is nearly
 * all the traffic) and a refused ping still a read, which is what a flood is made of; in memory,
 * both cost nothing. The ping limit exists to stop a job looping on its URL from filling storage:
 * an instance refuses a token past the limit on its own, so a loop gets at most the limit times
 * the number of instances serving it (bounded by the function's maximum instances), and usually
 * the limit itself, since one client's requests mostly reach the instances already warm. Pings to
 * unknown tokens are counted per client address in memory too: a shared counter would cost every
 * ping a read for the check that comes before its token is looked up.
 */
export function cloudLimiter(db: Firestore, rules: Rules): RateLimiter {
  return splitLimiter(['ping', 'unknownPing'], new MemoryRateLimiter(rules), new FirestoreRateLimiter(db, rules));
}
