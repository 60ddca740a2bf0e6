import { createHash } from 'node:crypto';
import { displayLines, shortened } from '../domain/text';
import type { Notification } from '../domain/types';
import { answerObject, answerText, headlineOf, monitorDashboardUrl, monitorFacts, plainMessage, quotedName, resultWithoutSecrets, settingsOf } from './message';
import { postAlert, type ConnectOptions, type HttpChannel } from './post';
import type { Notifier, NotifyConfig, SendResult } from './types';

export const MATRIX_TIMEOUT_MS = 10_000;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * The transaction id of a delivery: the same for every attempt of one notification, so that a
 * retry after a lost answer is recognised by the homeserver, which keeps one event per access
 * token and transaction id (https://spec.matrix.org/v1.11/client-server-api/#transaction-identifiers).
 * Hex, so it needs no escaping in the path.
 */
export const matrixTxnId = (n: Notification): string => `cronpeek-${createHash('sha256').update(n.id).digest('hex')}`;

/**
 * An `m.room.message` of msgtype `m.text` (https://spec.matrix.org/v1.11/client-server-api/#mtext):
 * the plain `body` every client shows, and the same as HTML in `formatted_body`, every piece of
 * user text escaped. The empty `m.mentions` says it mentions nobody, which also turns off the
 * older rules that notify a whole room for `@room` in a body
 * (https://spec.matrix.org/v1.11/client-server-api/#user-and-room-mentions): a monitor named
 * "@room" pings nobody.
 */
export function matrixMessage(n: Notification, dashboardUrl: string | null) {
  const s = n.snapshot;
  const head = headlineOf(n);
  const what = n.event === 'channel.test' ? 'channel' : 'monitor';
  const output = s.output ? shortened(displayLines(s.output), 3_000) : null;
  const facts = monitorFacts(n);
  const html = [
    `<p>${head.emoji} <strong>${head.title}</strong>: ${what} ${escapeHtml(quotedName(s.name))} — ${escapeHtml(head.summary)}</p>`,
    `<p>${escapeHtml(head.detail)}</p>`,
    ...(output === null ? [] : [`<p><strong>Last lines of its output</strong></p>`, `<pre><code>${escapeHtml(output)}</code></pre>`]),
    ...(facts.length === 0 ? [] : [`<ul>${facts.map((f) => `<li><strong>${f.name}:</strong> ${escapeHtml(f.value)}</li>`).join('')}</ul>`]),
    ...(dashboardUrl === null ? [] : [`<p><a href="${escapeHtml(dashboardUrl)}">Open the CronPeek dashboard</a></p>`]),
  ];
  const text = plainMessage(n).text;
  return {
    msgtype: 'm.text',
    body: dashboardUrl === null ? text : `${text}\n\nDashboard: ${dashboardUrl}`,
    format: 'org.matrix.custom.html',
    formatted_body: html.join('\n'),
    'm.mentions': {},
  };
}

/** A homeserver's refusals are `{"errcode": "M_FORBIDDEN", "error": …}` (https://spec.matrix.org/v1.11/client-server-api/#standard-error-response). */
function matrixReason(body: string): string {
  const answer = answerObject(body);
  if (answer === null || typeof answer.errcode !== 'string') return answerText(body);
  const error = typeof answer.error === 'string' && answer.error !== '' ? `: ${answer.error}` : '';
  return `${answer.errcode}${error}`.replace(/\s+/g, ' ').slice(0, 300);
}

/** `M_LIMIT_EXCEEDED` says how long to wait in `retry_after_ms` (https://spec.matrix.org/v1.11/client-server-api/#rate-limiting). */
function matrixRetryAfter(body: string): number | null {
  const ms = answerObject(body)?.retry_after_ms;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.ceil(ms) : null;
}

const MATRIX: HttpChannel = { label: 'Matrix', targetLabel: 'Matrix homeserver', reasonOf: matrixReason, retryAfterOf: matrixRetryAfter };

export interface MatrixOptions extends ConnectOptions {
  /** Deadline for the whole exchange; 10 s unless a test needs less. */
  timeoutMs?: number;
}

/** The client-server API's send endpoint for a room, under the homeserver's own path if it has one. */
function sendUrl(homeserver: string, roomId: string, txnId: string): string {
  const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txnId}`;
  try {
    const url = new URL(homeserver);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    return url.toString();
  } catch {
    return homeserver; // postAlert refuses it: "Matrix homeserver URL is not valid".
  }
}

/**
 * Sends a room message as the channel's user (`PUT …/rooms/{roomId}/send/m.room.message/{txnId}`,
 * https://spec.matrix.org/v1.11/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid)
 * with its access token. The homeserver answers 200 `{"event_id"}`; 429 retries after
 * `Retry-After` or `retry_after_ms`; 401 (a revoked token) and 403 (not in the room) are final.
 */
export function matrixNotifier(config: NotifyConfig, options: MatrixOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? MATRIX_TIMEOUT_MS;
  return {
    async send(n, context): Promise<SendResult> {
      const settings = settingsOf(context.config, ['homeserver', 'roomId', 'accessToken']);
      if (settings === null) return { outcome: 'failed', error: 'Matrix channel has no settings' };
      if (!/^[\x21-\x7e]+$/.test(settings.accessToken)) return { outcome: 'failed', error: 'Matrix access token is not valid' };
      const post = {
        url: sendUrl(settings.homeserver, settings.roomId, matrixTxnId(n)),
        method: 'PUT',
        body: JSON.stringify(matrixMessage(n, monitorDashboardUrl(config.publicUrl, n))),
        headers: { Authorization: `Bearer ${settings.accessToken}` },
      };
      return resultWithoutSecrets(await postAlert(post, MATRIX, config, { ...options, timeoutMs }), [settings.accessToken]);
    },
  };
}
