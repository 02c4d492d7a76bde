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
import type { ListFilter, ProposalEventLog, ProposalRepository } from '../../application/ports';

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

  constructor(
    db: Db,
    private readonly options: { topicNamespace: string; source?: string },
  ) {
    this.events = db.collection<EventDoc>('proposal_events');
    this.projection = db.collection<ProjectionDoc>('proposals');
    this.counters = db.collection<CounterDoc>('counters');
    this.snapshots = db.collection<SnapshotDoc>('proposal_snapshots');
    this.requests = db.collection<RequestDoc>('create_requests');
  }

  async init(): Promise<void> {
    await ensureIndexes(this.events, [{ key: { proposalId: 1, sequence: 1 }, name: 'proposal_sequence', unique: true }]);
    await ensureOutboxIndexes(this.events);
    await ensureIndexes(this.projection, [
      { key: { leadMinistry: 1, _id: 1 }, name: 'by_ministry' },
      { key: { itemCodes: 1 }, name: 'by_item' },
      { key: { status: 1, _id: 1 }, name: 'by_status' },
    ]);
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

  /** Appends events after `afterSequence`; StaleStreamError when someone else got there first. */
  async append(proposalId: string, afterSequence: number, events: readonly ProposalEvent[], at: Date): Promise<RecordedEvent[]> {
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
      return { _id: `${proposalId}/${sequence}`, proposalId, sequence, type: event.type, at, ...toOutboxFields(cloudEvent) };
    });
    if (docs.length === 0) return [];
    try {
      await this.events.insertMany(docs, { ordered: true });
    } catch (error) {
      if (isDuplicateKey(error) || (error as { code?: number }).code === 11000)
        throw new StaleStreamError(`proposal ${proposalId} moved past ${afterSequence}`);
      translateMongoError(error, `events of proposal ${proposalId}`);
    }
    await markPending(this.events, docs);
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

  /** Other open proposals touching any of `itemCodes`, with the items they touch. */
  async openTouching(itemCodes: readonly string[], except: string): Promise<{ id: string; itemCodes: string[] }[]> {
    if (itemCodes.length === 0) return [];
    const docs = await this.projection
      .find({ itemCodes: { $in: [...itemCodes] }, open: true, _id: { $ne: except } }, { projection: { itemCodes: 1 } })
      .toArray();
    return docs.map((d) => ({ id: d._id, itemCodes: d.itemCodes }));
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
    try {
      // The events are recorded at the time the decider folded them at (evolve sets updatedAt to it).
      await this.store.append(proposalId, afterSequence, events, next.updatedAt);
    } catch (error) {
      if (error instanceof StaleStreamError) throw new ConcurrencyError(error.message, afterSequence);
      throw error;
    }
    await this.store.project(next);
    return afterSequence + events.length;
  }
}

function decode(doc: EventDoc): RecordedEvent {
  const definition = proposalEvents[doc.type] as EventDefinition<unknown>;
  const data = definition.codec.fromJSON(JSON.parse(doc.outbox.event.data));
  return { sequence: doc.sequence, at: doc.at, event: { type: doc.type, data } as ProposalEvent };
}
