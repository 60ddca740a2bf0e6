import { createWindow, deleteWindow, editWindow, getOwnWindow, listWindows } from '../../services/maintenance';
import { withAccount } from '../auth';
import { parseBody } from '../errors';
import { createWindowBody, editWindowBody } from '../maintenance-schemas';
import { windowAnswer } from '../present-windows';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

/** The account's maintenance windows: list and create; read, edit and delete one. */
export function mountMaintenanceRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  mount(router, '/v1/maintenance', {
    get: withAccount(ctx, async (_req, res, account) => {
      const windows = await listWindows(deps, account);
      const now = deps.clock();
      res.json({ windows: windows.map((w) => windowAnswer(w, now)), count: windows.length });
    }),
    post: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const window = await createWindow(deps, account, parseBody(createWindowBody, req.body));
        res.status(201).json(windowAnswer(window, deps.clock()));
      }),
    ],
  });
  mount(router, '/v1/maintenance/:id', {
    get: withAccount(ctx, async (req, res, account) => {
      res.json(windowAnswer(await getOwnWindow(deps, account, String(req.params.id)), deps.clock()));
    }),
    patch: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const window = await editWindow(deps, account, String(req.params.id), parseBody(editWindowBody, req.body));
        res.json(windowAnswer(window, deps.clock()));
      }),
    ],
    delete: withAccount(ctx, async (req, res, account) => {
      await deleteWindow(deps, account, String(req.params.id));
      res.json({ deleted: true });
    }),
  });
}
