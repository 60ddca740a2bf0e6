import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { REPO_DIR } from '../../src/config';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/log';
import { sweepDueMonitors } from '../../src/services/checker';
import { renderMetrics } from '../../src/services/metrics';
import type { InspectableStore } from '../../src/store/inspection';
import { FakeClock } from '../support/clock';
import { testDeps } from '../support/deps';
import { makeAccount, makeMonitor } from '../support/factories';
import { ApiClient } from '../support/http-client';
import { hashApiKey, newApiKey } from '../../src/services/secrets';
import { freePort } from '../support/emulator';
import { sqliteKind, storeKinds } from '../support/stores';

/**
 * GET /api/v1/metrics: the account's monitors in Prometheus' text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), checked by
 * Prometheus' own `promtool check metrics` (https://prometheus.io/docs/prometheus/latest/command-line/promtool/),
 * which parses the exposition and lints it against https://prometheus.io/docs/practices/naming/.
 */

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const promtoolFound = spawnSync('promtool', ['--version']).status === 0;
const promtoolRequired = process.env.CI === 'true' || process.env.CRONPEEK_REQUIRE_PROMTOOL === '1';
if (!promtoolFound && !promtoolRequired) {
  const bar = '!'.repeat(100);
  console.warn(
    `\n${bar}\n!!! PROMTOOL DID NOT RUN on GET /api/v1/metrics\n!!! Why: no promtool on PATH (apt-get install -y prometheus)\n!!! Set CRONPEEK_REQUIRE_PROMTOOL=1 to make this a failure.\n${bar}\n`,
  );
}

/** Fails the test when promtool is required and missing (the suite registers a todo instead when it is neither). */
function requirePromtool(): void {
  if (!promtoolFound) throw new Error('promtool is required (CI=true or CRONPEEK_REQUIRE_PROMTOOL=1) but not installed: apt-get install -y prometheus');
}

/** `promtool check metrics` on `text`: its exit code and everything it printed (lint problems included). */
function promtool(text: string): { status: number | null; output: string } {
  requirePromtool();
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The samples of an exposition, by their name and label set as written: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe.each(storeKinds())('GET /api/v1/metrics on %s', (_name, kind) => {
  let store: InspectableStore;
  let clock: FakeClock;
  let app: Express;
  let api: ApiClient;

  beforeEach(async () => {
    store = await kind.open();
    clock = new FakeClock();
    app = createApp(testDeps(store, { clock }));
    api = new ApiClient(app);
  });
  afterEach(async () => {
    await store.close();
  });

  const metrics = (key: string) => request(app).get('/api/v1/metrics').set('x-api-key', key);
  const scrape = async (key: string) => (await metrics(key).expect(200)).text;
  const series = (id: string, name = 'Nightly DB Backup') => `{monitor_id="${id}",name="${name}",slug="",tags=""}`;
  const statusSeries = (id: string, status: string) => `{monitor_id="${id}",name="Nightly DB Backup",slug="",tags="",status="${status}"}`;

  /** Every per-monitor value of one monitor, keyed by family (and status), from one scrape. */
  async function valuesOf(key: string, id: string): Promise<Record<string, number | undefined>> {
    const s = samples(await scrape(key));
    const values: Record<string, number | undefined> = {};
    for (const family of ['up', 'seconds_since_last_ping', 'last_duration_seconds', 'paused']) values[family] = s.get(`cronpeek_monitor_${family}${series(id)}`);
    for (const status of ['new', 'up', 'down', 'paused']) values[`status_${status}`] = s.get(`cronpeek_monitor_status${statusSeries(id, status)}`);
    return values;
  }

  test('an account without monitors answers text format 0.0.4: every family with HELP and TYPE gauge, and zero counts', async () => {
    const res = await metrics(await api.signup()).expect(200);
    expect(res.headers['content-type']).toBe(CONTENT_TYPE);
    expect(res.headers['cache-control']).toMatch(/no-store/);
    const families = ['cronpeek_monitor_up', 'cronpeek_monitor_status', 'cronpeek_monitor_seconds_since_last_ping', 'cronpeek_monitor_last_duration_seconds', 'cronpeek_monitor_paused', 'cronpeek_monitors'];
    expect([...res.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual(families.map((f) => `${f} gauge`));
    expect([...res.text.matchAll(/^# HELP (\S+) \S/gm)].map((m) => m[1])).toEqual(families);
    expect([...samples(res.text)]).toEqual(['new', 'up', 'down', 'paused'].map((s) => [`cronpeek_monitors{status="${s}"}`, 0]));
    expect(res.text.endsWith('\n')).toBe(true);
  });

  test('a new monitor: status new, not up, not paused, and no seconds-since-ping or duration series', async () => {
    const key = await api.signup();
    const m = await api.createMonitor(key);
    expect(await valuesOf(key, m.monitorId)).toEqual({
      up: 0,
      paused: 0,
      status_new: 1,
      status_up: 0,
      status_down: 0,
      status_paused: 0,
      seconds_since_last_ping: undefined,
      last_duration_seconds: undefined,
    });
    expect(await scrape(key)).not.toMatch(/^cronpeek_monitor_(seconds_since_last_ping|last_duration_seconds)\{/m);
  });

  test('after a ping it is up, and seconds since the ping follow the clock', async () => {
    const key = await api.signup();
    const m = await api.createMonitor(key);
    await api.ping(m.pingUrl).expect(200);
    clock.advance(90.5);
    const values = await valuesOf(key, m.monitorId);
    expect(values).toMatchObject({ up: 1, paused: 0, status_new: 0, status_up: 1, status_down: 0, status_paused: 0, seconds_since_last_ping: 90.5 });
    expect(samples(await scrape(key)).get('cronpeek_monitors{status="up"}')).toBe(1);
  });

  test('after a missed deadline the checker puts it down: up 0, status down, counted down', async () => {
    const key = await api.signup();
    const m = await api.createMonitor(key, { schedule: 3600, grace: 600 });
    await api.ping(m.pingUrl).expect(200);
    expect(await sweepDueMonitors({ store, log: silentLogger }, clock.advance(4201))).toMatchObject({ flipped: 1 });
    expect(await valuesOf(key, m.monitorId)).toMatchObject({ up: 0, paused: 0, status_new: 0, status_up: 0, status_down: 1, status_paused: 0, seconds_since_last_ping: 4201 });
    expect(samples(await scrape(key)).get('cronpeek_monitors{status="down"}')).toBe(1);
  });

  test('a paused monitor: paused 1, status paused, up 0', async () => {
    const key = await api.signup();
    const m = await api.createMonitor(key);
    await api.ping(m.pingUrl).expect(200);
    await api.pause(key, m.monitorId).expect(200);
    expect(await valuesOf(key, m.monitorId)).toMatchObject({ up: 0, paused: 1, status_new: 0, status_up: 0, status_down: 0, status_paused: 1 });
  });

  test('the last run that reported its start and end gives its duration in seconds', async () => {
    const key = await api.signup();
    const m = await api.createMonitor(key);
    await api.ping(m.pingUrl, { signal: 'start' }).expect(200);
    clock.advance(312.5);
    await api.ping(m.pingUrl, { signal: '0' }).expect(200);
    expect(await valuesOf(key, m.monitorId)).toMatchObject({ up: 1, status_up: 1, last_duration_seconds: 312.5, seconds_since_last_ping: 0 });
  });

  test('the counts by status add up the account’s monitors', async () => {
    const key = await api.signup();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await api.createMonitor(key, { name: `job ${i}` })).monitorId);
    await api.pause(key, ids[0]).expect(200);
    const s = samples(await scrape(key));
    expect(['new', 'up', 'down', 'paused'].map((st) => s.get(`cronpeek_monitors{status="${st}"}`))).toEqual([3, 0, 0, 1]);
  });

  test('a name with quotes and backslashes is escaped in its label', async () => {
    const key = await api.signup();
    const m = await api.createMonitor(key, { name: 'C:\\backup "nightly"' });
    expect(await scrape(key)).toContain(`cronpeek_monitor_up{monitor_id="${m.monitorId}",name="C:\\\\backup \\"nightly\\"",slug="",tags=""} 0\n`);
  });

  test('a monitor’s slug is a label of its series', async () => {
    const key = await api.signup();
    const m = await api.createMonitor(key, { name: 'Nightly DB Backup', slug: 'db-backup' });
    expect(await scrape(key)).toContain(`cronpeek_monitor_up{monitor_id="${m.monitorId}",name="Nightly DB Backup",slug="db-backup",tags=""} 0\n`);
  });

  test('a line feed in a stored name is written as \\n, so each series stays on one line', async () => {
    // The API refuses control characters in names; a monitor stored before that rule may hold one.
    const key = newApiKey();
    const account = makeAccount({ apiKeyHash: hashApiKey(key) });
    await store.createAccount(account);
    const m = makeMonitor({ accountId: account.id, name: 'backup\n"db"\\' });
    await store.createMonitor(m, null);
    const text = await scrape(key);
    expect(text).toContain(`cronpeek_monitor_paused{monitor_id="${m.id}",name="backup\\n\\"db\\"\\\\",slug="",tags=""} 0\n`);
    expect(text.split('\n').filter((line) => line.includes(m.id))).toHaveLength(6);
  });

  test('another account’s monitors never appear', async () => {
    const mine = await api.signup();
    const theirs = await api.signup();
    const m = await api.createMonitor(mine);
    const other = await api.createMonitor(theirs, { name: 'Their job' });
    const text = await scrape(mine);
    expect(text).toContain(m.monitorId);
    expect(text).not.toContain(other.monitorId);
    expect(text).not.toContain('Their job');
    expect(samples(text).get('cronpeek_monitors{status="new"}')).toBe(1);
  });

  test('401 without a key, with an unknown key and with a malformed Authorization header; a Bearer key works', async () => {
    const key = await api.signup();
    await api.createMonitor(key);
    expect((await request(app).get('/api/v1/metrics').expect(401)).body).toEqual({ error: expect.stringContaining('API key') });
    await request(app).get('/api/v1/metrics').set('x-api-key', `cpk_${'0'.repeat(32)}`).expect(401);
    await request(app).get('/api/v1/metrics').set('Authorization', 'Bearer').expect(401);
    const bearer = await request(app).get('/api/v1/metrics').set('Authorization', `Bearer ${key}`).expect(200);
    expect(bearer.text).toBe(await scrape(key));
  });

  test('HEAD answers the headers without a body; other methods 405 naming GET and HEAD; unknown query parameters are ignored', async () => {
    const key = await api.signup();
    await api.createMonitor(key);
    const head = await request(app).head('/api/v1/metrics').set('x-api-key', key).expect(200);
    expect(head.headers['content-type']).toBe(CONTENT_TYPE);
    expect(head.text ?? '').toBe('');
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const res = await request(app)[method]('/api/v1/metrics').set('x-api-key', key).expect(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
    expect((await metrics(key).query({ format: 'openmetrics', name: 'x' }).expect(200)).text).toBe(await scrape(key));
  });

  test('a scrape reads the monitors once', async () => {
    const key = await api.signup();
    for (let i = 0; i < 3; i++) await api.createMonitor(key, { name: `job ${i}` });
    const list = jest.spyOn(store, 'listMonitors');
    const get = jest.spyOn(store, 'getMonitor');
    await scrape(key);
    expect(list).toHaveBeenCalledTimes(1);
    expect(get).not.toHaveBeenCalled();
  });

  if (!promtoolFound && !promtoolRequired) test.todo('promtool check metrics did not run: promtool is not installed');
  else test('promtool check metrics accepts it, with monitors in every status and an escaped name, and no lint problems', async () => {
    const key = await api.signup();
    const fresh = await api.createMonitor(key, { name: 'C:\\jobs "new"' });
    const up = await api.createMonitor(key, { name: 'up' });
    const down = await api.createMonitor(key, { name: 'down', schedule: 3600, grace: 600 });
    const paused = await api.createMonitor(key, { name: 'paused' });
    for (const m of [up, down, paused]) await api.ping(m.pingUrl).expect(200);
    await api.pause(key, paused.monitorId).expect(200);
    await sweepDueMonitors({ store, log: silentLogger }, clock.advance(4201));
    await api.ping(up.pingUrl, { signal: 'start' }).expect(200);
    clock.advance(2.25);
    await api.ping(up.pingUrl).expect(200);
    const text = await scrape(key);
    expect(text).toContain(fresh.monitorId);

    expect(promtool(text)).toEqual({ status: 0, output: '' });
    // The checker can fail: an unescaped quote in a label value, or a counter without `_total`, is refused.
    expect(promtool(text.replace('\\"new\\"', '"new"')).status).not.toBe(0);
    expect(promtool('# TYPE jobs counter\njobs 1\n').output).toMatch(/_total/);
  });
});

/** The code blocks of the docs page's Prometheus Metrics section, as text. */
function docsCodeBlocks(): string[] {
  const html = fs.readFileSync(path.join(REPO_DIR, 'public', 'index.html'), 'utf8');
  const start = html.indexOf('<section id="prometheus-metrics"');
  const section = html.slice(start, html.indexOf('</section>', start));
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return [...section.matchAll(/<pre><code>([\s\S]*?)<\/code><\/pre>/g)].map((m) => unescape(m[1]));
}

describe('the documented metrics', () => {
  const codeBlocks = docsCodeBlocks();

  test('the examples on the docs page, in the OpenAPI description and in the Postman collection are what the app writes', () => {
    const now = new Date('2026-03-28T02:30:00.000Z');
    const monitor = makeMonitor({
      id: 'a1b2c3d4e5f67890',
      status: 'up',
      lastPingAt: new Date(now.getTime() - 1_520_417),
      lastDuration: 312_500,
    });
    const written = renderMetrics([monitor], now);
    const spec = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'public', 'openapi.json'), 'utf8'));
    const postman = fs.readFileSync(path.join(REPO_DIR, 'public', 'cronpeek.postman_collection.json'), 'utf8');
    expect(codeBlocks.find((b) => b.startsWith('# HELP'))).toBe(written.replace(/\n$/, ''));
    expect(spec.paths['/api/v1/metrics'].get.responses['200'].content['text/plain'].example).toBe(written);
    expect(postman).toContain(JSON.stringify(written));
  });

  if (!promtoolFound && !promtoolRequired) test.todo('promtool check config and check rules did not run: promtool is not installed');
  else test('the scrape config and the alerting rule on the docs page pass promtool check config and check rules', () => {
    requirePromtool();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-prometheus-'));
    try {
      const config = codeBlocks.find((b) => b.includes('scrape_configs:'));
      const rules = codeBlocks.find((b) => b.startsWith('groups:'));
      expect(config).toContain('metrics_path: /api/v1/metrics');
      expect(rules).toContain('cronpeek_monitor_status{status="down"} == 1');
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), config!);
      fs.writeFileSync(path.join(dir, 'rules.yml'), rules!);
      for (const args of [['check', 'config', 'prometheus.yml'], ['check', 'rules', 'rules.yml']]) {
        const result = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });
        expect({ args, status: result.status, stderr: result.stderr }).toEqual({ args, status: 0, stderr: '' });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The docs page's scrape config, pointed at a real CronPeek server, in a real Prometheus
 * (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config): the
 * Bearer key, the path and the content type are what Prometheus itself accepts, and the series
 * it stores carry the monitor's labels. Its HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/)
 * says what it scraped.
 */
describe('a real Prometheus scrapes it with the documented config', () => {
  const prometheusFound = spawnSync('prometheus', ['--version']).status === 0;
  if (!prometheusFound && !promtoolRequired) {
    test.todo('Prometheus did not scrape: no prometheus on PATH (apt-get install -y prometheus)');
    return;
  }

  let dir: string;
  let server: http.Server;
  let prometheus: ChildProcess | null = null;
  let store: InspectableStore;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-prometheus-'));
    store = await sqliteKind.open();
    server = http.createServer(createApp(testDeps(store)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    if (prometheus?.pid !== undefined && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One instant query to Prometheus' HTTP API: its result vector. */
  async function query(base: string, expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    return body.data.result;
  }

  test('its samples arrive in Prometheus with the monitor_id and name labels, and the target is up', async () => {
    if (!prometheusFound) throw new Error('prometheus is required (CI=true or CRONPEEK_REQUIRE_PROMTOOL=1) but not installed: apt-get install -y prometheus');
    const api = new ApiClient(server);
    const key = await api.signup();
    const m = await api.createMonitor(key, { name: 'Nightly "DB" backup' });
    await api.ping(m.pingUrl).expect(200);
    const documented = docsCodeBlocks().find((b) => b.includes('scrape_configs:'))!;
    const address = server.address() as AddressInfo;
    const config = documented
      .replace('scrape_interval: 60s', 'scrape_interval: 1s')
      .replace('scheme: https', 'scheme: http')
      .replace('cpk_your_key_here', key)
      .replace('"CRONPEEK_HOST"', `"127.0.0.1:${address.port}"`);
    expect(config).not.toBe(documented);
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    prometheus = spawn('prometheus', ['--config.file=prometheus.yml', `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { cwd: dir, stdio: 'ignore' });

    let result: Awaited<ReturnType<typeof query>> = [];
    for (let i = 0; i < 150 && result.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = await query(base, 'cronpeek_monitor_up').catch(() => []);
    }
    expect(result.map((r) => [r.metric, r.value[1]])).toEqual([
      [{ __name__: 'cronpeek_monitor_up', instance: `127.0.0.1:${address.port}`, job: 'cronpeek', monitor_id: m.monitorId, name: 'Nightly "DB" backup' }, '1'],
    ]);
    expect((await query(base, 'up{job="cronpeek"}')).map((r) => r.value[1])).toEqual(['1']);
    expect((await query(base, 'cronpeek_monitors')).map((r) => [r.metric.status, r.value[1]]).sort()).toEqual([['down', '0'], ['new', '0'], ['paused', '0'], ['up', '1']]);
  });
});
