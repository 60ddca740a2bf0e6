import type { Monitor } from '../domain/types';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export const pingUrl = (publicUrl: string, m: Monitor): string => `${publicUrl}/api/v1/ping/${m.pingToken}`;

/** A monitor as the list shows it: the documented fields, then its ping URL. */
export function monitorSummary(m: Monitor, publicUrl: string) {
  return {
    monitorId: m.id,
    name: m.name,
    status: m.status,
    schedule: m.schedule,
    grace: m.grace,
    lastPing: iso(m.lastPingAt),
    pingCount: m.pingCount,
    pingUrl: pingUrl(publicUrl, m),
  };
}

/** A monitor as the status endpoint shows it: the list's fields plus the last alert and settings. */
export function monitorStatus(m: Monitor, publicUrl: string) {
  return {
    ...monitorSummary(m, publicUrl),
    lastAlert: iso(m.lastAlertAt),
    alertEmail: m.alertEmail,
    alertWebhook: m.alertWebhook,
    alertSlack: m.alertSlack,
    alertPagerDuty: m.alertPagerDuty,
    createdAt: iso(m.createdAt),
  };
}

/** The creation response: the documented shape, plus the webhook secret, shown this once. */
export function createdMonitor(m: Monitor, publicUrl: string) {
  return {
    monitorId: m.id,
    name: m.name,
    pingUrl: pingUrl(publicUrl, m),
    schedule: m.schedule,
    grace: m.grace,
    status: m.status,
    ...(m.webhookSecret !== null ? { webhookSecret: m.webhookSecret } : {}),
  };
}
