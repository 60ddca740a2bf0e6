import type { RequestHandler, Router } from 'express';
import type { LimitGuard } from '../limits';
import type { Deps } from '../../services/context';
import { methodNotAllowed } from '../errors';

/** What every resource's routes are mounted with: the API router, the use cases' dependencies, the abuse limits. */
export interface RouteContext {
  router: Router;
  deps: Deps;
  limits: LimitGuard;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';
type Handlers = RequestHandler | RequestHandler[];

/**
 * The methods a 405 names in `Allow`: those routed, in the order given, then HEAD where GET is one
 * (Express answers HEAD with the GET handler, without the body). OPTIONS, where a path routes it,
 * is a CORS preflight rather than a method of the resource, and is not named.
 */
export function allowOf(methods: readonly Method[]): string[] {
  const allowed = methods.filter((m) => m !== 'options').map((m) => m.toUpperCase());
  if (allowed.includes('GET')) allowed.push('HEAD');
  return allowed;
}

/**
 * Mounts one path's handlers, by method; any other method answers 405 with an `Allow` derived
 * from the same handlers, so the two cannot disagree.
 */
export function mount(router: Router, path: string, handlers: Partial<Record<Method, Handlers>>): void {
  const route = router.route(path);
  const methods = Object.keys(handlers) as Method[];
  for (const method of methods) route[method](...[handlers[method]!].flat());
  route.all(methodNotAllowed(allowOf(methods)));
}
