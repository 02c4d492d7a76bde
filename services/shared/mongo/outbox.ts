// Transactional outbox without transactions: the event is written in the same single-document write as the
// state change it describes (an event-store entry, or an `outbox` document that is itself the change), and the
// relay publishes unsent entries to Kafka afterwards, then marks them sent. A crash between the two only
// causes a re-send with the same ce_id, which consumers skip: at least once, never lost.
//
// Finding what to send without scanning history: after its write, the writer records an `_id`-keyed pending
// marker (a copy of the event) in the database's small `outbox_pending` collection and wakes the relays of its
// process (`markPending`). The relay reads only that collection — it holds only what is still unsent, so an idle
// pass costs the same at a thousand or a million relayed events — and a slow poll is only a safety net.
// FerretDB v1 answers any filter, `_id` included, by reading the whole collection (SQLite: decoded in Go;
// PostgreSQL: a sequential scan), so a filtered query on the event collections could not give that.
// A marker can be missing only if the writer died (or the database failed) between its two writes: every relay
// therefore sweeps its collections for unsent entries once when it starts, and again after a failed marker write
// in its process — the only full scans left. A sweep can send an entry before its (slow) writer records the
// marker; that late marker is dropped unsent, since the relay checks each marker's entry is still unsent
// (issue #19). Relays of one database in one process take turns (single-flight); the producer is idempotent.
import { ObjectId, type Collection, type Db, type MongoClient } from 'mongodb';
import type { CloudEvent } from '../kafka/cloudevents';
import { isUnsendable, type EventProducer } from '../kafka/kafka';
import { errorMessage } from '../errors/errors';
import type { Logger } from '../log/logger';
import { ensureIndexes } from './mongo';
import { observeGauge, recordOutboxPublished } from '../telemetry/metrics';

/** The fields a document needs so the relay can publish it. Event-store entries embed them. */
export type OutboxFields = {
  readonly outbox: {
    readonly topic: string;
    readonly event: Omit<CloudEvent, 'data'> & { readonly data: string /* utf-8 */ };
    readonly sentAt: Date | null;
    /** Set when Kafka can never take the event (too large, invalid): kept for an operator, no longer relayed. */
    readonly setAsideAt?: Date;
    readonly setAsideReason?: string;
  };
};

export function toOutboxFields(event: CloudEvent & { topic: string }): OutboxFields {
  const { topic, data, ...rest } = event;
  return { outbox: { topic, event: { ...rest, data: data.toString('utf8') }, sentAt: null } };
}

type OutboxDoc = OutboxFields & { _id: DocId };
type DocId = ObjectId | string;

// ---- pending markers and in-process wake-up ---------------------------------------------------------------

/** The database's pending markers: one per unsent entry, removed once Kafka has it. */
export const PENDING_COLLECTION = 'outbox_pending';

type PendingMarker = {
  /** `<collection>|<document _id>`: recording a marker twice (writer and sweep) keeps one. */
  _id: string;
  /** Source collection and document. */
  c: string;
  d: DocId;
  /** Order of recording (a process-monotonic ObjectId): the relay sends oldest first. */
  o: ObjectId;
  topic: string;
  event: OutboxFields['outbox']['event'];
};

function markerId(collectionName: string, id: DocId): string {
  return `${collectionName}|${typeof id === 'string' ? `s:${id}` : `o:${id.toHexString()}`}`;
}

function databaseOf(collection: Collection<any>): Db {
  // The driver keeps the client on every collection (not in its public typings).
  const client = (collection as unknown as { client?: MongoClient }).client;
  if (!client) throw new Error(`cannot reach the database of collection ${collection.collectionName}`);
  return client.db(collection.dbName);
}

function pendingOf(collection: Collection<any>): Collection<PendingMarker> {
  return databaseOf(collection).collection<PendingMarker>(PENDING_COLLECTION);
}

/** The sweep's query (unsent entries) on MongoDB, and the relay's read of its pending markers in order. */
export async function ensureOutboxIndexes(collection: Collection<any>): Promise<void> {
  await ensureIndexes(collection, [{ key: { 'outbox.sentAt': 1, _id: 1 }, name: 'outbox_unsent' }]);
  await ensureIndexes(pendingOf(collection), [{ key: { c: 1, o: 1 }, name: 'pending_order' }]);
}

/** Per database (by name): the relays to wake, and whether a marker write failed so a sweep is due. */
const signals = new Map<string, { listeners: Set<() => void>; sweepDue: boolean }>();

function signalsOf(dbName: string): { listeners: Set<() => void>; sweepDue: boolean } {
  let entry = signals.get(dbName);
  if (!entry) {
    entry = { listeners: new Set(), sweepDue: false };
    signals.set(dbName, entry);
  }
  return entry;
}

function wake(dbName: string): void {
  for (const listener of signalsOf(dbName).listeners) listener();
}

function isDuplicateOnly(error: unknown): boolean {
  const e = error as { code?: number; writeErrors?: readonly { code?: number }[] | { code?: number } };
  if (e.code === 11000) return true;
  const list = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
  return list.length > 0 && list.every((w) => w.code === 11000);
}

async function recordMarkers(collection: Collection<any>, docs: readonly OutboxDoc[]): Promise<void> {
  const markers: PendingMarker[] = docs
    .filter((d) => d.outbox?.sentAt === null && d.outbox.setAsideAt === undefined && d._id !== undefined)
    .map((d) => ({
      _id: markerId(collection.collectionName, d._id),
      c: collection.collectionName,
      d: d._id,
      o: new ObjectId(),
      topic: d.outbox.topic,
      event: d.outbox.event,
    }));
  if (markers.length === 0) return;
  try {
    await pendingOf(collection).insertMany(markers, { ordered: false });
  } catch (error) {
    if (!isDuplicateOnly(error)) throw error;
  }
}

/**
 * Call after a write of documents carrying outbox fields succeeded (the same documents, `_id` set): records their
 * pending markers and wakes this process's relays. Never throws — the state change is stored; if the marker
 * cannot be written, the relay sweeps the collections on its next pass instead.
 */
export async function markPending(collection: Collection<any>, docs: readonly object[]): Promise<void> {
  try {
    await recordMarkers(collection, docs as readonly OutboxDoc[]);
  } catch {
    signalsOf(collection.dbName).sweepDue = true;
  }
  wake(collection.dbName);
}

/** A plain outbox collection, for services whose state is not an event log. */
export class Outbox {
  readonly collection: Collection<OutboxDoc>;
  constructor(db: Db, name = 'outbox') {
    this.collection = db.collection<OutboxDoc>(name);
  }
  async init(): Promise<void> {
    await ensureOutboxIndexes(this.collection);
  }
  async append(events: readonly (CloudEvent & { topic: string })[]): Promise<void> {
    if (events.length === 0) return;
    const docs = events.map((e) => ({ _id: new ObjectId(), ...toOutboxFields(e) }) as OutboxDoc);
    await this.collection.insertMany(docs);
    await markPending(this.collection, docs);
  }
}

/** Entries still to publish: unsent and not set aside as never sendable (the sweep's query). */
const unsent = { 'outbox.sentAt': null, 'outbox.setAsideAt': { $exists: false } };

/**
 * The pass in progress per database in this process: relays of one database (two instances of a service started
 * in one process, say) take turns, so no two passes read the same markers and send them both.
 */
const passes = new Map<string, Promise<unknown>>();

function oneAtATime<T>(dbName: string, pass: () => Promise<T>): Promise<T> {
  const previous = passes.get(dbName) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(pass);
  const tail = next.catch(() => undefined);
  passes.set(dbName, tail);
  void tail.then(() => {
    if (passes.get(dbName) === tail) passes.delete(dbName);
  });
  return next;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** A wake-up arrived during a pass: run another one right after it. */
  private again = false;
  /** Sweep the collections for entries without a marker: on the first pass, and after a failed marker write. */
  private sweepDue = true;
  private readonly byName: Map<string, Collection<any>>;
  private readonly pending: Collection<PendingMarker>;
  private readonly dbName: string;
  private readonly listener = (): void => this.kick();
  private unobserve: (() => void) | undefined;
  /**
   * Markers whose events Kafka acknowledged but which are not yet marked sent and removed (a database hiccup).
   * The next pass finishes them before reading anything, so they are not sent a second time while this process
   * lives; only a crash in that window re-sends (same ce_id, which consumers skip).
   */
  private acknowledgedUnmarked: PendingMarker[] = [];

  constructor(
    private readonly collections: readonly Collection<any>[],
    private readonly producer: EventProducer,
    private readonly logger: Logger,
    /** pollMs: the safety-net poll (writes in this process wake the relay at once); default 2 s. */
    private readonly options: { pollMs?: number; batchSize?: number } = {},
  ) {
    if (collections.length === 0) throw new Error('an outbox relay needs at least one collection');
    this.byName = new Map(collections.map((c) => [c.collectionName, c]));
    this.dbName = collections[0]!.dbName;
    if (collections.some((c) => c.dbName !== this.dbName)) throw new Error('an outbox relay serves collections of one database');
    this.pending = pendingOf(collections[0]!);
  }

  start(): void {
    this.stopped = false;
    signalsOf(this.dbName).listeners.add(this.listener);
    this.unobserve ??= this.observeBacklog();
    this.kick();
  }

  /** bps.outbox.pending and bps.outbox.lag, read from the pending markers at scrape time. */
  private observeBacklog(): () => void {
    const names = [...this.byName.keys()];
    const attributes = { 'db.namespace': this.dbName };
    const stopPending = observeGauge('bps.outbox.pending', { description: 'Outbox entries written but not yet handed to Kafka' }, async () => [
      [await this.pending.countDocuments({ c: { $in: names } }), attributes],
    ]);
    const stopLag = observeGauge(
      'bps.outbox.lag',
      { description: 'Age of the oldest outbox entry not yet handed to Kafka (0 when none)', unit: 's' },
      async () => {
        const [oldest] = await this.pending
          .find({ c: { $in: names } })
          .sort({ o: 1 })
          .limit(1)
          .project<{ o: ObjectId }>({ o: 1 })
          .toArray();
        return [[oldest ? Math.max(0, (Date.now() - oldest.o.getTimestamp().getTime()) / 1000) : 0, attributes]];
      },
    );
    return () => {
      stopPending();
      stopLag();
    };
  }

  /** Runs a pass now, or right after the one in progress. */
  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = oneAtATime(this.dbName, () => this.relayOnce())
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'outbox relay pass failed; will retry'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          setImmediate(() => this.kick());
        } else {
          this.timer = setTimeout(() => this.kick(), this.options.pollMs ?? 2000);
        }
      });
  }

  /** Publishes every unsent entry once, oldest first; returns how many were sent. */
  async relayOnce(): Promise<number> {
    await this.finishAcknowledged();
    let sent = await this.drainMarkers(); // first what is marked: a start-up sweep of a long history takes a while
    const shared = signalsOf(this.dbName);
    if (this.sweepDue || shared.sweepDue) {
      shared.sweepDue = false;
      await this.sweep().catch((error: unknown) => {
        shared.sweepDue = true;
        throw error;
      });
      this.sweepDue = false;
      sent += await this.drainMarkers();
    }
    return sent;
  }

  private async drainMarkers(): Promise<number> {
    let sent = 0;
    const names = [...this.byName.keys()];
    for (;;) {
      const read = await this.pending
        .find({ c: { $in: names } })
        .sort({ o: 1 })
        .limit(this.options.batchSize ?? 100)
        .toArray();
      if (read.length === 0) break;
      const batch = await this.dropSent(read);
      if (batch.length === 0) continue;
      const published = await this.publish(batch);
      recordOutboxPublished(this.dbName, published.length);
      this.acknowledgedUnmarked = published;
      await this.finishAcknowledged();
      sent += published.length;
    }
    return sent;
  }

  /**
   * Removes the markers whose entry is already sent (or set aside) and returns the others. Such a marker is a
   * writer's, recorded after a sweep found its entry first (the writer had stored the entry but not yet its
   * marker), published it and removed the sweep's marker: sending it again would put the event on Kafka twice
   * (issue #19: same ce_id at adjacent offsets). The entry is marked sent before its marker is removed, so its
   * state read here by `_id` (pushed down by FerretDB, four at a time) tells.
   */
  private async dropSent(batch: readonly PendingMarker[]): Promise<PendingMarker[]> {
    const sent = new Set<PendingMarker>();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(4, batch.length) }, async () => {
        while (next < batch.length) {
          const marker = batch[next++]!;
          const collection = this.byName.get(marker.c);
          const doc = (await collection?.findOne({ _id: marker.d }, { projection: { 'outbox.sentAt': 1, 'outbox.setAsideAt': 1 } })) as
            OutboxDoc | null | undefined;
          if (doc?.outbox?.sentAt instanceof Date || doc?.outbox?.setAsideAt instanceof Date) sent.add(marker);
        }
      }),
    );
    if (sent.size === 0) return [...batch];
    await this.removeMarkers([...sent]);
    return batch.filter((m) => !sent.has(m));
  }

  /** Records a marker for every unsent entry that has none (a writer died between its write and its marker). */
  private async sweep(): Promise<void> {
    for (const collection of this.collections) {
      let after: DocId | undefined;
      for (;;) {
        const filter = after === undefined ? unsent : { ...unsent, _id: { $gt: after } };
        const docs = (await collection
          .find(filter)
          .sort({ _id: 1 })
          .limit(this.options.batchSize ?? 100)
          .toArray()) as OutboxDoc[];
        if (docs.length === 0) break;
        await recordMarkers(collection, docs);
        after = docs[docs.length - 1]!._id;
      }
    }
  }

  /** Marks the acknowledged entries sent in their collections, then removes their markers. */
  private async finishAcknowledged(): Promise<void> {
    const done = this.acknowledgedUnmarked;
    if (done.length === 0) return;
    const now = new Date();
    for (const [name, ids] of groupByCollection(done)) {
      const collection = this.byName.get(name);
      if (!collection) continue;
      // One `_id` equality per entry, four at a time: FerretDB hands `_id` equality to its storage (an index on
      // SQLite, a scan in C on PostgreSQL) but reads a whole collection into Go for `$in`.
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(4, ids.length) }, async () => {
          while (next < ids.length) await collection.updateOne({ _id: ids[next++] }, { $set: { 'outbox.sentAt': now } });
        }),
      );
    }
    await this.removeMarkers(done);
    this.acknowledgedUnmarked = [];
  }

  private async removeMarkers(markers: readonly PendingMarker[]): Promise<void> {
    if (markers.length === 1) await this.pending.deleteOne({ _id: markers[0]!._id });
    else await this.pending.deleteMany({ _id: { $in: markers.map((m) => m._id) } });
  }

  /**
   * Sends a batch; returns the markers Kafka acknowledged. An entry Kafka can never take (too large, an invalid
   * record) is set aside — marked, logged at error level, kept for an operator — instead of blocking every later
   * entry. Outages and authorization errors are thrown: the pass is retried, nothing is set aside for them.
   */
  private async publish(batch: readonly PendingMarker[]): Promise<PendingMarker[]> {
    const asEvent = (m: PendingMarker) => ({ ...m.event, topic: m.topic, data: Buffer.from(m.event.data, 'utf8') });
    try {
      await this.producer.publish(batch.map(asEvent));
      return [...batch];
    } catch (error) {
      if (!isUnsendable(error)) throw error;
    }
    // One of them is unsendable: send one by one, in order, setting aside what Kafka will never take.
    const published: PendingMarker[] = [];
    for (const marker of batch) {
      try {
        await this.producer.publish([asEvent(marker)]);
        published.push(marker);
      } catch (error) {
        if (!isUnsendable(error)) {
          this.acknowledgedUnmarked = published;
          throw error;
        }
        const collection = this.byName.get(marker.c);
        await collection?.updateOne({ _id: marker.d }, { $set: { 'outbox.setAsideAt': new Date(), 'outbox.setAsideReason': errorMessage(error) } });
        await this.removeMarkers([marker]);
        this.logger.error(
          { ceId: marker.event.id, type: marker.event.type, topic: marker.topic, err: errorMessage(error) },
          'outbox entry set aside: Kafka will never take it',
        );
      }
    }
    return published;
  }

  /** Resolves when the pass in progress (if any) is over. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unobserve?.();
    this.unobserve = undefined;
    signalsOf(this.dbName).listeners.delete(this.listener);
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

function groupByCollection(markers: readonly PendingMarker[]): Map<string, DocId[]> {
  const groups = new Map<string, DocId[]>();
  for (const m of markers) {
    const ids = groups.get(m.c) ?? [];
    ids.push(m.d);
    groups.set(m.c, ids);
  }
  return groups;
}
