import { randomBytes } from 'node:crypto';
import { CHANNEL_EVENTS, channelSpec, channelsOn, planAllows, type Channel, type ChannelConfig, type ChannelEvent, type ConfigFieldSpec } from '../domain/channels';
import { deliveryRecord } from '../domain/delivery';
import { AppError, ErrorCode } from '../domain/errors';
import { PLANS } from '../domain/plans';
import type { Account, AlertChannel, Notification } from '../domain/types';
import { targetProblem } from '../notify/targets';
import type { ChannelUpdate } from '../store/port';
import type { Deps } from './context';
import { LEASE_MS, sendNow } from './delivery';
import { requestConfirmation } from './email-confirmation';
import { CHANNEL_ID_PATTERN, newChannelId, newWebhookSecret } from './secrets';

/** A new channel object as the route hands it over: `config` already validated for its kind. */
export interface ChannelInput {
  kind: Channel;
  name: string;
  config: ChannelConfig;
  events?: ChannelEvent[];
  isDefault?: boolean;
}

/** An edit: the fields it names; in `config`, null removes an optional field and the rest merge. */
export interface ChannelEdit {
  name?: string;
  config?: Record<string, string | Record<string, string> | null>;
  events?: ChannelEvent[];
  isDefault?: boolean;
}

/** The refusal for a kind the account's plan does not include. */
function kindNeedsProMessage(kind: Channel, account: Account): string {
  const label = channelSpec(kind).label;
  return `${label} channels (kind ${kind}) need the Pro plan; this account's ${account.plan} plan includes ${channelsOn(account.plan).join(', ')} only.`;
}

function checkPlanAllows(account: Account, kind: Channel): void {
  if (!planAllows(account.plan, kind)) throw new AppError(ErrorCode.Forbidden, kindNeedsProMessage(kind, account));
}

/**
 * The rules a URL in a config must pass to be saved (private addresses, local names, Slack's
 * hosts), as a monitor's alert URLs do: a target that could never be reached is a 400 now, not a
 * failure nobody sees at send time.
 */
function checkConfigUrls(deps: Pick<Deps, 'notify'>, kind: Channel, config: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(config)) {
    const spec = channelSpec(kind).config[field] as ConfigFieldSpec | undefined;
    if (spec?.format.kind !== 'url' || typeof value !== 'string') continue;
    const hosts = spec.hosts === 'slack' ? deps.notify.slackHosts : undefined;
    const problem = targetProblem(value, { allowPrivate: deps.notify.allowPrivateWebhooks, hosts });
    if (problem !== null) throw new AppError(ErrorCode.BadRequest, `config.${field} ${problem}.`);
  }
}

/** An e-mail channel's address is asked to confirm, as a monitor's alert address is (after the answer). */
async function confirmAddress(deps: Deps, account: Account, channel: AlertChannel, address: unknown): Promise<void> {
  if (channel.kind === 'email' && typeof address === 'string') await requestConfirmation(deps, { account, email: address, monitorName: channel.name });
}

/** Creates a channel object; a webhook channel gets its own signing secret, answered this once. */
export async function createChannel(deps: Deps, account: Account, input: ChannelInput): Promise<AlertChannel> {
  checkPlanAllows(account, input.kind);
  checkConfigUrls(deps, input.kind, input.config);
  const plan = PLANS[account.plan];
  const channel: AlertChannel = {
    id: newChannelId(),
    accountId: account.id,
    kind: input.kind,
    name: input.name,
    config: input.config,
    events: input.events ?? [...CHANNEL_EVENTS],
    isDefault: input.isDefault ?? false,
    webhookSecret: input.kind === 'webhook' ? newWebhookSecret() : null,
    createdAt: deps.clock(),
  };
  const result = await deps.store.createChannel(channel, plan.maxChannels);
  if (result === 'limit_reached') {
    throw new AppError(ErrorCode.PlanLimit, `Channel limit reached (${plan.maxChannels}). Delete a channel or upgrade your plan for more.`);
  }
  await confirmAddress(deps, account, channel, channel.config.address);
  return channel;
}

export function listChannels(deps: Pick<Deps, 'store'>, account: Account): Promise<AlertChannel[]> {
  return deps.store.listChannels(account.id);
}

/** The account's own channel object. An id nobody has, a malformed one and another account's are the same 404. */
export async function getOwnChannel(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<AlertChannel> {
  const channel = CHANNEL_ID_PATTERN.test(id) ? await deps.store.getChannel(id) : null;
  if (channel === null || channel.accountId !== account.id) throw new AppError(ErrorCode.NotFound, 'Channel not found.');
  return channel;
}

/** The stored config with an edit applied field by field: null removes a field, a value replaces it. */
export function mergedConfig(stored: ChannelConfig, edit: Record<string, string | Record<string, string> | null>): ChannelConfig {
  const merged: ChannelConfig = { ...stored };
  for (const [field, value] of Object.entries(edit)) {
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  return merged;
}

/** Applies an owner's edit; its kind never changes. Events changed here reach attached monitors (the store refreshes their copies). */
export async function editChannel(deps: Deps, account: Account, id: string, edit: ChannelEdit): Promise<AlertChannel> {
  const current = await getOwnChannel(deps, account, id);
  if (edit.config !== undefined) {
    // After a downgrade the owner may still rename, retarget events or delete, but not point it somewhere new.
    checkPlanAllows(account, current.kind);
    checkConfigUrls(deps, current.kind, edit.config);
  }
  const update = (c: AlertChannel): ChannelUpdate => ({
    ...(edit.name !== undefined ? { name: edit.name } : {}),
    ...(edit.config !== undefined ? { config: mergedConfig(c.config, edit.config) } : {}),
    ...(edit.events !== undefined ? { events: edit.events } : {}),
    ...(edit.isDefault !== undefined ? { isDefault: edit.isDefault } : {}),
  });
  const edited = await deps.store.updateChannel(id, update);
  if (edited === null) throw new AppError(ErrorCode.NotFound, 'Channel not found.');
  const address = edit.config?.address;
  if (typeof address === 'string' && address !== current.config.address) await confirmAddress(deps, account, edited, address);
  return edited;
}

/** Deletes the channel object and detaches it from every monitor; its queued alerts are recorded as not sent. */
export async function deleteChannel(deps: Pick<Deps, 'store'>, account: Account, id: string): Promise<void> {
  await getOwnChannel(deps, account, id);
  // A concurrent delete may win; either way it is gone, which is what was asked.
  await deps.store.deleteChannel(id);
}

/** A test alert's row: kept in the channel's delivery log like any alert, about no monitor. */
function testNotification(channel: AlertChannel, now: Date): Notification {
  return {
    id: `test_${randomBytes(8).toString('hex')}`,
    flipId: '',
    monitorId: '',
    accountId: channel.accountId,
    channel: channel.kind,
    channelId: channel.id,
    event: 'channel.test',
    target: channel.id,
    createdAt: now,
    state: 'processing',
    attempts: 1,
    nextAttemptAt: new Date(now.getTime() + LEASE_MS),
    lastError: null,
    deliveredAt: null,
    snapshot: { monitorId: '', name: channel.name, schedule: 0, grace: 0, lastPingAt: null },
  };
}

/**
 * Sends a `channel.test` alert to the channel now, through the dispatcher's own path (plan,
 * e-mail confirmation and caps, the notifier), and answers what happened. The row is written
 * first as claimed (attempt 1, with a lease), so a crash mid-send leaves a row the dispatcher
 * finishes. A failure that would be retried is recorded as failed: a test answers what
 * happened now, and is not sent again later.
 */
export async function testChannel(deps: Deps, channel: AlertChannel): Promise<Notification> {
  const n = testNotification(channel, deps.clock());
  await deps.store.insertNotification(n);
  const sent = await sendNow(deps, n);
  const result = sent.outcome === 'retry' ? { outcome: 'failed' as const, error: sent.error } : sent;
  const record = deliveryRecord(result, n.attempts, deps.clock());
  await deps.store.recordDelivery(n.id, n.attempts, record);
  deps.log.info('channel test sent', { notification: n.id, channel: n.channel, outcome: record.state, error: record.lastError });
  return { ...n, ...record };
}
