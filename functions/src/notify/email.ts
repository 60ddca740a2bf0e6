import type { Client } from '@sendgrid/client';
import type { MailService } from '@sendgrid/mail';
import type { Logger } from '../log';
import { emailContent, withUnsubscribeLink } from './message';
import { isTransientStatus, type Notifier, type NotifyConfig, type SendResult } from './types';

export const EMAIL_TIMEOUT_MS = 10_000;


/** SendGrid's own explanation of a refusal (`{"errors":[{"message":…}]}`), when it gave one. */
function sendgridReason(err: unknown): string | null {
  const body = (err as { response?: { body?: unknown } }).response?.body;
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return null;
  const messages = errors.map((e) => (e as { message?: unknown }).message).filter((m): m is string => typeof m === 'string');
  return messages.length > 0 ? messages.join('; ').slice(0, 500) : null;
}

export interface EmailOptions {
  /** Deadline for one SendGrid request; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** One e-mail as CronPeek sends it. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Echoed by SendGrid's event webhook. */
  customArgs?: Record<string, string>;
  /** Extra headers (an alert's `List-Unsubscribe`). */
  headers?: Record<string, string>;
  /** What names the message in the log when it is written there instead of sent. */
  logAs?: Record<string, string>;
}

/**
 * Sends e-mail through SendGrid, or, without an API key (the embedded default), writes each
 * e-mail to the log and reports `logged`, so nothing is dropped silently.
 */
export interface Mailer {
  /** True when e-mail really goes out (SendGrid is configured); false when it is written to the log. */
  readonly delivers: boolean;
  send(message: EmailMessage): Promise<SendResult>;
}

export function createMailer(config: NotifyConfig, log: Logger, options: EmailOptions = {}): Mailer {
  // The SDK is loaded on the first e-mail, not at import: most processes (and every cold start of
  // the API function) never send one, and loading it costs start-up time.
  let mail: MailService | null = null;
  const sendgrid = (apiKey: string): MailService => {
    // `require` rather than `import()`: the SDK's `export =` typings name its classes only for static imports.
    const sdk = {
      Client: (require('@sendgrid/client') as { Client: typeof Client }).Client,
      MailService: (require('@sendgrid/mail') as { MailService: typeof MailService }).MailService,
    };
    const client = new sdk.Client();
    client.setApiKey(apiKey);
    // After setApiKey, which resets the base URL to SendGrid's global region.
    if (config.sendgridApiUrl) client.setDefaultRequest('baseUrl', config.sendgridApiUrl);
    const service = new sdk.MailService();
    service.setClient(client);
    // A hung SendGrid must not hold the checker (or outlive the delivery lease).
    service.setTimeout(options.timeoutMs ?? EMAIL_TIMEOUT_MS);
    return service;
  };
  return {
    delivers: Boolean(config.sendgridApiKey),
    async send(message): Promise<SendResult> {
      if (!config.sendgridApiKey) {
        log.info('email not sent: no SENDGRID_API_KEY set, so it is written here instead', {
          ...message.logAs,
          to: message.to,
          subject: message.subject,
          text: message.text,
        });
        return { outcome: 'logged' };
      }
      try {
        const { logAs: _logAs, ...sendable } = message;
        mail ??= sendgrid(config.sendgridApiKey);
        await mail.send({ from: config.emailFrom, ...sendable });
        return { outcome: 'delivered' };
      } catch (err) {
        const status = (err as { code?: unknown }).code;
        if (typeof status === 'number' && status >= 400 && status < 600) {
          const reason = sendgridReason(err);
          const error = `SendGrid answered ${status}${reason ? `: ${reason}` : ''}`;
          return isTransientStatus(status) ? { outcome: 'retry', error } : { outcome: 'failed', error };
        }
        return { outcome: 'retry', error: `SendGrid unreachable: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}

/** RFC 8058: the mail client may POST `List-Unsubscribe=One-Click` to the URL, without opening a page. */
export function unsubscribeHeaders(oneClickUrl: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${oneClickUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** Alert e-mails: the outbox's e-mail channel, each with its one-click unsubscribe when delivery gives one. */
export function emailNotifier(config: NotifyConfig, log: Logger, options: EmailOptions = {}): Notifier {
  const mailer = createMailer(config, log, options);
  return {
    send: (n, { unsubscribe }) =>
      mailer.send({
        to: n.target,
        ...(unsubscribe ? withUnsubscribeLink(emailContent(n, config.publicUrl), unsubscribe.pageUrl) : emailContent(n, config.publicUrl)),
        ...(unsubscribe ? { headers: unsubscribeHeaders(unsubscribe.oneClickUrl) } : {}),
        customArgs: { notificationId: n.id },
        logAs: { notification: n.id },
      }),
  };
}
