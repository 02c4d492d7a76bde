// The programme's use cases: the technical-standards register, experts, pilot batches and pilots (driven through
// their workflows), implementation evaluations, and the coverage and progress views. Ports are declared here; the
// adapters implement them (Mongo store, registry client, Temporal). A rule's refusal is returned (`Refusable`), and
// the gRPC edge turns it into an error (`ruleRefusalError`) and audits it; other failures are platform errors.
import { createHash, randomUUID } from 'node:crypto';
import type { ActorRef } from '../../../workflows/contracts';
import type { PilotAction, PilotWorkflowInput, RecordedPilotStep } from '../../../workflows/pilot/contracts';
import { decideOpening, TERMINAL, type Expert, type PilotApplication, type PilotState } from '../../../workflows/pilot/domain';
import { refused, type Refusal, type RefusalCode } from '../../shared/domain/decider';
import { handleCommand, type AggregateStore } from '../../shared/domain/command-handler';
import { ConcurrencyError, FailedPreconditionError, NotFoundError, ValidationError, type FieldViolation } from '../../shared/errors/errors';
import { todayInChina } from '../../shared/standards/china-date';
import {
  coverage,
  evaluationViolations,
  mayRecordEvaluation,
  NATIONAL,
  progress,
  type CategoryCoverage,
  type EvaluationInput,
  type EvaluationRecord,
  type PilotBatch,
  type Target,
  type TaxonomyField,
} from '../domain/programme';
import {
  standardDecider,
  type AdvanceStandard,
  type CatalogueItem,
  type ProposeStandard,
  type StandardCommand,
  type StandardStepped,
  type TechnicalStandard,
} from '../domain/standard';

export type CatalogueView = { readonly items: ReadonlyMap<string, CatalogueItem>; readonly taxonomy: readonly TaxonomyField[] };
/** Port: the national list (registry). `mustKnow`: item codes that should be in the view (refreshes a cached one). */
export type Catalogue = { view(mustKnow?: readonly string[]): Promise<CatalogueView>; close(): void };
/** Port: the pilot workflows. */
export type PilotWorkflows = {
  start(input: PilotWorkflowInput): Promise<void>;
  act(pilotId: string, action: PilotAction): Promise<PilotState>;
  state(pilotId: string): Promise<PilotState | undefined>;
};
export type ExpertRecord = Expert & { readonly fieldCodes: readonly string[]; readonly registeredBy: ActorRef; readonly registeredAt: Date };
/** Port: the programme's records. */
export type ProgrammeRecords = {
  recordStandard(standard: TechnicalStandard, actor: ActorRef, at: Date): Promise<void>;
  standard(standardId: string): Promise<TechnicalStandard | undefined>;
  allStandards(): Promise<TechnicalStandard[]>;
  recordPilotSteps(pilotId: string, steps: readonly RecordedPilotStep[]): Promise<void>;
  pilot(pilotId: string): Promise<PilotState | undefined>;
  allPilots(): Promise<PilotState[]>;
  registerExpert(expert: ExpertRecord): Promise<void>;
  expertsByIds(ids: readonly string[]): Promise<ExpertRecord[]>;
  allExperts(): Promise<ExpertRecord[]>;
  openBatch(batch: PilotBatch): Promise<void>;
  batch(batchId: string): Promise<PilotBatch | undefined>;
  allBatches(): Promise<PilotBatch[]>;
  recordEvaluation(evaluation: EvaluationRecord): Promise<void>;
  evaluation(evaluationId: string): Promise<EvaluationRecord | undefined>;
  allEvaluations(): Promise<EvaluationRecord[]>;
};

/** Seed 003 art. 10: a province sends 一般不超过3个 candidates per call. */
export const CANDIDATES_PER_PROVINCE = 3;
const locality = /^\d{6}$/;
const month = /^\d{4}-(0[1-9]|1[0-2])$/;
const ymd = /^\d{4}-\d{2}-\d{2}$/;
const province = /^\d{2}0000$/;

/** A use case's result, or the rule that refused it (`subject` and `field` name what was refused, for the edge's error). */
export type Refusable<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal; readonly subject: string; readonly field: string };

const done = <T>(value: T): Refusable<T> => ({ ok: true, value });

/** A rule's refusal about `subject` (a FAILED_PRECONDITION names it with `description`). */
function refusal<T>(code: RefusalCode, reason: string, message: string, subject: string, description?: string): Refusable<T> {
  const decision = refused(code, reason, message, description === undefined ? undefined : [{ field: subject, description, reason }]);
  return decision.ok ? (decision as never) : { ok: false, refusal: decision.refusal, subject, field: subject };
}

/** The pilot of a batch with this name: the name is what every locality of a joint application states identically. */
export function pilotIdFor(batchId: string, name: string): string {
  return `PILOT-${batchId}-${createHash('sha256').update(name.trim()).digest('hex').slice(0, 10)}`;
}

export class Programme {
  constructor(
    private readonly deps: {
      records: ProgrammeRecords;
      catalogue: Catalogue;
      pilots: PilotWorkflows;
      now: () => Date;
    },
  ) {}

  // ---- technical standards

  async proposeStandard(actor: ActorRef, cmd: Omit<ProposeStandard, 'standardId'>): Promise<Refusable<TechnicalStandard>> {
    const violations: FieldViolation[] = [];
    if (cmd.title.trim() === '') violations.push({ field: 'title', description: 'required' });
    if (cmd.itemCodes.length === 0) violations.push({ field: 'item_codes', description: 'a standard supports at least one service item' });
    if (new Set(cmd.itemCodes).size !== cmd.itemCodes.length) violations.push({ field: 'item_codes', description: 'an item is named twice' });
    if (cmd.level === 'LOCAL' && !province.test(cmd.provinceCode))
      violations.push({ field: 'province_code', description: 'a local standard names its province (GB/T 2260, e.g. 110000)' });
    if (cmd.level !== 'LOCAL' && cmd.provinceCode !== '') violations.push({ field: 'province_code', description: 'only a local standard names a province' });
    if (cmd.mandatory && cmd.level !== 'NATIONAL') violations.push({ field: 'mandatory', description: 'only national standards are mandatory (GB)' });
    if (violations.length > 0) throw new ValidationError(violations);
    const catalogue = await this.deps.catalogue.view(cmd.itemCodes);
    const revised = cmd.revisesStandardId ? await this.deps.records.standard(cmd.revisesStandardId) : undefined;
    const at = this.deps.now();
    const standardId = `TS-${at.getUTCFullYear()}-${randomUUID().slice(0, 8).toUpperCase()}`;
    return this.handleStandard(standardId, actor, at, () => ({
      kind: 'propose',
      actor,
      standard: { ...cmd, standardId },
      catalogue: catalogue.items,
      revised,
      at,
    }));
  }

  /** `expectedRevision`: the revision the caller saw (0: any); another one is a conflict the caller resolves. */
  async advanceStandard(actor: ActorRef, standardId: string, expectedRevision: number, cmd: AdvanceStandard): Promise<Refusable<TechnicalStandard>> {
    const at = this.deps.now();
    return this.handleStandard(standardId, actor, at, (current) => {
      if (!current) throw new NotFoundError('technical standard', standardId);
      if (expectedRevision !== 0 && expectedRevision !== current.revision)
        throw new ConcurrencyError(`${standardId} is at revision ${current.revision}, not ${expectedRevision}: reload it`, current.revision);
      return { kind: 'advance', actor, move: cmd, at };
    });
  }

  /** load → decide → record, again on a concurrent change (the shared command handler). */
  private async handleStandard(
    standardId: string,
    actor: ActorRef,
    at: Date,
    command: (current: TechnicalStandard | undefined) => StandardCommand,
  ): Promise<Refusable<TechnicalStandard>> {
    const { records } = this.deps;
    const store: AggregateStore<TechnicalStandard | undefined, StandardStepped> = {
      async load(id) {
        const state = await records.standard(id);
        return { state, revision: state?.revision ?? 0 };
      },
      async append(_id, _expectedRevision, _events, next) {
        // One event per decision, whose record is the whole standard; its revision is the event's _id (unique).
        await records.recordStandard(next!, actor, at);
        return next!.revision;
      },
    };
    const handled = await handleCommand(store, standardDecider, standardId, command);
    if (!handled.ok) return { ok: false, refusal: handled.refusal, subject: standardId, field: 'standard' };
    return done(handled.state!);
  }

  async standard(standardId: string): Promise<TechnicalStandard> {
    const found = await this.deps.records.standard(standardId);
    if (!found) throw new NotFoundError('technical standard', standardId);
    return found;
  }

  async standards(filter: { level?: string; stage?: string; itemCode?: string; fieldCode?: string; kind?: string }): Promise<TechnicalStandard[]> {
    return (await this.deps.records.allStandards()).filter(
      (s) =>
        (!filter.level || s.level === filter.level) &&
        (!filter.stage || s.stage === filter.stage) &&
        (!filter.kind || s.kind === filter.kind) &&
        (!filter.itemCode || s.itemCodes.includes(filter.itemCode)) &&
        (!filter.fieldCode || s.fieldCodes.includes(filter.fieldCode)),
    );
  }

  async coverage(): Promise<CategoryCoverage[]> {
    const [catalogue, standards] = await Promise.all([this.deps.catalogue.view(), this.deps.records.allStandards()]);
    return coverage(catalogue.taxonomy, [...catalogue.items.values()], standards);
  }

  async progress(): Promise<Target[]> {
    const [standards, pilots] = await Promise.all([this.deps.records.allStandards(), this.deps.records.allPilots()]);
    const selected = pilots.filter((p) => ['PILOTING', 'EVALUATION_REQUESTED', 'UNDER_EVALUATION', 'EVALUATED', 'PUBLISHED'].includes(p.status)).length;
    const pipeline = pilots.filter((p) => ['APPLYING', 'SUBMITTED', 'CANDIDATE'].includes(p.status)).length;
    return progress(standards, { selected, inProgress: pipeline });
  }

  // ---- experts and batches

  async registerExpert(
    actor: ActorRef,
    input: { name: string; affiliation: string; nationalCommittee: boolean; fieldCodes: readonly string[] },
  ): Promise<Refusable<ExpertRecord>> {
    const samr = actor.organisation === 'SAMR' && actor.roles.includes('programme-officer');
    const provincial = province.test(actor.organisation) && actor.roles.includes('programme-officer');
    if (!samr && !(provincial && !input.nationalCommittee))
      return refusal(
        'PERMISSION_DENIED',
        'NOT_AN_EXPERT_REGISTRAR',
        'SAMR keeps the national expert committee; a province’s programme officers register its own experts',
        actor.organisation,
      );
    const violations: FieldViolation[] = [];
    if (input.name.trim() === '') violations.push({ field: 'name', description: 'required' });
    if (input.affiliation.trim() === '')
      violations.push({ field: 'affiliation', description: 'where the expert works (an organisation or locality code) is required' });
    if (violations.length > 0) throw new ValidationError(violations);
    const expert: ExpertRecord = {
      expertId: `EX-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: input.name.trim(),
      affiliation: input.affiliation.trim(),
      nationalCommittee: input.nationalCommittee,
      fieldCodes: [...input.fieldCodes],
      registeredBy: actor,
      registeredAt: this.deps.now(),
    };
    await this.deps.records.registerExpert(expert);
    return done(expert);
  }

  experts(): Promise<ExpertRecord[]> {
    return this.deps.records.allExperts();
  }

  async openBatch(actor: ActorRef, input: { batchId: string; title: string; applicationsClose: string }): Promise<Refusable<PilotBatch>> {
    if (!(actor.organisation === 'SAMR' && actor.roles.includes('programme-officer')))
      return refusal('PERMISSION_DENIED', 'NOT_SAMR', 'SAMR, NDRC and MOF issue the call for pilots; SAMR records it', input.batchId);
    const violations: FieldViolation[] = [];
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(input.batchId))
      violations.push({ field: 'batch_id', description: 'letters, digits, ".", "_" or "-" (e.g. 2026-1)' });
    if (input.title.trim() === '') violations.push({ field: 'title', description: 'required' });
    if (!ymd.test(input.applicationsClose)) violations.push({ field: 'applications_close', description: 'the date applications close is required' });
    if (violations.length > 0) throw new ValidationError(violations);
    const batch: PilotBatch = {
      batchId: input.batchId,
      title: input.title.trim(),
      applicationsClose: input.applicationsClose,
      candidatesPerProvince: CANDIDATES_PER_PROVINCE,
      openedBy: actor,
      openedAt: this.deps.now(),
    };
    await this.deps.records.openBatch(batch);
    return done(batch);
  }

  batches(): Promise<PilotBatch[]> {
    return this.deps.records.allBatches();
  }

  // ---- pilots

  private applicationViolations(a: PilotApplication, knownFields: ReadonlySet<string>): FieldViolation[] {
    const v: FieldViolation[] = [];
    const f = (name: string) => `application.${name}`;
    if (!/基本公共服务标准化试点$/.test(a.name)) v.push({ field: f('name'), description: 'the pilot is named "XXX基本公共服务标准化试点" (附件2 填写说明)' });
    if (!month.test(a.periodStart)) v.push({ field: f('period_start'), description: 'YYYY-MM' });
    if (!month.test(a.periodEnd)) v.push({ field: f('period_end'), description: 'YYYY-MM' });
    else if (month.test(a.periodStart) && a.periodEnd <= a.periodStart) v.push({ field: f('period_end'), description: 'must be after period_start' });
    if (!locality.test(a.localityCode) || a.localityCode.endsWith('0000'))
      v.push({ field: f('locality_code'), description: 'the city or county government (GB/T 2260, e.g. 110112), not a province' });
    if (a.localityName === '') v.push({ field: f('locality_name'), description: 'required' });
    if (a.type === 'REGIONAL_COORDINATION') {
      if (a.partnerLocalityCodes.length === 0)
        v.push({ field: f('partner_locality_codes'), description: 'a regional-coordination pilot is run by two or more cities or counties jointly' });
      a.partnerLocalityCodes.forEach((c, i) => {
        if (!locality.test(c) || c.endsWith('0000') || c === a.localityCode)
          v.push({ field: `${f('partner_locality_codes')}[${i}]`, description: 'another city or county (GB/T 2260)' });
      });
      if (new Set(a.partnerLocalityCodes).size !== a.partnerLocalityCodes.length)
        v.push({ field: f('partner_locality_codes'), description: 'a locality is named twice' });
    } else if (a.partnerLocalityCodes.length > 0)
      v.push({ field: f('partner_locality_codes'), description: 'only a regional-coordination pilot names partner localities' });
    if (a.type === 'SPECIAL' && a.fieldCodes.length === 0) v.push({ field: f('field_codes'), description: 'a special pilot names its field(s)' });
    a.fieldCodes.forEach((c, i) => {
      if (!knownFields.has(c)) v.push({ field: `${f('field_codes')}[${i}]`, description: `${c} is not a field of the standard in force` });
    });
    if (a.groundwork.trim() === '') v.push({ field: f('groundwork'), description: 'the groundwork (工作基础) is a condition of art. 8' });
    if (a.policyAndFundingSupport.trim() === '')
      v.push({ field: f('policy_and_funding_support'), description: 'policy and funding support is a condition of art. 8' });
    if (a.goals.trim() === '') v.push({ field: f('goals'), description: 'required' });
    if (a.workPlan.trim() === '') v.push({ field: f('work_plan'), description: 'required' });
    return v;
  }

  async applyForPilot(actor: ActorRef, batchId: string, application: PilotApplication): Promise<Refusable<PilotState>> {
    const batch = await this.deps.records.batch(batchId);
    if (!batch) throw new NotFoundError('pilot batch', batchId);
    const catalogue = await this.deps.catalogue.view();
    const violations = this.applicationViolations(application, new Set(catalogue.taxonomy.map((t) => t.code)));
    if (violations.length > 0) throw new ValidationError(violations);
    if (application.majorIncidentInThreeYears)
      return refusal(
        'FAILED_PRECONDITION',
        'MAJOR_INCIDENT_IN_THREE_YEARS',
        'a locality with a major incident in basic public services in the last three years may not apply (seed 003 art. 8)',
        application.localityCode,
        'condition of art. 8 not met',
      );
    if (todayInChina(this.deps.now()) > batch.applicationsClose)
      return refusal(
        'FAILED_PRECONDITION',
        'APPLICATIONS_CLOSED',
        `applications to batch ${batchId} closed on ${batch.applicationsClose}`,
        batchId,
        `closed ${batch.applicationsClose}`,
      );
    const pilotId = pilotIdFor(batchId, application.name);
    const recorded = await this.deps.records.pilot(pilotId);
    if (recorded) return this.act(pilotId, { type: 'join', actor, application }, recorded);
    const opening = decideOpening(pilotId, batchId, batch.candidatesPerProvince, application, actor, Date.now());
    if (!opening.ok) return { ok: false, refusal: opening.refusal, subject: pilotId, field: 'application' };
    try {
      await this.deps.pilots.start({ pilotId, batchId, candidatesPerProvince: batch.candidatesPerProvince, application, actor });
    } catch (error) {
      // Two partners filed at the same moment: the other one opened it, this one joins.
      if ((error as { code?: string }).code === 'ALREADY_EXISTS') return this.act(pilotId, { type: 'join', actor, application });
      throw error;
    }
    return done((await this.deps.pilots.state(pilotId)) ?? (await this.pilot(pilotId)));
  }

  /** A human step on a pilot; the acting person is the action's `actor` (from the verified token). */
  actOnPilot(pilotId: string, action: PilotAction): Promise<Refusable<PilotState>> {
    return this.act(pilotId, action);
  }

  /** A step of the pilot's workflow (the actor travels in the action); `recorded`: the pilot as just read, if it was. */
  private async act(pilotId: string, action: PilotAction, recorded?: PilotState): Promise<Refusable<PilotState>> {
    const current = recorded ?? (await this.deps.records.pilot(pilotId));
    if (!current && !(await this.deps.pilots.state(pilotId).catch(() => undefined))) throw new NotFoundError('pilot', pilotId);
    if (current && TERMINAL.includes(current.status))
      return refusal('FAILED_PRECONDITION', 'PILOT_CLOSED', `pilot ${pilotId} is ${current.status}: nothing more can be recorded`, pilotId, current.status);
    try {
      return done(await this.deps.pilots.act(pilotId, action));
    } catch (error) {
      // Recorded and open, yet Temporal has no workflow for it: start it again from the record, then act.
      if (!(error instanceof NotFoundError) || !current) throw error;
      await this.resume(current);
      return done(await this.deps.pilots.act(pilotId, action));
    }
  }

  /**
   * Starts an open pilot's workflow again from its recorded state: Temporal lost it (the databases were restored
   * without Temporal's history), and the record is the source the new run goes on from.
   */
  private async resume(state: PilotState): Promise<void> {
    const first = state.localities.find((l) => l.application)?.application;
    const batch = await this.deps.records.batch(state.batchId);
    if (!first || !batch) throw new FailedPreconditionError(`pilot ${state.pilotId} cannot be resumed: its application or batch is missing`);
    const opener = state.history[0]?.actor ?? { subject: 'system:programme', organisation: first.localityCode, roles: ['locality-officer'] };
    try {
      await this.deps.pilots.start({
        pilotId: state.pilotId,
        batchId: state.batchId,
        candidatesPerProvince: batch.candidatesPerProvince,
        application: first,
        actor: opener,
        resumeFrom: state,
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ALREADY_EXISTS') throw error; // resumed meanwhile by another call
    }
  }

  /** The experts of a group, resolved from the register (the workflow checks size, committee and conflicts). */
  async expertsFor(ids: readonly string[]): Promise<Expert[]> {
    const found = await this.deps.records.expertsByIds(ids);
    const missing = ids.filter((id) => !found.some((e) => e.expertId === id));
    if (missing.length > 0)
      throw new ValidationError(missing.map((id) => ({ field: 'form_expert_group.expert_ids', description: `${id} is not a registered expert` })));
    return ids.map((id) => {
      const e = found.find((x) => x.expertId === id) as ExpertRecord;
      return { expertId: e.expertId, name: e.name, affiliation: e.affiliation, nationalCommittee: e.nationalCommittee };
    });
  }

  async pilot(pilotId: string): Promise<PilotState> {
    const found = (await this.deps.records.pilot(pilotId)) ?? (await this.deps.pilots.state(pilotId));
    if (!found) throw new NotFoundError('pilot', pilotId);
    return found;
  }

  async pilotList(filter: { batchId?: string; provinceCode?: string; status?: string }): Promise<PilotState[]> {
    return (await this.deps.records.allPilots()).filter(
      (p) =>
        (!filter.batchId || p.batchId === filter.batchId) &&
        (!filter.status || p.status === filter.status) &&
        (!filter.provinceCode || p.localities.some((l) => l.province === filter.provinceCode)),
    );
  }

  // ---- implementation evaluations

  async recordEvaluation(actor: ActorRef, input: EvaluationInput): Promise<Refusable<EvaluationRecord>> {
    const violations = evaluationViolations(input);
    if (input.provinceCode !== NATIONAL && !province.test(input.provinceCode))
      violations.push({ field: 'province_code', description: 'the province evaluated (GB/T 2260, e.g. 110000), or 000000 for a national evaluation' });
    if (violations.length > 0) throw new ValidationError(violations);
    const catalogue = await this.deps.catalogue.view([input.itemCode]);
    const item = catalogue.items.get(input.itemCode);
    if (!item || item.retired)
      return refusal('FAILED_PRECONDITION', 'ITEM_NOT_ON_LIST', `${input.itemCode} is not on the national list`, input.itemCode, 'not on the list');
    if (!mayRecordEvaluation(actor, input.provinceCode, item))
      return refusal(
        'PERMISSION_DENIED',
        'NOT_THE_EVALUATING_DEPARTMENT',
        'a province records evaluations of its own services; national ones are recorded by the item’s lead unit or SAMR',
        input.itemCode,
      );
    const at = this.deps.now();
    const evaluation: EvaluationRecord = {
      ...input,
      evaluationId: `EV-${at.getUTCFullYear()}-${randomUUID().slice(0, 8).toUpperCase()}`,
      fieldCode: item.fieldCode,
      recordedBy: actor,
      recordedAt: at,
    };
    await this.deps.records.recordEvaluation(evaluation);
    return done(evaluation);
  }

  async evaluation(evaluationId: string): Promise<EvaluationRecord> {
    const found = await this.deps.records.evaluation(evaluationId);
    if (!found) throw new NotFoundError('evaluation', evaluationId);
    return found;
  }

  async evaluations(filter: { itemCode?: string; fieldCode?: string; provinceCode?: string; kind?: string }): Promise<EvaluationRecord[]> {
    return (await this.deps.records.allEvaluations()).filter(
      (e) =>
        (!filter.itemCode || e.itemCode === filter.itemCode) &&
        (!filter.fieldCode || e.fieldCode === filter.fieldCode) &&
        (!filter.provinceCode || e.provinceCode === filter.provinceCode) &&
        (!filter.kind || e.kind === filter.kind),
    );
  }
}
