import path from 'node:path';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { AppError, ErrorCode } from '../domain/errors';
import { accountOverview, authenticate, createAccount, deleteAccount, rotateApiKey } from '../services/accounts';
import { confirmRecovery, INVALID_RECOVERY, RECOVERY_REQUESTED, requestRecovery } from '../services/recovery';
import type { Deps } from '../services/context';
import { flipHistory, pingHistory, DEFAULT_PAGE, type HistoryRequest } from '../services/history';
import { createMonitor, deleteMonitor, editMonitor, getBadgeMonitor, getOwnMonitor, listMonitors, pauseMonitor, resumeMonitor } from '../services/monitors';
import type { Account, PingMethod } from '../domain/types';
import { clientAddress, limitGuard } from './limits';
import { handlePing } from './ping';
import { BADGE_MAX_AGE_S, badgeJson, badgeSvg } from './badge';
import { errorHandler, methodNotAllowed, notFound, parseBody } from './errors';
import { API_HEADERS, PAGE_HEADERS, pingCors, setHeaders } from './headers';
import { createdMonitor, editedMonitor, flipEntry, monitorStatus, monitorSummary, pingEntry } from './present';
import { apiKeyOf } from './auth';
import { confirmRecoveryBody, createAccountBody, createMonitorBody, editMonitorBody, historyQuery, pauseBody, recoverAccountBody } from './schemas';

/** The OpenAPI description in `public/`, served at `/openapi.json`. */
export const OPENAPI_FILE = 'openapi.json';

/** JSON request bodies are capped at 64 KB; ping bodies may be up to 1 MB, of which 10 KB is kept. */
const JSON_LIMIT = 64 * 1024;
const PING_BODY_MAX = 1024 * 1024;

type FrameworkRequest = Request & { rawBody?: unknown };

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError(ErrorCode.BadRequest, 'Malformed JSON in request body.');
  }
}

/**
 * On Cloud Functions the Functions Framework has already read and parsed the body (by its
 * content type, without our limits) and kept the bytes in `req.rawBody`; Express's parsers then
 * skip the request. Decode those bytes here so both ways of running apply the same limits,
 * the same content-type leniency and the same errors. Embedded, the body is still unread and the
 * Express parser that follows does the work.
 */
function fromFrameworkBody(limit: number, decode: (raw: Buffer) => unknown): RequestHandler {
  return (req: FrameworkRequest, _res, next) => {
    if (Buffer.isBuffer(req.rawBody)) {
      if (req.rawBody.length > limit) throw new AppError(ErrorCode.PayloadTooLarge, 'Request body is too large.');
      req.body = req.rawBody.length === 0 ? undefined : decode(req.rawBody);
    }
    next();
  };
}

export interface AppOptions {
  /** Serve these static files (the embedded server serves `public/`; Hosting does it in the cloud). */
  staticDir?: string;
  /**
   * Express's `trust proxy`: how the client address (the ping's source, the per-address limits)
   * is read from X-Forwarded-For behind Hosting or a reverse proxy. A number counts the proxies
   * in front; a list names them.
   */
  trustProxy?: boolean | number | string[];
}

type AuthedRequest = Request & { account?: Account };

/**
 * The whole HTTP API as an Express app. Routes are mounted both under `/api` (Hosting rewrite,
 * embedded server) and at the root (the function's own URL, which sees `/v1/...`).
 */
export function createApp(deps: Deps, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.set('json spaces', 2);
  // Every answer starts as an API answer; the static pages swap in their own policy below.
  app.use(setHeaders(API_HEADERS));

  const json = [fromFrameworkBody(JSON_LIMIT, parseJson), express.json({ limit: JSON_LIMIT, type: () => true, strict: false })];
  const rawBody = [fromFrameworkBody(PING_BODY_MAX, (raw) => raw), express.raw({ type: () => true, limit: PING_BODY_MAX })];
  const limits = limitGuard(deps);
  /**
   * Every authenticated route goes through here, so each is limited per account ("management
   * calls per key") and guarded against key guessing ("failed authentications per address")
   * without doing anything itself.
   */
  const authed = async (req: AuthedRequest) => {
    const address = clientAddress(req);
    await limits.refuseIfOver('failedAuth', address);
    let account: Account;
    try {
      account = await authenticate(deps, apiKeyOf(req));
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.Unauthorized) await limits.count('failedAuth', address);
      throw err;
    }
    await limits.take('management', account.id);
    req.account = account;
    return account;
  };
  const router = Router();
  router.use('/v1/ping', pingCors);

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'cronpeek', version: deps.config.version, timestamp: deps.clock().toISOString() });
  });
  router.all('/health', methodNotAllowed(['GET', 'HEAD']));

  router
    .route('/v1/accounts')
    .post(...json, async (req, res) => {
      await limits.take('signup', clientAddress(req));
      const input = parseBody(createAccountBody, req.body);
      const { apiKey, plan } = await createAccount(deps, input);
      res.status(201).json({ apiKey, plan: plan.id, monitors: plan.maxMonitors });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/v1/account')
    .get(async (req, res) => {
      const account = await authed(req);
      res.json(accountOverview(account));
    })
    .delete(async (req, res) => {
      const account = await authed(req);
      await deleteAccount(deps, account);
      res.json({ deleted: true });
    })
    .all(methodNotAllowed(['GET', 'DELETE']));

  router
    .route('/v1/account/rotate-key')
    .post(async (req, res) => {
      const account = await authed(req);
      res.json({ apiKey: await rotateApiKey(deps, account) });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/v1/accounts/recover')
    .post(...json, async (req, res) => {
      await limits.take('recoveryByAddress', clientAddress(req));
      const input = parseBody(recoverAccountBody, req.body);
      // Counted for every e-mail, with or without an account, so a 429 reveals nothing either.
      await limits.take('recoveryByEmail', input.email.toLowerCase());
      // Waits for the token to be stored, not for the e-mail: that goes out after this answer,
      // which is the same whether or not the e-mail has an account.
      await requestRecovery(deps, input);
      res.status(202).json({ message: RECOVERY_REQUESTED });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/v1/accounts/recover/confirm')
    .post(...json, async (req, res) => {
      // A token that does not redeem is a failed authentication, counted like a bad API key.
      const address = clientAddress(req);
      await limits.refuseIfOver('failedAuth', address);
      const input = parseBody(confirmRecoveryBody, req.body);
      let apiKey: string;
      try {
        apiKey = await confirmRecovery(deps, input);
      } catch (err) {
        if (err instanceof AppError && err.message === INVALID_RECOVERY) await limits.count('failedAuth', address);
        throw err;
      }
      res.json({ apiKey });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/v1/monitors')
    .post(...json, async (req, res) => {
      const account = await authed(req);
      const input = parseBody(createMonitorBody, req.body);
      const monitor = await createMonitor(deps, account, input);
      res.status(201).json(createdMonitor(monitor, deps.config.publicUrl));
    })
    .get(async (req, res) => {
      const account = await authed(req);
      const monitors = await listMonitors(deps, account);
      res.json({ monitors: monitors.map((m) => monitorSummary(m, deps.config.publicUrl)), count: monitors.length });
    })
    .all(methodNotAllowed(['GET', 'POST']));

  router
    .route('/v1/monitors/:id/status')
    .get(async (req, res) => {
      const account = await authed(req);
      const monitor = await getOwnMonitor(deps, account, String(req.params.id));
      res.json(monitorStatus(monitor, deps.config.publicUrl));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/v1/monitors/:id')
    .get(async (req, res) => {
      const account = await authed(req);
      const monitor = await getOwnMonitor(deps, account, String(req.params.id));
      res.json(monitorStatus(monitor, deps.config.publicUrl));
    })
    .patch(...json, async (req, res) => {
      const account = await authed(req);
      const edit = parseBody(editMonitorBody, req.body);
      const monitor = await editMonitor(deps, account, String(req.params.id), edit);
      res.json(editedMonitor(monitor, deps.config.publicUrl, typeof edit.alertWebhook === 'string'));
    })
    .delete(async (req, res) => {
      const account = await authed(req);
      await deleteMonitor(deps, account, String(req.params.id));
      res.json({ deleted: true });
    })
    .all(methodNotAllowed(['GET', 'PATCH', 'DELETE']));

  router
    .route('/v1/monitors/:id/pause')
    .post(...json, async (req, res) => {
      const account = await authed(req);
      // The body is optional: no body is a pause that the next ping ends.
      const { manualResume } = parseBody(pauseBody, req.body ?? {});
      const monitor = await pauseMonitor(deps, account, String(req.params.id), { manualResume: manualResume ?? false });
      res.json(monitorStatus(monitor, deps.config.publicUrl));
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/v1/monitors/:id/resume')
    .post(async (req, res) => {
      const account = await authed(req);
      const monitor = await resumeMonitor(deps, account, String(req.params.id));
      res.json(monitorStatus(monitor, deps.config.publicUrl));
    })
    .all(methodNotAllowed(['POST']));

  const historyRequest = (req: Request): HistoryRequest => {
    const q = parseBody(historyQuery, { ...req.query });
    return { limit: q.limit ?? DEFAULT_PAGE, cursor: q.cursor ?? null };
  };

  router
    .route('/v1/monitors/:id/pings')
    .get(async (req, res) => {
      const account = await authed(req);
      const page = await pingHistory(deps, account, String(req.params.id), historyRequest(req));
      res.json({ pings: page.items.map(pingEntry), nextCursor: page.nextCursor });
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/v1/monitors/:id/flips')
    .get(async (req, res) => {
      const account = await authed(req);
      const page = await flipHistory(deps, account, String(req.params.id), historyRequest(req));
      res.json({ flips: page.items.map(flipEntry), nextCursor: page.nextCursor });
    })
    .all(methodNotAllowed(['GET']));

  // The embedded server answers GET and HEAD pings on a lean path in front of this app
  // (`withPingFastPath` in ./ping), through the same `handlePing`; these routes serve the rest.
  const ping = async (req: Request, res: Response) => {
    const answer = await handlePing(deps, limits, {
      token: String(req.params.token),
      method: req.method as PingMethod,
      source: req.ip ?? null,
      userAgent: req.header('user-agent') ?? null,
      body: Buffer.isBuffer(req.body) ? req.body : null,
      signal: req.params.signal === undefined ? undefined : String(req.params.signal),
      rid: req.query.rid,
    });
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'HEAD') {
      res.status(200).end();
      return;
    }
    res.json(answer);
  };
  router
    .route('/v1/ping/:token')
    .get(ping) // Express answers HEAD with the GET handler; `ping` leaves the body out itself.
    .post(...rawBody, ping)
    .all(methodNotAllowed(['GET', 'POST', 'HEAD']));
  // Signals: /start, /fail and /<exit code>, each with an optional ?rid= pairing a start with its end.
  router
    .route('/v1/ping/:token/:signal')
    .get(ping)
    .post(...rawBody, ping)
    .all(methodNotAllowed(['GET', 'POST', 'HEAD']));

  // Public status badges: read-only, cacheable for a minute, embeddable from any origin.
  const badge = (format: 'svg' | 'json') => async (req: Request, res: Response) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    const monitor = await getBadgeMonitor(deps, String(req.params.key));
    res.setHeader('Cache-Control', `public, max-age=${BADGE_MAX_AGE_S}`);
    if (format === 'json') res.json(badgeJson(monitor));
    else res.type('image/svg+xml').send(badgeSvg(monitor));
  };
  const badgePreflight = (_req: Request, res: Response) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
    res.setHeader('Access-Control-Max-Age', '86400');
    res.status(204).end();
  };
  for (const format of ['svg', 'json'] as const) {
    router.route(`/v1/badge/:key.${format}`).get(badge(format)).options(badgePreflight).all(methodNotAllowed(['GET', 'HEAD']));
  }

  app.use('/api', router);
  app.use('/', router);
  if (options.staticDir) {
    app.use(
      express.static(options.staticDir, {
        index: 'index.html',
        setHeaders: (res, file) => {
          for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
          res.removeHeader('Cache-Control');
          // The API description holds no secrets; editors and client generators on other origins may read it.
          if (path.basename(file) === OPENAPI_FILE) res.setHeader('Access-Control-Allow-Origin', '*');
        },
      }),
    );
  }
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
