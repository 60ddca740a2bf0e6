import { createHash } from 'node:crypto';

/**
 * Abuse limits. Each bucket counts requests per key (an address, an e-mail, an account, a ping
 * token) in fixed windows, and refuses past its limit until the window ends. Fixed windows need
 * one counter per key and window: cheap in memory and one small document in Firestore, where a
 * sliding log would cost a read per request it remembers. A client can at most double a limit
 * across a window boundary, which is fine for limits meant to stop floods, not to meter use.
 */
export const BUCKETS = ['signup', 'recoveryByAddress', 'recoveryByEmail', 'failedAuth', 'management', 'ping'] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface Rule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

/** A rule per bucket; a bucket set to null is not limited. */
export type Rules = Record<Bucket, Rule | null>;

/**
 * Defaults a public service can live with. Pings: a burst of 100 a minute per monitor is far
 * above any job (the shortest schedule is a minute) yet stops a loop from filling storage.
 */
export const DEFAULT_RULES: Rules = {
  signup: { limit: 10, windowSeconds: 3600 },
  recoveryByAddress: { limit: 10, windowSeconds: 3600 },
  recoveryByEmail: { limit: 3, windowSeconds: 3600 },
  failedAuth: { limit: 20, windowSeconds: 600 },
  management: { limit: 120, windowSeconds: 60 },
  ping: { limit: 100, windowSeconds: 60 },
};

/** The environment variable that sets each bucket's rule, as `<count>/<seconds>` or `off`. */
export const RULE_VARIABLES: Record<Bucket, string> = {
  signup: 'CRONPEEK_LIMIT_SIGNUPS',
  recoveryByAddress: 'CRONPEEK_LIMIT_RECOVERY_PER_ADDRESS',
  recoveryByEmail: 'CRONPEEK_LIMIT_RECOVERY_PER_EMAIL',
  failedAuth: 'CRONPEEK_LIMIT_FAILED_AUTH',
  management: 'CRONPEEK_LIMIT_MANAGEMENT',
  ping: 'CRONPEEK_LIMIT_PINGS',
};

export interface Verdict {
  allowed: boolean;
  /** Seconds until the window ends: the `Retry-After` of a refusal. */
  retryAfterSeconds: number;
}

/** The limiter the HTTP layer uses; implementations differ only in where counters live. */
export interface RateLimiter {
  /** Counts one request against `key` in `bucket`; refused (and not counted) once over the limit. */
  take(bucket: Bucket, key: string, now: Date): Promise<Verdict>;
  /** Whether `key` is over the limit in `bucket`, without counting anything. */
  check(bucket: Bucket, key: string, now: Date): Promise<Verdict>;
}

/** Limits switched off (`CRONPEEK_RATE_LIMITS=off`, and every test not about limits). */
export const noLimits: RateLimiter = {
  take: async () => ({ allowed: true, retryAfterSeconds: 0 }),
  check: async () => ({ allowed: true, retryAfterSeconds: 0 }),
};

export function windowOf(rule: Rule, now: Date): { index: number; endsAt: number } {
  const size = rule.windowSeconds * 1000;
  const index = Math.floor(now.getTime() / size);
  return { index, endsAt: (index + 1) * size };
}

export function retryAfter(endsAt: number, now: Date): number {
  return Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000));
}

/**
 * Counter keys are hashed: they include ping tokens and e-mail addresses, which must not sit in
 * memory dumps or Firestore documents in the clear.
 */
export function counterId(bucket: Bucket, key: string, windowIndex: number): string {
  return `${bucket}_${createHash('sha256').update(key).digest('hex').slice(0, 32)}_${windowIndex}`;
}

/** At most this many counters are kept; past it, the oldest are dropped (a flood of new keys cannot exhaust memory). */
const MAX_COUNTERS = 100_000;

/**
 * Counters in this process's memory: exact for the embedded server, which is one process. A
 * restart forgets them, which only ever lets a client through early.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counters = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly rules: Rules) {}

  async take(bucket: Bucket, key: string, now: Date): Promise<Verdict> {
    return this.count(bucket, key, now, true);
  }

  async check(bucket: Bucket, key: string, now: Date): Promise<Verdict> {
    return this.count(bucket, key, now, false);
  }

  private count(bucket: Bucket, key: string, now: Date, increment: boolean): Verdict {
    const rule = this.rules[bucket];
    if (rule === null) return { allowed: true, retryAfterSeconds: 0 };
    const { index, endsAt } = windowOf(rule, now);
    const id = counterId(bucket, key, index);
    const counter = this.counters.get(id) ?? { count: 0, endsAt };
    const verdict = { allowed: counter.count < rule.limit, retryAfterSeconds: retryAfter(endsAt, now) };
    if (increment && verdict.allowed) {
      counter.count++;
      if (!this.counters.has(id)) {
        this.prune(now);
        this.counters.set(id, counter);
      }
    }
    return verdict;
  }

  private prune(now: Date): void {
    if (this.counters.size < MAX_COUNTERS) return;
    for (const [id, c] of this.counters) if (c.endsAt <= now.getTime()) this.counters.delete(id);
    // Still full of live counters: drop the oldest (Map keeps insertion order).
    for (const id of this.counters.keys()) {
      if (this.counters.size < MAX_COUNTERS * 0.9) break;
      this.counters.delete(id);
    }
  }

  /** For tests and the startup line. */
  get size(): number {
    return this.counters.size;
  }
}

/**
 * A limiter that keeps the counters of `local` buckets in this process's memory and every other
 * bucket's where `shared` keeps them. Cloud Functions counts pings this way: see `index.ts`.
 */
export function splitLimiter(local: readonly Bucket[], inMemory: RateLimiter, shared: RateLimiter): RateLimiter {
  const pick = (bucket: Bucket) => (local.includes(bucket) ? inMemory : shared);
  return {
    take: (bucket, key, now) => pick(bucket).take(bucket, key, now),
    check: (bucket, key, now) => pick(bucket).check(bucket, key, now),
  };
}

type Env = Record<string, string | undefined>;

/**
 * The rules from the environment: null when CRONPEEK_RATE_LIMITS=off, otherwise the defaults
 * with each `CRONPEEK_LIMIT_*` override (`<count>/<seconds>`, or `off` for that bucket).
 * Throws an Error naming the variable on a bad value.
 */
export function rulesFrom(env: Env): Rules | null {
  const master = (env.CRONPEEK_RATE_LIMITS ?? '').trim().toLowerCase();
  if (master === 'off' || master === '0' || master === 'false') return null;
  if (master !== '' && master !== 'on' && master !== '1' && master !== 'true') {
    throw new Error(`CRONPEEK_RATE_LIMITS must be "on" or "off" (got "${env.CRONPEEK_RATE_LIMITS}")`);
  }
  const rules: Rules = { ...DEFAULT_RULES };
  for (const bucket of BUCKETS) {
    const name = RULE_VARIABLES[bucket];
    const raw = (env[name] ?? '').trim();
    if (raw === '') continue;
    if (raw === 'off') {
      rules[bucket] = null;
      continue;
    }
    const m = /^(\d{1,9})\/(\d{1,9})$/.exec(raw);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
      throw new Error(`${name} must be <count>/<seconds> such as 10/3600, or off (got "${raw}")`);
    }
    rules[bucket] = { limit: Number(m[1]), windowSeconds: Number(m[2]) };
  }
  return rules;
}

/** `signups 10/3600s, …` for the startup line. */
export function describeRules(rules: Rules | null): string {
  if (rules === null) return 'off (CRONPEEK_RATE_LIMITS=off)';
  return BUCKETS.map((b) => `${b} ${rules[b] === null ? 'off' : `${rules[b]!.limit}/${rules[b]!.windowSeconds}s`}`).join(', ');
}
