import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { counterId, retryAfter, windowOf, type Bucket, type RateLimiter, type Rules, type Verdict } from '../../limits';

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
