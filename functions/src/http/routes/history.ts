import type { Request } from 'express';
import { DEFAULT_PAGE, flipHistory, type HistoryRequest, pingHistory } from '../../services/history';
import { withAccount } from '../auth';
import { parseBody } from '../errors';
import { flipEntry, pingEntry } from '../present';
import { historyQuery } from '../schemas';
import { mount, type RouteContext } from './route';

function historyRequest(req: Request): HistoryRequest {
  const q = parseBody(historyQuery, { ...req.query });
  return { limit: q.limit ?? DEFAULT_PAGE, cursor: q.cursor ?? null };
}

/** A monitor's history, a page at a time: its pings and its flips (status changes). */
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
}
