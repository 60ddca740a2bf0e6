import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../domain/errors';
import { PLANS } from '../domain/plans';
import { MAX_PAGE_MONITORS, overallStatus, PAGE_SLUG_PATTERN, type OverallStatus, type PageMonitors, type StatusPage } from '../domain/status-pages';
import { displayLine } from '../domain/text';
import type { Account, Flip, Monitor, MonitorStatus } from '../domain/types';
import { HISTORY_MS, uptimeReport, type StatusHistory, type UptimeReport } from '../domain/uptime';
import type { PageKey, Store, StatusPageUpdate } from '../store/port';
import type { Deps } from './context';

/**
 * Public status pages (issue 22): the owner's API (create, list, read, edit, delete) and the
 * public view, which shows each chosen monitor's name, status, uptime and recent outages and
 * nothing else: no id, ping URL, badge key or address.
 */

/** Status page ids carry their own prefix, so one can never be taken for a monitor's or a window's. */
export const STATUS_PAGE_ID_PATTERN = /^sp_[0-9a-f]{16}$/;
export const newStatusPageId = (): string => `sp_${randomBytes(8).toString('hex')}`;

/** Flips read per page of history, and at most per monitor for one view. */
const FLIP_PAGE = 250;
/**
 * A monitor flipping more than this in 30 days (one flip every 43 minutes) is measured over the
 * part of the month its latest flips cover; the time before them counts as not observed. The
 * latest ten outages are always among them.
 */
export const MAX_FLIPS_READ = 1_000;

export interface StatusPageInput {
  slug: string;
  title: string;
  description?: string | null;
  monitors: PageMonitors;
}

export type StatusPageEdit = Partial<StatusPageInput>;

const notFound = () => new AppError(ErrorCode.NotFound, 'Status page not found.');
const slugTaken = (slug: string) => new AppError(ErrorCode.Conflict, `The slug ${slug} is already taken by another status page. Choose another.`);

/**
 * Ids in the order given, each once; an id that is not a monitor of the account is a 400 naming
 * it (another account's reads the same as one nobody has). A tag needs no check: it is resolved
 * when the page is shown.
 */
async function ownMonitors(deps: Pick<Deps, 'store'>, account: Account, monitors: PageMonitors): Promise<PageMonitors> {
  if (!Array.isArray(monitors)) return { tag: monitors.tag };
  const ids = [...new Set(monitors)];
  const owned = new Set((await deps.store.listMonitors(account.id)).map((m) => m.id));
  const unknown = ids.find((id) => !owned.has(id));
  if (unknown !== undefined) throw new AppError(ErrorCode.BadRequest, `monitors: unknown monitor ${unknown}.`);
  return ids;
}

/** Creates a page, refusing past the plan's number of pages (403) and a slug another page has (409). */
export async function createStatusPage(deps: Pick<Deps, 'store' | 'clock'>, account: Account, input: StatusPageInput): Promise<StatusPage> {
  const page: StatusPage = {
    id: newStatusPageId(),
    accountId: account.id,
    slug: input.slug,
    title: input.title,
    description: input.description ?? null,
    monitors: await ownMonitors(deps, account, input.monitors),
    createdAt: deps.clock(),
  };
  const plan = PLANS[account.plan];
  const result = await deps.store.createStatusPage(page, plan.maxStatusPages);
  if (result === 'limit_reached') {
    throw new AppError(ErrorCode.PlanLimit, `Status page limit reached (${plan.maxStatusPages}). Delete a page or upgrade your plan for more.`);
  }
  if (result === 'slug_taken') throw slugTaken(page.slug);
  return page;
}

/** The account's pages, oldest first. */
export function listStatusPages(deps: Pick<Deps, 'store'>, account: Account): Promise<StatusPage[]> {
  return deps.store.listStatusPages(account.id);
}

/** The account's own page. An id nobody has, a malformed one and another account's are the same 404. */
export async function getOwnStatusPage(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<StatusPage> {
  const page = STATUS_PAGE_ID_PATTERN.test(id) ? await deps.store.getStatusPage(id) : null;
  if (page === null || page.accountId !== account.id) throw notFound();
  return page;
}

/** Applies an edit of any of the fields; new monitor ids are checked as on creation, a new slug must be free. */
export async function editStatusPage(deps: Pick<Deps, 'store'>, account: Account, id: string, edit: StatusPageEdit): Promise<StatusPage> {
  await getOwnStatusPage(deps, account, id);
  const update: StatusPageUpdate = {};
  if (edit.slug !== undefined) update.slug = edit.slug;
  if (edit.title !== undefined) update.title = edit.title;
  if (edit.description !== undefined) update.description = edit.description;
  if (edit.monitors !== undefined) update.monitors = await ownMonitors(deps, account, edit.monitors);
  const edited = await deps.store.updateStatusPage(id, update);
  if (edited === null) throw notFound();
  if (edited === 'slug_taken') throw slugTaken(update.slug as string);
  return edited;
}

export async function deleteStatusPage(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<void> {
  await getOwnStatusPage(deps, account, id);
  // A concurrent delete may win; either way it is gone, which is what was asked.
  await deps.store.deleteStatusPage(id);
}

/** One monitor as the public sees it. */
export interface PublicMonitor extends UptimeReport {
  name: string;
  status: MonitorStatus;
}

/** A page as the public sees it, as of `updatedAt`. */
export interface PublicStatusPage {
  title: string;
  description: string | null;
  updatedAt: Date;
  overall: OverallStatus;
  monitors: PublicMonitor[];
}

/**
 * The monitors a page shows: its ids in its order (a monitor deleted since is left out), or its
 * account's monitors with its tag, by name, at most MAX_PAGE_MONITORS of them.
 */
async function shownMonitors(store: Store, page: StatusPage): Promise<Monitor[]> {
  if (!Array.isArray(page.monitors)) {
    const tag = page.monitors.tag;
    const tagged = (await store.listMonitors(page.accountId)).filter((m) => m.tags.includes(tag));
    return tagged.sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_PAGE_MONITORS);
  }
  const monitors = await Promise.all(page.monitors.map((id) => store.getMonitor(id)));
  return monitors.filter((m): m is Monitor => m !== null && m.accountId === page.accountId);
}

/**
 * The key of "everything older than `at`" in flip history: flip sequences start at 1, so a
 * sequence of 0 at `at` puts every flip at `at` on the newer side.
 */
const olderThan = (at: Date): PageKey => ({ at, seq: 0, id: '0' });

/**
 * The monitor's flips of the last 30 days, newest first, at most MAX_FLIPS_READ; and, when it was
 * down as the 30 days began, the flip that took it down, so that outage is shown with its start.
 */
async function recentHistory(store: Store, monitor: Monitor, now: Date): Promise<StatusHistory> {
  const since = new Date(now.getTime() - HISTORY_MS);
  const flips: Flip[] = [];
  let before: PageKey | null = null;
  for (;;) {
    const page = await store.flipHistory(monitor.id, { limit: FLIP_PAGE, before, since });
    flips.push(...page.items);
    if (page.next === null) break;
    if (flips.length >= MAX_FLIPS_READ) return { flips, status: monitor.status, createdAt: monitor.createdAt, knownSince: flips[flips.length - 1].at };
    before = page.next;
  }
  const statusThen = flips.length > 0 ? flips[flips.length - 1].from : monitor.status;
  if (statusThen === 'down') flips.push(...(await store.flipHistory(monitor.id, { limit: 1, before: olderThan(since), since: null })).items);
  return { flips, status: monitor.status, createdAt: monitor.createdAt, knownSince: monitor.createdAt };
}

async function publicMonitor(store: Store, monitor: Monitor, now: Date): Promise<PublicMonitor> {
  const report = uptimeReport(await recentHistory(store, monitor, now), now);
  return { name: displayLine(monitor.name), status: monitor.status, ...report };
}

/** The public view of the page at `/status/<slug>`; a slug no page has is a 404. */
export async function showStatusPage(deps: Pick<Deps, 'store' | 'clock'>, slug: string): Promise<PublicStatusPage> {
  // Checked before any read: a path segment that could be no slug costs nothing.
  const page = PAGE_SLUG_PATTERN.test(slug) ? await deps.store.findStatusPageBySlug(slug) : null;
  if (page === null) throw notFound();
  const now = deps.clock();
  const monitors = await Promise.all((await shownMonitors(deps.store, page)).map((m) => publicMonitor(deps.store, m, now)));
  return {
    title: displayLine(page.title),
    description: page.description,
    updatedAt: now,
    overall: overallStatus(monitors.map((m) => m.status)),
    monitors,
  };
}
