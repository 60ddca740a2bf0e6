import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The import rules of functions/src (DESIGN.md, Layers), checked by dependency-cruiser over the
 * TypeScript sources: the rules are in dependency-rules.cjs and firebase-entry-rules.cjs beside
 * this file. Each failure names the rule and the chain of modules that breaks it.
 */
const PACKAGE_DIR = path.join(__dirname, '..', '..');
const DEPCRUISE = path.join(PACKAGE_DIR, 'node_modules', '.bin', 'depcruise');

interface Step {
  name: string;
  dependencyTypes: string[];
}
interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Step[];
  via?: Step[];
}
interface Cruise {
  modules: Array<{ source: string; dependencies: Array<{ resolved: string; dependencyTypes: string[] }> }>;
  summary: { violations: Violation[]; totalCruised: number };
}

const run = promisify(execFile);

/** dependency-cruiser's JSON answer for src/ under one rules file; it exits non-zero when a rule is broken. */
async function cruise(rulesFile: string): Promise<Cruise> {
  const args = ['src', '--config', path.join('test', 'architecture', rulesFile), '--output-type', 'json'];
  const { stdout } = await run(DEPCRUISE, args, { cwd: PACKAGE_DIR, maxBuffer: 64 * 1024 * 1024 }).catch(
    (e: { stdout?: string; stderr?: string; message: string }) => {
      if (!e.stdout) throw new Error(`dependency-cruiser failed: ${e.stderr || e.message}`);
      return { stdout: e.stdout };
    },
  );
  return JSON.parse(stdout) as Cruise;
}

/** One line per broken rule: `rule: a → b → c`. */
function brokenRules(result: Cruise, rule: string): string[] {
  return result.summary.violations
    .filter((v) => v.rule.name === rule)
    .map((v) => `${rule}: ${[v.from, ...(v.cycle ?? v.via ?? [{ name: v.to }]).map((s) => s.name)].join(' → ')}`);
}

describe('imports under functions/src', () => {
  let structure: Cruise;
  let firebaseEntry: Cruise;
  beforeAll(async () => {
    [structure, firebaseEntry] = await Promise.all([cruise('dependency-rules.cjs'), cruise('firebase-entry-rules.cjs')]);
  });

  test('the check sees every layer, type-only imports included', () => {
    const sources = structure.modules.map((m) => m.source);
    for (const file of ['src/index.ts', 'src/server.ts', 'src/domain/transitions.ts', 'src/store/port.ts', 'src/http/app.ts']) {
      expect(sources).toContain(file);
    }
    const typeOnly = structure.modules.flatMap((m) => m.dependencies).filter((d) => d.dependencyTypes.includes('type-only'));
    expect(typeOnly.length).toBeGreaterThan(0);
    expect(firebaseEntry.summary.totalCruised).toBeGreaterThan(0);
  });

  test('no module imports itself through others', () => {
    expect(brokenRules(structure, 'no-cycles')).toEqual([]);
  });

  test('domain/ imports only domain/ and croner: no other layer, Node built-in, Express, Firebase, SQLite or mail SDK', () => {
    expect(brokenRules(structure, 'domain-is-pure')).toEqual([]);
  });

  test('the Firebase entry point never reaches the SQLite adapter or better-sqlite3', () => {
    expect(brokenRules(firebaseEntry, 'firebase-entry-without-sqlite')).toEqual([]);
  });
});
