import fs from 'node:fs';
import path from 'node:path';
import { REPO_DIR } from '../../src/config';
import { DEFAULT_RULES, RULE_VARIABLES } from '../../src/limits';

/** README.md and every page under docs/, as [relative path, text]. */
function markdownFiles(): Array<[string, string]> {
  const docs = fs.readdirSync(path.join(REPO_DIR, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  return ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', ...docs].map((f) => [f, fs.readFileSync(path.join(REPO_DIR, f), 'utf8')]);
}

const read = (file: string) => fs.readFileSync(path.join(REPO_DIR, file), 'utf8');

/** Markdown without its fenced code blocks (links and headings inside them are not links). */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of prose(text).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = match[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Every inline link target `[text](target)` in the prose. */
function linksOf(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)].map((m) => m[1]);
}

describe('README and docs/', () => {
  test.each(markdownFiles())('every relative link in %s resolves to a file, and a heading when it names one', (file, text) => {
    const broken: string[] = [];
    for (const target of linksOf(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [filePart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = filePart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), filePart));
      if (resolved.startsWith('..') || path.isAbsolute(filePart)) {
        broken.push(`${target} (outside the repository)`);
        continue;
      }
      if (!fs.existsSync(path.join(REPO_DIR, resolved))) {
        broken.push(`${target} (no file ${resolved})`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(anchor)) {
        broken.push(`${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('the link checker sees links and headings as GitHub does', () => {
    const sample = '# Job wrapper: `cronpeek.sh`\n## Plans: becoming Pro, and downgrades\n## Plans: becoming Pro, and downgrades\n```sh\n# not a heading\n[not](a-link.md)\n```\nSee [x](other.md#job-wrapper-cronpeeksh).';
    expect([...anchorsOf(sample)]).toEqual(['job-wrapper-cronpeeksh', 'plans-becoming-pro-and-downgrades', 'plans-becoming-pro-and-downgrades-1']);
    expect(linksOf(sample)).toEqual(['other.md#job-wrapper-cronpeeksh']);
  });

  test.each(markdownFiles())('%s points at nothing outside the repository', (file, text) => {
    expect(text).not.toMatch(/(^|[^\w-])shared\//m);
    expect(text).not.toMatch(/\/(work|home|Users|root)\/[\w.-]+/);
    expect(text).not.toMatch(/cronpeek-api-docs\.txt/);
  });

  test("the README's quick start is the two commands that CI and scripts/smoke.sh run", () => {
    const readme = read('README.md');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
    const commands = [...quickStart.matchAll(/^```sh\n([\s\S]*?)^```/gm)][0][1]
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/\s+#.*$/, '').trim());

    expect(commands).toEqual(['npm ci && npm start', 'npm test']);
    const ci = read('.ci/run');
    expect(ci).toMatch(/^npm ci --no-audit --no-fund$/m);
    const testLine = /^((?:CRONPEEK_REQUIRE_\w+=1 )+)npm test /m.exec(ci);
    expect(testLine?.[1].trim().split(' ')).toEqual(expect.arrayContaining(['CRONPEEK_REQUIRE_FIRESTORE=1', 'CRONPEEK_REQUIRE_BROWSER=1', 'CRONPEEK_REQUIRE_SHELLCHECK=1']));
    expect(ci).toMatch(/^bash scripts\/smoke\.sh$/m);
    expect(read('scripts/smoke.sh')).toMatch(/ setsid npm start /);
    expect(JSON.parse(read('package.json')).scripts).toMatchObject({ test: 'npm test --prefix functions', start: expect.stringContaining('functions/lib/server.js') });
  });

  test("the README's first-monitor walk-through sends the requests scripts/smoke.sh checks", () => {
    const readme = read('README.md');
    const smoke = read('scripts/smoke.sh');
    for (const body of [`'{"email": "you@example.com"}'`, `'{"name": "Nightly DB Backup", "schedule": "30 2 * * *", "tz": "Europe/Berlin"}'`]) {
      expect(readme).toContain(`-d ${body}`);
      expect(smoke).toContain(`-d ${body}`);
    }
    for (const call of ['/api/v1/monitors/a1b2c3d4e5f67890/status', '/api/v1/monitors/a1b2c3d4e5f67890/pings']) {
      expect(readme).toContain(`http://localhost:3000${call}`);
      expect(smoke).toContain(call.replace('a1b2c3d4e5f67890', '$id'));
    }
  });

  test('the README keeps a Performance section and names the OpenAPI description', () => {
    const readme = read('README.md');
    expect(readme).toMatch(/^## Performance$/m);
    expect(readme).toContain('`/openapi.json`');
    expect(read('docs/api.md')).toContain('`/openapi.json`');
  });

  test('docs/operations.md has a configuration row for every setting the server reads', () => {
    const operations = read('docs/operations.md');
    const config = read('functions/src/config.ts');
    const read_ = new Set([...config.matchAll(/env\.([A-Z][A-Z0-9_]+)|\(env, '([A-Z][A-Z0-9_]+)'|name = '([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2] ?? m[3]));
    // Credentials and project of the Google client libraries: docs/firebase.md covers those.
    const google = ['FIRESTORE_EMULATOR_HOST', 'GOOGLE_APPLICATION_CREDENTIALS', 'GCLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT', 'FUNCTIONS_EMULATOR'];
    const settings = [...read_].filter((name) => !google.includes(name));

    expect(settings).toEqual(expect.arrayContaining(['PORT', 'HOST', 'PUBLIC_URL', 'CRONPEEK_DB', 'CRONPEEK_STORE', 'CRONPEEK_TRUST_PROXY']));
    for (const name of [...settings, ...Object.values(RULE_VARIABLES), 'CRONPEEK_RATE_LIMITS']) {
      expect(operations).toContain(`| \`${name}\` |`);
    }
    const firebase = read('docs/firebase.md');
    for (const name of google.filter((n) => n !== 'FUNCTIONS_EMULATOR' && n !== 'GOOGLE_CLOUD_PROJECT')) expect(firebase).toContain(name);
  });

  test('docs/operations.md states the default abuse limits', () => {
    const operations = read('docs/operations.md');
    const section = operations.slice(operations.indexOf('## Abuse limits'), operations.indexOf('\n## ', operations.indexOf('## Abuse limits') + 1));
    expect(DEFAULT_RULES).toMatchObject({
      signup: { limit: 10, windowSeconds: 3600 },
      failedAuth: { limit: 20, windowSeconds: 600 },
      management: { limit: 120, windowSeconds: 60 },
      ping: { limit: 100, windowSeconds: 60 },
      recoveryByAddress: { limit: 10, windowSeconds: 3600 },
      recoveryByEmail: { limit: 3, windowSeconds: 3600 },
    });
    expect(section).toContain('| sign-ups | 10 an hour | client address |');
    expect(section).toContain('| failed authentications (missing or wrong key) | 20 per 10 minutes;');
    expect(section).toContain('| authenticated API calls (every route that takes a key) | 120 a minute | account |');
    expect(section).toContain('| pings | 100 a minute | monitor (ping token) |');
    expect(section).toContain('| key recovery requests | 10 an hour / 3 an hour | client address / e-mail address |');
    for (const [name, value] of [
      ['CRONPEEK_LIMIT_SIGNUPS', '10/3600'],
      ['CRONPEEK_LIMIT_FAILED_AUTH', '20/600'],
      ['CRONPEEK_LIMIT_MANAGEMENT', '120/60'],
      ['CRONPEEK_LIMIT_PINGS', '100/60'],
      ['CRONPEEK_LIMIT_RECOVERY_PER_ADDRESS', '10/3600'],
      ['CRONPEEK_LIMIT_RECOVERY_PER_EMAIL', '3/3600'],
    ]) {
      expect(operations).toContain(`| \`${name}\` | \`${value}\` |`);
    }
  });

  test('the webhook signature check in docs/alerts.md is the one the tests verify real deliveries with', () => {
    const bodyOf = (source: string, opening: RegExp) => {
      const start = source.search(opening);
      const lines = source.slice(start).split('\n');
      return lines.slice(1, lines.indexOf('}')).map((line) => line.trim().replace(' as [string, string]', ''));
    };
    const documented = bodyOf(read('docs/alerts.md'), /^function verifyCronPeekSignature\(.*\) \{$/m);
    const tested = bodyOf(read('functions/test/notify/support/verify.ts'), /^\): boolean \{$/m);

    expect(documented.length).toBeGreaterThanOrEqual(6);
    expect(documented).toEqual(tested);
  });
});
