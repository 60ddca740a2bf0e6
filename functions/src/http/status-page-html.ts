import { createHash } from 'node:crypto';
import type { OverallStatus } from '../domain/status-pages';
import type { MonitorStatus } from '../domain/types';
import { UPTIME_PERIODS, type Outage, type UptimePeriod } from '../domain/uptime';
import type { PublicMonitor, PublicStatusPage } from '../services/status-pages';
import { COMMON_HEADERS } from './headers';

/**
 * The public status page as server-rendered HTML: no script, the site's stylesheet plus a few
 * rules of its own, readable on a phone. Everything the owner wrote is escaped.
 */

/** The page's own rules; the Content-Security-Policy allows exactly this block by its hash. */
const STYLE = [
  '.sp-main{max-width:860px}',
  '.sp-overall{font-size:1.1rem;font-weight:700;padding:12px 16px;border-radius:8px;margin:16px 0 4px}',
  '.sp-list{list-style:none;padding:0;margin:20px 0 0}',
  '.sp-head{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:6px 12px}',
  '.sp-head h2{margin:0;font-size:1.1rem;overflow-wrap:anywhere}',
  '.sp-uptime{display:flex;flex-wrap:wrap;gap:8px 28px;margin:12px 0 0}',
  '.sp-uptime dt{color:var(--muted);font-size:.85rem}',
  '.sp-uptime dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}',
  '.sp-list h3{font-size:.95rem;margin:14px 0 4px}',
  '.sp-outages{margin:0;padding-left:20px}',
  '.sp-desc{white-space:pre-line;overflow-wrap:anywhere}',
].join('');

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The page's policy: the site's stylesheet and this inline block, nothing else may load or run. */
export const STATUS_PAGE_CSP =
  `default-src 'none'; style-src 'self' 'sha256-${STYLE_HASH}'; img-src 'self' data:; ` + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const STATUS_PAGE_HEADERS: Record<string, string> = { ...COMMON_HEADERS, 'Content-Security-Policy': STATUS_PAGE_CSP };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const STATUS_LABELS: Record<MonitorStatus, string> = { up: 'Up', down: 'Down', paused: 'Paused', new: 'No data yet' };
const OVERALL_LABELS: Record<OverallStatus, string> = {
  up: 'All systems operational',
  degraded: 'Some systems are down',
  down: 'All systems are down',
};
const OVERALL_CLASSES: Record<OverallStatus, string> = { up: 'status-up', degraded: 'status-down', down: 'status-down' };
const PERIOD_LABELS: Record<UptimePeriod, string> = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' };

/** `2026-03-28 12:00 UTC`: one format for every reader, whatever their zone. */
const when = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const timeTag = (d: Date): string => `<time datetime="${d.toISOString()}">${when(d)}</time>`;

/** `2 d 3 h`, `1 h 5 min`, `45 s`: the two largest units. */
export function lengthText(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let left = seconds;
  for (const [size, name] of units) {
    if (left >= size && parts.length < 2) {
      parts.push(`${Math.floor(left / size)} ${name}`);
      left %= size;
    } else if (parts.length > 0) break;
  }
  return parts.length > 0 ? parts.join(' ') : '0 s';
}

const percent = (value: number | null): string => (value === null ? 'No data' : `${value.toFixed(2)}%`);

function outageItem(o: Outage): string {
  if (o.end === null) return `<li>Down since ${timeTag(o.start)}, for ${lengthText(o.seconds)} so far</li>`;
  return `<li>${timeTag(o.start)} to ${timeTag(o.end)}: down for ${lengthText(o.seconds)}</li>`;
}

function monitorItem(m: PublicMonitor): string {
  const uptime = (Object.keys(UPTIME_PERIODS) as UptimePeriod[])
    .map((p) => `<div><dt>${PERIOD_LABELS[p]}</dt><dd>${percent(m.uptime[p])}</dd></div>`)
    .join('');
  const outages =
    m.outages.length === 0 ? '<p class="hint">No outages in the last 30 days.</p>' : `<ul class="sp-outages">${m.outages.map(outageItem).join('')}</ul>`;
  return (
    `<li class="panel"><div class="sp-head"><h2>${escapeHtml(m.name)}</h2>` +
    `<span class="badge status-${m.status}">${STATUS_LABELS[m.status]}</span></div>` +
    `<dl class="sp-uptime" aria-label="Uptime">${uptime}</dl><h3>Recent outages</h3>${outages}</li>`
  );
}

function htmlDocument(title: string, main: string): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<link rel="icon" href="data:,">\n` +
    `<link rel="stylesheet" href="/assets/style.css">\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    `<main class="dash-main sp-main">\n${main}\n</main>\n</body>\n</html>\n`
  );
}

/** The whole page for `slug`. */
export function statusPageHtml(view: PublicStatusPage, slug: string): string {
  const description = view.description === null ? '' : `<p class="intro sp-desc">${escapeHtml(view.description)}</p>`;
  const list =
    view.monitors.length === 0 ? '<p class="empty">No monitors on this page yet.</p>' : `<ul class="sp-list">${view.monitors.map(monitorItem).join('')}</ul>`;
  const main =
    `<h1>${escapeHtml(view.title)}</h1>${description}` +
    `<p class="sp-overall ${OVERALL_CLASSES[view.overall]}">${OVERALL_LABELS[view.overall]}</p>` +
    `<p class="hint">Updated ${timeTag(view.updatedAt)}. Uptime counts the time each job was watched, paused time left out.</p>` +
    `${list}<p class="hint"><a href="/status/${escapeHtml(slug)}.json">This page as JSON</a> · Monitored by CronPeek</p>`;
  return htmlDocument(`${view.title} · Status`, main);
}

/** The page for a slug no status page has. */
export function statusPageNotFoundHtml(): string {
  return htmlDocument('Status page not found', '<h1>Status page not found</h1><p>There is no status page at this address. Check the link you were given.</p>');
}
