import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { counterId, MemoryRateLimiter, retryAfter, splitLimiter, windowOf, type Bucket, type RateLimiter, type Rules, type Verdict } from '../../limits';

/** Counter documents; `expiresAt` carries the TTL policy in firestore.indexes.json, so old windows are deleted. */
export const RATE_LIMITS = 'rateLimits';

/**
 * Counters in Firestore, so a limit holds across every Cloud Functions instance. A request costs
 * one document read, plus one write while under the limit: the read decides, then an increment
 * counts. Deliberately not a transaction: concurrent requests at the very edge may each pass
 * (overshooting by the number in flight), but nothing ever waits on a hot counter's lock, and a
 * flood past the limit costs reads only.
 */
export class FirestoreRateLimiter implements RateLimiter {
  constructor(
    private readonly db: Firestore,
    private readonly rules: Rules,
  ) {}

  async take(bucket: Bucket, key: string, now: Date): Promise<Verdict> {
    return this.count(bucket, key, now, true);
  }

  async check(bucket: Bucket, key: string, now: Date): Promise<Verdict> {
    return this.count(bucket, key, now, false);
  }

  private async count(bucket: Bucket, key: string, now: Date, increment: boolean): Promise<Verdict> {
    const rule = this.rules[bucket];
    if (rule === null) return { allowed: true, retryAfterSeconds: 0 };
    const { index, endsAt } = windowOf(rule, now);
    const ref = this.db.collection(RATE_LIMITS).doc(counterId(bucket, key, index));
    const snap = await ref.get();
    const count = snap.exists ? Number(snap.get('count')) : 0;
    const verdict = { allowed: count < rule.limit, retryAfterSeconds: retryAfter(endsAt, now) };
    if (increment && verdict.allowed) {
      await ref.set({ count: FieldValue.increment(1), expiresAt: Timestamp.fromMillis(endsAt) }, { merge: true });
    }
    return verdict;
  }
}

/**
 * The limiter of the Cloud Functions API: counters in Firestore, shared by every instance, except
 * for pings, which each instance counts in its own memory. A shared counter would cost every ping
 * a read and a write more (2 reads + 3 writes instead of 1 + 2, on the operation that is nearly
 * all the traffic) and a refused ping still a read, which is what a flood is made of; in memory,
 * both cost nothing. The ping limit exists to stop a job looping on its URL from filling storage:
 * an instance refuses a token past the limit on its own, so a loop gets at most the limit times
 * the number of instances serving it (bounded by the function's maximum instances), and usually
 * the limit itself, since one client's requests mostly reach the instances already warm.
 */
export function cloudLimiter(db: Firestore, rules: Rules): RateLimiter {
  return splitLimiter(['ping'], new MemoryRateLimiter(rules), new FirestoreRateLimiter(db, rules));
}
