import type { Monitor } from '../domain/types';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export const pingUrl = (publicUrl: string, m: Monitor): string => `${publicUrl}/api/v1/ping/${m.pingToken}`;

/** A monitor as the list and status endpoints show it. */
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

export function monitorStatus(m: Monitor, publicUrl: string) {
  return {
    monitorId: m.id,
    name: m.name,
    status: m.status,
    schedule: m.schedule,
    grace: m.grace,
    lastPing: iso(m.lastPingAt),
    lastAlert: iso(m.lastAlertAt),
    pingCount: m.pingCount,
    pingUrl: pingUrl(publicUrl, m),
    alertEmail: m.alertEmail,
    alertWebhook: m.alertWebhook,
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
