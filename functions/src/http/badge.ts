import { displayLine, shortened } from '../domain/text';
import type { Monitor, MonitorStatus } from '../domain/types';

/** Colours by status, as shields.io names them (for the JSON endpoint) and as hex (for our SVG). */
export const BADGE_COLORS: Record<MonitorStatus, { name: string; hex: string }> = {
  up: { name: 'brightgreen', hex: '#4c1' },
  down: { name: 'red', hex: '#e05d44' },
  new: { name: 'lightgrey', hex: '#9f9f9f' },
  paused: { name: 'yellow', hex: '#dfb317' },
};

/** Badges cache briefly: a README shows a fresh status within a minute without a request per view. */
export const BADGE_MAX_AGE_S = 60;
/** Long monitor names are cut so that a badge stays a badge. */
const LABEL_MAX = 40;

const colorOf = (status: string) => BADGE_COLORS[status as MonitorStatus] ?? BADGE_COLORS.new;

/** The name on one line without hidden characters (stored names may predate that rule), then cut. */
const labelOf = (m: Monitor): string => shortened(displayLine(m.name), LABEL_MAX);

/** The shields.io endpoint format: https://shields.io/badges/endpoint-badge */
export function badgeJson(m: Monitor) {
  return { schemaVersion: 1, label: labelOf(m), message: m.status, color: colorOf(m.status).name, cacheSeconds: BADGE_MAX_AGE_S };
}

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

/** Text width in Verdana 11 px, estimated per character: close enough for a flat badge. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[ilj.,:;'|!]/.test(ch) ? 3.5 : /[mwMW@]/.test(ch) ? 10 : /[A-Z0-9]/.test(ch) ? 7.5 : 6.5;
  return Math.ceil(w);
}

/** A flat two-part badge: the monitor's name on grey, its status on the status colour. */
export function badgeSvg(m: Monitor): string {
  const label = escapeXml(labelOf(m));
  const message = escapeXml(m.status);
  const lw = textWidth(labelOf(m)) + 12;
  const mw = textWidth(m.status) + 12;
  const w = lw + mw;
  const color = colorOf(m.status).hex;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${label}: ${message}">`,
    `<title>${label}: ${message}</title>`,
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><rect width="${w}" height="20" fill="url(#s)"/></g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`,
    `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${label}</text><text x="${lw / 2}" y="14">${label}</text>`,
    `<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${message}</text><text x="${lw + mw / 2}" y="14">${message}</text>`,
    `</g></svg>`,
  ].join('');
}
