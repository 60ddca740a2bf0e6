import { ForcedAnswers, serve, type StandInRequest } from './serve';

/**
 * A Matrix homeserver's send endpoint as a real local HTTP server, checked against the
 * client-server API (https://spec.matrix.org/v1.11/client-server-api/):
 * `PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}` with
 * `Authorization: Bearer <token>` and an `m.text` body (`#mtext`: `body`, and `formatted_body`
 * when `format` is `org.matrix.custom.html`), answered 200 `{"event_id"}`. Like a real homeserver
 * it keeps one event per access token and transaction id (`#transaction-identifiers`): the same
 * PUT again is answered with the first event's id and posts nothing. Refusals are
 * `{"errcode", "error"}` (`#standard-error-response`); a rate limit is 429 `M_LIMIT_EXCEEDED`
 * with `retry_after_ms` (`#rate-limiting`).
 */

/** A message the stand-in put in a room. */
export interface MatrixEvent {
  eventId: string;
  roomId: string;
  txnId: string;
  content: Record<string, unknown> & { msgtype: string; body: string; format?: string; formatted_body?: string };
}

export interface MatrixFailure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
  /**
   * Take the event first, then answer this: an answer lost after the homeserver acted on the
   * request (a proxy's 502, a dropped connection), the case transaction ids exist for.
   */
  afterStoring?: true;
}

export interface MatrixStandIn {
  origin: string;
  port: number;
  /** The homeserver URL a channel names (the stand-in's origin). */
  url: string;
  accessToken: string;
  /** A room the token's user has joined. */
  roomId: string;
  requests: StandInRequest[];
  messages: MatrixEvent[];
  fail: ForcedAnswers<MatrixFailure>;
  close(): Promise<void>;
}

export const MATRIX_ACCESS_TOKEN = 'syt_Y3JvbnBlZWs_ZwqGcTkYAjLnOGsZmRuK_3Mx9Vb';
export const MATRIX_ROOM_ID = '!cronpeekAlerts:matrix.example.org';

export const matrixError = (status: number, errcode: string, error: string, extra: Record<string, unknown> = {}): MatrixFailure => ({
  status,
  json: { errcode, error, ...extra },
});

const SEND_PATH = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/([^/]+)\/([^/?]+)$/;

/** Why the homeserver would refuse this `m.room.message` content; null when it would send it. */
function contentProblem(content: Record<string, unknown>): string | null {
  if (typeof content.msgtype !== 'string' || typeof content.body !== 'string') return 'm.room.message needs a msgtype and a body';
  if (content.format !== undefined && content.format !== 'org.matrix.custom.html') return 'format must be org.matrix.custom.html';
  if (content.format !== undefined && typeof content.formatted_body !== 'string') return 'formatted_body must be a string';
  return null;
}

export async function startMatrixStandIn(): Promise<MatrixStandIn> {
  const requests: StandInRequest[] = [];
  const messages: MatrixEvent[] = [];
  const transactions = new Map<string, string>();
  const fail = new ForcedAnswers<MatrixFailure>();
  const json = (a: MatrixFailure) => ({ status: a.status, contentType: 'application/json', body: JSON.stringify(a.json), headers: a.headers });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced && !forced.afterStoring) return json(forced);
    const path = SEND_PATH.exec(req.path);
    if (!path || req.method !== 'PUT') return json(matrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request'));
    const [roomId, eventType, txnId] = path.slice(1).map(decodeURIComponent);
    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    if (!auth) return json(matrixError(401, 'M_MISSING_TOKEN', 'Missing access token.'));
    if (auth[1] !== MATRIX_ACCESS_TOKEN) return json(matrixError(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.', { soft_logout: false }));
    if (roomId !== MATRIX_ROOM_ID) return json(matrixError(403, 'M_FORBIDDEN', `User @cronpeek:matrix.example.org not in room ${roomId}`));
    let content: Record<string, unknown>;
    try {
      content = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(matrixError(400, 'M_NOT_JSON', 'Content not JSON.'));
    }
    const wrong = eventType !== 'm.room.message' ? 'only m.room.message is expected' : contentProblem(content);
    if (wrong) return json(matrixError(400, 'M_BAD_JSON', wrong));
    const key = `${auth[1]}\n${txnId}`;
    let eventId = transactions.get(key);
    if (eventId === undefined) {
      eventId = `$event${messages.length + 1}_cronpeek`;
      transactions.set(key, eventId);
      messages.push({ eventId, roomId, txnId, content: content as MatrixEvent['content'] });
    }
    return forced ? json(forced) : { status: 200, contentType: 'application/json', body: JSON.stringify({ event_id: eventId }) };
  });
  return { ...server, url: server.origin, accessToken: MATRIX_ACCESS_TOKEN, roomId: MATRIX_ROOM_ID, requests, messages, fail };
}
