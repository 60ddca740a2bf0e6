import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { FirestoreStore } from '../../../src/store/firestore';

/**
 * What Firestore bills, counted on the wire. Every RPC the client makes passes through gRPC's
 * call-invocation hook; requests are counted as sent and responses as they are decoded:
 * - reads: documents returned by queries (at least 1 per query, as Firestore bills an empty
 *   query) and documents looked up (found or missing);
 * - writes and deletes: the operations of each commit (an update with an increment is one write).
 */
export interface Usage {
  reads: number;
  writes: number;
  deletes: number;
  /** Commits that closed a transaction. */
  transactions: number;
  /** The RPCs in the order they were made, e.g. ['RunQuery', 'Commit']. */
  rpcs: string[];
}

const none = (): Usage => ({ reads: 0, writes: 0, deletes: 0, transactions: 0, rpcs: [] });

/** The parts of grpc-js's call properties the meter uses (grpc-js is not a direct dependency). */
interface CallProperties {
  argument: unknown;
  methodDefinition: { path: string; responseDeserialize(buffer: Buffer): unknown };
  callOptions: { interceptors?: unknown[] };
}

interface GrpcCall {
  cancelWithStatus(status: unknown, details: string): void;
  getPeer(): string;
  start(metadata: unknown, listener?: unknown): void;
  sendMessageWithContext(context: unknown, message: unknown): void;
  sendMessage(message: unknown): void;
  startRead(): void;
  halfClose(): void;
  getAuthContext(): unknown;
}

/** A gRPC call whose operations are all held back, in order, until `gate` resolves. */
class HeldCall implements GrpcCall {
  private queued: Array<() => void> | null = [];
  constructor(
    private readonly next: GrpcCall,
    gate: Promise<void>,
  ) {
    void gate.then(() => {
      const queued = this.queued ?? [];
      this.queued = null;
      for (const op of queued) op();
    });
  }
  private later(op: () => void): void {
    if (this.queued) this.queued.push(op);
    else op();
  }
  cancelWithStatus(status: unknown, details: string) {
    this.later(() => this.next.cancelWithStatus(status, details));
  }
  getPeer() {
    return this.next.getPeer();
  }
  start(metadata: unknown, listener?: unknown) {
    this.later(() => this.next.start(metadata, listener));
  }
  sendMessageWithContext(context: unknown, message: unknown) {
    this.later(() => this.next.sendMessageWithContext(context, message));
  }
  sendMessage(message: unknown) {
    this.later(() => this.next.sendMessage(message));
  }
  startRead() {
    this.later(() => this.next.startRead());
  }
  halfClose() {
    this.later(() => this.next.halfClose());
  }
  getAuthContext() {
    return this.next.getAuthContext();
  }
}

const hasBytes = (v: unknown): boolean => v instanceof Uint8Array && v.length > 0;

/** The part of a RunQuery request that decides which index serves it. */
export interface RunQueryRequest {
  structuredQuery?: {
    from?: Array<{ collectionId?: string; allDescendants?: boolean }>;
    where?: Filter;
    orderBy?: Array<{ field: { fieldPath: string }; direction?: string }>;
  };
}

export type Filter =
  | { fieldFilter: { field: { fieldPath: string }; op: string } }
  | { unaryFilter: { field: { fieldPath: string }; op: string } }
  | { compositeFilter: { op: string; filters: Filter[] } };

export class UsageMeter {
  private usage = none();
  /** Every query this client has run, for checking them against firestore.indexes.json. */
  readonly queries: RunQueryRequest[] = [];
  private heldCommit: { gate: Promise<void>; reached: () => void } | null = null;

  /** Returns what was counted since the last call, and starts counting afresh. */
  take(): Usage {
    const taken = this.usage;
    this.usage = none();
    return taken;
  }

  /**
   * The next commit this client sends waits for `gate`, like a request stalled between its read
   * and its write. Resolves once that commit has been issued and is being held.
   */
  holdNextCommit(gate: Promise<void>): Promise<void> {
    return new Promise((reached) => {
      this.heldCommit = { gate, reached };
    });
  }

  /** For the `grpc.callInvocationTransformer` client setting. */
  readonly transform = (props: CallProperties): CallProperties => {
    const method = props.methodDefinition.path.split('/').pop() as string;
    const usage = this.usage;
    usage.rpcs.push(method);
    const request = props.argument as { writes?: Array<{ delete?: string }>; transaction?: unknown };
    if (method === 'RunQuery') {
      usage.reads++;
      this.queries.push(props.argument as RunQueryRequest);
    }
    // An aggregation (a sum) is served by an index like the query it aggregates; billed at least one read.
    if (method === 'RunAggregationQuery') {
      usage.reads++;
      const { structuredAggregationQuery } = props.argument as { structuredAggregationQuery?: RunQueryRequest };
      this.queries.push({ structuredQuery: structuredAggregationQuery?.structuredQuery });
    }
    if (method === 'Commit' || method === 'BatchWrite') {
      for (const w of request.writes ?? []) {
        if (w.delete) usage.deletes++;
        else usage.writes++;
      }
      if (hasBytes(request.transaction)) usage.transactions++;
    }
    let documents = 0;
    const { responseDeserialize } = props.methodDefinition;
    const methodDefinition = {
      ...props.methodDefinition,
      responseDeserialize: (buffer: Buffer) => {
        const message = responseDeserialize(buffer) as { document?: unknown; found?: unknown; missing?: unknown };
        // The first document of a query is covered by its minimum charge.
        if (method === 'RunQuery' && message.document && ++documents > 1) usage.reads++;
        if (method === 'BatchGetDocuments' && (message.found || message.missing)) usage.reads++;
        return message;
      },
    };
    let callOptions = props.callOptions;
    if (method === 'Commit' && this.heldCommit) {
      const { gate, reached } = this.heldCommit;
      this.heldCommit = null;
      const hold = (options: unknown, nextCall: (options: unknown) => GrpcCall) => new HeldCall(nextCall(options), gate);
      reached();
      callOptions = { ...callOptions, interceptors: [...(callOptions.interceptors ?? []), hold] };
    }
    return { ...props, methodDefinition, callOptions };
  };
}

/** A Firestore store whose traffic is metered; the emulator must be running (FIRESTORE_EMULATOR_HOST). */
export function openMeteredStore(projectId: string): { store: FirestoreStore; meter: UsageMeter } {
  const meter = new UsageMeter();
  const app = initializeApp({ projectId }, `metered-${randomUUID()}`);
  const db = getFirestore(app);
  db.settings({ 'grpc.callInvocationTransformer': meter.transform });
  return { store: new FirestoreStore(db, () => deleteApp(app)), meter };
}
