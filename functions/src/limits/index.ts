import crypto from 'node:crypto';

/**
 * Abuse limits. Each bucket counts requests per key (an address, an e-mail, an account, a ping
 * token) in fixed windows, and refuses past its limit until the window ends. Fixed windows need
 * one counter per key and window: cheap in memory and one small document in Firestore, where a
 * sliding log would cost a read per request it remembers. A client can at most double a limit
 * across a window boundary, which is fine for limits meant to stop floods, not to meter use.
 */
export const BUCKETS = ['signup', 'recoveryByAddress', 'recoveryByEmail', 'failedAuth', 'management', 'ping', 'unknownPing', 'channelTest', 'channelTestAccount', 'signInByAddress', 'signInByEmail', 'statusPage', 'schedulePreview'] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface Rule {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

/** A rule per bucket; a bucket set to null, or left out, is not limited. */
export type Rules = Partial<Record<Bucket, Rule | null>>;

/**
 * Defaults a public service can live with. Pings: a burst of 100 a minute per monitor is far
 * above any job (the shortest schedule is a minute) yet stops a loop from filling storage.
 * Pings to unknown tokens: 100 a minute per client address leaves room for many jobs still
 * pinging a deleted monitor, and stops one address from sweeping through made-up tokens.
 */
export const DEFAULT_RULES: Required<Rules> = {
  signup: { limit: 10, windowSeconds: 3600 },
  recoveryByAddress: { limit: 10, windowSeconds: 3600 },
  recoveryByEmail: { limit: 3, windowSeconds: 3600 },
  failedAuth: { limit: 20, windowSeconds: 600 },
  management: { limit: 120, windowSeconds: 60 },
  ping: { limit: 100, windowSeconds: 60 },
  unknownPing: { limit: 100, windowSeconds: 60 },
  // A channel's test button sends a real message to someone's chat or pager: a few a minute per
  // channel is plenty for setting one up, and an hourly cap per account stops it becoming a spam relay.
  channelTest: { limit: 5, windowSeconds: 60 },
  channelTestAccount: { limit: 30, windowSeconds: 3600 },
  // Sign-in links: each request may send an e-mail, so an address is held to a few an hour
  // (enough for a lost or slow message); a client address to a few dozen (an office behind one NAT).
  signInByAddress: { limit: 20, windowSeconds: 3600 },
  signInByEmail: { limit: 5, windowSeconds: 3600 },
  statusPage: { limit: 60, windowSeconds: 60 },
  // The new-monitor form asks once per edit of the schedule, debounced: a minute of typing fits.
  schedulePreview: { limit: 60, windowSeconds: 60 },
};

/** The environment variable that sets each bucket's rule, as `<count>/<seconds>` or `off`. */
export const RULE_VARIABLES: Record<Bucket, string> = {
  signup: 'CRONPEEK_LIMIT_SIGNUPS',
  recoveryByAddress: 'CRONPEEK_LIMIT_RECOVERY_PER_ADDRESS',
  recoveryByEmail: 'CRONPEEK_LIMIT_RECOVERY_PER_EMAIL',
  failedAuth: 'CRONPEEK_LIMIT_FAILED_AUTH',
  management: 'CRONPEEK_LIMIT_MANAGEMENT',
  ping: 'CRONPEEK_LIMIT_PINGS',
  unknownPing: 'CRONPEEK_LIMIT_UNKNOWN_PINGS',
  channelTest: 'CRONPEEK_LIMIT_CHANNEL_TESTS',
  channelTestAccount: 'CRONPEEK_LIMIT_CHANNEL_TESTS_PER_ACCOUNT',
  signInByAddress: 'CRONPEEK_LIMIT_SIGN_IN_PER_ADDRESS',
  signInByEmail: 'CRONPEEK_LIMIT_SIGN_IN_PER_EMAIL',
  statusPage: 'CRONPEEK_LIMIT_STATUS_PAGES',
  schedulePreview: 'CRONPEEK_LIMIT_SCHEDULE_PREVIEWS',
};

export interface Verdict {
  allowed: boolean;
  /** Seconds until the window ends: the `Retry-After` of a refusal. */
  retryAfterSeconds: number;
  /** Refused because the limiter holds as many counters as it may, none of them expired. */
  full?: true;
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
  return `${bucket}_${sha256Hex(key).slice(0, 32)}_${windowIndex}`;
}

/**
 * SHA-256 of a string. Every ping hashes its token: the one-shot `crypto.hash` (Node ≥ 20.12)
 * takes about 0.35 µs where a `createHash` object takes 1.1–1.9 µs (issue 24).
 */
const sha256: (data: string, encoding: 'hex' | 'base64') => string =
  typeof crypto.hash === 'function'
    ? (data, encoding) => crypto.hash('sha256', data, encoding)
    : (data, encoding) => crypto.createHash('sha256').update(data).digest(encoding);
const sha256Hex = (data: string) => sha256(data, 'hex');

/**
 * The in-memory limiter's key for a bucket's counter: the hash of bucket and key, whole, as the
 * Map key. No window in it (a counter from an ended window is reused), no slice of a longer
 * string (which would keep the whole string alive) and no concatenation around it: about 120
 * bytes a counter instead of 310, which matters when 100,000 monitors ping within a minute.
 */
function memoryKey(bucket: Bucket, key: string): string {
  return sha256(`${bucket}\n${key}`, 'base64');
}

/** At most this many counters per table (a flood of new keys cannot exhaust memory). */
export const TABLE_CAPACITY = 100_000;

/**
 * Which counters share a table. Pings, known or not, are what anyone can send in bulk without an
 * account, so they get a table of their own: however many tokens and addresses a flood brings,
 * it cannot crowd out the counters that stop key guessing, sign-up floods and recovery e-mails.
 */
const TABLE_OF: Record<Bucket, 'pings' | 'clients'> = {
  signup: 'clients',
  recoveryByAddress: 'clients',
  recoveryByEmail: 'clients',
  failedAuth: 'clients',
  management: 'clients',
  ping: 'pings',
  unknownPing: 'pings',
  channelTest: 'clients',
  channelTestAccount: 'clients',
  signInByAddress: 'clients',
  signInByEmail: 'clients',
  statusPage: 'clients',
  schedulePreview: 'clients',
};

interface Counter {
  count: number;
  endsAt: number;
}

/**
 * Counters up to a fixed number. None is dropped before its window ends: dropping one would give
 * its key a fresh allowance (a locked-out address let in again), so a table full of live counters
 * refuses new keys instead, until the first of them ends.
 */
class CounterTable {
  private readonly counters = new Map<string, Counter>();
  /**
   * The earliest end among the counters: before it, a full table has nothing to free. A counter
   * that starts a new window in place ends later; this may then be early, which costs at most one
   * pass that finds nothing and sets it right.
   */
  private firstEnd = Infinity;

  constructor(private readonly capacity: number) {}

  get(id: string): Counter | undefined {
    return this.counters.get(id);
  }

  /** Adds a counter; false when the table is full of live counters. */
  add(id: string, counter: Counter, now: Date): boolean {
    if (this.counters.size >= this.capacity) this.dropEnded(now);
    if (this.counters.size >= this.capacity) return false;
    this.counters.set(id, counter);
    this.firstEnd = Math.min(this.firstEnd, counter.endsAt);
    return true;
  }

  /** When the first counter ends, freeing room. */
  get freeAt(): number {
    return this.firstEnd;
  }

  get size(): number {
    return this.counters.size;
  }

  /** One pass over the table, only once something has ended: a flood never costs a pass per request. */
  private dropEnded(now: Date): void {
    if (now.getTime() < this.firstEnd) return;
    let firstEnd = Infinity;
    for (const [id, c] of this.counters) {
      if (c.endsAt <= now.getTime()) this.counters.delete(id);
      else firstEnd = Math.min(firstEnd, c.endsAt);
    }
    this.firstEnd = firstEnd;
  }
}

/**
 * Counters in this process's memory: exact for the embedded server, which is one process. A
 * restart forgets them, which only ever lets a client through early.
 *
 * A ping token that finds the ping table full of live counters is let through uncounted, not
 * refused: 100,000 monitors pinging in the same minute (an hour boundary) fill the table with
 * legitimate counters, and refusing the next job's ping would lose it and raise a false alarm
 * later. What a flood of made-up tokens could then cost is bounded elsewhere: each one that turns
 * out unknown counts against its client address (`unknownPing`), and that bucket, like every
 * other, still refuses new keys while its table is full.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly tables: Record<'pings' | 'clients', CounterTable>;

  constructor(
    private readonly rules: Rules,
    capacity = TABLE_CAPACITY,
  ) {
    this.tables = { pings: new CounterTable(capacity), clients: new CounterTable(capacity) };
  }

  async take(bucket: Bucket, key: string, now: Date): Promise<Verdict> {
    return this.count(bucket, key, now, true);
  }

  async check(bucket: Bucket, key: string, now: Date): Promise<Verdict> {
    return this.count(bucket, key, now, false);
  }

  private count(bucket: Bucket, key: string, now: Date, increment: boolean): Verdict {
    const rule = this.rules[bucket];
    if (!rule) return { allowed: true, retryAfterSeconds: 0 };
    const { endsAt } = windowOf(rule, now);
    const id = memoryKey(bucket, key);
    const table = this.tables[TABLE_OF[bucket]];
    const counter = table.get(id);
    // A counter of an earlier window counts nothing in this one: it starts over in place.
    if (counter !== undefined && counter.endsAt !== endsAt) {
      counter.count = 0;
      counter.endsAt = endsAt;
    }
    const verdict: Verdict = { allowed: (counter?.count ?? 0) < rule.limit, retryAfterSeconds: retryAfter(endsAt, now) };
    if (!increment || !verdict.allowed) return verdict;
    if (counter !== undefined) counter.count++;
    else if (!table.add(id, { count: 1, endsAt }, now)) {
      return bucket === 'ping' ? verdict : { allowed: false, retryAfterSeconds: retryAfter(table.freeAt, now), full: true };
    }
    return verdict;
  }

  /** Counters held, in both tables (for tests and the startup line). */
  get size(): number {
    return this.tables.pings.size + this.tables.clients.size;
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
export function rulesFrom(env: Env): Required<Rules> | null {
  const master = (env.CRONPEEK_RATE_LIMITS ?? '').trim().toLowerCase();
  if (master === 'off' || master === '0' || master === 'false') return null;
  if (master !== '' && master !== 'on' && master !== '1' && master !== 'true') {
    throw new Error(`CRONPEEK_RATE_LIMITS must be "on" or "off" (got "${env.CRONPEEK_RATE_LIMITS}")`);
  }
  const rules: Required<Rules> = { ...DEFAULT_RULES };
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
  return BUCKETS.map((b) => {
    const rule = rules[b];
    return `${b} ${rule ? `${rule.limit}/${rule.windowSeconds}s` : 'off'}`;
  }).join(', ');
}
