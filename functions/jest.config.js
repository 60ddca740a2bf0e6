/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30000,
  // Jest's summary, then one plain closing line: `tests: N passed, N failed, N skipped`.
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // A handle a failed suite leaves open must not keep the run (and CI) waiting after the results.
  forceExit: true,
  // One Firestore emulator for the whole run, started here unless FIRESTORE_EMULATOR_HOST names one.
  setupFiles: ['<rootDir>/test/support/env.ts'],
  // Every answer the app gives in any test must be what public/openapi.json documents.
  setupFilesAfterEnv: ['<rootDir>/test/support/answers.ts'],
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
};
