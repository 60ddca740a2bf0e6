import path from 'node:path';
import {
  ConfigError,
  emulatorAllowsPrivateWebhooks,
  loadFunctionsConfig,
  loadServerConfig,
  packageVersion,
  REPO_DIR,
  type FunctionsParams,
} from '../../src/config';
import { DEFAULT_RULES } from '../../src/limits';
import { PAGERDUTY_EVENTS_URL } from '../../src/notify/pagerduty';

describe('embedded server configuration', () => {
  test('defaults suit a first run on a laptop', () => {
    const c = loadServerConfig({});
    expect(c).toMatchObject({
      port: 3000,
      store: 'sqlite',
      dbPath: path.join(REPO_DIR, '.data', 'cronpeek.db'),
      sqliteCheckpoints: 'worker',
      checkIntervalSeconds: 30,
      app: { publicUrl: 'http://localhost:3000', defaultPlan: 'free', version: '1.0.0' },
      notify: { sendgridApiKey: null, allowPrivateWebhooks: false, userAgent: 'CronPeek/1.0.0' },
    });
  });

  test('the public URL follows the port and loses a trailing slash when given', () => {
    expect(loadServerConfig({ PORT: '8080' }).app.publicUrl).toBe('http://localhost:8080');
    expect(loadServerConfig({ PUBLIC_URL: 'https://cron.example.com/' }).app.publicUrl).toBe('https://cron.example.com');
  });

  test('alert addresses must confirm unless CRONPEEK_VERIFY_EMAILS is off', () => {
    expect(loadServerConfig({}).app.verifyEmails).toBe(true);
    for (const on of ['on', 'ON', '1', 'true']) expect(loadServerConfig({ CRONPEEK_VERIFY_EMAILS: on }).app.verifyEmails).toBe(true);
    for (const off of ['off', 'Off', '0', 'false']) expect(loadServerConfig({ CRONPEEK_VERIFY_EMAILS: off }).app.verifyEmails).toBe(false);
  });

  test('listens on every interface and trusts no proxy unless told', () => {
    expect(loadServerConfig({})).toMatchObject({ host: null, trustProxy: false });
  });

  test.each([
    ['1', 1],
    ['2', 2],
    ['0', false],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.0.2.7', ['10.0.0.0/8', '192.0.2.7']],
  ])('CRONPEEK_TRUST_PROXY=%s is read as %j', (raw, expected) => {
    expect(loadServerConfig({ CRONPEEK_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  test('HOST names the interface', () => {
    expect(loadServerConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(loadServerConfig({ HOST: '::' }).host).toBe('::');
  });

  test('every setting is read from its variable', () => {
    const c = loadServerConfig({
      PORT: '4000',
      CRONPEEK_DB: '/var/lib/cronpeek/data.db',
      CRONPEEK_DEFAULT_PLAN: 'pro',
      CRONPEEK_CHECK_INTERVAL: '5',
      CRONPEEK_SQLITE_CHECKPOINTS: 'inline',
      CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1',
      SENDGRID_API_KEY: 'SG.key',
      CRONPEEK_EMAIL_FROM: 'cron@example.com',
    });
    expect(c).toMatchObject({
      port: 4000,
      dbPath: '/var/lib/cronpeek/data.db',
      sqliteCheckpoints: 'inline',
      checkIntervalSeconds: 5,
      app: { defaultPlan: 'pro' },
      notify: { allowPrivateWebhooks: true, sendgridApiKey: 'SG.key', emailFrom: 'cron@example.com' },
    });
  });

  test.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['CRONPEEK_CHECK_INTERVAL', { CRONPEEK_CHECK_INTERVAL: '0' }],
    ['CRONPEEK_CHECK_INTERVAL', { CRONPEEK_CHECK_INTERVAL: '1.5' }],
    ['CRONPEEK_DEFAULT_PLAN', { CRONPEEK_DEFAULT_PLAN: 'enterprise' }],
    ['CRONPEEK_STORE', { CRONPEEK_STORE: 'postgres' }],
    ['CRONPEEK_SQLITE_CHECKPOINTS', { CRONPEEK_SQLITE_CHECKPOINTS: 'never' }],
    ['CRONPEEK_STORE', { CRONPEEK_STORE: 'firestore' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://example.com' }],
    ['CRONPEEK_ALLOW_PRIVATE_WEBHOOKS', { CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: 'yes please' }],
    ['CRONPEEK_VERIFY_EMAILS', { CRONPEEK_VERIFY_EMAILS: 'sometimes' }],
    ['CRONPEEK_EMAIL_FROM', { CRONPEEK_EMAIL_FROM: 'nobody' }],
    ['HOST', { HOST: 'not a host!' }],
    ['CRONPEEK_TRUST_PROXY', { CRONPEEK_TRUST_PROXY: 'true' }],
    ['CRONPEEK_TRUST_PROXY', { CRONPEEK_TRUST_PROXY: '99' }],
    ['CRONPEEK_TRUST_PROXY', { CRONPEEK_TRUST_PROXY: '10.0.0.0/8, proxy.example' }],
  ])('a bad %s stops start-up with a one-line error naming it', (name, env) => {
    let error: unknown;
    try {
      loadServerConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('private webhook targets in the cloud function', () => {
  const emulator = { FUNCTIONS_EMULATOR: 'true', GCLOUD_PROJECT: 'demo-cronpeek', CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1' };

  test('are allowed on the functions emulator for a demo project when asked for', () => {
    expect(emulatorAllowsPrivateWebhooks(emulator)).toBe(true);
  });

  test('are refused on the emulator unless asked for', () => {
    expect(emulatorAllowsPrivateWebhooks({ ...emulator, CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '0' })).toBe(false);
    expect(emulatorAllowsPrivateWebhooks({ ...emulator, CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: undefined })).toBe(false);
  });

  test('are refused outside the emulator even when asked for', () => {
    expect(emulatorAllowsPrivateWebhooks({ ...emulator, FUNCTIONS_EMULATOR: undefined })).toBe(false);
  });

  test('are refused for a real project id even on something claiming to be the emulator', () => {
    expect(emulatorAllowsPrivateWebhooks({ ...emulator, GCLOUD_PROJECT: 'cronpeek' })).toBe(false);
  });
});

describe('Firebase functions configuration', () => {
  /** The params as a shell or a test sees them: unset ones read as "". */
  const params = (overrides: Partial<FunctionsParams> = {}): FunctionsParams => ({
    SENDGRID_API_KEY: '',
    PUBLIC_URL: '',
    CRONPEEK_EMAIL_FROM: '',
    CRONPEEK_PAGERDUTY_URL: '',
    CRONPEEK_DEFAULT_PLAN: '',
    CRONPEEK_TRUST_PROXY: '',
    CRONPEEK_HOSTING_RANGES: '',
    ...overrides,
  });
  const version = packageVersion();

  test('params left unset take the cloud defaults', () => {
    expect(loadFunctionsConfig(params(), {})).toEqual({
      app: { publicUrl: 'https://cronpeek.web.app', defaultPlan: 'free', version, verifyEmails: true },
      notify: {
        sendgridApiKey: null,
        sendgridApiUrl: null,
        emailFrom: 'alerts@cronpeek.web.app',
        allowPrivateWebhooks: false,
        userAgent: `CronPeek/${version}`,
        pagerdutyUrl: PAGERDUTY_EVENTS_URL,
        publicUrl: 'https://cronpeek.web.app',
        slackHosts: ['hooks.slack.com'],
        telegramUrl: 'https://api.telegram.org',
        pushoverUrl: 'https://api.pushover.net/1/messages.json',
        opsgenieUrls: { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' },
        ntfyUrl: 'https://ntfy.sh',
      },
      rateLimits: DEFAULT_RULES,
      // Behind Hosting, the rule of `behindHosting` (tested in test/http/client-address.test.ts).
      trustProxy: expect.any(Function),
    });
  });

  test('every param is read, and the public URL loses a trailing slash', () => {
    const c = loadFunctionsConfig(
      params({
        SENDGRID_API_KEY: 'SG.key',
        PUBLIC_URL: 'https://cron.example.com/',
        CRONPEEK_EMAIL_FROM: 'cron@example.com',
        CRONPEEK_PAGERDUTY_URL: 'https://events.eu.pagerduty.com/v2/enqueue',
        CRONPEEK_DEFAULT_PLAN: 'pro',
        CRONPEEK_TRUST_PROXY: '1',
      }),
      {},
    );
    expect(c).toMatchObject({
      app: { publicUrl: 'https://cron.example.com', defaultPlan: 'pro' },
      notify: {
        sendgridApiKey: 'SG.key',
        emailFrom: 'cron@example.com',
        pagerdutyUrl: 'https://events.eu.pagerduty.com/v2/enqueue',
        publicUrl: 'https://cron.example.com',
      },
      trustProxy: 1,
    });
  });

  test("vendor endpoints and Slack's hosts come from the functions' environment; bad values are refused", () => {
    const env = {
      CRONPEEK_SLACK_HOSTS: 'hooks.slack.com, Slack.Example.com',
      CRONPEEK_TELEGRAM_URL: 'http://127.0.0.1:8081/',
      CRONPEEK_PUSHOVER_URL: 'http://127.0.0.1:8082/1/messages.json',
      CRONPEEK_OPSGENIE_URL: 'http://127.0.0.1:8083',
      CRONPEEK_OPSGENIE_EU_URL: 'http://127.0.0.1:8084',
      CRONPEEK_NTFY_URL: 'http://127.0.0.1:8085',
    };
    expect(loadFunctionsConfig(params(), env).notify).toMatchObject({
      slackHosts: ['hooks.slack.com', 'slack.example.com'],
      telegramUrl: 'http://127.0.0.1:8081',
      pushoverUrl: 'http://127.0.0.1:8082/1/messages.json',
      opsgenieUrls: { us: 'http://127.0.0.1:8083', eu: 'http://127.0.0.1:8084' },
      ntfyUrl: 'http://127.0.0.1:8085',
    });
    expect(loadServerConfig(env).notify.telegramUrl).toBe('http://127.0.0.1:8081');
    expect(() => loadServerConfig({ CRONPEEK_SLACK_HOSTS: 'hooks.slack.com/x' })).toThrow('CRONPEEK_SLACK_HOSTS');
    expect(() => loadServerConfig({ CRONPEEK_NTFY_URL: 'ftp://ntfy' })).toThrow('CRONPEEK_NTFY_URL');
  });

  test("address confirmation is switched off from the functions' environment", () => {
    expect(loadFunctionsConfig(params(), { CRONPEEK_VERIFY_EMAILS: 'off' }).app.verifyEmails).toBe(false);
  });

  test('abuse limits come from the functions\' environment', () => {
    expect(loadFunctionsConfig(params(), { CRONPEEK_RATE_LIMITS: 'off' }).rateLimits).toBeNull();
  });

  test('pings to unknown tokens are limited per client address by default, and CRONPEEK_LIMIT_UNKNOWN_PINGS sets that limit on both entry points', () => {
    expect(DEFAULT_RULES.unknownPing).toEqual({ limit: 100, windowSeconds: 60 });
    const env = { CRONPEEK_LIMIT_UNKNOWN_PINGS: '5/600' };
    expect(loadFunctionsConfig(params(), env).rateLimits?.unknownPing).toEqual({ limit: 5, windowSeconds: 600 });
    expect(loadServerConfig(env).rateLimits?.unknownPing).toEqual({ limit: 5, windowSeconds: 600 });
    expect(loadServerConfig({ CRONPEEK_LIMIT_UNKNOWN_PINGS: 'off' }).rateLimits?.unknownPing).toBeNull();
    expect(() => loadServerConfig({ CRONPEEK_LIMIT_UNKNOWN_PINGS: '5' })).toThrow('CRONPEEK_LIMIT_UNKNOWN_PINGS');
  });

  test('a SendGrid URL or the private-webhook switch in the environment is ignored outside the emulator', () => {
    const c = loadFunctionsConfig(params(), { SENDGRID_API_URL: 'http://127.0.0.1:9', CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1' });
    expect(c.notify).toMatchObject({ sendgridApiUrl: null, allowPrivateWebhooks: false });
  });

  test('private webhooks follow the emulator rule', () => {
    const emulator = { FUNCTIONS_EMULATOR: 'true', GCLOUD_PROJECT: 'demo-cronpeek', CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1' };
    expect(loadFunctionsConfig(params(), emulator).notify.allowPrivateWebhooks).toBe(true);
  });

  test.each<[string, Partial<FunctionsParams>, Record<string, string>]>([
    ['CRONPEEK_DEFAULT_PLAN', { CRONPEEK_DEFAULT_PLAN: 'enterprise' }, {}],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }, {}],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://example.com' }, {}],
    ['CRONPEEK_EMAIL_FROM', { CRONPEEK_EMAIL_FROM: 'nobody' }, {}],
    ['CRONPEEK_PAGERDUTY_URL', { CRONPEEK_PAGERDUTY_URL: 'ftp://events.example.com' }, {}],
    ['CRONPEEK_TRUST_PROXY', { CRONPEEK_TRUST_PROXY: 'true' }, {}],
    ['CRONPEEK_TRUST_PROXY', { CRONPEEK_TRUST_PROXY: '99' }, {}],
    ['CRONPEEK_RATE_LIMITS', {}, { CRONPEEK_RATE_LIMITS: 'sometimes' }],
  ])('a bad %s fails with the embedded server\'s ConfigError and message', (_name, bad, env) => {
    let fromServer: unknown;
    try {
      loadServerConfig({ ...bad, ...env });
    } catch (err) {
      fromServer = err;
    }
    expect(fromServer).toBeInstanceOf(ConfigError);
    let fromFunctions: unknown;
    try {
      loadFunctionsConfig(params(bad), env);
    } catch (err) {
      fromFunctions = err;
    }
    expect(fromFunctions).toBeInstanceOf(ConfigError);
    expect((fromFunctions as Error).message).toBe((fromServer as Error).message);
  });
});
