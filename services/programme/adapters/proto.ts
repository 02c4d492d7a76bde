// Domain records ↔ their proto messages (bps.programme.v1): the events, the gRPC answers and the requests.
// Enum names are the domain's strings with the proto prefix (STANDARD_LEVEL_NATIONAL ↔ NATIONAL).
import type { Actor as ProtoActor, DateMessage as ProtoDate, DocumentReference } from '../../../proto/gen/bps/common/v1/common';
import {
  EvaluationKind as EvaluationKindEnum,
  PilotStatus as PilotStatusEnum,
  PilotTask as PilotTaskEnum,
  PilotType as PilotTypeEnum,
  StandardKind as StandardKindEnum,
  StandardLevel as StandardLevelEnum,
  StandardStage as StandardStageEnum,
  TaskStatus as TaskStatusEnum,
  type Evaluation as ProtoEvaluation,
  type Expert as ProtoExpert,
  type Pilot as ProtoPilot,
  type PilotApplication as ProtoPilotApplication,
  type PilotBatch as ProtoPilotBatch,
  type TechnicalStandard as ProtoStandard,
} from '../../../proto/gen/bps/programme/v1/programme';
import { formatIsoDate } from '../../shared/standards/china-date';
import type { ActorRef } from '../../../workflows/contracts';
import type { Expert, PilotApplication, PilotState, PilotTaskCode, PilotType, TaskStatus } from '../../../workflows/pilot/domain';
import { standingConclusion } from '../../../workflows/pilot/domain';
import type { EvaluationKind, EvaluationRecord, PilotBatch } from '../domain/programme';
export type { EvaluationRecord, PilotBatch };
import type { DocumentRef, StandardKind, StandardLevel, StandardStage, TechnicalStandard } from '../domain/standard';

/**
 * A proto enum ↔ its domain names (the value names without their prefix). `from` gives undefined for UNSPECIFIED,
 * UNRECOGNIZED and unknown numbers; `to` gives 0 (UNSPECIFIED) for a name the enum lacks.
 */
function enumCodec<N extends string, E extends number>(enumObject: Record<string, string | number>, prefix: string) {
  return {
    from(value: number): N | undefined {
      const name = (enumObject as Record<number, string>)[value];
      if (typeof name !== 'string' || name.endsWith('_UNSPECIFIED') || name === 'UNRECOGNIZED') return undefined;
      return name.slice(prefix.length) as N;
    },
    to(name: N): E {
      return ((enumObject as Record<string, number>)[`${prefix}${name}`] ?? 0) as E;
    },
  };
}

export const level = enumCodec<StandardLevel, StandardLevelEnum>(StandardLevelEnum, 'STANDARD_LEVEL_');
export const kind = enumCodec<StandardKind, StandardKindEnum>(StandardKindEnum, 'STANDARD_KIND_');
export const stage = enumCodec<StandardStage, StandardStageEnum>(StandardStageEnum, 'STANDARD_STAGE_');
export const pilotType = enumCodec<PilotType, PilotTypeEnum>(PilotTypeEnum, 'PILOT_TYPE_');
export const pilotStatus = enumCodec<PilotState['status'], PilotStatusEnum>(PilotStatusEnum, 'PILOT_STATUS_');
export const pilotTask = enumCodec<PilotTaskCode, PilotTaskEnum>(PilotTaskEnum, 'PILOT_TASK_');
export const taskStatus = enumCodec<TaskStatus, TaskStatusEnum>(TaskStatusEnum, 'TASK_STATUS_');
export const evaluationKind = enumCodec<EvaluationKind, EvaluationKindEnum>(EvaluationKindEnum, 'EVALUATION_KIND_');

export const toActor = (a: ActorRef): ProtoActor => ({ subject: a.subject, organisation: a.organisation, roles: [...a.roles] });
export const toDocs = (docs: readonly DocumentRef[]): DocumentReference[] => docs.map((d) => ({ ...d }));
export const fromDocs = (docs: readonly DocumentReference[]): DocumentRef[] =>
  docs.map((d) => ({ title: d.title, uri: d.uri, digest: d.digest, digestAlgorithm: d.digestAlgorithm }));

/** 'YYYY-MM-DD' → proto Date (undefined for ''). */
export function toDate(iso: string | undefined): ProtoDate | undefined {
  if (!iso) return undefined;
  const [year, month, day] = iso.split('-').map(Number);
  return { year: year ?? 0, month: month ?? 0, day: day ?? 0 };
}
/** proto Date → 'YYYY-MM-DD' ('' when unset). */
export function fromDate(d: ProtoDate | undefined): string {
  return d && (d.year || d.month || d.day) ? formatIsoDate(d) : '';
}

export function toProtoStandard(s: TechnicalStandard): ProtoStandard {
  return {
    standardId: s.standardId,
    title: s.title,
    level: level.to(s.level),
    mandatory: s.mandatory,
    kind: kind.to(s.kind),
    itemCodes: [...s.itemCodes],
    fieldCodes: [...s.fieldCodes],
    categoryCodes: [...s.categoryCodes],
    proposerOrganisation: s.proposerOrganisation,
    provinceCode: s.provinceCode,
    stage: stage.to(s.stage),
    number: s.number,
    issuingBody: s.issuingBody,
    publishedOn: toDate(s.publishedOn),
    implementedOn: toDate(s.implementedOn),
    supportingMeasures: toDocs(s.supportingMeasures),
    demandSurvey: toDocs(s.demandSurvey),
    costEstimate: toDocs(s.costEstimate),
    financeAgreement: s.financeAgreement ? { organisation: s.financeAgreement.organisation, documents: toDocs(s.financeAgreement.documents) } : undefined,
    revisesStandardId: s.revisesStandardId,
    history: s.history.map((h) => ({ stage: stage.to(h.stage), actor: toActor(h.actor), at: new Date(h.at), note: h.note })),
    revision: s.revision,
  };
}

export function toProtoExpert(e: Expert & { fieldCodes?: readonly string[] }): ProtoExpert {
  return { expertId: e.expertId, name: e.name, affiliation: e.affiliation, nationalCommittee: e.nationalCommittee, fieldCodes: [...(e.fieldCodes ?? [])] };
}

export function toProtoApplication(a: PilotApplication): ProtoPilotApplication {
  return { ...a, type: pilotType.to(a.type), fieldCodes: [...a.fieldCodes], partnerLocalityCodes: [...a.partnerLocalityCodes], documents: toDocs(a.documents) };
}

export function fromProtoApplication(a: ProtoPilotApplication, type: PilotType): PilotApplication {
  const trim = (s: string) => s.trim();
  return {
    name: trim(a.name),
    type,
    periodStart: a.periodStart,
    periodEnd: a.periodEnd,
    fieldCodes: [...a.fieldCodes],
    localityCode: a.localityCode,
    localityName: trim(a.localityName),
    partnerLocalityCodes: [...a.partnerLocalityCodes],
    groundwork: a.groundwork,
    policyAndFundingSupport: a.policyAndFundingSupport,
    majorIncidentInThreeYears: a.majorIncidentInThreeYears,
    goals: a.goals,
    workPlan: a.workPlan,
    funding: a.funding,
    documents: fromDocs(a.documents),
  };
}

export function toProtoPilot(p: PilotState): ProtoPilot {
  const ev = p.evaluation;
  return {
    pilotId: p.pilotId,
    batchId: p.batchId,
    name: p.name,
    type: pilotType.to(p.type),
    periodStart: p.periodStart,
    periodEnd: p.periodEnd,
    fieldCodes: [...p.fieldCodes],
    localities: p.localities.map((l) => ({
      localityCode: l.code,
      localityName: l.name,
      provinceCode: l.province,
      applied: l.application !== undefined,
      application: l.application ? toProtoApplication(l.application) : undefined,
    })),
    status: pilotStatus.to(p.status),
    screenings: p.screenings.map((s) => ({
      provinceCode: s.province,
      recommended: s.recommended,
      opinion: s.opinion,
      actor: toActor(s.actor),
      at: new Date(s.at),
      slot: s.slot,
    })),
    selection: p.selection.map((s) => ({
      organisation: s.organisation,
      selected: s.selected,
      opinion: s.opinion,
      actor: toActor(s.actor),
      at: new Date(s.at),
    })),
    termStart: toDate(p.termStart),
    termEnd: toDate(p.termEnd),
    tasks: p.tasks.map((t) => ({
      task: pilotTask.to(t.task),
      status: taskStatus.to(t.status),
      note: t.note,
      reportedAt: t.reportedAt === undefined ? undefined : new Date(t.reportedAt),
    })),
    incidents: p.incidents.map((i) => ({
      description: i.description,
      occurredOn: toDate(i.occurredOn),
      reportedBy: toActor(i.reportedBy),
      reportedAt: new Date(i.reportedAt),
      decision: i.decision ?? '',
      extendedTo: toDate(i.extendedTo),
      decidedBy: i.decidedBy ? toActor(i.decidedBy) : undefined,
    })),
    evaluation: {
      experts: (ev.experts ?? []).map(toProtoExpert),
      groupFormedBy: ev.groupFormedBy ? toActor(ev.groupFormedBy) : undefined,
      // What stands after a national re-check: an overturned conclusion is shown as overturned.
      conclusion: standingConclusion(ev) ?? '',
      score: ev.score ?? '',
      summary: ev.summary ?? '',
      report: toDocs(ev.report ?? []),
      scoredBy: ev.scoredBy ? toActor(ev.scoredBy) : undefined,
      recheckOutcome: ev.recheckOutcome ?? '',
      recheckNote: ev.recheckNote ?? '',
      recheckedBy: ev.recheckedBy ? toActor(ev.recheckedBy) : undefined,
    },
    publishedAt: p.publishedAt === undefined ? undefined : new Date(p.publishedAt),
    history: p.history.map((h) => ({ step: h.step, actor: toActor(h.actor), at: new Date(h.at), summary: h.summary })),
    provinceCodes: [...new Set(p.localities.map((l) => l.province))],
    revision: p.revision,
  };
}

export function toProtoBatch(b: PilotBatch): ProtoPilotBatch {
  return {
    batchId: b.batchId,
    title: b.title,
    applicationsClose: toDate(b.applicationsClose),
    candidatesPerProvince: b.candidatesPerProvince,
    openedBy: toActor(b.openedBy),
    openedAt: b.openedAt,
  };
}

export function toProtoEvaluation(e: EvaluationRecord): ProtoEvaluation {
  return {
    ...e,
    kind: evaluationKind.to(e.kind),
    indicators: e.indicators.map((i) => ({ ...i })),
    documents: toDocs(e.documents),
    recordedBy: toActor(e.recordedBy),
  };
}
