const { options } = require('./dependency-rules.cjs');

/**
 * What the Firebase entry point may load, checked by imports.test.ts. Dynamic imports are left out:
 * compose.ts loads the one adapter the configuration names with `await import()`, and on Cloud
 * Functions that is Firestore. Type-only imports still count, so a module the entry reaches cannot
 * borrow a type from the SQLite adapter either.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'firebase-entry-without-sqlite',
      comment: 'The Firebase entry point never reaches the SQLite adapter or better-sqlite3 (cold start, deploy size).',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: ['^src/store/sqlite/', '(^|/)node_modules/better-sqlite3/'], reachable: true },
    },
  ],
  options: { ...options, exclude: { dynamic: true } },
};
