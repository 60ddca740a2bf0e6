import { displayLine, shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, downReason, headlineOf, lastPingOf, monitorDashboardUrl, plainMessage, quotedName, reportedStatus, resultWithoutSecrets, settingsOf } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const OPSGENIE_TIMEOUT_MS = 10_000;

/**
 * One Opsgenie alert per outage: the create and the close that ends it carry the same alias,
 * built like PagerDuty's dedup key from the flip that started the outage. A test alert has its own.
 */
export const opsgenieAlias = (n: Notification): string =>
  n.event === 'channel.test' ? `cronpeek-test-${n.id}` : `cronpeek-${n.snapshot.outageId ?? n.flipId}`;

/** What an alert does in Opsgenie: down, flapping and settling down open (or join) the alert; up and settling up close it. */
export function opsgenieAction(n: Notification): 'create' | 'close' {
  if (n.event === 'monitor.up') return 'close';
  if (n.event === 'monitor.settled' && reportedStatus(n) === 'up') return 'close';
  return 'create';
}

/** P1 an outage, P3 a flapping monitor, P5 a test (https://docs.opsgenie.com/docs/alert-api#create-alert). */
const priorityOf = (n: Notification): 'P1' | 'P3' | 'P5' => (n.event === 'channel.test' ? 'P5' : n.event === 'monitor.flapping' ? 'P3' : 'P1');

/** Details are a map of strings to strings. */
function detailsOf(n: Notification): Record<string, string> {
  const s = n.snapshot;
  const lastPing = lastPingOf(n);
  if (n.event === 'channel.test') return { event: n.event };
  return {
    event: n.event,
    monitorId: s.monitorId,
    name: s.name,
    status: reportedStatus(n),
    schedule: s.cron ? `${s.cron} (${s.tz ?? 'UTC'})` : `${s.schedule} s`,
    grace: `${s.grace} s`,
    lastPing: lastPing === null ? 'never' : lastPing.toISOString(),
    reason: n.event === 'monitor.settled' ? 'settled' : downReason(s),
  };
}

/**
 * A create-alert request: `message` at most 130 characters, `alias` at most 512, `description`
 * at most 15000, tags at most 50 characters each (https://docs.opsgenie.com/docs/alert-api#create-alert).
 */
export function opsgenieCreate(n: Notification, dashboardUrl: string | null) {
  const head = headlineOf(n);
  const what = n.event === 'channel.test' ? 'channel' : 'monitor';
  const { text } = plainMessage(n);
  return {
    message: shortened(`${head.title}: ${what} ${displayLine(quotedName(n.snapshot.name))} — ${head.summary}`, 130),
    alias: opsgenieAlias(n),
    description: shortened(dashboardUrl === null ? text : `${text}\n\nDashboard: ${dashboardUrl}`, 15_000),
    priority: priorityOf(n),
    source: 'CronPeek',
    tags: ['cronpeek', n.event === 'channel.test' ? 'test' : n.event.replace('monitor.', '')],
    details: detailsOf(n),
    ...(n.event === 'channel.test' ? {} : { entity: shortened(displayLine(n.snapshot.name), 512) }),
  };
}

/** A close-alert request (https://docs.opsgenie.com/docs/alert-api#close-alert). */
export function opsgenieClose(n: Notification) {
  const { title } = plainMessage(n);
  return { source: 'CronPeek', note: shortened(title, 25_000) };
}

/** Opsgenie's refusals: `{"message": …, "errors": {field: …}, "took", "requestId"}` (https://docs.opsgenie.com/docs/response). */
function opsgenieReason(body: string): string {
  const answer = answerObject(body);
  if (typeof answer?.message !== 'string') return answerText(body);
  const errors = typeof answer.errors === 'object' && answer.errors !== null ? Object.values(answer.errors).filter((e): e is string => typeof e === 'string') : [];
  return [answer.message, ...errors].join('; ').slice(0, 300);
}

const OPSGENIE: HttpChannel = { label: 'Opsgenie', targetLabel: 'Opsgenie API', reasonOf: opsgenieReason };

export interface OpsgenieOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/**
 * Creates and closes alerts through the Alert API of the channel's `region` (`config.opsgenieUrls`)
 * with its integration `apiKey` (`Authorization: GenieKey …`). Opsgenie answers 202 and processes
 * the request later; 429 and 5xx retry; 401 (a wrong key), 403 and 422 are final.
 */
export function opsgenieNotifier(config: NotifyConfig, options: OpsgenieOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? OPSGENIE_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['apiKey'], ['region']);
      if (settings === null) return { outcome: 'failed', error: 'Opsgenie channel has no settings' };
      const origin = (settings.region === 'eu' ? config.opsgenieUrls.eu : config.opsgenieUrls.us).replace(/\/+$/, '');
      const headers = { Authorization: `GenieKey ${settings.apiKey}` };
      const post =
        opsgenieAction(n) === 'close'
          ? { url: `${origin}/v2/alerts/${encodeURIComponent(opsgenieAlias(n))}/close?identifierType=alias`, body: JSON.stringify(opsgenieClose(n)), headers }
          : { url: `${origin}/v2/alerts`, body: JSON.stringify(opsgenieCreate(n, monitorDashboardUrl(config.publicUrl, n))), headers };
      return resultWithoutSecrets(await postAlert(post, OPSGENIE, config, { ...options, timeoutMs }), [settings.apiKey]);
    },
  };
}
