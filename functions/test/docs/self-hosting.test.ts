import fs from 'node:fs';
import path from 'node:path';
import { loadServerConfig, REPO_DIR } from '../../src/config';

// Issue 23, "self-hosting truth": what the README, docs/api.md and the docs page tell a
// self-hoster matches what the server does.
const read = (...parts: string[]) => fs.readFileSync(path.join(REPO_DIR, ...parts), 'utf8');

describe('self-hosting documentation', () => {
  test("docs/api.md's examples use the embedded server's real default port", () => {
    const port = loadServerConfig({}).port;
    const ports = [...read('docs', 'api.md').matchAll(/localhost:(\d+)/g)].map((m) => Number(m[1]));
    expect(ports.length).toBeGreaterThan(0);
    expect(new Set(ports)).toEqual(new Set([port]));
  });

  test("the docs page's quick-start ping uses the README's curl flags", () => {
    const html = read('public', 'index.html');
    const start = html.indexOf('<section id="quick-start"');
    const section = html.slice(start, html.indexOf('</section>', start));
    const pings = section.split('\n').filter((l) => /^curl\b.*\/ping\//.test(l));
    expect(pings).toEqual(['curl -fsS -m 10 --retry 3 "https://cronpeek.web.app/api/v1/ping/YOUR_PING_TOKEN"</code></pre></div>']);
    expect(read('README.md')).toContain('curl -fsS -m 10 --retry 3 ');
  });

  test('the README says how to give every account Pro limits, and that pricing is the hosted service\'s', () => {
    const readme = read('README.md');
    expect(readme).toContain('CRONPEEK_DEFAULT_PLAN=pro npm start');
    expect(readme).toContain('npm run admin -- set-plan you@example.com pro');
    expect(readme).toMatch(/prices are the hosted service's/);
    expect(readme).toContain('See a first alert within two minutes');
    expect(readme).toContain('http://localhost:3000/dashboard ');
  });
});
