// MongoDB repositories of the notifications service. FerretDB-safe: single-document writes, unique indexes,
// findOneAndUpdate for counters, unique inserts where only one writer may win (FerretDB v1's conditional updates
// are not atomic) — no transactions.
import { randomUUID } from 'node:crypto';
import type { Collection, Db, Filter } from 'mongodb';
import { ConcurrencyError } from '../../../shared/errors/errors';
import { ensureIndexes, insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';
import type { MaybeSubscription, SubscriptionEvent, SubscriptionState } from '../../domain/subscription';
import type {
  AttemptDoc,
  AttemptReader,
  DeliveryDoc,
  DeliveryQuery,
  DeliveryQueue,
  DeliveryScope,
  DeliveryStatus,
  Feed,
  FeedDoc,
  SubscriptionStore,
} from '../../application/ports';

/**
 * Two first upserts of the same counter at once (partitions are consumed side by side): one inserts, the other
 * fails on the duplicate `_id`, and its second try finds the document and updates it.
 */
async function upsertRace<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return write();
  }
}

/** Equality on each field the query gives (an absent one is no condition, never a match on null). */
function queryFilter<T>(query: DeliveryQuery): Filter<T> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as Filter<T>;
}

// ---------- subscriptions ----------

export type SubscriptionDoc = Omit<SubscriptionState, 'id'> & { _id: string; history: SubscriptionEvent[] };

const toState = ({ _id, history: _history, ...rest }: SubscriptionDoc): SubscriptionState => ({ id: _id, ...rest });

export class SubscriptionRepository implements SubscriptionStore {
  readonly collection: Collection<SubscriptionDoc>;
  /**
   * `_id: 'subscriptions'`: a new random version after every write, so an in-memory index knows with one `_id` read
   * that it is stale. Random rather than counted: FerretDB's `$inc` is not atomic under concurrent writers (two can
   * write the same number), a fresh token always differs from every version seen before.
   */
  private readonly versions: Collection<{ _id: string; version: string; at: Date }>;
  constructor(db: Db) {
    this.collection = db.collection<SubscriptionDoc>('subscriptions');
    this.versions = db.collection('counters');
  }
  /** The version of the whole set of subscriptions ('' before the first write). */
  async version(): Promise<string> {
    return (await this.versions.findOne({ _id: 'subscriptions' }))?.version ?? '';
  }
  private async bump(): Promise<void> {
    await upsertRace(() => this.versions.updateOne({ _id: 'subscriptions' }, { $set: { version: randomUUID(), at: new Date() } }, { upsert: true }));
  }
  async init(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { organisation: 1, createdAt: 1 }, name: 'by_organisation' },
      { key: { status: 1 }, name: 'by_status' },
    ]);
  }
  async get(id: string): Promise<SubscriptionState | undefined> {
    const doc = await this.collection.findOne({ _id: id });
    return doc ? toState(doc) : undefined;
  }
  async list(organisation: string | undefined): Promise<SubscriptionState[]> {
    const filter: Filter<SubscriptionDoc> = { status: { $ne: 'deleted' }, ...(organisation !== undefined ? { organisation } : {}) };
    return (await this.collection.find(filter).sort({ createdAt: 1 }).toArray()).map(toState);
  }
  /** Every subscription that can still receive events (paused and disabled ones queue). */
  async listReceiving(): Promise<SubscriptionState[]> {
    return (await this.collection.find({ status: { $ne: 'deleted' } }).toArray()).map(toState);
  }
  async listActiveIds(): Promise<string[]> {
    return (await this.collection.find({ status: 'active' }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
  }
  async load(id: string): Promise<{ state: MaybeSubscription; revision: number }> {
    const state = await this.get(id);
    return { state, revision: state?.revision ?? 0 };
  }
  /** A new subscription at revision 0 is inserted (a duplicate id is AlreadyExistsError), others compare-and-set. */
  async append(_id: string, expectedRevision: number, events: readonly SubscriptionEvent[], next: MaybeSubscription): Promise<number> {
    if (!next) throw new Error('a subscription event left no subscription');
    if (expectedRevision === 0) await this.insert(next, events);
    else await this.save(next, expectedRevision, events);
    return next.revision;
  }
  private async insert(state: SubscriptionState, events: readonly SubscriptionEvent[]): Promise<void> {
    const { id, ...rest } = state;
    await insertOne(this.collection, { _id: id, ...rest, history: [...events] }, 'subscription');
    await this.bump();
  }
  /** Compare-and-set on the revision the decision was made against. */
  private async save(state: SubscriptionState, expectedRevision: number, events: readonly SubscriptionEvent[]): Promise<void> {
    const { id, ...rest } = state;
    const result = await this.collection.updateOne({ _id: id, revision: expectedRevision }, { $set: rest, $push: { history: { $each: [...events] } } });
    if (result.matchedCount === 0) {
      const current = await this.collection.findOne({ _id: id }, { projection: { revision: 1 } });
      throw new ConcurrencyError(`subscription ${id} changed meanwhile`, current?.revision ?? 0);
    }
    await this.bump();
  }
}

// ---------- feed ----------

/**
 * Append-only, one entry per event id, cursors from a counter document ($inc is atomic). A cursor taken by an
 * append that then lost a race or crashed stays unused: readers treat such gaps as settled after a grace period.
 */
export class FeedRepository implements Feed {
  readonly collection: Collection<FeedDoc>;
  private readonly counters: Collection<{ _id: string; seq: number }>;
  constructor(db: Db) {
    this.collection = db.collection<FeedDoc>('feed');
    this.counters = db.collection('counters');
  }
  async init(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { cursor: 1 }, name: 'cursor_unique', unique: true },
      { key: { time: 1 }, name: 'by_time' },
    ]);
  }
  async get(eventId: string): Promise<FeedDoc | undefined> {
    return (await this.collection.findOne({ _id: eventId })) ?? undefined;
  }
  /** Idempotent by event id: appending the same event again returns the entry already there. */
  async append(entry: Omit<FeedDoc, 'cursor' | 'appendedAt'>): Promise<FeedDoc> {
    const existing = await this.get(entry._id);
    if (existing) return existing;
    // FerretDB's findOneAndUpdate `$inc` is not atomic: appends running side by side (partitions are consumed
    // concurrently) would be handed the same cursor. This process takes cursors one append at a time; another
    // instance may still collide, and the unique index refuses the second, which takes another cursor.
    const turn = this.appending.then(() => this.appendInTurn(entry));
    this.appending = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }
  private appending: Promise<void> = Promise.resolve();
  private async appendInTurn(entry: Omit<FeedDoc, 'cursor' | 'appendedAt'>): Promise<FeedDoc> {
    for (let attempt = 1; ; attempt++) {
      const counter = await upsertRace(() => this.counters.findOneAndUpdate({ _id: 'feed' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }));
      if (!counter) throw new Error('feed counter did not answer');
      const doc: FeedDoc = { ...entry, cursor: counter.seq, appendedAt: new Date() };
      try {
        await insertOne(this.collection, doc, 'feed entry');
        return doc;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const winner = await this.get(entry._id);
        if (winner) return winner;
        if (attempt >= 10) throw error;
      }
    }
  }
  /** Entries after `cursor` in cursor order (unfiltered: the reader needs to see gaps). */
  async after(cursor: number, limit: number): Promise<FeedDoc[]> {
    return this.collection
      .find({ cursor: { $gt: cursor } })
      .sort({ cursor: 1 })
      .limit(limit)
      .toArray();
  }
  async page(cursor: number, since: Date | undefined, limit: number): Promise<FeedDoc[]> {
    return this.collection
      .find({ cursor: { $gt: cursor }, ...(since ? { time: { $gte: since } } : {}) })
      .sort({ cursor: 1 })
      .limit(limit)
      .toArray();
  }
  async lastCursor(): Promise<number> {
    const last = await this.collection
      .find({}, { projection: { cursor: 1 } })
      .sort({ cursor: -1 })
      .limit(1)
      .toArray();
    return last[0]?.cursor ?? 0;
  }
  /** The cursor just before the first entry whose event time is at or after `time` (the last cursor when none). */
  async cursorBefore(time: Date): Promise<number> {
    const first = await this.collection
      .find({ time: { $gte: time } }, { projection: { cursor: 1 } })
      .sort({ cursor: 1 })
      .limit(1)
      .toArray();
    return first[0] ? first[0].cursor - 1 : this.lastCursor();
  }
}

// ---------- deliveries ----------

/**
 * Who won a due row: one document per (row, due time seen). Inserting it is the claim's atomic step — FerretDB v1
 * evaluates a findOneAndUpdate's filter and then writes without a lock, so two workers' conditional claims of one
 * due row could both succeed and both send it. The due time names the turn: a row's next turn (a retry, or the end
 * of a dead worker's lease) has another due time, so another claim.
 */
type DeliveryTurn = { _id: string; at: Date };

/** Turns are kept this long (well past any claim's read-then-write), then swept. */
const TURN_RETENTION_MS = 3_600_000;

/** Rows per `updateMany` of `finishMany` (within FerretDB's pushed-down `$in` bound and its batch per transaction). */
const FINISH_CHUNK = 500;

export class DeliveryRepository implements DeliveryQueue {
  readonly collection: Collection<DeliveryDoc>;
  readonly workers: WorkerLeases;
  private readonly turns: Collection<DeliveryTurn>;
  private lastTurnSweep = 0;
  constructor(db: Db) {
    this.collection = db.collection<DeliveryDoc>('deliveries');
    this.turns = db.collection<DeliveryTurn>('delivery_turns');
    this.workers = new WorkerLeases(db);
  }
  async init(): Promise<void> {
    await ensureIndexes(this.collection, [
      // Recovery's two reads, both equalities on `owner`: rows nobody has (owner '') that are due, and the rows of a
      // worker whose lease ran out. The pending backlog of live workers is never read (issue #16).
      { key: { owner: 1, status: 1, held: 1, availableAt: 1 }, name: 'recoverable' },
      { key: { subscriptionId: 1, key: 1, status: 1, cursor: 1 }, name: 'lane' },
      { key: { subscriptionId: 1, cursor: 1 }, name: 'by_subscription' },
      { key: { eventId: 1 }, name: 'by_event' },
    ]);
    await Promise.all([this.workers.init(), this.ownersOnce()]);
  }
  /**
   * Rows written before rows named their owner: each unfinished one becomes nobody's, so recovery finds it once its
   * lease (or retry time) has passed. Once per database (a marker in `counters`). Two indexes go with it: the old
   * recovery index, and the unique (subscription, event) index, which `_id` (`<subscription>/<event>`) already is —
   * each index is written on every insert and update of a row.
   */
  private async ownersOnce(): Promise<void> {
    const markers = this.collection.db.collection<{ _id: string; at: Date }>('counters');
    if (await markers.findOne({ _id: 'deliveries-owner' })) return;
    await this.collection.updateMany({ status: 'pending', owner: { $exists: false } }, { $set: { owner: '' } });
    for (const name of ['claimable', 'subscription_event_unique']) await this.collection.dropIndex(name).catch(() => undefined); // absent on a new database
    await upsertRace(() => markers.updateOne({ _id: 'deliveries-owner' }, { $set: { at: new Date() } }, { upsert: true }));
  }
  /** Inserts the rows that do not exist yet; returns how many were new. */
  async createMissing(rows: readonly DeliveryDoc[]): Promise<number> {
    if (rows.length === 0) return 0;
    try {
      const result = await this.collection.insertMany([...rows], { ordered: false });
      return result.insertedCount;
    } catch (error) {
      const e = error as { code?: number; writeErrors?: { code?: number }[] | { code?: number }; insertedCount?: number; result?: { insertedCount?: number } };
      const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
      const onlyDuplicates = writeErrors.length > 0 ? writeErrors.every((w) => w.code === 11000) : e.code === 11000;
      if (!onlyDuplicates) throw error;
      return e.insertedCount ?? e.result?.insertedCount ?? 0;
    }
  }
  async get(id: string): Promise<DeliveryDoc | undefined> {
    return (await this.collection.findOne({ _id: id })) ?? undefined;
  }
  /**
   * Inserts the rows that do not exist yet and returns them (an event redelivered by Kafka finds its rows there and
   * gets only the missing ones).
   */
  async insertNew(rows: readonly DeliveryDoc[]): Promise<DeliveryDoc[]> {
    if (rows.length === 0) return [];
    try {
      await this.collection.insertMany([...rows], { ordered: false });
      return [...rows];
    } catch (error) {
      const e = error as { code?: number; writeErrors?: { code?: number; index?: number }[] | { code?: number; index?: number } };
      const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
      if (writeErrors.length === 0 || !writeErrors.every((w) => w.code === 11000 && typeof w.index === 'number')) throw error;
      const existing = new Set(writeErrors.map((w) => w.index));
      return rows.filter((_, i) => !existing.has(i));
    }
  }
  /**
   * Due rows nobody has (released by a stopping worker, re-opened, resumed, written while no worker ran), oldest
   * first: the recovery path. An equality on `owner: ''` picks them out of the pending backlog; the range on the
   * due time is applied to those only.
   */
  async due(now: Date, limit: number): Promise<DeliveryDoc[]> {
    return this.collection
      .find({ owner: '', status: 'pending', held: false, availableAt: { $lte: now } })
      .sort({ cursor: 1 })
      .limit(limit)
      .toArray();
  }
  /** The unfinished rows a worker has (due or not), oldest first: what recovery takes over when its lease ran out. */
  async ownedBy(owner: string, limit: number): Promise<DeliveryDoc[]> {
    return this.collection.find({ owner, status: 'pending' }).sort({ cursor: 1 }).limit(limit).toArray();
  }
  /** The earliest unfinished row of `row`'s lane before it, if any: `row` must wait for it (per-standard order). */
  async blocker(row: Pick<DeliveryDoc, 'subscriptionId' | 'key' | 'cursor'>, except: readonly string[] = []): Promise<DeliveryDoc | undefined> {
    const filter: Filter<DeliveryDoc> = {
      subscriptionId: row.subscriptionId,
      key: row.key,
      status: 'pending',
      cursor: { $lt: row.cursor },
      ...(except.length > 0 ? { _id: { $nin: [...except] } } : {}),
    };
    return (await this.collection.find(filter).sort({ cursor: 1 }).limit(1).next()) ?? undefined;
  }
  /** The lanes (subscription, key) that have unfinished rows: read once when a worker learns which keys it holds. */
  async pendingLanes(): Promise<{ subscriptionId: string; key: string }[]> {
    const rows = await this.collection.find({ status: 'pending' }, { projection: { _id: 0, subscriptionId: 1, key: 1 } }).toArray();
    const seen = new Map<string, { subscriptionId: string; key: string }>();
    for (const r of rows) seen.set(JSON.stringify([r.subscriptionId, r.key]), { subscriptionId: r.subscriptionId, key: r.key });
    return [...seen.values()];
  }
  /**
   * Atomic claim of a due row for `owner`: only one worker wins, in any process (the unique insert of its turn). If
   * that worker dies, its lease runs out and the row is taken over with the worker's other rows.
   */
  async claim(id: string, claim: string, now: Date, leaseMs: number, owner: string): Promise<DeliveryDoc | undefined> {
    const due = await this.collection.findOne({ _id: id, status: 'pending', held: false, availableAt: { $lte: now } });
    if (!due) return undefined;
    try {
      await this.turns.insertOne({ _id: JSON.stringify([id, due.availableAt.getTime()]), at: now });
    } catch (error) {
      if (isDuplicateKey(error)) return undefined; // another worker has this turn
      throw error;
    }
    await this.sweepTurns(now);
    const doc = await this.collection.findOneAndUpdate(
      { _id: id, status: 'pending', held: false, availableAt: due.availableAt },
      { $set: { claim, owner, availableAt: new Date(now.getTime() + leaseMs), updatedAt: now } },
      { returnDocument: 'after' },
    );
    return doc ?? undefined;
  }
  private async sweepTurns(now: Date): Promise<void> {
    if (now.getTime() - this.lastTurnSweep < TURN_RETENTION_MS / 4) return;
    this.lastTurnSweep = now.getTime();
    await this.turns.deleteMany({ at: { $lt: new Date(now.getTime() - TURN_RETENTION_MS) } });
  }
  /** Extends a claim this worker still holds (a row that waited in memory, or a retry now due). */
  async renew(id: string, claim: string, until: Date): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, claim, status: 'pending' }, { $set: { availableAt: until, updatedAt: new Date() } });
    return result.matchedCount > 0;
  }
  /**
   * Many outcomes, each an `_id` + claim update; returns how many claims were still held. A finished claim leaves the
   * row nobody's: one still pending (given back, held) is recovery's again.
   *
   * Outcomes that set the same fields are written by one `updateMany` on `_id $in` and `claim $in`, up to
   * FINISH_CHUNK rows: FerretDB reads them with one index lookup per id and writes them in one transaction
   * (infra/local/ferretdb-patches 0003, 0004), where an update per row cost a read, a write and a commit — a WAL
   * flush — each (issue #16). The pair of `$in`s is the pairwise match: a claim token is issued for one row only.
   */
  async finishMany(outcomes: readonly { id: string; claim: string; set: Partial<DeliveryDoc> }[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    const now = new Date();
    const groups = new Map<string, { set: Partial<DeliveryDoc>; rows: { id: string; claim: string }[] }>();
    for (const o of outcomes) {
      const key = JSON.stringify(o.set);
      const group = groups.get(key) ?? { set: o.set, rows: [] };
      group.rows.push({ id: o.id, claim: o.claim });
      groups.set(key, group);
    }
    let matched = 0;
    for (const { set, rows } of groups.values()) {
      for (let i = 0; i < rows.length; i += FINISH_CHUNK) {
        const chunk = rows.slice(i, i + FINISH_CHUNK);
        const result = await this.collection.updateMany(
          { _id: { $in: chunk.map((r) => r.id) }, claim: { $in: chunk.map((r) => r.claim) } },
          { $set: { claim: null, owner: '', ...set, updatedAt: now } },
        );
        matched += result.matchedCount;
      }
    }
    return matched;
  }
  /** Writes the outcome of a claim, unless the claim was lost (lease expired and taken over). */
  async finish(id: string, claim: string, set: Partial<DeliveryDoc>): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, claim }, { $set: { claim: null, owner: '', ...set, updatedAt: new Date() } });
    return result.matchedCount > 0;
  }
  async setHeld(subscriptionId: string, held: boolean): Promise<void> {
    await this.collection.updateMany({ subscriptionId, status: 'pending', held: !held }, { $set: { held, updatedAt: new Date() } });
  }
  async cancelPending(subscriptionId: string): Promise<void> {
    await this.collection.updateMany({ subscriptionId, status: 'pending' }, { $set: { status: 'cancelled', updatedAt: new Date() } });
  }
  /** Re-opens finished deliveries (a new round of attempts, same ids). In-flight or waiting ones are left alone. */
  async reopen(scope: DeliveryScope, statuses: readonly DeliveryStatus[], held: boolean): Promise<number> {
    const now = new Date();
    const filter: Filter<DeliveryDoc> = { subscriptionId: scope.subscriptionId, ...(scope.eventIds ? { eventId: { $in: [...scope.eventIds] } } : {}) };
    const result = await this.collection.updateMany(
      { ...filter, status: { $in: [...statuses] } },
      { $set: { status: 'pending', held, availableAt: now, roundAttempts: 0, claim: null, owner: '', updatedAt: now } },
    );
    return result.modifiedCount;
  }
  async list(query: DeliveryQuery, skip: number, limit: number): Promise<DeliveryDoc[]> {
    return this.collection.find(queryFilter<DeliveryDoc>(query)).sort({ cursor: 1, subscriptionId: 1 }).skip(skip).limit(limit).toArray();
  }
}

// ---------- workers' leases ----------

/**
 * One document per worker (one start of a process): it lives while `until` is ahead. A worker writes it before it
 * takes its first row and renews it well before it runs out; once it has run out, other workers take the worker's
 * rows over (`DeliveryRepository.ownedBy`) and mark it drained when none is left. Drained leases are removed a day
 * later (long after any write of theirs).
 */
export type WorkerLease = { _id: string; worker: string; until: Date; beatAt: Date; drained: boolean };

const DRAINED_RETENTION_MS = 24 * 3_600_000;

export class WorkerLeases {
  readonly collection: Collection<WorkerLease>;
  private lastPrune = 0;
  constructor(db: Db) {
    this.collection = db.collection<WorkerLease>('delivery_workers');
  }
  async init(): Promise<void> {
    await ensureIndexes(this.collection, [{ key: { drained: 1, until: 1 }, name: 'by_state' }]);
  }
  /** Writes or renews `owner`'s lease (and makes it undrained: a worker thought dead that is alive again). */
  async renew(owner: string, worker: string, until: Date): Promise<void> {
    await upsertRace(() => this.collection.updateOne({ _id: owner }, { $set: { worker, until, beatAt: new Date(), drained: false } }, { upsert: true }));
  }
  /** Leases run out and not yet drained: their rows are to be taken over. */
  async expired(now: Date): Promise<WorkerLease[]> {
    await this.prune(now);
    return this.collection.find({ drained: false, until: { $lt: now } }).toArray();
  }
  /** None of the worker's rows is left (unless its lease was renewed since it was read). */
  async drained(lease: WorkerLease): Promise<void> {
    await this.collection.updateOne({ _id: lease._id, until: lease.until }, { $set: { drained: true } });
  }
  private async prune(now: Date): Promise<void> {
    if (now.getTime() - this.lastPrune < 3_600_000) return;
    this.lastPrune = now.getTime();
    await this.collection.deleteMany({ drained: true, until: { $lt: new Date(now.getTime() - DRAINED_RETENTION_MS) } });
  }
}

// ---------- attempts (the delivery log) ----------

export class AttemptLog implements AttemptReader {
  readonly collection: Collection<AttemptDoc>;
  constructor(db: Db) {
    this.collection = db.collection<AttemptDoc>('attempts');
  }
  async init(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { subscriptionId: 1, startedAt: 1 }, name: 'by_subscription' },
      { key: { eventId: 1, startedAt: 1 }, name: 'by_event' },
    ]);
  }
  async record(doc: AttemptDoc): Promise<void> {
    await insertOne(this.collection, doc, 'delivery attempt');
  }
  /** Many attempts in one round trip (ids are unique: a retried batch skips what is already there). */
  async recordMany(docs: readonly AttemptDoc[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      await this.collection.insertMany([...docs], { ordered: false });
    } catch (error) {
      const e = error as { writeErrors?: { code?: number }[] | { code?: number } };
      const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
      if (writeErrors.length === 0 || !writeErrors.every((w) => w.code === 11000)) throw error;
    }
  }
  async list(query: Omit<DeliveryQuery, 'status'>, skip: number, limit: number): Promise<AttemptDoc[]> {
    return this.collection.find(queryFilter<AttemptDoc>(query)).sort({ startedAt: 1, _id: 1 }).skip(skip).limit(limit).toArray();
  }
}
