import { z } from 'zod';
import { isDisplayable } from '../domain/text';
import type { ReadKey } from '../domain/types';

/** The fields of `POST /api/v1/account/keys`. */
const KEY_FIELDS = ['name', 'access'];

/** POST /account/keys: a name to know the key by, and what it may do (read-only is the only kind that can be made). */
export const createKeyBody = z.strictObject(
  {
    name: z
      .string({ error: 'name must be a string' })
      .trim()
      .min(1, { error: 'name must not be empty' })
      .max(100, { error: 'name must be at most 100 characters' })
      // Shown in the dashboard, as a monitor's name is: the same rules.
      .refine(isDisplayable, { error: 'name must not contain control characters or bidirectional overrides' }),
    access: z.literal('read', { error: 'access must be "read": read-only keys are the only kind an account can create' }),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a key has ${KEY_FIELDS.join(', ')}` : undefined) },
);

/** A key as answers show it: never its secret, which only its creation answer holds. */
export function keyAnswer(k: ReadKey) {
  return { keyId: k.id, name: k.name, access: k.access, createdAt: k.createdAt.toISOString() };
}
