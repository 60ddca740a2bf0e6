import { AppError, ErrorCode } from '../domain/errors';
import { transition } from '../domain/transitions';
import type { Monitor, PingMethod } from '../domain/types';
import type { Deps } from './context';
import { PING_TOKEN_PATTERN } from './secrets';

/** How much of a ping's body is kept. */
export const PING_BODY_LIMIT = 10 * 1024;

export interface PingInput {
  token: string;
  method: PingMethod;
  source: string | null;
  userAgent: string | null;
  body: Buffer | null;
}

/**
 * Records one successful run. The ping row and the status change are written together, and
 * nothing is sent from here: alerts leave through the outbox, so a slow webhook can never delay
 * or fail the job that pinged.
 */
export async function recordPing(deps: Pick<Deps, 'store' | 'clock'>, input: PingInput): Promise<Monitor> {
  if (!PING_TOKEN_PATTERN.test(input.token)) throw new AppError(ErrorCode.NotFound, 'Unknown ping token.');
  const now = deps.clock();
  const body = input.body && input.body.length > 0 ? input.body.subarray(0, PING_BODY_LIMIT).toString('utf8') : null;
  const applied = await deps.store.recordPing(
    input.token,
    {
      at: now,
      method: input.method,
      kind: 'success',
      source: input.source,
      userAgent: input.userAgent ? input.userAgent.slice(0, 512) : null,
      body,
    },
    (m) => transition(m, 'ping', now),
  );
  if (applied === null) throw new AppError(ErrorCode.NotFound, 'Unknown ping token.');
  return applied.monitor;
}
