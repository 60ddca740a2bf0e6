import type { Request, Response } from 'express';
import type { PingMethod } from '../../domain/types';
import { pingCors } from '../headers';
import { handlePing, handleSlugPing } from '../ping';
import { PING_KEY_PATTERN } from '../../services/secrets';
import { pingBody } from './body';
import { mount, type RouteContext } from './route';

/**
 * Ping URLs (by a monitor's ping token, or by the account's ping key and the monitor's slug) and
 * their signals: /start, /fail and /<exit code>, each with an optional ?rid= pairing a start with its end; and /snooze?for=|until=, which holds the monitor's alerts and
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
  // Pings by slug: `/ping/<pingKey>/<slug>[/<signal>]`. A ping key (`pk_`, 35 characters) is
  // never a ping token (24), so `/ping/<x>/<y>` is a slug ping exactly when <x> is shaped as a key.
  const slugPing = async (req: Request, res: Response, slug: string, signal: string | undefined) => {
    const { status, answer } = await handleSlugPing(deps, limits, {
      pingKey: String(req.params.token),
      slug,
      method: req.method as PingMethod,
      source: req.ip ?? null,
      userAgent: req.header('user-agent') ?? null,
      body: Buffer.isBuffer(req.body) ? req.body : null,
      signal,
      rid: req.query.rid,
      snooze: signal === 'snooze' ? { for: req.query.for, until: req.query.until } : undefined,
      query: { create: req.query.create, schedule: req.query.schedule, tz: req.query.tz, grace: req.query.grace },
    });
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'HEAD') {
      res.status(status).end();
      return;
    }
    res.status(status).json(answer);
  };
  const byToken = async (req: Request, res: Response) => {
    if (req.params.signal !== undefined && PING_KEY_PATTERN.test(String(req.params.token))) return slugPing(req, res, String(req.params.signal), undefined);
    return ping(req, res);
  };
  const bySlug = (req: Request, res: Response) => slugPing(req, res, String(req.params.slug), String(req.params.signal));
  // Express answers HEAD with the GET handler; `ping` leaves the body out itself.
  for (const path of ['/v1/ping/:token', '/v1/ping/:token/:signal']) mount(router, path, { get: byToken, post: [...pingBody, byToken] });
  mount(router, '/v1/ping/:token/:slug/:signal', { get: bySlug, post: [...pingBody, bySlug] });
}
