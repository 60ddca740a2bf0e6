import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PAGERDUTY_EVENTS_URL } from './notify/pagerduty';
import type { NotifyConfig } from './notify/types';
import { isPlanId, type PlanId } from './domain/plans';
import { rulesFrom, type Rules } from './limits';
import type { AppConfig } from './services/context';

/** Raised for a bad setting; the message names the variable and is meant to be printed as is. */
export class ConfigError extends Error {}

export type StoreKind = 'sqlite' | 'firestore';

/** Express's `trust proxy`: off, a number of proxy hops, or a list of proxy addresses/subnets. */
export type TrustProxy = false | number | string[];

/** Express's `trust proxy` as a rule: whether the address `hop` steps from the connection (0) is a proxy to see past. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** The settings both ways of running have: the Firebase functions' whole configuration. */
export interface FunctionsConfig {
  app: AppConfig;
  notify: NotifyConfig;
  /** Abuse limits per bucket; null when CRONPEEK_RATE_LIMITS=off. */
  rateLimits: Rules | null;
  trustProxy: TrustProxy | ProxyTrust;
}

export interface ServerConfig extends FunctionsConfig {
  trustProxy: TrustProxy;
  port: number;
  /** Interface to listen on; null listens on every interface (IPv4 and IPv6). */
  host: string | null;
  store: StoreKind;
  dbPath: string;
  /** Who checkpoints the SQLite WAL: a worker thread (the default) or the commits themselves (see store/sqlite/checkpointer.ts). */
  sqliteCheckpoints: 'worker' | 'inline';
  checkIntervalSeconds: number;
  firestoreProjectId: string;
}

/** functions/ — the package root, both from `src/` under ts-jest and from `lib/` when built. */
export const PACKAGE_DIR = path.resolve(__dirname, '..');
export const REPO_DIR = path.resolve(PACKAGE_DIR, '..');

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function sqliteCheckpointsFrom(env: Env): 'worker' | 'inline' {
  const raw = env.CRONPEEK_SQLITE_CHECKPOINTS;
  if (raw === undefined || raw === '' || raw === 'worker') return 'worker';
  if (raw === 'inline') return 'inline';
  throw new ConfigError(`CRONPEEK_SQLITE_CHECKPOINTS must be "worker" or "inline" (got "${raw}")`);
}

function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0 (got "${raw}")`);
}

/** CRONPEEK_VERIFY_EMAILS: alert addresses must confirm unless it is off (also 0 or false). */
function verifyEmailsFrom(env: Env): boolean {
  const name = 'CRONPEEK_VERIFY_EMAILS';
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'on' || raw === '1' || raw === 'true') return true;
  if (raw === 'off' || raw === '0' || raw === 'false') return false;
  throw new ConfigError(`${name} must be on or off (got "${env[name]}")`);
}

function limitRules(env: Env): Rules | null {
  try {
    return rulesFrom(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

function planFrom(env: Env): PlanId {
  const plan = env.CRONPEEK_DEFAULT_PLAN || 'free';
  if (!isPlanId(plan)) throw new ConfigError(`CRONPEEK_DEFAULT_PLAN must be "free" or "pro" (got "${plan}")`);
  return plan;
}

function hostFrom(env: Env): string | null {
  const raw = (env.HOST ?? '').trim();
  if (raw === '') return null;
  if (net.isIP(raw) === 0 && !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(raw)) {
    throw new ConfigError(`HOST must be an IP address or a host name (got "${raw}")`);
  }
  return raw;
}

function httpUrl(env: Env, name: string, fallback: string | null): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL (got "${raw}")`);
  return raw.replace(/\/+$/, '');
}

export function notifyConfigFrom(env: Env, version: string): NotifyConfig {
  const emailFrom = env.CRONPEEK_EMAIL_FROM || 'alerts@cronpeek.local';
  if (!/^[^\s@]+@[^\s@]+$/.test(emailFrom)) throw new ConfigError(`CRONPEEK_EMAIL_FROM must be an e-mail address (got "${emailFrom}")`);
  return {
    sendgridApiKey: env.SENDGRID_API_KEY || null,
    sendgridApiUrl: httpUrl(env, 'SENDGRID_API_URL', null),
    emailFrom,
    allowPrivateWebhooks: flag(env, 'CRONPEEK_ALLOW_PRIVATE_WEBHOOKS'),
    userAgent: `CronPeek/${version}`,
    pagerdutyUrl: httpUrl(env, 'CRONPEEK_PAGERDUTY_URL', PAGERDUTY_EVENTS_URL) as string,
    publicUrl: httpUrl(env, 'PUBLIC_URL', null),
    slackHosts: hostList(env, 'CRONPEEK_SLACK_HOSTS', ['hooks.slack.com']),
    telegramUrl: httpUrl(env, 'CRONPEEK_TELEGRAM_URL', 'https://api.telegram.org') as string,
    pushoverUrl: httpUrl(env, 'CRONPEEK_PUSHOVER_URL', 'https://api.pushover.net/1/messages.json') as string,
    opsgenieUrls: {
      us: httpUrl(env, 'CRONPEEK_OPSGENIE_URL', 'https://api.opsgenie.com') as string,
      eu: httpUrl(env, 'CRONPEEK_OPSGENIE_EU_URL', 'https://api.eu.opsgenie.com') as string,
    },
    ntfyUrl: httpUrl(env, 'CRONPEEK_NTFY_URL', 'https://ntfy.sh') as string,
  };
}

/** A comma-separated list of host names (lower-cased); the fallback when unset. */
function hostList(env: Env, name: string, fallback: string[]): string[] {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  const hosts = raw.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  const bad = hosts.find((h) => !/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(h));
  if (bad !== undefined) throw new ConfigError(`${name} must be comma-separated host names (got "${bad}")`);
  return hosts;
}

/**
 * CRONPEEK_TRUST_PROXY: unset/0/false trusts no proxy (the client address is the connection's);
 * a number N trusts N proxies in front (the address N hops from the right of X-Forwarded-For);
 * otherwise a comma-separated list of proxy addresses or subnets (or Express's names `loopback`,
 * `linklocal`, `uniquelocal`). `true` (trust everything) is refused: anyone could then choose
 * their own address, and with it escape the per-address limits.
 */
export function trustProxyFrom(env: Env, name = 'CRONPEEK_TRUST_PROXY'): TrustProxy {
  const raw = (env[name] ?? '').trim();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (/^\d+$/.test(raw)) {
    if (Number(raw) > 10) throw new ConfigError(`${name} must be a number of proxies from 0 to 10 or a list of proxy addresses (got "${raw}")`);
    return Number(raw);
  }
  if (raw === 'true') throw new ConfigError(`${name}=true would let any client choose its address; give the number of proxies in front instead (got "${raw}")`);
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  for (const entry of list) {
    const [address, bits] = entry.split('/');
    if (named.has(entry)) continue;
    if (net.isIP(address) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new ConfigError(`${name} must be a number of proxies or a comma-separated list of addresses/subnets (got "${raw}")`);
    }
  }
  return list;
}

/**
 * Where Firebase Hosting's requests reach Google's front end from, as far as Google publishes it:
 * the ranges its front ends use toward backends outside Google Cloud, 34.96.0.0/20 and
 * 34.127.192.0/18 (Cloud Load Balancing, "Internet network endpoint groups overview"; the TXT
 * record _cloud-eoips.googleusercontent.com lists them), and the Google Front End proxy ranges
 * 35.191.0.0/16 and 130.211.0.0/22 (Cloud Load Balancing, "Firewall rules"). No customer's
 * machine has an address in them. CRONPEEK_HOSTING_RANGES replaces the list.
 */
export const HOSTING_FRONT_END_RANGES = ['34.96.0.0/20', '34.127.192.0/18', '35.191.0.0/16', '130.211.0.0/22'];

/** CRONPEEK_HOSTING_RANGES: comma-separated addresses or subnets, as a set to look addresses up in. */
export function hostingRangesFrom(env: Env, name = 'CRONPEEK_HOSTING_RANGES'): net.BlockList {
  const raw = env[name] ?? '';
  const ranges = new net.BlockList();
  for (const entry of raw.split(',').map((e) => e.trim())) {
    const [address, bits, extra] = entry.split('/');
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
    const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    if (family === null || extra !== undefined || !(prefix <= (family === 'ipv4' ? 32 : 128))) {
      throw new ConfigError(`${name} must be a comma-separated list of addresses or subnets such as 34.96.0.0/20 (got "${raw}")`);
    }
    ranges.addSubnet(address, prefix, family);
  }
  return ranges;
}

/**
 * The client address behind Hosting. Google's front end appends the address that connected to it
 * to X-Forwarded-For, and the function's connection is the platform's own proxy: so the rightmost
 * entry is the one a caller cannot write. When it is Hosting's, the entry before it, which
 * Hosting's edge appended, is the client; otherwise the caller reached the function URL itself
 * and is counted under that rightmost address, whatever it wrote further left.
 */
export function behindHosting(hostingRanges: net.BlockList): ProxyTrust {
  const isHosting = (address: string) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    return net.isIP(plain) !== 0 && hostingRanges.check(plain, net.isIPv4(plain) ? 'ipv4' : 'ipv6');
  };
  return (address, hop) => hop === 0 || (hop === 1 && isHosting(address));
}

/** On Cloud Functions CRONPEEK_TRUST_PROXY may also be `hosting`, the default: see `behindHosting`. */
function functionsTrustFrom(values: Env): TrustProxy | ProxyTrust {
  if ((values.CRONPEEK_TRUST_PROXY ?? '').trim() !== 'hosting') return trustProxyFrom(values);
  return behindHosting(hostingRangesFrom(values));
}

/**
 * The cloud function never lets webhooks reach private or loopback addresses, except on the local
 * emulator suite (`npm run emulators`): only when the functions emulator runs it (it sets
 * FUNCTIONS_EMULATOR), for a `demo-` project (such ids cannot exist in Google Cloud), and with
 * CRONPEEK_ALLOW_PRIVATE_WEBHOOKS=1.
 */
export function emulatorAllowsPrivateWebhooks(env: Env): boolean {
  return env.FUNCTIONS_EMULATOR === 'true' && (env.GCLOUD_PROJECT ?? '').startsWith('demo-') && flag(env, 'CRONPEEK_ALLOW_PRIVATE_WEBHOOKS');
}

/** The embedded server's settings, from the environment. Throws ConfigError on the first bad value. */
export function loadServerConfig(env: Env): ServerConfig {
  const version = packageVersion();
  const port = integer(env, 'PORT', 3000, 1, 65535);
  const plan = planFrom(env);
  const store = env.CRONPEEK_STORE || 'sqlite';
  if (store !== 'sqlite' && store !== 'firestore') throw new ConfigError(`CRONPEEK_STORE must be "sqlite" or "firestore" (got "${store}")`);
  if (store === 'firestore' && !env.FIRESTORE_EMULATOR_HOST && !env.GOOGLE_APPLICATION_CREDENTIALS) {
    throw new ConfigError('CRONPEEK_STORE=firestore needs FIRESTORE_EMULATOR_HOST (local emulator) or GOOGLE_APPLICATION_CREDENTIALS');
  }
  const publicUrl = httpUrl(env, 'PUBLIC_URL', `http://localhost:${port}`) as string;
  return {
    app: {
      publicUrl,
      defaultPlan: plan,
      version,
      verifyEmails: verifyEmailsFrom(env),
    },
    notify: { ...notifyConfigFrom(env, version), publicUrl },
    port,
    rateLimits: limitRules(env),
    host: hostFrom(env),
    trustProxy: trustProxyFrom(env),
    store,
    dbPath: path.resolve(env.CRONPEEK_DB || path.join(REPO_DIR, '.data', 'cronpeek.db')),
    sqliteCheckpoints: sqliteCheckpointsFrom(env),
    checkIntervalSeconds: integer(env, 'CRONPEEK_CHECK_INTERVAL', 30, 1, 3600),
    firestoreProjectId: env.GCLOUD_PROJECT || env.GOOGLE_CLOUD_PROJECT || 'cronpeek',
  };
}

/**
 * The Firebase functions' params, named like the embedded server's variables. Outside a
 * deployment (tests, shells) an unset param reads as "", and its default applies then too.
 */
export type FunctionsParams = Record<
  | 'SENDGRID_API_KEY'
  | 'PUBLIC_URL'
  | 'CRONPEEK_EMAIL_FROM'
  | 'CRONPEEK_PAGERDUTY_URL'
  | 'CRONPEEK_DEFAULT_PLAN'
  | 'CRONPEEK_TRUST_PROXY'
  | 'CRONPEEK_HOSTING_RANGES',
  string
>;

/** The params' defaults where the cloud's differ from the embedded server's; `index.ts` declares the params with them. */
export const FUNCTIONS_DEFAULTS = {
  PUBLIC_URL: 'https://cronpeek.web.app',
  CRONPEEK_EMAIL_FROM: 'alerts@cronpeek.web.app',
  // A fixed number of hops would let a caller of the function URL choose its address; see `behindHosting`.
  CRONPEEK_TRUST_PROXY: 'hosting',
  CRONPEEK_HOSTING_RANGES: HOSTING_FRONT_END_RANGES.join(','),
} satisfies Partial<FunctionsParams>;

/**
 * The Firebase functions' settings, through the same validators (and ConfigError messages) as the
 * embedded server's: `params` are the Firebase params, `env` the functions' own environment
 * (abuse limits and address confirmation from `functions/.env.<project>`, the emulator's
 * private-webhook switch).
 * SENDGRID_API_URL is no param: a fake SendGrid is for local tests only.
 */
/** Vendor endpoints and Slack's hosts: no params, read from the functions' own environment (`functions/.env.<project>`), like the limits. */
const VENDOR_SETTINGS = ['CRONPEEK_SLACK_HOSTS', 'CRONPEEK_TELEGRAM_URL', 'CRONPEEK_PUSHOVER_URL', 'CRONPEEK_OPSGENIE_URL', 'CRONPEEK_OPSGENIE_EU_URL', 'CRONPEEK_NTFY_URL'];
const vendorSettings = (env: Env): Env => Object.fromEntries(VENDOR_SETTINGS.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));

export function loadFunctionsConfig(params: FunctionsParams, env: Env): FunctionsConfig {
  const values: Env = { ...params };
  for (const [name, fallback] of Object.entries(FUNCTIONS_DEFAULTS)) values[name] ||= fallback;
  const version = packageVersion();
  const publicUrl = httpUrl(values, 'PUBLIC_URL', null) as string;
  return {
    app: { publicUrl, defaultPlan: planFrom(values), version, verifyEmails: verifyEmailsFrom(env) },
    notify: { ...notifyConfigFrom({ ...vendorSettings(env), ...values }, version), allowPrivateWebhooks: emulatorAllowsPrivateWebhooks(env), publicUrl },
    rateLimits: limitRules(env),
    trustProxy: functionsTrustFrom(values),
  };
}
