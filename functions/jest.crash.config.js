/**
 * `npm run test:crash`: kills the embedded server with SIGKILL under load and checks what
 * survived. Kept out of `npm test` (it starts and kills real server processes); CI runs both.
 */
/** @type {import('jest').Config} */
module.exports = {
  // Transpile only: `npm run typecheck` and `npm test` check the types; this stays quick.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.crash.ts'],
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // A handle a failed suite leaves open must not keep the run (and CI) waiting after the results.
  forceExit: true,
};
