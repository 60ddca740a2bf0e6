import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a receiver checks `X-CronPeek-Signature`; docs/alerts.md shows this same function. `rawBody`
 * must be the exact bytes received, before any JSON parsing.
 */
export function verifyCronPeekSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || typeof parts.v1 !== 'string') return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false; // stale or replayed
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
