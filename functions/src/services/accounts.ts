import { AppError, ErrorCode } from '../domain/errors';
import { PLANS, type Plan } from '../domain/plans';
import type { Account } from '../domain/types';
import type { Deps } from './context';
import { API_KEY_PATTERN, hashApiKey, newAccountId, newApiKey } from './secrets';

export interface CreatedAccount {
  apiKey: string;
  plan: Plan;
}

/**
 * Opens an account and returns its key, the only time the key is ever seen. A second signup
 * with a known e-mail is refused without revealing anything about that account's key.
 */
export async function createAccount(deps: Pick<Deps, 'store' | 'clock' | 'config'>, input: { email: string }): Promise<CreatedAccount> {
  const apiKey = newApiKey();
  const plan = PLANS[deps.config.defaultPlan];
  const account: Account = {
    id: newAccountId(),
    email: input.email.trim().toLowerCase(),
    apiKeyHash: hashApiKey(apiKey),
    plan: plan.id,
    createdAt: deps.clock(),
    monitorCount: 0,
  };
  const result = await deps.store.createAccount(account);
  if (result === 'email_taken') {
    throw new AppError(ErrorCode.Conflict, 'An account with this email already exists. Use the API key issued when it was created.');
  }
  return { apiKey, plan };
}

export async function authenticate(deps: Pick<Deps, 'store'>, apiKey: string | undefined): Promise<Account> {
  if (apiKey === undefined || apiKey === '') {
    throw new AppError(ErrorCode.Unauthorized, 'Missing API key. Send it in the x-api-key header.');
  }
  const account = API_KEY_PATTERN.test(apiKey) ? await deps.store.findAccountByKeyHash(hashApiKey(apiKey)) : null;
  if (account === null) throw new AppError(ErrorCode.Unauthorized, 'Invalid API key.');
  return account;
}
