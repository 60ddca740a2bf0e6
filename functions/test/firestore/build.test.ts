import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PACKAGE_DIR = path.resolve(__dirname, '../..');

/**
 * The deployable entry, compiled exactly as `npm run build` compiles it (same tsconfig), into a
 * private directory so that parallel suites using `lib/` are not disturbed, then loaded in a
 * fresh Node process: what Cloud Functions does at deploy and at cold start.
 */
describe('the built Firebase entry point', () => {
  let dir: string;
  let built: { exports: string[]; loaded: string[] };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-build-'));
    fs.copyFileSync(path.join(PACKAGE_DIR, 'package.json'), path.join(dir, 'package.json'));
    fs.symlinkSync(path.join(PACKAGE_DIR, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'lib')], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
    });
    if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
    built = load();
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Requires the entry in a child process; reports its exports and every module file it pulled in. */
  function load(): { exports: string[]; loaded: string[] } {
    const probe = `
      const entry = require(${JSON.stringify(path.join(dir, 'lib', 'index.js'))});
      const loaded = Object.keys(require.cache).map((f) => require('node:path').relative(${JSON.stringify(dir)}, f));
      process.stdout.write(JSON.stringify({ exports: Object.keys(entry).sort(), loaded }));`;
    const child = spawnSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
    if (child.status !== 0) throw new Error(`lib/index.js did not load:\n${child.stderr}`);
    return JSON.parse(child.stdout) as { exports: string[]; loaded: string[] };
  }

  test('loads and exports exactly api and checkMonitors', () => {
    expect(built.exports).toEqual(['api', 'checkMonitors']);
  });

  test('never loads SQLite or the embedded server', () => {
    const { loaded } = built;
    expect(loaded).toContain(path.join('lib', 'store', 'firestore', 'index.js'));
    expect(loaded.filter((f) => f.includes('better-sqlite3') || f.includes(path.join('store', 'sqlite')) || f === path.join('lib', 'server.js'))).toEqual([]);
  });

  test('leaves the SendGrid SDK to the first e-mail, so a cold start does not pay for it', () => {
    expect(built.loaded.filter((f) => f.includes(path.join('node_modules', '@sendgrid')))).toEqual([]);
  });
});
