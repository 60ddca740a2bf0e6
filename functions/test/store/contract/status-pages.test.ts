import type { StatusPage } from '../../../src/domain/status-pages';
import { newStatusPageId } from '../../../src/services/status-pages';
import type { InspectableStore } from '../../../src/store/inspection';
import { makeMonitor } from '../../support/factories';
import { storeKinds } from '../../support/stores';
import { at, storePerTest, togetherOn } from './support';

let slugs = 0;
/** A slug no other page in the run has. */
const freshSlug = () => `status-${++slugs}-${Math.random().toString(36).slice(2, 8)}`;

function makePage(accountId: string, overrides: Partial<StatusPage> = {}): StatusPage {
  return { id: newStatusPageId(), accountId, slug: freshSlug(), title: 'Acme status', description: null, monitors: ['0123456789abcdef'], createdAt: at(0), ...overrides };
}

/** The storage contract for status pages: unique slugs across accounts, the cap, edits that move a slug, gone with their account. */
describe.each(storeKinds())('store contract on %s', (name, kind) => {
  let store: InspectableStore;
  const newAccount = storePerTest(kind, (opened) => (store = opened));


  describe('status pages', () => {
    test('a created page is read by id and by slug as written, ids and tag alike', async () => {
      const account = await newAccount();
      const byIds = makePage(account.id, { description: 'Our nightly jobs', monitors: ['0123456789abcdef', 'fedcba9876543210'] });
      const byTag = makePage(account.id, { monitors: { tag: 'prod' }, createdAt: at(10) });
      expect(await store.createStatusPage(byIds, 5)).toBe('created');
      expect(await store.createStatusPage(byTag, 5)).toBe('created');
      expect(await store.getStatusPage(byIds.id)).toEqual(byIds);
      expect(await store.findStatusPageBySlug(byIds.slug)).toEqual(byIds);
      expect(await store.findStatusPageBySlug(byTag.slug)).toEqual(byTag);
      expect(await store.getStatusPage(newStatusPageId())).toBeNull();
      expect(await store.findStatusPageBySlug('no-such-page')).toBeNull();
    });

    test('an account lists its own pages oldest first, in creation order within one instant', async () => {
      const account = await newAccount();
      const other = await newAccount();
      const late = makePage(account.id, { title: 'late', createdAt: at(60) });
      const early = makePage(account.id, { title: 'early', createdAt: at(0) });
      const sameA = makePage(account.id, { title: 'same a', createdAt: at(30) });
      const sameB = makePage(account.id, { title: 'same b', createdAt: at(30) });
      for (const p of [late, early, sameA, sameB]) expect(await store.createStatusPage(p, 10)).toBe('created');
      await store.createStatusPage(makePage(other.id, { title: 'theirs' }), 10);
      expect((await store.listStatusPages(account.id)).map((p) => p.title)).toEqual(['early', 'same a', 'same b', 'late']);
      expect(await store.listStatusPages(account.id)).toContainEqual(early);
      expect(await store.listStatusPages('nobody')).toEqual([]);
    });

    test('a slug another account’s page has is refused and nothing is written', async () => {
      const mine = await newAccount();
      const theirs = await newAccount();
      const first = makePage(theirs.id);
      await store.createStatusPage(first, 5);
      const clash = makePage(mine.id, { slug: first.slug });
      expect(await store.createStatusPage(clash, 5)).toBe('slug_taken');
      expect(await store.getStatusPage(clash.id)).toBeNull();
      expect(await store.listStatusPages(mine.id)).toEqual([]);
      expect(await store.findStatusPageBySlug(first.slug)).toEqual(first);
    });

    test('at the cap a further page is refused and not stored; deleting one frees its slot', async () => {
      const account = await newAccount();
      const kept = makePage(account.id);
      await store.createStatusPage(kept, 1);
      const refused = makePage(account.id);
      expect(await store.createStatusPage(refused, 1)).toBe('limit_reached');
      expect(await store.findStatusPageBySlug(refused.slug)).toBeNull();
      expect(await store.deleteStatusPage(kept.id)).toBe(true);
      expect(await store.createStatusPage(refused, 1)).toBe('created');
    });

    test('a page for an account that does not exist is refused', async () => {
      const page = makePage('no-such-account');
      expect(await store.createStatusPage(page, 5)).toBe('limit_reached');
      expect(await store.findStatusPageBySlug(page.slug)).toBeNull();
    });

    test(`two creates of one slug ${togetherOn(name)}, from two accounts: exactly one wins`, async () => {
      const [a, b] = [await newAccount(), await newAccount()];
      const slug = freshSlug();
      const pages = [makePage(a.id, { slug }), makePage(b.id, { slug })];
      const results = await Promise.all(pages.map((p) => store.createStatusPage(p, 5)));
      expect([...results].sort()).toEqual(['created', 'slug_taken']);
      const winner = pages[results.indexOf('created')];
      expect(await store.findStatusPageBySlug(slug)).toEqual(winner);
      const loser = pages[results.indexOf('slug_taken')];
      expect(await store.getStatusPage(loser.id)).toBeNull();
    });

    test(`ten creates ${togetherOn(name)} at a cap of three: three are stored`, async () => {
      const account = await newAccount();
      const results = await Promise.all(Array.from({ length: 10 }, () => store.createStatusPage(makePage(account.id), 3)));
      expect(results.filter((r) => r === 'created')).toHaveLength(3);
      expect(await store.listStatusPages(account.id)).toHaveLength(3);
    });

    test('an edit writes the fields it names and keeps the rest', async () => {
      const account = await newAccount();
      const page = makePage(account.id, { description: 'before' });
      await store.createStatusPage(page, 5);
      const edited = await store.updateStatusPage(page.id, { title: 'Renamed', monitors: { tag: 'prod' }, description: null });
      const expected = { ...page, title: 'Renamed', monitors: { tag: 'prod' }, description: null };
      expect(edited).toEqual(expected);
      expect(await store.getStatusPage(page.id)).toEqual(expected);
    });

    test('a new slug moves the page: the old slug finds nothing and is free for another page', async () => {
      const account = await newAccount();
      const page = makePage(account.id);
      await store.createStatusPage(page, 5);
      const slug = freshSlug();
      expect(await store.updateStatusPage(page.id, { slug })).toEqual({ ...page, slug });
      expect(await store.findStatusPageBySlug(slug)).toEqual({ ...page, slug });
      expect(await store.findStatusPageBySlug(page.slug)).toBeNull();
      expect(await store.createStatusPage(makePage(account.id, { slug: page.slug }), 5)).toBe('created');
    });

    test('an edit keeping its own slug is no clash', async () => {
      const account = await newAccount();
      const page = makePage(account.id);
      await store.createStatusPage(page, 5);
      expect(await store.updateStatusPage(page.id, { slug: page.slug, title: 'Same place' })).toEqual({ ...page, title: 'Same place' });
    });

    test('an edit to a slug another page has is refused and changes nothing', async () => {
      const account = await newAccount();
      const [a, b] = [makePage(account.id), makePage(account.id)];
      await store.createStatusPage(a, 5);
      await store.createStatusPage(b, 5);
      expect(await store.updateStatusPage(a.id, { slug: b.slug, title: 'Changed' })).toBe('slug_taken');
      expect(await store.getStatusPage(a.id)).toEqual(a);
      expect(await store.findStatusPageBySlug(b.slug)).toEqual(b);
      expect(await store.findStatusPageBySlug(a.slug)).toEqual(a);
    });

    test('editing or deleting a page that does not exist answers null and false', async () => {
      expect(await store.updateStatusPage(newStatusPageId(), { title: 'x' })).toBeNull();
      expect(await store.deleteStatusPage(newStatusPageId())).toBe(false);
    });

    test('a deleted page is gone by id and slug, and its slug is free again', async () => {
      const account = await newAccount();
      const page = makePage(account.id);
      await store.createStatusPage(page, 5);
      expect(await store.deleteStatusPage(page.id)).toBe(true);
      expect(await store.getStatusPage(page.id)).toBeNull();
      expect(await store.findStatusPageBySlug(page.slug)).toBeNull();
      expect(await store.deleteStatusPage(page.id)).toBe(false);
      expect(await store.createStatusPage(makePage(account.id, { slug: page.slug }), 5)).toBe('created');
    });

    test('deleting the account deletes its pages and frees their slugs', async () => {
      const account = await newAccount();
      await store.createMonitor(makeMonitor({ accountId: account.id }), null);
      const page = makePage(account.id);
      await store.createStatusPage(page, 5);
      expect(await store.deleteAccount(account.id)).toBe(true);
      await store.finishDeletions(() => true);
      expect(await store.getStatusPage(page.id)).toBeNull();
      expect(await store.findStatusPageBySlug(page.slug)).toBeNull();
      const next = await newAccount();
      expect(await store.createStatusPage(makePage(next.id, { slug: page.slug }), 5)).toBe('created');
    });
  });
});
