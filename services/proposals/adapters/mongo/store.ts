// The proposal event log (source of truth, unique (proposalId, sequence), doubling as the outbox), the list
// projection (one document per proposal holding its read model) and the id counters: the ports ProposalRepository
// and ProposalEventLog of application/ports.ts.
import type { Collection, Db, Filter } from 'mongodb';
import { Actor } from '../../../../proto/gen/bps/common/v1/common';
import { FiscalEstimate, Proposal, ProposalConflict, ProposalRevision } from '../../../../proto/gen/bps/proposals/v1/proposal';
import { ConcurrencyError } from '../../../shared/errors/errors';
import type { EventDefinition } from '../../../shared/events/catalog';
import { proposalEvents } from '../../../shared/events/proposals';
import { stopIfAbandoned } from '../../../shared/grpc/client';
import { newEvent } from '../../../shared/kafka/kafka';
import { replaceIfNewer } from '../../../shared/mongo/cas';
import { ensureIndexes, isDuplicateKey, translateMongoError } from '../../../shared/mongo/mongo';
import { ensureOutboxIndexes, markPending, toOutboxFields, type OutboxFields } from '../../../shared/mongo/outbox';
import { evolve, isOpen, type ProposalEvent, type ProposalEventType, type ProposalState, type RecordedEvent } from '../../domain/proposal';
import { toView } from '../../domain/view';
import type { ListFilter, ProposalEventLog, ProposalRepository, ReconcileMark } from '../../application/ports';

type EventDoc = OutboxFields & {
  _id: string;
  proposalId: string;
  sequence: number;
  type: ProposalEventType;
  at: Date;
};

type ProjectionDoc = {
  _id: string;
  sequence: number;
  status: string;
  open: boolean;
  leadMinistry: string;
  kind: number;
  cycleId: string;
  fieldCodes: string[];
  itemCodes: string[];
  updatedAt: Date;
  /** Last day of the public consultation ('YYYY-MM-DD', Beijing); '' when none was opened. */
  consultationClosesOn?: string;
  /** Proposal (current revision) as canonical JSON. */
  view: unknown;
};

type CounterDoc = { _id: string; value: number };

/**
 * A cache of the folded state at `sequence`, so loading a proposal is a lookup by _id plus a probe for later
 * events by _id (FerretDB answers only _id equality without scanning the collection). The log stays the truth:
 * a snapshot is only ever a fold of a prefix of it.
 */
type SnapshotDoc = { _id: string; sequence: number; state: unknown };

/**
 * One item an open proposal touches (issue #16): `<itemCode>|<proposalId>`, found by the indexed equality on
 * itemCode (pushed down to PostgreSQL by FerretDB, unlike `$in` or a match inside an array, which scan every
 * proposal). The proposals touching an item are its conflicts; kept in step with each proposal's latest state.
 */
type ItemClaimDoc = { _id: string; itemCode: string; proposalId: string };

/**
 * A proposal whose conflict flags (the conflict events on its log and on the others') must be brought in line with
 * the item claims, `<proposalId>#<sequence>`: inserted before the append that brings it to `sequence` and changes
 * its items or openness, removed once a reconciliation read it at that sequence or later. One document per mark
 * (a unique insert, never overwritten), so a later mark can never be lost to an earlier one.
 */
type ReconcileDoc = { _id: string; proposalId: string; sequence: number; at: Date; actor: unknown };

/** Marks a one-time pass done (the item claims of proposals stored before claims existed). */
const CLAIMS_BACKFILLED = 'item-claims-backfilled';

/**
 * Event types that leave a proposal's items and openness as they were: no claim to move, nothing to reconcile.
 * Listed, rather than the others, so a new event type is reconciled unless someone decides otherwise (a needless
 * pass is harmless; a missing one would leave conflict events behind the claims).
 */
const claimNeutral: ReadonlySet<ProposalEventType> = new Set<ProposalEventType>([
  'conflictFlagged',
  'conflictCleared',
  'submitted', // the current revision, still open
  'resubmitted',
  'reviewStarted',
  'returned', // from IN_REVIEW to RETURNED: open either way
  'consultationOpened',
  'commentReceived',
  'commentPublished',
  'commentRejected',
]);

/** Whether appending `events` may change which items the proposal claims (its items, or whether it is open). */
export function movesClaims(events: readonly ProposalEvent[]): boolean {
  return events.some((e) => !claimNeutral.has(e.type));
}

/** An idempotency key (caller subject + request id) and the proposal it created; looked up by _id only. */
export type RequestDoc = { _id: string; proposalId: string; contentDigest: string; at: Date };

function serialize(state: ProposalState): unknown {
  return {
    ...state,
    revisions: state.revisions.map((r) => ProposalRevision.toJSON(r)),
    submissions: state.submissions.map((s) => ({
      ...s,
      fiscalEstimate: FiscalEstimate.toJSON(s.fiscalEstimate),
      conflictsWith: s.conflictsWith.map((c) => ProposalConflict.toJSON(c)),
    })),
    // Proposal ids contain dots, which cannot be document keys.
    conflicts: Object.entries(state.conflicts).map(([proposalId, itemCodes]) => ({ proposalId, itemCodes })),
    createdAt: state.createdAt.toISOString(),
    updatedAt: state.updatedAt.toISOString(),
  };
}

function deserialize(raw: any): ProposalState {
  return {
    ...raw,
    draftedBy: Actor.fromJSON(raw.draftedBy),
    // Snapshots taken before authors were folded know the drafter only.
    authors: Array.isArray(raw.authors) ? raw.authors : [Actor.fromJSON(raw.draftedBy).subject].filter((x) => x !== ''),
    revisions: (raw.revisions as unknown[]).map((r) => ProposalRevision.fromJSON(r)),
    submissions: (raw.submissions as any[]).map((s) => ({
      ...s,
      fiscalEstimate: FiscalEstimate.fromJSON(s.fiscalEstimate),
      conflictsWith: (s.conflictsWith as unknown[]).map((c) => ProposalConflict.fromJSON(c)),
    })),
    conflicts: Object.fromEntries((raw.conflicts as { proposalId: string; itemCodes: string[] }[]).map((c) => [c.proposalId, c.itemCodes])),
    createdAt: new Date(raw.createdAt),
    updatedAt: new Date(raw.updatedAt),
  };
}

/** Another writer appended to the same proposal first; reload and decide again. */
export class StaleStreamError extends Error {}

export class ProposalStore implements ProposalRepository {
  readonly events: Collection<EventDoc>;
  private readonly projection: Collection<ProjectionDoc>;
  private readonly counters: Collection<CounterDoc>;
  private readonly snapshots: Collection<SnapshotDoc>;
  private readonly requests: Collection<RequestDoc>;
  private readonly claims: Collection<ItemClaimDoc>;
  private readonly reconciles: Collection<ReconcileDoc>;
  /** Called once a marked append is done (wakes this process's reconciler). */
  onMarked: () => void = () => undefined;

  constructor(
    db: Db,
    private readonly options: { topicNamespace: string; source?: string },
  ) {
    this.events = db.collection<EventDoc>('proposal_events');
    this.projection = db.collection<ProjectionDoc>('proposals');
    this.counters = db.collection<CounterDoc>('counters');
    this.snapshots = db.collection<SnapshotDoc>('proposal_snapshots');
    this.requests = db.collection<RequestDoc>('create_requests');
    this.claims = db.collection<ItemClaimDoc>('proposal_item_claims');
    this.reconciles = db.collection<ReconcileDoc>('proposal_conflict_reconciles');
  }

  async init(): Promise<void> {
    await ensureIndexes(this.events, [{ key: { proposalId: 1, sequence: 1 }, name: 'proposal_sequence', unique: true }]);
    await ensureOutboxIndexes(this.events);
    await ensureIndexes(this.projection, [
      { key: { leadMinistry: 1, _id: 1 }, name: 'by_ministry' },
      { key: { itemCodes: 1 }, name: 'by_item' },
      { key: { status: 1, _id: 1 }, name: 'by_status' },
    ]);
    await ensureIndexes(this.claims, [{ key: { itemCode: 1 }, name: 'by_item' }]);
  }

  /**
   * Makes the item claims of proposal `state.id` those of its latest state: its current items while open, none once
   * closed. Reads the log after writing (one probe by _id): when a later event exists, a concurrent command may have
   * written its claims before these, so this writes again from the fresh state — the last writer always writes
   * the latest state's claims.
   */
  async syncClaims(state: ProposalState): Promise<void> {
    let current: ProposalState | undefined = state;
    while (current) {
      const wanted = isOpen(current) ? (current.revisions[current.revisions.length - 1]?.itemCodes ?? []) : [];
      const ever = new Set(current.revisions.flatMap((r) => r.itemCodes));
      const id: string = current.id;
      const gone = [...ever].filter((code) => !wanted.includes(code));
      await Promise.all([
        wanted.length > 0
          ? this.claims
              .insertMany(
                wanted.map((itemCode) => ({ _id: `${itemCode}|${id}`, itemCode, proposalId: id })),
                { ordered: false },
              )
              .catch((error: unknown) => {
                if (!isDuplicateKey(error) && (error as { code?: number }).code !== 11000) throw error;
              })
          : undefined,
        ...gone.map((itemCode) => this.claims.deleteOne({ _id: `${itemCode}|${id}` })),
      ]);
      const later: unknown = await this.events.findOne({ _id: `${id}/${current.sequence + 1}` }, { projection: { _id: 1 } });
      current = later ? await this.load(id) : undefined;
    }
  }

  /** The open proposals claiming each of `itemCodes` (one indexed equality per item). */
  async claimsOf(itemCodes: readonly string[]): Promise<Map<string, string[]>> {
    const distinct = [...new Set(itemCodes)];
    const found = await Promise.all(distinct.map((itemCode) => this.claims.find({ itemCode }, { projection: { proposalId: 1 } }).toArray()));
    return new Map(distinct.map((code, i) => [code, found[i]!.map((d) => d.proposalId)]));
  }

  /** Once per database: claims for the open proposals stored before item claims existed (one scan of the read model). */
  async backfillClaims(): Promise<number> {
    if (await this.counters.findOne({ _id: CLAIMS_BACKFILLED })) return 0;
    let n = 0;
    for (const { _id } of await this.projection.find({ open: true }, { projection: { _id: 1 } }).toArray()) {
      const state = await this.load(_id);
      if (state) await this.syncClaims(state);
      n++;
    }
    await this.counters.updateOne({ _id: CLAIMS_BACKFILLED }, { $max: { value: 1 } }, { upsert: true }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
    return n;
  }

  /** Marks proposal `proposalId` for conflict reconciliation at `sequence` (before the append that gets there). */
  async markReconcile(proposalId: string, sequence: number, at: Date, actor: Actor): Promise<void> {
    await this.reconciles.insertOne({ _id: `${proposalId}#${sequence}`, proposalId, sequence, at, actor: Actor.toJSON(actor) }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error; // a concurrent writer marked the same sequence
    });
  }

  /** Marks not yet done, oldest first (a small collection: it holds only pending work). */
  async markedForReconcile(limit: number): Promise<ReconcileMark[]> {
    const docs = await this.reconciles.find({}).sort({ at: 1, _id: 1 }).limit(limit).toArray();
    return docs.map((d) => ({ id: d._id, proposalId: d.proposalId, sequence: d.sequence, at: d.at, actor: Actor.fromJSON(d.actor) }));
  }

  /** Removes mark `id` (a reconciliation read its proposal at the mark's sequence or later). */
  async reconciled(id: string): Promise<void> {
    await this.reconciles.deleteOne({ _id: id });
  }

  /**
   * Next value of a named counter. Each value is claimed by inserting a document with a unique _id, so two
   * concurrent callers can never get the same one (FerretDB v1 does not make findOneAndUpdate's read-modify-write
   * atomic); the counter document is only a hint of where to start probing.
   */
  async nextCounter(name: string): Promise<number> {
    const hint = (await this.counters.findOne({ _id: name }))?.value ?? 0;
    for (let value = hint + 1; ; value++) {
      try {
        await this.counters.insertOne({ _id: `${name}#${value}`, value });
      } catch (error) {
        if (isDuplicateKey(error)) continue;
        throw error;
      }
      // A stale hint only costs a few probes later; a lost race on the hint document is harmless.
      await this.counters.updateOne({ _id: name }, { $max: { value } }, { upsert: true }).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
      return value;
    }
  }

  /** The proposal a caller's idempotency key already stands for, if any. */
  async findRequest(key: string): Promise<RequestDoc | undefined> {
    return (await this.requests.findOne({ _id: key })) ?? undefined;
  }

  /**
   * Claims an idempotency key for a proposal id. Returns the claim that holds: this one, or the one a concurrent
   * call with the same key made first.
   */
  async claimRequest(key: string, proposalId: string, contentDigest: string, at: Date): Promise<RequestDoc> {
    const claim: RequestDoc = { _id: key, proposalId, contentDigest, at };
    try {
      await this.requests.insertOne(claim);
      return claim;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.findRequest(key);
      if (!existing) throw error;
      return existing;
    }
  }

  /** The snapshot (if any), then every later event, looked up by _id one sequence at a time. */
  async load(proposalId: string): Promise<ProposalState | undefined> {
    const snapshot = await this.snapshots.findOne({ _id: proposalId });
    let state = snapshot ? deserialize(snapshot.state) : undefined;
    for (let sequence = (state?.sequence ?? 0) + 1; ; sequence++) {
      const doc = await this.events.findOne({ _id: `${proposalId}/${sequence}` });
      if (!doc) return state;
      state = evolve(state, decode(doc));
    }
  }

  /**
   * Appends events after `afterSequence`; StaleStreamError when someone else got there first. `relayedAt` writes
   * them as history the relay sent long ago (a benchmark's seed of past drafts): no pending marker, nothing to send.
   */
  async append(
    proposalId: string,
    afterSequence: number,
    events: readonly ProposalEvent[],
    at: Date,
    options: { relayedAt?: Date } = {},
  ): Promise<RecordedEvent[]> {
    stopIfAbandoned(); // a call whose caller gave up (and holds no idempotency key) changes nothing (issue #19)
    const recorded = events.map((event, i) => ({ sequence: afterSequence + i + 1, at, event }));
    const docs: EventDoc[] = recorded.map(({ sequence, event }) => {
      // The union of definitions is not callable generically; type and data are paired by ProposalEvent.
      const definition = proposalEvents[event.type] as EventDefinition<unknown>;
      const cloudEvent = newEvent(definition, event.data, {
        source: this.options.source ?? '/bps/proposals',
        key: proposalId,
        id: `${proposalId}/${sequence}`,
        time: at,
        topicNamespace: this.options.topicNamespace,
      });
      const outbox = toOutboxFields(cloudEvent);
      const fields = options.relayedAt ? { outbox: { ...outbox.outbox, sentAt: options.relayedAt } } : outbox;
      return { _id: `${proposalId}/${sequence}`, proposalId, sequence, type: event.type, at, ...fields };
    });
    if (docs.length === 0) return [];
    try {
      await this.events.insertMany(docs, { ordered: true });
    } catch (error) {
      if (isDuplicateKey(error) || (error as { code?: number }).code === 11000)
        throw new StaleStreamError(`proposal ${proposalId} moved past ${afterSequence}`);
      translateMongoError(error, `events of proposal ${proposalId}`);
    }
    if (!options.relayedAt) await markPending(this.events, docs);
    return recorded;
  }

  /** Upserts the read model unless a newer one is already stored (projections may be written out of order). */
  async project(state: ProposalState): Promise<void> {
    const current = state.revisions[state.revisions.length - 1];
    const doc: ProjectionDoc = {
      _id: state.id,
      sequence: state.sequence,
      status: state.status,
      open: isOpen(state),
      leadMinistry: state.leadMinistry,
      kind: current?.content?.kind ?? 0,
      cycleId: current?.content?.cycleId ?? '',
      fieldCodes: current?.fieldCodes ?? [],
      itemCodes: current?.itemCodes ?? [],
      updatedAt: state.updatedAt,
      consultationClosesOn: state.consultation?.closesOn ?? '',
      view: Proposal.toJSON(toView(state) as Proposal),
    };
    // Newer wins, by a compare-and-set that holds on FerretDB (two instances projecting one proposal side by side).
    await Promise.all([
      replaceIfNewer(this.projection, 'sequence', doc),
      replaceIfNewer(this.snapshots, 'sequence', { _id: state.id, sequence: state.sequence, state: serialize(state) }),
    ]);
  }

  /** Other open proposals touching any of `itemCodes`, with those of `itemCodes` they touch (from the item claims). */
  async openTouching(itemCodes: readonly string[], except: string): Promise<{ id: string; itemCodes: string[] }[]> {
    const touching = new Map<string, string[]>();
    for (const [itemCode, ids] of await this.claimsOf(itemCodes)) {
      for (const id of ids) if (id !== except) touching.set(id, [...(touching.get(id) ?? []), itemCode]);
    }
    return [...touching].map(([id, codes]) => ({ id, itemCodes: codes.sort() }));
  }

  async list(filter: ListFilter): Promise<Proposal[]> {
    if (filter.scope.kind === 'none') return [];
    const query: Filter<ProjectionDoc> = {};
    // Led or co-proposed by the caller's organisation (the read model's view holds the co-proposers).
    if (filter.scope.kind === 'organisation') query.$or = [{ leadMinistry: filter.scope.organisation }, { 'view.coProposers': filter.scope.organisation }];
    if (filter.leadMinistry) query.leadMinistry = filter.leadMinistry;
    if (filter.fieldCode) query.fieldCodes = filter.fieldCode;
    if (filter.kind) query.kind = filter.kind;
    if (filter.status) query.status = filter.status;
    if (filter.cycleId) query.cycleId = filter.cycleId;
    if (filter.after) query._id = { $gt: filter.after };
    const docs = await this.projection.find(query).sort({ _id: 1 }).limit(filter.limit).toArray();
    return docs.map((d) => Proposal.fromJSON(d.view));
  }

  /** Proposals whose projection lags their event log (a crash between append and projection). */
  async lagging(): Promise<string[]> {
    const latest = new Map<string, number>();
    for await (const e of this.events.find({}, { projection: { proposalId: 1, sequence: 1 } })) {
      latest.set(e.proposalId, Math.max(latest.get(e.proposalId) ?? 0, e.sequence));
    }
    const projected = new Map((await this.projection.find({}, { projection: { sequence: 1 } }).toArray()).map((d) => [d._id, d.sequence]));
    return [...latest].filter(([id, sequence]) => (projected.get(id) ?? 0) < sequence).map(([id]) => id);
  }

  /** Ids of proposals with a public consultation ending on or after `closesFrom` ('' = every one ever opened), open ones only unless `includeClosed`. */
  async consultationIds(closesFrom: string, includeClosed: boolean): Promise<string[]> {
    const query: Filter<ProjectionDoc> = { consultationClosesOn: closesFrom ? { $gte: closesFrom } : { $gt: '' } };
    if (!includeClosed) query.open = true;
    return (
      await this.projection
        .find(query, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .limit(500)
        .toArray()
    ).map((d) => d._id);
  }

  /** Ids of proposals in a status (from the projection). */
  async idsInStatus(status: string): Promise<string[]> {
    return (await this.projection.find({ status }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
  }
}

/** The event log for the one command handler: revision = sequence of the last event; an append also projects. */
export class ProposalEventLogOnMongo implements ProposalEventLog {
  constructor(private readonly store: ProposalStore) {}

  async load(proposalId: string): Promise<{ state: ProposalState | undefined; revision: number }> {
    const state = await this.store.load(proposalId);
    return { state, revision: state?.sequence ?? 0 };
  }

  async append(proposalId: string, afterSequence: number, events: readonly ProposalEvent[], next: ProposalState | undefined): Promise<number> {
    if (!next) throw new Error(`appending to proposal ${proposalId} left no state`);
    const moves = movesClaims(events);
    // Marked before the append, so a crash after it cannot lose the reconciliation (an extra one is harmless).
    if (moves) {
      // The conflict events the reconciliation writes name who caused them (every claim-moving event has an actor).
      const actor = (events[events.length - 1]?.data as { actor?: Actor } | undefined)?.actor ?? { subject: 'proposals', organisation: '', roles: [] };
      await this.store.markReconcile(proposalId, afterSequence + events.length, next.updatedAt, actor);
    }
    try {
      // The events are recorded at the time the decider folded them at (evolve sets updatedAt to it).
      await this.store.append(proposalId, afterSequence, events, next.updatedAt);
    } catch (error) {
      if (error instanceof StaleStreamError) throw new ConcurrencyError(error.message, afterSequence);
      throw error;
    }
    // Claims before the read model: a crash in between leaves the read model lagging, and recovery redoes both.
    if (moves) await this.store.syncClaims(next);
    await this.store.project(next);
    if (moves) this.store.onMarked();
    return afterSequence + events.length;
  }
}

function decode(doc: EventDoc): RecordedEvent {
  const definition = proposalEvents[doc.type] as EventDefinition<unknown>;
  const data = definition.codec.fromJSON(JSON.parse(doc.outbox.event.data));
  return { sequence: doc.sequence, at: doc.at, event: { type: doc.type, data } as ProposalEvent };
}
