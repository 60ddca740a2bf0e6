import { CONFIRMATION_TTL_MS } from '../domain/recipients';
import { contentOf, quotedName, type EmailContent } from './message';

/** The page that confirms, declines or unsubscribes with a token from the URL fragment (never sent to a server). */
export function confirmationPageUrl(publicUrl: string, token: string, action: 'confirm' | 'unsubscribe' = 'confirm'): string {
  return `${publicUrl}/confirm.html#${action === 'confirm' ? '' : `action=${action}&`}token=${token}`;
}

/** The API call the one-click `List-Unsubscribe` header names. */
export const oneClickUnsubscribeUrl = (publicUrl: string, token: string): string => `${publicUrl}/api/v1/email/unsubscribe?token=${token}`;

export interface ConfirmationRequest {
  /** The address asked. */
  email: string;
  /** The e-mail of the account that asks. */
  accountEmail: string;
  /** The monitor whose alerts made the request; null for the account's own address. */
  monitorName: string | null;
  /** The sign-up's welcome e-mail. */
  welcome: boolean;
  token: string;
  expiresAt: Date;
  publicUrl: string;
}

/** Who asks: the new account, the account itself, or another account naming its owner. */
function whoAsks(r: ConfirmationRequest): string {
  if (r.welcome) return `Welcome to CronPeek. An account was opened for ${r.email}. Its alerts come to this address once you confirm it.`;
  if (r.email === r.accountEmail) return `Your CronPeek account (${r.email}) asks to send its alerts to this address.`;
  return `The CronPeek account of ${r.accountEmail} asks to send its alerts to ${r.email}.`;
}

/**
 * Asks an address whether it wants an account's alerts: who asks and for which monitor, the page
 * that answers (a button press, so a mail scanner following the link changes nothing), and the
 * API calls that do the same.
 */
export function confirmationEmailContent(r: ConfirmationRequest): EmailContent {
  const body = `'${JSON.stringify({ token: r.token })}'`;
  const call = (answer: 'confirm' | 'decline') => `curl -X POST ${r.publicUrl}/api/v1/email/${answer} -H "Content-Type: application/json" -d ${body}`;
  const lines = [
    whoAsks(r),
    ...(r.monitorName === null ? [] : [`It is for alerts about its monitor named ${quotedName(r.monitorName)}.`]),
    '',
    'Nothing is sent to this address until you confirm. To confirm, or to decline (then this account never e-mails this address again), open:',
    '',
    confirmationPageUrl(r.publicUrl, r.token),
    '',
    `The link works once, until ${r.expiresAt.toISOString()} (${CONFIRMATION_TTL_MS / 3_600_000} hours). The same from a script:`,
    '',
    call('confirm'),
    call('decline'),
    '',
    'If you do not know this account, decline, or ignore this e-mail: without an answer nothing is sent.',
    '-- CronPeek',
  ];
  return contentOf(r.welcome ? 'Welcome to CronPeek: confirm your e-mail' : `Confirm CronPeek alerts to ${r.email}`, lines);
}
