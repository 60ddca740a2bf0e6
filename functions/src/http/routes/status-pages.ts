import { Router, type Request, type Response } from 'express';
import { AppError, ErrorCode } from '../../domain/errors';
import type { StatusPage } from '../../domain/status-pages';
import type { Deps } from '../../services/context';
import {
  createStatusPage,
  deleteStatusPage,
  editStatusPage,
  getOwnStatusPage,
  listStatusPages,
  showStatusPage,
  type PublicStatusPage,
} from '../../services/status-pages';
import { withAccount } from '../auth';
import { parseBody } from '../errors';
import { createStatusPageBody, editStatusPageBody } from '../status-page-schemas';
import { STATUS_PAGE_HEADERS, statusPageHtml, statusPageNotFoundHtml } from '../status-page-html';
import { jsonBody } from './body';
import { clientAddress, limitGuard } from '../limits';
import { mount, type RouteContext } from './route';

/** How long a browser or Hosting's CDN may keep a public page: fresh enough to follow an outage, and a burst of readers costs one computation. */
export const STATUS_PAGE_MAX_AGE_S = 30;

/** A page as the owner's API answers it: never the account, always its public address. */
export function statusPageAnswer(page: StatusPage, publicUrl: string) {
  return {
    id: page.id,
    slug: page.slug,
    title: page.title,
    description: page.description,
    monitors: Array.isArray(page.monitors) ? [...page.monitors] : { tag: page.monitors.tag },
    url: `${publicUrl}/status/${page.slug}`,
    createdAt: page.createdAt.toISOString(),
  };
}

/** The account's status pages: list and create; read, edit and delete one. */
export function mountStatusPageRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  const answer = (page: StatusPage) => statusPageAnswer(page, deps.config.publicUrl);
  mount(router, '/v1/status-pages', {
    get: withAccount(ctx, async (_req, res, account) => {
      const pages = await listStatusPages(deps, account);
      res.json({ statusPages: pages.map(answer), count: pages.length });
    }),
    post: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        res.status(201).json(answer(await createStatusPage(deps, account, parseBody(createStatusPageBody, req.body))));
      }),
    ],
  });
  mount(router, '/v1/status-pages/:id', {
    get: withAccount(ctx, async (req, res, account) => {
      res.json(answer(await getOwnStatusPage(deps, account, String(req.params.id))));
    }),
    patch: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        res.json(answer(await editStatusPage(deps, account, String(req.params.id), parseBody(editStatusPageBody, req.body))));
      }),
    ],
    delete: withAccount(ctx, async (req, res, account) => {
      await deleteStatusPage(deps, account, String(req.params.id));
      res.json({ deleted: true });
    }),
  });
}

/** The public JSON: figures and names only, dates as ISO text. */
function publicJson(view: PublicStatusPage) {
  return {
    title: view.title,
    description: view.description,
    updatedAt: view.updatedAt.toISOString(),
    overall: view.overall,
    monitors: view.monitors.map((m) => ({
      name: m.name,
      status: m.status,
      uptime: m.uptime,
      outages: m.outages.map((o) => ({ start: o.start.toISOString(), end: o.end?.toISOString() ?? null, seconds: o.seconds })),
    })),
  };
}

const isNotFound = (err: unknown): boolean => err instanceof AppError && err.code === ErrorCode.NotFound;

/**
 * The public pages, mounted at `/status` (outside the API, as Hosting rewrites `/status/**` to
 * the function): `/status/<slug>` as HTML and `/status/<slug>.json`, no key needed. Both are
 * cacheable for STATUS_PAGE_MAX_AGE_S; a slug no page has is a 404 in the format asked for.
 */
export function statusPagesRouter(deps: Deps): Router {
  const router = Router();
  const limits = limitGuard(deps);
  // Public and unauthenticated: views are limited per client address (429 with Retry-After).
  const counted = (req: Request) => limits.take('statusPage', clientAddress(req));
  const cacheable = (res: Response) => res.setHeader('Cache-Control', `public, max-age=${STATUS_PAGE_MAX_AGE_S}`);
  // Registered first: `/:slug` would take `name.json` too (and answer its 404).
  mount(router, '/:slug.json', {
    get: async (req: Request, res: Response) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      await counted(req);
      const view = await showStatusPage(deps, String(req.params.slug));
      cacheable(res);
      res.json(publicJson(view));
    },
  });
  mount(router, '/:slug', {
    get: async (req: Request, res: Response) => {
      for (const [name, value] of Object.entries(STATUS_PAGE_HEADERS)) res.setHeader(name, value);
      await counted(req);
      const slug = String(req.params.slug);
      try {
        const view = await showStatusPage(deps, slug);
        cacheable(res);
        res.type('html').send(statusPageHtml(view, slug));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        res.status(404).type('html').send(statusPageNotFoundHtml());
      }
    },
  });
  return router;
}
