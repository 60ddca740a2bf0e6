/** Plans as the pricing table documents them. `null` means unlimited. */
export type PlanId = 'free' | 'pro';

/** A plan's limits. The channels each plan may use are in the channel registry (`channels.ts`). */
export interface Plan {
  id: PlanId;
  maxMonitors: number | null;
  historyDays: number | null;
}

export const PLANS: Record<PlanId, Plan> = {
  free: { id: 'free', maxMonitors: 5, historyDays: 7 },
  pro: { id: 'pro', maxMonitors: null, historyDays: null },
};

export function isPlanId(value: string): value is PlanId {
  return value === 'free' || value === 'pro';
}

export function planLimitMessage(plan: Plan): string {
  return `Monitor limit reached (${plan.maxMonitors}). Upgrade your plan for more monitors.`;
}

/** When a ping recorded at `at` may be forgotten, given its monitor's history window; null keeps it. */
export function pingExpiresAt(historyDays: number | null, at: Date): Date | null {
  return historyDays === null ? null : new Date(at.getTime() + historyDays * 86_400_000);
}
