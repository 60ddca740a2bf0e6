import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { NotifyConfig } from '../config';
import type { Logger } from '../services/context';
import { emailContent } from './message';
import type { Notifier, SendResult } from './types';

/** SendGrid answers these when trying again later may succeed. */
const transient = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * E-mail through SendGrid. Without an API key (the embedded default) every e-mail is written to
 * the log and the notification is marked `logged`, so nothing is dropped silently.
 */
export function emailNotifier(config: NotifyConfig, log: Logger): Notifier {
  let mail: MailService | null = null;
  if (config.sendgridApiKey) {
    const client = new Client();
    client.setApiKey(config.sendgridApiKey);
    if (config.sendgridApiUrl) client.setDefaultRequest('baseUrl', config.sendgridApiUrl);
    // Passed through to the SDK's HTTP client: a hung SendGrid must not hold the checker.
    client.setDefaultRequest({ timeout: 10_000 } as unknown as Parameters<Client['setDefaultRequest']>[0]);
    mail = new MailService();
    mail.setClient(client);
  }
  return {
    async send(n): Promise<SendResult> {
      const content = emailContent(n);
      if (mail === null) {
        log.info('email (no SENDGRID_API_KEY set, logged instead of sent)', { to: n.target, ...content, html: undefined });
        return { outcome: 'logged' };
      }
      try {
        await mail.send({ to: n.target, from: config.emailFrom, ...content, customArgs: { notificationId: n.id } });
        return { outcome: 'delivered' };
      } catch (err) {
        const status = (err as { code?: unknown }).code;
        if (typeof status === 'number' && status >= 400 && status < 600) {
          const error = `SendGrid answered ${status}`;
          return transient(status) ? { outcome: 'retry', error } : { outcome: 'failed', error };
        }
        return { outcome: 'retry', error: `SendGrid unreachable: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}
