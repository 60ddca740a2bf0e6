import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import ts from 'typescript';
import { loadServerConfig, PACKAGE_DIR, REPO_DIR } from '../../src/config';
import { createApp, OPENAPI_FILE } from '../../src/http/app';
import { startServer } from '../../src/server';
import { changePlan } from '../../src/services/plans';
import { hashApiKey, newApiKey, newChannelId, recipientId } from '../../src/services/secrets';
import { capturingLogger, type LogLine } from '../notify/support/logger';
import { testDeps } from '../support/deps';
import { freePort } from '../support/emulator';
import { makeAccount } from '../support/factories';
import { ApiClient } from '../support/http-client';
import { type Answer, loadSpec, type MediaType, newAjv, operationsOf, type Parameter, resolve, SPEC_PATH, SpecChecker } from '../support/openapi';
import { sqliteKind } from '../support/stores';

/**
 * public/openapi.json against the app: a valid OpenAPI 3.1 document, the same routes as the
 * router, and every operation driven through the real embedded server on SQLite, each answer
 * validated against the description and every documented status of every operation seen.
 */
const spec = loadSpec();
const checker = new SpecChecker(spec);

const operationKeys = () => Object.entries(spec.paths).flatMap(([p, item]) => operationsOf(item).map(([m]) => `${m.toUpperCase()} ${p}`));

// --- the router, walked ------------------------------------------------------------------------

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  matchers?: unknown[];
}

/** Express route paths as the description writes them: `/v1/monitors/:id` → `/api/v1/monitors/{id}`. */
const toSpecPath = (routePath: string) => `/api${routePath.replace(/:(\w+)/g, '{$1}')}`;

/**
 * The API router's routes and their methods, read from the app's router stack (Express 5). HEAD
 * (served by every GET route) and OPTIONS (the CORS preflight, a middleware) are checked by
 * real requests instead.
 */
function servedRoutes(app: Express): Map<string, Set<string>> {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const routers = stack.filter((l) => l.handle?.stack?.some((inner) => inner.route));
  if (routers.length === 0) throw new Error('the API router was not found in the app');
  const routes = new Map<string, Set<string>>();
  const add = (layers: Layer[], specPathOf: (routePath: string) => string) => {
    for (const layer of layers) {
      if (!layer.route) continue;
      const p = specPathOf(layer.route.path);
      const methods = routes.get(p) ?? new Set<string>();
      for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') methods.add(m);
      routes.set(p, methods);
    }
  };
  // The router is mounted twice (`/api` and `/`), so both mounts list the same routes.
  add(routers[0].handle!.stack!, toSpecPath);
  // The public status pages, mounted at `/status` outside the API.
  const statusPages = routers.find((l) => l.handle!.stack!.some((inner) => inner.route?.path === '/:slug.json'));
  if (statusPages === undefined) throw new Error('the status pages router was not found in the app');
  add(statusPages.handle!.stack!, (routePath) => `/status${routePath.replace(/:(\w+)/g, '{$1}')}`);
  return routes;
}

describe('public/openapi.json, the description', () => {
  test('is a valid OpenAPI 3.1 document, as a maintained parser reads it', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { validate } = require('@readme/openapi-parser') as { validate(api: unknown): Promise<{ valid: boolean; errors?: unknown; warnings: unknown[] }> };
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
    const result = await validate(structuredClone(spec));
    expect(result).toMatchObject({ valid: true, warnings: [] });
    // The parser does catch a broken description (so the line above can fail).
    const broken = structuredClone(spec) as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    broken.paths['/api/health'].get.responses['200'] = { content: {} };
    expect((await validate(broken)).valid).toBe(false);
  });

  test('names its servers: the host it is fetched from, and the embedded server', () => {
    expect(spec.servers.length).toBeGreaterThan(0);
    expect(spec.servers[0].url).toBe('/');
    for (const s of spec.servers) {
      expect(s.description).toEqual(expect.any(String));
      if (s.url !== '/') expect(new URL(s.url).protocol).toMatch(/^https?:$/);
    }
  });

  test('offers the API key both as x-api-key and as a Bearer token, and every operation names only those', () => {
    expect(spec.components.securitySchemes).toEqual({
      ApiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
      Bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(spec.security).toEqual([{ ApiKey: [] }, { Bearer: [] }]);
    for (const [, item] of Object.entries(spec.paths)) {
      for (const [, op] of operationsOf(item)) {
        expect(op.security).toBeDefined();
        for (const requirement of op.security ?? []) for (const name of Object.keys(requirement)) expect(Object.keys(spec.components.securitySchemes)).toContain(name);
        // An operation that needs a key documents the 401 for a missing one (the drive below sees it), and only such an operation.
        expect([op.operationId, op.security!.length > 0]).toEqual([op.operationId, op.responses['401'] !== undefined]);
      }
    }
  });

  test('every example fits its schema', () => {
    const ajv = newAjv();
    ajv.addSchema({ $id: 'https://cronpeek.invalid/openapi.json', components: { schemas: spec.components.schemas } });
    const problems: string[] = [];
    let examples = 0;
    const check = (where: string, schema: unknown, value: unknown, strict = true) => {
      examples++;
      const validate = strict ? checker.validator(schema, true) : ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"https://cronpeek.invalid/openapi.json#/components/')));
      if (!validate(value)) problems.push(`${where}: ${JSON.stringify(validate.errors)}`);
    };
    const media = (where: string, content: Record<string, MediaType> | undefined) => {
      for (const [type, m] of Object.entries(content ?? {})) {
        if (m.example !== undefined) check(`${where} ${type}`, m.schema ?? {}, m.example);
        for (const [name, e] of Object.entries(m.examples ?? {})) check(`${where} ${type} ${name}`, m.schema ?? {}, e.value);
      }
    };
    const parameter = (where: string, p: Parameter) => {
      const value = (v: unknown) => (p.schema.type === 'integer' && typeof v === 'string' ? Number(v) : v);
      if (p.example !== undefined) check(`${where} ${p.name}`, p.schema, value(p.example), false);
      for (const [name, e] of Object.entries(p.examples ?? {})) check(`${where} ${p.name} ${name}`, p.schema, value(e.value), false);
    };
    for (const [name, schema] of Object.entries(spec.components.schemas)) {
      for (const [i, e] of ((schema.examples as unknown[]) ?? []).entries()) check(`schema ${name} example ${i}`, { $ref: `#/components/schemas/${name}` }, e);
    }
    for (const [name, p] of Object.entries(spec.components.parameters)) parameter(`parameter ${name}`, p);
    for (const [specPath, item] of Object.entries(spec.paths)) {
      for (const p of item.parameters ?? []) parameter(specPath, resolve(spec, p));
      for (const [m, op] of operationsOf(item)) {
        const where = `${m.toUpperCase()} ${specPath}`;
        for (const p of op.parameters ?? []) parameter(where, resolve(spec, p));
        media(`${where} request`, op.requestBody?.content);
        for (const [status, r] of Object.entries(op.responses)) {
          const response = resolve(spec, r);
          media(`${where} ${status}`, response.content);
          // Every JSON success answer shows what it looks like.
          if (status.startsWith('2') && response.content?.['application/json'] && response.content['application/json'].example === undefined) {
            problems.push(`${where} ${status}: no example`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(examples).toBeGreaterThan(30);
  });

  test('every route the app serves is in the description with its methods, and every documented path and method is a route', async () => {
    const store = await sqliteKind.open();
    try {
      const served = servedRoutes(createApp(testDeps(store)));
      // OPTIONS is a route of its own on some paths and the ping prefix's CORS middleware on others:
      // the drive below checks it on every path with a real request, as it does HEAD.
      const routed = (methods: Iterable<string>) => [...methods].filter((m) => m !== 'head' && m !== 'options');
      // A documented path whose literal segment a served route takes as a parameter (`/ping/{token}/snooze`,
      // served by `/ping/{token}/{signal}`) is that route's: its methods are counted there.
      const servedAs = (p: string) => {
        const segments = p.split('/');
        const route = [...served.keys()].find((s) => s.split('/').length === segments.length && s.split('/').every((seg, i) => seg === segments[i] || /^\{\w+\}$/.test(seg)));
        return served.has(p) || route === undefined ? p : route;
      };
      const documented = new Map<string, Set<string>>();
      for (const [p, item] of Object.entries(spec.paths)) {
        const methods = documented.get(servedAs(p)) ?? new Set<string>();
        for (const m of routed(operationsOf(item).map(([method]) => method))) methods.add(m);
        documented.set(servedAs(p), methods);
      }
      const asList = (routes: Map<string, Set<string>>) => [...routes].flatMap(([p, ms]) => routed(ms).map((m) => `${m.toUpperCase()} ${p}`)).sort();
      expect(asList(documented)).toEqual(asList(served));
      const routedOptions = [...served].filter(([, ms]) => ms.has('options')).map(([p]) => p);
      expect(routedOptions.filter((p) => !spec.paths[p]?.options)).toEqual([]);
      expect(served.size).toBeGreaterThanOrEqual(17);
    } finally {
      await store.close();
    }
  });
});

describe('public/openapi.json, published', () => {
  test('Firebase Hosting serves it as a file (no rewrite takes its path) and lets any origin read it', () => {
    const firebase = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'firebase.json'), 'utf8')) as {
      hosting: { public: string; rewrites: Array<{ source: string }>; headers: Array<{ source: string; headers: Array<{ key: string; value: string }> }> };
    };
    expect(path.resolve(REPO_DIR, firebase.hosting.public, OPENAPI_FILE)).toBe(SPEC_PATH);
    // Hosting's globs: `**` any run of characters, `*` any within one segment.
    const glob = (source: string) => new RegExp(`^${source.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*')}$`);
    expect(glob('/api/**').test('/api/v1/monitors')).toBe(true);
    expect(firebase.hosting.rewrites.filter((r) => glob(r.source).test(`/${OPENAPI_FILE}`))).toEqual([]);
    const headers = Object.fromEntries(
      firebase.hosting.headers.filter((r) => glob(r.source).test(`/${OPENAPI_FILE}`)).flatMap((r) => r.headers.map((h) => [h.key, h.value])),
    );
    expect(headers).toMatchObject({ 'Access-Control-Allow-Origin': '*', 'X-Content-Type-Options': 'nosniff' });
  });

  test("the documentation page's endpoints are the description's operations", () => {
    const html = fs.readFileSync(path.join(REPO_DIR, 'public', 'index.html'), 'utf8');
    const docs = new Set<string>();
    for (const [, block] of html.matchAll(/<div class="endpoint-line">([\s\S]*?)<\/div>/g)) {
      const methods = [...block.matchAll(/<span class="badge badge-(get|post|put|patch|delete|head)">/g)].map((m) => m[1]);
      const shown = /<code>([^<]+)<\/code>/.exec(block)?.[1] ?? '';
      // `/api/v1/ping/:token/start | /fail | /:exitCode` is one route with a signal parameter.
      const route = shown.replace(/\/start \|.*$/, '/{signal}');
      for (const m of methods) docs.add(`${m.toUpperCase()} ${route.replace(/:(\w+)/g, '{$1}').trim()}`);
    }
    const documented = operationKeys().filter((k) => !k.startsWith('OPTIONS '));
    expect(docs.size).toBeGreaterThanOrEqual(20);
    // The page may leave out HEAD where it only mirrors GET; everything else is on both.
    expect([...docs].filter((k) => !documented.includes(k))).toEqual([]);
    expect(documented.filter((k) => !docs.has(k) && !k.startsWith('HEAD '))).toEqual([]);
  });

  test.each(['index.html', 'dashboard.html'])('%s links to it', (page) => {
    const html = fs.readFileSync(path.join(REPO_DIR, 'public', page), 'utf8');
    expect(html).toMatch(new RegExp(`<a [^>]*href="${OPENAPI_FILE.replace('.', '\\.')}"`));
  });
});

describe('public/openapi.json, for client generators', () => {
  test('openapi-typescript turns it into types that compile and say what the API answers', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-client-'));
    try {
      const cli = path.join(PACKAGE_DIR, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
      execFileSync(process.execPath, [cli, SPEC_PATH, '-o', path.join(dir, 'api.d.ts')], { stdio: 'pipe' });
      fs.writeFileSync(
        path.join(dir, 'use.ts'),
        [
          "import type { components, paths } from './api';",
          "type Created = paths['/api/v1/monitors']['post']['responses'][201]['content']['application/json'];",
          "export const created: Created = { monitorId: 'a1b2c3d4e5f67890', name: 'n', pingUrl: 'https://x/api/v1/ping/t', schedule: '0 2 * * *', grace: 60, status: 'new', late: false, running: false, channels: [], tags: [], slug: null, snoozedUntil: null, dependsOn: [], inMaintenance: false, suppressedBy: null };",
          "type Signal = paths['/api/v1/ping/{token}/{signal}']['post'];",
          "export const answer: Signal['responses'][200]['content']['application/json'] = { ok: true, monitor: 'n', status: 'down' };",
          "export const body: NonNullable<Signal['requestBody']>['content']['text/plain'] = 'the last lines';",
          "type Edit = paths['/api/v1/monitors/{id}']['patch']['requestBody']['content']['application/json'];",
          "export const edit: Edit = { alertEmail: null, grace: null };",
          "export const page: components['schemas']['PingPage'] = { pings: [], nextCursor: null };",
          '// @ts-expect-error a status the API does not have',
          "export const wrong: components['schemas']['Status'] = 'sideways';",
        ].join('\n'),
      );
      const program = ts.createProgram([path.join(dir, 'use.ts')], { strict: true, noEmit: true, skipLibCheck: false, types: [] });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// --- the real embedded server --------------------------------------------------------------------

interface Call extends Answer {
  json: Record<string, unknown>;
  /** The JSON body sent, if any. */
  sent?: unknown;
}

function send(base: string, method: string, url: string, options: { key?: string; bearer?: string; body?: string | Buffer; json?: unknown; headers?: Record<string, string> } = {}): Promise<Call> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers['x-api-key'] = options.key;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolvePromise, reject) => {
    // node:http sends the path exactly as given, malformed percent-escapes included.
    const req = http.request(`${base}${url}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON: the SVG badge, a HEAD answer, a 204
        }
        const flat: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(res.headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
        resolvePromise({ method, url, status: res.statusCode ?? 0, headers: flat, body: text, json, sent: options.json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('every operation of the description, driven through the embedded server on SQLite', () => {
  let dir: string;
  let base: string;
  let running: Awaited<ReturnType<typeof startServer>>;
  let lines: LogLine[];
  // Sets the scene (sign-ups); test/support/answers.ts checks its answers against the description too.
  let api: ApiClient;
  const answers: Call[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-openapi-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = new ApiClient(base);
    // Limit windows are fixed, starting at multiples of their length since the epoch, so a window
    // boundary during the test would reset the counters the 429s below depend on. A window of
    // years, with now in its middle, keeps every boundary far away.
    const nowS = Math.floor(Date.now() / 1000);
    const window = Math.floor(nowS / (Math.ceil(nowS / 999_999_999) + 0.5));
    const config = loadServerConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      CRONPEEK_DB: path.join(dir, 'cronpeek.db'),
      PUBLIC_URL: base,
      CRONPEEK_CHECK_INTERVAL: '3600',
      // Limits low enough to reach, high enough for the calls before them.
      CRONPEEK_RATE_LIMITS: 'on',
      CRONPEEK_LIMIT_SIGNUPS: `20/${window}`,
      CRONPEEK_LIMIT_RECOVERY_PER_ADDRESS: `20/${window}`,
      CRONPEEK_LIMIT_RECOVERY_PER_EMAIL: `5/${window}`,
      CRONPEEK_LIMIT_SIGN_IN_PER_ADDRESS: `20/${window}`,
      CRONPEEK_LIMIT_SIGN_IN_PER_EMAIL: `5/${window}`,
      CRONPEEK_LIMIT_SCHEDULE_PREVIEWS: `20/${window}`,
      CRONPEEK_LIMIT_STATUS_PAGES: `30/${window}`,
      CRONPEEK_LIMIT_FAILED_AUTH: `100/${window}`,
      CRONPEEK_LIMIT_MANAGEMENT: 'off',
      CRONPEEK_LIMIT_PINGS: `30/${window}`,
      // The monitors below alert a local address (nothing listens there), refused when saved otherwise.
      CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1',
    });
    const log = capturingLogger();
    lines = log.lines;
    running = await startServer(config, log);
  });
  afterAll(async () => {
    await running?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, options: Parameters<typeof send>[3] = {}) => {
    const answer = await send(base, method, url, options);
    answers.push(answer);
    return answer;
  };
  const expectStatus = (answer: Call, status: number) => {
    if (answer.status !== status) throw new Error(`${answer.method} ${answer.url}: expected ${status}, got ${answer.status} ${answer.body.slice(0, 300)}`);
    return answer;
  };
  const MALFORMED = '%E0%A4%A';
  const UNKNOWN_ID = '0123456789abcdef';
  const BAD_KEY = `cpk_${'0'.repeat(32)}`;

  async function recoveryToken(email: string): Promise<string> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      for (const line of lines) {
        const text = typeof line.fields.text === 'string' ? line.fields.text : '';
        const match = line.fields.to === email ? /^([A-Za-z0-9_-]{43})$/m.exec(text) : null;
        if (match) return match[1];
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no recovery e-mail to ${email} in the log`);
  }

  /** The token of the confirmation request e-mailed to `email`, from the log (no SendGrid here). */
  async function confirmationToken(email: string): Promise<string> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const line = lines.find((l) => l.fields.to === email && l.fields.purpose === 'e-mail confirmation');
      const match = /#token=([0-9a-f]{32}\.[A-Za-z0-9_-]{43})/.exec(String(line?.fields.text ?? ''));
      if (match) return match[1];
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no confirmation e-mail to ${email} in the log`);
  }

  /** The token of the sign-in link e-mailed to `email`, from the log (no SendGrid here). */
  async function signInToken(email: string): Promise<string> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const line = lines.find((l) => l.fields.to === email && l.fields.purpose === 'sign-in link');
      const match = /#signin=([A-Za-z0-9_-]{43})/.exec(String(line?.fields.text ?? ''));
      if (match) return match[1];
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no sign-in e-mail to ${email} in the log`);
  }

  test('serves the description itself at /openapi.json as JSON', async () => {
    const res = await send(base, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(res.body)).toEqual(JSON.parse(fs.readFileSync(SPEC_PATH, 'utf8')));
  });

  test('each answer is what its operation documents, and every documented status of every operation is seen', async () => {
    // Accounts.
    const key = await api.signup('owner@example.com');
    // The owner moves to Pro (an operator task), so answers with webhook secrets and unlimited allowances are seen too.
    await changePlan(running.deps, { email: 'owner@example.com', plan: 'pro' });
    expectStatus(await call('POST', '/api/v1/accounts', { json: { email: 'owner@example.com' } }), 409);
    await call('POST', '/api/v1/accounts', { json: { email: 'not-an-email' } });
    await call('POST', '/api/v1/accounts', { body: '{"email": ', headers: { 'content-type': 'application/json' } });
    await call('POST', '/api/v1/accounts', { json: { email: 'big@example.com', pad: 'x'.repeat(70 * 1024) } });
    await call('POST', '/api/v1/accounts', { body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });
    const other = await api.signup('other@example.com');
    expectStatus(await call('GET', '/api/v1/account', { key }), 200);
    expectStatus(await call('GET', '/api/v1/account', { bearer: key }), 200);
    await call('GET', '/api/v1/account');
    expectStatus(await call('HEAD', '/api/v1/account', { key }), 200);
    await call('HEAD', '/api/v1/account');
    expectStatus(await call('PATCH', '/api/v1/account', { key, json: { defaults: { remindEvery: 3600 } } }), 200);
    await call('PATCH', '/api/v1/account', { key, json: { defaults: { remindEvery: 1 } } });
    await call('PATCH', '/api/v1/account', { json: { defaults: { remindEvery: null } } });
    await call('PATCH', '/api/v1/account', { key, json: { defaults: {}, pad: 'x'.repeat(70 * 1024) } });
    await call('PATCH', '/api/v1/account', { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });
    const rotating = await api.signup('rotating@example.com');
    expectStatus(await call('POST', '/api/v1/account/rotate-key', { key: rotating }), 200);
    await call('POST', '/api/v1/account/rotate-key', { key: rotating });
    const leaving = await api.signup('leaving@example.com');
    expectStatus(await call('DELETE', '/api/v1/account', { key: leaving }), 200);
    await call('DELETE', '/api/v1/account', { key: leaving });

    // Recovery.
    await api.signup('lost@example.com');
    expectStatus(await call('POST', '/api/v1/accounts/recover', { json: { email: 'lost@example.com' } }), 202);
    await call('POST', '/api/v1/accounts/recover', { json: { email: 'nobody@example.com' } });
    await call('POST', '/api/v1/accounts/recover', { json: {} });
    await call('POST', '/api/v1/accounts/recover', { json: { email: 'big@example.com', pad: 'x'.repeat(70 * 1024) } });
    await call('POST', '/api/v1/accounts/recover', { body: 'x', headers: { 'content-type': 'application/json; charset=latin-9' } });
    const token = await recoveryToken('lost@example.com');
    expectStatus(await call('POST', '/api/v1/accounts/recover/confirm', { json: { email: 'lost@example.com', token } }), 200);
    await call('POST', '/api/v1/accounts/recover/confirm', { json: { email: 'lost@example.com', token } });
    await call('POST', '/api/v1/accounts/recover/confirm', { json: { email: 'lost@example.com', token: 'x'.repeat(70 * 1024) } });
    await call('POST', '/api/v1/accounts/recover/confirm', { body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });

    // Alert addresses: the welcome e-mails' tokens, an unsubscribe token, the account's own resend.
    const welcome = await confirmationToken('owner@example.com');
    expectStatus(await call('POST', '/api/v1/email/confirm', { json: { token: welcome } }), 200);
    await call('POST', '/api/v1/email/confirm', { json: { token: welcome } });
    expectStatus(await call('POST', '/api/v1/email/decline', { json: { token: await confirmationToken('other@example.com') } }), 200);
    for (const answer of ['confirm', 'decline']) {
      await call('POST', `/api/v1/email/${answer}`, { json: { token: 'x'.repeat(70 * 1024) } });
      await call('POST', `/api/v1/email/${answer}`, { body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });
      await call('POST', `/api/v1/email/${answer}`, { json: {} });
    }
    const owner = (await running.deps.store.findAccountByEmail('owner@example.com'))!;
    const unsubscribe = (await running.deps.store.getRecipient(recipientId(owner.id, owner.email)))!.unsubscribeToken;
    const oneClick = { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expectStatus(await call('POST', `/api/v1/email/unsubscribe?token=${unsubscribe}`, oneClick), 200);
    await call('POST', '/api/v1/email/unsubscribe?token=nope', oneClick);
    expectStatus(await call('GET', `/api/v1/email/unsubscribe?token=${unsubscribe}`), 303);
    expectStatus(await call('HEAD', `/api/v1/email/unsubscribe?token=${unsubscribe}`), 303);
    expectStatus(await call('POST', '/api/v1/account/confirm-email', { key }), 409);
    expectStatus(await call('POST', '/api/v1/account/confirm-email', { key: await api.signup('resend@example.com') }), 429);
    await call('POST', '/api/v1/account/confirm-email');
    // An account from before confirmation existed: nothing asked yet, so a request goes now.
    const legacyKey = newApiKey();
    await running.deps.store.createAccount(makeAccount({ email: 'legacy@example.com', apiKeyHash: hashApiKey(legacyKey) }));
    expectStatus(await call('POST', '/api/v1/account/confirm-email', { key: legacyKey }), 202);

    // Monitors.
    const created = expectStatus(await call('POST', '/api/v1/monitors', { key, json: { name: 'Nightly backup', schedule: 3600, alertWebhook: 'http://127.0.0.1:9/hook' } }), 201);
    const cron = expectStatus(await call('POST', '/api/v1/monitors', { key, json: { name: 'Cron job', schedule: '30 2 * * *', tz: 'Europe/Berlin' } }), 201);
    await call('POST', '/api/v1/monitors', { key, json: { name: '', schedule: 3600 } });
    await call('POST', '/api/v1/monitors', { json: { name: 'x', schedule: 3600 } });
    await call('POST', '/api/v1/monitors', { key: other, json: { name: 'x', schedule: 3600, alertWebhook: 'http://127.0.0.1:9/hook' } });
    await call('POST', '/api/v1/monitors', { key, json: { name: 'x', schedule: 3600, pad: 'x'.repeat(70 * 1024) } });
    await call('POST', '/api/v1/monitors', { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });
    expectStatus(await call('GET', '/api/v1/monitors', { key }), 200);
    expectStatus(await call('GET', '/api/v1/monitors?tag=backups&status=up&q=nightly', { key }), 200);
    expectStatus(await call('GET', '/api/v1/monitors?status=sideways', { key }), 400);
    await call('GET', '/api/v1/monitors', { key: BAD_KEY });
    expectStatus(await call('HEAD', '/api/v1/monitors', { key }), 200);
    expectStatus(await call('HEAD', '/api/v1/monitors?status=sideways', { key }), 400);
    await call('HEAD', '/api/v1/monitors', { key: BAD_KEY });
    const id = created.json.monitorId as string;
    const pingPath = new URL(created.json.pingUrl as string).pathname;
    const cronPing = new URL(cron.json.pingUrl as string).pathname;

    // Pings and signals, before the history is read.
    expectStatus(await call('GET', pingPath), 200);
    expectStatus(await call('POST', pingPath, { body: 'backup done', headers: { 'content-type': 'text/plain' } }), 200);
    expectStatus(await call('HEAD', pingPath), 200);
    expectStatus(await call('OPTIONS', pingPath, { headers: { origin: 'https://jobs.example', 'access-control-request-method': 'POST' } }), 204);
    expectStatus(await call('GET', `${pingPath}/start?rid=run-1`), 200);
    expectStatus(await call('POST', `${pingPath}/3?rid=run-1`, { body: 'disk full', headers: { 'content-type': 'text/plain' } }), 200);
    expectStatus(await call('HEAD', `${pingPath}/0`), 200);
    expectStatus(await call('OPTIONS', `${pingPath}/start`, { headers: { origin: 'https://jobs.example', 'access-control-request-method': 'GET' } }), 204);
    for (const suffix of ['', '/fail']) {
      const url = `${pingPath}${suffix}`;
      await call('GET', `${url}?rid=has%20space`);
      await call('POST', `${url}?rid=has%20space`);
      await call('HEAD', `${url}?rid=has%20space`);
      await call('GET', `/api/v1/ping/${'B'.repeat(24)}${suffix}`);
      await call('POST', `/api/v1/ping/${'B'.repeat(24)}${suffix}`);
      await call('HEAD', `/api/v1/ping/${'B'.repeat(24)}${suffix}`);
      await call('POST', url, { body: Buffer.alloc(1024 * 1024 + 10, 'x'), headers: { 'content-type': 'text/plain' } });
      await call('POST', url, { body: 'x', headers: { 'content-type': 'text/plain', 'content-encoding': 'compress' } });
    }
    await call('GET', `${pingPath}/256`);

    // Pings by slug (issue 22): the ping key, slugs and their clashes, monitors made by their first ping, the plan limit, upsert.
    const pingKey = expectStatus(await call('POST', '/api/v1/account/ping-key', { key }), 200).json.pingKey as string;
    expectStatus(await call('POST', '/api/v1/account/ping-key'), 401);
    expectStatus(await call('PATCH', `/api/v1/monitors/${cron.json.monitorId}`, { key, json: { slug: 'cron-job' } }), 200);
    expectStatus(await call('POST', '/api/v1/monitors', { key, json: { name: 'Clash', schedule: 3600, slug: 'cron-job' } }), 409);
    expectStatus(await call('PATCH', `/api/v1/monitors/${id}`, { key, json: { slug: 'cron-job' } }), 409);
    const bySlug = `/api/v1/ping/${pingKey}`;
    const text = (body: string | Buffer, more: Record<string, string> = {}) => ({ body, headers: { 'content-type': 'text/plain', ...more } });
    expectStatus(await call('GET', `${bySlug}/made-by-get?create=1`), 201);
    expectStatus(await call('POST', `${bySlug}/made-by-post?create=1&schedule=300`, text('hello')), 201);
    expectStatus(await call('HEAD', `${bySlug}/made-by-head?create=1`), 201);
    expectStatus(await call('GET', `${bySlug}/made-by-start/start?create=1`), 201);
    expectStatus(await call('POST', `${bySlug}/made-by-fail/fail?create=1`, text('boom')), 201);
    expectStatus(await call('HEAD', `${bySlug}/made-by-exit/0?create=1`), 201);
    for (const method of ['GET', 'POST', 'HEAD']) {
      expectStatus(await call(method, `${bySlug}/made-by-get`), 200);
      expectStatus(await call(method, `${bySlug}/made-by-get/start`), 200);
      expectStatus(await call(method, `${bySlug}/made-by-get/bogus`), 400);
      expectStatus(await call(method, `${bySlug}/nobody/start`), 404);
      expectStatus(await call(method, `${bySlug}/nobody`), 404);
    }
    await call('POST', `${bySlug}/made-by-get/start`, text(Buffer.alloc(1024 * 1024 + 10, 'x')));
    await call('POST', `${bySlug}/made-by-get/start`, text('x', { 'content-encoding': 'compress' }));
    expectStatus(await call('OPTIONS', `${bySlug}/made-by-get/start`, { headers: { origin: 'https://jobs.example', 'access-control-request-method': 'GET' } }), 204);
    const fleet = await api.signup('fleet@example.com');
    for (let i = 0; i < 5; i++) expectStatus(await call('POST', '/api/v1/monitors', { key: fleet, json: { name: `Job ${i}`, schedule: 3600 } }), 201);
    const fleetPingKey = expectStatus(await call('POST', '/api/v1/account/ping-key', { key: fleet }), 200).json.pingKey as string;
    for (const method of ['GET', 'POST', 'HEAD']) {
      for (const suffix of ['', '/start']) expectStatus(await call(method, `/api/v1/ping/${fleetPingKey}/one-more${suffix}?create=1`), 403);
    }
    const upsertBody = { name: 'Deploy', schedule: 3600, tags: ['prod'] };
    expectStatus(await call('PUT', '/api/v1/monitors/by-slug/deploy', { key, json: upsertBody }), 201);
    expectStatus(await call('PUT', '/api/v1/monitors/by-slug/deploy', { key, json: upsertBody }), 200);
    expectStatus(await call('PUT', '/api/v1/monitors/by-slug/start', { key, json: upsertBody }), 400);
    expectStatus(await call('PUT', '/api/v1/monitors/by-slug/deploy', { json: upsertBody }), 401);
    expectStatus(await call('PUT', '/api/v1/monitors/by-slug/one-more', { key: fleet, json: upsertBody }), 403);
    await call('PUT', '/api/v1/monitors/by-slug/deploy', { key, json: { ...upsertBody, pad: 'x'.repeat(70 * 1024) } });
    await call('PUT', '/api/v1/monitors/by-slug/deploy', { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });

    // Export and import (the fleet account is at its plan's limit: a 403 for a write by a read-only key is seen below).
    const exported = expectStatus(await call('GET', '/api/v1/export', { key }), 200).json;
    expectStatus(await call('GET', '/api/v1/export'), 401);
    expectStatus(await call('HEAD', '/api/v1/export', { key }), 200);
    expectStatus(await call('HEAD', '/api/v1/export'), 401);
    expectStatus(await call('POST', '/api/v1/import?dryRun=1', { key, json: exported }), 200);
    expectStatus(await call('POST', '/api/v1/import', { key: fleet, json: { checks: [{ name: 'Over the limit', slug: 'over', timeout: 3600, desc: 'x' }] } }), 200);
    expectStatus(await call('POST', '/api/v1/import', { key, json: { version: 2, monitors: [] } }), 400);
    expectStatus(await call('POST', '/api/v1/import', { json: exported }), 401);
    const fleetReader = expectStatus(await call('POST', '/api/v1/account/keys', { key: fleet, json: { name: 'backup', access: 'read' } }), 201).json.apiKey as string;
    expectStatus(await call('POST', '/api/v1/import', { key: fleetReader, json: exported }), 403);
    expectStatus(await call('POST', '/api/v1/import', { key, json: { version: 1, monitors: [], pad: 'x'.repeat(1024 * 1024) } }), 413);
    expectStatus(await call('POST', '/api/v1/import', { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);

    // One monitor.
    const status = expectStatus(await call('GET', `/api/v1/monitors/${id}/status`, { key }), 200);
    expectStatus(await call('GET', `/api/v1/monitors/${id}`, { bearer: key }), 200);
    expectStatus(await call('PATCH', `/api/v1/monitors/${id}`, { key, json: { name: 'Renamed', alertWebhook: 'http://127.0.0.1:9/other' } }), 200);
    expectStatus(await call('PATCH', `/api/v1/monitors/${cron.json.monitorId}`, { key, json: { grace: null, alertEmail: null } }), 200);
    await call('PATCH', `/api/v1/monitors/${id}`, { key, json: { colour: 'red' } });
    await call('PATCH', `/api/v1/monitors/${id}`, { key, json: { name: 'x'.repeat(70 * 1024) } });
    await call('PATCH', `/api/v1/monitors/${id}`, { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });
    expectStatus(await call('POST', `/api/v1/monitors/${id}/pause`, { key, json: { manualResume: true } }), 200);
    await call('POST', `/api/v1/monitors/${id}/pause`, { key });
    await call('POST', `/api/v1/monitors/${id}/pause`, { key, json: { manualResume: 'yes' } });
    await call('POST', `/api/v1/monitors/${id}/pause`, { key, json: { manualResume: true, pad: 'x'.repeat(70 * 1024) } });
    await call('POST', `/api/v1/monitors/${id}/pause`, { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } });
    expectStatus(await call('POST', `/api/v1/monitors/${id}/resume`, { key }), 200);
    await call('POST', `/api/v1/monitors/${id}/resume`, { key });
    expectStatus(await call('POST', `/api/v1/monitors/${id}/acknowledge`, { key }), 409);
    expectStatus(await call('PATCH', `/api/v1/monitors/${id}`, { key, json: { remindEvery: 3600, remindLimit: 5 } }), 200);
    expectStatus(await call('GET', `${pingPath}/fail`), 200);
    expectStatus(await call('POST', `/api/v1/monitors/${id}/acknowledge`, { key }), 200);
    expectStatus(await call('GET', pingPath), 200);
    expectStatus(await call('POST', `/api/v1/monitors/${cron.json.monitorId}/pause`, { key }), 200);
    expectStatus(await call('GET', cronPing), 200);
    const firstPings = expectStatus(await call('GET', `/api/v1/monitors/${id}/pings?limit=2`, { key }), 200);
    expect(firstPings.json.nextCursor).toEqual(expect.any(String));
    expectStatus(await call('GET', `/api/v1/monitors/${id}/pings?limit=2&cursor=${firstPings.json.nextCursor}`, { key }), 200);
    expectStatus(await call('GET', `/api/v1/monitors/${id}/flips`, { key }), 200);
    const firstAlerts = expectStatus(await call('GET', `/api/v1/monitors/${id}/notifications?limit=1`, { key }), 200);
    expect(firstAlerts.json.nextCursor).toEqual(expect.any(String));
    expectStatus(await call('GET', `/api/v1/monitors/${id}/notifications?limit=1&cursor=${firstAlerts.json.nextCursor}`, { key }), 200);
    for (const tail of ['', '/status', '/pings', '/flips', '/notifications']) expectStatus(await call('HEAD', `/api/v1/monitors/${id}${tail}`, { key }), 200);
    for (const tail of ['pings?limit=0', 'flips?cursor=nope!', 'notifications?limit=0']) await call('GET', `/api/v1/monitors/${id}/${tail}`, { key });

    // Quiet times: dependencies, snooze (with the key and with the ping URL alone), maintenance windows.
    const child = expectStatus(await call('POST', '/api/v1/monitors', { key, json: { name: 'Child job', schedule: 3600, dependsOn: [id] } }), 201);
    const childId = child.json.monitorId as string;
    expectStatus(await call('PATCH', `/api/v1/monitors/${childId}`, { key, json: { dependsOn: null } }), 200);
    expectStatus(await call('PATCH', `/api/v1/monitors/${childId}`, { key, json: { dependsOn: [id] } }), 200);
    expectStatus(await call('PATCH', `/api/v1/monitors/${id}`, { key, json: { dependsOn: [childId] } }), 400);
    expectStatus(await call('POST', '/api/v1/monitors', { key, json: { name: 'Orphan', schedule: 3600, dependsOn: [UNKNOWN_ID] } }), 400);
    expectStatus(await call('POST', `/api/v1/monitors/${id}/snooze`, { key, json: { for: 3600 } }), 200);
    expectStatus(await call('POST', `/api/v1/monitors/${id}/snooze`, { key, json: { until: new Date(Date.now() + 7_200_000).toISOString() } }), 200);
    expectStatus(await call('POST', `/api/v1/monitors/${id}/snooze`, { key, json: { for: 1 } }), 400);
    expectStatus(await call('POST', `/api/v1/monitors/${id}/snooze`, { key, json: { for: 3600, pad: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('POST', `/api/v1/monitors/${id}/snooze`, { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    expectStatus(await call('DELETE', `/api/v1/monitors/${id}/snooze`, { key }), 200);
    for (const method of ['GET', 'POST', 'HEAD']) {
      expectStatus(await call(method, `${pingPath}/snooze${method === 'GET' ? '' : '?for=600'}`), 200);
      expectStatus(await call(method, `${pingPath}/snooze?for=1`), 400);
      expectStatus(await call(method, `/api/v1/ping/${'B'.repeat(24)}/snooze`), 404);
    }
    expectStatus(await call('OPTIONS', `${pingPath}/snooze`, { headers: { origin: 'https://jobs.example', 'access-control-request-method': 'GET' } }), 204);
    expectStatus(await call('POST', `${pingPath}/snooze`, { body: Buffer.alloc(1024 * 1024 + 10, 'x'), headers: { 'content-type': 'text/plain' } }), 413);
    expectStatus(await call('POST', `${pingPath}/snooze`, { body: 'x', headers: { 'content-type': 'text/plain', 'content-encoding': 'compress' } }), 415);
    expectStatus(await call('DELETE', `/api/v1/monitors/${id}/snooze`, { key }), 200);
    expectStatus(await call('GET', `/api/v1/monitors/${id}/flips`, { key }), 200);

    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const inTwoHours = new Date(Date.now() + 7_200_000).toISOString();
    const weekly = expectStatus(await call('POST', '/api/v1/maintenance', { key, json: { name: 'Weekly', monitors: [id], schedule: '0 3 * * 0', tz: 'Europe/Berlin', duration: 7200 } }), 201);
    const windowId = weekly.json.id as string;
    expectStatus(await call('POST', '/api/v1/maintenance', { key, json: { name: 'Deploy', monitors: '*', start: inAnHour, end: inTwoHours } }), 201);
    expectStatus(await call('POST', '/api/v1/maintenance', { key, json: { name: 'Elsewhere', monitors: [UNKNOWN_ID], start: inAnHour, end: inTwoHours } }), 400);
    expectStatus(await call('POST', '/api/v1/maintenance', { key, json: { name: 'Endless', monitors: '*', schedule: '0 3 * * 0', duration: 1 } }), 400);
    expectStatus(await call('POST', '/api/v1/maintenance', { json: { name: 'x', monitors: '*', start: inAnHour, end: inTwoHours } }), 401);
    expectStatus(await call('POST', '/api/v1/maintenance', { key, json: { name: 'x', monitors: '*', start: inAnHour, end: inTwoHours, pad: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('POST', '/api/v1/maintenance', { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, '/api/v1/maintenance', { key }), 200);
      expectStatus(await call(method, '/api/v1/maintenance'), 401);
      expectStatus(await call(method, `/api/v1/maintenance/${windowId}`, { key }), 200);
    }
    expectStatus(await call('PATCH', `/api/v1/maintenance/${windowId}`, { key, json: { duration: 10800, monitors: '*' } }), 200);
    expectStatus(await call('PATCH', `/api/v1/maintenance/${windowId}`, { key, json: { schedule: null, tz: null, duration: null, start: inAnHour, end: inTwoHours } }), 200);
    expectStatus(await call('PATCH', `/api/v1/maintenance/${windowId}`, { key, json: { end: inAnHour } }), 400);
    expectStatus(await call('PATCH', `/api/v1/maintenance/${windowId}`, { key, json: { name: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('PATCH', `/api/v1/maintenance/${windowId}`, { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    const windowOps: Array<[string, unknown?]> = [['GET'], ['HEAD'], ['PATCH', { name: 'Mine now' }], ['DELETE']];
    for (const [method, json] of windowOps) {
      expectStatus(await call(method, `/api/v1/maintenance/${windowId}`, { key: other, json }), 404);
      expectStatus(await call(method, `/api/v1/maintenance/mw_${UNKNOWN_ID}`, { key, json }), 404);
      expectStatus(await call(method, `/api/v1/maintenance/${MALFORMED}`, { key, json }), 400);
      expectStatus(await call(method, `/api/v1/maintenance/${windowId}`, { json }), 401);
    }

    // A channel object's delivery log (the channel written to the store here; its own API has its own drive).
    const channelId = newChannelId();
    await running.deps.store.createChannel(
      { id: channelId, accountId: owner.id, kind: 'email', name: 'Ops', config: { address: 'ops@example.com' }, events: ['down'], isDefault: false, webhookSecret: null, createdAt: new Date() },
      100,
    );
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, `/api/v1/channels/${channelId}/notifications`, { key }), 200);
      expectStatus(await call(method, `/api/v1/channels/${channelId}/notifications?limit=0`, { key }), 400);
      expectStatus(await call(method, `/api/v1/channels/${channelId}/notifications`), 401);
      expectStatus(await call(method, `/api/v1/channels/${channelId}/notifications`, { key: other }), 404);
      expectStatus(await call(method, `/api/v1/channels/${MALFORMED}/notifications`, { key }), 400);
    }

    // Channel objects' own API: create, list, read, edit, test and delete one.
    const hook = expectStatus(await call('POST', '/api/v1/channels', { key, json: { kind: 'webhook', name: 'Hook', config: { url: 'http://127.0.0.1:9/hook' } } }), 201);
    const hookId = hook.json.channelId as string;
    expectStatus(await call('POST', '/api/v1/channels', { key, json: { kind: 'fax', name: 'x', config: {} } }), 400);
    expectStatus(await call('POST', '/api/v1/channels', { json: { kind: 'email', name: 'x', config: { address: 'ops@example.com' } } }), 401);
    expectStatus(await call('POST', '/api/v1/channels', { key: other, json: { kind: 'slack', name: 'x', config: { url: 'https://hooks.slack.com/services/T0/B0/x' } } }), 403);
    expectStatus(await call('POST', '/api/v1/channels', { key, json: { kind: 'email', name: 'x', config: { address: 'ops@example.com' }, pad: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('POST', '/api/v1/channels', { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, '/api/v1/channels', { key }), 200);
      expectStatus(await call(method, '/api/v1/channels'), 401);
    }
    // A Pro kind's channel of an account now on Free: its config can no longer change (403).
    const downgraded = newChannelId();
    const otherAccount = (await running.deps.store.findAccountByEmail('other@example.com'))!;
    await running.deps.store.createChannel(
      { id: downgraded, accountId: otherAccount.id, kind: 'slack', name: 'Old', config: { url: 'https://hooks.slack.com/services/T0/B0/x' }, events: ['down'], isDefault: false, webhookSecret: null, createdAt: new Date() },
      100,
    );
    expectStatus(await call('PATCH', `/api/v1/channels/${downgraded}`, { key: other, json: { config: { url: 'https://hooks.slack.com/services/T0/B0/y' } } }), 403);
    expectStatus(await call('PATCH', `/api/v1/channels/${hookId}`, { key, json: { name: 'Renamed hook', config: { method: 'PUT' } } }), 200);
    expectStatus(await call('PATCH', `/api/v1/channels/${hookId}`, { key, json: { kind: 'slack' } }), 400);
    expectStatus(await call('PATCH', `/api/v1/channels/${hookId}`, { key, json: { name: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('PATCH', `/api/v1/channels/${hookId}`, { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    const mail = expectStatus(await call('POST', '/api/v1/channels', { key, json: { kind: 'email', name: 'Ops', config: { address: 'owner@example.com' } } }), 201);
    expectStatus(await call('POST', `/api/v1/channels/${mail.json.channelId}/test`, { key }), 200);
    const channelOps: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/channels/{id}'],
      ['HEAD', '/api/v1/channels/{id}'],
      ['PATCH', '/api/v1/channels/{id}', { name: 'Mine now' }],
      ['POST', '/api/v1/channels/{id}/test'],
      ['DELETE', '/api/v1/channels/{id}'],
    ];
    for (const [method, template, json] of channelOps) {
      expectStatus(await call(method, template.replace('{id}', hookId), { key: other, json }), 404);
      expectStatus(await call(method, template.replace('{id}', MALFORMED), { key, json }), 400);
      expectStatus(await call(method, template.replace('{id}', hookId), { json }), 401);
    }
    expectStatus(await call('GET', `/api/v1/channels/${hookId}`, { key }), 200);
    expectStatus(await call('HEAD', `/api/v1/channels/${hookId}`, { key }), 200);
    expectStatus(await call('DELETE', `/api/v1/channels/${hookId}`, { key }), 200);

    // Read-only keys: made with the account's key, they read everything and change nothing.
    const made = expectStatus(await call('POST', '/api/v1/account/keys', { key, json: { name: 'grafana', access: 'read' } }), 201);
    const readKey = made.json.apiKey as string;
    const keyId = made.json.keyId as string;
    expectStatus(await call('POST', '/api/v1/account/keys', { key, json: { name: 'grafana', access: 'write' } }), 400);
    expectStatus(await call('POST', '/api/v1/account/keys', { key, json: { name: '', access: 'read' } }), 400);
    expectStatus(await call('POST', '/api/v1/account/keys', { json: { name: 'x', access: 'read' } }), 401);
    expectStatus(await call('POST', '/api/v1/account/keys', { key, json: { name: 'x', access: 'read', pad: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('POST', '/api/v1/account/keys', { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, '/api/v1/account/keys', { key }), 200);
      expectStatus(await call(method, '/api/v1/account/keys', { bearer: readKey }), 200);
      expectStatus(await call(method, '/api/v1/account/keys'), 401);
      expectStatus(await call(method, `/api/v1/monitors/${id}`, { key: readKey }), 200);
      expectStatus(await call(method, `/api/v1/maintenance/${windowId}`, { bearer: readKey }), 200);
    }
    expectStatus(await call('DELETE', `/api/v1/account/keys/${keyId}`, { key: other }), 404);
    expectStatus(await call('DELETE', `/api/v1/account/keys/key_${UNKNOWN_ID}`, { key }), 404);
    expectStatus(await call('DELETE', `/api/v1/account/keys/${MALFORMED}`, { key }), 400);
    expectStatus(await call('DELETE', `/api/v1/account/keys/${keyId}`), 401);
    // Every change an account's key may make answers 403 to the read-only key, and changes nothing.
    const ids: Record<string, string> = { '/api/v1/channels/': mail.json.channelId as string, '/api/v1/maintenance/': windowId, '/api/v1/monitors/': id };
    for (const [specPath, item] of Object.entries(spec.paths)) {
      for (const [m, op] of operationsOf(item)) {
        if (m === 'get' || m === 'head' || (op.security ?? []).length === 0) continue;
        const url = specPath.replace('{keyId}', keyId).replace(/^(\/api\/v1\/\w+\/)\{id\}/, (_, prefix: string) => `${prefix}${ids[prefix]}`);
        for (const credential of [{ key: readKey }, { bearer: readKey }]) expectStatus(await call(m.toUpperCase(), url, { ...credential, json: m === 'delete' ? undefined : {} }), 403);
      }
    }
    expectStatus(await call('GET', '/api/v1/account', { key }), 200);
    expectStatus(await call('GET', `/api/v1/monitors/${id}`, { key }), 200);
    expectStatus(await call('DELETE', `/api/v1/account/keys/${keyId}`, { key }), 200);
    expectStatus(await call('GET', '/api/v1/account', { key: readKey }), 401);
    expectStatus(await call('DELETE', `/api/v1/maintenance/${windowId}`, { key }), 200);

    // Status pages: the API that keeps them (the public pages themselves are outside the API).
    const page = expectStatus(await call('POST', '/api/v1/status-pages', { key, json: { slug: 'acme', title: 'Acme status', description: 'Our jobs', monitors: [id] } }), 201);
    const pageId = page.json.id as string;
    expectStatus(await call('POST', '/api/v1/status-pages', { key, json: { slug: 'acme-prod', title: 'Production', monitors: { tag: 'prod' } } }), 201);
    expectStatus(await call('POST', '/api/v1/status-pages', { key, json: { slug: 'Acme', title: 'x', monitors: [id] } }), 400);
    expectStatus(await call('POST', '/api/v1/status-pages', { key, json: { slug: 'elsewhere', title: 'x', monitors: [UNKNOWN_ID] } }), 400);
    expectStatus(await call('POST', '/api/v1/status-pages', { key: other, json: { slug: 'acme', title: 'x', monitors: { tag: 'prod' } } }), 409);
    expectStatus(await call('POST', '/api/v1/status-pages', { key: other, json: { slug: 'other-one', title: 'x', monitors: { tag: 'prod' } } }), 201);
    expectStatus(await call('POST', '/api/v1/status-pages', { key: other, json: { slug: 'other-two', title: 'x', monitors: { tag: 'prod' } } }), 403);
    expectStatus(await call('POST', '/api/v1/status-pages', { json: { slug: 'nobody', title: 'x', monitors: [id] } }), 401);
    expectStatus(await call('POST', '/api/v1/status-pages', { key, json: { slug: 'big', title: 'x', monitors: [id], pad: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('POST', '/api/v1/status-pages', { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, '/api/v1/status-pages', { key }), 200);
      expectStatus(await call(method, '/api/v1/status-pages'), 401);
      expectStatus(await call(method, `/api/v1/status-pages/${pageId}`, { bearer: key }), 200);
    }
    expectStatus(await call('PATCH', `/api/v1/status-pages/${pageId}`, { key, json: { monitors: { tag: 'prod' }, description: null } }), 200);
    expectStatus(await call('PATCH', `/api/v1/status-pages/${pageId}`, { key, json: { colour: 'red' } }), 400);
    expectStatus(await call('PATCH', `/api/v1/status-pages/${pageId}`, { key, json: { slug: 'other-one' } }), 409);
    expectStatus(await call('PATCH', `/api/v1/status-pages/${pageId}`, { key, json: { title: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('PATCH', `/api/v1/status-pages/${pageId}`, { key, body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    const pageOps: Array<[string, unknown?]> = [['GET'], ['HEAD'], ['PATCH', { title: 'Mine now' }], ['DELETE']];
    for (const [method, json] of pageOps) {
      expectStatus(await call(method, `/api/v1/status-pages/${pageId}`, { key: other, json }), 404);
      expectStatus(await call(method, `/api/v1/status-pages/sp_${UNKNOWN_ID}`, { key, json }), 404);
      expectStatus(await call(method, `/api/v1/status-pages/${MALFORMED}`, { key, json }), 400);
      expectStatus(await call(method, `/api/v1/status-pages/${pageId}`, { json }), 401);
    }
    const publicJson = expectStatus(await call('GET', '/status/acme.json'), 200);
    expect([publicJson.status, publicJson.headers['cache-control'], publicJson.body]).toEqual([200, 'public, max-age=30', expect.not.stringContaining(id)]);
    expectStatus(await call('HEAD', '/status/acme.json'), 200);
    expectStatus(await call('GET', '/status/acme'), 200);
    expectStatus(await call('HEAD', '/status/acme'), 200);
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, '/status/nobody-has-this.json'), 404);
      expectStatus(await call(method, '/status/nobody-has-this'), 404);
    }
    expectStatus(await call('POST', '/status/acme'), 405);
    expectStatus(await call('DELETE', `/api/v1/status-pages/${pageId}`, { key }), 200);
    expect((await send(base, 'GET', '/status/acme.json')).status).toBe(404);
    // Past the views allowed per address, every form of a public page answers 429.
    for (let i = 0; i < 30 && (await call('GET', '/status/acme.json')).status !== 429; i++);
    for (const [method, url] of [['GET', '/status/acme.json'], ['HEAD', '/status/acme.json'], ['GET', '/status/acme'], ['HEAD', '/status/acme']]) {
      expectStatus(await call(method, url), 429);
    }

    // Signing in by e-mail link, and the dashboard sessions it makes.
    expectStatus(await call('POST', '/api/v1/auth/email-link', { json: { email: 'owner@example.com' } }), 202);
    expectStatus(await call('POST', '/api/v1/auth/email-link', { json: { email: 'nobody@example.com' } }), 202);
    expectStatus(await call('POST', '/api/v1/auth/email-link', { json: { email: 'not-an-email' } }), 400);
    expectStatus(await call('POST', '/api/v1/auth/email-link', { json: { email: 'big@example.com', pad: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('POST', '/api/v1/auth/email-link', { body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    const linkToken = await signInToken('owner@example.com');
    const signedIn = expectStatus(await call('POST', '/api/v1/auth/sessions', { json: { token: linkToken, remember: true }, headers: { 'user-agent': 'Mozilla/5.0 Firefox/133.0' } }), 201);
    expectStatus(await call('POST', '/api/v1/auth/sessions', { json: { token: linkToken } }), 401);
    expectStatus(await call('POST', '/api/v1/auth/sessions', { key, json: { token: linkToken } }), 400);
    expectStatus(await call('POST', '/api/v1/auth/sessions', { key: BAD_KEY, json: {} }), 401);
    const byKey = expectStatus(await call('POST', '/api/v1/auth/sessions', { key, json: { remember: false } }), 201);
    expectStatus(await call('POST', '/api/v1/auth/sessions', { json: { token: linkToken, pad: 'x'.repeat(70 * 1024) } }), 413);
    expectStatus(await call('POST', '/api/v1/auth/sessions', { body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' } }), 415);
    const session = signedIn.json.session as string;
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, '/api/v1/account/sessions', { bearer: session }), 200);
      expectStatus(await call(method, '/api/v1/account/sessions', { key }), 200);
      expectStatus(await call(method, '/api/v1/account/sessions'), 401);
      expectStatus(await call(method, `/api/v1/monitors/${id}`, { key: session }), 200);
    }
    const byKeyId = byKey.json.sessionId as string;
    expectStatus(await call('DELETE', `/api/v1/account/sessions/${byKeyId}`, { key: other }), 404);
    expectStatus(await call('DELETE', `/api/v1/account/sessions/ses_${UNKNOWN_ID}`, { key }), 404);
    expectStatus(await call('DELETE', '/api/v1/account/sessions/current', { key }), 404);
    expectStatus(await call('DELETE', `/api/v1/account/sessions/${MALFORMED}`, { key }), 400);
    expectStatus(await call('DELETE', `/api/v1/account/sessions/${byKeyId}`), 401);
    expectStatus(await call('DELETE', `/api/v1/account/sessions/${byKeyId}`, { bearer: session }), 200);
    expectStatus(await call('DELETE', '/api/v1/account/sessions/current', { bearer: session }), 200);
    expectStatus(await call('GET', '/api/v1/account', { bearer: session }), 401);

    // Schedule previews.
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, `/api/v1/schedule/preview?schedule=${encodeURIComponent('0 9 * * 1-5')}&tz=Europe%2FBerlin`), 200);
      expectStatus(await call(method, '/api/v1/schedule/preview?schedule=300&count=10'), 200);
      expectStatus(await call(method, '/api/v1/schedule/preview?schedule=every+day'), 400);
    }

    // Prometheus metrics.
    for (const method of ['GET', 'HEAD']) {
      expectStatus(await call(method, '/api/v1/metrics', { key }), 200);
      expectStatus(await call(method, '/api/v1/metrics?unknown=1', { bearer: key }), 200);
      expectStatus(await call(method, '/api/v1/metrics'), 401);
    }

    // Badges.
    const badgePath = new URL(status.json.badgeUrl as string).pathname;
    const jsonBadge = badgePath.replace(/\.svg$/, '.json');
    for (const p of [badgePath, jsonBadge]) {
      expectStatus(await call('GET', p), 200);
      expectStatus(await call('HEAD', p), 200);
      expectStatus(await call('OPTIONS', p), 204);
      await call('GET', p.replace(/[0-9a-f]{32}/, '0'.repeat(32)));
      await call('HEAD', p.replace(/[0-9a-f]{32}/, '0'.repeat(32)));
      await call('GET', p.replace(/[0-9a-f]{32}/, MALFORMED));
      await call('HEAD', p.replace(/[0-9a-f]{32}/, MALFORMED));
    }

    // Health.
    expectStatus(await call('GET', '/api/health'), 200);
    expectStatus(await call('HEAD', '/api/health'), 200);
    expectStatus(await call('GET', '/health'), 200);

    // Every monitor operation: someone else's monitor, an id nobody has, a malformed one, no key.
    const monitorOps: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/monitors/{id}/status`],
      ['GET', `/api/v1/monitors/{id}`],
      ['PATCH', `/api/v1/monitors/{id}`, { name: 'Mine now' }],
      ['POST', `/api/v1/monitors/{id}/pause`, {}],
      ['POST', `/api/v1/monitors/{id}/resume`],
      ['POST', `/api/v1/monitors/{id}/acknowledge`],
      ['GET', `/api/v1/monitors/{id}/pings`],
      ['GET', `/api/v1/monitors/{id}/flips`],
      ['GET', `/api/v1/monitors/{id}/notifications`],
      ['HEAD', `/api/v1/monitors/{id}/status`],
      ['HEAD', `/api/v1/monitors/{id}`],
      ['HEAD', `/api/v1/monitors/{id}/pings`],
      ['HEAD', `/api/v1/monitors/{id}/flips`],
      ['HEAD', `/api/v1/monitors/{id}/notifications`],
      ['POST', `/api/v1/monitors/{id}/snooze`, { for: 3600 }],
      ['DELETE', `/api/v1/monitors/{id}/snooze`],
      ['DELETE', `/api/v1/monitors/{id}`],
    ];
    for (const [method, template, json] of monitorOps) {
      for (const [target, who] of [[id, other], [UNKNOWN_ID, key], [MALFORMED, key], [id, undefined]] as const) {
        await call(method, template.replace('{id}', target), { key: who, json });
      }
    }
    expectStatus(await call('DELETE', `/api/v1/monitors/${cron.json.monitorId}`, { key }), 200);
    await call('GET', '/v1/monitors', { key });
    await call('PUT', `/api/v1/monitors/${MALFORMED}`);

    // A method no path documents (PUT), and OPTIONS where it is not a CORS preflight.
    for (const specPath of Object.keys(spec.paths)) {
      const url = specPath.replace('{id}', id).replace('{token}', pingPath.split('/').pop() as string).replace('{signal}', 'start').replace('{key}', badgePath.split('/').pop()!.replace('.svg', '')).replace('{keyId}', `key_${UNKNOWN_ID}`);
      if (!spec.paths[specPath].put) expectStatus(await call('PUT', url, { key }), 405);
      if (!spec.paths[specPath].options) expectStatus(await call('OPTIONS', url, { key }), 405);
    }
    expectStatus(await call('GET', '/api/v1/nowhere'), 404);

    // Abuse limits, last: each route's own bucket, then the failed-authentication one that blocks every key.
    const until429 = async (make: () => Promise<Call>) => {
      const statuses: number[] = [];
      for (let i = 0; i < 120; i++) {
        const { status } = await make();
        if (status === 429) return;
        statuses.push(status);
      }
      throw new Error(`no 429 after ${statuses.length} requests: ${statuses.join(' ')}`);
    };
    let n = 0;
    await until429(() => call('POST', '/api/v1/accounts', { json: { email: `flood${++n}@example.com` } }));
    await until429(() => call('POST', '/api/v1/accounts/recover', { json: { email: `flood${++n}@example.com` } }));
    await until429(() => call('POST', '/api/v1/auth/email-link', { json: { email: 'flood-link@example.com' } }));
    await until429(() => call('GET', '/api/v1/schedule/preview?schedule=300'));
    await call('HEAD', '/api/v1/schedule/preview?schedule=300');
    await until429(() => call('GET', cronPing));
    for (const suffix of ['', '/start', '/snooze']) {
      for (const method of ['GET', 'POST', 'HEAD']) await call(method, `${cronPing}${suffix}`);
    }
    // A monitor pinged by slug has its ping URL's limit.
    await until429(() => call('GET', `${bySlug}/made-by-get/start`));
    for (const method of ['POST', 'HEAD']) await call(method, `${bySlug}/made-by-get/start`);
    await until429(() => call('GET', '/api/v1/monitors', { key: BAD_KEY }));
    await call('POST', '/api/v1/accounts/recover/confirm', { json: { email: 'lost@example.com', token } });
    for (const answer of ['confirm', 'decline']) await call('POST', `/api/v1/email/${answer}`, { json: { token: welcome } });
    await call('POST', `/api/v1/email/unsubscribe?token=${unsubscribe}`, oneClick);
    for (const [specPath, item] of Object.entries(spec.paths)) {
      for (const [m, op] of operationsOf(item)) {
        if (!op.responses['401']) continue;
        await call(m.toUpperCase(), specPath.replace('{id}', id).replace('{keyId}', `key_${UNKNOWN_ID}`), { key, json: m === 'get' || m === 'head' || m === 'delete' ? undefined : {} });
      }
    }

    const problems = answers.flatMap((a) => checker.problemsOf(a) ?? [`${a.method} ${a.url}: not the API's answer`]);
    // A request the API accepted fits the description's request schema (it is no stricter than the API).
    for (const a of answers.filter((x) => x.sent !== undefined && x.status < 300)) {
      const op = checker.locate(a.method, a.url)?.operation;
      const schema = op?.requestBody?.content['application/json']?.schema;
      if (!schema) continue;
      const validate = checker.validator(schema, false);
      if (!validate(a.sent)) problems.push(`${a.method} ${a.url} request ${JSON.stringify(a.sent)}: ${JSON.stringify(validate.errors)}`);
    }
    expect(problems).toEqual([]);
    expect(answers.filter((a) => a.status >= 500).map((a) => `${a.method} ${a.url} ${a.status}`)).toEqual([]);

    // Every documented status of every operation was answered at least once (500 aside: a bug).
    const seen = new Set<string>();
    for (const a of answers) {
      const where = checker.locate(a.method, a.url);
      if (where?.operation) seen.add(`${where.method.toUpperCase()} ${where.specPath} ${a.status}`);
    }
    const unseen: string[] = [];
    for (const [specPath, item] of Object.entries(spec.paths)) {
      for (const [m, op] of operationsOf(item)) {
        for (const s of Object.keys(op.responses)) if (s !== '500' && !seen.has(`${m.toUpperCase()} ${specPath} ${s}`)) unseen.push(`${m.toUpperCase()} ${specPath} ${s}`);
      }
    }
    expect(unseen).toEqual([]);
    expect(operationKeys().length).toBeGreaterThanOrEqual(30);
  });
});
