import type { Request, Response } from 'express';
import { getBadgeMonitor } from '../../services/monitors';
import { BADGE_MAX_AGE_S, badgeJson, badgeSvg } from '../badge';
import { mount, type RouteContext } from './route';

function badgePreflight(_req: Request, res: Response): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
  res.setHeader('Access-Control-Max-Age', '86400');
  res.status(204).end();
}

/**
 * Public status badges: read-only, cacheable for a minute, embeddable from any origin. They carry
 * no validator: a conditional request would cost the same monitor read as a full one, to save a
 * few hundred bytes.
 */
export function mountBadgeRoutes({ router, deps }: RouteContext): void {
  const badge = (format: 'svg' | 'json') => async (req: Request, res: Response) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    const monitor = await getBadgeMonitor(deps, String(req.params.key));
    res.setHeader('Cache-Control', `public, max-age=${BADGE_MAX_AGE_S}`);
    if (format === 'json') res.json(badgeJson(monitor));
    else res.type('image/svg+xml').send(badgeSvg(monitor));
  };
  for (const format of ['svg', 'json'] as const) mount(router, `/v1/badge/:key.${format}`, { get: badge(format), options: badgePreflight });
}
