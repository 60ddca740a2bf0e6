import type { Request } from 'express';
import { AppError, ErrorCode } from '../domain/errors';

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
