import path from 'node:path';
import express, { type RequestHandler } from 'express';
import type { Deps } from '../services/context';
import { errorHandler, notFound } from './errors';
import { API_HEADERS, PAGE_HEADERS, setHeaders } from './headers';
import { apiRouter } from './routes';
import { statusPagesRouter } from './routes/status-pages';

/** The OpenAPI description in `public/`, served at `/openapi.json`. */
export const OPENAPI_FILE = 'openapi.json';

export interface AppOptions {
  /** Serve these static files (the embedded server serves `public/`; Hosting does it in the cloud). */
  staticDir?: string;
  /**
   * Express's `trust proxy`: how the client address (the ping's source, the per-address limits)
   * is read from X-Forwarded-For behind Hosting or a reverse proxy. A number counts the proxies
   * in front; a list names them; a function decides per address and hop (0 is the connection).
   */
  trustProxy?: boolean | number | string[] | ((address: string, hop: number) => boolean);
}

/**
 * API answers are `no-store`, so they carry no validator and a conditional request never gets a
 * `304`: no ETag, and `req.fresh` (which `res.send` consults, and which holds for
 * `If-None-Match: *` even without an ETag) is always false. Static files are served by
 * `express.static`, which keeps its own validators.
 */
function withoutValidators(app: express.Express): void {
  app.set('etag', false);
  Object.defineProperty(app.request, 'fresh', { configurable: true, get: () => false });
}

/** The docs page, the dashboard and the API description, with the page policy instead of the API's. */
function staticFiles(dir: string): RequestHandler {
  return express.static(dir, {
    index: 'index.html',
    // `/dashboard` is the dashboard (as on Hosting, where firebase.json rewrites it): a bare page name finds its `.html`.
    extensions: ['html'],
    setHeaders: (res, file) => {
      for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
      res.removeHeader('Cache-Control');
      // The API description holds no secrets; editors and client generators on other origins may read it.
      if (path.basename(file) === OPENAPI_FILE) res.setHeader('Access-Control-Allow-Origin', '*');
    },
  });
}

/**
 * A browser asking for a page that does not exist gets `404.html` (as Hosting serves it), with a
 * 404; API paths, and clients that do not ask for HTML, get the API's JSON 404 from `notFound`.
 */
function notFoundPage(dir: string): RequestHandler {
  return (req, res, next) => {
    const isApi = /^\/(api|v1)(\/|$)/.test(req.path);
    if (isApi || (req.method !== 'GET' && req.method !== 'HEAD') || req.accepts(['json', 'html']) !== 'html') {
      next();
      return;
    }
    for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
    res.status(404).sendFile(path.resolve(dir, '404.html'), { cacheControl: false, etag: false, lastModified: false }, (err) => {
      if (err) next();
    });
  };
}

/**
 * The whole HTTP API as an Express app. The API router is mounted both under `/api` (Hosting
 * rewrite, embedded server) and at the root (the function's own URL, which sees `/v1/...`).
 */
export function createApp(deps: Deps, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.set('json spaces', 2);
  withoutValidators(app);
  // Every answer starts as an API answer; the static files swap in their own policy.
  app.use(setHeaders(API_HEADERS));
  const api = apiRouter(deps);
  app.use('/api', api);
  // Public status pages: outside the API, under the same path on Hosting (rewritten to the function) and embedded.
  app.use('/status', statusPagesRouter(deps));
  app.use('/', api);
  if (options.staticDir) app.use(staticFiles(options.staticDir), notFoundPage(options.staticDir));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
