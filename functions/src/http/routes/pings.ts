import type { Request, Response } from 'express';
import type { PingMethod } from '../../domain/types';
import { pingCors } from '../headers';
import { handlePing } from '../ping';
import { pingBody } from './body';
import { mount, type RouteContext } from './route';

/**
 * Ping URLs and their signals: /start, /fail and /<exit code>, each with an optional ?rid=
 * pairing a start with its end; and /snooze?for=|until=, which holds the monitor's alerts and
 * records no ping. The embedded server answers GET and HEAD pings on a lean path in front of the
 * app (`withPingFastPath` in ../ping), through the same `handlePing`; these routes serve the
 * rest, and every ping on Cloud Functions.
 */
export function mountPingRoutes({ router, deps, limits }: RouteContext): void {
  router.use('/v1/ping', pingCors);
  const ping = async (req: Request, res: Response) => {
    const answer = await handlePing(deps, limits, {
      token: String(req.params.token),
      method: req.method as PingMethod,
      source: req.ip ?? null,
      userAgent: req.header('user-agent') ?? null,
      body: Buffer.isBuffer(req.body) ? req.body : null,
      signal: req.params.signal === undefined ? undefined : String(req.params.signal),
      rid: req.query.rid,
      snooze: req.params.signal === 'snooze' ? { for: req.query.for, until: req.query.until } : undefined,
    });
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'HEAD') {
      res.status(200).end();
      return;
    }
    res.json(answer);
  };
  // Express answers HEAD with the GET handler; `ping` leaves the body out itself.
  for (const path of ['/v1/ping/:token', '/v1/ping/:token/:signal']) mount(router, path, { get: ping, post: [...pingBody, ping] });
}
