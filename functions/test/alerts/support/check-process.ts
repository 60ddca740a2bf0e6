/**
 * One checker run in a process of its own, as a second embedded server on the same SQLite file
 * would run it. Once its store is open it says so with a ready file (`<CHECK_GO>.<pid>.ready`),
 * then waits for the go file (so both processes start their runs together), runs once at the
 * instant CHECK_AT and prints its report as JSON.
 */
import fs from 'node:fs';
import { composeDeps } from '../../../src/compose';
import { runCheck } from '../../../src/services/checker';
import { silentLogger } from '../../../src/log';
import { SqliteStore } from '../../../src/store/sqlite';
import { testNotifyConfig } from '../../support/deps';

async function main() {
  const { CHECK_DB, CHECK_AT, CHECK_GO } = process.env as Record<string, string>;
  const store = new SqliteStore(CHECK_DB);
  const now = new Date(CHECK_AT);
  const deps = composeDeps({
    store,
    app: { publicUrl: 'http://127.0.0.1', defaultPlan: 'pro', version: 'test', verifyEmails: false },
    notify: testNotifyConfig(),
    log: silentLogger,
    clock: () => now,
  });
  fs.writeFileSync(`${CHECK_GO}.${process.pid}.ready`, '');
  while (!fs.existsSync(CHECK_GO)) await new Promise((r) => setTimeout(r, 5));
  const report = await runCheck(deps, { budgetMs: 20_000 });
  await store.close();
  process.stdout.write(JSON.stringify(report));
}

main().catch((err) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err));
  process.exit(1);
});
