import type { Request, RequestHandler, Response } from 'express';
import { AppError, ErrorCode } from '../domain/errors';
import type { Account } from '../domain/types';
import { authenticateAccess } from '../services/accounts';
import type { Deps } from '../services/context';
import { clientAddress, type LimitGuard } from './limits';

const BEARER_SCHEME = /^\s*Bearer(\s|$)/i;
const BEARER = /^\s*Bearer +(\S+)\s*$/i;

const malformed = () => new AppError(ErrorCode.Unauthorized, 'Malformed Authorization header. Send "Authorization: Bearer <API key>".');

/**
 * The API key a request carries: in `x-api-key`, or as `Authorization: Bearer <key>`.
 * - Both may be sent only if they carry the same key.
 * - A Bearer header that does not hold exactly one token is refused, never ignored.
 * - Another scheme (a reverse proxy's Basic credentials, say) is not ours: with `x-api-key` the
 *   request authenticates by that header, without it the request is refused as malformed.
 */
export function apiKeyOf(req: Request): string | undefined {
  const header = req.header('x-api-key');
  const hasHeader = header !== undefined && header !== '';
  const authorization = req.header('authorization');
  if (authorization === undefined) return header;
  if (!BEARER_SCHEME.test(authorization)) {
    if (hasHeader) return header;
    throw malformed();
  }
  const bearer = BEARER.exec(authorization)?.[1];
  if (bearer === undefined) throw malformed();
  if (hasHeader && header !== bearer) {
    throw new AppError(ErrorCode.Unauthorized, 'The x-api-key and Authorization headers carry different keys. Send one of them.');
  }
  return bearer;
}

/**
 * One attempt at authenticating (an API key, a recovery token) under the failed-authentication
 * limit of the client's address: refused while the address is over the limit, and counted when
 * it fails with `failure`. Any other failure (a malformed body, say) is not a guess and is not counted.
 */
export async function underFailedAuthLimit<T>(limits: LimitGuard, req: Request, failure: ErrorCode, attempt: () => Promise<T>): Promise<T> {
  const address = clientAddress(req);
  await limits.refuseIfOver('failedAuth', address);
  try {
    return await attempt();
  } catch (err) {
    if (err instanceof AppError && err.code === failure) await limits.count('failedAuth', address);
    throw err;
  }
}

/** What an authenticated route needs: the use cases' dependencies and the abuse limits. */
export interface AuthContext {
  deps: Deps;
  limits: LimitGuard;
}

export type AccountHandler = (req: Request, res: Response, account: Account) => Promise<void>;

/** The methods that change nothing: all a read-only key may use. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

export const READ_ONLY_KEY = "This API key is read-only: it can read but not change anything. Use the account's main key to make changes.";

/**
 * An authenticated route, declared where it is mounted: the request's API key is checked under
 * the failed-authentication limit ("failed authentications per address", against key guessing)
 * and the account's calls are counted ("management calls per key") before `handler` runs with
 * the account, so no route can forget either. A read-only key is refused here on any method but
 * GET and HEAD, before its handler reads the request, so no write route can forget that either.
 */
export function withAccount({ deps, limits }: AuthContext, handler: AccountHandler): RequestHandler {
  return async (req, res) => {
    const { account, access } = await underFailedAuthLimit(limits, req, ErrorCode.Unauthorized, () => authenticateAccess(deps, apiKeyOf(req)));
    await limits.take('management', account.id);
    if (access === 'read' && !READ_METHODS.has(req.method)) throw new AppError(ErrorCode.Forbidden, READ_ONLY_KEY);
    await handler(req, res, account);
  };
}
