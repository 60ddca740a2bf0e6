import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import {
  AggregateField,
  FieldPath,
  FieldValue,
  getFirestore,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type BulkWriter,
  type DocumentSnapshot,
  type Firestore,
  type Query,
  type QueryDocumentSnapshot,
  type Transaction,
} from 'firebase-admin/firestore';
import { readDueRows, type DeliveryRecord } from '../../domain/delivery';
import type { MaintenanceWindow } from '../../domain/maintenance';
import type { StatusPage } from '../../domain/status-pages';
import type { EmailCaps, PlanId } from '../../domain/plans';
import type { Recipient } from '../../domain/recipients';
import type { MonitorUpdate } from '../../domain/settings';
import { applyChanges, type MonitorChanges, type PingTransition, type Transition } from '../../domain/transitions';
import type { Account, AccountDefaults, AlertChannel, AttachedChannel, Flip, Monitor, Notification, Ping, ReadKey } from '../../domain/types';
import type { StoreInspection } from '../inspection';
import {
  bodySize,
  emailCounters,
  type Applied,
  type BodyBudget,
  type Decide,
  type DecidePing,
  type EmailCount,
  type HistoryQuery,
  type Page,
  type PageKey,
  type PingData,
  type Store,
  type ChannelUpdate,
  type NotificationOwner,
  type WindowUpdate,
  type StatusPageUpdate,
  type Session,
} from '../port';
import {
  ACCOUNTS,
  API_KEYS,
  BODY_DROPPED,
  CHANNELS,
  DELETIONS,
  EMAILS,
  FLIPS,
  MONITORS,
  MONITOR_SLUGS,
  monitorSlugId,
  NOTIFICATIONS,
  PING_KEYS,
  PINGS,
  READ_KEYS,
  RECIPIENTS,
  WINDOWS,
  accountDoc,
  attachedDoc,
  channelDoc,
  deletionDoc,
  alertEmailCounterId,
  emailDocId,
  flipDoc,
  monitorDoc,
  notificationDoc,
  openRunsDoc,
  pingDoc,
  readKeyDoc,
  remindersDoc,
  recipientDoc,
  toAccount,
  toChannel,
  toFlip,
  toMonitor,
  toNotification,
  toPing,
  toReadKey,
  toRecipient,
  toWindow,
  windowDoc,
  windowSettingsDoc,
  type DeletionKind,
} from './layout';
import { RATE_LIMITS } from './limits';
import { newestFirst, SESSIONS, sessionDoc, SIGN_IN_TOKENS, signInTokenDoc, toSession } from './sessions';
import { KeyedQueue } from './queue';
import { editedPage, oldestFirst, STATUS_PAGE_SLUGS, STATUS_PAGES, statusPageDoc, statusPageSettingsDoc, toStatusPage } from './status-pages';

/** gRPC status codes the adapter turns into ordinary outcomes. */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

/**
 * Firestore retries a transaction that lost a lock (ABORTED) with a growing back-off, five times
 * by default. Within one instance KeyedQueue already lines writers up; across instances a burst
 * on one document (a fan-out job's pings, a script creating monitors in parallel) can outlast
 * five attempts, and giving up would turn a ping into a 500.
 */
export const TRANSACTION_ATTEMPTS = 30;

/**
 * A ping takes the fast path only while its monitor's deadline is at least this far off. Close to
 * its deadline a monitor is what the checker (every minute) is about to flip; a batch sent then
 * would queue on the checker's lock and fail its precondition, a wasted commit before the
 * transaction anyway. 30 s covers the ping request's own latency and clock skew between
 * instances. Correctness does not rest on the margin: the `lastUpdateTime` precondition turns any
 * interleaving (a sweep, a pause, a delete, another instance's ping) into a failed batch that the
 * transaction then redoes.
 */
export const FAST_PING_MARGIN_MS = 30_000;

const code = (err: unknown): unknown => (err as { code?: unknown }).code;
const ts = (d: Date): Timestamp => Timestamp.fromDate(d);

/** The monitor fields a transition writes; the ping count is an increment, so no path needs the value it read. */
function changesDoc(c: MonitorChanges): DocumentData {
  const update: DocumentData = { status: c.status, alertAt: c.alertAt === null ? null : ts(c.alertAt) };
  if (c.lastPingAt) update.lastPingAt = ts(c.lastPingAt);
  if (c.lastAlertAt) update.lastAlertAt = ts(c.lastAlertAt);
  if (c.lastStartAt) update.lastStartAt = ts(c.lastStartAt);
  if (c.lastDuration !== undefined) update.lastDuration = c.lastDuration;
  if (c.openRuns) update.openRuns = openRunsDoc(c.openRuns);
  if (c.countPing) update.pingCount = FieldValue.increment(1);
  if (c.manualResume !== undefined) update.manualResume = c.manualResume;
  if (c.resumedAt) update.resumedAt = ts(c.resumedAt);
  if (c.flipCount !== undefined) update.flipCount = c.flipCount;
  if (c.recentFlips) update.recentFlips = c.recentFlips.map(ts);
  if (c.flappingSince !== undefined) update.flappingSince = c.flappingSince === null ? null : ts(c.flappingSince);
  if (c.reminders) Object.assign(update, remindersDoc(c.reminders));
  if (c.consecutiveFailures !== undefined) update.consecutiveFailures = c.consecutiveFailures;
  if (c.consecutiveSuccesses !== undefined) update.consecutiveSuccesses = c.consecutiveSuccesses;
  if (c.missedDueAt) update.missedDueAt = ts(c.missedDueAt);
  return update;
}

/** An edit's fields as the monitor document stores them (same names; dates as Timestamps). */
function editDoc(update: MonitorUpdate): DocumentData {
  const doc: DocumentData = {};
  for (const [field, value] of Object.entries(update)) {
    if (field === 'channels') Object.assign(doc, attachedDoc(value as AttachedChannel[]));
    else doc[field] = value instanceof Date ? ts(value) : value;
  }
  return doc;
}

/**
 * One page of a monitor's history, newest first by (`at`, `seq`, document id); the id breaks the
 * tie should two items ever share time and sequence. One more than asked is read to learn
 * whether another page follows.
 */
async function pageOf<T>(base: Query, q: HistoryQuery, map: (snap: DocumentSnapshot) => T): Promise<Page<T>> {
  let query = base;
  if (q.since !== null) query = query.where('at', '>=', ts(q.since));
  query = query.orderBy('at', 'desc').orderBy('seq', 'desc').orderBy(FieldPath.documentId(), 'desc');
  if (q.before !== null) query = query.startAfter(ts(q.before.at), q.before.seq, q.before.id);
  const snap = await query.limit(q.limit + 1).get();
  const shown = snap.docs.slice(0, q.limit);
  const last = shown[shown.length - 1];
  const next: PageKey | null =
    snap.docs.length > q.limit ? { at: (last.get('at') as Timestamp).toDate(), seq: Number(last.get('seq')), id: last.id } : null;
  return { items: shown.map(map), next };
}

function pingFields(monitor: Monitor, ping: PingData, t: PingTransition): DocumentData {
  const full: Ping = { ...ping, bodyTruncated: ping.bodyTruncated ?? false, monitorId: monitor.id, expiresAt: t.ping.expiresAt, duration: t.ping.duration };
  return pingDoc(full, monitor.pingCount + 1, monitor.accountId);
}

/**
 * A ping's body counted on its monitor, in the monitor write the ping makes anyway: the body
 * budget finds the accounts to total through this count, at no extra write per ping.
 */
function bodyCounted(ping: PingData): DocumentData {
  const size = bodySize(ping.body);
  return size > 0 ? { bodyBytesUnchecked: FieldValue.increment(size) } : {};
}

/** Documents one page of a removal or of trimming reads (and then writes). */
const PAGE = 500;
/** Unfinished deletions one `finishDeletions` call looks at, and monitors due for a body total one `trimPingBodies` call looks at. */
const DELETIONS_PER_CALL = 20;
const BODY_CHECK_MONITORS = 100;

/** Query snapshots grouped by the account they belong to, in the order each account first appears. */
function byAccount(docs: QueryDocumentSnapshot[]): Array<[string, QueryDocumentSnapshot[]]> {
  const groups = new Map<string, QueryDocumentSnapshot[]>();
  for (const d of docs) groups.set(String(d.get('accountId')), [...(groups.get(String(d.get('accountId'))) ?? []), d]);
  return [...groups];
}

/** Routine: the status stays as it is, so no flip and no notification is written. */
function isRoutine(m: Monitor, t: Transition, at: Date): boolean {
  if (t.flip !== null || t.notifications.length > 0 || t.changes.status !== m.status) return false;
  return m.alertAt === null || m.alertAt.getTime() - at.getTime() >= FAST_PING_MARGIN_MS;
}

export interface FirestoreStoreOptions {
  /** The Google Cloud project; omitted inside Cloud Functions, where the runtime supplies it. */
  projectId?: string;
}

/**
 * Opens a store on its own firebase-admin app, so that `close()` can shut down exactly what it
 * opened. `FIRESTORE_EMULATOR_HOST`, when set, points the client at the emulator.
 */
export function openFirestoreStore(options: FirestoreStoreOptions = {}): FirestoreStore {
  const app = initializeApp(options.projectId ? { projectId: options.projectId } : undefined, `cronpeek-${randomUUID()}`);
  return new FirestoreStore(getFirestore(app), () => deleteApp(app));
}

/**
 * The cloud adapter. A read that decides a write runs in a transaction (Firestore's server SDK
 * locks what the transaction reads, so a competing writer waits or retries); the one exception is
 * the routine ping, which is a compare-and-set on the monitor's update time instead.
 */
export class FirestoreStore implements Store, StoreInspection {
  private closing: Promise<void> | null = null;
  /** Serialises this instance's writes to one document (keyed by its path); see KeyedQueue. */
  private readonly queue = new KeyedQueue();
  /** Removals of deleted monitors' and accounts' documents running in the background. */
  private readonly removals = new Set<Promise<void>>();

  constructor(
    /** Public so that the rate limiter can keep its counters in the same database and client. */
    readonly db: Firestore,
    private readonly release: () => Promise<void> = async () => {},
  ) {}

  /** A transaction deciding a write to the document at `path`, queued behind this instance's others on it. */
  private transaction<T>(path: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.queue.run(path, () => this.db.runTransaction(fn, { maxAttempts: TRANSACTION_ATTEMPTS }));
  }

  private monitorRef(id: string) {
    return this.db.collection(MONITORS).doc(id);
  }

  async createAccount(a: Account): Promise<'created' | 'email_taken'> {
    const email = this.db.collection(EMAILS).doc(emailDocId(a.email));
    const batch = this.db.batch();
    batch.create(email, { accountId: a.id });
    batch.create(this.db.collection(API_KEYS).doc(a.apiKeyHash), { accountId: a.id });
    batch.create(this.db.collection(ACCOUNTS).doc(a.id), accountDoc(a));
    try {
      await batch.commit();
      return 'created';
    } catch (err) {
      // The batch is all or nothing; only when the e-mail document is what collided is it "taken".
      if (code(err) === ALREADY_EXISTS && (await email.get()).exists) return 'email_taken';
      throw err;
    }
  }

  async findAccountByKeyHash(hash: string): Promise<Account | null> {
    const key = await this.db.collection(API_KEYS).doc(hash).get();
    if (!key.exists) return null;
    const account = await this.db.collection(ACCOUNTS).doc(String(key.get('accountId'))).get();
    // A rotation committed between the two reads has already retired this key.
    return account.exists && account.get('apiKeyHash') === hash ? toAccount(account) : null;
  }

  async getAccount(id: string): Promise<Account | null> {
    const account = await this.db.collection(ACCOUNTS).doc(id).get();
    return account.exists ? toAccount(account) : null;
  }

  async setAccountPlan(accountId: string, plan: PlanId): Promise<Account | null> {
    const ref = this.db.collection(ACCOUNTS).doc(accountId);
    try {
      // update() refuses a missing document, so a plan is never written onto an account that is gone.
      await ref.update({ plan });
    } catch (err) {
      if (code(err) === NOT_FOUND) return null;
      throw err;
    }
    return this.getAccount(accountId);
  }

  async setAccountDefaults(accountId: string, defaults: AccountDefaults): Promise<Account | null> {
    try {
      // As with the plan: update() refuses a missing document, so nothing is written onto an account that is gone.
      await this.db.collection(ACCOUNTS).doc(accountId).update({ defaults: { remindEvery: defaults.remindEvery } });
    } catch (err) {
      if (code(err) === NOT_FOUND) return null;
      throw err;
    }
    return this.getAccount(accountId);
  }

  async getRecipient(id: string): Promise<Recipient | null> {
    const snap = await this.db.collection(RECIPIENTS).doc(id).get();
    return snap.exists ? toRecipient(snap) : null;
  }

  async saveRecipient(next: Recipient, readVersion: number | null): Promise<boolean> {
    const ref = this.db.collection(RECIPIENTS).doc(next.id);
    if (readVersion === null) {
      try {
        await ref.create(recipientDoc(next));
        return true;
      } catch (err) {
        if (code(err) === ALREADY_EXISTS) return false;
        throw err;
      }
    }
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists || snap.get('version') !== readVersion) return false;
      tx.set(ref, recipientDoc(next));
      return true;
    });
  }

  async findAccountByEmail(email: string): Promise<Account | null> {
    const entry = await this.db.collection(EMAILS).doc(emailDocId(email)).get();
    if (!entry.exists) return null;
    const account = await this.db.collection(ACCOUNTS).doc(String(entry.get('accountId'))).get();
    return account.exists ? toAccount(account) : null;
  }

  /** Moves the account's key document to `newKeyHash`; `account` must have been read by `tx`. */
  private moveApiKey(tx: Transaction, account: DocumentSnapshot, newKeyHash: string, extra: DocumentData = {}): void {
    tx.delete(this.db.collection(API_KEYS).doc(String(account.get('apiKeyHash'))));
    tx.create(this.db.collection(API_KEYS).doc(newKeyHash), { accountId: account.id });
    tx.update(account.ref, { apiKeyHash: newKeyHash, ...extra });
  }

  async replaceApiKey(accountId: string, currentKeyHash: string, newKeyHash: string): Promise<boolean> {
    const ref = this.db.collection(ACCOUNTS).doc(accountId);
    return this.transaction(ref.path, async (tx) => {
      const account = await tx.get(ref);
      if (!account.exists || account.get('apiKeyHash') !== currentKeyHash) return false;
      this.moveApiKey(tx, account, newKeyHash);
      return true;
    });
  }

  /** The account document for an e-mail, through its `emails` entry (which never changes while the account exists). */
  private async accountRefByEmail(email: string) {
    const entry = await this.db.collection(EMAILS).doc(emailDocId(email)).get();
    return entry.exists ? this.db.collection(ACCOUNTS).doc(String(entry.get('accountId'))) : null;
  }

  async saveRecoveryToken(email: string, tokenHash: string, expiresAt: Date): Promise<boolean> {
    const ref = await this.accountRefByEmail(email);
    if (ref === null) return false;
    try {
      await ref.update({ recoveryTokenHash: tokenHash, recoveryExpiresAt: ts(expiresAt) });
      return true;
    } catch (err) {
      if (code(err) === NOT_FOUND) return false; // deleted meanwhile
      throw err;
    }
  }

  async redeemRecoveryToken(email: string, tokenHash: string, now: Date, newKeyHash: string): Promise<boolean> {
    const ref = await this.accountRefByEmail(email);
    if (ref === null) return false;
    // The transaction locks the account: a second redemption of the token waits, then finds it spent.
    return this.transaction(ref.path, async (tx) => {
      const account = await tx.get(ref);
      if (!account.exists || account.get('email') !== email || account.get('recoveryTokenHash') !== tokenHash) return false;
      const expiresAt = account.get('recoveryExpiresAt');
      if (!(expiresAt instanceof Timestamp) || expiresAt.toMillis() <= now.getTime()) return false;
      this.moveApiKey(tx, account, newKeyHash, { recoveryTokenHash: null, recoveryExpiresAt: null });
      return true;
    });
  }

  /**
   * Monitors first (each gone at once, its history removed in the background), then recipient
   * records, channel objects and maintenance windows, then the account with its key and e-mail, in a transaction that
   * goes ahead only once the account holds no monitor: one created meanwhile sends the loop round again. Until that last
   * step the account still works, so a deletion cut short can simply be asked for again. The same
   * transaction records the deletion, so the account's notifications are removed after it,
   * in the background and, should that be cut short, by the checker (`finishDeletions`), with
   * any channel object or window created while the account was being deleted.
   */
  async deleteAccount(accountId: string): Promise<boolean> {
    const ref = this.db.collection(ACCOUNTS).doc(accountId);
    const deletion = this.deletionRef('account', accountId);
    for (let round = 0; round < 10; round++) {
      for (const m of await this.listMonitors(accountId)) await this.deleteMonitor(m.id);
      const recipients = await this.db.collection(RECIPIENTS).where('accountId', '==', accountId).select().get();
      // Channel objects and maintenance windows go with the recipients; one created meanwhile goes with the notifications, in the background.
      const channels = await this.db.collection(CHANNELS).where('accountId', '==', accountId).select().get();
      const windows = await this.db.collection(WINDOWS).where('accountId', '==', accountId).select().get();
      const pages = await Promise.all([STATUS_PAGES, STATUS_PAGE_SLUGS].map((c) => this.db.collection(c).where('accountId', '==', accountId).select().get()));
      const writer = this.db.bulkWriter();
      for (const d of [...recipients.docs, ...channels.docs, ...windows.docs, ...pages.flatMap((p) => p.docs)]) void writer.delete(d.ref);
      await writer.close();
      const outcome = await this.transaction(ref.path, async (tx) => {
        const account = await tx.get(ref);
        if (!account.exists) return 'missing';
        if (Number(account.get('monitorCount')) > 0) return 'busy';
        // Read in the transaction that deletes the account: a key created before it is seen here, one after finds no account.
        const readKeys = await tx.get(this.readKeysOf(accountId));
        const sessions = await tx.get(this.sessionsOf(accountId));
        tx.delete(ref);
        for (const k of [...readKeys.docs, ...sessions.docs]) tx.delete(k.ref);
        const signInToken = account.get('signInTokenHash');
        if (typeof signInToken === 'string') tx.delete(this.db.collection(SIGN_IN_TOKENS).doc(signInToken));
        tx.delete(this.db.collection(API_KEYS).doc(String(account.get('apiKeyHash'))));
        const pingKey = account.get('pingKeyHash');
        if (typeof pingKey === 'string') tx.delete(this.db.collection(PING_KEYS).doc(pingKey));
        tx.delete(this.db.collection(EMAILS).doc(emailDocId(String(account.get('email')))));
        tx.set(deletion, deletionDoc('account', accountId));
        return 'deleted';
      });
      if (outcome === 'deleted') this.removeInBackground(deletion);
      if (outcome !== 'busy') return outcome === 'deleted';
    }
    throw new Error(`account ${accountId} kept gaining monitors while being deleted`);
  }

  /** One transaction on the account: the cap, the slug's `monitorSlugs` document (read and created here) and the monitor. */
  async createMonitor(m: Monitor, maxMonitors: number | null): Promise<'created' | 'limit_reached' | 'slug_taken'> {
    const accountRef = this.db.collection(ACCOUNTS).doc(m.accountId);
    const slugRef = m.slug == null ? null : this.slugRef(m.accountId, m.slug);
    try {
      return await this.transaction(accountRef.path, async (tx) => {
        const [account, slug] = slugRef === null ? [await tx.get(accountRef), null] : await tx.getAll(accountRef, slugRef);
        // Like the SQLite adapter, there is no slot to take on an account that does not exist.
        if (!account.exists) return 'limit_reached';
        if (slug?.exists) return 'slug_taken';
        if (maxMonitors !== null && Number(account.get('monitorCount')) >= maxMonitors) return 'limit_reached';
        const seq = Number(account.get('monitorSeq') ?? 0) + 1;
        const channels = await this.currentAttachments(tx, m.accountId, m.channels);
        tx.update(accountRef, { monitorCount: FieldValue.increment(1), monitorSeq: seq });
        if (slugRef !== null) tx.create(slugRef, { monitorId: m.id, accountId: m.accountId });
        tx.create(this.monitorRef(m.id), monitorDoc({ ...m, channels }, seq));
        return 'created';
      });
    } catch (err) {
      if (code(err) === ALREADY_EXISTS && slugRef !== null && (await slugRef.get()).exists) return 'slug_taken';
      throw err;
    }
  }

  private slugRef(accountId: string, slug: string): DocumentReference {
    return this.db.collection(MONITOR_SLUGS).doc(monitorSlugId(accountId, slug));
  }

  /** Two document reads: the slug's entry, then its monitor (which must still carry the slug: a change may have just moved it). */
  async findMonitorBySlug(accountId: string, slug: string): Promise<Monitor | null> {
    const entry = await this.slugRef(accountId, slug).get();
    if (!entry.exists) return null;
    const monitor = await this.getMonitor(String(entry.get('monitorId')));
    return monitor !== null && monitor.accountId === accountId && monitor.slug === slug ? monitor : null;
  }

  /** One transaction: the monitor and, for a new slug, its entry created and the old one deleted. */
  async setMonitorSlug(id: string, slug: string | null): Promise<Monitor | null | 'slug_taken'> {
    const ref = this.monitorRef(id);
    let newSlug: DocumentReference | null = null;
    try {
      return await this.transaction(ref.path, async (tx) => {
        const snap = await tx.get(ref);
        if (!snap.exists) return null;
        const current = toMonitor(snap);
        const old = current.slug ?? null;
        if (old === slug) return current;
        newSlug = slug === null ? null : this.slugRef(current.accountId, slug);
        if (newSlug !== null) {
          if ((await tx.get(newSlug)).exists) return 'slug_taken';
          tx.create(newSlug, { monitorId: id, accountId: current.accountId });
        }
        if (old !== null) tx.delete(this.slugRef(current.accountId, old));
        tx.update(ref, { slug });
        return { ...current, slug };
      });
    } catch (err) {
      if (code(err) === ALREADY_EXISTS && newSlug !== null && (await (newSlug as DocumentReference).get()).exists) return 'slug_taken';
      throw err;
    }
  }

  /** One transaction: the account's new `pingKeys` entry, the old one deleted, the hash on the account. */
  async setPingKey(accountId: string, pingKeyHash: string): Promise<boolean> {
    const ref = this.db.collection(ACCOUNTS).doc(accountId);
    return this.transaction(ref.path, async (tx) => {
      const account = await tx.get(ref);
      if (!account.exists) return false;
      const old = account.get('pingKeyHash');
      if (typeof old === 'string') tx.delete(this.db.collection(PING_KEYS).doc(old));
      tx.set(this.db.collection(PING_KEYS).doc(pingKeyHash), { accountId });
      tx.update(ref, { pingKeyHash });
      return true;
    });
  }

  async findAccountByPingKeyHash(pingKeyHash: string): Promise<Account | null> {
    const key = await this.db.collection(PING_KEYS).doc(pingKeyHash).get();
    if (!key.exists) return null;
    const account = await this.getAccount(String(key.get('accountId')));
    // A rotation committed between the two reads has already retired this key.
    return account !== null && account.pingKeyHash === pingKeyHash ? account : null;
  }

  async listMonitors(accountId: string): Promise<Monitor[]> {
    const snap = await this.db
      .collection(MONITORS)
      .where('accountId', '==', accountId)
      .orderBy('createdAt', 'desc')
      .orderBy('seq', 'desc')
      .get();
    return snap.docs.map(toMonitor);
  }

  async getMonitor(id: string): Promise<Monitor | null> {
    const snap = await this.monitorRef(id).get();
    return snap.exists ? toMonitor(snap) : null;
  }

  async deleteMonitor(id: string): Promise<boolean> {
    const ref = this.monitorRef(id);
    const deletion = this.deletionRef('monitor', id);
    const existed = await this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return false;
      tx.delete(ref);
      const slug = snap.get('slug');
      if (typeof slug === 'string') tx.delete(this.slugRef(String(snap.get('accountId')), slug));
      tx.update(this.db.collection(ACCOUNTS).doc(String(snap.get('accountId'))), { monitorCount: FieldValue.increment(-1) });
      tx.set(deletion, deletionDoc('monitor', id));
      return true;
    });
    // History is removed after the monitor, without holding up the caller: no ping can land
    // meanwhile, since every ping write needs the monitor document to exist (update precondition
    // or transaction read).
    if (existed) this.removeInBackground(deletion);
    return existed;
  }

  private deletionRef(kind: DeletionKind, id: string): DocumentReference {
    return this.db.collection(DELETIONS).doc(`${kind}:${id}`);
  }

  /**
   * Removes a deletion's documents without holding up its caller. Whatever it leaves (the store
   * closes, a Cloud Function instance ends or is throttled once it has answered) the checker's
   * `finishDeletions` removes.
   */
  private removeInBackground(deletion: DocumentReference): void {
    const removal: Promise<void> = this.removeLeftovers(deletion, () => this.closing === null)
      .then(() => undefined, () => undefined)
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  async finishDeletions(keepGoing: () => boolean): Promise<number> {
    const pending = await this.db.collection(DELETIONS).limit(DELETIONS_PER_CALL).get();
    let removed = 0;
    for (const deletion of pending.docs) {
      if (!keepGoing()) break;
      removed += await this.removeLeftovers(deletion.ref, keepGoing);
    }
    return removed;
  }

  /**
   * Deletes what a deletion left, a page at a time through one BulkWriter, then the deletion
   * itself once nothing is left; stops between pages when `keepGoing` answers false. Two of these
   * on one deletion (the background and the checker) only repeat deletes. Returns how many documents it deleted.
   */
  private async removeLeftovers(deletion: DocumentReference, keepGoing: () => boolean): Promise<number> {
    const snap = await deletion.get();
    if (!snap.exists) return 0;
    const owner = String(snap.get('ownerId'));
    const leftovers: Query[] =
      snap.get('kind') === 'monitor'
        ? [this.monitorRef(owner).collection(PINGS), this.monitorRef(owner).collection(FLIPS)]
        : [
            this.db.collection(NOTIFICATIONS).where('accountId', '==', owner),
            this.db.collection(CHANNELS).where('accountId', '==', owner),
            this.db.collection(WINDOWS).where('accountId', '==', owner),
            this.db.collection(STATUS_PAGES).where('accountId', '==', owner),
            this.db.collection(STATUS_PAGE_SLUGS).where('accountId', '==', owner),
          ];
    const writer = this.db.bulkWriter();
    let removed = 0;
    try {
      for (const query of leftovers) {
        const pages = await this.deletePages(query, writer, keepGoing);
        removed += pages.removed;
        if (!pages.done) return removed;
      }
      await deletion.delete();
      return removed;
    } finally {
      await writer.close();
    }
  }

  /** Deletes every document `query` matches, a page at a time; `done` is false when it stopped early. */
  private async deletePages(query: Query, writer: BulkWriter, keepGoing: () => boolean): Promise<{ removed: number; done: boolean }> {
    let removed = 0;
    let after: string | null = null;
    for (;;) {
      if (!keepGoing()) return { removed, done: false };
      // A cursor past the last page: a query from the start would first skip every deleted entry.
      let page = query.orderBy(FieldPath.documentId()).limit(PAGE).select();
      if (after !== null) page = page.startAfter(after);
      const snap = await page.get();
      let failed: unknown = null;
      for (const d of snap.docs) void writer.delete(d.ref).catch((err: unknown) => (failed = err));
      await writer.flush();
      // A delete that failed for good (BulkWriter retries the others) keeps the deletion for another run.
      if (failed !== null) throw failed;
      removed += snap.size;
      if (snap.size < PAGE) return { removed, done: true };
      after = snap.docs[snap.size - 1].id;
    }
  }

  async findMonitorByBadgeKey(badgeKey: string): Promise<Monitor | null> {
    // An equality query on one field: served by Firestore's automatic single-field index.
    const found = await this.db.collection(MONITORS).where('badgeKey', '==', badgeKey).limit(1).get();
    return found.empty ? null : toMonitor(found.docs[0]);
  }

  async findMonitorByPingToken(pingToken: string): Promise<Monitor | null> {
    // The query recordPing makes, on the single-field index of pingToken.
    const found = await this.db.collection(MONITORS).where('pingToken', '==', pingToken).limit(1).get();
    return found.empty ? null : toMonitor(found.docs[0]);
  }

  async recordPing(token: string, ping: PingData, decide: DecidePing): Promise<Applied | null> {
    const found = await this.db.collection(MONITORS).where('pingToken', '==', token).limit(1).get();
    if (found.empty) return null;
    const ref = found.docs[0].ref;
    return this.queue.run(ref.path, async (waited) => {
      // Behind another write of this instance, the query's snapshot is stale: read it again.
      const snap = waited ? await ref.get() : found.docs[0];
      if (!snap.exists) return null;
      return (await this.routinePing(snap, ping, decide)) ?? this.pingInTransaction(ref.path, ping, decide);
    });
  }

  /**
   * The common case in one read (the token query above) and two writes: the monitor's update,
   * conditional on it being unchanged since that read, and the new ping. Null hands the ping to
   * the transaction: a status change, a deadline too close, or a lost compare-and-set (a
   * concurrent ping, pause, sweep or delete).
   */
  private async routinePing(snap: DocumentSnapshot, ping: PingData, decide: DecidePing): Promise<Applied | null> {
    const monitor = toMonitor(snap);
    const t = decide(monitor);
    if (!isRoutine(monitor, t, ping.at)) return null;
    const batch = this.db.batch();
    batch.update(snap.ref, { ...changesDoc(t.changes), ...bodyCounted(ping) }, { lastUpdateTime: snap.updateTime as Timestamp });
    batch.create(snap.ref.collection(PINGS).doc(), pingFields(monitor, ping, t));
    try {
      await batch.commit();
    } catch (err) {
      if (code(err) === FAILED_PRECONDITION || code(err) === NOT_FOUND) return null;
      throw err;
    }
    return { monitor: applyChanges(monitor, t.changes), transition: t };
  }

  /** Runs inside the monitor's queue slot already, so it goes straight to Firestore. */
  private async pingInTransaction(path: string, ping: PingData, decide: DecidePing): Promise<Applied | null> {
    const ref = this.db.doc(path);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return null;
      const monitor = toMonitor(snap);
      const t = decide(monitor);
      tx.create(ref.collection(PINGS).doc(), pingFields(monitor, ping, t));
      return this.applyInTransaction(tx, snap, monitor, t, bodyCounted(ping));
    }, { maxAttempts: TRANSACTION_ATTEMPTS });
  }

  async updateMonitor(id: string, decide: Decide): Promise<Applied | null> {
    const ref = this.monitorRef(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return null;
      const monitor = toMonitor(snap);
      return this.applyInTransaction(tx, snap, monitor, decide(monitor));
    });
  }

  /** Writes a transition with its flip and notifications (`also`: more monitor fields); every read of `tx` must be done. */
  private applyInTransaction(tx: Transaction, snap: DocumentSnapshot, monitor: Monitor, t: Transition | null, also: DocumentData = {}): Applied {
    if (t === null) return { monitor, transition: null };
    const update = { ...changesDoc(t.changes), ...also };
    // The flip's number orders flips of the same millisecond; the transition set it as the monitor's new flip count.
    if (t.flip) tx.create(snap.ref.collection(FLIPS).doc(t.flip.id), flipDoc(t.flip, t.changes.flipCount ?? monitor.flipCount + 1));
    for (const n of t.notifications) tx.create(this.db.collection(NOTIFICATIONS).doc(n.id), notificationDoc(n));
    tx.update(snap.ref, update);
    return { monitor: applyChanges(monitor, t.changes), transition: t };
  }

  async postponeMonitor(id: string, until: Date): Promise<void> {
    await this.postpone(this.monitorRef(id), 'alertAt', until, {});
  }

  /** Moves a timestamp field forward, reading only that field: the rest of the document may be what failed. */
  private async postpone(ref: DocumentReference, field: string, until: Date, also: DocumentData): Promise<void> {
    await this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      const current = snap.exists ? snap.get(field) : null;
      if (!(current instanceof Timestamp)) return;
      tx.update(ref, { ...also, [field]: current.toMillis() >= until.getTime() ? current : ts(until) });
    });
  }

  async editMonitor(id: string, edit: (monitor: Monitor) => MonitorUpdate): Promise<Monitor | null> {
    const ref = this.monitorRef(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return null;
      const monitor = toMonitor(snap);
      const edited = edit(monitor);
      const update = edited.channels === undefined ? edited : { ...edited, channels: await this.currentAttachments(tx, monitor.accountId, edited.channels) };
      // Any write moves the update time, so a routine ping that read the monitor before this edit fails its precondition and is redone.
      if (Object.keys(update).length > 0) tx.update(ref, editDoc(update));
      return { ...monitor, ...update };
    });
  }

  async findDueMonitors(now: Date, limit: number): Promise<string[]> {
    // select() with no fields: the sweep needs ids only, and each is re-read in its transaction.
    const snap = await this.db
      .collection(MONITORS)
      .where('alertAt', '<=', ts(now))
      .orderBy('alertAt')
      .limit(limit)
      .select()
      .get();
    return snap.docs.map((d) => d.id);
  }

  async nextDueAt(): Promise<Date | null> {
    // Null sorts before every timestamp, so the range keeps unarmed monitors and finished alerts out.
    const earliest = async (collection: string, field: string): Promise<number | null> => {
      const snap = await this.db.collection(collection).where(field, '>=', Timestamp.fromMillis(0)).orderBy(field).limit(1).select(field).get();
      return snap.empty ? null : (snap.docs[0].get(field) as Timestamp).toMillis();
    };
    const times = (await Promise.all([earliest(MONITORS, 'alertAt'), earliest(NOTIFICATIONS, 'nextAttemptAt')])).filter((t): t is number => t !== null);
    return times.length === 0 ? null : new Date(Math.min(...times));
  }

  pingHistory(monitorId: string, q: HistoryQuery): Promise<Page<Ping>> {
    return pageOf(this.monitorRef(monitorId).collection(PINGS), q, (d) => toPing(monitorId, d));
  }

  flipHistory(monitorId: string, q: HistoryQuery): Promise<Page<Flip>> {
    return pageOf(this.monitorRef(monitorId).collection(FLIPS), q, (d) => toFlip(monitorId, d));
  }

  /**
   * In production the TTL policy on `expiresAt` deletes expired pings on its own, within a day or
   * so; this removes the ones it has not reached yet, so history never outlives its window.
   */
  async purgeExpiredPings(now: Date, limit: number): Promise<number> {
    const snap = await this.db.collectionGroup(PINGS).where('expiresAt', '<=', ts(now)).limit(limit).select().get();
    const BATCH_LIMIT = 500;
    const commits: Array<Promise<unknown>> = [];
    for (let i = 0; i < snap.docs.length; i += BATCH_LIMIT) {
      const batch = this.db.batch();
      for (const d of snap.docs.slice(i, i + BATCH_LIMIT)) batch.delete(d.ref);
      commits.push(batch.commit());
    }
    await Promise.all(commits);
    return snap.size;
  }

  async countAlertEmail(accountId: string, recipient: string, hour: number, caps: EmailCaps): Promise<EmailCount> {
    const refs = emailCounters(accountId, recipient).map((c) => this.db.collection(RATE_LIMITS).doc(alertEmailCounterId(c, hour)));
    // Both counters are read and written in one transaction: deliveries running together queue on
    // the locks it takes, so none of them passes a cap.
    return this.transaction(refs[0].path, async (tx) => {
      const counts = (await tx.getAll(...refs)).map((snap) => (snap.exists ? Number(snap.get('count')) : 0));
      if (counts[0] >= caps.perAccount) return 'account_cap';
      if (counts[1] >= caps.perRecipient) return 'recipient_cap';
      // Counters of past hours are never read again: the TTL policy on `expiresAt` deletes them.
      const expiresAt = Timestamp.fromMillis((hour + 1) * 3_600_000);
      refs.forEach((ref, i) => tx.set(ref, { count: counts[i] + 1, expiresAt }));
      return 'counted';
    });
  }

  async trimPingBodies(budget: BodyBudget, keepGoing: () => boolean): Promise<number> {
    const due = await this.db
      .collection(MONITORS)
      .where('bodyBytesUnchecked', '>=', budget.checkEvery)
      .limit(BODY_CHECK_MONITORS)
      .select('accountId', 'bodyBytesUnchecked')
      .get();
    let dropped = 0;
    for (const [accountId, monitors] of byAccount(due.docs)) {
      const account = await this.getAccount(accountId);
      if (account !== null) {
        const trimmed = await this.trimAccount(accountId, budget.bytes[account.plan], keepGoing);
        dropped += trimmed.dropped;
        // Still over budget: its monitors stay due, and the next call carries on.
        if (!trimmed.done) return dropped;
      }
      // Subtracting what was read keeps the bytes stored meanwhile for the next total.
      for (const m of monitors) {
        await m.ref.update({ bodyBytesUnchecked: FieldValue.increment(-Number(m.get('bodyBytesUnchecked'))) }).catch((err: unknown) => {
          if (code(err) !== NOT_FOUND) throw err; // deleted meanwhile
        });
      }
      if (!keepGoing()) break;
    }
    return dropped;
  }

  /**
   * Drops the oldest bodies of the account's pings, across its monitors, until the rest fit in
   * `allowed` bytes. The total is an aggregation (billed one read per 1,000 pings with a body),
   * and only pings with a body have `bodyAt`, so trimming reads no others.
   */
  private async trimAccount(accountId: string, allowed: number, keepGoing: () => boolean): Promise<{ dropped: number; done: boolean }> {
    const pings = this.db.collectionGroup(PINGS).where('accountId', '==', accountId);
    const total = await pings.where('bodySize', '>', 0).aggregate({ bytes: AggregateField.sum('bodySize') }).get();
    let excess = Number(total.data().bytes ?? 0) - allowed;
    let dropped = 0;
    while (excess > 0) {
      if (!keepGoing()) return { dropped, done: false };
      const oldest = await pings.orderBy('bodyAt').limit(PAGE).select('bodySize').get();
      if (oldest.empty) break;
      const batch = this.db.batch();
      let chosen = 0;
      for (const d of oldest.docs) {
        if (excess <= 0) break;
        batch.update(d.ref, BODY_DROPPED);
        excess -= Number(d.get('bodySize'));
        chosen++;
      }
      try {
        await batch.commit();
      } catch (err) {
        // A ping removed meanwhile (its monitor was deleted): the next call totals the account afresh.
        if (code(err) === NOT_FOUND) return { dropped, done: false };
        throw err;
      }
      dropped += chosen;
    }
    return { dropped, done: true };
  }

  async findDueNotifications(now: Date, limit: number, exceptAccounts: readonly string[] = []): Promise<Notification[]> {
    let due = this.db.collection(NOTIFICATIONS).where('nextAttemptAt', '<=', ts(now));
    // A second inequality: served by the (nextAttemptAt, accountId) index, in nextAttemptAt order.
    if (exceptAccounts.length > 0) due = due.where('accountId', 'not-in', [...exceptAccounts]);
    const snap = await due.orderBy('nextAttemptAt').limit(limit).get();
    const { readable, unreadable } = readDueRows(snap.docs, toNotification, now);
    for (const { row, setAside } of unreadable) {
      await row.ref.update({ nextAttemptAt: ts(setAside.nextAttemptAt), lastError: setAside.lastError });
    }
    return readable;
  }

  async claimNotification(id: string, now: Date, leaseUntil: Date): Promise<Notification | null> {
    const ref = this.db.collection(NOTIFICATIONS).doc(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return null;
      const n = toNotification(snap);
      if (n.nextAttemptAt === null || n.nextAttemptAt.getTime() > now.getTime()) return null;
      const claimed: Notification = { ...n, state: 'processing', attempts: n.attempts + 1, nextAttemptAt: leaseUntil };
      tx.update(ref, { state: claimed.state, attempts: claimed.attempts, nextAttemptAt: ts(leaseUntil) });
      return claimed;
    });
  }

  async wakeHeldNotifications(accountId: string, monitorIds: readonly string[] | null, now: Date): Promise<number> {
    // Served by the (accountId, nextAttemptAt) index: the account's rows still to be looked at, held ones among them.
    const snap = await this.db.collection(NOTIFICATIONS).where('accountId', '==', accountId).where('nextAttemptAt', '>', ts(now)).get();
    const wanted = monitorIds === null ? null : new Set(monitorIds);
    const held = snap.docs.filter((d) => d.get('state') === 'held' && (wanted === null || wanted.has(String(d.get('monitorId')))));
    // Each update holds only if the row is as it was read: one claimed meanwhile keeps its lease.
    const results = await Promise.allSettled(held.map((d) => d.ref.update({ nextAttemptAt: ts(now) }, { lastUpdateTime: d.updateTime })));
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  async postponeNotification(id: string, until: Date, reason: string): Promise<void> {
    await this.postpone(this.db.collection(NOTIFICATIONS).doc(id), 'nextAttemptAt', until, { lastError: reason });
  }

  async recordDelivery(id: string, attempt: number, rec: DeliveryRecord): Promise<boolean> {
    const ref = this.db.collection(NOTIFICATIONS).doc(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      // Only the holder of the latest claim may record: a stale worker whose lease lapsed loses.
      if (!snap.exists || snap.get('attempts') !== attempt || snap.get('state') !== 'processing') return false;
      tx.update(ref, {
        state: rec.state,
        nextAttemptAt: rec.nextAttemptAt === null ? null : ts(rec.nextAttemptAt),
        lastError: rec.lastError,
        deliveredAt: rec.deliveredAt === null ? null : ts(rec.deliveredAt),
        attempts: rec.attempts ?? attempt,
      });
      return true;
    });
  }

  // StoreInspection: reads only tests and the bench make.

  async listPings(monitorId: string, limit: number): Promise<Ping[]> {
    const snap = await this.monitorRef(monitorId)
      .collection(PINGS)
      .orderBy('at', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit)
      .get();
    return snap.docs.map((d) => toPing(monitorId, d));
  }

  async listFlips(monitorId: string): Promise<Flip[]> {
    const snap = await this.monitorRef(monitorId).collection(FLIPS).orderBy('at').orderBy('seq').get();
    return snap.docs.map((d) => toFlip(monitorId, d));
  }

  async getNotification(id: string): Promise<Notification | null> {
    const snap = await this.db.collection(NOTIFICATIONS).doc(id).get();
    return snap.exists ? toNotification(snap) : null;
  }

  async listNotifications(monitorId: string): Promise<Notification[]> {
    const snap = await this.db.collection(NOTIFICATIONS).where('monitorId', '==', monitorId).orderBy('createdAt').get();
    return snap.docs.map(toNotification);
  }

  async deletionsSettled(): Promise<void> {
    while (this.removals.size > 0) await Promise.all([...this.removals]);
  }

  /**
   * Attached channels as their channel objects are now (see the SQLite adapter's twin): read by
   * `tx`, so an attachment committed with it never outlives a delete or misses an events change
   * that committed first; those deleted or another account's are left out.
   */
  private async currentAttachments(tx: Transaction, accountId: string, channels: readonly AttachedChannel[]): Promise<AttachedChannel[]> {
    if (channels.length === 0) return [];
    const snaps = await tx.getAll(...channels.map((c) => this.db.collection(CHANNELS).doc(c.id)));
    return snaps
      .filter((snap) => snap.exists && snap.get('accountId') === accountId)
      .map((snap) => ({ id: snap.id, kind: snap.get('kind'), events: [...(snap.get('events') as AttachedChannel['events'])] }));
  }

  /** The account's read-only keys: at most the cap, one small query on `accountId` (see READ_KEYS). */
  private readKeysOf(accountId: string): Query {
    return this.db.collection(READ_KEYS).where('accountId', '==', accountId);
  }

  /** The account's sessions: at most the cap (and a few expired ones), one small query on `accountId` (see SESSIONS). */
  private sessionsOf(accountId: string): Query {
    return this.db.collection(SESSIONS).where('accountId', '==', accountId);
  }

  /** The account's link replaces its last one in one transaction: `signInTokenHash` on the account names the one to delete. */
  async saveSignInToken(email: string, tokenHash: string, expiresAt: Date): Promise<boolean> {
    const ref = await this.accountRefByEmail(email);
    if (ref === null) return false;
    return this.transaction(ref.path, async (tx) => {
      const account = await tx.get(ref);
      if (!account.exists) return false; // deleted meanwhile
      const previous = account.get('signInTokenHash');
      if (typeof previous === 'string') tx.delete(this.db.collection(SIGN_IN_TOKENS).doc(previous));
      tx.set(this.db.collection(SIGN_IN_TOKENS).doc(tokenHash), signInTokenDoc(account.id, expiresAt));
      tx.update(ref, { signInTokenHash: tokenHash });
      return true;
    });
  }

  /** The transaction reads the token's document: a second redemption waits, then finds it gone. */
  async redeemSignInToken(tokenHash: string, now: Date): Promise<string | null> {
    const ref = this.db.collection(SIGN_IN_TOKENS).doc(tokenHash);
    return this.transaction(ref.path, async (tx) => {
      const token = await tx.get(ref);
      if (!token.exists) return null;
      const accountRef = this.db.collection(ACCOUNTS).doc(String(token.get('accountId')));
      const account = await tx.get(accountRef);
      tx.delete(ref);
      if (account.get('signInTokenHash') === tokenHash) tx.update(accountRef, { signInTokenHash: null });
      const expiresAt = token.get('expiresAt');
      return account.exists && expiresAt instanceof Timestamp && expiresAt.toMillis() > now.getTime() ? account.id : null;
    });
  }

  async createSession(session: Session, maxSessions: number, now: Date): Promise<'created' | 'no_account'> {
    const accountRef = this.db.collection(ACCOUNTS).doc(session.accountId);
    // As for read-only keys: the account's sessions are read and written in one transaction, so sign-ins racing at the cap queue on its lock.
    return this.transaction(accountRef.path, async (tx) => {
      const account = await tx.get(accountRef);
      if (!account.exists) return 'no_account';
      const held = (await tx.get(this.sessionsOf(session.accountId))).docs.sort(newestFirst);
      const live = held.filter((d) => (d.get('expiresAt') as Timestamp).toMillis() > now.getTime());
      for (const d of held.filter((h) => !live.includes(h))) tx.delete(d.ref);
      for (const d of live.slice(Math.max(0, maxSessions - 1))) tx.delete(d.ref);
      const seq = Number(account.get('sessionSeq') ?? 0) + 1;
      tx.update(accountRef, { sessionSeq: seq });
      tx.create(this.db.collection(SESSIONS).doc(session.sessionHash), sessionDoc(session, seq));
      return 'created';
    });
  }

  /** One document read, like a key's: the hash is the document id. */
  async findSessionByHash(sessionHash: string): Promise<Session | null> {
    const snap = await this.db.collection(SESSIONS).doc(sessionHash).get();
    return snap.exists ? toSession(snap) : null;
  }

  async listSessions(accountId: string): Promise<Session[]> {
    return (await this.sessionsOf(accountId).get()).docs.sort(newestFirst).map(toSession);
  }

  /** Found among its account's, so another account's session is never touched; of two concurrent deletes one reports it. */
  async deleteSession(accountId: string, id: string): Promise<boolean> {
    return this.transaction(`${ACCOUNTS}/${accountId}`, async (tx) => {
      const session = (await tx.get(this.sessionsOf(accountId))).docs.find((d) => d.get('sessionId') === id);
      if (session === undefined) return false;
      tx.delete(session.ref);
      return true;
    });
  }

  async createReadKey(key: ReadKey, maxKeys: number): Promise<'created' | 'limit_reached'> {
    const accountRef = this.db.collection(ACCOUNTS).doc(key.accountId);
    // As for channels: the count on the account is read and written in one transaction, so creates racing at the cap queue on its lock.
    return this.transaction(accountRef.path, async (tx) => {
      const account = await tx.get(accountRef);
      if (!account.exists) return 'limit_reached';
      if (Number(account.get('readKeyCount') ?? 0) >= maxKeys) return 'limit_reached';
      const seq = Number(account.get('readKeySeq') ?? 0) + 1;
      tx.update(accountRef, { readKeyCount: FieldValue.increment(1), readKeySeq: seq });
      tx.create(this.db.collection(READ_KEYS).doc(key.keyHash), readKeyDoc(key, seq));
      return 'created';
    });
  }

  /** One document read, like the main key's: the hash is the document id. */
  async findReadKeyByHash(keyHash: string): Promise<ReadKey | null> {
    const snap = await this.db.collection(READ_KEYS).doc(keyHash).get();
    return snap.exists ? toReadKey(snap) : null;
  }

  /** Oldest first, sorted here: a handful of documents need no composite index. */
  async listReadKeys(accountId: string): Promise<ReadKey[]> {
    const snap = await this.readKeysOf(accountId).get();
    const age = (d: QueryDocumentSnapshot): [number, number] => [(d.get('createdAt') as Timestamp).toMillis(), Number(d.get('seq'))];
    return snap.docs
      .map((d) => ({ d, at: age(d) }))
      .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1])
      .map(({ d }) => toReadKey(d));
  }

  /** One transaction: the key and its slot on the account. The key is found among its account's, so another account's is never touched. */
  async deleteReadKey(accountId: string, id: string): Promise<boolean> {
    const accountRef = this.db.collection(ACCOUNTS).doc(accountId);
    return this.transaction(accountRef.path, async (tx) => {
      const key = (await tx.get(this.readKeysOf(accountId))).docs.find((d) => d.get('keyId') === id);
      if (key === undefined) return false;
      const account = await tx.get(accountRef);
      tx.delete(key.ref);
      if (account.exists) tx.update(accountRef, { readKeyCount: FieldValue.increment(-1) });
      return true;
    });
  }

  createChannel(channel: AlertChannel, maxChannels: number): Promise<'created' | 'limit_reached'> {
    return this.createCounted(channel.accountId, 'channel', maxChannels, this.db.collection(CHANNELS).doc(channel.id), (seq) => channelDoc(channel, seq));
  }

  /**
   * Creates `ref` under a cap counted on its account (`<counter>Count`), numbering it from
   * `<counter>Seq` so that one account's objects list in creation order. The count is read and
   * written in one transaction: creates racing at the cap queue on the account's lock. Accounts
   * stored before a kind of object existed have neither field.
   */
  private createCounted(accountId: string, counter: 'channel' | 'window', max: number, ref: DocumentReference, doc: (seq: number) => DocumentData): Promise<'created' | 'limit_reached'> {
    const accountRef = this.db.collection(ACCOUNTS).doc(accountId);
    return this.transaction(accountRef.path, async (tx) => {
      const account = await tx.get(accountRef);
      if (!account.exists) return 'limit_reached';
      if (Number(account.get(`${counter}Count`) ?? 0) >= max) return 'limit_reached';
      const seq = Number(account.get(`${counter}Seq`) ?? 0) + 1;
      tx.update(accountRef, { [`${counter}Count`]: FieldValue.increment(1), [`${counter}Seq`]: seq });
      tx.create(ref, doc(seq));
      return 'created';
    });
  }

  async listChannels(accountId: string): Promise<AlertChannel[]> {
    const snap = await this.db.collection(CHANNELS).where('accountId', '==', accountId).orderBy('createdAt').orderBy('seq').get();
    return snap.docs.map(toChannel);
  }

  async getChannel(id: string): Promise<AlertChannel | null> {
    const snap = await this.db.collection(CHANNELS).doc(id).get();
    return snap.exists ? toChannel(snap) : null;
  }

  /** The monitors channel `id` is attached to, read by `tx` (a transaction may run a query; it locks what it returns). */
  private attachedMonitors(tx: Transaction, id: string) {
    return tx.get(this.db.collection(MONITORS).where('channelIds', 'array-contains', id));
  }

  /**
   * One transaction: the channel, and, when its events change, the copy on each monitor attached
   * to it. A flip committed before sees the old events, one after the new: none sees a mix.
   */
  async updateChannel(id: string, edit: (channel: AlertChannel) => ChannelUpdate): Promise<AlertChannel | null> {
    const ref = this.db.collection(CHANNELS).doc(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return null;
      const current = toChannel(snap);
      const next: AlertChannel = { ...current, ...edit(current), id: current.id, kind: current.kind };
      const refresh = JSON.stringify(next.events) !== JSON.stringify(current.events);
      const monitors = refresh ? (await this.attachedMonitors(tx, id)).docs : [];
      tx.update(ref, { name: next.name, config: next.config, events: next.events, isDefault: next.isDefault });
      for (const m of monitors) {
        const channels = toMonitor(m).channels.map((c) => (c.id === id ? { ...c, events: [...next.events] } : c));
        tx.update(m.ref, attachedDoc(channels));
      }
      return next;
    });
  }

  /** One transaction: the channel, its slot on the account, and its copy on every monitor attached to it. */
  async deleteChannel(id: string): Promise<boolean> {
    const ref = this.db.collection(CHANNELS).doc(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return false;
      const accountRef = this.db.collection(ACCOUNTS).doc(String(snap.get('accountId')));
      const account = await tx.get(accountRef);
      const monitors = (await this.attachedMonitors(tx, id)).docs;
      tx.delete(ref);
      // An account being deleted may be gone already; its counter goes with it.
      if (account.exists) tx.update(accountRef, { channelCount: FieldValue.increment(-1) });
      for (const m of monitors) tx.update(m.ref, attachedDoc(toMonitor(m).channels.filter((c) => c.id !== id)));
      return true;
    });
  }

  /** Newest first by (`createdAt`, document id): indexes (monitorId, createdAt desc) and (channelId, createdAt desc). */
  async notificationHistory(owner: NotificationOwner, q: HistoryQuery): Promise<Page<Notification>> {
    let query: Query =
      'monitorId' in owner
        ? this.db.collection(NOTIFICATIONS).where('monitorId', '==', owner.monitorId)
        : this.db.collection(NOTIFICATIONS).where('channelId', '==', owner.channelId);
    if (q.since !== null) query = query.where('createdAt', '>=', ts(q.since));
    query = query.orderBy('createdAt', 'desc').orderBy(FieldPath.documentId(), 'desc');
    if (q.before !== null) query = query.startAfter(ts(q.before.at), q.before.id);
    const snap = await query.limit(q.limit + 1).get();
    const shown = snap.docs.slice(0, q.limit);
    const last = shown[shown.length - 1];
    const next: PageKey | null = snap.docs.length > q.limit ? { at: (last.get('createdAt') as Timestamp).toDate(), seq: 0, id: last.id } : null;
    return { items: shown.map(toNotification), next };
  }

  async insertNotification(n: Notification): Promise<void> {
    await this.db.collection(NOTIFICATIONS).doc(n.id).create(notificationDoc(n));
  }

  /**
   * One transaction on the account: the cap (`statusPageCount`), the slug (its `statusPageSlugs`
   * document, read and created here, so of two creates of one slug, whatever their accounts, one wins) and the page.
   */
  async createStatusPage(page: StatusPage, maxPages: number): Promise<'created' | 'limit_reached' | 'slug_taken'> {
    const accountRef = this.db.collection(ACCOUNTS).doc(page.accountId);
    const slugRef = this.db.collection(STATUS_PAGE_SLUGS).doc(page.slug);
    try {
      return await this.transaction(accountRef.path, async (tx) => {
        const [account, slug] = await tx.getAll(accountRef, slugRef);
        if (!account.exists) return 'limit_reached';
        if (Number(account.get('statusPageCount') ?? 0) >= maxPages) return 'limit_reached';
        if (slug.exists) return 'slug_taken';
        const seq = Number(account.get('statusPageSeq') ?? 0) + 1;
        tx.update(accountRef, { statusPageCount: FieldValue.increment(1), statusPageSeq: seq });
        tx.create(slugRef, { pageId: page.id, accountId: page.accountId });
        tx.create(this.db.collection(STATUS_PAGES).doc(page.id), statusPageDoc(page, seq));
        return 'created';
      });
    } catch (err) {
      // Another account's transaction created the slug between this one's read and its commit.
      if (code(err) === ALREADY_EXISTS && (await slugRef.get()).exists) return 'slug_taken';
      throw err;
    }
  }

  /** Oldest first, sorted here: a plan's cap of documents needs no composite index. */
  async listStatusPages(accountId: string): Promise<StatusPage[]> {
    const snap = await this.db.collection(STATUS_PAGES).where('accountId', '==', accountId).get();
    return [...snap.docs].sort(oldestFirst).map(toStatusPage);
  }

  async getStatusPage(id: string): Promise<StatusPage | null> {
    const snap = await this.db.collection(STATUS_PAGES).doc(id).get();
    return snap.exists ? toStatusPage(snap) : null;
  }

  /** Two document reads: the slug's entry, then its page (which must still carry the slug: a rename may have just moved it). */
  async findStatusPageBySlug(slug: string): Promise<StatusPage | null> {
    const entry = await this.db.collection(STATUS_PAGE_SLUGS).doc(slug).get();
    if (!entry.exists) return null;
    const page = await this.getStatusPage(String(entry.get('pageId')));
    return page !== null && page.slug === slug ? page : null;
  }

  /** One transaction: the page and, for a new slug, the new slug's entry created and the old one deleted. */
  async updateStatusPage(id: string, edit: StatusPageUpdate): Promise<StatusPage | null | 'slug_taken'> {
    const ref = this.db.collection(STATUS_PAGES).doc(id);
    const newSlug = edit.slug === undefined ? null : this.db.collection(STATUS_PAGE_SLUGS).doc(edit.slug);
    try {
      return await this.transaction(ref.path, async (tx) => {
        const [snap, taken] = newSlug === null ? [await tx.get(ref), null] : await tx.getAll(ref, newSlug);
        if (!snap.exists) return null;
        const current = toStatusPage(snap);
        const next = editedPage(current, edit);
        if (next.slug !== current.slug) {
          if (taken?.exists) return 'slug_taken';
          tx.create(newSlug!, { pageId: id, accountId: current.accountId });
          tx.delete(this.db.collection(STATUS_PAGE_SLUGS).doc(current.slug));
        }
        tx.update(ref, statusPageSettingsDoc(next));
        return next;
      });
    } catch (err) {
      if (code(err) === ALREADY_EXISTS && newSlug !== null && (await newSlug.get()).exists) return 'slug_taken';
      throw err;
    }
  }

  /** One transaction: the page, its slug and its slot on the account. */
  async deleteStatusPage(id: string): Promise<boolean> {
    const ref = this.db.collection(STATUS_PAGES).doc(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return false;
      const accountRef = this.db.collection(ACCOUNTS).doc(String(snap.get('accountId')));
      const account = await tx.get(accountRef);
      tx.delete(ref);
      tx.delete(this.db.collection(STATUS_PAGE_SLUGS).doc(String(snap.get('slug'))));
      // An account being deleted may be gone already; its counter goes with it.
      if (account.exists) tx.update(accountRef, { statusPageCount: FieldValue.increment(-1) });
      return true;
    });
  }

  createWindow(window: MaintenanceWindow, maxWindows: number): Promise<'created' | 'limit_reached'> {
    return this.createCounted(window.accountId, 'window', maxWindows, this.db.collection(WINDOWS).doc(window.id), (seq) => windowDoc(window, seq));
  }

  async listWindows(accountId: string): Promise<MaintenanceWindow[]> {
    const snap = await this.db.collection(WINDOWS).where('accountId', '==', accountId).orderBy('createdAt').orderBy('seq').get();
    return snap.docs.map(toWindow);
  }

  async getWindow(id: string): Promise<MaintenanceWindow | null> {
    const snap = await this.db.collection(WINDOWS).doc(id).get();
    return snap.exists ? toWindow(snap) : null;
  }

  async updateWindow(id: string, edit: (window: MaintenanceWindow) => WindowUpdate): Promise<MaintenanceWindow | null> {
    const ref = this.db.collection(WINDOWS).doc(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return null;
      const current = toWindow(snap);
      const next: MaintenanceWindow = { ...current, ...edit(current), id: current.id, accountId: current.accountId, createdAt: current.createdAt };
      tx.update(ref, windowSettingsDoc(next));
      return next;
    });
  }

  /** One transaction: the window and its slot on the account. */
  async deleteWindow(id: string): Promise<boolean> {
    const ref = this.db.collection(WINDOWS).doc(id);
    return this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return false;
      const accountRef = this.db.collection(ACCOUNTS).doc(String(snap.get('accountId')));
      const account = await tx.get(accountRef);
      tx.delete(ref);
      // An account being deleted may be gone already; its counter goes with it.
      if (account.exists) tx.update(accountRef, { windowCount: FieldValue.increment(-1) });
      return true;
    });
  }

  /** Background removals stop at their next page, and are waited for: the client they use is closed next. */
  close(): Promise<void> {
    this.closing ??= Promise.resolve().then(async () => {
      await this.deletionsSettled();
      await this.db.terminate();
      await this.release();
    });
    return this.closing;
  }
}
