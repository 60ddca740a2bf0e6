/** Plans as the pricing table documents them. `null` means unlimited. */
export type PlanId = 'free' | 'pro';

/**
 * Hourly caps on alert e-mails, counted per clock hour: all the account sends, and what one
 * address receives (from every account). They keep a flapping job, or an account that alerts
 * strangers, from flooding inboxes and spending the sender's reputation, which every account's
 * alerts depend on.
 */
export interface EmailCaps {
  perAccount: number;
  perRecipient: number;
}

const MB = 1024 * 1024;

/**
 * An account's stored bodies are totalled again once one of its monitors has stored this many
 * body bytes since the last total: totalling costs a scan of the account's bodies (on Firestore,
 * billed reads), so it follows what was stored rather than every ping or every checker run. An
 * account can therefore pass its budget by up to this much per monitor until its next total.
 */
export const PING_BODY_CHECK_BYTES = MB;

/** A plan's limits. The channels each plan may use are in the channel registry (`channels.ts`). */
export interface Plan {
  id: PlanId;
  maxMonitors: number | null;
  historyDays: number | null;
  alertEmailsPerHour: EmailCaps;
  /** Bytes of ping bodies the account keeps; past it the oldest pings lose their bodies (see `trimPingBodies`). */
  pingBodyBytes: number;
  /** Channel objects the account may hold (`POST /api/v1/channels`). */
  maxChannels: number;
  /** Maintenance windows the account may hold (`POST /api/v1/maintenance`). */
  maxWindows: number;
  /** Public status pages the account may hold (`POST /api/v1/status-pages`). */
  maxStatusPages: number;
}

export const PLANS: Record<PlanId, Plan> = {
  free: { id: 'free', maxMonitors: 5, historyDays: 7, alertEmailsPerHour: { perAccount: 20, perRecipient: 10 }, pingBodyBytes: 10 * MB, maxChannels: 10, maxWindows: 10, maxStatusPages: 1 },
  pro: { id: 'pro', maxMonitors: null, historyDays: null, alertEmailsPerHour: { perAccount: 200, perRecipient: 50 }, pingBodyBytes: 100 * MB, maxChannels: 100, maxWindows: 100, maxStatusPages: 20 },
};

export function isPlanId(value: string): value is PlanId {
  return value === 'free' || value === 'pro';
}

export function planLimitMessage(plan: Plan): string {
  return `Monitor limit reached (${plan.maxMonitors}). Upgrade your plan for more monitors.`;
}

/** The clock hour an alert e-mail is counted in, as hourly caps count: epoch milliseconds / one hour. */
export const emailCapHour = (at: Date): number => Math.floor(at.getTime() / 3_600_000);

/** Why an alert e-mail over a cap is not sent, as its notification records it. */
export function notSentOverEmailCap(cap: 'account_cap' | 'recipient_cap', caps: EmailCaps, recipient: string): string {
  return cap === 'account_cap'
    ? `not sent: hourly e-mail cap of ${caps.perAccount} for this account reached`
    : `not sent: hourly e-mail cap of ${caps.perRecipient} for ${recipient} reached`;
}

/** When a ping recorded at `at` may be forgotten, given its monitor's history window; null keeps it. */
export function pingExpiresAt(historyDays: number | null, at: Date): Date | null {
  return historyDays === null ? null : new Date(at.getTime() + historyDays * 86_400_000);
}
