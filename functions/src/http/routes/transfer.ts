import { exportAccount, importMonitors } from '../../services/transfer';
import { withAccount } from '../auth';
import { parseBody } from '../errors';
import { importQuery, parseImport } from '../transfer-schemas';
import { jsonBodyUpTo } from './body';
import { mount, type RouteContext } from './route';

/** An import of a few hundred monitors is far past the 64 KB other bodies are held to. */
export const IMPORT_BODY_LIMIT = 1024 * 1024;

/** Export and import of the account's monitors (issue 22). */
export function mountTransferRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  // Any key that can read may export: the document holds no more than the answers a read gets.
  mount(router, '/v1/export', {
    get: withAccount(ctx, async (_req, res, account) => {
      res.json(await exportAccount(deps, account));
    }),
  });
  mount(router, '/v1/import', {
    post: [
      ...jsonBodyUpTo(IMPORT_BODY_LIMIT),
      withAccount(ctx, async (req, res, account) => {
        const { dryRun } = parseBody(importQuery, { ...req.query });
        const document = parseImport(req.body);
        res.json(await importMonitors(deps, account, document, { dryRun: dryRun ?? false }));
      }),
    ],
  });
}
