import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import {
  FieldPath,
  FieldValue,
  getFirestore,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type Query,
  type Transaction,
} from 'firebase-admin/firestore';
import { readDueRows, type DeliveryRecord } from '../../domain/delivery';
import type { PlanId } from '../../domain/plans';
import type { MonitorUpdate } from '../../domain/settings';
import { applyChanges, type MonitorChanges, type PingTransition, type Transition } from '../../domain/transitions';
import type { Account, Flip, Monitor, Notification, Ping } from '../../domain/types';
import type { StoreInspection } from '../inspection';
import type { Applied, Decide, DecidePing, HistoryQuery, Page, PageKey, PingData, Store } from '../port';
import {
  ACCOUNTS,
  API_KEYS,
  EMAILS,
  FLIPS,
  MONITORS,
  NOTIFICATIONS,
  PINGS,
  accountDoc,
  emailDocId,
  flipDoc,
  monitorDoc,
  notificationDoc,
  openRunsDoc,
  pingDoc,
  toAccount,
  toFlip,
  toMonitor,
  toNotification,
  toPing,
} from './layout';
import { KeyedQueue } from './queue';

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
  return update;
}

/** An edit's fields as the monitor document stores them (same names; dates as Timestamps). */
function editDoc(update: MonitorUpdate): DocumentData {
  const doc: DocumentData = {};
  for (const [field, value] of Object.entries(update)) doc[field] = value instanceof Date ? ts(value) : value;
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
  return pingDoc(full, monitor.pingCount + 1);
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
   * Monitors first (each with its history), then notifications, then the account with its key
   * and e-mail, in a transaction that goes ahead only once the account holds no monitor: one
   * created meanwhile sends the loop round again. Until that last step the account still works,
   * so a deletion cut short can simply be asked for again.
   */
  async deleteAccount(accountId: string): Promise<boolean> {
    const ref = this.db.collection(ACCOUNTS).doc(accountId);
    for (let round = 0; round < 10; round++) {
      for (const m of await this.listMonitors(accountId)) await this.deleteMonitor(m.id);
      const notifications = await this.db.collection(NOTIFICATIONS).where('accountId', '==', accountId).select().get();
      const writer = this.db.bulkWriter();
      for (const d of notifications.docs) void writer.delete(d.ref);
      await writer.close();
      const outcome = await this.transaction(ref.path, async (tx) => {
        const account = await tx.get(ref);
        if (!account.exists) return 'missing';
        if (Number(account.get('monitorCount')) > 0) return 'busy';
        tx.delete(ref);
        tx.delete(this.db.collection(API_KEYS).doc(String(account.get('apiKeyHash'))));
        tx.delete(this.db.collection(EMAILS).doc(emailDocId(String(account.get('email')))));
        return 'deleted';
      });
      if (outcome !== 'busy') return outcome === 'deleted';
    }
    throw new Error(`account ${accountId} kept gaining monitors while being deleted`);
  }

  async createMonitor(m: Monitor, maxMonitors: number | null): Promise<'created' | 'limit_reached'> {
    const accountRef = this.db.collection(ACCOUNTS).doc(m.accountId);
    return this.transaction(accountRef.path, async (tx) => {
      const account = await tx.get(accountRef);
      // Like the SQLite adapter, there is no slot to take on an account that does not exist.
      if (!account.exists) return 'limit_reached';
      if (maxMonitors !== null && Number(account.get('monitorCount')) >= maxMonitors) return 'limit_reached';
      const seq = Number(account.get('monitorSeq') ?? 0) + 1;
      tx.update(accountRef, { monitorCount: FieldValue.increment(1), monitorSeq: seq });
      tx.create(this.monitorRef(m.id), monitorDoc(m, seq));
      return 'created';
    });
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
    const existed = await this.transaction(ref.path, async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return false;
      tx.delete(ref);
      tx.update(this.db.collection(ACCOUNTS).doc(String(snap.get('accountId'))), { monitorCount: FieldValue.increment(-1) });
      return true;
    });
    // History is removed after the monitor: no ping can land meanwhile, since every ping write
    // needs the monitor document to exist (update precondition or transaction read).
    if (existed) await this.db.recursiveDelete(ref);
    return existed;
  }

  async findMonitorByBadgeKey(badgeKey: string): Promise<Monitor | null> {
    // An equality query on one field: served by Firestore's automatic single-field index.
    const found = await this.db.collection(MONITORS).where('badgeKey', '==', badgeKey).limit(1).get();
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
    batch.update(snap.ref, changesDoc(t.changes), { lastUpdateTime: snap.updateTime as Timestamp });
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
      return this.applyInTransaction(tx, snap, monitor, t);
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

  /** Writes a transition with its flip and notifications; every read of `tx` must be done. */
  private applyInTransaction(tx: Transaction, snap: DocumentSnapshot, monitor: Monitor, t: Transition | null): Applied {
    if (t === null) return { monitor, transition: null };
    const update = changesDoc(t.changes);
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
      const update = edit(monitor);
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

  async findDueNotifications(now: Date, limit: number): Promise<Notification[]> {
    const snap = await this.db
      .collection(NOTIFICATIONS)
      .where('nextAttemptAt', '<=', ts(now))
      .orderBy('nextAttemptAt')
      .limit(limit)
      .get();
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

  close(): Promise<void> {
    this.closing ??= this.db.terminate().then(this.release);
    return this.closing;
  }
}
