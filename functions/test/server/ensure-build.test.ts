import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FUNCTIONS_DIR = path.join(__dirname, '..', '..');
const SCRIPT = path.join(FUNCTIONS_DIR, 'scripts', 'ensure-build.js');

/**
 * `npm start` runs scripts/ensure-build.js before the server (test/server/process.test.ts starts
 * the real one). Here it runs on a small package of the same shape, so the real lib/ is untouched
 * and each build takes a moment rather than a full compile.
 */
describe('npm start builds only when the build is not current', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-build-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'server.ts'), 'export const started = true;\n');
    fs.writeFileSync(path.join(root, 'src', 'config.ts'), 'export const port: number = 3000;\n');
    const compilerOptions = { target: 'ES2022', module: 'commonjs', strict: true, rootDir: 'src', outDir: 'lib', types: [], skipLibCheck: true };
    fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    fs.writeFileSync(path.join(root, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json' }));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'build-fixture', private: true }));
    fs.symlinkSync(path.join(FUNCTIONS_DIR, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const ensure = () => spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
  const serverJs = () => path.join(root, 'lib', 'server.js');

  test('builds, then skips while nothing changed, then rebuilds after a source change', () => {
    const first = ensure();
    expect(first.stderr).toContain('built functions/lib');
    expect(first.status).toBe(0);
    const builtAt = fs.statSync(serverJs()).mtimeMs;

    const second = ensure();
    expect(second.stderr).toContain('build is current, not rebuilt');
    expect(second.status).toBe(0);
    expect(fs.statSync(serverJs()).mtimeMs).toBe(builtAt);

    const config = path.join(root, 'src', 'config.ts');
    fs.appendFileSync(config, '\nexport const BUILD_MARKER = 41 + 1;\n');
    const third = ensure();
    expect(third.stderr).toContain('built functions/lib');
    expect(third.status).toBe(0);
    expect(fs.readFileSync(path.join(root, 'lib', 'config.js'), 'utf8')).toContain('BUILD_MARKER');
  }, 60_000);

  test('a build that fails exits 1 and leaves no stamp claiming it is current', () => {
    fs.appendFileSync(path.join(root, 'src', 'server.ts'), '\nexport const broken: number = "not a number";\n');
    const run = ensure();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the TypeScript build failed');
    expect(fs.existsSync(path.join(root, 'lib', '.build-hash'))).toBe(false);
  }, 60_000);
});
