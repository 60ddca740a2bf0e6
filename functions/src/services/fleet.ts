import { MONITOR_CHANNELS } from '../domain/channels';
import { AppError, ErrorCode } from '../domain/errors';
import { defaultGrace, validateTiming } from '../domain/schedule';
import { DEFAULT_STREAK, type MonitorEdit } from '../domain/settings';
import { slugProblem } from '../domain/slugs';
import type { Account, Monitor } from '../domain/types';
import type { Deps } from './context';
import { attachedChannels, createMonitor, editMonitor, type ChannelSelection, type MonitorInput } from './monitors';
import { hashSecret, newPingKey, PING_KEY_PATTERN } from './secrets';

/**
 * Fleets (issue 22): monitors found by slug, so a job can create its own with its first ping
 * (`/api/v1/ping/<pingKey>/<slug>?create=1`) and configuration management can upsert them
 * (`PUT /api/v1/monitors/by-slug/<slug>`) on every deploy.
 */

/** A monitor made by a ping with `?create=1` and no `schedule` expects a run a day, as Healthchecks' checks do. */
export const AUTO_CREATE_SCHEDULE = 86_400;

/** Creates (or replaces) the account's ping key; the key itself is answered this once, only its hash is kept. */
export async function rotatePingKey(deps: Pick<Deps, 'store'>, account: Account): Promise<string> {
  const key = newPingKey();
  if (!(await deps.store.setPingKey(account.id, hashSecret(key)))) throw new AppError(ErrorCode.Unauthorized, 'Invalid API key.');
  return key;
}

/** The account of a ping key; a malformed or unknown one is the same 404, checked before any read. */
export async function pingKeyAccount(deps: Pick<Deps, 'store'>, pingKey: string): Promise<Account> {
  const account = PING_KEY_PATTERN.test(pingKey) ? await deps.store.findAccountByPingKeyHash(hashSecret(pingKey)) : null;
  if (account === null) throw new AppError(ErrorCode.NotFound, 'Unknown ping key.');
  return account;
}

/**
 * The account's monitor with `slug`, created from `input` when there is none and `input` is
 * given. Of concurrent first pings (or upserts) of one slug, one creates it (`created`) and the
 * others find it: the store refuses a second monitor with the slug, and the loser reads the winner's.
 */
export async function monitorBySlug(
  deps: Deps,
  account: Account,
  slug: string,
  input: MonitorInput | null,
): Promise<{ monitor: Monitor; created: boolean }> {
  const found = slugProblem(slug) === null ? await deps.store.findMonitorBySlug(account.id, slug) : null;
  if (found !== null) return { monitor: found, created: false };
  if (input === null) throw new AppError(ErrorCode.NotFound, `No monitor of this account has the slug ${slug}; add ?create=1 to the ping URL to create it with this ping.`);
  try {
    return { monitor: await createMonitor(deps, account, { ...input, slug }), created: true };
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== ErrorCode.Conflict) throw err;
    const winner = await deps.store.findMonitorBySlug(account.id, slug);
    if (winner === null) throw err;
    return { monitor: winner, created: false };
  }
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * What `input` (a create body) would change on `current`, as an edit: only the fields it names
 * whose value differs, so the same body sent again writes nothing (no new webhook secret, no
 * deadline moved). A field it leaves out keeps its value. The upsert by slug and the import
 * (`services/transfer.ts`) both decide with it.
 */
export async function changesOf(deps: Deps, account: Account, current: Monitor, input: MonitorInput): Promise<MonitorEdit & { channels?: ChannelSelection }> {
  const edit: MonitorEdit & { channels?: ChannelSelection } = {};
  const now = deps.clock();
  if (input.name !== current.name) edit.name = input.name;
  const timing = validateTiming(input.schedule, input.tz ?? undefined, now);
  const sameTiming = timing.cron === current.cron && timing.tz === current.tz && (timing.cron !== null || timing.schedule === current.schedule);
  if (!sameTiming) {
    edit.schedule = input.schedule;
    if (input.tz !== undefined) edit.tz = input.tz;
  }
  if (input.grace !== undefined && (input.grace ?? defaultGrace(timing, now)) !== current.grace) edit.grace = input.grace;
  else if (input.grace !== undefined && !sameTiming) edit.grace = input.grace;
  for (const { field } of MONITOR_CHANNELS) {
    if (input[field] !== undefined && (input[field] ?? null) !== current[field]) edit[field] = input[field];
  }
  if (input.remindEvery !== undefined && input.remindEvery !== current.remindEvery) edit.remindEvery = input.remindEvery;
  if (input.remindLimit !== undefined && (input.remindLimit ?? null) !== current.remindLimit) edit.remindLimit = input.remindLimit;
  if (input.alertAfter !== undefined && (input.alertAfter ?? DEFAULT_STREAK) !== current.alertAfter) edit.alertAfter = input.alertAfter;
  if (input.recoverAfter !== undefined && (input.recoverAfter ?? DEFAULT_STREAK) !== current.recoverAfter) edit.recoverAfter = input.recoverAfter;
  if (input.maxRuntime !== undefined && (input.maxRuntime ?? null) !== current.maxRuntime) edit.maxRuntime = input.maxRuntime;
  if (input.minRuntime !== undefined && (input.minRuntime ?? null) !== current.minRuntime) edit.minRuntime = input.minRuntime;
  if (input.tags !== undefined && !sameList(input.tags ?? [], current.tags)) edit.tags = input.tags;
  if (input.dependsOn !== undefined && !sameList(input.dependsOn ?? [], current.dependsOn)) edit.dependsOn = input.dependsOn;
  if (input.channels !== undefined) {
    const wanted = (await attachedChannels(deps, account, input.channels)).map((c) => c.id);
    if (!sameList(wanted, current.channels.map((c) => c.id))) edit.channels = input.channels;
  }
  return edit;
}

/**
 * `PUT /api/v1/monitors/by-slug/<slug>`: creates the account's monitor with this slug from a
 * create body, or brings the one it has in line with it. `created` tells the two apart (201, 200).
 */
export async function upsertMonitor(deps: Deps, account: Account, slug: string, input: MonitorInput): Promise<{ monitor: Monitor; created: boolean; newWebhookSecret: boolean }> {
  const problem = slugProblem(slug);
  if (problem !== null) throw new AppError(ErrorCode.BadRequest, `${problem}.`);
  if (input.slug !== undefined && input.slug !== slug) throw new AppError(ErrorCode.BadRequest, 'slug in the body must be the slug of the URL (or left out).');
  const { monitor, created } = await monitorBySlug(deps, account, slug, input);
  if (created) return { monitor, created, newWebhookSecret: monitor.webhookSecret !== null };
  const edit = await changesOf(deps, account, monitor, input);
  if (Object.keys(edit).length === 0) return { monitor, created: false, newWebhookSecret: false };
  return { monitor: await editMonitor(deps, account, monitor.id, edit), created: false, newWebhookSecret: typeof edit.alertWebhook === 'string' };
}
