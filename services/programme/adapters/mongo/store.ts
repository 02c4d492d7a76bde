// The programme's database. Every record is written with its event in the same single-document write (outbox
// fields embedded), then its `_id`-keyed pending marker (markPending) wakes the relay:
// - technical standards: one `standard_events` document per stage (the event log: `<id>:<revision>` is unique, so
//   two concurrent moves of one revision cannot both land) and the `standards` projection;
// - pilots: their workflow's recording activity writes `pilot_events` (`<id>:<revision>`, idempotent on retry) and
//   the `pilots` projection (only forward: a stale retry never rolls it back);
// - experts, batches, evaluations: immutable records, each document its own event;
// - `candidate_places`: a province's candidate places of a batch, one document per place (`_id` [batch, province,
//   n]): the unique `_id` makes the cap hold across every pilot of the batch without transactions.
import type { Collection, Db } from 'mongodb';
import { AlreadyExistsError, ConcurrencyError } from '../../../shared/errors/errors';
import { programmeEvents } from '../../../shared/events/programme';
import { newEvent } from '../../../shared/kafka/kafka';
import { replaceIfNewer } from '../../../shared/mongo/cas';
import { insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';
import { ensureOutboxIndexes, markPending, toOutboxFields, type OutboxFields } from '../../../shared/mongo/outbox';
import type { PilotState } from '../../../../workflows/pilot/domain';
import type { RecordedPilotStep } from '../../../../workflows/pilot/contracts';
import type { ActorRef } from '../../../../workflows/contracts';
import type { StandardStage, TechnicalStandard } from '../../domain/standard';
import { toActor, toProtoBatch, toProtoEvaluation, toProtoExpert, toProtoPilot, toProtoStandard, type EvaluationRecord, type PilotBatch } from '../proto';
import type { ExpertRecord } from '../../application/programme';

export const programmeSource = '/bps/programme';

const stepOf: Record<StandardStage, keyof typeof programmeEvents.standard> = {
  PROPOSED: 'proposed',
  DRAFTING: 'drafting',
  CONSULTATION: 'consultation',
  REVIEW: 'review',
  PUBLISHED: 'published',
  IN_FORCE: 'in-force',
  REVIEWED: 'reviewed',
  WITHDRAWN: 'withdrawn',
};

type StandardEventDoc = OutboxFields & { _id: string; standardId: string; standard: TechnicalStandard };
type PilotDoc = { _id: string; state: PilotState; revision: number };
type PilotEventDoc = OutboxFields & { _id: string; pilotId: string; revision: number };
type ExpertDoc = OutboxFields & { _id: string; expert: ExpertRecord };
type BatchDoc = OutboxFields & { _id: string; batch: PilotBatch };
type EvaluationDoc = OutboxFields & { _id: string; evaluation: EvaluationRecord };
type PlaceDoc = { _id: string; batchId: string; province: string; place: number; pilotId: string };

export class ProgrammeStore {
  readonly standardEvents: Collection<StandardEventDoc>;
  readonly standards: Collection<{ _id: string; standard: TechnicalStandard }>;
  readonly pilots: Collection<PilotDoc>;
  readonly pilotEvents: Collection<PilotEventDoc>;
  readonly experts: Collection<ExpertDoc>;
  readonly batches: Collection<BatchDoc>;
  readonly evaluations: Collection<EvaluationDoc>;
  readonly places: Collection<PlaceDoc>;

  constructor(
    db: Db,
    private readonly options: { topicNamespace: string },
  ) {
    this.standardEvents = db.collection('standard_events');
    this.standards = db.collection('standards');
    this.pilots = db.collection('pilots');
    this.pilotEvents = db.collection('pilot_events');
    this.experts = db.collection('experts');
    this.batches = db.collection('batches');
    this.evaluations = db.collection('evaluations');
    this.places = db.collection('candidate_places');
  }

  /** The collections whose documents carry events (the relay's). */
  get outboxes(): Collection<any>[] {
    return [this.standardEvents, this.pilotEvents, this.experts, this.batches, this.evaluations];
  }

  async init(): Promise<void> {
    for (const c of this.outboxes) await ensureOutboxIndexes(c);
  }

  private event<T>(definition: Parameters<typeof newEvent<T>>[0], payload: T, key: string, id: string, time: Date) {
    return toOutboxFields(newEvent(definition, payload, { source: programmeSource, key, id, time, topicNamespace: this.options.topicNamespace }));
  }

  // ---- technical standards

  /** Appends the standard's next stage; ConcurrencyError when that revision was already written by someone else. */
  async recordStandard(standard: TechnicalStandard, actor: ActorRef, at: Date): Promise<void> {
    const id = `${standard.standardId}:${standard.revision}`;
    const doc: StandardEventDoc = {
      _id: id,
      standardId: standard.standardId,
      standard,
      ...this.event(
        programmeEvents.standard[stepOf[standard.stage]],
        { standardId: standard.standardId, step: stepOf[standard.stage], standard: toProtoStandard(standard), actor: toActor(actor) },
        standard.standardId,
        id,
        at,
      ),
    };
    try {
      await this.standardEvents.insertOne(doc);
    } catch (error) {
      if (isDuplicateKey(error))
        throw new ConcurrencyError(`${standard.standardId} changed meanwhile (revision ${standard.revision} exists)`, standard.revision);
      throw error;
    }
    await this.standards.replaceOne({ _id: standard.standardId }, { standard }, { upsert: true });
    await markPending(this.standardEvents, [doc]);
  }

  async standard(standardId: string): Promise<TechnicalStandard | undefined> {
    return (await this.standards.findOne({ _id: standardId }))?.standard;
  }

  async allStandards(): Promise<TechnicalStandard[]> {
    return (await this.standards.find({}).toArray()).map((d) => d.standard).sort((a, b) => a.standardId.localeCompare(b.standardId));
  }

  // ---- pilots

  /** The workflow's recording activity: events (idempotent by id) and the projection (forward only). */
  async recordPilotSteps(pilotId: string, steps: readonly RecordedPilotStep[]): Promise<void> {
    if (steps.length === 0) return;
    const docs: PilotEventDoc[] = steps.map(({ event, state }) => {
      const id = `${pilotId}:${state.revision}`;
      return {
        _id: id,
        pilotId,
        revision: state.revision,
        ...this.event(
          programmeEvents.pilot[event.type],
          {
            pilotId,
            step: event.type,
            summary: state.history[state.history.length - 1]?.summary ?? '',
            pilot: toProtoPilot(state),
            actor: toActor(event.actor),
          },
          pilotId,
          id,
          new Date(event.at),
        ),
      };
    });
    const written: PilotEventDoc[] = [];
    for (const doc of docs) {
      try {
        await this.pilotEvents.insertOne(doc);
        written.push(doc);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error; // a retried activity: already recorded
      }
    }
    const last = steps[steps.length - 1] as RecordedPilotStep;
    // Newer wins, by a compare-and-set that holds on FerretDB (services/shared/mongo/cas.ts).
    await replaceIfNewer(this.pilots, 'revision', { _id: pilotId, state: last.state, revision: last.state.revision });
    await markPending(this.pilotEvents, written);
  }

  async pilot(pilotId: string): Promise<PilotState | undefined> {
    return (await this.pilots.findOne({ _id: pilotId }))?.state;
  }

  async allPilots(): Promise<PilotState[]> {
    return (await this.pilots.find({}).toArray()).map((d) => d.state).sort((a, b) => a.pilotId.localeCompare(b.pilotId));
  }

  /** A candidate place of the province in the batch for this pilot: its existing one, the first free one, or 0. */
  async reservePlace(batchId: string, province: string, pilotId: string, places: number): Promise<number> {
    const ids = Array.from({ length: places }, (_, i) => JSON.stringify([batchId, province, i + 1]));
    const held = await this.places.find({ _id: { $in: ids } }).toArray();
    const mine = held.find((p) => p.pilotId === pilotId);
    if (mine) return mine.place;
    for (let place = 1; place <= places; place++) {
      if (held.some((p) => p.place === place)) continue;
      try {
        await this.places.insertOne({ _id: JSON.stringify([batchId, province, place]), batchId, province, place, pilotId });
        return place;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error; // taken meanwhile by another pilot: try the next
        const now = await this.places.findOne({ _id: JSON.stringify([batchId, province, place]) });
        if (now?.pilotId === pilotId) return place;
      }
    }
    return 0;
  }

  /** Frees a pilot's places (it was not recommended by every province concerned). */
  async releasePlaces(batchId: string, pilotId: string, provinces: readonly string[], places: number): Promise<void> {
    const ids = provinces.flatMap((province) => Array.from({ length: places }, (_, i) => JSON.stringify([batchId, province, i + 1])));
    await this.places.deleteMany({ _id: { $in: ids }, pilotId });
  }

  // ---- experts, batches, evaluations (immutable records)

  async registerExpert(expert: ExpertRecord): Promise<void> {
    const doc: ExpertDoc = {
      _id: expert.expertId,
      expert,
      ...this.event(
        programmeEvents.expertRegistered,
        { expert: toProtoExpert(expert), actor: toActor(expert.registeredBy) },
        expert.expertId,
        `expert:${expert.expertId}`,
        expert.registeredAt,
      ),
    };
    await insertOne(this.experts, doc, `expert ${expert.expertId}`);
    await markPending(this.experts, [doc]);
  }

  async expertsByIds(ids: readonly string[]): Promise<ExpertRecord[]> {
    return (await this.experts.find({ _id: { $in: [...ids] } }).toArray()).map((d) => d.expert);
  }

  async allExperts(): Promise<ExpertRecord[]> {
    return (await this.experts.find({}).toArray()).map((d) => d.expert).sort((a, b) => a.expertId.localeCompare(b.expertId));
  }

  async openBatch(batch: PilotBatch): Promise<void> {
    const doc: BatchDoc = {
      _id: batch.batchId,
      batch,
      ...this.event(
        programmeEvents.batchOpened,
        { batch: toProtoBatch(batch), actor: toActor(batch.openedBy) },
        batch.batchId,
        `batch:${batch.batchId}`,
        batch.openedAt,
      ),
    };
    try {
      await this.batches.insertOne(doc);
    } catch (error) {
      if (isDuplicateKey(error)) throw new AlreadyExistsError(`pilot batch ${batch.batchId} is already open`, { batchId: batch.batchId });
      throw error;
    }
    await markPending(this.batches, [doc]);
  }

  async batch(batchId: string): Promise<PilotBatch | undefined> {
    return (await this.batches.findOne({ _id: batchId }))?.batch;
  }

  async allBatches(): Promise<PilotBatch[]> {
    return (await this.batches.find({}).toArray()).map((d) => d.batch).sort((a, b) => a.batchId.localeCompare(b.batchId));
  }

  async recordEvaluation(evaluation: EvaluationRecord): Promise<void> {
    const doc: EvaluationDoc = {
      _id: evaluation.evaluationId,
      evaluation,
      ...this.event(
        programmeEvents.evaluationRecorded,
        { evaluationId: evaluation.evaluationId, evaluation: toProtoEvaluation(evaluation), actor: toActor(evaluation.recordedBy) },
        evaluation.evaluationId,
        `evaluation:${evaluation.evaluationId}`,
        evaluation.recordedAt,
      ),
    };
    await insertOne(this.evaluations, doc, `evaluation ${evaluation.evaluationId}`);
    await markPending(this.evaluations, [doc]);
  }

  async evaluation(evaluationId: string): Promise<EvaluationRecord | undefined> {
    return (await this.evaluations.findOne({ _id: evaluationId }))?.evaluation;
  }

  async allEvaluations(): Promise<EvaluationRecord[]> {
    return (await this.evaluations.find({}).toArray()).map((d) => d.evaluation).sort((a, b) => a.evaluationId.localeCompare(b.evaluationId));
  }
}
