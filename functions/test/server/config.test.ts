import path from 'node:path';
import { ConfigError, emulatorAllowsPrivateWebhooks, loadServerConfig, REPO_DIR } from '../../src/config';

describe('embedded server configuration', () => {
  test('defaults suit a first run on a laptop', () => {
    const c = loadServerConfig({});
    expect(c).toMatchObject({
      port: 3000,
      store: 'sqlite',
      dbPath: path.join(REPO_DIR, '.data', 'cronpeek.db'),
      checkIntervalSeconds: 30,
      app: { publicUrl: 'http://localhost:3000', defaultPlan: 'free', version: '1.0.0' },
      notify: { sendgridApiKey: null, allowPrivateWebhooks: false, userAgent: 'CronPeek/1.0.0' },
    });
  });

  test('the public URL follows the port and loses a trailing slash when given', () => {
    expect(loadServerConfig({ PORT: '8080' }).app.publicUrl).toBe('http://localhost:8080');
    expect(loadServerConfig({ PUBLIC_URL: 'https://cron.example.com/' }).app.publicUrl).toBe('https://cron.example.com');
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
      CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1',
      SENDGRID_API_KEY: 'SG.key',
      CRONPEEK_EMAIL_FROM: 'cron@example.com',
    });
    expect(c).toMatchObject({
      port: 4000,
      dbPath: '/var/lib/cronpeek/data.db',
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
    ['CRONPEEK_STORE', { CRONPEEK_STORE: 'firestore' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'not a url' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://example.com' }],
    ['CRONPEEK_ALLOW_PRIVATE_WEBHOOKS', { CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: 'yes please' }],
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
