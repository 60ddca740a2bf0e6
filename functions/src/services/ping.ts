import { outputTail } from '../domain/alerts';
import { AppError, ErrorCode } from '../domain/errors';
import { transition } from '../domain/transitions';
import type { Monitor, PingKind, PingMethod } from '../domain/types';
import type { Deps } from './context';
import { PING_TOKEN_PATTERN } from './secrets';

/**
 * How much of a ping's body is kept: a failure's body is what explains it, so it keeps 10 KB; a
 * success or a start keeps a short 1 KB, which holds a summary line or two. The bodies an account
 * keeps in all are bounded too, by its plan (`pingBodyBytes`).
 */
export const FAILURE_BODY_LIMIT = 10 * 1024;
export const SUCCESS_BODY_LIMIT = 1024;

export const bodyLimitFor = (kind: PingKind): number => (kind === 'fail' ? FAILURE_BODY_LIMIT : SUCCESS_BODY_LIMIT);

export interface PingInput {
  token: string;
  method: PingMethod;
  source: string | null;
  userAgent: string | null;
  body: Buffer | null;
  /** What the job reported; the plain ping URL is a success. */
  kind?: PingKind;
  exitCode?: number | null;
  /** Pairs a start with its end when runs overlap. */
  rid?: string | null;
}

/**
 * Records one signal from a job: a success (the plain ping URL), a start, or a failure. The ping row and the status change are written together, and
 * nothing is sent from here: alerts leave through the outbox, so a slow webhook can never delay
 * or fail the job that pinged.
 */
export async function recordPing(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, input: PingInput): Promise<Monitor> {
  if (!PING_TOKEN_PATTERN.test(input.token)) throw new AppError(ErrorCode.NotFound, 'Unknown ping token.');
  const now = deps.clock();
  const kind = input.kind ?? 'success';
  const limit = bodyLimitFor(kind);
  const body = input.body && input.body.length > 0 ? input.body.subarray(0, limit).toString('utf8') : null;
  const exitCode = input.exitCode ?? null;
  const rid = input.rid ?? null;
  // The end of a long log is what says why a run failed, so the alert quotes the tail of the whole body.
  const output = kind === 'fail' && input.body && input.body.length > 0 ? outputTail(input.body.subarray(-FAILURE_BODY_LIMIT).toString('utf8')) : null;
  const bodyTruncated = input.body !== null && input.body.length > limit;
  const applied = await deps.store.recordPing(
    input.token,
    {
      at: now,
      method: input.method,
      kind,
      exitCode,
      rid,
      source: input.source,
      userAgent: input.userAgent ? input.userAgent.slice(0, 512) : null,
      body,
      bodyTruncated,
    },
    (m) => transition(m, { kind, exitCode, rid, output }, now),
  );
  if (applied === null) throw new AppError(ErrorCode.NotFound, 'Unknown ping token.');
  wakeFor(deps, applied.monitor, (applied.transition?.notifications.length ?? 0) > 0 ? now : null);
  return applied.monitor;
}

/** Tells the embedded checker what a write made due: the monitor's deadline, and `queuedAt` for alerts it queued. */
export function wakeFor(deps: Pick<Deps, 'onDue'>, monitor: Monitor, queuedAt: Date | null): void {
  if (deps.onDue === undefined) return;
  if (queuedAt !== null) deps.onDue(queuedAt);
  if (monitor.alertAt !== null) deps.onDue(monitor.alertAt);
}
