import express, { type Request, type RequestHandler } from 'express';
import { AppError, ErrorCode } from '../../domain/errors';

/** JSON request bodies are capped at 64 KB; ping bodies may be up to 1 MB, of which 10 KB is kept. */
const JSON_LIMIT = 64 * 1024;
const PING_BODY_MAX = 1024 * 1024;

type FrameworkRequest = Request & { rawBody?: unknown };

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError(ErrorCode.BadRequest, 'Malformed JSON in request body.');
  }
}

/**
 * On Cloud Functions the Functions Framework has already read and parsed the body (by its
 * content type, without our limits) and kept the bytes in `req.rawBody`; Express's parsers then
 * skip the request. Decode those bytes here so both ways of running apply the same limits,
 * the same content-type leniency and the same errors. Embedded, the body is still unread and the
 * Express parser that follows does the work.
 */
function fromFrameworkBody(limit: number, decode: (raw: Buffer) => unknown): RequestHandler {
  return (req: FrameworkRequest, _res, next) => {
    if (Buffer.isBuffer(req.rawBody)) {
      if (req.rawBody.length > limit) throw new AppError(ErrorCode.PayloadTooLarge, 'Request body is too large.');
      req.body = req.rawBody.length === 0 ? undefined : decode(req.rawBody);
    }
    next();
  };
}

/** A JSON body of at most `limit` bytes, whatever the content type says, parsed into `req.body` (absent when empty). */
export const jsonBodyUpTo = (limit: number): readonly RequestHandler[] => [fromFrameworkBody(limit, parseJson), express.json({ limit, type: () => true, strict: false })];

/** A JSON body, whatever the content type says, parsed into `req.body` (absent when empty). */
export const jsonBody: readonly RequestHandler[] = jsonBodyUpTo(JSON_LIMIT);

/** A ping's body, any content type, as a Buffer in `req.body`. */
export const pingBody: readonly RequestHandler[] = [fromFrameworkBody(PING_BODY_MAX, (raw) => raw), express.raw({ type: () => true, limit: PING_BODY_MAX })];
