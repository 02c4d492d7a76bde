// Transactional outbox without transactions: the event is written in the same single-document write as the
// state change it describes (an event-store entry, or an `outbox` document that is itself the change), and the
// relay publishes unsent entries to Kafka afterwards, then marks them sent. A crash between the two only
// causes a re-send with the same ce_id, which consumers skip: at least once, never lost.
//
// Finding what to send without scanning history: after its write, the writer records an `_id`-keyed pending
// marker (a copy of the event) in the database's small `outbox_pending` collection and wakes the relays of its
// process (`markPending`; relays in other processes find it at their next poll). The relay reads only that
// collection — it holds only what is still unsent, so an idle pass costs the same at a thousand or a million
// relayed events — and a slow poll is only a safety net.
// FerretDB v1 answers any filter, `_id` included, by reading the whole collection (SQLite: decoded in Go;
// PostgreSQL: a sequential scan), so a filtered query on the event collections could not give that.
// A marker can be missing only if the writer died (or the database failed) between its two writes: every relay
// therefore sweeps its collections for unsent entries once when it starts, and again after a failed marker write
// in its process. A sweep reads only the unsent entries, by the indexed top-level flag `outboxUnsent`, an equality
// FerretDB pushes down (a collection is read whole once, for entries written before the flag existed). A sweep
// can send an entry before its (slow) writer records the marker; that late marker is dropped unsent, since the
// relay checks each marker's entry is still unsent (issue #19).
//
// Several relays of one database — instances of a service in several processes, or in one — share the markers
// through claims (issue #19, "two of everything"): before sending, a relay claims each marker by inserting a
// document with a unique `_id` (marker, generation) into the small `outbox_claims` collection; the database lets
// exactly one insert win, so each marker is sent by one relay. (FerretDB v1 evaluates an update's filter before
// writing, without a lock, so "claim where unclaimed" with updateMany would let two relays both win; a unique
// insert, and a delete's count, are its atomic operations.) A claim is a lease (30 s by default): the markers of
// a relay that was killed holding claims are taken over, with the next generation, once it has run out; the
// entry's "sent" check after winning a claim stops a re-send when that relay had got as far as marking it sent.
// Only a relay killed (or stalled past its lease) between Kafka's acknowledgement and the "sent" mark can cause
// a re-send, with the same ce_id, which consumers skip. Relays send oldest first, and none sends a marker while an
// older one of the same aggregate (topic and key) is another relay's, so an aggregate's events keep their order.
// The producer is idempotent.
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
  /**
   * Present (true) while the event is neither sent nor set aside: the relay's sweep finds such entries by this
   * indexed top-level equality, which FerretDB pushes down to PostgreSQL. `outbox.sentAt: null` (a dotted path, a
   * null) it cannot: the sweep read the whole history, 85 s at 1,000,000 entries, at every relay start. Removed when
   * the event is sent or set aside. (Entries written before it existed are found once per collection, see sweep.)
   */
  readonly outboxUnsent?: true;
};

export function toOutboxFields(event: CloudEvent & { topic: string }): OutboxFields {
  const { topic, data, ...rest } = event;
  return { outbox: { topic, event: { ...rest, data: data.toString('utf8') }, sentAt: null }, outboxUnsent: true };
}

type OutboxDoc = OutboxFields & { _id: DocId };

/**
 * An event a document holds back until the writes that make it true are done (a release's versions in the item
 * logs, a filing in its head). Downstream systems act on an event by reading the service, so it must not reach
 * Kafka before what it announces can be read. `releaseHeld` then moves it to `outbox`, where the relay finds it;
 * until then neither the relay nor its sweep sees it. A writer that dies in between leaves it held, and the
 * writer's recovery (or the caller's retry) releases it.
 */
export type HeldOutboxFields = { readonly heldOutbox?: OutboxFields['outbox'] };

export function toHeldOutboxFields(event: CloudEvent & { topic: string }): Required<HeldOutboxFields> {
  return { heldOutbox: toOutboxFields(event).outbox };
}

/** Hands a document's held event to the relay (once; a no-op when it holds none or already did). */
export async function releaseHeld(collection: Collection<any>, id: DocId): Promise<void> {
  const doc = (await collection.findOne({ _id: id }, { projection: { heldOutbox: 1, outbox: 1 } })) as (HeldOutboxFields & Partial<OutboxFields>) | null;
  const held = doc?.heldOutbox;
  if (!held || doc.outbox) return;
  // Only while no `outbox` is set, so an event already sent is never put back to unsent. FerretDB v1 may let two
  // concurrent releases both match: a re-send with the same ce_id, which the relay's check and consumers skip.
  const moved = await collection.updateOne({ _id: id, outbox: { $exists: false } }, { $set: { outbox: held, outboxUnsent: true }, $unset: { heldOutbox: '' } });
  if (moved.modifiedCount > 0) await markPending(collection, [{ _id: id, outbox: held }]);
}

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
  /**
   * When it was recorded (ms): the relay sends oldest first. Not `o` alone, whose time is in seconds and whose order
   * within a second is a random per-process value: a sweep in another process could record an aggregate's later
   * event "before" its earlier one. (Absent on markers recorded before it existed: they sort first.)
   */
  t?: Date;
  /** Order of recording within a process (a process-monotonic ObjectId): breaks ties of `t`. */
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

/** The sweep's query (unsent entries), and the relay's read of its pending markers in order. */
export async function ensureOutboxIndexes(collection: Collection<any>): Promise<void> {
  await ensureIndexes(collection, [{ key: { outboxUnsent: 1 }, name: 'outbox_unsent_flag' }]);
  // The sweep's index of before (`outbox.sentAt`, `_id`): only the one sweep of entries written before the flag
  // could use it, and every write maintains it (on FerretDB, a B-tree and its GIN companion).
  const indexes = await collection
    .listIndexes()
    .toArray()
    .catch(() => [] as { name?: string }[]);
  if (indexes.some((i) => i['name'] === 'outbox_unsent')) await collection.dropIndex('outbox_unsent').catch(() => undefined);
  await ensureIndexes(pendingOf(collection), [{ key: { c: 1, t: 1, o: 1 }, name: 'pending_time_order' }]);
  await ensureIndexes(databaseOf(collection).collection(CLAIMS_COLLECTION), [{ key: { m: 1 }, name: 'claims_marker' }]);
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

function writeErrorsOf(error: unknown): readonly { code?: number; index?: number }[] {
  const e = error as { writeErrors?: readonly { code?: number; index?: number }[] | { code?: number; index?: number } };
  return Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors as { code?: number; index?: number }] : [];
}

function isDuplicateOnly(error: unknown): boolean {
  const list = writeErrorsOf(error);
  if ((error as { code?: number }).code === 11000 && list.length === 0) return true;
  return list.length > 0 && list.every((w) => w.code === 11000);
}

async function recordMarkers(collection: Collection<any>, docs: readonly OutboxDoc[]): Promise<void> {
  const markers: PendingMarker[] = docs
    .filter((d) => d.outbox?.sentAt === null && d.outbox.setAsideAt === undefined && d._id !== undefined)
    .map((d) => ({
      _id: markerId(collection.collectionName, d._id),
      c: collection.collectionName,
      d: d._id,
      t: new Date(),
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
const unsent = { outboxUnsent: true };
/** The same, for entries written before `outboxUnsent` existed: a whole-collection read, once per collection. */
const unsentBeforeFlag = { 'outbox.sentAt': null, 'outbox.setAsideAt': { $exists: false } };

/** Per database: the collections whose entries from before `outboxUnsent` were swept (`_id` = collection name). */
export const SWEPT_COLLECTION = 'outbox_swept';

// ---- claims: one sender per marker across every relay of the database, in any process -----------------------

/** The database's claims on pending markers: which relay sends which marker, until when. */
export const CLAIMS_COLLECTION = 'outbox_claims';

type Claim = {
  /** JSON `[markerId, generation]`: inserting it is the claim, and a unique `_id` lets one relay win it. */
  _id: string;
  /** The marker claimed, and its source collection. */
  m: string;
  c: string;
  g: number;
  /** The relay (process and pass) holding it, and until when (its lease). */
  owner: string;
  until: Date;
};

const claimId = (markerId: string, generation: number): string => JSON.stringify([markerId, generation]);

/** Markers of one aggregate (topic and key) go out in order: a relay sends none while an older one is not its own. */
const orderKey = (m: PendingMarker): string => JSON.stringify([m.topic, m.event.key]);

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
  private readonly claims: Collection<Claim>;
  private readonly dbName: string;
  /** This relay, in claims: unique across processes (an ObjectId is process-unique by its random part). */
  private readonly relayId = new ObjectId().toHexString();
  private passes = 0;
  /** The claim `_id` this relay holds per marker `_id`, for the batch in progress. */
  private owned = new Map<string, string>();
  /**
   * A writer of this process has just recorded markers: the next claim reads the markers and the claims side by side
   * (one round trip less on a write's way to Kafka). A safety poll, usually idle, reads the markers alone.
   */
  private markersExpected = false;
  private readonly listener = (): void => {
    this.markersExpected = true;
    this.kick();
  };
  private unobserve: (() => void) | undefined;
  /**
   * Markers whose events Kafka acknowledged but which are not yet marked sent and removed (a database hiccup).
   * The next pass finishes them before reading anything, so they are not sent a second time while this process
   * lives (and holds their claims); only a crash in that window re-sends (same ce_id, which consumers skip).
   */
  private acknowledgedUnmarked: PendingMarker[] = [];

  constructor(
    private readonly collections: readonly Collection<any>[],
    private readonly producer: EventProducer,
    private readonly logger: Logger,
    /**
     * pollMs: the safety-net poll (writes in this process wake the relay at once); default 2 s. leaseMs: how long
     * a claim on markers lasts (default 30 s): a relay that dies holding claims delays their events by that much,
     * then another relay takes them over; a relay does not start a send with less than a third of it left.
     */
    private readonly options: { pollMs?: number; batchSize?: number; leaseMs?: number } = {},
  ) {
    if (collections.length === 0) throw new Error('an outbox relay needs at least one collection');
    this.byName = new Map(collections.map((c) => [c.collectionName, c]));
    this.dbName = collections[0]!.dbName;
    if (collections.some((c) => c.dbName !== this.dbName)) throw new Error('an outbox relay serves collections of one database');
    this.pending = pendingOf(collections[0]!);
    this.claims = databaseOf(collections[0]!).collection<Claim>(CLAIMS_COLLECTION);
  }

  /** This relay's id, as its claims name it (`<id>/<pass>`). */
  get id(): string {
    return this.relayId;
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
    this.running = this.relayOnce()
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

  /** Publishes every unsent entry it can claim, oldest first; returns how many it sent. */
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

  private get leaseMs(): number {
    return this.options.leaseMs ?? 30_000;
  }

  private async drainMarkers(): Promise<number> {
    let sent = 0;
    for (;;) {
      const claimed = await this.claimBatch();
      if (claimed === undefined) break;
      const batch = await this.dropSent(claimed.markers);
      if (batch.length === 0) continue;
      if (Date.now() > claimed.until.getTime() - this.leaseMs / 3) {
        // Too slow a pass (a database or event-loop stall): another relay may take these over any moment now.
        await this.releaseClaims(batch);
        this.logger.warn({ markers: batch.length }, 'outbox relay gave back claims unsent: its lease was running out');
        break;
      }
      const published = await this.publish(batch).catch(async (error: unknown) => {
        // Kafka is out of reach: give back what it did not take, for this relay's next pass or another relay.
        const taken = new Set(this.acknowledgedUnmarked);
        await this.releaseClaims(batch.filter((m) => !taken.has(m))).catch(() => undefined);
        throw error;
      });
      recordOutboxPublished(this.dbName, published.length);
      this.acknowledgedUnmarked = published;
      await this.finishAcknowledged();
      sent += published.length;
    }
    return sent;
  }

  /**
   * Claims the oldest markers no other relay holds (up to a batch), and returns them oldest first; undefined when
   * none could be claimed. A claim is the insert of a claim document with a unique `_id` (marker and generation):
   * of several relays inserting it, in any process, the database lets exactly one succeed. (FerretDB v1 applies an
   * update's filter before it writes, without a lock, so a conditional update could not tell two claimers apart.)
   * A claim whose lease ran out — its relay died or stalled — is taken over with the next generation. A marker is
   * skipped while an older marker of its aggregate (topic and key) is held by another relay, or could not be
   * claimed, so one aggregate's events keep their order on Kafka.
   */
  private async claimBatch(): Promise<{ markers: PendingMarker[]; until: Date } | undefined> {
    const limit = this.options.batchSize ?? 100;
    const names = [...this.byName.keys()];
    // The backlog, oldest first, up to a few batches: what others hold is skipped, so look past it. The claims are read
    // after it, or beside it when a writer has just woken this relay: the claim insert below decides either way — a
    // claim made after the read loses that insert, and a marker finished meanwhile is caught by `dropSent`.
    const readClaims = () => this.claims.find({ c: { $in: names } }).toArray();
    const eager = this.markersExpected;
    this.markersExpected = false;
    const backlog = this.pending
      .find({ c: { $in: names } })
      .sort({ t: 1, o: 1 })
      .limit(limit * 10)
      .toArray();
    const [markers, early] = await Promise.all([backlog, eager ? readClaims() : undefined]);
    if (markers.length === 0) return undefined;
    const held = new Map<string, Claim[]>();
    for (const claim of early ?? (await readClaims())) {
      const list = held.get(claim.m) ?? [];
      list.push(claim);
      held.set(claim.m, list);
    }
    const now = Date.now();
    const until = new Date(now + this.leaseMs);
    const owner = `${this.relayId}/${++this.passes}`;
    const blocked = new Set<string>();
    const wanted: { marker: PendingMarker; claim: Claim }[] = [];
    for (const marker of markers) {
      if (wanted.length >= limit) break;
      const key = orderKey(marker);
      if (blocked.has(key)) continue;
      const claims = held.get(marker._id) ?? [];
      // Held by another relay; this relay's own claims are left over from a failed pass of its own (passes run one at a time).
      if (claims.some((c) => c.until.getTime() > now && !c.owner.startsWith(`${this.relayId}/`))) {
        blocked.add(key);
        continue;
      }
      const g = claims.reduce((next, c) => Math.max(next, c.g + 1), 0);
      wanted.push({ marker, claim: { _id: claimId(marker._id, g), m: marker._id, c: marker.c, g, owner, until } });
    }
    await this.dropStaleClaims(held, new Set(markers.map((m) => m._id)), now);
    if (wanted.length === 0) return undefined;
    const lost = new Set<number>();
    try {
      await this.claims.insertMany(
        wanted.map((w) => w.claim),
        { ordered: false },
      );
    } catch (error) {
      if (!isDuplicateOnly(error)) throw error;
      for (const w of writeErrorsOf(error)) if (typeof w.index === 'number') lost.add(w.index);
    }
    // Another relay won an older marker of an aggregate: give back this relay's later ones of that aggregate.
    const mine: PendingMarker[] = [];
    const giveBack: PendingMarker[] = [];
    this.owned = new Map();
    wanted.forEach((w, i) => {
      const key = orderKey(w.marker);
      if (lost.has(i)) {
        blocked.add(key);
        return;
      }
      this.owned.set(w.marker._id, w.claim._id);
      if (blocked.has(key)) giveBack.push(w.marker);
      else mine.push(w.marker);
    });
    if (giveBack.length > 0) await this.releaseClaims(giveBack);
    return mine.length > 0 ? { markers: mine, until } : undefined;
  }

  /** Gives back this relay's claims on markers it will not send now. */
  private async releaseClaims(markers: readonly PendingMarker[]): Promise<void> {
    const ids = markers.map((m) => this.owned.get(m._id)).filter((id): id is string => id !== undefined);
    for (const m of markers) this.owned.delete(m._id);
    if (ids.length > 0) await this.claims.deleteMany({ _id: { $in: ids } });
  }

  /**
   * Claims long expired whose marker is gone (their relay died between removing the marker and its claims), a few
   * per pass: checked by `_id` among markers read past the backlog window.
   */
  private async dropStaleClaims(held: ReadonlyMap<string, readonly Claim[]>, seen: ReadonlySet<string>, now: number): Promise<void> {
    const stale = [...held.entries()].filter(([markerId, claims]) => !seen.has(markerId) && claims.every((c) => c.until.getTime() <= now - this.leaseMs));
    for (const [markerId] of stale.slice(0, 10)) {
      if ((await this.pending.countDocuments({ _id: markerId }, { limit: 1 })) === 0) await this.claims.deleteMany({ m: markerId });
    }
  }

  /**
   * Removes the markers whose entry is already sent (or set aside) and returns the others. Such a marker is a
   * writer's, recorded after a sweep found its entry first (the writer had stored the entry but not yet its
   * marker), published it and removed the sweep's marker: sending it again would put the event on Kafka twice
   * (issue #19: same ce_id at adjacent offsets). It is also how a relay that won a marker learns that another
   * relay got as far as marking its entry sent (a claim taken over, or won just after the other removed its own).
   * An entry is marked sent before its marker and then its claims are removed, and it is read here after the claim
   * was won, so its state read by `_id` (pushed down by FerretDB, four at a time) tells.
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

  /**
   * Records a marker for every unsent entry that has none (a writer died between its write and its marker). Reads
   * the flagged entries only; a collection's first sweep also reads it whole once, for entries written before the
   * flag, and records that it did.
   */
  private async sweep(): Promise<void> {
    const swept = databaseOf(this.collections[0]!).collection<{ _id: string; at: Date }>(SWEPT_COLLECTION);
    for (const collection of this.collections) {
      const whole = (await swept.countDocuments({ _id: collection.collectionName }, { limit: 1 })) === 0;
      await this.sweepWith(collection, whole ? unsentBeforeFlag : unsent);
      if (whole) await upsertSwept(swept, collection.collectionName);
    }
  }

  private async sweepWith(collection: Collection<any>, query: object): Promise<void> {
    let after: DocId | undefined;
    for (;;) {
      const filter = after === undefined ? query : { ...query, _id: { $gt: after } };
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
          while (next < ids.length) await collection.updateOne({ _id: ids[next++] }, { $set: { 'outbox.sentAt': now }, $unset: { outboxUnsent: '' } });
        }),
      );
    }
    await this.removeMarkers(done);
    this.acknowledgedUnmarked = [];
  }

  /** Removes the markers, then every claim on them: a relay that read such a marker and wins it sees it sent. */
  private async removeMarkers(markers: readonly PendingMarker[]): Promise<void> {
    if (markers.length === 1) await this.pending.deleteOne({ _id: markers[0]!._id });
    else await this.pending.deleteMany({ _id: { $in: markers.map((m) => m._id) } });
    for (const m of markers) this.owned.delete(m._id);
    await this.claims.deleteMany({ m: { $in: markers.map((m) => m._id) } });
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
        await collection?.updateOne(
          { _id: marker.d },
          { $set: { 'outbox.setAsideAt': new Date(), 'outbox.setAsideReason': errorMessage(error) }, $unset: { outboxUnsent: '' } },
        );
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

/** Records that a collection's entries from before `outboxUnsent` were swept (two relays may both record it). */
async function upsertSwept(swept: Collection<{ _id: string; at: Date }>, name: string): Promise<void> {
  try {
    await swept.updateOne({ _id: name }, { $set: { at: new Date() } }, { upsert: true });
  } catch (error) {
    if (!isDuplicateOnly(error)) throw error;
  }
}
