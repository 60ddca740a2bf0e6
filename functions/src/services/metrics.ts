import type { Account, Monitor, MonitorStatus } from '../domain/types';
import type { Deps } from './context';

/**
 * The account's monitors in Prometheus' text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): every family
 * a gauge with its HELP and TYPE, one series per monitor, then the account's counts by status.
 */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Every status a monitor can have, in the order the status series are written. */
export const METRIC_STATUSES: readonly MonitorStatus[] = ['new', 'up', 'down', 'paused'];

/**
 * The labels that name a monitor's series, in the order written. A field that monitors gain
 * later (a slug, tags) becomes a label by one line here.
 */
const MONITOR_LABELS: ReadonlyArray<[string, (m: Monitor) => string]> = [
  ['monitor_id', (m) => m.id],
  ['name', (m) => m.name],
  // Empty when the monitor has no slug: a label with an empty value is the same as no label to PromQL.
  ['slug', (m) => m.slug ?? ''],
  // Tags as one label (a series cannot carry a list): `tags=~"(.*,)?backups(,.*)?"` finds one (matches are anchored).
  ['tags', (m) => m.tags.join(',')],
];

/** A per-monitor value; null leaves the monitor's series out (nothing to measure yet). */
type Measure = (m: Monitor, now: Date) => number | null;

interface Family {
  name: string;
  help: string;
  /** One sample per monitor: the monitor's labels and this value. */
  value?: Measure;
  /** One sample per status value per monitor, the status as a label. */
  byStatus?: (m: Monitor, status: MonitorStatus) => number;
}

const seconds = (ms: number) => ms / 1000;

/**
 * The per-monitor families. A monitor never pinged, or without a run that reported its start and
 * end, has no series for that family rather than NaN: a rule such as `… > 3600` then neither
 * fires nor compares with NaN, and `cronpeek_monitor_status{status="new"} == 1` finds the
 * monitors never pinged.
 */
const MONITOR_FAMILIES: readonly Family[] = [
  { name: 'cronpeek_monitor_up', help: 'Whether the monitor is up (1) or not (0: new, down or paused).', value: (m) => Number(m.status === 'up') },
  { name: 'cronpeek_monitor_status', help: "The monitor's status: 1 for its current status, 0 for the others.", byStatus: (m, s) => Number(m.status === s) },
  {
    name: 'cronpeek_monitor_seconds_since_last_ping',
    help: 'Seconds since the monitor was last pinged; no series while it has never been pinged.',
    // A ping stamped after the clock's now (another server's clock) reads as just now.
    value: (m, now) => (m.lastPingAt === null ? null : seconds(Math.max(0, now.getTime() - m.lastPingAt.getTime()))),
  },
  {
    name: 'cronpeek_monitor_last_duration_seconds',
    help: 'How long the last run that reported its start and its end took; no series before one has.',
    value: (m) => (m.lastDuration === null ? null : seconds(m.lastDuration)),
  },
  { name: 'cronpeek_monitor_paused', help: 'Whether the monitor is paused (1) or not (0).', value: (m) => Number(m.status === 'paused') },
];

const TOTALS: Family = { name: 'cronpeek_monitors', help: "The account's monitors by status." };

/** A label value as the format requires: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelSet(labels: ReadonlyArray<[string, string]>): string {
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** A sample value: Go's float syntax reads JavaScript's own number text, exponents included. */
function sample(name: string, labels: ReadonlyArray<[string, string]>, value: number): string {
  return `${name}${labelSet(labels)} ${String(value)}`;
}

const monitorLabels = (m: Monitor): Array<[string, string]> => MONITOR_LABELS.map(([k, of]) => [k, of(m)]);

function familyLines(family: Family, monitors: readonly Monitor[], now: Date): string[] {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} gauge`];
  for (const m of monitors) {
    const labels = monitorLabels(m);
    if (family.byStatus) {
      for (const s of METRIC_STATUSES) lines.push(sample(family.name, [...labels, ['status', s]], family.byStatus(m, s)));
    }
    const value = family.value?.(m, now) ?? null;
    if (value !== null) lines.push(sample(family.name, labels, value));
  }
  return lines;
}

function totalLines(monitors: readonly Monitor[]): string[] {
  const lines = [`# HELP ${TOTALS.name} ${TOTALS.help}`, `# TYPE ${TOTALS.name} gauge`];
  for (const s of METRIC_STATUSES) lines.push(sample(TOTALS.name, [['status', s]], monitors.filter((m) => m.status === s).length));
  return lines;
}

/** The exposition of these monitors at `now`; ends with a line feed, as the format requires. */
export function renderMetrics(monitors: readonly Monitor[], now: Date): string {
  const lines = MONITOR_FAMILIES.flatMap((family) => familyLines(family, monitors, now));
  return `${[...lines, ...totalLines(monitors)].join('\n')}\n`;
}

/** The account's metrics: its monitors read once, measured at one instant of the clock. */
export async function accountMetrics(deps: Pick<Deps, 'store' | 'clock'>, account: Account): Promise<string> {
  const monitors = await deps.store.listMonitors(account.id);
  return renderMetrics(monitors, deps.clock());
}
