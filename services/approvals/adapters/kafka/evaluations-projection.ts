// What the approvals service knows of the standardisation programme's implementation evaluations (issue #18): a
// projection of bps.programme.evaluation.recorded (bps.programme.v1, written only by the programme service), one
// document per evaluation keyed by `_id` = evaluation id, so a field evaluation of a revision cycle can cite them
// (adapters/grpc/cycles.ts resolves the cited ids with one key lookup each). Other programme events are ignored. Redelivery
// is harmless: ce_ids are deduplicated (ProcessedEvents) and the write is an upsert by id that never replaces a
// later record of the same evaluation with an earlier one. An event whose ce_source is not the programme service's
// never reaches the handler: the consumer framework dead-letters it (foreign source).
import type { Kafka } from 'kafkajs';
import type { Collection, Db } from 'mongodb';
import { EvaluationKind, evaluationKindToJSON } from '../../../../proto/gen/bps/programme/v1/programme';
import type { CycleCitedEvaluation } from '../../../../workflows/contracts';
import { decodeData, topicName, topics } from '../../../shared/events/catalog';
import { programmeEvents } from '../../../shared/events/programme';
import { ValidationError } from '../../../shared/errors/errors';
import { EventConsumer, ProcessedEvents } from '../../../shared/kafka/kafka';
import type { Logger } from '../../../shared/log/logger';
import { clip } from '../../../shared/validation/input';

/** An evaluation's summary as a citation carries it (through the workflow, the cycle view and the event). */
export const MAX_CITED_SUMMARY_LENGTH = 2000;

type EvaluationDoc = {
  _id: string;
  kind: string;
  itemCode: string;
  fieldCode: string;
  provinceCode: string;
  period: string;
  satisfactionPercent: string;
  summary: string;
  recordedBy: string;
  recordedAt: Date | null;
  /** The ce_id of the event this record comes from, and when it was projected. */
  eventId: string;
  projectedAt: Date;
};

/** EVALUATION_KIND_SATISFACTION_SURVEY → SATISFACTION_SURVEY (UNSPECIFIED → ''). */
export function evaluationKindName(kind: EvaluationKind): string {
  return kind === EvaluationKind.EVALUATION_KIND_UNSPECIFIED ? '' : evaluationKindToJSON(kind).replace(/^EVALUATION_KIND_/, '');
}

export class EvaluationsProjection {
  readonly collection: Collection<EvaluationDoc>;
  constructor(db: Db, name = 'programme_evaluations') {
    this.collection = db.collection<EvaluationDoc>(name);
  }

  /** The evaluations known under these ids (one `_id` lookup each: FerretDB pushes down nothing else). */
  async get(ids: readonly string[]): Promise<Map<string, CycleCitedEvaluation>> {
    const docs = await Promise.all([...new Set(ids)].map((id) => this.collection.findOne({ _id: id })));
    return new Map(docs.filter((d): d is EvaluationDoc => d !== null).map((d) => [d._id, citationOf(d)]));
  }

  /** Records one evaluation as recorded by the programme service; a later record of it wins. Returns false when older. */
  async record(doc: EvaluationDoc): Promise<boolean> {
    const held = await this.collection.findOne({ _id: doc._id });
    if (held?.recordedAt && doc.recordedAt && held.recordedAt.getTime() > doc.recordedAt.getTime()) return false;
    const { _id, ...fields } = doc;
    await this.collection.updateOne({ _id }, { $set: fields }, { upsert: true });
    return true;
  }
}

function citationOf(d: EvaluationDoc): CycleCitedEvaluation {
  return {
    evaluationId: d._id,
    kind: d.kind,
    itemCode: d.itemCode,
    fieldCode: d.fieldCode,
    provinceCode: d.provinceCode,
    period: d.period,
    satisfactionPercent: d.satisfactionPercent,
    summary: d.summary,
    recordedBy: d.recordedBy,
    ...(d.recordedAt ? { recordedAt: d.recordedAt.getTime() } : {}),
  };
}

/** Consumes bps.programme.v1 into the projection (group `approvals-evaluations[.<namespace>]`). */
export function evaluationsConsumer(options: {
  kafka: Kafka;
  db: Db;
  projection: EvaluationsProjection;
  groupId: string;
  topicNamespace: string;
  logger: Logger;
}): EventConsumer {
  const { projection, logger } = options;
  return new EventConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [topicName(topics.programme, options.topicNamespace)],
    processed: new ProcessedEvents(options.db),
    logger,
    handler: async (event) => {
      if (event.type !== programmeEvents.evaluationRecorded.type) return; // standards, pilots, experts: not cited by cycles
      const recorded = decodeData(programmeEvents.evaluationRecorded, event.data);
      const e = recorded.evaluation;
      const evaluationId = (recorded.evaluationId || e?.evaluationId || '').trim();
      if (!e || evaluationId === '') throw new ValidationError([{ field: e ? 'evaluation_id' : 'evaluation', description: 'required' }]);
      if (e.evaluationId && e.evaluationId !== evaluationId)
        throw new ValidationError([{ field: 'evaluation.evaluation_id', description: `${e.evaluationId} differs from the event's ${evaluationId}` }]);
      const kept = await projection.record({
        _id: evaluationId,
        kind: evaluationKindName(e.kind),
        itemCode: e.itemCode,
        fieldCode: e.fieldCode,
        provinceCode: e.provinceCode,
        period: e.period,
        satisfactionPercent: e.satisfactionPercent,
        summary: clip(e.summary, MAX_CITED_SUMMARY_LENGTH),
        recordedBy: e.recordedBy?.subject || recorded.actor?.subject || '',
        recordedAt: e.recordedAt ?? null,
        eventId: event.id,
        projectedAt: new Date(),
      });
      logger.info({ evaluationId, kind: e.kind, item: e.itemCode, field: e.fieldCode, kept }, 'implementation evaluation recorded');
    },
  });
}
