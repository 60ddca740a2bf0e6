import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadServerConfig, REPO_DIR } from '../../src/config';
import { listeningUrl, startServer } from '../../src/server';
import { capturingLogger } from '../notify/support/logger';
import { freePort } from '../support/emulator';

// js-yaml is installed with the test tooling (jest's coverage loader); it parses, nothing more.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

/** The examples' placeholders, replaced by real values when a snippet is run. */
const DOCUMENTED_PING_URL = 'https://cronpeek.web.app/api/v1/ping/YOUR_PING_TOKEN';
const NODE_JOB = "  // The job's work goes here; throw to report a failure.";
const PYTHON_JOB = "    pass  # The job's work goes here; raise to report a failure.";

interface Block {
  lang: string;
  code: string;
}

const examplesMd = fs.readFileSync(path.join(REPO_DIR, 'docs', 'examples.md'), 'utf8');
const blocks: Block[] = [...examplesMd.matchAll(/^```(\w+)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1], code: m[2] }));
const only = (lang: string) => blocks.filter((b) => b.lang === lang).map((b) => b.code);

/** The code blocks of the docs page's Integration Examples section, as text. */
function pageExamples(): string[] {
  const html = fs.readFileSync(path.join(REPO_DIR, 'public', 'index.html'), 'utf8');
  const start = html.indexOf('<section id="integrations"');
  const section = html.slice(start, html.indexOf('</section>', start));
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...section.matchAll(/<pre><code>([\s\S]*?)<\/code><\/pre>/g)].map((m) => unescape(m[1]));
}

/** A crontab line's command: what cron hands to /bin/sh after the five time fields. */
const cronCommands = (code: string) =>
  code
    .split('\n')
    .filter((line) => /^[\d*]/.test(line))
    .map((line) => line.replace(/^(\S+\s+){5}/, ''));

function loudSkip(what: string, why: string): void {
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!!! ${what} DID NOT RUN\n!!! Why: ${why}\n${bar}\n`);
  test.todo(`${what} did not run: ${why}`);
}

const has = (command: string, args: string[]) => spawnSync(command, args).status === 0;
const required = (name: string) => process.env.CI === 'true' || process.env[`CRONPEEK_REQUIRE_${name}`] === '1';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a process without blocking this one (the server answering it lives here). */
function run(command: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('docs/examples.md and the docs page show the same examples', () => {
  test('the Integration Examples section carries every example of docs/examples.md, in order', () => {
    expect(blocks.map((b) => b.lang)).toEqual(['sh', 'sh', 'sh', 'ini', 'ini', 'ini', 'yaml', 'yaml', 'js', 'python']);
    expect(pageExamples()).toEqual(blocks.map((b) => b.code.replace(/\n$/, '')));
  });
});

describe('the examples, run against the embedded server', () => {
  let dir: string;
  let running: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  let apiKey: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-examples-'));
    // Pro: more monitors than the Free plan's five.
    const config = loadServerConfig({ CRONPEEK_DB: path.join(dir, 'cronpeek.db'), HOST: '127.0.0.1', CRONPEEK_CHECK_INTERVAL: '3600', CRONPEEK_RATE_LIMITS: 'off', CRONPEEK_DEFAULT_PLAN: 'pro' });
    running = await startServer({ ...config, port: 0 }, capturingLogger());
    base = listeningUrl(running.server);
    const account = await fetch(`${base}/api/v1/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'examples@example.com' }) });
    apiKey = ((await account.json()) as { apiKey: string }).apiKey;
  });
  afterAll(async () => {
    await running?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function createMonitor(body: Record<string, unknown>): Promise<{ status: number; id: string; pingUrl: string }> {
    const res = await fetch(`${base}/api/v1/monitors`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
    const created = (await res.json()) as { monitorId: string; pingUrl: string };
    if (res.status !== 201) throw new Error(`creating ${JSON.stringify(body)} answered ${res.status}: ${JSON.stringify(created)}`);
    return { status: res.status, id: created.monitorId, pingUrl: created.pingUrl && `${base}${new URL(created.pingUrl).pathname}` };
  }

  interface Ping {
    kind: string;
    exitCode: number | null;
    rid: string | null;
    body: string | null;
    method: string;
    duration: number | null;
  }

  /** The monitor's history through the public API, oldest first. */
  async function history(id: string): Promise<Ping[]> {
    const res = await fetch(`${base}/api/v1/monitors/${id}/pings`, { headers: { 'x-api-key': apiKey } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { pings: Ping[] }).pings.reverse();
  }

  function script(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: 0o755 });
    return file;
  }

  describe('crontab', () => {
    const [plain, signals, wrapped] = only('sh');

    test('the plain line pings after a successful run', async () => {
      const m = await createMonitor({ name: 'crontab plain', schedule: '30 2 * * *', tz: 'Europe/Berlin' });
      const backup = script('backup-ok.sh', '#!/bin/sh\necho backed up\n');
      const [command] = cronCommands(plain);

      const result = await run('sh', ['-c', command.replaceAll(DOCUMENTED_PING_URL, m.pingUrl).replaceAll('/usr/local/bin/backup.sh', backup)]);

      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(await history(m.id)).toEqual([expect.objectContaining({ kind: 'success', method: 'GET' })]);
    });

    test('the signals line sends the start, then the exit code with the output', async () => {
      const m = await createMonitor({ name: 'crontab signals', schedule: '30 2 * * *' });
      const backup = script('backup-fails.sh', '#!/bin/sh\necho "dumping db"\necho "disk full" >&2\nexit 3\n');
      const [command] = cronCommands(signals);
      const log = path.join(dir, 'backup.log');

      const result = await run('sh', ['-c', command.replaceAll(DOCUMENTED_PING_URL, m.pingUrl).replaceAll('/usr/local/bin/backup.sh', backup).replaceAll('/tmp/backup.log', log)]);

      expect(result.code).toBe(0); // cron's line ends with the ping; the job's failure is reported, not lost
      const pings = await history(m.id);
      expect(pings.map((p) => p.kind)).toEqual(['start', 'fail']);
      expect(pings[1]).toMatchObject({ method: 'POST', exitCode: 3, body: 'dumping db\ndisk full\n' });
      expect(pings[1].duration).not.toBeNull();
    });

    test('the cronpeek.sh lines install the wrapper from the server and report a run with its output', async () => {
      const m = await createMonitor({ name: 'crontab wrapper', schedule: '30 2 * * *' });
      const backup = script('backup-args.sh', '#!/bin/sh\necho "args: $*"\nexit 4\n');
      const installed = path.join(dir, 'cronpeek.sh');
      const [install] = wrapped.split('\n');
      const [command] = cronCommands(wrapped);
      const local = (s: string) =>
        s
          .replaceAll(DOCUMENTED_PING_URL, m.pingUrl)
          .replaceAll('https://cronpeek.web.app', base)
          .replaceAll('/usr/local/bin/cronpeek.sh', installed)
          .replaceAll('/usr/local/bin/backup.sh', backup);

      expect(await run('sh', ['-c', local(install)])).toMatchObject({ code: 0, stderr: '' });
      const result = await run('sh', ['-c', local(command)]);

      expect(result.code).toBe(4);
      expect(result.stdout).toBe('args: --full\n');
      const pings = await history(m.id);
      expect(pings.map((p) => p.kind)).toEqual(['start', 'fail']);
      expect(pings[1]).toMatchObject({ exitCode: 4, body: 'args: --full\n', rid: pings[0].rid });
    });
  });

  describe('Node.js (fetch)', () => {
    const code = only('js')[0];
    const runNode = (source: string, pingUrl: string) => {
      const file = script(`job-${Math.random().toString(36).slice(2)}.mjs`, source);
      return run(process.execPath, [file], { CRONPEEK_PING_URL: pingUrl });
    };

    test('a job that succeeds reports its start and then exit code 0 with the same run id', async () => {
      const m = await createMonitor({ name: 'node ok', schedule: 3600 });

      const result = await runNode(code, m.pingUrl);

      expect(result).toMatchObject({ code: 0, stderr: '' });
      const pings = await history(m.id);
      expect(pings.map((p) => [p.kind, p.exitCode])).toEqual([['start', null], ['success', 0]]);
      expect(pings[1].rid).toBe(pings[0].rid);
      expect(pings[0].rid).toMatch(/^[0-9a-f-]{36}$/);
    });

    test('a job that throws reports exit code 1 with its error, and the script exits 1', async () => {
      const m = await createMonitor({ name: 'node fails', schedule: 3600 });
      expect(code).toContain(NODE_JOB);

      const result = await runNode(code.replace(NODE_JOB, "  throw new Error('disk full');"), m.pingUrl);

      expect(result.code).toBe(1);
      const pings = await history(m.id);
      expect(pings.map((p) => p.kind)).toEqual(['start', 'fail']);
      expect(pings[1]).toMatchObject({ method: 'POST', exitCode: 1, rid: pings[0].rid });
      expect(pings[1].body).toMatch(/^Error: disk full\n\s+at job/);
    });

    test('a ping that cannot be delivered is logged and never fails the job', async () => {
      const closed = `http://127.0.0.1:${await freePort()}/api/v1/ping/nobody`;
      const unknown = `${base}/api/v1/ping/${'x'.repeat(24)}`;

      const [down, refused] = await Promise.all([runNode(code, closed), runNode(code, unknown)]);

      expect(down.code).toBe(0);
      expect(down.stderr).toMatch(/CronPeek ping failed/);
      expect(refused.code).toBe(0);
      expect(refused.stderr).toMatch(/CronPeek answered 404/);
    });
  });

  describe('Python (urllib)', () => {
    const code = only('python')[0];
    const python = ['python3', 'python'].find((p) => has(p, ['--version']));
    if (!python) {
      if (required('PYTHON')) test('needs python3', () => { throw new Error('python3 is required but not installed'); });
      else loudSkip('THE PYTHON EXAMPLE', 'no python3 on PATH');
      return;
    }
    const runPython = (source: string, pingUrl: string) => {
      const file = script(`job-${Math.random().toString(36).slice(2)}.py`, source);
      return run(python, [file], { CRONPEEK_PING_URL: pingUrl });
    };

    test('a job that succeeds reports its start and then exit code 0 with the same run id', async () => {
      const m = await createMonitor({ name: 'python ok', schedule: 3600 });

      const result = await runPython(code, m.pingUrl);

      expect(result).toMatchObject({ code: 0, stderr: '' });
      const pings = await history(m.id);
      expect(pings.map((p) => [p.kind, p.exitCode])).toEqual([['start', null], ['success', 0]]);
      expect(pings[1].rid).toBe(pings[0].rid);
      expect(pings[0].rid).toMatch(/^[0-9a-f]{32}$/);
    });

    test('a job that raises reports exit code 1 with the traceback, and the script still fails', async () => {
      const m = await createMonitor({ name: 'python fails', schedule: 3600 });
      expect(code).toContain(PYTHON_JOB);

      const result = await runPython(code.replace(PYTHON_JOB, '    raise RuntimeError("disk full")'), m.pingUrl);

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/RuntimeError: disk full/);
      const pings = await history(m.id);
      expect(pings.map((p) => p.kind)).toEqual(['start', 'fail']);
      expect(pings[1]).toMatchObject({ method: 'POST', exitCode: 1, rid: pings[0].rid });
      expect(pings[1].body).toMatch(/^Traceback \(most recent call last\):[\s\S]*RuntimeError: disk full\n$/);
    });

    test('a ping that cannot be delivered is logged and never fails the job', async () => {
      const closed = `http://127.0.0.1:${await freePort()}/api/v1/ping/nobody`;
      const unknown = `${base}/api/v1/ping/${'x'.repeat(24)}`;

      const [down, refused] = await Promise.all([runPython(code, closed), runPython(code, unknown)]);

      expect(down.code).toBe(0);
      expect(down.stderr).toMatch(/CronPeek ping failed/);
      expect(refused.code).toBe(0);
      expect(refused.stderr).toMatch(/CronPeek ping failed: HTTP Error 404/);
    });
  });

  describe('Kubernetes CronJob and GitHub Actions (YAML)', () => {
    const [cronJob, workflow] = only('yaml');

    test('the CronJob is a batch/v1 CronJob that runs the job through cronpeek.sh on the monitor’s schedule', async () => {
      const doc = yaml.load(cronJob) as {
        apiVersion: string;
        kind: string;
        spec: { schedule: string; timeZone: string; jobTemplate: { spec: { template: { spec: { restartPolicy: string; containers: Array<{ command: string[]; env: Array<{ name: string }> }> } } } } };
      };
      const pod = doc.spec.jobTemplate.spec.template.spec;

      expect(doc).toMatchObject({ apiVersion: 'batch/v1', kind: 'CronJob' });
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.containers[0].env.map((e) => e.name)).toEqual(['CRONPEEK_PING_URL']);
      expect(pod.containers[0].command).toEqual(['/usr/local/bin/cronpeek.sh', 'exec', '$(CRONPEEK_PING_URL)', '--', '/app/backup.sh']);
      expect((await createMonitor({ name: 'k8s', schedule: doc.spec.schedule, tz: doc.spec.timeZone })).status).toBe(201);
    });

    test('the workflow reports start, success and failure with one run id, and never fails on a ping', async () => {
      const doc = yaml.load(workflow) as {
        on: { schedule: Array<{ cron: string }> };
        jobs: { backup: { env: Record<string, string>; steps: Array<{ name?: string; if?: string; run?: string; 'continue-on-error'?: boolean }> } };
      };
      const steps = doc.jobs.backup.steps;
      const pings = steps.filter((s) => s.run?.includes('$PING_URL'));

      expect(pings.map((s) => [s.if ?? null, /"\$PING_URL(\/[^?"]+)\?rid=\$RID"/.exec(s.run ?? '')?.[1]])).toEqual([
        [null, '/start'],
        ['success()', '/0'],
        ['failure()', '/fail'],
      ]);
      expect(pings.every((s) => s['continue-on-error'] === true)).toBe(true);
      expect(doc.jobs.backup.env.PING_URL).toBe('${{ secrets.CRONPEEK_PING_URL }}');
      expect((await createMonitor({ name: 'gha', schedule: doc.on.schedule[0].cron, grace: 3600 })).status).toBe(201);
    });
  });
});

describe('the shell in the examples is clean under shellcheck', () => {
  const found = has('shellcheck', ['--version']);
  if (!found && !required('SHELLCHECK')) {
    loudSkip('SHELLCHECK OF THE EXAMPLES', 'no shellcheck on PATH (apt-get install -y shellcheck)');
    return;
  }
  const [, workflow] = only('yaml');
  const units = only('ini').join('\n');
  const snippets: Array<[string, string, string]> = [
    ...only('sh').flatMap((code, i) => [
      ...cronCommands(code).map((c): [string, string, string] => [`crontab example ${i + 1}`, 'sh', c]),
      ...code.split('\n').filter((l) => /^curl /.test(l)).map((c): [string, string, string] => [`install line ${i + 1}`, 'sh', c]),
    ]),
    ...[...units.matchAll(/^Exec\w+=-?\/bin\/sh -c '(.*)'$/gm)].map((m): [string, string, string] => ['systemd ExecStopPost', 'sh', m[1].replaceAll('$$', '$')]),
    ...[...workflow.matchAll(/^\s+run: (.*)$/gm)].map((m): [string, string, string] => [`workflow step ${m.index}`, 'bash', m[1]]),
  ];

  test('there is shell to check in every kind of example', () => {
    expect(snippets.map(([name]) => name.split(' ')[0])).toEqual(expect.arrayContaining(['crontab', 'install', 'systemd', 'workflow']));
    expect(snippets.length).toBeGreaterThanOrEqual(8);
  });

  test.each(snippets)('%s (%s)', (_name, shell, code) => {
    if (!found) throw new Error('shellcheck is required (CI=true or CRONPEEK_REQUIRE_SHELLCHECK=1) but not installed');
    const result = spawnSync('shellcheck', ['-s', shell, '-'], { input: `${code}\n`, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('the systemd units pass systemd-analyze verify', () => {
  if (!has('systemd-analyze', ['--version'])) {
    loudSkip('SYSTEMD-ANALYZE VERIFY OF THE EXAMPLE UNITS', 'no systemd-analyze on PATH');
    return;
  }
  const units = only('ini');

  test.each([
    ['with cronpeek.sh', 0],
    ['with ExecStartPost and ExecStopPost', 1],
  ])('the service %s, with its timer', (_name, index) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-units-'));
    try {
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      for (const tool of ['cronpeek.sh', 'backup.sh']) fs.writeFileSync(path.join(bin, tool), '#!/bin/sh\n', { mode: 0o755 });
      const write = (code: string) => {
        const name = /^# \/etc\/systemd\/system\/(\S+)$/m.exec(code)?.[1] as string;
        fs.writeFileSync(path.join(dir, name), code.replaceAll('/usr/local/bin/', `${bin}/`));
        return path.join(dir, name);
      };
      const files = [write(units[index]), write(units[2])];

      const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...files], { encoding: 'utf8', cwd: dir, timeout: 20_000 });

      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
