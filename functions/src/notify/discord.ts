import { displayLines, shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, headlineOf, monitorDashboardUrl, monitorFacts, quotedName, resultWithoutSecrets, settingsOf, urlSecrets } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const DISCORD_TIMEOUT_MS = 10_000;

/** Embed colours by headline: red down, green up, orange flapping, blue test. */
const COLOURS: Record<string, number> = { '🔴': 0xe74c3c, '🟢': 0x2ecc71, '🟠': 0xe67e22, '🧪': 0x3498db };

/**
 * Discord reads markdown in embed titles, descriptions and field values, and `<@…>`, `<#…>`,
 * `@everyone` as mentions: each markdown character of user text is escaped with a backslash (a
 * link needs its `[…]`), so a monitor name shows as written (mentions are off anyway: `allowed_mentions`).
 */
export const escapeDiscord = (s: string): string => s.replace(/[\\*_~`|<>@[\]]/g, (c) => `\\${c}`);

/**
 * An execute-webhook body (https://discord.com/developers/docs/resources/webhook#execute-webhook):
 * a short `content` line for notifications, one embed with the details (its title links to the
 * monitor's dashboard page), and no mentions, whatever the name holds.
 */
export function discordMessage(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const head = headlineOf(n);
  const what = n.event === 'channel.test' ? 'channel' : 'monitor';
  const name = escapeDiscord(quotedName(s.name));
  const output = s.output ? `\n\n**Last lines of its output**\n\`\`\`\n${shortened(displayLines(s.output).replace(/`/g, "'"), 1_500)}\n\`\`\`` : '';
  const embed = {
    // Limits: title 256, description 4096, field value 1024 (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
    title: shortened(`${head.emoji} ${head.title}: ${what} ${name}`, 256),
    description: `${escapeDiscord(head.summary)}\n\n${escapeDiscord(head.detail)}${output}`,
    color: COLOURS[head.emoji] ?? COLOURS['🔴'],
    fields: monitorFacts(n).map((f) => ({ name: f.name, value: escapeDiscord(f.value), inline: true })),
    timestamp: n.createdAt.toISOString(),
    footer: { text: 'CronPeek' },
    ...(dashboardUrl === null ? {} : { url: dashboardUrl }),
  };
  return {
    content: shortened(`${head.emoji} **${head.title}**: ${what} ${name}`, 2_000),
    embeds: [embed],
    allowed_mentions: { parse: [] },
  };
}

/** Discord's refusals are `{"message": …, "code": …}` (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json). */
function discordReason(body: string): string {
  const answer = answerObject(body);
  if (answer === null) return answerText(body);
  const code = typeof answer.code === 'number' ? ` (code ${answer.code})` : '';
  return typeof answer.message === 'string' ? `${answer.message.slice(0, 200)}${code}` : answerText(body);
}

/** A 429's `retry_after`, in seconds with a fraction, for an answer without `Retry-After` (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit). */
function discordRetryAfter(body: string): number | null {
  const seconds = answerObject(body)?.retry_after;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? Math.ceil(seconds * 1000) : null;
}

const DISCORD: HttpChannel = { label: 'Discord', targetLabel: 'Discord webhook', reasonOf: discordReason, retryAfterOf: discordRetryAfter };

export interface DiscordOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Posts to a Discord channel webhook (the channel object's `url`). Discord answers 204; 429 and
 * 5xx retry (after `Retry-After`), other 4xx are final with Discord's message (`Unknown Webhook`).
 */
export function discordNotifier(config: NotifyConfig, options: DiscordOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? DISCORD_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['url']);
      if (settings === null) return { outcome: 'failed', error: 'Discord channel has no settings' };
      const body = JSON.stringify(discordMessage(n, monitorDashboardUrl(config.publicUrl, n)));
      return resultWithoutSecrets(await postAlert({ url: settings.url, body }, DISCORD, config, { ...options, timeoutMs }), urlSecrets(settings.url));
    },
  };
}
