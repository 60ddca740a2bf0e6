import { accountOverview, deleteAccount, editAccountDefaults, rotateApiKey } from '../../services/accounts';
import { createReadKey, deleteReadKey, listReadKeys } from '../../services/api-keys';
import { confirmationRequested, resendAccountConfirmation } from '../../services/email-confirmation';
import { withAccount } from '../auth';
import { parseBody } from '../errors';
import { createKeyBody, keyAnswer } from '../key-schemas';
import { editAccountBody } from '../schemas';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

/**
 * The account of the API key: its overview, its defaults for new monitors, its deletion, a new
 * key, its read-only keys, a new confirmation request for its e-mail.
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

  mount(router, '/v1/account/rotate-key', {
    post: withAccount(ctx, async (_req, res, account) => {
      res.json({ apiKey: await rotateApiKey(deps, account) });
    }),
  });

  mountReadKeyRoutes(ctx);
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
