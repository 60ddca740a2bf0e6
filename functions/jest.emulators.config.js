/**
 * `npm run emulators:test`: the end-to-end test on the Firebase Emulator Suite (started by the test
 * itself through `emulators/run.mjs`). Kept out of `npm test`, which must not need firebase-tools.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/emulators'],
  testMatch: ['**/*.e2e.ts'],
  testTimeout: 120000,
  // Abuse limits off in the function the suite starts too (the variable reaches it through the environment).
  setupFiles: ['<rootDir>/test/support/env.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // A handle a failed suite leaves open must not keep the run (and CI) waiting after the results.
  forceExit: true,
};
