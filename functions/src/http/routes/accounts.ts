import { ErrorCode } from '../../domain/errors';
import { createAccount } from '../../services/accounts';
import { confirmRecovery, RECOVERY_REQUESTED, requestRecovery } from '../../services/recovery';
import { underFailedAuthLimit } from '../auth';
import { parseBody } from '../errors';
import { clientAddress } from '../limits';
import { confirmRecoveryBody, createAccountBody, recoverAccountBody } from '../schemas';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

/** Sign-up and lost-key recovery: the routes that work without an API key. */
export function mountAccountsRoutes({ router, deps, limits }: RouteContext): void {
  mount(router, '/v1/accounts', {
    post: [
      ...jsonBody,
      async (req, res) => {
        await limits.take('signup', clientAddress(req));
        const input = parseBody(createAccountBody, req.body);
        const { apiKey, plan } = await createAccount(deps, input);
        res.status(201).json({ apiKey, plan: plan.id, monitors: plan.maxMonitors });
      },
    ],
  });

  mount(router, '/v1/accounts/recover', {
    post: [
      ...jsonBody,
      async (req, res) => {
        await limits.take('recoveryByAddress', clientAddress(req));
        const input = parseBody(recoverAccountBody, req.body);
        // Counted for every e-mail, with or without an account, so a 429 reveals nothing either.
        await limits.take('recoveryByEmail', input.email.toLowerCase());
        // Waits for the token to be stored, not for the e-mail: that goes out after this answer,
        // which is the same whether or not the e-mail has an account.
        await requestRecovery(deps, input);
        res.status(202).json({ message: RECOVERY_REQUESTED });
      },
    ],
  });

  mount(router, '/v1/accounts/recover/confirm', {
    post: [
      ...jsonBody,
      async (req, res) => {
        // A token that does not redeem is a failed authentication, counted like a bad API key.
        const apiKey = await underFailedAuthLimit(limits, req, ErrorCode.InvalidRecoveryToken, () =>
          confirmRecovery(deps, parseBody(confirmRecoveryBody, req.body)),
        );
        res.json({ apiKey });
      },
    ],
  });
}
