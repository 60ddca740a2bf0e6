import type { RequestHandler } from 'express';

/**
 * Response headers shared by every answer. The same page policy is declared for Firebase Hosting
 * in `firebase.json` (a test keeps the two equal), since Hosting, not this app, serves the pages
 * in the cloud.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** API answers are data, never documents: nothing may load, run or frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  // Ping URLs carry their token in the path; never hand a URL to another site.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export const PAGE_HEADERS: Record<string, string> = { ...COMMON_HEADERS, 'Content-Security-Policy': PAGE_CSP };

/**
 * API answers carry keys, webhook secrets and ping URLs (secrets all), so no cache keeps any of
 * them, whichever route (present or future) produced the answer.
 */
export const API_HEADERS: Record<string, string> = { ...COMMON_HEADERS, 'Content-Security-Policy': API_CSP, 'Cache-Control': 'no-store' };

export function setHeaders(headers: Record<string, string>): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    next();
  };
}

/** Ping methods a browser or an edge runtime may use from any origin. */
const PING_METHODS = 'GET, HEAD, POST';

/**
 * Ping URLs are open to every origin: a ping needs no credentials (the token is the URL), so
 * `*` exposes nothing, and browsers, Workers and Deno Deploy jobs can ping. Every ping answer,
 * success or error, on the Express route and on the embedded fast path, carries these. A browser
 * reads only the headers CORS exposes, so `Retry-After` is exposed for it to honour a 429.
 */
export const PING_CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Retry-After',
};

/** The ping URLs under `/v1/ping`; preflights are answered here, before any route, for them alone. */
const PING_PATH = /^\/[^/]+(?:\/[^/]+){0,2}\/?$/;

export const pingCors: RequestHandler = (req, res, next) => {
  for (const [name, value] of Object.entries(PING_CORS_HEADERS)) res.setHeader(name, value);
  // A preflight is answered only for the ping URLs themselves (`/<token>`, `/<token>/<signal>`, and by slug `/<pingKey>/<slug>/<signal>`);
  // any other path under /v1/ping falls through to the 404 every unknown path gets.
  if (req.method !== 'OPTIONS' || !PING_PATH.test(req.path)) {
    next();
    return;
  }
  res.setHeader('Access-Control-Allow-Methods', PING_METHODS);
  const asked = req.header('access-control-request-headers');
  // Echoing the asked-for headers is safe without credentials; cap it so a client cannot make it huge.
  res.setHeader('Access-Control-Allow-Headers', asked && asked.length <= 512 ? asked : 'Content-Type');
  res.setHeader('Access-Control-Max-Age', '86400');
  res.status(204).end();
};
