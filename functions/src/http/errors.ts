import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode, httpStatusOf } from '../domain/errors';
import type { Logger } from '../log';

/** Parses with zod; the first problem becomes a 400 that names the field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError(ErrorCode.BadRequest, 'Request body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.');
    const given = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], body);
    const message = given === undefined ? `${field} is required` : issue.message;
    throw new AppError(ErrorCode.BadRequest, `${message}.`);
  }
  return result.data;
}

export const notFound: RequestHandler = (req) => {
  throw new AppError(ErrorCode.NotFound, `No route for ${req.method} ${req.path}.`);
};

export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    throw new AppError(ErrorCode.MethodNotAllowed, `Method ${req.method} is not allowed here. Use ${allowed.join(', ')}.`);
  };
}

const CLIENT_ERROR_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.BadRequest,
  404: ErrorCode.NotFound,
  405: ErrorCode.MethodNotAllowed,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
};

/**
 * Errors from the framework rather than our code, that a client can cause: body-parser's carry
 * a `type`; the router's failure to decode a `%` escape in a path parameter is a URIError. They
 * are answered like any other 4xx, and not logged: a client must not be able to flood the log.
 */
function fromFrameworkError(err: { type?: string; status?: unknown; statusCode?: unknown }): AppError | null {
  if (err instanceof URIError) return new AppError(ErrorCode.BadRequest, 'Malformed percent-encoding in the URL.');
  switch (err.type) {
    case 'entity.parse.failed':
      return new AppError(ErrorCode.BadRequest, 'Malformed JSON in request body.');
    case 'entity.too.large':
      return new AppError(ErrorCode.PayloadTooLarge, 'Request body is too large.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(ErrorCode.UnsupportedMediaType, 'Unsupported request body encoding.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError(ErrorCode.BadRequest, 'The request body could not be read.');
  }
  // Anything else the framework marks as the client's fault (http-errors sets `status` 4xx).
  const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : 0;
  const code = CLIENT_ERROR_CODES[status];
  return code ? new AppError(code, status === 400 ? 'Bad request.' : 'The request was refused.') : null;
}

/** The path as it may be logged: a ping URL's token is a secret, so it is left out. */
export function loggablePath(path: string): string {
  return path.replace(/\/ping\/[^/]*/, '/ping/<token>');
}

/** What an error is answered with: a known (client) error's status and message, or null for a bug. */
export function knownError(err: unknown): AppError | null {
  return err instanceof AppError ? err : fromFrameworkError((err ?? {}) as Parameters<typeof fromFrameworkError>[0]);
}

/** The answer to an error that is a bug: logged (with the path made loggable), never shown. */
export const INTERNAL_ERROR = 'Internal server error. Try again or contact support.';

export function logUnhandled(log: Logger, message: string, method: string, path: string, err: unknown): void {
  log.error(message, { method, path: loggablePath(path), error: err instanceof Error ? err.stack : String(err) });
}

/** The one place errors become responses: `{"error": "..."}`, never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = knownError(err);
    if (known) {
      if (known.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(known.retryAfterSeconds));
      res.status(httpStatusOf[known.code]).json({ error: known.message });
      return;
    }
    if (res.headersSent) {
      // Too late for a JSON answer; end the response so the client is not left waiting.
      logUnhandled(log, 'error after the response started', req.method, req.path, err);
      res.end();
      return;
    }
    logUnhandled(log, 'unhandled error', req.method, req.path, err);
    res.status(500).json({ error: INTERNAL_ERROR });
  };
}
