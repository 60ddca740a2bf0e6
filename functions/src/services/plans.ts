import { AppError, ErrorCode } from '../domain/errors';
import { PLANS, type Plan, type PlanId } from '../domain/plans';
import type { Account, Monitor } from '../domain/types';
import type { Deps } from './context';

const normalise = (email: string): string => email.trim().toLowerCase();

async function accountByEmail(deps: Pick<Deps, 'store'>, email: string): Promise<Account> {
  const account = await deps.store.findAccountByEmail(normalise(email));
  if (account === null) throw new AppError(ErrorCode.NotFound, `no account has the e-mail ${normalise(email)}`);
  return account;
}

export interface PlanChange {
  account: Account;
  from: Plan;
  to: Plan;
}

/**
 * Moves an account to another plan (an operator task; there is no self-service billing). The
 * account's monitors are kept either way; the plan is read when monitors are created and when
 * alerts are sent, so a downgrade takes effect from the next alert on.
 */
export async function changePlan(deps: Pick<Deps, 'store'>, input: { email: string; plan: PlanId }): Promise<PlanChange> {
  const before = await accountByEmail(deps, input.email);
  const after = before.plan === input.plan ? before : await deps.store.setAccountPlan(before.id, input.plan);
  if (after === null) throw new AppError(ErrorCode.NotFound, `no account has the e-mail ${before.email}`);
  return { account: after, from: PLANS[before.plan], to: PLANS[after.plan] };
}

export interface AccountOverview {
  account: Account;
  plan: Plan;
  monitors: Monitor[];
}

/** An account as an operator looks it up: its plan, usage and monitors. */
export async function accountOverview(deps: Pick<Deps, 'store'>, email: string): Promise<AccountOverview> {
  const account = await accountByEmail(deps, email);
  return { account, plan: PLANS[account.plan], monitors: await deps.store.listMonitors(account.id) };
}
