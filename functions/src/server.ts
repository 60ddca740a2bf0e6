import http from 'node:http';
import path from 'node:path';
import { composeDeps } from './compose';
import { ConfigError, loadServerConfig, REPO_DIR, type ServerConfig } from './config';
import { createApp } from './http/app';
import { runCheck } from './services/checker';
import { jsonLogger, type Logger } from './log';
import type { Deps } from './services/context';
import type { Store } from './store/port';

/** Loaded on demand so that each way of running pulls in only the adapter it uses. */
async function openStore(config: ServerConfig): Promise<Store> {
  if (config.store === 'firestore') {
    const { openFirestoreStore } = await import('./store/firestore');
    return openFirestoreStore({ projectId: config.firestoreProjectId });
  }
  const { SqliteStore } = await import('./store/sqlite');
  return new SqliteStore(config.dbPath);
}

/**
 * Runs the checker every `intervalMs`, never overlapping itself: the next run is scheduled only
 * when the previous one has finished. `stop()` waits for a run in progress.
 */
export function startChecker(deps: Deps, intervalMs: number, log: Logger): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    running = runCheck(deps, { budgetMs: Math.max(intervalMs - 1_000, 1_000) })
      .then((report) => {
        if (report.flipped || report.delivery.attempted || report.pingsPurged || report.unfinished) log.info('check', { ...report });
      })
      .catch((err) => log.error('check failed', { error: err instanceof Error ? err.stack : String(err) }))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export async function startServer(config: ServerConfig, log: Logger = jsonLogger) {
  const store = await openStore(config);
  const deps = composeDeps({ store, app: config.app, notify: config.notify, log });
  const app = createApp(deps, { staticDir: path.join(REPO_DIR, 'public'), trustProxy: false });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, resolve);
  });
  const checker = startChecker(deps, config.checkIntervalSeconds * 1000, log);
  return {
    server,
    deps,
    async close() {
      await checker.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await store.close();
    },
  };
}

async function main() {
  let config: ServerConfig;
  try {
    config = loadServerConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`cronpeek: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const running = await startServer(config);
  const where = config.store === 'sqlite' ? `SQLite ${config.dbPath}` : `Firestore project ${config.firestoreProjectId} (${process.env.FIRESTORE_EMULATOR_HOST ? `emulator ${process.env.FIRESTORE_EMULATOR_HOST}` : 'cloud'})`;
  console.log(
    [
      `CronPeek ${config.app.version} listening on http://localhost:${config.port}`,
      `  data:          ${where}`,
      `  ping URLs:     ${config.app.publicUrl}/api/v1/ping/<token>`,
      `  default plan:  ${config.app.defaultPlan}`,
      `  checker:       every ${config.checkIntervalSeconds} s`,
      `  e-mail:        ${config.notify.sendgridApiKey ? `SendGrid, from ${config.notify.emailFrom}` : 'printed to this log (set SENDGRID_API_KEY to send)'}`,
      `  webhooks:      ${config.notify.allowPrivateWebhooks ? 'private addresses allowed' : 'public addresses only'}`,
    ].join('\n'),
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`cronpeek: ${signal} received, shutting down`);
    running.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`cronpeek: failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
