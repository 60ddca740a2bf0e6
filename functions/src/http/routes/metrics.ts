import { accountMetrics, METRICS_CONTENT_TYPE } from '../../services/metrics';
import { withAccount } from '../auth';
import { mount, type RouteContext } from './route';

/**
 * The account's monitors for Prometheus to scrape, with the account's key (`x-api-key`, or the
 * `Authorization: Bearer` a scrape config's `authorization.credentials` sends). Query parameters
 * are ignored. Sent as bytes so that Express keeps the content type exactly as the format names it.
 */
export function mountMetricsRoutes(ctx: RouteContext): void {
  mount(ctx.router, '/v1/metrics', {
    get: withAccount(ctx, async (_req, res, account) => {
      const body = await accountMetrics(ctx.deps, account);
      res.setHeader('Content-Type', METRICS_CONTENT_TYPE);
      res.send(Buffer.from(body, 'utf8'));
    }),
  });
}
