import { z } from 'zod';
import type { SessionView } from '../services/sessions';
import { createAccountBody } from './schemas';

/** POST /auth/email-link: the address, checked as sign-up checks it. */
export const emailLinkBody = createAccountBody;

const remember = z.boolean({ error: 'remember must be true or false' }).optional();

/** POST /auth/sessions with a sign-in link's token; `remember` (default false) keeps it 30 days rather than 12 hours. */
export const tokenSessionBody = z.strictObject(
  {
    token: z.string({ error: 'token must be a string' }).max(200, { error: 'token is too long' }),
    remember,
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}; a sign-in has token, remember` : undefined) },
);

/** POST /auth/sessions with an API key (the key is the proof, so the body holds only `remember`). */
export const keySessionBody = z.strictObject(
  { remember },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.includes('token')
          ? 'Send either a sign-in token or an API key, not both'
          : `Unknown field ${issue.keys.join(', ')}; a sign-in with an API key has remember`
        : undefined,
  },
);

/** A session as the list shows it: never its credential, which only its creation answer holds. */
export function sessionAnswer({ session, current }: SessionView) {
  return {
    sessionId: session.id,
    createdAt: session.createdAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
    current,
  };
}
