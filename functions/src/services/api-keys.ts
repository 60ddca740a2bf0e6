import { randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../domain/errors';
import type { Account, ReadKey } from '../domain/types';
import type { Deps } from './context';
import { hashSecret } from './secrets';

/**
 * Read-only keys: `cpr_` and 32 lower-case hex characters (128 random bits). The prefix tells
 * them from the account's main key (`cpk_`), so a request's key is looked up in one place only.
 */
export const READ_KEY_PATTERN = /^cpr_[0-9a-f]{32}$/;
/** How an owner names a key to revoke it: `key_` and 16 hex characters, never the secret. */
export const KEY_ID_PATTERN = /^key_[0-9a-f]{16}$/;
/** Read-only keys an account may hold at once, whatever its plan. */
export const MAX_READ_KEYS = 20;

export const newReadKey = (): string => `cpr_${randomBytes(16).toString('hex')}`;
export const newKeyId = (): string => `key_${randomBytes(8).toString('hex')}`;

export interface CreatedReadKey {
  key: ReadKey;
  /** The key itself, shown this once; only its hash is kept. */
  apiKey: string;
}

/** Creates a read-only key for the account; refused once it holds MAX_READ_KEYS. */
export async function createReadKey(deps: Pick<Deps, 'store' | 'clock'>, account: Account, input: { name: string; access: 'read' }): Promise<CreatedReadKey> {
  const apiKey = newReadKey();
  const key: ReadKey = { id: newKeyId(), accountId: account.id, keyHash: hashSecret(apiKey), name: input.name, access: input.access, createdAt: deps.clock() };
  if ((await deps.store.createReadKey(key, MAX_READ_KEYS)) === 'limit_reached') {
    throw new AppError(ErrorCode.Forbidden, `Read-only key limit reached (${MAX_READ_KEYS} per account). Delete a key you no longer use to create another.`);
  }
  return { key, apiKey };
}

/** The account's read-only keys, oldest first (their hashes stay behind the store; answers never show a secret). */
export function listReadKeys(deps: Pick<Deps, 'store'>, account: Account): Promise<ReadKey[]> {
  return deps.store.listReadKeys(account.id);
}

/** Revokes one of the account's keys: it stops working at once. An unknown id and another account's are the same 404. */
export async function deleteReadKey(deps: Pick<Deps, 'store'>, account: Account, keyId: string): Promise<void> {
  const deleted = KEY_ID_PATTERN.test(keyId) && (await deps.store.deleteReadKey(account.id, keyId));
  if (!deleted) throw new AppError(ErrorCode.NotFound, 'API key not found.');
}

/** The account a read-only key belongs to; null for a key that is not one (unknown, revoked, or its account deleted). */
export async function readKeyAccount(deps: Pick<Deps, 'store'>, apiKey: string): Promise<Account | null> {
  const key = READ_KEY_PATTERN.test(apiKey) ? await deps.store.findReadKeyByHash(hashSecret(apiKey)) : null;
  return key === null ? null : deps.store.getAccount(key.accountId);
}
