import { ForcedAnswers, serve, type StandInRequest } from './serve';

/**
 * Mattermost's incoming webhooks as a real local HTTP server, checked against
 * https://developers.mattermost.com/integrate/webhooks/incoming/ (the parameters) and
 * https://developers.mattermost.com/integrate/reference/message-attachments/ (attachments):
 * `POST /hooks/<26-character id>` with JSON that has a `text` or `attachments`, answered
 * `200 ok` in plain text. Refusals are Mattermost's AppError JSON
 * (`{"id", "message", "detailed_error", "request_id", "status_code"}`, https://api.mattermost.com/#tag/errors).
 */

/** A post the stand-in accepted, as Mattermost would show it in the channel. */
export interface MattermostPost {
  path: string;
  text: string;
  username?: string;
  attachments: Array<Record<string, unknown>>;
  userAgent: string | undefined;
}

export interface MattermostFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

export interface MattermostStandIn {
  origin: string;
  port: number;
  /** An incoming-webhook URL on this stand-in, shaped like Mattermost's (`/hooks/<id>`). */
  url: string;
  requests: StandInRequest[];
  messages: MattermostPost[];
  fail: ForcedAnswers<MattermostFailure>;
  close(): Promise<void>;
}

export const MATTERMOST_HOOK_ID = 'x7kq2mn9pl4vr8st1wy6za3cpe';
/** Mattermost's limit on a post's message (https://docs.mattermost.com/configure/environment-configuration-settings.html). */
const MAX_TEXT = 16_383;

export const appError = (status: number, id: string, message: string, detail = '') => ({
  status,
  json: { id, message, detailed_error: detail, request_id: 'c3b8e2q5bfrw8x1d9m7k3n5p4r', status_code: status },
});

/** Why Mattermost would refuse these attachments; null when it would post them. */
function attachmentProblem(attachments: unknown): string | null {
  if (!Array.isArray(attachments)) return 'attachments must be an array';
  for (const a of attachments as Array<Record<string, unknown>>) {
    if (typeof a !== 'object' || a === null) return 'an attachment must be an object';
    for (const field of ['fallback', 'color', 'pretext', 'text', 'title', 'title_link']) {
      if (a[field] !== undefined && typeof a[field] !== 'string') return `attachment ${field} must be a string`;
    }
    if (typeof a.color === 'string' && !/^(#[0-9a-fA-F]{6}|good|warning|danger)$/.test(a.color)) return 'attachment color must be a hex colour';
    if (typeof a.title_link === 'string' && !/^https?:\/\//.test(a.title_link)) return 'attachment title_link must be an http(s) URL';
    if (a.fields !== undefined) {
      if (!Array.isArray(a.fields)) return 'attachment fields must be an array';
      for (const f of a.fields as Array<Record<string, unknown>>) {
        if (typeof f.title !== 'string' || typeof f.value !== 'string' || (f.short !== undefined && typeof f.short !== 'boolean')) return 'a field needs a title, a value and a boolean short';
      }
    }
  }
  return null;
}

export async function startMattermostStandIn(): Promise<MattermostStandIn> {
  const requests: StandInRequest[] = [];
  const messages: MattermostPost[] = [];
  const fail = new ForcedAnswers<MattermostFailure>();
  const json = (a: MattermostFailure) => ({ status: a.status, contentType: 'application/json', body: JSON.stringify(a.json), headers: a.headers });
  const invalid = (detail: string) => json(appError(400, 'web.incoming_webhook.parse.app_error', 'Unable to parse incoming data.', detail));
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced);
    if (req.method !== 'POST') return json(appError(405, 'api.context.405.app_error', 'Method not allowed.'));
    if (req.path !== `/hooks/${MATTERMOST_HOOK_ID}`) return json(appError(400, 'web.incoming_webhook.invalid.app_error', 'Invalid webhook.'));
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return invalid('content type must be application/json');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return invalid('body is not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid('body is not an object');
    const { text, attachments, username } = body as { text?: unknown; attachments?: unknown; username?: unknown };
    if (text !== undefined && typeof text !== 'string') return invalid('text must be a string');
    if (username !== undefined && typeof username !== 'string') return invalid('username must be a string');
    if ((text === undefined || text === '') && attachments === undefined) return json(appError(400, 'web.incoming_webhook.text.app_error', 'No text specified.'));
    if (typeof text === 'string' && text.length > MAX_TEXT) return json(appError(400, 'web.incoming_webhook.text.length.app_error', 'Text too long.'));
    const problem = attachments === undefined ? null : attachmentProblem(attachments);
    if (problem) return invalid(problem);
    messages.push({
      path: req.path,
      text: (text as string | undefined) ?? '',
      ...(typeof username === 'string' ? { username } : {}),
      attachments: (attachments as Array<Record<string, unknown>> | undefined) ?? [],
      userAgent: req.headers['user-agent'],
    });
    return { status: 200, contentType: 'text/plain', body: 'ok' };
  });
  return { ...server, url: `${server.origin}/hooks/${MATTERMOST_HOOK_ID}`, requests, messages, fail };
}
