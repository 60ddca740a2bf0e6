import { Router } from 'express';
import type { Deps } from '../../services/context';
import { limitGuard } from '../limits';
import { mountAccountRoutes } from './account';
import { mountAccountsRoutes } from './accounts';
import { mountAuthRoutes } from './auth';
import { mountBadgeRoutes } from './badges';
import { mountChannelRoutes } from './channels';
import { mountEmailRoutes } from './email';
import { mountHealthRoutes } from './health';
import { mountHistoryRoutes } from './history';
import { mountMaintenanceRoutes } from './maintenance';
import { mountMetricsRoutes } from './metrics';
import { mountMonitorRoutes } from './monitors';
import { mountPingRoutes } from './pings';
import { mountScheduleRoutes } from './schedule';
import { mountStatusPageRoutes } from './status-pages';
import { mountTransferRoutes } from './transfer';

/** The whole API as one router, each resource mounting its own routes on it. */
export function apiRouter(deps: Deps): Router {
  const ctx = { router: Router(), deps, limits: limitGuard(deps) };
  mountHealthRoutes(ctx);
  mountAccountsRoutes(ctx);
  mountAuthRoutes(ctx);
  mountAccountRoutes(ctx);
  mountEmailRoutes(ctx);
  mountMonitorRoutes(ctx);
  mountChannelRoutes(ctx);
  mountMaintenanceRoutes(ctx);
  mountStatusPageRoutes(ctx);
  mountTransferRoutes(ctx);
  mountHistoryRoutes(ctx);
  mountScheduleRoutes(ctx);
  mountMetricsRoutes(ctx);
  mountPingRoutes(ctx);
  mountBadgeRoutes(ctx);
  return ctx.router;
}
