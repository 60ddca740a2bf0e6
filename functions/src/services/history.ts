import { AppError, ErrorCode } from '../domain/errors';
import { PLANS } from '../domain/plans';
import type { Account, Flip, Notification, Ping } from '../domain/types';
import type { Page, PageKey } from '../store/port';
import type { Deps } from './context';
import { getOwnMonitor } from './monitors';
import { flipsInMaintenance } from './quiet-view';
import { CHANNEL_ID_PATTERN } from './secrets';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 100;

export interface HistoryRequest {
  limit: number;
  /** The `nextCursor` of the previous page, as the client sent it back; null for the first page. */
  cursor: string | null;
}

export interface HistoryPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Cursors are opaque to clients: the sort key of the last item shown (time, sequence, id) in
 * base64url JSON. Keys never change once written, so paging from one is stable while new pings
 * arrive (they sort before it and are simply not on the pages that follow).
 */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.at.getTime(), key.seq, key.id])).toString('base64url');
}

const BAD_CURSOR = 'cursor is not valid: pass the nextCursor of a previous page unchanged.';

export function decodeCursor(cursor: string): PageKey {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError(ErrorCode.BadRequest, BAD_CURSOR);
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw new AppError(ErrorCode.BadRequest, BAD_CURSOR);
  const [at, seq, id] = parsed as unknown[];
  const ok =
    Number.isSafeInteger(at) && (at as number) >= 0 &&
    Number.isSafeInteger(seq) && (seq as number) >= 0 &&
    typeof id === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(id);
  if (!ok) throw new AppError(ErrorCode.BadRequest, BAD_CURSOR);
  return { at: new Date(at as number), seq: seq as number, id: id as string };
}

function toPage<T>(page: Page<T>): HistoryPage<T> {
  return { items: page.items, nextCursor: page.next === null ? null : encodeCursor(page.next) };
}

/**
 * A page of the monitor's pings, newest first. The plan's history window holds here too, not
 * only when expired pings are purged: a ping older than the window is never shown.
 */
export async function pingHistory(deps: Pick<Deps, 'store' | 'clock'>, account: Account, monitorId: string, req: HistoryRequest): Promise<HistoryPage<Ping>> {
  const monitor = await getOwnMonitor(deps, account, monitorId);
  const before = req.cursor === null ? null : decodeCursor(req.cursor);
  const days = PLANS[account.plan].historyDays;
  const since = days === null ? null : new Date(deps.clock().getTime() - days * 86_400_000);
  return toPage(await deps.store.pingHistory(monitor.id, { limit: req.limit, before, since }));
}

/** A status change as the history shows it: with whether a window of the account covered the monitor then. */
export type FlipItem = Flip & { inMaintenance: boolean };

/** A page of the monitor's status changes, newest first. */
export async function flipHistory(deps: Pick<Deps, 'store'>, account: Account, monitorId: string, req: HistoryRequest): Promise<HistoryPage<FlipItem>> {
  const monitor = await getOwnMonitor(deps, account, monitorId);
  const before = req.cursor === null ? null : decodeCursor(req.cursor);
  const page = toPage(await deps.store.flipHistory(monitor.id, { limit: req.limit, before, since: null }));
  const covered = await flipsInMaintenance(deps, monitor, page.items);
  return { ...page, items: page.items.map((f, i) => ({ ...f, inMaintenance: covered[i] })) };
}

/** A page of the monitor's alerts (its own alert fields' and its channel objects'), newest first. */
export async function monitorDeliveries(deps: Pick<Deps, 'store'>, account: Account, monitorId: string, req: HistoryRequest): Promise<HistoryPage<Notification>> {
  const monitor = await getOwnMonitor(deps, account, monitorId);
  const before = req.cursor === null ? null : decodeCursor(req.cursor);
  return toPage(await deps.store.notificationHistory({ monitorId: monitor.id }, { limit: req.limit, before, since: null }));
}

/**
 * A page of the channel object's alerts, from every monitor and its test alerts, newest first.
 * Another account's channel is a 404 like one nobody has: a channel id says nothing to anyone else.
 */
export async function channelDeliveries(deps: Pick<Deps, 'store'>, account: Account, channelId: string, req: HistoryRequest): Promise<HistoryPage<Notification>> {
  const channel = CHANNEL_ID_PATTERN.test(channelId) ? await deps.store.getChannel(channelId) : null;
  if (channel === null || channel.accountId !== account.id) throw new AppError(ErrorCode.NotFound, 'Channel not found.');
  const before = req.cursor === null ? null : decodeCursor(req.cursor);
  return toPage(await deps.store.notificationHistory({ channelId: channel.id }, { limit: req.limit, before, since: null }));
}
