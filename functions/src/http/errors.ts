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

/** Body-parser errors carry a `type`; map the ones a client can cause. */
function fromParserError(err: { type?: string; status?: number }): AppError | null {
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
    default:
      return null;
  }
}

/** The one place errors become responses: `{"error": "..."}`, never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof AppError ? err : fromParserError(err ?? {});
    if (known) {
      res.status(httpStatusOf[known.code]).json({ error: known.message });
      return;
    }
    log.error('unhandled error', { method: req.method, path: req.path, error: err instanceof Error ? err.stack : String(err) });
    res.status(500).json({ error: 'Internal server error. Try again or contact support.' });
  };
}
