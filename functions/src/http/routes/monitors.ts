import type { Account, Monitor } from '../../domain/types';
import { alertEmailStatus } from '../../services/email-confirmation';
import { acknowledgeMonitor, createMonitor, deleteMonitor, editMonitor, getOwnMonitor, listMonitors, pauseMonitor, resumeMonitor } from '../../services/monitors';
import { upsertMonitor } from '../../services/fleet';
import { quietView, quietViews } from '../../services/quiet-view';
import { snoozeMonitor, unsnoozeMonitor } from '../../services/snooze';
import { withAccount } from '../auth';
import { parseBody } from '../errors';
import { createdMonitor, editedMonitor, monitorStatus, monitorSummary } from '../present';
import { createMonitorBody, editMonitorBody, monitorListQuery, pauseBody, snoozeBody } from '../schemas';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

/** The status answer of one monitor, as every route about one monitor answers (its quiet view read for it). */
async function statusAnswer(ctx: RouteContext, monitor: Monitor) {
  const { deps } = ctx;
  const quiet = await quietView(deps, monitor);
  return monitorStatus(monitor, deps.config.publicUrl, await alertEmailStatus(deps, monitor), deps.clock(), quiet);
}

/** The account's monitors: list and create; read, edit and delete one; pause and resume it; acknowledge its outage. */
export function mountMonitorRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  const publicUrl = deps.config.publicUrl;
  // Before the routes of one monitor: `/v1/monitors/:id/status` would otherwise take `/v1/monitors/by-slug/status`.
  mount(router, '/v1/monitors/by-slug/:slug', {
    put: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const { monitor, created, newWebhookSecret } = await upsertMonitor(deps, account, String(req.params.slug), parseBody(createMonitorBody, req.body));
        const quiet = await quietView(deps, monitor);
        // The status shape, as PATCH answers (with the webhook's signing secret the once it is new).
        res.status(created ? 201 : 200).json(editedMonitor(monitor, publicUrl, await alertEmailStatus(deps, monitor), newWebhookSecret, deps.clock(), quiet));
      }),
    ],
  });
  mount(router, '/v1/monitors', {
    get: withAccount(ctx, async (req, res, account) => {
      // Express answers a parameter given once as a string, repeated as an array.
      const query = typeof req.query.tag === 'string' ? { ...req.query, tag: [req.query.tag] } : { ...req.query };
      const { tag, status, q } = parseBody(monitorListQuery, query);
      const monitors = await listMonitors(deps, account, { tags: tag, status, q });
      const views = await quietViews(deps, monitors);
      const now = deps.clock();
      res.json({ monitors: monitors.map((m) => monitorSummary(m, publicUrl, now, views.get(m.id)!)), count: monitors.length });
    }),
    post: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const monitor = await createMonitor(deps, account, parseBody(createMonitorBody, req.body));
        res.status(201).json(createdMonitor(monitor, publicUrl, deps.clock(), await quietView(deps, monitor)));
      }),
    ],
  });

  const readOne = withAccount(ctx, async (req, res, account) => {
    res.json(await statusAnswer(ctx, await getOwnMonitor(deps, account, String(req.params.id))));
  });
  mount(router, '/v1/monitors/:id/status', { get: readOne });
  mount(router, '/v1/monitors/:id', {
    get: readOne,
    patch: [
      ...jsonBody,
      withAccount(ctx, async (req, res, account) => {
        const edit = parseBody(editMonitorBody, req.body);
        const monitor = await editMonitor(deps, account, String(req.params.id), edit);
        const quiet = await quietView(deps, monitor);
        res.json(editedMonitor(monitor, publicUrl, await alertEmailStatus(deps, monitor), typeof edit.alertWebhook === 'string', deps.clock(), quiet));
      }),
    ],
    delete: withAccount(ctx, async (req, res, account) => {
      await deleteMonitor(deps, account, String(req.params.id));
      res.json({ deleted: true });
    }),
  });
  mountPauseRoutes(ctx);
  mountSnoozeRoutes(ctx);
}

/** A route about one monitor that changes it with `change` and answers its status. */
function changeOne(ctx: RouteContext, change: (account: Account, id: string, body: unknown) => Promise<Monitor>) {
  return withAccount(ctx, async (req, res, account) => {
    res.json(await statusAnswer(ctx, await change(account, String(req.params.id), req.body)));
  });
}

function mountPauseRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  mount(router, '/v1/monitors/:id/pause', {
    post: [
      ...jsonBody,
      // The body is optional: no body is a pause that the next ping ends.
      changeOne(ctx, (account, id, body) => pauseMonitor(deps, account, id, { manualResume: parseBody(pauseBody, body ?? {}).manualResume ?? false })),
    ],
  });
  mount(router, '/v1/monitors/:id/resume', { post: changeOne(ctx, (account, id) => resumeMonitor(deps, account, id)) });
  mount(router, '/v1/monitors/:id/acknowledge', { post: changeOne(ctx, (account, id) => acknowledgeMonitor(deps, account, id)) });
}

/** Snoozing a monitor (`{"for": seconds}` or `{"until": time}`) and lifting the snooze. */
function mountSnoozeRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  mount(router, '/v1/monitors/:id/snooze', {
    post: [...jsonBody, changeOne(ctx, (account, id, body) => snoozeMonitor(deps, account, id, parseBody(snoozeBody, body)))],
    delete: changeOne(ctx, (account, id) => unsnoozeMonitor(deps, account, id)),
  });
}
