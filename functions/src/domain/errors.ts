/**
 * Every failure a caller can cause has a code; callers branch on the code, never on the message.
 * How each code is answered over HTTP is the HTTP layer's business (`http/errors.ts`).
 */
export enum ErrorCode {
  BadRequest = 'bad_request',
  /** A lost-key recovery token that does not redeem: wrong, expired, spent, or for no account. */
  InvalidRecoveryToken = 'invalid_recovery_token',
  /** An e-mail confirmation or unsubscribe token that does not open its record: wrong, expired or spent. */
  InvalidEmailToken = 'invalid_email_token',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  PlanLimit = 'plan_limit',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  RequestTimeout = 'request_timeout',
  Conflict = 'conflict',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  RateLimited = 'rate_limited',
  HeadersTooLarge = 'headers_too_large',
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For `RateLimited`: when the client may try again, sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
