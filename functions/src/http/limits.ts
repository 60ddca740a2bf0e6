import type { Request } from 'express';
import { AppError, ErrorCode } from '../domain/errors';
import { noLimits, type Bucket } from '../limits';
import type { Deps } from '../services/context';

const REFUSALS: Record<Bucket, string> = {
  signup: 'Too many sign-ups from this address.',
  recoveryByAddress: 'Too many key recovery requests from this address.',
  recoveryByEmail: 'Too many key recovery requests for this e-mail address.',
  failedAuth: 'Too many requests with a missing or invalid API key from this address.',
  management: 'Too many API calls with this key.',
  ping: 'Too many pings for this monitor.',
};

/** The client's address as the `trust proxy` setting reads it; never empty, so it can key a counter. */
export function clientAddress(req: Request): string {
  return req.ip || req.socket.remoteAddress || 'unknown';
}

/**
 * The HTTP face of the limiter: counts a request in a bucket and answers 429 with `Retry-After`
 * past the limit. Routes call it with the bucket's key; authentication calls it for every
 * authenticated route (see `createApp`), so routes added later are limited without doing anything.
 */
export function limitGuard(deps: Pick<Deps, 'clock' | 'limiter'>) {
  const limiter = deps.limiter ?? noLimits;
  const refuse = (bucket: Bucket, retryAfterSeconds: number) =>
    new AppError(ErrorCode.RateLimited, `${REFUSALS[bucket]} Try again in ${retryAfterSeconds} s.`, retryAfterSeconds);
  return {
    /** Counts one request; throws the 429 once `key` is over the bucket's limit. */
    async take(bucket: Bucket, key: string): Promise<void> {
      const verdict = await limiter.take(bucket, key, deps.clock());
      if (!verdict.allowed) throw refuse(bucket, verdict.retryAfterSeconds);
    },
    /** Throws the 429 if `key` is already over the limit, counting nothing. */
    async refuseIfOver(bucket: Bucket, key: string): Promise<void> {
      const verdict = await limiter.check(bucket, key, deps.clock());
      if (!verdict.allowed) throw refuse(bucket, verdict.retryAfterSeconds);
    },
    /** Counts one request without refusing this one (a failure already being answered). */
    async count(bucket: Bucket, key: string): Promise<void> {
      await limiter.take(bucket, key, deps.clock());
    },
  };
}

export type LimitGuard = ReturnType<typeof limitGuard>;
