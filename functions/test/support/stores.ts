import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InspectableStore } from '../../src/store/inspection';
import type { Store } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite';
import { openFirestoreStore } from '../../src/store/firestore';
import { clearProject, MISSING_ENV, missingEmulatorWarning } from './emulator';

/**
 * The adapters every store-backed suite runs against. Suites use
 * `describe.each(storeKinds())('… on %s', (_name, kind) => …)` and call `kind.open()` per test
 * for an empty store, with the inspection reads that let a test look behind the services.
 */
export interface StoreKind {
  open(): Promise<InspectableStore>;
}

const tempDirs: string[] = [];
const firestoreProjects: Array<{ projectId: string; store: Store }> = [];
afterAll(async () => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  // Closing twice is harmless, so stores a test forgot are closed here and jest can exit.
  const host = process.env.FIRESTORE_EMULATOR_HOST;
  await Promise.all(
    firestoreProjects.splice(0).map(async ({ projectId, store }) => {
      await store.close();
      if (host) await clearProject(host, projectId);
    }),
  );
});

export const sqliteKind: StoreKind = {
  async open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-test-'));
    tempDirs.push(dir);
    return new SqliteStore(path.join(dir, 'cronpeek.db'));
  },
};

/** A fresh emulator project per store: parallel workers and tests never see each other's data. */
export function emulatorProjectId(): string {
  return `demo-cronpeek-${randomBytes(6).toString('hex')}`;
}

export const firestoreKind: StoreKind = {
  async open() {
    const projectId = emulatorProjectId();
    const store = openFirestoreStore({ projectId });
    firestoreProjects.push({ projectId, store });
    return store;
  },
};

/** Why Firestore cannot run in this process, or null when the emulator is there. */
export function firestoreMissing(): string | null {
  if (process.env[MISSING_ENV]) return process.env[MISSING_ENV] as string;
  if (!process.env.FIRESTORE_EMULATOR_HOST) return 'FIRESTORE_EMULATOR_HOST is unset (did jest run without its global setup?).';
  return null;
}

let markedNotRun = false;

/**
 * Registers, once per test file, a visible "todo" standing for the Firestore variants that could
 * not run, and warns; a missing emulator must never look like a pass.
 */
export function markFirestoreNotRun(reason: string): void {
  if (markedNotRun) return;
  markedNotRun = true;
  console.warn(missingEmulatorWarning(reason));
  test.todo(`Firestore variants NOT RUN: ${reason}`);
}

export function storeKinds(): Array<[string, StoreKind]> {
  const missing = firestoreMissing();
  if (missing !== null) {
    markFirestoreNotRun(missing);
    return [['sqlite', sqliteKind]];
  }
  return [
    ['sqlite', sqliteKind],
    ['firestore', firestoreKind],
  ];
}
