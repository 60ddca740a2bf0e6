import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { ErrorCode } from '../../domain/errors';
import type { RecipientAnswer } from '../../domain/recipients';
import { confirmationPageUrl } from '../../notify/confirmation';
import { answerAddress } from '../../services/email-confirmation';
import { underFailedAuthLimit } from '../auth';
import { parseBody } from '../errors';
import { jsonBody } from './body';
import { mount, type RouteContext } from './route';

const tokenBody = z.object({
  token: z.string({ error: 'token must be a string' }).max(200, { error: 'token is too long' }),
});

/** An answer given with a token; a token that does not open its record is a failed authentication, counted like a bad API key. */
function answering({ deps, limits }: RouteContext, answer: RecipientAnswer, tokenOf: (req: Request) => string): RequestHandler {
  return async (req, res) => {
    res.json(await underFailedAuthLimit(limits, req, ErrorCode.InvalidEmailToken, () => answerAddress(deps, tokenOf(req), answer)));
  };
}

/** The one-click token travels in the query (RFC 8058: the mail client POSTs to the URL of the header as it is). */
const queryToken = (req: Request): string => (typeof req.query.token === 'string' ? req.query.token : '');

/**
 * The address owner's answers, with the token an e-mail gave them (no API key): confirm or
 * decline a confirmation request, unsubscribe with an alert's link. Nothing changes on a GET,
 * since mail scanners follow links: a GET of the unsubscribe URL only leads to the page that asks.
 */
export function mountEmailRoutes(ctx: RouteContext): void {
  const { router, deps } = ctx;
  const bodyToken = (req: Request): string => parseBody(tokenBody, req.body).token;
  mount(router, '/v1/email/confirm', { post: [...jsonBody, answering(ctx, 'confirmed', bodyToken)] });
  mount(router, '/v1/email/decline', { post: [...jsonBody, answering(ctx, 'declined', bodyToken)] });
  mount(router, '/v1/email/unsubscribe', {
    // The form body a one-click POST carries (`List-Unsubscribe=One-Click`) says nothing more, and is not read.
    post: answering(ctx, 'unsubscribed', queryToken),
    get: (req, res) => {
      res.status(303).location(confirmationPageUrl(deps.config.publicUrl, encodeURIComponent(queryToken(req)), 'unsubscribe')).end();
    },
  });
}
