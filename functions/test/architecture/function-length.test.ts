import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

/**
 * No function under functions/src is longer than MAX_LINES, first line to last: a long function
 * does several things, and the style guide's counter-example is a 650-line closure (STYLE.md).
 */
const MAX_LINES = 60;
const SRC_DIR = path.join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** What a reader would call the function: its own name, or the name it is assigned to. */
function nameOf(node: ts.FunctionLikeDeclaration, file: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText(file);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) {
    return parent.name.getText(file);
  }
  return '(anonymous)';
}

/** Every function-like node with a body longer than `max` lines, as `path:line name (N lines)`. */
function longFunctions(files: string[], max: number): string[] {
  const found: string[] = [];
  for (const fileName of files) {
    const file = ts.createSourceFile(fileName, fs.readFileSync(fileName, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
        const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = last - first + 1;
        const where = path.relative(path.join(SRC_DIR, '..'), fileName);
        if (lines > max) found.push(`${where}:${first + 1} ${nameOf(node as ts.FunctionLikeDeclaration, file)} (${lines} lines)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

describe('function length', () => {
  test(`no function under functions/src is longer than ${MAX_LINES} lines`, () => {
    expect(longFunctions(sourceFiles(SRC_DIR), MAX_LINES)).toEqual([]);
  });

  test('the check counts every kind of function, first line to last', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-length-'));
    try {
      const body = (n: number) => Array.from({ length: n - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
      const file = path.join(dir, 'sample.ts');
      fs.writeFileSync(
        file,
        [
          `function declared() {\n${body(61)}\n}`,
          `const arrow = () => {\n${body(61)}\n};`,
          `class Holder {\n  method() {\n${body(61)}\n  }\n}`,
          `function fits() {\n${body(60)}\n}`,
        ].join('\n'),
      );
      expect(longFunctions([file], 60).map((line) => line.replace(/^.*sample\.ts:/, ''))).toEqual([
        '1 declared (61 lines)',
        '62 arrow (61 lines)',
        '124 method (61 lines)',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
