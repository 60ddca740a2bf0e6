import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode } from '../domain/errors';
import type { Logger } from '../log';
import { API_HEADERS } from './headers';

/** The one table from error codes to HTTP statuses. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.InvalidRecoveryToken]: 400,
  [ErrorCode.InvalidEmailToken]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.PlanLimit]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.RequestTimeout]: 408,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.HeadersTooLarge]: 431,
};

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

/** A 405, with the methods the path does answer (sent as `Allow`). */
export class MethodNotAllowedError extends AppError {
  constructor(
    method: string,
    readonly allowed: readonly string[],
  ) {
    super(ErrorCode.MethodNotAllowed, `Method ${method} is not allowed here. Use ${allowed.join(', ')}.`);
  }
}

export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (req) => {
    throw new MethodNotAllowedError(req.method, allowed);
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

/** Requests too broken for the app to see, as Node's HTTP parser reports them (by `err.code`). */
const MALFORMED_REQUESTS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [ErrorCode.HeadersTooLarge, 'Request headers are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [ErrorCode.RequestTimeout, 'The request took too long to arrive.'],
};

/** The error a request that never reached the app is answered with (the server's `clientError`). */
export function malformedRequestError(err: { code?: string }): AppError {
  const [code, message] = MALFORMED_REQUESTS[err.code ?? ''] ?? [ErrorCode.BadRequest, 'Malformed HTTP request.'];
  return new AppError(code, message);
}

/** The path as it may be logged: a ping URL's token is a secret, so it is left out. */
export function loggablePath(path: string): string {
  return path.replace(/\/ping\/[^/]*/, '/ping/<token>');
}

/** The client error `err` is, or null for a bug. */
function knownError(err: unknown): AppError | null {
  return err instanceof AppError ? err : fromFrameworkError((err ?? {}) as Parameters<typeof fromFrameworkError>[0]);
}

/** The answer to an error that is a bug: logged (with the path made loggable), never shown. */
export const INTERNAL_ERROR = 'Internal server error. Try again or contact support.';

export function logUnhandled(log: Logger, message: string, method: string, path: string, err: unknown): void {
  log.error(message, { method, path: loggablePath(path), error: err instanceof Error ? err.stack : String(err) });
}

/** What an error is answered with, wherever it is answered. */
export interface ErrorAnswer {
  status: number;
  /** The headers of every API answer, and those the error calls for (`Retry-After`, `Allow`). */
  headers: Record<string, string>;
  body: { error: string };
  /** A bug rather than the client's doing: to be logged, never shown. */
  unexpected: boolean;
}

/**
 * The one function that turns an error into an answer: for the Express error middleware, the
 * embedded ping fast path and the server's `clientError`, so none of them can drift from the
 * others. Headers a resource sets on all its answers (the ping URLs' CORS) stay the resource's.
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  const known = knownError(err);
  if (known === null) return { status: 500, headers: { ...API_HEADERS }, body: { error: INTERNAL_ERROR }, unexpected: true };
  const headers = { ...API_HEADERS };
  if (known.retryAfterSeconds !== undefined) headers['Retry-After'] = String(known.retryAfterSeconds);
  if (known instanceof MethodNotAllowedError) headers.Allow = known.allowed.join(', ');
  return { status: HTTP_STATUS[known.code], headers, body: { error: known.message }, unexpected: false };
}

/** The Express error middleware: `{"error": "..."}`, never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const answer = errorAnswer(err);
    if (answer.unexpected && res.headersSent) {
      // Too late for a JSON answer; end the response so the client is not left waiting.
      logUnhandled(log, 'error after the response started', req.method, req.path, err);
      res.end();
      return;
    }
    if (answer.unexpected) logUnhandled(log, 'unhandled error', req.method, req.path, err);
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.status(answer.status).json(answer.body);
  };
}
