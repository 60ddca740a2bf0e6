import type { Request } from 'express';
import { AppError, ErrorCode } from '../domain/errors';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * The API key a request carries: in `x-api-key`, or as `Authorization: Bearer <key>`. Both may
 * be sent only if they agree; an Authorization header that is not a Bearer credential is refused
 * rather than ignored, so a client that means to authenticate learns why it did not.
 */
export function apiKeyOf(req: Request): string | undefined {
  const header = req.header('x-api-key');
  const authorization = req.header('authorization');
  if (authorization === undefined) return header;
  const bearer = BEARER.exec(authorization)?.[1];
  if (bearer === undefined) {
    throw new AppError(ErrorCode.Unauthorized, 'Malformed Authorization header. Send "Authorization: Bearer <API key>".');
  }
  if (header !== undefined && header !== '' && header !== bearer) {
    throw new AppError(ErrorCode.Unauthorized, 'The x-api-key and Authorization headers carry different keys. Send one of them.');
  }
  return bearer;
}
