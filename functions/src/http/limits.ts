import net from 'node:net';
import type { Request } from 'express';
import { AppError, ErrorCode } from '../domain/errors';
import { noLimits, type Bucket, type Verdict } from '../limits';
import type { Deps } from '../services/context';

const REFUSALS: Record<Bucket, string> = {
  signup: 'Too many sign-ups from this address.',
  recoveryByAddress: 'Too many key recovery requests from this address.',
  recoveryByEmail: 'Too many key recovery requests for this e-mail address.',
  failedAuth: 'Too many requests with a missing or invalid API key from this address.',
  management: 'Too many API calls with this key.',
  ping: 'Too many pings for this monitor.',
  unknownPing: 'Too many pings to unknown ping URLs from this address.',
  channelTest: 'Too many tests of this channel.',
  channelTestAccount: 'Too many channel tests for this account.',
  signInByAddress: 'Too many sign-in link requests from this address.',
  signInByEmail: 'Too many sign-in link requests for this e-mail address.',
  statusPage: 'Too many status page views from this address.',
  schedulePreview: 'Too many schedule previews from this address.',
};

/** The answer when the limiter holds all the counters it may, whatever the bucket. */
const FULL = 'Too many clients at once.';

/** The client's address as the `trust proxy` setting reads it, as a limit key (see `addressKey`). */
export function clientAddress(req: Request): string {
  return addressKey(req.ip || req.socket.remoteAddress || '');
}

/**
 * The key that counts an address against the per-address limits; never empty. An IPv6 client is
 * counted by its /64: one subscriber or server gets a whole /64, so counting single addresses
 * would hand it 2^64 fresh allowances. An IPv4 address reached over IPv6 (`::ffff:192.0.2.1`)
 * counts as itself.
 */
export function addressKey(address: string): string {
  if (!net.isIPv6(address)) return address || 'unknown';
  const groups = ipv6Groups(address.split('%')[0]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and a trailing IPv4 part split in two. */
function ipv6Groups(address: string): number[] {
  const hex = (part: string) => (part === '' ? [] : part.split(':')).flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const [a, b, c, d] = g.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
  const [head, tail] = address.split('::');
  const before = hex(head);
  const after = tail === undefined ? [] : hex(tail);
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}

/**
 * The HTTP face of the limiter: counts a request in a bucket and answers 429 with `Retry-After`
 * past the limit. Routes call it with the bucket's key; authentication calls it for every
 * authenticated route (`withAccount` in ./auth), so routes added later are limited without doing anything.
 */
export function limitGuard(deps: Pick<Deps, 'clock' | 'limiter'>) {
  const limiter = deps.limiter ?? noLimits;
  const refuse = (bucket: Bucket, verdict: Verdict) =>
    new AppError(ErrorCode.RateLimited, `${verdict.full ? FULL : REFUSALS[bucket]} Try again in ${verdict.retryAfterSeconds} s.`, verdict.retryAfterSeconds);
  return {
    /** Counts one request; throws the 429 once `key` is over the bucket's limit. */
    async take(bucket: Bucket, key: string): Promise<void> {
      const verdict = await limiter.take(bucket, key, deps.clock());
      if (!verdict.allowed) throw refuse(bucket, verdict);
    },
    /** Throws the 429 if `key` is already over the limit, counting nothing. */
    async refuseIfOver(bucket: Bucket, key: string): Promise<void> {
      const verdict = await limiter.check(bucket, key, deps.clock());
      if (!verdict.allowed) throw refuse(bucket, verdict);
    },
    /** Counts one request without refusing this one (a failure already being answered). */
    async count(bucket: Bucket, key: string): Promise<void> {
      await limiter.take(bucket, key, deps.clock());
    },
  };
}

export type LimitGuard = ReturnType<typeof limitGuard>;
