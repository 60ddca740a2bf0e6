import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { composeDeps, openStore } from './compose';
import { ConfigError, loadServerConfig, REPO_DIR, type ServerConfig } from './config';
import { createApp } from './http/app';
import { errorAnswer, malformedRequestError } from './http/errors';
import { withPingFastPath } from './http/ping';
import { describeRules, MemoryRateLimiter } from './limits';
import { runCheck } from './services/checker';
import { DeliveryDispatcher } from './services/delivery';
import { DueScheduler } from './services/scheduler';
import { jsonLogger, type Logger } from './log';
import type { Deps } from './services/context';

/** After a run that could not clear what was already due (a delivery backlog), the next waits this long. */
const BUSY_RETRY_MS = 1_000;

export interface Checker {
  /** Something may be due at `at`: the checker runs then if that is sooner than planned. */
  wake(at: Date): void;
  stop(): Promise<void>;
}

/**
 * Runs the checker whenever something is due (see `DueScheduler`), and at least every
 * `intervalMs` as the safety net; runs never overlap. Alerts are sent by one dispatcher that
 * outlives the runs: a run hands it the due alerts and moves on, so slow targets never delay the
 * next sweep. Storage housekeeping runs at most once per interval, not on every due-time run.
 * `stop()` waits for a run in progress and for the sends in flight.
 */
export function startChecker(deps: Deps, intervalMs: number, log: Logger): Checker {
  const delivery = new DeliveryDispatcher(deps, { dueAt: deps.clock });
  let lastHousekeeping = -Infinity;
  const run = async () => {
    const startedAt = deps.clock().getTime();
    const housekeeping = startedAt - lastHousekeeping >= intervalMs;
    if (housekeeping) lastHousekeeping = startedAt;
    const report = await runCheck(deps, { budgetMs: Math.max(intervalMs - 1_000, 1_000), delivery, boundStorage: housekeeping });
    if (report.flipped || Object.values(report.delivery).some(Boolean) || report.pingsPurged || report.leftoversRemoved || report.bodiesTrimmed || report.unfinished) log.info('check', { ...report });
  };
  const scheduler = new DueScheduler({
    run,
    nextDueAt: () => deps.store.nextDueAt(),
    clock: deps.clock,
    maxWaitMs: intervalMs,
    busyRetryMs: BUSY_RETRY_MS,
    onError: (err) => log.error('check failed', { error: err instanceof Error ? err.stack : String(err) }),
  });
  scheduler.start();
  return {
    wake: (at) => scheduler.wake(at),
    async stop() {
      await scheduler.stop();
      await delivery.stop();
    },
  };
}

/** A client has this long to send its request headers, and this long for the whole request. */
export const HEADERS_TIMEOUT_MS = 15_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** On SIGTERM/SIGINT, requests in flight get this long to finish before their connections are cut. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface ServerTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
}

const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  shutdownGraceMs: SHUTDOWN_GRACE_MS,
};

/**
 * The HTTP server around the app, with its timeouts. Requests too broken to reach the app (bad
 * syntax, oversized headers, too slow) still get a JSON error, like everything else the API says.
 */
export function createHttpServer(app: http.RequestListener, timeouts: Partial<ServerTimeouts> = {}): http.Server {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const server = http.createServer(
    {
      // A client trickling its headers (or body) is cut off instead of holding a connection forever;
      // the check runs every second rather than Node's default 30 s, so the limits hold to the second.
      headersTimeout: t.headersTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, t.headersTimeoutMs),
    },
    app,
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
      socket.destroy();
      return;
    }
    const { status, headers, body } = errorAnswer(malformedRequestError(err));
    const json = JSON.stringify(body);
    const head = Object.entries({ ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(json)), Connection: 'close' });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${head.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${json}`);
  });
  return server;
}

/** `http://127.0.0.1:3000`, `http://[::]:3000`: where the server really listens. */
export function listeningUrl(server: http.Server): string {
  const a = server.address() as AddressInfo;
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

export async function startServer(config: ServerConfig, log: Logger = jsonLogger, timeouts: Partial<ServerTimeouts> = {}) {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const store = await openStore(config);
  // One process: counters in memory are exact (on Firestore too, as long as it is one server).
  const limiter = config.rateLimits === null ? undefined : new MemoryRateLimiter(config.rateLimits);
  // The checker needs the deps and the deps' writes wake the checker: bound once it has started.
  let checker: Checker | null = null;
  const deps = composeDeps({ store, app: config.app, notify: config.notify, log, limiter, onDue: (at) => checker?.wake(at) });
  const app = createApp(deps, { staticDir: path.join(REPO_DIR, 'public'), trustProxy: config.trustProxy });
  // Pings, nearly all the traffic, take a lean path in front of the app (see http/ping.ts).
  const server = createHttpServer(withPingFastPath(deps, app), t);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (config.host === null) server.listen(config.port, resolve);
    else server.listen(config.port, config.host, resolve);
  });
  const started = startChecker(deps, config.checkIntervalSeconds * 1000, log);
  checker = started;
  let closing: Promise<void> | null = null;
  /**
   * Stops accepting connections, lets requests in flight (and a checker run) finish for at most
   * the grace period, then cuts whatever is left and closes the store. A checker run cut short
   * loses nothing: its claimed alerts' leases lapse and the next run retries them.
   */
  const close = async () => {
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), t.shutdownGraceMs);
    });
    const finished = await Promise.race([Promise.all([drained, started.stop()]).then(() => 'done' as const), grace]);
    clearTimeout(timer);
    if (finished === 'timeout') log.warn('shutdown grace period over; closing the remaining connections', { graceMs: t.shutdownGraceMs });
    server.closeAllConnections();
    await store.close();
  };
  return {
    server,
    deps,
    close() {
      closing ??= close();
      return closing;
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
      `CronPeek ${config.app.version} listening on ${listeningUrl(running.server)}${config.host === null ? ' (every interface)' : ''}`,
      `  data:          ${where}`,
      `  ping URLs:     ${config.app.publicUrl}/api/v1/ping/<token>`,
      `  default plan:  ${config.app.defaultPlan}`,
      `  checker:       at each deadline, and a full sweep every ${config.checkIntervalSeconds} s`,
      `  e-mail:        ${config.notify.sendgridApiKey ? `SendGrid, from ${config.notify.emailFrom}` : 'printed to this log (set SENDGRID_API_KEY to send)'}`,
      `  webhooks:      ${config.notify.allowPrivateWebhooks ? 'private addresses allowed' : 'public addresses only'}`,
      `  rate limits:   ${describeRules(config.rateLimits)}`,
      `  client address: ${config.trustProxy === false ? 'the connection (no proxy trusted)' : `X-Forwarded-For, trusting ${Array.isArray(config.trustProxy) ? config.trustProxy.join(', ') : `${config.trustProxy} proxy hop(s)`}`}`,
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
