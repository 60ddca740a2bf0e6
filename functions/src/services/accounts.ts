import { channelsOn } from '../domain/channels';
import { AppError, ErrorCode } from '../domain/errors';
import { PLANS, type Plan } from '../domain/plans';
import type { Account, AccountDefaults, KeyAccess } from '../domain/types';
import { READ_KEY_PATTERN, readKeyAccount } from './api-keys';
import type { Deps } from './context';
import { addressStatus, requestConfirmation } from './email-confirmation';
import { API_KEY_PATTERN, hashApiKey, newAccountId, newApiKey } from './secrets';
import { INVALID_SESSION, SESSION_PATTERN, sessionAccount } from './sessions';

export interface CreatedAccount {
  apiKey: string;
  plan: Plan;
}

/**
 * Opens an account and returns its key, the only time the key is ever seen. A second signup
 * with a known e-mail is refused without revealing anything about that account's key. The
 * welcome e-mail asks the address to confirm it wants the account's alerts; the key does not
 * wait for it.
 */
export async function createAccount(deps: Deps, input: { email: string }): Promise<CreatedAccount> {
  const apiKey = newApiKey();
  const plan = PLANS[deps.config.defaultPlan];
  const account: Account = {
    id: newAccountId(),
    email: input.email.trim().toLowerCase(),
    apiKeyHash: hashApiKey(apiKey),
    plan: plan.id,
    createdAt: deps.clock(),
    monitorCount: 0,
    defaults: { remindEvery: null },
  };
  const result = await deps.store.createAccount(account);
  if (result === 'email_taken') {
    throw new AppError(ErrorCode.Conflict, 'An account with this email already exists. Use the API key issued when it was created.');
  }
  // Waits for the request to be recorded, not for the e-mail, which goes out after the answer.
  await requestConfirmation(deps, { account, email: account.email, monitorName: null, welcome: true });
  return { apiKey, plan };
}

const missingKey = () => new AppError(ErrorCode.Unauthorized, 'Missing API key. Send it in the x-api-key header.');
const invalidKey = () => new AppError(ErrorCode.Unauthorized, 'Invalid API key.');

/** The account whose main key this is: full access. */
export async function authenticate(deps: Pick<Deps, 'store'>, apiKey: string | undefined): Promise<Account> {
  if (apiKey === undefined || apiKey === '') throw missingKey();
  const account = API_KEY_PATTERN.test(apiKey) ? await deps.store.findAccountByKeyHash(hashApiKey(apiKey)) : null;
  if (account === null) throw invalidKey();
  return account;
}

/** An authenticated request's account, and what its key may do there. */
export interface Authenticated {
  account: Account;
  access: KeyAccess;
}

/**
 * The account of any of its credentials: the main key (`cpk_`) and a dashboard session (`cps_`)
 * with full access, a read-only key (`cpr_`) with read access. A revoked read-only key, an
 * expired or ended session, or either whose account is gone, is as invalid as one never issued.
 */
export async function authenticateAccess(deps: Pick<Deps, 'store' | 'clock'>, apiKey: string | undefined): Promise<Authenticated> {
  if (apiKey !== undefined && SESSION_PATTERN.test(apiKey)) return { account: await authenticateSession(deps, apiKey), access: 'full' };
  if (apiKey === undefined || !READ_KEY_PATTERN.test(apiKey)) return { account: await authenticate(deps, apiKey), access: 'full' };
  const account = await readKeyAccount(deps, apiKey);
  if (account === null) throw invalidKey();
  return { account, access: 'read' };
}

async function authenticateSession(deps: Pick<Deps, 'store' | 'clock'>, credential: string): Promise<Account> {
  const account = await sessionAccount(deps, credential);
  if (account === null) throw new AppError(ErrorCode.Unauthorized, INVALID_SESSION);
  return account;
}

/** What the account page shows: who (and whether the address confirmed), which plan, how much of it is used. */
export async function accountOverview(deps: Pick<Deps, 'store' | 'config'>, account: Account) {
  const plan = PLANS[account.plan];
  const emailStatus = await addressStatus(deps, account.id, account.email);
  return {
    email: account.email,
    emailConfirmed: emailStatus === 'confirmed',
    emailStatus,
    plan: plan.id,
    monitorsUsed: account.monitorCount,
    monitorsAllowed: plan.maxMonitors,
    historyDays: plan.historyDays,
    channels: channelsOn(plan.id),
    createdAt: account.createdAt.toISOString(),
    // Added with reminders: what new monitors take when they do not say.
    defaults: account.defaults,
    // Added with slugs (issue 22): whether the account has a ping key (the key itself is shown once, when made).
    hasPingKey: typeof account.pingKeyHash === 'string',
  };
}

/** Changes the account's defaults for new monitors; monitors that exist keep their settings. */
export async function editAccountDefaults(deps: Pick<Deps, 'store'>, account: Account, edit: Partial<AccountDefaults>): Promise<Account> {
  const updated = await deps.store.setAccountDefaults(account.id, { ...account.defaults, ...edit });
  if (updated === null) throw invalidKey();
  return updated;
}

/**
 * Replaces the key the caller authenticated with; the old key stops working at once. A
 * concurrent rotation or recovery that replaced it first wins, and this one is refused as if the
 * key were unknown, which it now is.
 */
export async function rotateApiKey(deps: Pick<Deps, 'store'>, account: Account): Promise<string> {
  const apiKey = newApiKey();
  if (!(await deps.store.replaceApiKey(account.id, account.apiKeyHash, hashApiKey(apiKey)))) throw invalidKey();
  return apiKey;
}

/** Deletes the account and everything it owns; its e-mail may sign up again. */
export async function deleteAccount(deps: Pick<Deps, 'store'>, account: Account): Promise<void> {
  if (!(await deps.store.deleteAccount(account.id))) throw invalidKey();
}
