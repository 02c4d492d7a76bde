// gRPC Programme: translation between the wire and the use cases (the bootstrap authenticates, validates text,
// records idempotency keys, and maps and audits refusals).
import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { ActOnPilotRequest, ProgrammeServer } from '../../../../proto/gen/bps/programme/v1/programme';
import type { ActorRef } from '../../../../workflows/contracts';
import type { PilotAction } from '../../../../workflows/pilot/contracts';
import type { PilotTaskCode, TaskStatus } from '../../../../workflows/pilot/domain';
import { ruleRefusalError, ValidationError, type FieldViolation } from '../../../shared/errors/errors';
import { identityOf } from '../../../shared/grpc/server';
import type { Programme, Refusable } from '../../application/programme';
import type { StandardStage } from '../../domain/standard';
import {
  evaluationKind,
  fromDate,
  fromDocs,
  fromProtoApplication,
  kind,
  level,
  pilotStatus,
  pilotTask,
  pilotType,
  stage,
  taskStatus,
  toDate,
  toProtoBatch,
  toProtoEvaluation,
  toProtoExpert,
  toProtoPilot,
  toProtoStandard,
} from '../proto';

function unary<Req, Res>(fn: (request: Req, actor: ActorRef) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const identity = identityOf(call);
    fn(call.request, { subject: identity.subject, organisation: identity.organisation, roles: [...identity.roles] }).then(
      (response) => callback(null, response),
      (error: unknown) => callback(error as never),
    );
  };
}

/** A use case's value; its refusal becomes the error the bootstrap maps to a status and audits. */
function accept<T>(result: Refusable<T>): T {
  if (!result.ok) throw ruleRefusalError(result.refusal, result.subject, result.field);
  return result.value;
}

/** Collects field violations and throws them together. */
class Check {
  readonly violations: FieldViolation[] = [];
  required<T>(value: T | undefined, field: string, description: string): T {
    if (value === undefined) this.violations.push({ field, description });
    return value as T;
  }
  id(value: string, field: string): string {
    if (value.trim() === '') this.violations.push({ field, description: 'is required' });
    return value;
  }
  /** An optional filter enum: 0 = any; an unknown number is refused. */
  filter<T>(value: number, parse: (v: number) => T | undefined, field: string): T | undefined {
    if (value === 0) return undefined;
    const parsed = parse(value);
    if (parsed === undefined) this.violations.push({ field, description: 'unknown value' });
    return parsed;
  }
  done(): void {
    if (this.violations.length > 0) throw new ValidationError(this.violations);
  }
}

/** The oneof of ActOnPilot as the workflow's action (the actor from the token; experts resolved from the register). */
async function pilotAction(programme: Programme, actor: ActorRef, req: ActOnPilotRequest): Promise<PilotAction> {
  const action = req.action;
  if (!action) throw new ValidationError([{ field: 'action', description: 'one action is required' }]);
  switch (action.$case) {
    case 'screen':
      return { type: 'screen', actor, recommend: action.screen.recommend, opinion: action.screen.opinion };
    case 'decideSelection': {
      const d = action.decideSelection;
      return {
        type: 'decideSelection',
        actor,
        select: d.select,
        opinion: d.opinion,
        termStart: fromDate(d.termStart) || undefined,
        termEnd: fromDate(d.termEnd) || undefined,
      };
    }
    case 'reportProgress': {
      const check = new Check();
      const tasks = action.reportProgress.tasks.map((t, i) => ({
        task: check.required(pilotTask.from(t.task), `report_progress.tasks[${i}].task`, 'one of the five pilot tasks') as PilotTaskCode,
        status: check.required(taskStatus.from(t.status), `report_progress.tasks[${i}].status`, 'NOT_STARTED, IN_PROGRESS or DONE') as TaskStatus,
        note: t.note,
      }));
      check.done();
      return { type: 'reportProgress', actor, tasks };
    }
    case 'reportIncident':
      return { type: 'reportIncident', actor, description: action.reportIncident.description, occurredOn: fromDate(action.reportIncident.occurredOn) };
    case 'decideIncident':
      return {
        type: 'decideIncident',
        actor,
        cancel: action.decideIncident.cancel,
        extendedTo: fromDate(action.decideIncident.extendedTo) || undefined,
        note: action.decideIncident.note,
      };
    case 'requestEvaluation':
      return { type: 'requestEvaluation', actor, note: action.requestEvaluation.note };
    case 'formExpertGroup':
      return { type: 'formExpertGroup', actor, experts: await programme.expertsFor(action.formExpertGroup.expertIds) };
    case 'recordEvaluation': {
      const r = action.recordEvaluation;
      return { type: 'recordEvaluation', actor, conclusion: r.conclusion, score: r.score, summary: r.summary, report: fromDocs(r.report) };
    }
    case 'recheck':
      return { type: 'recheck', actor, outcome: action.recheck.outcome, note: action.recheck.note };
    case 'publishResults':
      return { type: 'publishResults', actor, note: action.publishResults.note };
    default: {
      const unreachable: never = action;
      throw new ValidationError([{ field: 'action', description: `unknown action ${JSON.stringify(unreachable)}` }]);
    }
  }
}

export function programmeHandlers(programme: Programme): ProgrammeServer {
  return {
    proposeStandard: unary(async (req, actor) => {
      const check = new Check();
      const lv = check.required(level.from(req.level), 'level', 'NATIONAL, SECTOR, LOCAL or GROUP');
      const kd = check.required(kind.from(req.kind), 'kind', 'FACILITY_EQUIPMENT, SERVICE_PROCESS_QUALITY, OPERATION_MANAGEMENT or PERFORMANCE_EVALUATION');
      check.done();
      const standard = accept(
        await programme.proposeStandard(actor, {
          title: req.title.trim(),
          level: lv,
          mandatory: req.mandatory,
          kind: kd,
          itemCodes: req.itemCodes,
          provinceCode: req.provinceCode,
          supportingMeasures: fromDocs(req.supportingMeasures),
          revisesStandardId: req.revisesStandardId,
        }),
      );
      return { standard: toProtoStandard(standard) };
    }),
    advanceStandard: unary(async (req, actor) => {
      const check = new Check();
      check.id(req.standardId, 'standard_id');
      const to = check.required(stage.from(req.to), 'to', 'the stage to move to') as StandardStage;
      if (req.expectedRevision < 0) check.violations.push({ field: 'expected_revision', description: 'the revision seen (0 = any)' });
      check.done();
      const standard = accept(
        await programme.advanceStandard(actor, req.standardId, req.expectedRevision, {
          to,
          note: req.note,
          demandSurvey: fromDocs(req.demandSurvey),
          costEstimate: fromDocs(req.costEstimate),
          ...(req.financeAgreement
            ? { financeAgreement: { organisation: req.financeAgreement.organisation, documents: fromDocs(req.financeAgreement.documents) } }
            : {}),
          number: req.number.trim(),
          issuingBody: req.issuingBody.trim(),
          publishedOn: fromDate(req.publishedOn),
          implementedOn: fromDate(req.implementedOn),
        }),
      );
      return { standard: toProtoStandard(standard) };
    }),
    getStandard: unary(async (req) => {
      const check = new Check();
      check.id(req.standardId, 'standard_id');
      check.done();
      return { standard: toProtoStandard(await programme.standard(req.standardId)) };
    }),
    listStandards: unary(async (req) => {
      const check = new Check();
      const filter = {
        level: check.filter(req.level, level.from, 'level'),
        stage: check.filter(req.stage, stage.from, 'stage'),
        kind: check.filter(req.kind, kind.from, 'kind'),
        itemCode: req.itemCode || undefined,
        fieldCode: req.fieldCode || undefined,
      };
      check.done();
      return { standards: (await programme.standards(filter)).map(toProtoStandard) };
    }),
    getCoverage: unary(async () => ({
      categories: (await programme.coverage()).map((c) => ({
        ...c,
        kinds: c.kinds.map((k) => ({ kind: kind.to(k.kind), inForce: k.inForce, inProgress: k.inProgress })),
        missing: c.missing.map((m) => kind.to(m)),
        itemsWithoutStandard: [...c.itemsWithoutStandard],
      })),
    })),
    getProgrammeProgress: unary(async () => ({ targets: (await programme.progress()).map((t) => ({ ...t, due: toDate(t.due) })) })),
    registerExpert: unary(async (req, actor) => ({
      expert: toProtoExpert(
        accept(
          await programme.registerExpert(actor, {
            name: req.name,
            affiliation: req.affiliation,
            nationalCommittee: req.nationalCommittee,
            fieldCodes: req.fieldCodes,
          }),
        ),
      ),
    })),
    listExperts: unary(async () => ({ experts: (await programme.experts()).map(toProtoExpert) })),
    openPilotBatch: unary(async (req, actor) => ({
      batch: toProtoBatch(
        accept(await programme.openBatch(actor, { batchId: req.batchId, title: req.title, applicationsClose: fromDate(req.applicationsClose) })),
      ),
    })),
    listPilotBatches: unary(async () => ({ batches: (await programme.batches()).map(toProtoBatch) })),
    applyForPilot: unary(async (req, actor) => {
      const check = new Check();
      check.id(req.batchId, 'batch_id');
      const application = check.required(req.application, 'application', 'the application form is required');
      const type = application
        ? check.required(pilotType.from(application.type), 'application.type', 'COMPREHENSIVE, SPECIAL or REGIONAL_COORDINATION')
        : undefined;
      check.done();
      return { pilot: toProtoPilot(accept(await programme.applyForPilot(actor, req.batchId, fromProtoApplication(application, type!)))) };
    }),
    actOnPilot: unary(async (req, actor) => {
      const check = new Check();
      check.id(req.pilotId, 'pilot_id');
      check.done();
      return { pilot: toProtoPilot(accept(await programme.actOnPilot(req.pilotId, await pilotAction(programme, actor, req)))) };
    }),
    getPilot: unary(async (req) => {
      const check = new Check();
      check.id(req.pilotId, 'pilot_id');
      check.done();
      return { pilot: toProtoPilot(await programme.pilot(req.pilotId)) };
    }),
    listPilots: unary(async (req) => {
      const check = new Check();
      const status = check.filter(req.status, pilotStatus.from, 'status');
      check.done();
      return {
        pilots: (await programme.pilotList({ batchId: req.batchId || undefined, provinceCode: req.provinceCode || undefined, status })).map(toProtoPilot),
      };
    }),
    recordEvaluation: unary(async (req, actor) => {
      const check = new Check();
      const k = check.required(evaluationKind.from(req.kind), 'kind', 'EFFECT, SATISFACTION_SURVEY or EQUALISATION_INDICATORS');
      check.id(req.itemCode, 'item_code');
      if (req.sampleSize < 0) check.violations.push({ field: 'sample_size', description: 'must not be negative' });
      check.done();
      const evaluation = accept(
        await programme.recordEvaluation(actor, {
          kind: k,
          itemCode: req.itemCode,
          provinceCode: req.provinceCode,
          period: req.period.trim(),
          method: req.method,
          sampleSize: req.sampleSize,
          satisfactionPercent: req.satisfactionPercent.trim(),
          indicators: req.indicators.map((i) => ({ name: i.name, value: i.value.trim(), unit: i.unit })),
          summary: req.summary,
          documents: fromDocs(req.documents),
        }),
      );
      return { evaluation: toProtoEvaluation(evaluation) };
    }),
    getEvaluation: unary(async (req) => {
      const check = new Check();
      check.id(req.evaluationId, 'evaluation_id');
      check.done();
      return { evaluation: toProtoEvaluation(await programme.evaluation(req.evaluationId)) };
    }),
    listEvaluations: unary(async (req) => {
      const check = new Check();
      const k = check.filter(req.kind, evaluationKind.from, 'kind');
      check.done();
      return {
        evaluations: (
          await programme.evaluations({
            itemCode: req.itemCode || undefined,
            fieldCode: req.fieldCode || undefined,
            provinceCode: req.provinceCode || undefined,
            kind: k,
          })
        ).map(toProtoEvaluation),
      };
    }),
  };
}
