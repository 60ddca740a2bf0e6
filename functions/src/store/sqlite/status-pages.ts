import type { PageMonitors, StatusPage } from '../../domain/status-pages';
import type { StatusPageUpdate } from '../port';
import { insertSql, ms, type Row } from './rows';

/**
 * Status pages as SQLite rows (migration "Status pages" in schema.ts). Kept apart from rows.ts so
 * that features added at the same time do not share a file.
 */
export const STATUS_PAGE_COLUMNS = ['id', 'account_id', 'slug', 'title', 'description', 'monitors', 'created_at'] as const;

export const INSERT_STATUS_PAGE = insertSql('status_pages', STATUS_PAGE_COLUMNS);

/** What an edit may rewrite: everything but the id, the account and the creation time. */
export const UPDATE_STATUS_PAGE = 'UPDATE status_pages SET slug = ?, title = ?, description = ?, monitors = ? WHERE id = ?';

export function statusPageValues(p: StatusPage): unknown[] {
  return [p.id, p.accountId, p.slug, p.title, p.description, JSON.stringify(p.monitors), ms(p.createdAt)];
}

/** The edited page's writable columns, in UPDATE_STATUS_PAGE's order (its id last). */
export function statusPageUpdateValues(p: StatusPage): unknown[] {
  return [p.slug, p.title, p.description, JSON.stringify(p.monitors), p.id];
}

export function toStatusPage(r: Row): StatusPage {
  const monitors = JSON.parse(String(r.monitors)) as PageMonitors;
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    slug: String(r.slug),
    title: String(r.title),
    description: typeof r.description === 'string' ? r.description : null,
    monitors: Array.isArray(monitors) ? monitors.map(String) : { tag: String(monitors.tag) },
    createdAt: new Date(Number(r.created_at)),
  };
}

/** The page with an edit applied; what may never change is kept from the stored page. */
export function editedPage(current: StatusPage, edit: StatusPageUpdate): StatusPage {
  return { ...current, ...edit, id: current.id, accountId: current.accountId, createdAt: current.createdAt };
}
