import {
  findEmulatorLauncher,
  javaAvailable,
  MISSING_ENV,
  missingEmulatorWarning,
  PGID_ENV,
  REQUIRE_ENV,
  startEmulator,
  waitForEmulator,
} from './emulator';

/**
 * Makes a Firestore emulator available to every test worker: the one `FIRESTORE_EMULATOR_HOST`
 * names, or one started here. Workers are forked after this runs, so what it puts in
 * `process.env` is what they see.
 */
export default async function globalSetup(): Promise<void> {
  // Off Google Cloud there is no metadata server; without this every new Firestore client probes
  // for one (a warning each time, and a timeout where nothing answers).
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const given = process.env.FIRESTORE_EMULATOR_HOST;
  if (given) {
    await waitForEmulator(given, 30_000);
    console.log(`\nFirestore suites run on the emulator at ${given} (FIRESTORE_EMULATOR_HOST).`);
    return;
  }
  const launcher = findEmulatorLauncher();
  const reason =
    launcher === null
      ? 'No Firestore emulator: FIRESTORE_EMULATOR_HOST is unset and google-cloud-cli-firestore-emulator is not installed.'
      : javaAvailable()
        ? null
        : `The Firestore emulator at ${launcher} needs Java, and no \`java\` was found.`;
  if (reason !== null) {
    if (process.env[REQUIRE_ENV] === '1') throw new Error(`${REQUIRE_ENV}=1 but the Firestore suites cannot run. ${reason}`);
    process.env[MISSING_ENV] = reason;
    console.warn(missingEmulatorWarning(reason));
    return;
  }
  const emulator = await startEmulator(launcher as string);
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  process.env[PGID_ENV] = String(emulator.pgid);
  console.log(`\nFirestore suites run on the emulator started at ${emulator.host}.`);
}
