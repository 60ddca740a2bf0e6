import { ForcedAnswers, serve, type StandInRequest } from './serve';

/** An event the stand-in accepted. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: { summary: string; source: string; severity: string; timestamp?: string; custom_details?: Record<string, unknown> };
  [field: string]: unknown;
}

export interface PagerDutyFailure {
  status: number;
  json: unknown;
}

export interface PagerDutyStandIn {
  origin: string;
  port: number;
  /** The Events API v2 URL on this stand-in, for `CRONPEEK_PAGERDUTY_URL`. */
  eventsUrl: string;
  requests: StandInRequest[];
  events: PagerDutyEvent[];
  /** Incidents by dedup key, as PagerDuty would hold them after the accepted events. */
  incidents: Map<string, 'triggered' | 'resolved'>;
  fail: ForcedAnswers<PagerDutyFailure>;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/** PagerDuty's reasons for refusing an event; empty when it would accept it. */
function problems(e: Record<string, unknown>): string[] {
  const errors: string[] = [];
  if (typeof e.routing_key !== 'string' || !/^[A-Za-z0-9]{32}$/.test(e.routing_key)) errors.push("'routing_key' is invalid");
  if (!['trigger', 'acknowledge', 'resolve'].includes(e.event_action as string)) errors.push("'event_action' is missing or blank");
  if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) errors.push("'dedup_key' is invalid");
  if (e.event_action !== 'trigger' && typeof e.dedup_key !== 'string') errors.push("'dedup_key' is missing or blank");
  const p = e.payload as Record<string, unknown> | undefined;
  if (e.event_action === 'trigger' || p !== undefined) {
    if (typeof p !== 'object' || p === null) errors.push("'payload' is missing or blank");
    else {
      if (typeof p.summary !== 'string' || p.summary === '' || p.summary.length > 1024) errors.push("'payload.summary' is missing or blank");
      if (typeof p.source !== 'string' || p.source === '') errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(p.severity as string)) errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
      if (p.timestamp !== undefined && (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp)))) errors.push("'payload.timestamp' is invalid");
    }
  }
  return errors;
}

/**
 * PagerDuty's Events API v2 as a real local HTTP server: `POST /v2/enqueue` with a valid event
 * is answered 202 `{"status":"success","message":"Event processed","dedup_key":…}`; an invalid
 * one 400 `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`.
 */
export async function startPagerDutyStandIn(): Promise<PagerDutyStandIn> {
  const requests: StandInRequest[] = [];
  const events: PagerDutyEvent[] = [];
  const incidents = new Map<string, 'triggered' | 'resolved'>();
  const fail = new ForcedAnswers<PagerDutyFailure>();
  const json = (status: number, body: unknown) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
  const invalid = (errors: string[]) => json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
  const server = await serve((req) => {
    requests.push(req);
    const forced = fail.take();
    if (forced) return json(forced.status, forced.json);
    if (req.method !== 'POST' || req.path !== '/v2/enqueue') return json(404, { status: 'not found', message: 'Not found' });
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return invalid(['Event object is not valid JSON']);
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return invalid(['Event object is invalid']);
    const errors = problems(event);
    if (errors.length > 0) return invalid(errors);
    const accepted = event as unknown as PagerDutyEvent;
    events.push(accepted);
    const key = accepted.dedup_key;
    if (accepted.event_action === 'trigger') incidents.set(key, 'triggered');
    else if (accepted.event_action === 'resolve' && incidents.has(key)) incidents.set(key, 'resolved');
    return json(202, { status: 'success', message: 'Event processed', dedup_key: key });
  });
  return { ...server, eventsUrl: `${server.origin}/v2/enqueue`, requests, events, incidents, fail };
}
