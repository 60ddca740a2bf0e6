import fs from 'node:fs';
import path from 'node:path';
import { Timestamp } from 'firebase-admin/firestore';
import { notificationsFor } from '../../src/domain/alerts';
import { transition } from '../../src/domain/transitions';
import type { AlertChannel, Flip, ReadKey } from '../../src/domain/types';
import { withRequest } from '../../src/domain/recipients';
import { newChannelId, recipientId } from '../../src/services/secrets';
import { accountDoc, API_KEYS, MONITOR_SLUGS, PING_KEYS, CHANNELS, channelDoc, READ_KEYS, readKeyDoc, WINDOWS, windowDoc, DELETIONS, deletionDoc, EMAILS, flipDoc, monitorDoc, notificationDoc, pingDoc, RECIPIENTS, recipientDoc } from '../../src/store/firestore/layout';
import { clearProject } from '../support/emulator';
import { RATE_LIMITS } from '../../src/store/firestore/limits';
import { STATUS_PAGE_SLUGS, STATUS_PAGES, statusPageDoc } from '../../src/store/firestore/status-pages';
import { SESSIONS, sessionDoc, SIGN_IN_TOKENS, signInTokenDoc } from '../../src/store/firestore/sessions';
import type { Session } from '../../src/store/port';
import { makeAccount, makeMonitor, makeWindow } from '../support/factories';
import { emulatorProjectId, firestoreMissing, markFirestoreNotRun } from '../support/stores';
import { openMeteredStore, type Filter, type RunQueryRequest } from './support/usage';

type Order = 'ASCENDING' | 'DESCENDING';
type Scope = 'COLLECTION' | 'COLLECTION_GROUP';
interface IndexConfig {
  indexes: Array<{ collectionGroup: string; queryScope: Scope; fields: Array<{ fieldPath: string; order: Order }> }>;
  fieldOverrides: Array<{ collectionGroup: string; fieldPath: string; ttl?: boolean; indexes: Array<{ order?: Order; arrayConfig?: 'CONTAINS'; queryScope: Scope }> }>;
}

const config = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../firestore.indexes.json'), 'utf8')) as IndexConfig;

/** What an index must provide for a query: equality fields, then the sort order. */
interface Need {
  group: string;
  scope: Scope;
  equality: string[];
  orders: Array<[string, Order]>;
  /** Fields an array-contains filter names: served by the field's array index. */
  contains: string[];
}

function filtersOf(f: Filter | undefined): Array<{ field: string; op: string }> {
  if (f === undefined) return [];
  if ('compositeFilter' in f) return f.compositeFilter.filters.flatMap(filtersOf);
  const leaf = 'fieldFilter' in f ? f.fieldFilter : f.unaryFilter;
  return [{ field: leaf.field.fieldPath, op: leaf.op }];
}

/** Null for a kindless query (recursive delete), which Firestore serves from its built-in name index. */
function needOf(q: RunQueryRequest): Need | null {
  const sq = q.structuredQuery ?? {};
  const from = sq.from?.[0];
  if (!from?.collectionId) return null;
  const filters = filtersOf(sq.where);
  const orders: Array<[string, Order]> = (sq.orderBy ?? [])
    .filter((o) => o.field.fieldPath !== '__name__')
    .map((o) => [o.field.fieldPath, (o.direction ?? 'ASCENDING') as Order]);
  // Firestore orders by the inequality fields the query does not sort on itself, after its own
  // order, in the order of their names, in the direction of its last sort.
  const direction = orders.at(-1)?.[1] ?? 'ASCENDING';
  const unsorted = [...new Set(filters.filter((f) => f.op !== 'EQUAL' && f.op !== 'ARRAY_CONTAINS').map((f) => f.field))].filter((field) => !orders.some(([sorted]) => sorted === field));
  for (const field of unsorted.sort()) orders.push([field, direction]);
  return {
    group: from.collectionId,
    scope: from.allDescendants ? 'COLLECTION_GROUP' : 'COLLECTION',
    equality: [...new Set(filters.filter((f) => f.op === 'EQUAL').map((f) => f.field))],
    orders,
    contains: [...new Set(filters.filter((f) => f.op === 'ARRAY_CONTAINS').map((f) => f.field))],
  };
}

function isServed(need: Need): boolean {
  // An array-contains filter alone (the monitors a channel is attached to): the field's array index.
  if (need.contains.length > 0) {
    if (need.contains.length > 1 || need.equality.length + need.orders.length > 0) return false;
    const override = config.fieldOverrides.find((o) => o.collectionGroup === need.group && o.fieldPath === need.contains[0]);
    if (override === undefined) return need.scope === 'COLLECTION';
    return override.indexes.some((i) => i.queryScope === need.scope && i.arrayConfig === 'CONTAINS');
  }
  const fields = new Set([...need.equality, ...need.orders.map(([field]) => field)]);
  // Only ordered by document name (a page of a collection to delete): Firestore's built-in index.
  if (fields.size === 0) return true;
  if (fields.size === 1) {
    const [field] = fields;
    const order = need.orders[0]?.[1] ?? 'ASCENDING';
    const override = config.fieldOverrides.find((o) => o.collectionGroup === need.group && o.fieldPath === field);
    // Without an override a field has Firestore's automatic single-field indexes, collection scope only.
    if (override === undefined) return need.scope === 'COLLECTION';
    return override.indexes.some((i) => i.queryScope === need.scope && i.order === order);
  }
  return config.indexes.some((ix) => {
    if (ix.collectionGroup !== need.group || ix.queryScope !== need.scope) return false;
    if (ix.fields.length !== need.equality.length + need.orders.length) return false;
    const head = ix.fields.slice(0, need.equality.length).map((f) => f.fieldPath);
    const tail = ix.fields.slice(need.equality.length).map((f): [string, Order] => [f.fieldPath, f.order]);
    return need.equality.every((f) => head.includes(f)) && JSON.stringify(tail) === JSON.stringify(need.orders);
  });
}

/** A recipient record of the account, with a request in flight. */
const recipient = (accountId: string) =>
  withRequest(null, { id: recipientId(accountId, 'oncall@example.com'), accountId, email: 'oncall@example.com' }, { confirmTokenHash: 'hash', unsubscribeToken: 'token' }, new Date())!;

/** A channel object of the account, attached to nothing yet. */
const channel = (accountId: string): AlertChannel => ({
  id: newChannelId(),
  accountId,
  kind: 'webhook',
  name: 'hook',
  config: { url: 'https://example.com/h' },
  events: ['down', 'up'],
  isDefault: false,
  webhookSecret: 'whsec_x',
  createdAt: new Date(),
});

const readKey = (accountId: string): ReadKey => ({ id: 'key_0123456789abcdef', accountId, name: 'grafana', access: 'read', keyHash: `hash-${accountId}`, createdAt: new Date() });

const session = (accountId: string): Session => ({ id: 'ses_0123456789abcdef', accountId, sessionHash: `session-${accountId}`, createdAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000), userAgent: 'Firefox' });

/** Every field name the adapter writes, per collection group. */
function writtenFields(): Map<string, string[]> {
  const account = makeAccount();
  const monitor = makeMonitor({ accountId: account.id, status: 'up', alertAt: new Date(), alertWebhook: 'https://example.com/h' });
  const flip: Flip = transition(monitor, 'deadline', new Date(Date.now() + 86_400_000))!.flip!;
  const ping = { at: new Date(), method: 'GET' as const, kind: 'success' as const, exitCode: null, rid: null, source: null, userAgent: null, body: null, bodyTruncated: false, monitorId: monitor.id, duration: null, expiresAt: new Date() };
  return new Map([
    // With the fields only updates write: the session order and the sign-in link the account holds.
    ['accounts', [...Object.keys(accountDoc(account)), 'sessionSeq', 'signInTokenHash', 'statusPageCount', 'statusPageSeq']],
    [API_KEYS, ['accountId']],
    [EMAILS, ['accountId']],
    ['monitors', Object.keys(monitorDoc(monitor, 1))],
    ['pings', Object.keys(pingDoc({ ...ping, body: 'kept' }, 1, account.id))],
    ['flips', Object.keys(flipDoc(flip, 1))],
    ['notifications', Object.keys(notificationDoc(notificationsFor(flip, monitor)[0]))],
    [DELETIONS, Object.keys(deletionDoc('monitor', monitor.id))],
    [RECIPIENTS, Object.keys(recipientDoc(recipient(account.id)))],
    [CHANNELS, Object.keys(channelDoc(channel(account.id), 1))],
    [WINDOWS, Object.keys(windowDoc(makeWindow({ accountId: account.id }), 1))],
    [READ_KEYS, Object.keys(readKeyDoc(readKey(account.id), 1))],
    [STATUS_PAGES, Object.keys(statusPageDoc({ id: 'sp_0123456789abcdef', accountId: account.id, slug: 'acme', title: 'Acme', description: null, monitors: { tag: 'prod' }, createdAt: new Date() }, 1))],
    [STATUS_PAGE_SLUGS, ['pageId', 'accountId']],
    [MONITOR_SLUGS, ['monitorId', 'accountId']],
    [PING_KEYS, ['accountId']],
    [SESSIONS, Object.keys(sessionDoc(session(account.id), 1))],
    [SIGN_IN_TOKENS, Object.keys(signInTokenDoc(account.id, new Date()))],
  ]);
}

const missing = firestoreMissing();
if (missing !== null) markFirestoreNotRun(missing);

/** firestore.indexes.json against what the adapter really does: its queries and the fields it writes. */
(missing === null ? describe : describe.skip)('firestore.indexes.json', () => {
  let queries: RunQueryRequest[];

  beforeAll(async () => {
    const projectId = emulatorProjectId();
    const { store, meter } = openMeteredStore(projectId);
    // Every Store method, so that every query the adapter can make is recorded.
    const account = makeAccount();
    const now = new Date();
    const monitor = makeMonitor({ accountId: account.id });
    await store.createAccount(account);
    await store.findAccountByKeyHash(account.apiKeyHash);
    await store.createMonitor(monitor, null);
    await store.listMonitors(account.id);
    await store.getMonitor(monitor.id);
    await store.findMonitorByBadgeKey(monitor.badgeKey as string);
    await store.recordPing(monitor.pingToken, { at: now, method: 'GET', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body: null }, (m) => transition(m, 'ping', now));
    await store.updateMonitor(monitor.id, (m) => transition(m, 'pause', now));
    await store.findDueMonitors(now, 10);
    await store.listPings(monitor.id, 10);
    await store.listFlips(monitor.id);
    await store.editMonitor(monitor.id, () => ({ name: 'renamed', alertAt: now }));
    const key = { at: now, seq: 1, id: 'x' };
    await store.pingHistory(monitor.id, { limit: 10, before: key, since: now });
    await store.pingHistory(monitor.id, { limit: 10, before: null, since: null });
    await store.flipHistory(monitor.id, { limit: 10, before: key, since: null });
    await store.purgeExpiredPings(now, 10);
    await store.recordPing(monitor.pingToken, { at: now, method: 'POST', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body: 'kept' }, (m) => transition(m, 'ping', now));
    // A budget of nothing, totalled at every byte: the total and the trimming both run.
    expect(await store.trimPingBodies({ bytes: { free: 0, pro: 0 }, checkEvery: 1 }, () => true)).toBe(1);
    await store.findDueNotifications(now, 10);
    await store.findDueNotifications(now, 10, [account.id]);
    await store.claimNotification('none', now, now);
    await store.recordDelivery('none', 1, { state: 'failed', nextAttemptAt: null, lastError: 'x', deliveredAt: null });
    await store.getNotification('none');
    await store.listNotifications(monitor.id);
    // Channel objects, attached monitors and delivery logs.
    const attached = channel(account.id);
    await store.createChannel(attached, 10);
    await store.listChannels(account.id);
    await store.getChannel(attached.id);
    await store.editMonitor(monitor.id, () => ({ channels: [{ id: attached.id, kind: attached.kind, events: attached.events }] }));
    await store.updateChannel(attached.id, () => ({ events: ['down'] }));
    await store.insertNotification({
      id: 'test_x', flipId: '', monitorId: '', accountId: account.id, channel: 'webhook', channelId: attached.id, event: 'channel.test', target: attached.id,
      createdAt: now, state: 'delivered', attempts: 1, nextAttemptAt: null, lastError: null, deliveredAt: now,
      snapshot: { monitorId: '', name: 'hook', schedule: 0, grace: 0, lastPingAt: null },
    });
    await store.notificationHistory({ monitorId: monitor.id }, { limit: 10, before: key, since: now });
    await store.notificationHistory({ channelId: attached.id }, { limit: 10, before: null, since: null });
    await store.deleteChannel(attached.id);
    await store.createChannel(channel(account.id), 10);
    // Maintenance windows, the ping-token lookup, read-only keys.
    const window = makeWindow({ accountId: account.id });
    await store.createWindow(window, 10);
    await store.listWindows(account.id);
    await store.getWindow(window.id);
    await store.updateWindow(window.id, () => ({ name: 'renamed' }));
    await store.deleteWindow(window.id);
    await store.findMonitorByPingToken(monitor.pingToken);
    const readOnly = readKey(account.id);
    await store.createReadKey(readOnly, 20);
    await store.findReadKeyByHash(readOnly.keyHash);
    await store.listReadKeys(account.id);
    await store.deleteReadKey(account.id, readOnly.id);
    // Status pages: the slug's entry and the page, by id, by slug and by account.
    const statusPage = { id: 'sp_0123456789abcdef', accountId: account.id, slug: `acme-${account.id}`, title: 'Acme', description: null, monitors: [monitor.id], createdAt: now };
    await store.createStatusPage(statusPage, 5);
    await store.listStatusPages(account.id);
    await store.getStatusPage(statusPage.id);
    await store.findStatusPageBySlug(statusPage.slug);
    await store.updateStatusPage(statusPage.id, { slug: `moved-${account.id}`, monitors: { tag: 'prod' } });
    await store.createStatusPage({ ...statusPage, id: 'sp_fedcba9876543210' }, 5);
    await store.deleteStatusPage(statusPage.id);
    // Sign-in links and sessions.
    await store.saveSignInToken(account.email, 'sign-in-hash', new Date(now.getTime() + 900_000));
    await store.saveSignInToken(account.email, 'sign-in-hash-2', new Date(now.getTime() + 900_000));
    await store.redeemSignInToken('sign-in-hash-2', now);
    await store.saveSignInToken(account.email, 'sign-in-hash-3', new Date(now.getTime() + 900_000));
    await store.createSession(session(account.id), 50, now);
    await store.createSession({ ...session(account.id), id: 'ses_fedcba9876543210', sessionHash: 'other-session' }, 50, now);
    await store.findSessionByHash(session(account.id).sessionHash);
    await store.listSessions(account.id);
    await store.deleteSession(account.id, 'ses_fedcba9876543210');
    await store.deleteMonitor(monitor.id);
    await store.findAccountByEmail(account.email);
    await store.saveRecoveryToken(account.email, 'token-hash', new Date(now.getTime() + 3_600_000));
    await store.redeemRecoveryToken(account.email, 'token-hash', now, 'new-key-hash');
    await store.replaceApiKey(account.id, 'new-key-hash', 'newer-key-hash');
    await store.saveRecipient(recipient(account.id), null);
    await store.saveRecipient({ ...recipient(account.id), status: 'confirmed', version: 2 }, 1);
    await store.getRecipient(recipient(account.id).id);
    await store.deleteAccount(account.id);
    await store.finishDeletions(() => true);
    queries = meter.queries;
    await store.close();
    await clearProject(process.env.FIRESTORE_EMULATOR_HOST as string, projectId);
  });

  test('every query the adapter makes is served by a declared or automatic index', () => {
    const needs = queries.map(needOf).filter((n): n is Need => n !== null);
    expect(needs.length).toBeGreaterThanOrEqual(8);
    expect(needs.filter((n) => !isServed(n))).toEqual([]);
  });

  test('every field the adapter writes is either indexed for a query or exempt from indexing', () => {
    const undecided = [...writtenFields()].flatMap(([group, fields]) =>
      fields.filter((f) => !config.fieldOverrides.some((o) => o.collectionGroup === group && o.fieldPath === f)).map((f) => `${group}.${f}`),
    );
    expect(undecided).toEqual([]);
  });

  test('only fields some query filters or sorts on alone keep a single-field index', () => {
    const queried = new Set(
      queries
        .map(needOf)
        .filter((n): n is Need => n !== null)
        .filter((n) => new Set([...n.equality, ...n.orders.map(([f]) => f), ...n.contains]).size === 1)
        .map((n) => `${n.group}.${n.equality[0] ?? n.contains[0] ?? n.orders[0][0]}`),
    );
    const indexed = config.fieldOverrides.filter((o) => o.indexes.length > 0).map((o) => `${o.collectionGroup}.${o.fieldPath}`);
    expect(indexed.sort()).toEqual([...queried].sort());
  });

  test('ping history expires through a TTL policy on a Timestamp field', () => {
    expect(config.fieldOverrides.filter((o) => o.ttl).map((o) => `${o.collectionGroup}.${o.fieldPath}`)).toEqual(['rateLimits.expiresAt', 'pings.expiresAt', 'sessions.expiresAt', 'signInTokens.expiresAt']);
    const doc = pingDoc({ at: new Date(), method: 'GET', kind: 'success', exitCode: null, rid: null, source: null, userAgent: null, body: null, bodyTruncated: false, monitorId: 'm', duration: null, expiresAt: new Date() }, 1, 'a');
    expect(doc.expiresAt).toBeInstanceOf(Timestamp);
  });

  test('rate-limit counters expire through a TTL policy and are never indexed', () => {
    const overrides = config.fieldOverrides.filter((o) => o.collectionGroup === RATE_LIMITS);
    expect(overrides.map((o) => [o.fieldPath, o.ttl ?? false, o.indexes])).toEqual([
      ['expiresAt', true, []],
      ['count', false, []],
    ]);
  });
});
