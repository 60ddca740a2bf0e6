import type { Channel } from './types';

/** Plans as the pricing table documents them. `null` means unlimited. */
export type PlanId = 'free' | 'pro';

export interface Plan {
  id: PlanId;
  maxMonitors: number | null;
  historyDays: number | null;
  webhookAlerts: boolean;
  /** Channels whose alerts are sent for this plan's monitors; others are recorded as not sent. */
  channels: readonly Channel[];
}

export const PLANS: Record<PlanId, Plan> = {
  free: { id: 'free', maxMonitors: 5, historyDays: 7, webhookAlerts: false, channels: ['email'] },
  pro: { id: 'pro', maxMonitors: null, historyDays: null, webhookAlerts: true, channels: ['email', 'webhook', 'slack', 'pagerduty'] },
};

export function isPlanId(value: string): value is PlanId {
  return value === 'free' || value === 'pro';
}

/** How each channel is named to people, and the monitor field that sets it. */
export const CHANNEL_NAMES: Record<Channel, { label: string; field: string }> = {
  email: { label: 'E-mail', field: 'alertEmail' },
  webhook: { label: 'Webhook', field: 'alertWebhook' },
  slack: { label: 'Slack', field: 'alertSlack' },
  pagerduty: { label: 'PagerDuty', field: 'alertPagerDuty' },
};

/** The refusal for setting a channel the plan does not include. */
export function channelNeedsProMessage(channel: Channel): string {
  const { label, field } = CHANNEL_NAMES[channel];
  return `${label} alerts need the Pro plan. Remove ${field} or upgrade your plan.`;
}

export function planLimitMessage(plan: Plan): string {
  return `Monitor limit reached (${plan.maxMonitors}). Upgrade your plan for more monitors.`;
}

/** When a ping recorded at `at` may be forgotten, given its monitor's history window; null keeps it. */
export function pingExpiresAt(historyDays: number | null, at: Date): Date | null {
  return historyDays === null ? null : new Date(at.getTime() + historyDays * 86_400_000);
}
