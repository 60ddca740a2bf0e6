/** Timeouts and connection failures in a row after which a host's circuit opens. */
export const CIRCUIT_FAILURES = 3;
/** How long an open circuit skips its host before one request may try it again. */
export const CIRCUIT_COOL_OFF_MS = 60_000;
/** Hosts with failures remembered at once; past this the longest-known one is forgotten. */
const MAX_TRACKED_HOSTS = 10_000;

export interface CircuitOptions {
  failures?: number;
  coolOffMs?: number;
}

interface HostState {
  failures: number;
  /** While set and in the future, sends to the host are skipped. */
  openUntil: number | null;
}

/** Why a send was skipped: its host's circuit is open. */
export interface OpenCircuit {
  host: string;
  failures: number;
  until: Date;
}

/**
 * A per-host circuit breaker, one per process (in memory). A host that has timed out or refused
 * connections `failures` times in a row is skipped for `coolOffMs`, so a tarpit costs its owner's
 * alerts one quick "not tried" each instead of a slot for the whole timeout. After the cool-off
 * the next request is let through as a trial and the window re-armed: an answer of any status
 * closes the circuit, another failure keeps it open. Answers (even 5xx) are not failures here:
 * they come back quickly and hold no slot.
 */
export class CircuitBreaker {
  private readonly hosts = new Map<string, HostState>();
  private readonly failures: number;
  private readonly coolOffMs: number;

  constructor(
    private readonly clock: () => Date,
    options: CircuitOptions = {},
  ) {
    this.failures = options.failures ?? CIRCUIT_FAILURES;
    this.coolOffMs = options.coolOffMs ?? CIRCUIT_COOL_OFF_MS;
  }

  /** Null when a request to `host` may go ahead; otherwise why it may not. */
  check(host: string): OpenCircuit | null {
    const state = this.hosts.get(host);
    if (state === undefined || state.openUntil === null) return null;
    const now = this.clock().getTime();
    if (now < state.openUntil) return { host, failures: state.failures, until: new Date(state.openUntil) };
    // Cool-off over: this request is the trial; others wait for the window it re-arms.
    state.openUntil = now + this.coolOffMs;
    return null;
  }

  /** Records how a request to `host` ended: `failed` for a timeout or a connection failure. */
  record(host: string, failed: boolean): void {
    if (!failed) {
      this.hosts.delete(host);
      return;
    }
    const state = this.hosts.get(host) ?? this.track(host);
    state.failures++;
    if (state.failures >= this.failures) state.openUntil = this.clock().getTime() + this.coolOffMs;
  }

  private track(host: string): HostState {
    if (this.hosts.size >= MAX_TRACKED_HOSTS) this.hosts.delete(this.hosts.keys().next().value as string);
    const state: HostState = { failures: 0, openUntil: null };
    this.hosts.set(host, state);
    return state;
  }
}
