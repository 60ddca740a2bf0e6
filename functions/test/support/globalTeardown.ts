import { MISSING_ENV, missingEmulatorWarning, PGID_ENV, stopEmulator } from './emulator';

/** Stops the emulator the global setup started (the whole process group), and repeats any warning after the summary. */
export default async function globalTeardown(): Promise<void> {
  const pgid = process.env[PGID_ENV];
  if (pgid) {
    delete process.env[PGID_ENV];
    delete process.env.FIRESTORE_EMULATOR_HOST;
    await stopEmulator(Number(pgid));
  }
  const missing = process.env[MISSING_ENV];
  if (missing) console.warn(missingEmulatorWarning(missing));
}
