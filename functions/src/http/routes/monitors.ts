import { alertEmailStatus } from '../../services/email-confirmation';
import { acknowledgeMonitor, createMonitor, deleteMonitor, editMonitor, getOwnMonitor, listMonitors, pauseMonitor, resumeMonitor } from '../../services/monitors';
import { withAccount } from '../auth';
import { parseBody } from '../errors';
import { createdMonitor, editedMonitor, monitorStatus, monitorSummary } from '../present';
import { createMonitorBody, editMonitorBody, monitorListQuery, pauseBody } from '../schemas';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

/** The account's monitors: list and create; read, edit and delete one; pause and resume it; acknowledge its outage. */
export function mountMonitorRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  const publicUrl = deps.config.publicUrl;
  mount(router, '/v1/monitors', {
    get: withAccount(ctx, async (req, res, account) => {
      // Express answers a parameter given once as a string, repeated as an array.
      const query = typeof req.query.tag === 'string' ? { ...req.query, tag: [req.query.tag] } : { ...req.query };
      const { tag, status, q } = parseBody(monitorListQuery, query);
      const monitors = await listMonitors(deps, account, { tags: tag, status, q });
      res.json({ monitors: monitors.map((m) => monitorSummary(m, publicUrl, deps.clock())), count: monitors.length });
    }),
    post: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const monitor = await createMonitor(deps, account, parseBody(createMonitorBody, req.body));
        res.status(201).json(createdMonitor(monitor, publicUrl, deps.clock()));
      }),
    ],
  });

  const readOne = withAccount(ctx, async (req, res, account) => {
    const monitor = await getOwnMonitor(deps, account, String(req.params.id));
    res.json(monitorStatus(monitor, publicUrl, await alertEmailStatus(deps, monitor), deps.clock()));
  });
  mount(router, '/v1/monitors/:id/status', { get: readOne });
  mount(router, '/v1/monitors/:id', {
    get: readOne,
    patch: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const edit = parseBody(editMonitorBody, req.body);
        const monitor = await editMonitor(deps, account, String(req.params.id), edit);
        res.json(editedMonitor(monitor, publicUrl, await alertEmailStatus(deps, monitor), typeof edit.alertWebhook === 'string', deps.clock()));
      }),
    ],
    delete: withAccount(ctx, async (req, res, account) => {
      await deleteMonitor(deps, account, String(req.params.id));
      res.json({ deleted: true });
    }),
  });
  mountPauseRoutes(ctx);
}

function mountPauseRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  mount(router, '/v1/monitors/:id/pause', {
    post: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        // The body is optional: no body is a pause that the next ping ends.
        const { manualResume } = parseBody(pauseBody, req.body ?? {});
        const monitor = await pauseMonitor(deps, account, String(req.params.id), { manualResume: manualResume ?? false });
        res.json(monitorStatus(monitor, deps.config.publicUrl, await alertEmailStatus(deps, monitor), deps.clock()));
      }),
    ],
  });
  mount(router, '/v1/monitors/:id/resume', {
    post: withAccount(ctx, async (req, res, account) => {
      const monitor = await resumeMonitor(deps, account, String(req.params.id));
      res.json(monitorStatus(monitor, deps.config.publicUrl, await alertEmailStatus(deps, monitor), deps.clock()));
    }),
  });
  mount(router, '/v1/monitors/:id/acknowledge', {
    post: withAccount(ctx, async (req, res, account) => {
      const monitor = await acknowledgeMonitor(deps, account, String(req.params.id));
      res.json(monitorStatus(monitor, deps.config.publicUrl, await alertEmailStatus(deps, monitor), deps.clock()));
    }),
  });
}
