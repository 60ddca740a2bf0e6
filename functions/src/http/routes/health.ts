import { mount, type RouteContext } from './route';

/** Is the API up? For load balancers and uptime checks: no key, no storage read. */
export function mountHealthRoutes({ router, deps }: RouteContext): void {
  mount(router, '/health', {
    get: (_req, res) => {
      res.json({ status: 'ok', service: 'cronpeek', version: deps.config.version, timestamp: deps.clock().toISOString() });
    },
  });
}
