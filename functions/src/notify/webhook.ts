import { createHmac } from 'node:crypto';
import type { ChannelConfig, Notification } from '../domain/types';
import { reportedStatus, resultWithoutSecrets, urlSecrets, webhookPayload } from './message';
import { postAlert, type AlertPost, type ConnectOptions, type HttpChannel } from './post';
import { isSlackWebhook, slackNotifier } from './slack';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const SIGNATURE_HEADER = 'X-CronPeek-Signature';
/** Receivers are arbitrary servers: a refusal is reported by its status, not by whatever page came with it. */
const WEBHOOK: HttpChannel = { label: 'webhook' };

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe-style receivers expect. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * The placeholders of a webhook template, longest first so that `$MONITOR_ID` is never read as
 * a shorter name followed by text. Replacement is one pass over the template: a value that
 * itself holds `$NAME` (a monitor called "$STATUS") is inserted as it is, never replaced again.
 */
export const TEMPLATE_PLACEHOLDERS = ['MONITOR_ID', 'OUTPUT', 'REASON', 'STATUS', 'EVENT', 'NAME', 'JSON', 'NOW'] as const;
type Placeholder = (typeof TEMPLATE_PLACEHOLDERS)[number];
const PLACEHOLDER = new RegExp(`\\$(${TEMPLATE_PLACEHOLDERS.join('|')})`, 'g');

/** Each placeholder's value for an alert: the same facts as the version 1 payload (`$JSON`), as text. */
export function placeholderValues(n: Notification): Record<Placeholder, string> {
  const payload = webhookPayload(n);
  return {
    MONITOR_ID: n.snapshot.monitorId,
    OUTPUT: payload.output ?? '',
    REASON: payload.reason,
    STATUS: reportedStatus(n),
    EVENT: n.event,
    NAME: n.snapshot.name,
    JSON: JSON.stringify(payload),
    NOW: n.createdAt.toISOString(),
  };
}

/**
 * How a value is written into what it replaces a placeholder in:
 * - `json` (a body whose Content-Type is JSON, the default): as the inside of a JSON string,
 *   escaped and without the quotes, so `"name": "$NAME"` is valid JSON whatever the name holds;
 *   `$JSON`, itself JSON, as it is, so it is written outside quotes (`"alert": $JSON`);
 * - `form` (`application/x-www-form-urlencoded`) and `url` (the URL's path, query and fragment):
 *   percent-encoded, `$JSON` included, so a value can never add a field or a path segment;
 * - `text` (any other Content-Type): as it is.
 */
export type TemplateEscaping = 'json' | 'form' | 'url' | 'text';

function escaped(value: string, placeholder: Placeholder, escaping: TemplateEscaping): string {
  switch (escaping) {
    case 'json':
      return placeholder === 'JSON' ? value : JSON.stringify(value).slice(1, -1);
    case 'form':
    case 'url':
      return encodeURIComponent(value);
    case 'text':
      return value;
  }
}

/** A template with every placeholder replaced, in one pass, by its value escaped for `escaping`. */
export function renderTemplate(template: string, values: Record<Placeholder, string>, escaping: TemplateEscaping): string {
  return template.replace(PLACEHOLDER, (_match, name: Placeholder) => escaped(values[name], name, escaping));
}

/**
 * A templated URL: placeholders are replaced in its path, query and fragment only. Its scheme,
 * host and port are left as written, so an alert goes to the host that was checked when the
 * channel was saved, whatever a monitor's name holds.
 */
export function renderUrl(url: string, values: Record<Placeholder, string>): string {
  const split = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/is.exec(url);
  return split === null ? url : `${split[1]}${renderTemplate(split[2], values, 'url')}`;
}

/** How a body of this Content-Type has values written into it. */
export function bodyEscaping(contentType: string | undefined): TemplateEscaping {
  if (contentType === undefined) return 'json';
  const media = contentType.split(';')[0].trim().toLowerCase();
  if (/^[a-z0-9!#$&^_.+-]+\/([a-z0-9!#$&^_.+-]+\+)?json$/.test(media)) return 'json';
  return media === 'application/x-www-form-urlencoded' ? 'form' : 'text';
}

/**
 * Headers a template may not set: the framing of the request, our identity, and our own
 * `X-CronPeek-*` headers, which a receiver must be able to trust.
 */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'user-agent', 'x-cronpeek-event', 'x-cronpeek-delivery', 'x-cronpeek-signature']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** What Node (and HTTP) allow in a header value: no CR, LF or other control character. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A template's headers as sent (Content-Type spelled one way), or the name of one that cannot be. */
function templateHeaders(given: Readonly<Record<string, string>>): { headers: Record<string, string> } | { invalid: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) return { invalid: name };
    if (RESERVED_HEADERS.has(name.toLowerCase())) continue;
    headers[name.toLowerCase() === 'content-type' ? 'Content-Type' : name] = value;
  }
  return { headers };
}

/** A webhook channel object's settings: its URL, and the template's parts it has. */
interface WebhookSettings {
  url: string;
  method?: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
}

function webhookSettingsOf(config: ChannelConfig): WebhookSettings | null {
  const { url, method, headers, body } = config;
  if (typeof url !== 'string' || url === '') return null;
  return {
    url,
    ...(typeof method === 'string' ? { method: method.toUpperCase() } : {}),
    ...(typeof headers === 'object' && headers !== null ? { headers } : {}),
    ...(typeof body === 'string' ? { body } : {}),
  };
}

/**
 * The request a webhook channel object makes. Without a template it is exactly the monitor
 * webhook's: the signed version 1 payload, POSTed. A template changes the method (a GET sends no
 * body), adds headers and replaces the body, with placeholders filled in (see TemplateEscaping).
 */
function channelRequest(n: Notification, settings: WebhookSettings): AlertPost | { error: string } {
  const extra = templateHeaders(settings.headers ?? {});
  if ('invalid' in extra) return { error: `webhook header ${JSON.stringify(extra.invalid)} is not valid` };
  const values = placeholderValues(n);
  const method = settings.method ?? 'POST';
  const escaping = bodyEscaping(extra.headers['Content-Type']);
  const body = method === 'GET' ? '' : settings.body === undefined ? values.JSON : renderTemplate(settings.body, values, escaping);
  return { url: renderUrl(settings.url, values), method, body, headers: extra.headers };
}

export interface WebhookOptions extends ConnectOptions {
  /** Deadline for the whole exchange, connect to response; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * POSTs the signed, versioned JSON payload; 2xx is delivered, 408/429/5xx and network errors
 * retry. A Slack incoming webhook (host `hooks.slack.com`, or one in `CRONPEEK_SLACK_HOSTS`)
 * refuses that JSON, so it gets Slack's message format instead, exactly as an `alertSlack`
 * target would, unless a channel object's template gives its own body.
 *
 * A monitor's `alertWebhook` is the row's target, signed with the monitor's key; a webhook
 * channel object is its `config` (URL and template), signed with the channel's key. The
 * signature is always over the body actually sent.
 */
export function webhookNotifier(config: NotifyConfig, clock: () => Date, options: WebhookOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const slack = slackNotifier(config, options);
  const post = (request: AlertPost, secret: string | null, n: Notification): Promise<SendResult> => {
    const headers: Record<string, string> = { ...request.headers, 'X-CronPeek-Event': n.event, 'X-CronPeek-Delivery': n.id };
    if (secret) headers[SIGNATURE_HEADER] = signatureHeader(secret, Math.floor(clock().getTime() / 1000), request.body);
    return postAlert({ ...request, headers }, WEBHOOK, config, { ...options, timeoutMs });
  };
  return {
    async send(n, context): Promise<SendResult> {
      if (context.config === undefined) {
        if (isSlackWebhook(n.target, config.slackHosts)) return slack.send(n, context);
        return post({ url: n.target, body: JSON.stringify(webhookPayload(n)) }, context.webhookSecret, n);
      }
      const settings = webhookSettingsOf(context.config);
      if (settings === null) return { outcome: 'failed', error: 'Webhook channel has no settings' };
      if (settings.body === undefined && isSlackWebhook(settings.url, config.slackHosts)) return slack.send(n, context);
      const request = channelRequest(n, settings);
      if ('error' in request) return { outcome: 'failed', error: request.error };
      // Header values are secret too (an Authorization), but short ones are left: they would blank out ordinary words.
      const headerSecrets = Object.values(settings.headers ?? {}).filter((v) => typeof v === 'string' && v.length >= 8);
      const secrets = [...urlSecrets(settings.url), ...urlSecrets(request.url), ...headerSecrets];
      return resultWithoutSecrets(await post(request, context.webhookSecret, n), secrets);
    },
  };
}
