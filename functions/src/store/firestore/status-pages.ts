import { Timestamp, type DocumentData, type DocumentSnapshot } from 'firebase-admin/firestore';
import type { StatusPage } from '../../domain/status-pages';
import type { StatusPageUpdate } from '../port';

/**
 * Status pages in Firestore (see layout.ts for the rest):
 *
 *   statusPages/{pageId}        a status page; queried by `accountId` only (listing, deleting an
 *                               account's): at most a plan's cap of documents, sorted in memory by
 *                               `createdAt` then `seq` (the account's `statusPageSeq`), so no
 *                               composite index. The account's `statusPageCount` is what the cap checks.
 *   statusPageSlugs/{slug}      { pageId, accountId }: `create()` in the page's transaction makes
 *                               slugs unique across the service (as `emails` makes e-mails unique),
 *                               and a public view finds its page by two document reads, no query.
 *
 * `monitorIds` holds a page's list of ids, `tag` its tag; the other is null.
 */
export const STATUS_PAGES = 'statusPages';
export const STATUS_PAGE_SLUGS = 'statusPageSlugs';

/** The fields an edit rewrites: everything but the id, the account, the creation and its order. */
export function statusPageSettingsDoc(p: StatusPage): DocumentData {
  const ids = Array.isArray(p.monitors) ? [...p.monitors] : null;
  return { slug: p.slug, title: p.title, description: p.description, monitorIds: ids, tag: ids === null && !Array.isArray(p.monitors) ? p.monitors.tag : null };
}

export function statusPageDoc(p: StatusPage, seq: number): DocumentData {
  return { ...statusPageSettingsDoc(p), accountId: p.accountId, createdAt: Timestamp.fromDate(p.createdAt), seq };
}

export function toStatusPage(snap: DocumentSnapshot): StatusPage {
  const d = snap.data() as DocumentData;
  return {
    id: snap.id,
    accountId: String(d.accountId),
    slug: String(d.slug),
    title: String(d.title),
    description: typeof d.description === 'string' ? d.description : null,
    monitors: Array.isArray(d.monitorIds) ? d.monitorIds.map(String) : { tag: String(d.tag) },
    createdAt: (d.createdAt as Timestamp).toDate(),
  };
}

/** The page with an edit applied; what may never change is kept from the stored page. */
export function editedPage(current: StatusPage, edit: StatusPageUpdate): StatusPage {
  return { ...current, ...edit, id: current.id, accountId: current.accountId, createdAt: current.createdAt };
}

/** Oldest first: by `createdAt`, then by `seq` within one instant. */
export function oldestFirst(a: DocumentSnapshot, b: DocumentSnapshot): number {
  const at = (d: DocumentSnapshot) => (d.get('createdAt') as Timestamp).toMillis();
  return at(a) - at(b) || Number(a.get('seq')) - Number(b.get('seq'));
}
