import type { Request } from 'express';
import { channelDeliveries, DEFAULT_PAGE, flipHistory, type HistoryRequest, monitorDeliveries, pingHistory } from '../../services/history';
import { withAccount } from '../auth';
import { parseBody } from '../errors';
import { deliveryEntry, flipEntry, pingEntry } from '../present';
import { historyQuery } from '../schemas';
import { mount, type RouteContext } from './route';

function historyRequest(req: Request): HistoryRequest {
  const q = parseBody(historyQuery, { ...req.query });
  return { limit: q.limit ?? DEFAULT_PAGE, cursor: q.cursor ?? null };
}

/** A monitor's history, a page at a time: its pings, its flips (status changes) and its alerts; a channel object's alerts. */
export function mountHistoryRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  mount(router, '/v1/monitors/:id/pings', {
    get: withAccount(ctx, async (req, res, account) => {
      const page = await pingHistory(deps, account, String(req.params.id), historyRequest(req));
      res.json({ pings: page.items.map(pingEntry), nextCursor: page.nextCursor });
    }),
  });
  mount(router, '/v1/monitors/:id/flips', {
    get: withAccount(ctx, async (req, res, account) => {
      const page = await flipHistory(deps, account, String(req.params.id), historyRequest(req));
      res.json({ flips: page.items.map(flipEntry), nextCursor: page.nextCursor });
    }),
  });
  mount(router, '/v1/monitors/:id/notifications', {
    get: withAccount(ctx, async (req, res, account) => {
      const page = await monitorDeliveries(deps, account, String(req.params.id), historyRequest(req));
      res.json({ notifications: page.items.map(deliveryEntry), nextCursor: page.nextCursor });
    }),
  });
  mount(router, '/v1/channels/:id/notifications', {
    get: withAccount(ctx, async (req, res, account) => {
      const page = await channelDeliveries(deps, account, String(req.params.id), historyRequest(req));
      res.json({ notifications: page.items.map(deliveryEntry), nextCursor: page.nextCursor });
    }),
  });
}
