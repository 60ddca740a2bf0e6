import { AppError, ErrorCode } from '../domain/errors';
import { recoveryEmailContent } from '../notify/message';
import type { Deps } from './context';
import { hashApiKey, hashSecret, newApiKey, newRecoveryToken, RECOVERY_TOKEN_PATTERN } from './secrets';

export const RECOVERY_TTL_MS = 3_600_000;

/** The one answer to every recovery request, whether or not an account has the e-mail. */
export const RECOVERY_REQUESTED =
  'If an account uses this e-mail, a recovery token is on its way to it. It is valid for one hour and works once.';
export const INVALID_RECOVERY = 'Invalid or expired recovery token.';
const invalidRecovery = () => new AppError(ErrorCode.InvalidRecoveryToken, INVALID_RECOVERY);

const normalise = (email: string): string => email.trim().toLowerCase();

/**
 * Starts a lost-key recovery: keeps the hash of a fresh one-time token on the account with this
 * e-mail (replacing an earlier one) and e-mails the token to it. The caller answers the same way
 * whether or not such an account exists and does not wait for `sent`: the token is stored (one
 * write, or none for an unknown e-mail) before the answer, the e-mail goes out after it, so the
 * answer's timing does not reveal which.
 *
 * The e-mail is sent directly, not through the alert outbox: the outbox keeps each message until
 * it is delivered, and the token may be kept only as a hash. A failed send is logged (without the
 * token) and the user asks again.
 */
export async function requestRecovery(deps: Deps, input: { email: string }): Promise<{ sent: Promise<void> }> {
  const email = normalise(input.email);
  const token = newRecoveryToken();
  const expiresAt = new Date(deps.clock().getTime() + RECOVERY_TTL_MS);
  if (!(await deps.store.saveRecoveryToken(email, hashSecret(token), expiresAt))) return { sent: Promise.resolve() };
  const content = recoveryEmailContent({ email, token, expiresAt, publicUrl: deps.config.publicUrl });
  const sent = deps.mailer
    .send({ to: email, ...content, logAs: { purpose: 'account recovery' } })
    .then((result) => {
      if (result.outcome === 'failed' || result.outcome === 'retry') {
        deps.log.error('recovery e-mail not sent; the user can ask again', { to: email, error: result.error });
      }
    })
    .catch((err: unknown) => {
      deps.log.error('recovery e-mail not sent; the user can ask again', { to: email, error: err instanceof Error ? err.message : String(err) });
    });
  return { sent };
}

/**
 * Trades a recovery token for a fresh API key: the old key and the token stop working. A wrong,
 * expired or spent token (or an e-mail without an account) is one and the same error,
 * `InvalidRecoveryToken` (a 400), and changes nothing.
 */
export async function confirmRecovery(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string; token: string }): Promise<string> {
  if (!RECOVERY_TOKEN_PATTERN.test(input.token)) throw invalidRecovery();
  const apiKey = newApiKey();
  const redeemed = await deps.store.redeemRecoveryToken(normalise(input.email), hashSecret(input.token), deps.clock(), hashApiKey(apiKey));
  if (!redeemed) throw invalidRecovery();
  return apiKey;
}
