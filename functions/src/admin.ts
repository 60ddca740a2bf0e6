import { composeDeps, openStore } from './compose';
import { ConfigError, loadServerConfig } from './config';
import { AppError } from './domain/errors';
import { CHANNEL_KINDS, channelSpec, channelsOn, MONITOR_CHANNELS, planAllows, type Channel } from './domain/channels';
import { isPlanId, type Plan } from './domain/plans';
import type { Monitor } from './domain/types';
import { silentLogger } from './log';
import type { Deps } from './services/context';
import { accountOverview, changePlan } from './services/plans';
import path from 'node:path';
import type { ServerConfig } from './config';

/**
 * Operator commands over the same composition root and store as the server:
 *   npm run admin -- set-plan <email> <free|pro>
 *   npm run admin -- show <email>
 *   npm run admin -- backup <file>
 * Settings come from the same environment as `npm start` (CRONPEEK_STORE, CRONPEEK_DB, …).
 */
export const USAGE = [
  'usage: npm run admin -- set-plan <email> <free|pro>',
  '       npm run admin -- show <email>',
  '       npm run admin -- backup <file>      (SQLite: an online copy of CRONPEEK_DB)',
].join('\n');

/** Where a command's output goes; the process entry point passes stdout and stderr. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const limit = (plan: Plan): string => (plan.maxMonitors === null ? 'unlimited' : String(plan.maxMonitors));
const when = (d: Date | null): string => (d === null ? 'never' : d.toISOString());
const labels = (kinds: readonly Channel[]): string => kinds.map((c) => channelSpec(c).label).join(', ');
/** The channels an account gains by moving from Free to Pro, and loses moving back. */
const PRO_CHANNELS = labels(CHANNEL_KINDS.filter((c) => planAllows('pro', c) && !planAllows('free', c)));

function channelsOf(m: Monitor): string {
  return labels(MONITOR_CHANNELS.filter(({ field }) => m[field] !== null).map(({ kind }) => kind));
}

async function setPlan(deps: Deps, io: Output, email: string, planArg: string): Promise<number> {
  if (!isPlanId(planArg)) {
    io.err(`cronpeek admin: the plan must be "free" or "pro" (got "${planArg}")`);
    return 2;
  }
  const { account, from, to } = await changePlan(deps, { email, plan: planArg });
  if (from.id === to.id) {
    io.out(`${account.email}: already on ${to.id}; nothing changed`);
    return 0;
  }
  io.out(`${account.email}: plan ${from.id} -> ${to.id} (account ${account.id})`);
  io.out(`  monitors: ${account.monitorCount} kept; limit ${limit(from)} -> ${limit(to)}`);
  if (to.id === 'pro') {
    io.out(`  ${PRO_CHANNELS} alerts are sent from the next alert on`);
  } else {
    io.out(`  ${PRO_CHANNELS} alerts stop: they are recorded as not sent; e-mail alerts continue`);
    if (to.maxMonitors !== null && account.monitorCount >= to.maxMonitors) {
      io.out(`  new monitors are refused while the account holds ${to.maxMonitors} or more`);
    }
  }
  return 0;
}

async function show(deps: Deps, io: Output, email: string): Promise<number> {
  const { account, plan, monitors } = await accountOverview(deps, email);
  io.out(`account:  ${account.email} (id ${account.id})`);
  io.out(`created:  ${account.createdAt.toISOString()}`);
  io.out(`plan:     ${plan.id} (monitors ${limit(plan)}, history ${plan.historyDays === null ? 'unlimited' : `${plan.historyDays} days`}, channels: ${labels(channelsOn(plan.id))})`);
  io.out(`usage:    ${account.monitorCount} of ${limit(plan)} monitors, ${monitors.reduce((sum, m) => sum + m.pingCount, 0)} pings received`);
  io.out(monitors.length === 0 ? 'monitors: none' : 'monitors:');
  for (const m of monitors) {
    io.out(`  ${m.id}  ${m.status.padEnd(6)}  ${m.name}`);
    io.out(`      every ${m.schedule} s + ${m.grace} s grace; last ping ${when(m.lastPingAt)}; alerts: ${channelsOf(m)}`);
  }
  return 0;
}

/** Runs one command; returns the exit code. Failures a caller can cause are one line on `err`. */
export async function runAdmin(args: string[], deps: Deps, io: Output): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'set-plan' && rest.length === 2) return await setPlan(deps, io, rest[0], rest[1]);
    if (command === 'show' && rest.length === 1) return await show(deps, io, rest[0]);
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`cronpeek admin: ${err.message}`);
      return 1;
    }
    throw err;
  }
  io.err(USAGE);
  return 2;
}

/**
 * `backup <file>`: an online copy of the SQLite database while the server keeps running. It needs
 * no store connection of its own beyond the copy, so it runs before (instead of) openStore.
 */
export async function runBackup(config: ServerConfig, args: string[], io: Output): Promise<number> {
  if (args.length !== 1 || args[0] === '') {
    io.err(USAGE);
    return 2;
  }
  if (config.store !== 'sqlite') {
    io.err('cronpeek admin: backup copies the SQLite database; on Firestore use a managed export (gcloud firestore export)');
    return 2;
  }
  try {
    // Loaded on demand, like the store adapters: the Firestore way of running has no SQLite module.
    const { backupSqlite } = await import('./store/sqlite/backup');
    const result = await backupSqlite(config.dbPath, args[0]);
    io.out(`backed up ${config.dbPath} to ${result.file} (${result.bytes} bytes, integrity ${result.integrity})`);
    return 0;
  } catch (err) {
    io.err(`cronpeek admin: backup failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function main(): Promise<number> {
  const io: Output = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };
  const args = process.argv.slice(2);
  if (args.length === 0 || args[0] === 'help' || args[0] === '--help') {
    io.err(USAGE);
    return args.length === 0 ? 2 : 0;
  }
  let config;
  try {
    config = loadServerConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`cronpeek admin: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (args[0] === 'backup') {
    // npm runs scripts from the package root; a relative file name means where the operator typed it.
    const dest = args.slice(1).map((f) => path.resolve(process.env.INIT_CWD ?? process.cwd(), f));
    return runBackup(config, dest, io);
  }
  const store = await openStore(config);
  try {
    const deps = composeDeps({ store, app: config.app, notify: config.notify, log: silentLogger });
    return await runAdmin(args, deps, io);
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`cronpeek admin: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
