import type { Notification } from '../domain/types';

export const when = (d: Date | null): string => (d === null ? 'never' : d.toISOString());

export function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day(s)`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} hour(s)`;
  if (seconds % 60 === 0) return `${seconds / 60} minute(s)`;
  return `${seconds} seconds`;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** The alert e-mail: a subject to triage from a lock screen, then what happened and what to do. */
export function emailContent(n: Notification): EmailContent {
  const s = n.snapshot;
  const down = n.event === 'monitor.down';
  const subject = `${down ? 'DOWN' : 'UP'}: ${s.name}`;
  const lines = down
    ? [
        `Your monitor "${s.name}" is DOWN.`,
        '',
        `No ping arrived within its schedule (${duration(s.schedule)}) plus grace (${duration(s.grace)}).`,
        `Last ping: ${when(s.lastPingAt)}`,
        `Declared down: ${when(n.createdAt)}`,
        '',
        'What to do: check that the job ran, look at its logs, and make sure it still calls its ping URL',
        'after a successful run. You will get another e-mail when pings resume.',
      ]
    : [
        `Your monitor "${s.name}" is UP again.`,
        '',
        `A ping arrived at ${when(n.createdAt)}; the job is reporting on schedule (${duration(s.schedule)}) again.`,
        `Previous ping: ${when(s.lastPingAt)}`,
      ];
  lines.push('', `Monitor id: ${s.monitorId}`, '-- CronPeek');
  const html = lines.map((l) => (l === '' ? '<br>' : `<p style="margin:0">${escapeHtml(l)}</p>`)).join('\n');
  return { subject, text: lines.join('\n'), html: `<div style="font-family:sans-serif">\n${html}\n</div>` };
}

/**
 * Version 1 of the webhook payload; see the README for the contract. `monitor` shows the
 * monitor's public fields as they were right after the flip: a recovery is caused by a ping, so
 * its `lastPing` is the flip time itself.
 */
export function webhookPayload(n: Notification) {
  const s = n.snapshot;
  const lastPing = n.event === 'monitor.up' ? n.createdAt : s.lastPingAt;
  return {
    version: 1,
    event: n.event,
    deliveryId: n.id,
    occurredAt: n.createdAt.toISOString(),
    monitor: {
      monitorId: s.monitorId,
      name: s.name,
      status: n.event === 'monitor.down' ? 'down' : 'up',
      schedule: s.schedule,
      grace: s.grace,
      lastPing: lastPing === null ? null : lastPing.toISOString(),
    },
  };
}
