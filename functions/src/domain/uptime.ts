import type { MonitorStatus } from './types';

/**
 * Uptime and outages from a monitor's flips, for public status pages. Time counts as observed
 * while the monitor is up or down; time it spends new or paused (and before it existed) counts
 * for neither side, so pausing a job for a week neither helps nor hurts its figure. Pure: the
 * caller passes `now`.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The periods a page shows, by the name its JSON uses. */
export const UPTIME_PERIODS = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS } as const;
export type UptimePeriod = keyof typeof UPTIME_PERIODS;

/** How far back flips are read and outages listed. */
export const HISTORY_MS = UPTIME_PERIODS['30d'];
/** Outages a page lists per monitor, newest first. */
export const MAX_OUTAGES = 10;

/** A flip as far as uptime cares: from which status to which, when. */
export interface StatusChange {
  from: MonitorStatus;
  to: MonitorStatus;
  at: Date;
}

export interface StatusHistory {
  /**
   * Its flips, in any order: those of the last 30 days, and possibly the one before them (which
   * tells when an outage still going 30 days ago began).
   */
  flips: readonly StatusChange[];
  /** Its status now: what it has been since its last flip, or all along when there is none. */
  status: MonitorStatus;
  createdAt: Date;
  /**
   * Before this instant nothing is known: its creation when every flip since then (or since 30
   * days ago) was read; the oldest flip read when reading was cut short.
   */
  knownSince: Date;
}

export interface Outage {
  start: Date;
  /** Null while it is still going. */
  end: Date | null;
  /** Its length so far, in whole seconds. */
  seconds: number;
}

export interface UptimeReport {
  /** Percent of observed time up, rounded down to two decimals; null when nothing was observed. */
  uptime: Record<UptimePeriod, number | null>;
  /** The latest down periods that reach into the last 30 days, newest first, at most MAX_OUTAGES. */
  outages: Outage[];
}

/** A stretch of one status; `startKnown` is false when it began before what is known. */
interface Span {
  status: MonitorStatus;
  start: number;
  end: number;
  startKnown: boolean;
  open: boolean;
}

/** The monitor's history as consecutive spans, from what is known until `now`. */
function spansOf(h: StatusHistory, now: number): Span[] {
  const flips = h.flips.filter((f) => f.at.getTime() <= now).sort((a, b) => a.at.getTime() - b.at.getTime());
  const begin = Math.max(h.createdAt.getTime(), h.knownSince.getTime());
  const spans: Span[] = [];
  // Before the first flip it had the status that flip left; with none, the status it has now.
  let current = { status: flips[0]?.from ?? h.status, start: begin, startKnown: h.knownSince.getTime() <= h.createdAt.getTime() };
  for (const f of flips) {
    spans.push({ ...current, end: f.at.getTime(), open: false });
    current = { status: f.to, start: f.at.getTime(), startKnown: true };
  }
  spans.push({ ...current, end: now, open: true });
  return spans.filter((s) => s.end > s.start || s.open);
}

/** Observed and down milliseconds of `spans` within [from, now]. */
function measure(spans: readonly Span[], from: number): { observed: number; down: number } {
  let observed = 0;
  let down = 0;
  for (const s of spans) {
    if (s.status !== 'up' && s.status !== 'down') continue;
    const overlap = Math.max(0, s.end - Math.max(s.start, from));
    observed += overlap;
    if (s.status === 'down') down += overlap;
  }
  return { observed, down };
}

/**
 * Rounded down, so that any downtime at all shows below 100. Whole milliseconds keep the product
 * exact: 30 days × 10,000 is far below 2^53.
 */
function percentUp(observed: number, down: number): number | null {
  if (observed <= 0) return null;
  return Math.floor(((observed - down) * 10_000) / observed) / 100;
}

/** Down spans that reach into the last 30 days and whose start is known, newest first. */
function outagesOf(spans: readonly Span[], now: number): Outage[] {
  return spans
    .filter((s) => s.status === 'down' && s.startKnown && s.end > now - HISTORY_MS)
    .reverse()
    .slice(0, MAX_OUTAGES)
    .map((s) => ({ start: new Date(s.start), end: s.open ? null : new Date(s.end), seconds: Math.floor((s.end - s.start) / 1000) }));
}

/** A monitor's uptime over each period and its recent outages, as of `now`. */
export function uptimeReport(history: StatusHistory, now: Date): UptimeReport {
  const t = now.getTime();
  const spans = spansOf(history, t);
  const uptime = {} as Record<UptimePeriod, number | null>;
  for (const [period, length] of Object.entries(UPTIME_PERIODS) as Array<[UptimePeriod, number]>) {
    const { observed, down } = measure(spans, t - length);
    uptime[period] = percentUp(observed, down);
  }
  return { uptime, outages: outagesOf(spans, t) };
}
