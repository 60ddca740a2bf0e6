/**
 * The import rules of functions/src, checked with dependency-cruiser by imports.test.ts (so by
 * `npm test`). Type-only imports count: `tsPreCompilationDeps` reads the TypeScript before the
 * compiler erases them, so a cycle made of `import type` is a cycle too.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A module must not import itself through others, type imports and dynamic imports included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment:
        'domain/ is pure code: it imports only domain/ and croner (cron arithmetic), so no other layer, ' +
        'no Node built-in, no Express, Firebase, SQLite or mail SDK (DESIGN.md, Layers).',
      severity: 'error',
      from: { path: '^src/domain/' },
      // Matched anywhere in the path: a linked node_modules resolves outside the package.
      to: { pathNot: ['^src/domain/', '(^|/)node_modules/croner/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
