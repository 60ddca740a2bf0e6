/**
 * The checker's sweep in a process of its own on the SQLite file SWEEP_DB, as a second embedded
 * server would run it: once its store is open it says so with a ready file
 * (`<SWEEP_GO>.<pid>.ready`), waits for the go file, sweeps every batch due at SWEEP_AT and
 * prints the totals as JSON. No delivery: the test counts the rows the sweep wrote.
 */
import fs from 'node:fs';
import { silentLogger } from '../../../src/log';
import { sweepDueMonitors } from '../../../src/services/checker';
import { SqliteStore } from '../../../src/store/sqlite';

async function main() {
  const { SWEEP_DB, SWEEP_AT, SWEEP_GO } = process.env as Record<string, string>;
  const store = new SqliteStore(SWEEP_DB);
  const now = new Date(SWEEP_AT);
  fs.writeFileSync(`${SWEEP_GO}.${process.pid}.ready`, '');
  while (!fs.existsSync(SWEEP_GO)) await new Promise((r) => setTimeout(r, 5));
  const total = { due: 0, flipped: 0, failed: 0 };
  for (;;) {
    const pass = await sweepDueMonitors({ store, log: silentLogger }, now);
    total.due += pass.due;
    total.flipped += pass.flipped;
    total.failed += pass.failed;
    if (pass.due === 0) break;
  }
  await store.close();
  process.stdout.write(JSON.stringify(total));
}

main().catch((err) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err));
  process.exit(1);
});
