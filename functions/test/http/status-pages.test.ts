import fs from 'node:fs';
import path from 'node:path';
import * as framework from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import type { Express } from 'express';
import { PLANS } from '../../src/domain/plans';
import { createApp } from '../../src/http/app';
import { sweepDueMonitors } from '../../src/services/checker';
import type { Deps } from '../../src/services/context';
import type { InspectableStore } from '../../src/store/inspection';
import { FakeClock } from '../support/clock';
import { TEST_PUBLIC_URL, testDeps } from '../support/deps';
import { ApiClient, freshEmail, pingPath, type CreatedMonitor } from '../support/http-client';
import { sqliteKind, storeKinds } from '../support/stores';

/**
 * Status pages over HTTP (issue 22): the owner's API (create, list, read, edit, delete), its
 * validation, the plan's cap and the slug's uniqueness; and the public page and JSON at
 * `/status/<slug>`, with figures against a fake clock and nothing secret in them.
 */

let slugs = 0;
const freshSlug = () => `acme-${++slugs}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(storeKinds())('status pages over HTTP on %s', (_name, kind) => {
  let store: InspectableStore;
  let clock: FakeClock;
  let deps: Deps;
  let app: Express;
  let api: ApiClient;
  let key: string;
  let email: string;

  beforeEach(async () => {
    store = await kind.open();
    clock = new FakeClock('2026-03-28T02:00:00.000Z');
    deps = testDeps(store, { clock });
    app = createApp(deps);
    api = new ApiClient(app, { schedule: 3600, grace: 600 });
    email = freshEmail();
    key = await api.signup(email);
  });
  afterEach(async () => {
    await store.close();
  });

  const create = (body: unknown, owner = key) => request(app).post('/api/v1/status-pages').set('x-api-key', owner).set('Content-Type', 'application/json').send(body as object);
  const list = (owner = key) => request(app).get('/api/v1/status-pages').set('x-api-key', owner);
  const read = (id: string, owner = key) => request(app).get(`/api/v1/status-pages/${id}`).set('x-api-key', owner);
  const edit = (id: string, body: unknown, owner = key) =>
    request(app).patch(`/api/v1/status-pages/${id}`).set('x-api-key', owner).set('Content-Type', 'application/json').send(body as object);
  const remove = (id: string, owner = key) => request(app).delete(`/api/v1/status-pages/${id}`).set('x-api-key', owner);
  const publicJson = (slug: string) => request(app).get(`/status/${slug}.json`);
  const publicPage = (slug: string) => request(app).get(`/status/${slug}`).set('Accept', 'text/html');

  async function created(body: Record<string, unknown>, owner = key): Promise<Record<string, any>> {
    return (await create(body, owner).expect(201)).body;
  }

  const ping = (m: CreatedMonitor) => request(app).get(pingPath(m.pingUrl)).expect(200);

  describe('the owner’s API', () => {
    test('a created page answers 201 with its id, settings and public address', async () => {
      const m = await api.createMonitor(key, { name: 'Nightly backup' });
      const slug = freshSlug();
      const res = await create({ slug, title: 'Acme status', monitors: [m.monitorId], description: 'Our nightly jobs' }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^sp_[0-9a-f]{16}$/),
        slug,
        title: 'Acme status',
        description: 'Our nightly jobs',
        monitors: [m.monitorId],
        url: `${TEST_PUBLIC_URL}/status/${slug}`,
        createdAt: '2026-03-28T02:00:00.000Z',
      });
      expect((await read(res.body.id).expect(200)).body).toEqual(res.body);
      expect((await list().expect(200)).body).toEqual({ statusPages: [res.body], count: 1 });
    });

    test('a page by tag keeps the tag, and a missing description is null', async () => {
      const page = await created({ slug: freshSlug(), title: 'Prod', monitors: { tag: 'prod' } });
      expect(page.monitors).toEqual({ tag: 'prod' });
      expect(page.description).toBeNull();
    });

    test('the same id twice is listed once, in the order first given', async () => {
      const [a, b] = [await api.createMonitor(key, { name: 'a' }), await api.createMonitor(key, { name: 'b' })];
      const page = await created({ slug: freshSlug(), title: 'x', monitors: [b.monitorId, a.monitorId, b.monitorId] });
      expect(page.monitors).toEqual([b.monitorId, a.monitorId]);
    });

    test('PATCH changes only the fields it names', async () => {
      const m = await api.createMonitor(key);
      const page = await created({ slug: freshSlug(), title: 'Before', monitors: [m.monitorId], description: 'kept' });
      const res = await edit(page.id, { title: 'After' }).expect(200);
      expect(res.body).toEqual({ ...page, title: 'After' });
      const slug = freshSlug();
      const moved = await edit(page.id, { slug, monitors: { tag: 'prod' }, description: null }).expect(200);
      expect(moved.body).toEqual({ ...page, title: 'After', slug, url: `${TEST_PUBLIC_URL}/status/${slug}`, monitors: { tag: 'prod' }, description: null });
      await publicJson(page.slug).expect(404);
      await publicJson(slug).expect(200);
    });

    test('DELETE answers {"deleted": true}; the page is gone, publicly too', async () => {
      const page = await created({ slug: freshSlug(), title: 'x', monitors: { tag: 'prod' } });
      expect((await remove(page.id).expect(200)).body).toEqual({ deleted: true });
      await read(page.id).expect(404);
      await publicJson(page.slug).expect(404);
      await remove(page.id).expect(404);
    });

    test.each([
      ['slug missing', { title: 't', monitors: { tag: 'prod' } }, 'slug is required.'],
      ['slug upper-case', { slug: 'Acme', title: 't', monitors: { tag: 'prod' } }, 'slug must be 2 to 63 lower-case'],
      ['slug one character', { slug: 'a', title: 't', monitors: { tag: 'prod' } }, 'slug must be 2 to 63'],
      ['slug of 64 characters', { slug: 'a'.repeat(64), title: 't', monitors: { tag: 'prod' } }, 'slug must be 2 to 63'],
      ['slug starting with -', { slug: '-acme', title: 't', monitors: { tag: 'prod' } }, 'slug must be 2 to 63'],
      ['slug with a slash', { slug: 'a/b', title: 't', monitors: { tag: 'prod' } }, 'slug must be 2 to 63'],
      ['slug a number', { slug: 12, title: 't', monitors: { tag: 'prod' } }, 'slug must be a string'],
      ['title missing', { slug: 'acme', monitors: { tag: 'prod' } }, 'title is required.'],
      ['title blank', { slug: 'acme', title: '  ', monitors: { tag: 'prod' } }, 'title must not be empty'],
      ['title too long', { slug: 'acme', title: 'x'.repeat(101), monitors: { tag: 'prod' } }, 'title must be at most 100 characters'],
      ['title with a line break', { slug: 'acme', title: 'a\nb', monitors: { tag: 'prod' } }, 'title must not contain control characters'],
      ['title with an override', { slug: 'acme', title: 'a\u202eb', monitors: { tag: 'prod' } }, 'title must not contain control characters'],
      ['description a number', { slug: 'acme', title: 't', monitors: { tag: 'prod' }, description: 5 }, 'description must be a string or null'],
      ['description too long', { slug: 'acme', title: 't', monitors: { tag: 'prod' }, description: 'x'.repeat(1001) }, 'description must be at most 1000'],
      ['description with a control character', { slug: 'acme', title: 't', monitors: { tag: 'prod' }, description: 'a\u0007b' }, 'description must not contain control'],
      ['monitors missing', { slug: 'acme', title: 't' }, 'monitors is required.'],
      ['monitors empty', { slug: 'acme', title: 't', monitors: [] }, 'monitors must be a list of 1 to 100 monitor ids'],
      ['monitors a string', { slug: 'acme', title: 't', monitors: 'all' }, 'monitors must be a list of 1 to 100 monitor ids, or {"tag"'],
      ['monitors a malformed id', { slug: 'acme', title: 't', monitors: ['nope'] }, 'monitors must list monitor ids (16 hex digits)'],
      ['monitors over 100', { slug: 'acme', title: 't', monitors: Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(16, '0')) }, 'monitors must be a list of 1 to 100'],
      ['monitors a bad tag', { slug: 'acme', title: 't', monitors: { tag: 'Prod!' } }, 'monitors.tag must be a tag'],
      ['monitors a tag and more', { slug: 'acme', title: 't', monitors: { tag: 'prod', ids: [] } }, 'monitors must be a list of 1 to 100 monitor ids, or {"tag"'],
      ['a list', [{ slug: 'acme' }], 'Request body must be a JSON object.'],
    ])('%s is a 400 naming the problem, and creates nothing', async (_case, body, message) => {
      const res = await create(body).expect(400);
      expect(res.body.error).toContain(message);
      expect((await list().expect(200)).body).toEqual({ statusPages: [], count: 0 });
    });

    test.each([
      ['an unknown field', { colour: 'red' }, 'Unknown field colour; a status page has slug, title, description, monitors'],
      ['no field', {}, 'Send at least one of slug, title, description, monitors'],
      ['a bad slug', { slug: 'A' }, 'slug must be 2 to 63'],
      ['title null', { title: null }, 'title must be a string'],
    ])('PATCH with %s is a 400 and changes nothing', async (_case, body, message) => {
      const page = await created({ slug: freshSlug(), title: 'Kept', monitors: { tag: 'prod' } });
      expect((await edit(page.id, body).expect(400)).body.error).toContain(message);
      expect((await read(page.id).expect(200)).body).toEqual(page);
    });

    test('another account’s monitor id, or one nobody has, is a 400 naming it; nothing is created or changed', async () => {
      const other = await api.signup();
      const theirs = await api.createMonitor(other);
      const mine = await api.createMonitor(key);
      expect((await create({ slug: freshSlug(), title: 't', monitors: [mine.monitorId, theirs.monitorId] }).expect(400)).body).toEqual({
        error: `monitors: unknown monitor ${theirs.monitorId}.`,
      });
      await create({ slug: freshSlug(), title: 't', monitors: ['0123456789abcdef'] }).expect(400);
      expect((await list().expect(200)).body.count).toBe(0);
      const page = await created({ slug: freshSlug(), title: 't', monitors: [mine.monitorId] });
      await edit(page.id, { monitors: [theirs.monitorId] }).expect(400);
      expect((await read(page.id).expect(200)).body.monitors).toEqual([mine.monitorId]);
    });

    test('another account’s page is a 404 to read, edit and delete, and stays as it was', async () => {
      const other = await api.signup();
      const theirs = await created({ slug: freshSlug(), title: 'Theirs', monitors: { tag: 'prod' } }, other);
      await read(theirs.id).expect(404);
      await edit(theirs.id, { title: 'Mine now' }).expect(404);
      await remove(theirs.id).expect(404);
      expect((await read(theirs.id, other).expect(200)).body).toEqual(theirs);
      expect((await read('sp_nope').expect(404)).body).toEqual({ error: 'Status page not found.' });
    });

    test('a slug any account’s page has is a 409, on create and on edit', async () => {
      const other = await api.signup('x' + freshEmail());
      const theirs = await created({ slug: freshSlug(), title: 'Theirs', monitors: { tag: 'prod' } }, other);
      const clash = await create({ slug: theirs.slug, title: 'Mine', monitors: { tag: 'prod' } }).expect(409);
      expect(clash.body.error).toContain(`The slug ${theirs.slug} is already taken`);
      const mine = await created({ slug: freshSlug(), title: 'Mine', monitors: { tag: 'prod' } });
      await edit(mine.id, { slug: theirs.slug }).expect(409);
      expect((await read(mine.id).expect(200)).body).toEqual(mine);
    });

    test(`the free plan holds ${PLANS.free.maxStatusPages} page; the next is refused with a 403`, async () => {
      await created({ slug: freshSlug(), title: 'One', monitors: { tag: 'prod' } });
      const res = await create({ slug: freshSlug(), title: 'Two', monitors: { tag: 'prod' } }).expect(403);
      expect(res.body).toEqual({ error: `Status page limit reached (${PLANS.free.maxStatusPages}). Delete a page or upgrade your plan for more.` });
      expect((await list().expect(200)).body.count).toBe(1);
    });

    test(`the pro plan holds ${PLANS.pro.maxStatusPages} pages`, async () => {
      const pro = createApp(testDeps(store, { clock, plan: 'pro' }));
      const proKey = await new ApiClient(pro).signup();
      const make = () => request(pro).post('/api/v1/status-pages').set('x-api-key', proKey).send({ slug: freshSlug(), title: 't', monitors: { tag: 'prod' } });
      for (let i = 0; i < PLANS.pro.maxStatusPages; i++) await make().expect(201);
      await make().expect(403);
    });

    test('a read-only key lists pages and cannot create one', async () => {
      const page = await created({ slug: freshSlug(), title: 't', monitors: { tag: 'prod' } });
      const readKey = (await request(app).post('/api/v1/account/keys').set('x-api-key', key).send({ name: 'grafana', access: 'read' }).expect(201)).body.apiKey;
      expect((await list(readKey).expect(200)).body.statusPages).toEqual([page]);
      await create({ slug: freshSlug(), title: 't', monitors: { tag: 'prod' } }, readKey).expect(403);
      await remove(page.id, readKey).expect(403);
    });

    test('without a key the API is a 401', async () => {
      await request(app).get('/api/v1/status-pages').expect(401);
    });
  });

  describe('the public page', () => {
    /** One monitor up since 02:00, down from 03:10 to 03:40, up since; one paused from creation; read at 12:00. */
    async function pageWithHistory(): Promise<{ page: Record<string, any>; monitors: CreatedMonitor[] }> {
      const backup = await api.createMonitor(key, { name: 'Nightly backup' });
      const paused = await api.createMonitor(key, { name: 'Weekly report' });
      await request(app).post(`/api/v1/monitors/${paused.monitorId}/pause`).set('x-api-key', key).expect(200);
      await ping(backup);
      await sweepDueMonitors(deps, clock.advance(4200));
      clock.advance(1800);
      await ping(backup);
      clock.set('2026-03-28T12:00:00.000Z');
      const page = await created({ slug: freshSlug(), title: 'Acme <status>', description: 'Jobs we run\nfor you', monitors: [backup.monitorId, paused.monitorId] });
      return { page, monitors: [backup, paused] };
    }

    test('the JSON shows each monitor’s name, status, uptime and outages, figured from its flips', async () => {
      const { page } = await pageWithHistory();
      const res = await publicJson(page.slug).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        title: 'Acme <status>',
        description: 'Jobs we run\nfor you',
        updatedAt: '2026-03-28T12:00:00.000Z',
        overall: 'up',
        monitors: [
          {
            name: 'Nightly backup',
            status: 'up',
            // 10 hours watched, 30 minutes of them down.
            uptime: { '24h': 95, '7d': 95, '30d': 95 },
            outages: [{ start: '2026-03-28T03:10:00.000Z', end: '2026-03-28T03:40:00.000Z', seconds: 1800 }],
          },
          { name: 'Weekly report', status: 'paused', uptime: { '24h': null, '7d': null, '30d': null }, outages: [] },
        ],
      });
    });

    test('a monitor down now makes the page down, with its outage open', async () => {
      const m = await api.createMonitor(key, { name: 'Nightly backup' });
      await ping(m);
      await sweepDueMonitors(deps, clock.advance(4200));
      clock.advance(600);
      const page = await created({ slug: freshSlug(), title: 't', monitors: [m.monitorId] });
      const body = (await publicJson(page.slug).expect(200)).body;
      expect(body.overall).toBe('down');
      expect(body.monitors[0].outages).toEqual([{ start: '2026-03-28T03:10:00.000Z', end: null, seconds: 600 }]);
    });

    test('the HTML page shows the same, escaped, and neither page nor JSON reveals an id, token, key or e-mail', async () => {
      const { page, monitors } = await pageWithHistory();
      const secrets = [email, page.id, ...monitors.flatMap((m) => [m.monitorId, new URL(m.pingUrl).pathname.split('/').pop() as string])];
      for (const m of monitors) {
        const answer = (await request(app).get(`/api/v1/monitors/${m.monitorId}`).set('x-api-key', key).expect(200)).body;
        secrets.push(String(answer.badgeUrl).split('/').pop()!.replace('.svg', ''));
      }
      const account = await store.findAccountByEmail(email);
      secrets.push(account!.id, key);
      const html = await publicPage(page.slug).expect(200);
      const json = await publicJson(page.slug).expect(200);
      for (const raw of [html.text, json.text]) {
        for (const secret of secrets) expect(raw).not.toContain(secret);
        expect(raw).not.toMatch(/cpk_|\/ping\/|\/badge\//);
      }
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.text).toContain('<h1>Acme &lt;status&gt;</h1>');
      expect(html.text).not.toContain('Acme <status>');
      expect(html.text).toContain('Nightly backup');
      expect(html.text).toContain('95.00%');
      expect(html.text).toContain('down for 30 min');
      expect(html.text).toContain('All systems operational');
    });

    test('both are cacheable for 30 seconds; the page carries a policy that lets nothing run', async () => {
      const { page } = await pageWithHistory();
      const html = await publicPage(page.slug).expect(200);
      const json = await publicJson(page.slug).expect(200);
      expect(html.headers['cache-control']).toBe('public, max-age=30');
      expect(json.headers['cache-control']).toBe('public, max-age=30');
      expect(html.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'self' 'sha256-[A-Za-z0-9+/=]+';/);
      expect(html.headers['content-security-policy']).not.toContain('script-src');
      expect(html.headers['x-content-type-options']).toBe('nosniff');
      expect(json.headers['access-control-allow-origin']).toBe('*');
      await request(app).head(`/status/${page.slug}`).expect(200);
    });

    test('a page by tag shows the account’s monitors with the tag now, by name, and no one else’s', async () => {
      const other = await api.signup();
      await api.createMonitor(other, { name: 'Their prod job', tags: ['prod'] });
      await api.createMonitor(key, { name: 'Zeta', tags: ['prod', 'db'] });
      await api.createMonitor(key, { name: 'Untagged' });
      const page = await created({ slug: freshSlug(), title: 'Prod', monitors: { tag: 'prod' } });
      expect((await publicJson(page.slug).expect(200)).body.monitors.map((m: { name: string }) => m.name)).toEqual(['Zeta']);
      await api.createMonitor(key, { name: 'Alpha', tags: ['prod'] });
      expect((await publicJson(page.slug).expect(200)).body.monitors.map((m: { name: string }) => m.name)).toEqual(['Alpha', 'Zeta']);
    });

    test('a monitor deleted since the page was made is left out', async () => {
      const [a, b] = [await api.createMonitor(key, { name: 'Kept' }), await api.createMonitor(key, { name: 'Deleted' })];
      const page = await created({ slug: freshSlug(), title: 't', monitors: [a.monitorId, b.monitorId] });
      await request(app).delete(`/api/v1/monitors/${b.monitorId}`).set('x-api-key', key).expect(200);
      expect((await publicJson(page.slug).expect(200)).body.monitors.map((m: { name: string }) => m.name)).toEqual(['Kept']);
    });

    test.each(['no-such-page', 'UPPER', 'x', '..', '%2e%2e'])('slug %s: the page is an HTML 404 and the JSON a JSON 404', async (slug) => {
      const html = await publicPage(slug).expect(404);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.text).toContain('Status page not found');
      const json = await publicJson(slug).expect(404);
      expect(json.body).toEqual({ error: 'Status page not found.' });
    });

    test('a write to a public page is a 405', async () => {
      const page = await created({ slug: freshSlug(), title: 't', monitors: { tag: 'prod' } });
      expect((await request(app).post(`/status/${page.slug}`).expect(405)).headers.allow).toBe('GET, HEAD');
    });
  });
});

describe('a monitor that flipped more than 1,000 times in 30 days (SQLite: the bound is the service’s, not the store’s)', () => {
  test('only its latest 1,000 flips are read: the time before them counts as not observed', async () => {
    const store = await sqliteKind.open();
    try {
      const clock = new FakeClock('2026-03-01T00:00:00.000Z');
      const app = createApp(testDeps(store, { clock }));
      const api = new ApiClient(app, { schedule: 86_400, grace: 3600 });
      const key = await api.signup();
      const m = await api.createMonitor(key, { name: 'Flaky' });
      // Ten days down first: counted, they would pull the figure near 0.
      clock.advance(60);
      await request(app).get(pingPath(m.pingUrl, 'fail')).expect(200);
      clock.advance(10 * 86_400);
      // Then 1,100 flips a minute apart, up and down in turn.
      for (let i = 0; i < 1100; i++) {
        clock.advance(60);
        await request(app).get(pingPath(m.pingUrl, i % 2 === 0 ? undefined : 'fail')).expect(200);
      }
      clock.advance(60);
      await request(app).post('/api/v1/status-pages').set('x-api-key', key).send({ slug: 'flaky-status', title: 'Flaky', monitors: [m.monitorId] }).expect(201);
      const [shown] = (await request(app).get('/status/flaky-status.json').expect(200)).body.monitors;
      expect(shown.uptime['30d']).toBeGreaterThan(49);
      expect(shown.uptime['30d']).toBeLessThan(51);
      expect(shown.outages).toHaveLength(10);
      expect(shown.outages[0]).toMatchObject({ end: null, seconds: 60 });
    } finally {
      await store.close();
    }
  });
});

describe('status pages on Firebase', () => {
  test('Hosting rewrites /status/** to the api function, as it does /api/**', () => {
    const firebase = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../firebase.json'), 'utf8')) as {
      hosting: { rewrites: Array<{ source: string; function?: unknown }> };
    };
    const api = firebase.hosting.rewrites.find((r) => r.source === '/api/**');
    expect(firebase.hosting.rewrites).toContainEqual({ source: '/status/**', function: api!.function });
  });

  test('behind the Functions Framework the app answers /status/<slug> as Hosting forwards it', async () => {
    const store = await sqliteKind.open();
    const app = createApp(testDeps(store), { trustProxy: true });
    framework.http('cronpeekStatus', app);
    const server = getTestServer('cronpeekStatus');
    try {
      const key = await new ApiClient(server).signup();
      await request(server).post('/v1/status-pages').set('x-api-key', key).send({ slug: 'fn-status', title: 'On Firebase', monitors: { tag: 'prod' } }).expect(201);
      expect((await request(server).get('/status/fn-status').expect(200)).text).toContain('On Firebase');
      expect((await request(server).get('/status/fn-status.json').expect(200)).body.title).toBe('On Firebase');
    } finally {
      server.close();
      await store.close();
    }
  });
});
