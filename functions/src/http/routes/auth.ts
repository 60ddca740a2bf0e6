import type { Request, Response } from 'express';
import { ErrorCode } from '../../domain/errors';
import { accountOverview } from '../../services/accounts';
import type { Deps } from '../../services/context';
import { requestSignInLink, signInWithToken, SIGN_IN_REQUESTED, startSession, type CreatedSession } from '../../services/sessions';
import { underFailedAuthLimit, withAccount } from '../auth';
import { parseBody } from '../errors';
import { clientAddress } from '../limits';
import { emailLinkBody, keySessionBody, tokenSessionBody } from '../session-schemas';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

/** Whether the request names a credential of its own (`x-api-key` or `Authorization`), rather than a sign-in token. */
const carriesCredential = (req: Request): boolean => Boolean(req.header('x-api-key')) || req.header('authorization') !== undefined;

/** 201 with the session's credential (shown this once) and the account, as GET /account answers it. */
async function answerSession(deps: Deps, res: Response, created: CreatedSession): Promise<void> {
  res.status(201).json({
    session: created.credential,
    sessionId: created.session.id,
    expiresAt: created.session.expiresAt.toISOString(),
    account: await accountOverview(deps, created.account),
  });
}

/**
 * Dashboard sign-in, the routes that work without an API key: ask for a link by e-mail, trade
 * the link's token for a session. A session can also be made with the main key (or a session),
 * so the dashboard keeps a session rather than the key; a read-only key cannot make one.
 */
export function mountAuthRoutes(ctx: RouteContext): void {
  const { router, deps, limits } = ctx;
  mount(router, '/v1/auth/email-link', {
    post: [
      ...jsonBody,
      async (req, res) => {
        await limits.take('signInByAddress', clientAddress(req));
        const input = parseBody(emailLinkBody, req.body);
        // Counted for every address, with or without an account, so a 429 reveals nothing either.
        await limits.take('signInByEmail', input.email.toLowerCase());
        // Not awaited: the lookup, the write and the e-mail all follow the answer, so its timing is the same for every address.
        void requestSignInLink(deps, input);
        res.status(202).json({ sent: true, message: SIGN_IN_REQUESTED });
      },
    ],
  });

  const withKey = withAccount(ctx, async (req, res, account) => {
    const { remember } = parseBody(keySessionBody, req.body ?? {});
    await answerSession(deps, res, await startSession(deps, account, { remember: remember ?? false, userAgent: req.header('user-agent') }));
  });
  mount(router, '/v1/auth/sessions', {
    post: [
      ...jsonBody,
      async (req, res, next) => {
        if (carriesCredential(req)) {
          await withKey(req, res, next);
          return;
        }
        // A token that does not redeem is a failed authentication, counted like a bad API key.
        const created = await underFailedAuthLimit(limits, req, ErrorCode.Unauthorized, async () => {
          const input = parseBody(tokenSessionBody, req.body);
          return signInWithToken(deps, { token: input.token, remember: input.remember ?? false, userAgent: req.header('user-agent') });
        });
        await answerSession(deps, res, created);
      },
    ],
  });
}
