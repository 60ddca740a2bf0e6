import { defineSecret, defineString } from 'firebase-functions/params';
import { onRequest } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import type { Express } from 'express';
import { composeDeps } from './compose';
import { FUNCTIONS_DEFAULTS, loadFunctionsConfig } from './config';
import { createApp } from './http/app';
import { PAGERDUTY_EVENTS_URL } from './notify/pagerduty';
import { runCheck } from './services/checker';
import { jsonLogger } from './log';
import type { Deps } from './services/context';
import { openFirestoreStore } from './store/firestore';
import { cloudLimiter } from './store/firestore/limits';

/**
 * The Firebase entry point: the HTTP API and the every-minute checker, both over Firestore.
 * Settings are Firebase params (set at deploy, `.env.<project>` or prompted); the SendGrid key is
 * a Secret Manager secret.
 */
const REGION = 'us-central1';
/** The checker stops starting new batches after this, well inside its 60 s timeout and the next run. */
const CHECK_BUDGET_MS = 45_000;

const sendgridApiKey = defineSecret('SENDGRID_API_KEY');
const publicUrl = defineString('PUBLIC_URL', {
  default: FUNCTIONS_DEFAULTS.PUBLIC_URL,
  description: 'Origin that ping URLs are built on (the Hosting site), without a trailing slash',
});
const emailFrom = defineString('CRONPEEK_EMAIL_FROM', {
  default: FUNCTIONS_DEFAULTS.CRONPEEK_EMAIL_FROM,
  description: 'Sender of alert e-mails; must be a verified SendGrid sender',
});
const pagerdutyUrl = defineString('CRONPEEK_PAGERDUTY_URL', {
  default: PAGERDUTY_EVENTS_URL,
  description: 'PagerDuty Events API v2 endpoint (https://events.eu.pagerduty.com/v2/enqueue for EU accounts)',
});
const defaultPlan = defineString('CRONPEEK_DEFAULT_PLAN', {
  default: 'free',
  description: 'Plan given to new accounts',
  input: { select: { options: [{ value: 'free' }, { value: 'pro' }] } },
});

const trustProxy = defineString('CRONPEEK_TRUST_PROXY', {
  default: FUNCTIONS_DEFAULTS.CRONPEEK_TRUST_PROXY,
  description:
    'How the client address is read from X-Forwarded-For: hosting (the Hosting client when Google\'s front end was reached from CRONPEEK_HOSTING_RANGES, else the address that reached it), or a number of proxies / list of proxy addresses in front',
});
const hostingRanges = defineString('CRONPEEK_HOSTING_RANGES', {
  default: FUNCTIONS_DEFAULTS.CRONPEEK_HOSTING_RANGES,
  description: 'Addresses and subnets that Firebase Hosting reaches Google\'s front end from (comma-separated); only behind these is the address Hosting forwards believed',
});

interface Composition {
  deps: Deps;
  app: Express;
}

/**
 * Built on first use and then kept for the life of the instance. Params and secrets have values
 * only at run time (the CLI loads this module at deploy to discover the functions), and one
 * Firestore client is meant to serve every request an instance handles. This cache is the
 * module's only state.
 */
let composition: Composition | undefined;

function composed(): Composition {
  if (composition === undefined) {
    const config = loadFunctionsConfig(
      {
        SENDGRID_API_KEY: sendgridApiKey.value(),
        PUBLIC_URL: publicUrl.value(),
        CRONPEEK_EMAIL_FROM: emailFrom.value(),
        CRONPEEK_PAGERDUTY_URL: pagerdutyUrl.value(),
        CRONPEEK_DEFAULT_PLAN: defaultPlan.value(),
        CRONPEEK_TRUST_PROXY: trustProxy.value(),
        CRONPEEK_HOSTING_RANGES: hostingRanges.value(),
      },
      process.env,
    );
    const store = openFirestoreStore({ projectId: process.env.GCLOUD_PROJECT });
    const deps = composeDeps({
      store,
      limiter: config.rateLimits === null ? undefined : cloudLimiter(store.db, config.rateLimits),
      app: config.app,
      notify: config.notify,
      log: jsonLogger,
    });
    composition = { deps, app: createApp(deps, { trustProxy: config.trustProxy }) };
  }
  return composition;
}

/**
 * The API, at `/api/v1/...` behind the Hosting rewrite and at `/v1/...` on the function's own URL.
 * `cors: false` says what the app already does (only ping URLs are cross-origin, set by the app);
 * without it the functions emulator wraps every route in an allow-all CORS layer of its own.
 */
export const api = onRequest({ region: REGION, invoker: 'public', secrets: [sendgridApiKey], cors: false }, (req, res) => {
  composed().app(req, res);
});

/** Turns overdue monitors down, delivers due alerts and purges expired pings. Overlapping runs are safe. */
export const checkMonitors = onSchedule(
  { schedule: 'every 1 minutes', region: REGION, secrets: [sendgridApiKey], timeoutSeconds: 60, retryCount: 0 },
  async (event) => {
    const { deps } = composed();
    const report = await runCheck(deps, { budgetMs: CHECK_BUDGET_MS });
    if (report.flipped || report.delivery.attempted || report.pingsPurged || report.leftoversRemoved || report.bodiesTrimmed || report.unfinished) {
      deps.log.info('check', { scheduleTime: event.scheduleTime, ...report });
    }
  },
);
