import { accountOverview, deleteAccount, editAccountDefaults, rotateApiKey } from '../../services/accounts';
import { createReadKey, deleteReadKey, listReadKeys } from '../../services/api-keys';
import { rotatePingKey } from '../../services/fleet';
import { endSession, listSessions, signOut } from '../../services/sessions';
import { confirmationRequested, resendAccountConfirmation } from '../../services/email-confirmation';
import { apiKeyOf, withAccount } from '../auth';
import { parseBody } from '../errors';
import { createKeyBody, keyAnswer } from '../key-schemas';
import { editAccountBody } from '../schemas';
import { sessionAnswer } from '../session-schemas';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

/**
 * The account of the API key: its overview, its defaults for new monitors, its deletion, a new
 * key, its read-only keys, its dashboard sessions, a new confirmation request for its e-mail.
 */
export function mountAccountRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  mount(router, '/v1/account', {
    get: withAccount(ctx, async (_req, res, account) => {
      res.json(await accountOverview(deps, account));
    }),
    patch: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const { defaults } = parseBody(editAccountBody, req.body);
        res.json(await accountOverview(deps, await editAccountDefaults(deps, account, defaults)));
      }),
    ],
    delete: withAccount(ctx, async (_req, res, account) => {
      await deleteAccount(deps, account);
      res.json({ deleted: true });
    }),
  });

  mount(router, '/v1/account/confirm-email', {
    post: withAccount(ctx, async (_req, res, account) => {
      await resendAccountConfirmation(deps, account);
      res.status(202).json({ message: confirmationRequested(account.email) });
    }),
  });

  // The account's ping key (pings by slug, `/api/v1/ping/<pingKey>/<slug>`): created or replaced, answered this once.
  mount(router, '/v1/account/ping-key', {
    post: withAccount(ctx, async (_req, res, account) => {
      res.json({ pingKey: await rotatePingKey(deps, account) });
    }),
  });

  mount(router, '/v1/account/rotate-key', {
    post: withAccount(ctx, async (_req, res, account) => {
      res.json({ apiKey: await rotateApiKey(deps, account) });
    }),
  });

  mountReadKeyRoutes(ctx);
  mountSessionRoutes(ctx);
}

/** The account's read-only keys: list (a read-only key may), create (answered once with the key), revoke. */
function mountReadKeyRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  mount(router, '/v1/account/keys', {
    get: withAccount(ctx, async (_req, res, account) => {
      const keys = await listReadKeys(deps, account);
      res.json({ keys: keys.map(keyAnswer), count: keys.length });
    }),
    post: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const { key, apiKey } = await createReadKey(deps, account, parseBody(createKeyBody, req.body));
        const { createdAt, ...shown } = keyAnswer(key);
        res.status(201).json({ ...shown, apiKey, createdAt });
      }),
    ],
  });

  mount(router, '/v1/account/keys/:keyId', {
    delete: withAccount(ctx, async (req, res, account) => {
      await deleteReadKey(deps, account, String(req.params.keyId));
      res.json({ deleted: true });
    }),
  });
}

/**
 * The account's dashboard sessions: list them (the caller's own marked `current`), end one, or
 * sign out (`current`: the session the request came with).
 */
function mountSessionRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  mount(router, '/v1/account/sessions', {
    get: withAccount(ctx, async (req, res, account) => {
      const sessions = await listSessions(deps, account, apiKeyOf(req));
      res.json({ sessions: sessions.map(sessionAnswer), count: sessions.length });
    }),
  });

  mount(router, '/v1/account/sessions/:sessionId', {
    delete: withAccount(ctx, async (req, res, account) => {
      const sessionId = String(req.params.sessionId);
      if (sessionId === 'current') await signOut(deps, account, apiKeyOf(req));
      else await endSession(deps, account, sessionId);
      res.json({ deleted: true });
    }),
  });
}
