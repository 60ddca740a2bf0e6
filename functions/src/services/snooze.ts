import { AppError, ErrorCode } from '../domain/errors';
import { snoozeEnd } from '../domain/quiet';
import type { Account, Monitor } from '../domain/types';
import type { Deps } from './context';
import { getOwnMonitor } from './monitors';
import { PING_TOKEN_PATTERN } from './secrets';

/**
 * Snoozing a monitor (issue 21): it is watched and recorded as always, and its alerts are held
 * until the snooze ends (`decideAlert` in domain/quiet.ts). A snooze is one field on the monitor;
 * a new one replaces the old, sooner or later.
 */

/** How long a snooze from a ping URL lasts when it names neither `for` nor `until`: an hour. */
export const DEFAULT_PING_SNOOZE = 3600;

/** How long a snooze lasts: `for` seconds from now, or `until` an instant (60 s to 7 days either way). */
export interface SnoozeRequest {
  for?: number;
  until?: Date;
}

/**
 * Writes the snooze (null lifts it); the monitor as it is afterwards. Alerts the old snooze held
 * are looked at again at once: one lifted or shortened no longer holds them until its old end.
 */
async function setSnooze(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, id: string, snoozedUntil: Date | null, missing: string): Promise<Monitor> {
  const edited = await deps.store.editMonitor(id, () => ({ snoozedUntil }));
  if (edited === null) throw new AppError(ErrorCode.NotFound, missing);
  const now = deps.clock();
  if ((await deps.store.wakeHeldNotifications(edited.accountId, [edited.id], now)) > 0) deps.onDue?.(now);
  return edited;
}

/** Snoozes the account's own monitor (404 for an id nobody has, 403 for someone else's, as every monitor route). */
export async function snoozeMonitor(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, account: Account, id: string, request: SnoozeRequest): Promise<Monitor> {
  await getOwnMonitor(deps, account, id);
  return setSnooze(deps, id, snoozeEnd(request, deps.clock()), 'Monitor not found.');
}

/** Lifts the snooze; a monitor that was not snoozed stays as it is (asking twice is not an error). */
export async function unsnoozeMonitor(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, account: Account, id: string): Promise<Monitor> {
  await getOwnMonitor(deps, account, id);
  return setSnooze(deps, id, null, 'Monitor not found.');
}

/**
 * Snoozes the monitor whose ping token this is, from the job host with no API key. It grants
 * nothing new: whoever holds the token can already keep the monitor green by pinging it. The
 * request is checked before the token is looked up, so a bad one costs no read; no ping is recorded.
 */
export async function snoozeByPingToken(deps: Pick<Deps, 'store' | 'clock' | 'onDue'>, token: string, request: SnoozeRequest): Promise<Monitor> {
  const until = snoozeEnd(request, deps.clock());
  const monitor = PING_TOKEN_PATTERN.test(token) ? await deps.store.findMonitorByPingToken(token) : null;
  if (monitor === null) throw new AppError(ErrorCode.NotFound, 'Unknown ping token.');
  return setSnooze(deps, monitor.id, until, 'Unknown ping token.');
}
