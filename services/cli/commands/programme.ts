// bps programme standards | standard | propose-standard | advance-standard | coverage | progress | experts |
// register-expert | batches | open-batch | pilots | pilot | apply-pilot | act-pilot | evaluations | record-evaluation
// — the standardisation programme (seeds 002–004) over the programme service.
import { readFileSync } from 'node:fs';
import type { DocumentReference } from '../../../proto/gen/bps/common/v1/common';
import {
  ActOnPilotRequest,
  ActOnPilotResponse,
  AdvanceStandardResponse,
  ApplyForPilotRequest,
  ApplyForPilotResponse,
  EvaluationKind,
  evaluationKindToJSON,
  GetCoverageResponse,
  GetEvaluationResponse,
  GetPilotResponse,
  GetProgrammeProgressResponse,
  GetStandardResponse,
  ListEvaluationsResponse,
  ListExpertsResponse,
  ListPilotBatchesResponse,
  ListPilotsResponse,
  ListStandardsResponse,
  OpenPilotBatchResponse,
  type Pilot,
  PilotStatus,
  pilotStatusToJSON,
  pilotTaskToJSON,
  pilotTypeToJSON,
  ProposeStandardResponse,
  RecordEvaluationResponse,
  RegisterExpertResponse,
  StandardKind,
  standardKindToJSON,
  StandardLevel,
  standardLevelToJSON,
  StandardStage,
  standardStageToJSON,
  taskStatusToJSON,
  type TechnicalStandard,
} from '../../../proto/gen/bps/programme/v1/programme';
import { bool, list, UsageError } from '../args';
import type { CliContext, Command } from '../cli';
import { enumShort, fmtDate, parseDateArg } from '../format';
import { renderRecord, renderTable } from '../table';

// Flag values as people type them (lower-case, hyphenated), mapped to the proto enums.
export const levelNames: Record<string, StandardLevel> = {
  national: StandardLevel.STANDARD_LEVEL_NATIONAL,
  sector: StandardLevel.STANDARD_LEVEL_SECTOR,
  local: StandardLevel.STANDARD_LEVEL_LOCAL,
  group: StandardLevel.STANDARD_LEVEL_GROUP,
};
export const kindNames: Record<string, StandardKind> = {
  facility: StandardKind.STANDARD_KIND_FACILITY_EQUIPMENT,
  process: StandardKind.STANDARD_KIND_SERVICE_PROCESS_QUALITY,
  management: StandardKind.STANDARD_KIND_OPERATION_MANAGEMENT,
  evaluation: StandardKind.STANDARD_KIND_PERFORMANCE_EVALUATION,
};
export const stageNames: Record<string, StandardStage> = {
  proposed: StandardStage.STANDARD_STAGE_PROPOSED,
  drafting: StandardStage.STANDARD_STAGE_DRAFTING,
  consultation: StandardStage.STANDARD_STAGE_CONSULTATION,
  review: StandardStage.STANDARD_STAGE_REVIEW,
  published: StandardStage.STANDARD_STAGE_PUBLISHED,
  'in-force': StandardStage.STANDARD_STAGE_IN_FORCE,
  reviewed: StandardStage.STANDARD_STAGE_REVIEWED,
  withdrawn: StandardStage.STANDARD_STAGE_WITHDRAWN,
};
export const pilotStatusNames: Record<string, PilotStatus> = Object.fromEntries(
  Object.values(PilotStatus)
    .filter((v): v is PilotStatus => typeof v === 'number' && v > 0)
    .map((v) => [enumShort(pilotStatusToJSON(v), 'PILOT_STATUS_').toLowerCase().replace(/_/g, '-'), v]),
);
export const evaluationKindNames: Record<string, EvaluationKind> = {
  effect: EvaluationKind.EVALUATION_KIND_EFFECT,
  satisfaction: EvaluationKind.EVALUATION_KIND_SATISFACTION_SURVEY,
  equalisation: EvaluationKind.EVALUATION_KIND_EQUALISATION_INDICATORS,
};
export const pilotActionNames = [
  'screen',
  'decide-selection',
  'report-progress',
  'report-incident',
  'decide-incident',
  'request-evaluation',
  'form-expert-group',
  'record-evaluation',
  'recheck',
  'publish-results',
] as const;

/** A named enum flag: undefined (0) when absent, a usage error naming the choices when unknown. */
export function enumFlag<T extends number>(value: string | undefined, names: Readonly<Record<string, T>>, flag: string): T | 0 {
  if (value === undefined || value === '') return 0;
  const found = names[value];
  if (found === undefined) throw new UsageError(`${flag} must be one of ${Object.keys(names).join(', ')}; got "${value}"`);
  return found;
}

/** "title|uri|digest[|algorithm]" (the digest in hex; sha256 unless an algorithm is named). */
export function parseDocArg(text: string, flag: string): DocumentReference {
  const [title = '', uri = '', digest = '', algorithm = ''] = text.split('|').map((p) => p.trim());
  if (!title || !uri) throw new UsageError(`${flag} takes "title|uri|digest", got "${text}"`);
  return { title, uri, digest: digest.toLowerCase(), digestAlgorithm: algorithm || (digest ? 'sha256' : '') };
}
const docs = (ctx: CliContext, flag: string): DocumentReference[] => list(ctx.parsed, flag).map((d) => parseDocArg(d, `--${flag}`));
const optionalDate = (ctx: CliContext, flag: string) => {
  const v = ctx.flag(flag);
  return v ? parseDateArg(v, `--${flag}`) : undefined;
};
const codes = (ctx: CliContext, flag: string): string[] => list(ctx.parsed, flag).flatMap((v) => v.split(/[\s,]+/).filter(Boolean));
const required = (ctx: CliContext, flag: string): string => {
  const v = ctx.flag(flag);
  if (!v) throw new UsageError(`--${flag} is required`);
  return v;
};

function readJson(path: string): unknown {
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
}

/** act-pilot's step from its flags (the oneof member); `--file` bodies take the HTTP API's JSON instead. */
export function pilotActionFromFlags(action: string, c: CliContext): ActOnPilotRequest['action'] {
  const yesNo = (flag: string): boolean => {
    const v = c.flag(flag);
    if (v !== 'yes' && v !== 'no') throw new UsageError(`--${flag} must be yes or no`);
    return v === 'yes';
  };
  const note = c.flag('note') ?? '';
  switch (action) {
    case 'screen':
      return { $case: 'screen', screen: { recommend: yesNo('recommend'), opinion: c.flag('opinion') ?? '' } };
    case 'decide-selection':
      return {
        $case: 'decideSelection',
        decideSelection: {
          select: yesNo('select'),
          opinion: c.flag('opinion') ?? '',
          termStart: optionalDate(c, 'term-start'),
          termEnd: optionalDate(c, 'term-end'),
        },
      };
    case 'report-progress':
      // --task coordination-mechanism=done[:note] …
      return {
        $case: 'reportProgress',
        reportProgress: {
          tasks: list(c.parsed, 'task').map((t) => {
            const m = /^([a-z-]+)=([a-z-]+)(?::(.*))?$/.exec(t);
            const task = m ? taskNames[m[1] ?? ''] : undefined;
            const status = m ? taskStatusNames[m[2] ?? ''] : undefined;
            if (!task || !status)
              throw new UsageError(
                `--task takes <task>=<status>[:note]: tasks ${Object.keys(taskNames).join(', ')}; statuses ${Object.keys(taskStatusNames).join(', ')}`,
              );
            return { task, status, note: m?.[3] ?? '', reportedAt: undefined };
          }),
        },
      };
    case 'report-incident':
      return { $case: 'reportIncident', reportIncident: { description: required(c, 'description'), occurredOn: optionalDate(c, 'occurred-on') } };
    case 'decide-incident': {
      const decision = c.flag('decision');
      if (decision !== 'extend' && decision !== 'cancel') throw new UsageError('--decision must be extend or cancel');
      return { $case: 'decideIncident', decideIncident: { cancel: decision === 'cancel', extendedTo: optionalDate(c, 'extended-to'), note } };
    }
    case 'request-evaluation':
      return { $case: 'requestEvaluation', requestEvaluation: { note } };
    case 'form-expert-group':
      return { $case: 'formExpertGroup', formExpertGroup: { expertIds: codes(c, 'expert') } };
    case 'record-evaluation':
      return {
        $case: 'recordEvaluation',
        recordEvaluation: {
          conclusion: required(c, 'conclusion').toUpperCase(),
          score: c.flag('score') ?? '',
          summary: c.flag('summary') ?? '',
          report: docs(c, 'doc'),
        },
      };
    case 'recheck':
      return { $case: 'recheck', recheck: { outcome: required(c, 'outcome').toUpperCase(), note } };
    case 'publish-results':
      return { $case: 'publishResults', publishResults: { note } };
    default:
      throw new UsageError(`the step must be one of ${pilotActionNames.join(', ')}`);
  }
}
const taskNames: Record<string, number> = {
  'coordination-mechanism': 1,
  'service-inventory': 2,
  'standard-catalogue': 3,
  'implementation-mechanism': 4,
  'data-reporting': 5,
};
const taskStatusNames: Record<string, number> = { 'not-started': 1, 'in-progress': 2, done: 3 };

const short = {
  level: (l: StandardLevel) => enumShort(standardLevelToJSON(l), 'STANDARD_LEVEL_'),
  kind: (k: StandardKind) => enumShort(standardKindToJSON(k), 'STANDARD_KIND_'),
  stage: (s: StandardStage) => enumShort(standardStageToJSON(s), 'STANDARD_STAGE_'),
  status: (s: PilotStatus) => enumShort(pilotStatusToJSON(s), 'PILOT_STATUS_'),
};
const time = (d: Date | undefined): string => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');

function standardRecord(s: TechnicalStandard | undefined): string {
  if (!s) return '(no standard)';
  return [
    renderRecord([
      ['standard', `${s.standardId} ${s.title}`],
      ['number', s.number || '-'],
      ['level', `${short.level(s.level)}${s.level === StandardLevel.STANDARD_LEVEL_NATIONAL ? (s.mandatory ? ' (GB)' : ' (GB/T)') : ''}`],
      ['kind', short.kind(s.kind)],
      ['stage', `${short.stage(s.stage)} (revision ${s.revision})`],
      ['items', s.itemCodes.join(', ')],
      ['proposed by', s.proposerOrganisation],
      ['published / in force', `${fmtDate(s.publishedOn) || '-'} / ${fmtDate(s.implementedOn) || '-'}`],
      ['drafting checks', `demand survey ${s.demandSurvey.length}, cost estimate ${s.costEstimate.length}, finance ${s.financeAgreement?.organisation || '-'}`],
    ]),
    renderTable(
      ['STAGE', 'AT', 'BY', 'NOTE'],
      s.history.map((h) => [short.stage(h.stage), time(h.at), `${h.actor?.organisation ?? ''} ${h.actor?.subject ?? ''}`, h.note]),
    ),
  ].join('\n\n');
}

function pilotRecord(p: Pilot | undefined): string {
  if (!p) return '(no pilot)';
  return [
    renderRecord([
      ['pilot', `${p.pilotId} ${p.name}`],
      ['batch', p.batchId],
      ['type', enumShort(pilotTypeToJSON(p.type), 'PILOT_TYPE_')],
      ['status', `${short.status(p.status)} (revision ${p.revision})`],
      ['period', `${p.periodStart} – ${p.periodEnd}`],
      ['term', `${fmtDate(p.termStart) || '-'} – ${fmtDate(p.termEnd) || '-'}`],
      ['localities', p.localities.map((l) => `${l.localityName || l.localityCode} (${l.localityCode}${l.applied ? '' : ', not yet filed'})`).join(', ')],
      ['screenings', p.screenings.map((s) => `${s.provinceCode} ${s.recommended ? 'recommended' : 'not recommended'}`).join(', ') || '-'],
      ['selection', p.selection.map((d) => `${d.organisation} ${d.selected ? 'selected' : 'not selected'}`).join(', ') || '-'],
      [
        'tasks',
        p.tasks.map((t) => `${enumShort(pilotTaskToJSON(t.task), 'PILOT_TASK_')}=${enumShort(taskStatusToJSON(t.status), 'TASK_STATUS_')}`).join(', ') || '-',
      ],
      ['incidents', p.incidents.map((i) => `${i.description} [${i.decision || 'undecided'}]`).join('; ') || '-'],
      ['experts', p.evaluation?.experts.map((x) => `${x.name}${x.nationalCommittee ? '*' : ''}`).join(', ') || '-'],
      ['evaluation', p.evaluation?.conclusion ? `${p.evaluation.conclusion} ${p.evaluation.score} ${p.evaluation.recheckOutcome}`.trim() : '-'],
    ]),
    renderTable(
      ['STEP', 'AT', 'BY', 'SUMMARY'],
      p.history.map((h) => [h.step, time(h.at), `${h.actor?.organisation ?? ''} ${h.actor?.subject ?? ''}`, h.summary]),
    ),
  ].join('\n\n');
}

const doc = { type: 'string', repeatable: true, placeholder: 'title|uri|digest', description: 'a document (repeatable)' } as const;

export const programmeCommands: Command[] = [
  {
    path: ['programme', 'standards'],
    summary: 'Technical standards of the programme (filters: level, stage, kind, item, field)',
    flags: {
      level: { type: 'string', placeholder: Object.keys(levelNames).join('|'), description: 'only this level' },
      stage: { type: 'string', placeholder: 'stage', description: `only this stage: ${Object.keys(stageNames).join('|')}` },
      kind: { type: 'string', placeholder: Object.keys(kindNames).join('|'), description: 'only this kind' },
      item: { type: 'string', placeholder: 'code', description: 'only standards supporting this item' },
      field: { type: 'string', placeholder: 'code', description: 'only standards in this field' },
    },
    examples: ['bps programme standards --stage in-force --kind process'],
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.listStandards.bind(c), {
        level: enumFlag(ctx.flag('level'), levelNames, '--level'),
        stage: enumFlag(ctx.flag('stage'), stageNames, '--stage'),
        kind: enumFlag(ctx.flag('kind'), kindNames, '--kind'),
        itemCode: ctx.flag('item') ?? '',
        fieldCode: ctx.flag('field') ?? '',
      });
      ctx.print(ListStandardsResponse.toJSON(res), () =>
        res.standards.length === 0
          ? 'no technical standards'
          : renderTable(
              ['ID', 'NUMBER', 'LEVEL', 'KIND', 'STAGE', 'ITEMS', 'TITLE'],
              res.standards.map((s) => [
                s.standardId,
                s.number,
                short.level(s.level),
                short.kind(s.kind),
                short.stage(s.stage),
                s.itemCodes.join(','),
                s.title,
              ]),
            ),
      );
    },
  },
  {
    path: ['programme', 'standard'],
    args: '<standard-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'A technical standard with its stage history',
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.getStandard.bind(c), { standardId: ctx.arg(0) });
      ctx.print(GetStandardResponse.toJSON(res), () => standardRecord(res.standard));
    },
  },
  {
    path: ['programme', 'propose-standard'],
    summary: '立项: propose a technical standard for items on the national list (supporting measures required)',
    flags: {
      title: { type: 'string', placeholder: 'text', description: 'the title (required)' },
      level: { type: 'string', placeholder: Object.keys(levelNames).join('|'), description: 'the level (required)' },
      mandatory: { type: 'boolean', description: 'a mandatory national standard (GB); default recommended (GB/T)' },
      kind: { type: 'string', placeholder: Object.keys(kindNames).join('|'), description: 'what it governs (required)' },
      item: { type: 'string', repeatable: true, placeholder: 'code', description: 'an item it supports (repeatable; required)' },
      province: { type: 'string', placeholder: 'code', description: 'local standards: the province (GB/T 2260)' },
      measure: { ...doc, description: 'a supporting measure (repeatable; required)' },
      revises: { type: 'string', placeholder: 'standard-id', description: 'the standard this one revises' },
    },
    examples: [
      "bps programme propose-standard --title '基本公共卫生服务 健康档案管理规范' --level national --kind process --item HEA-01 --measure '配套措施|https://example.gov.cn/m.pdf|ab12' --as nhc-staff",
    ],
    async run(ctx) {
      const itemCodes = codes(ctx, 'item');
      if (itemCodes.length === 0) throw new UsageError('--item is required');
      const res = await ctx.change('programme', (c) => c.proposeStandard.bind(c), {
        title: required(ctx, 'title'),
        level: enumFlag(required(ctx, 'level'), levelNames, '--level'),
        mandatory: bool(ctx.parsed, 'mandatory'),
        kind: enumFlag(required(ctx, 'kind'), kindNames, '--kind'),
        itemCodes,
        provinceCode: ctx.flag('province') ?? '',
        supportingMeasures: docs(ctx, 'measure'),
        revisesStandardId: ctx.flag('revises') ?? '',
      });
      ctx.print(ProposeStandardResponse.toJSON(res), () => `proposed ${res.standard?.standardId} (${short.stage(res.standard?.stage ?? 0)})`);
    },
  },
  {
    path: ['programme', 'advance-standard'],
    args: '<standard-id> <stage>',
    minArgs: 2,
    maxArgs: 2,
    summary: `Move a standard to its next stage (${Object.keys(stageNames).slice(1).join('|')}); leaving drafting needs the three drafting documents`,
    flags: {
      revision: { type: 'string', placeholder: 'n', description: 'the revision you saw (default: the current one; exit 8 when stale)' },
      note: { type: 'string', placeholder: 'text', description: 'a note for the record' },
      'demand-survey': { ...doc, description: 'leaving drafting: the public demand survey (repeatable)' },
      'cost-estimate': { ...doc, description: 'leaving drafting: the fiscal cost estimate (repeatable)' },
      'finance-org': { type: 'string', placeholder: 'code', description: 'leaving drafting: the finance department at the same level (MOF, or the province)' },
      'finance-doc': { ...doc, description: "leaving drafting: the finance department's agreement (repeatable)" },
      number: { type: 'string', placeholder: 'text', description: '→ published: the number (e.g. "GB/T 46001—2026")' },
      'issuing-body': { type: 'string', placeholder: 'text', description: '→ published: the issuing body' },
      'published-on': { type: 'string', placeholder: 'YYYY-MM-DD', description: '→ published: the date' },
      'implemented-on': { type: 'string', placeholder: 'YYYY-MM-DD', description: '→ in-force: the date' },
    },
    async run(ctx) {
      const to = enumFlag(ctx.arg(1), stageNames, '<stage>');
      const given = ctx.flag('revision');
      let expectedRevision = given === undefined ? 0 : Number(given);
      if (given !== undefined && (!Number.isInteger(expectedRevision) || expectedRevision < 1)) throw new UsageError('--revision must be a positive integer');
      if (!expectedRevision) expectedRevision = (await ctx.call('programme', (c) => c.getStandard.bind(c), { standardId: ctx.arg(0) })).standard?.revision ?? 0;
      const financeDocs = docs(ctx, 'finance-doc');
      const financeOrg = ctx.flag('finance-org') ?? '';
      const res = await ctx.change('programme', (c) => c.advanceStandard.bind(c), {
        standardId: ctx.arg(0),
        to,
        expectedRevision,
        note: ctx.flag('note') ?? '',
        demandSurvey: docs(ctx, 'demand-survey'),
        costEstimate: docs(ctx, 'cost-estimate'),
        financeAgreement: financeOrg || financeDocs.length > 0 ? { organisation: financeOrg, documents: financeDocs } : undefined,
        number: ctx.flag('number') ?? '',
        issuingBody: ctx.flag('issuing-body') ?? '',
        publishedOn: optionalDate(ctx, 'published-on'),
        implementedOn: optionalDate(ctx, 'implemented-on'),
      });
      ctx.print(
        AdvanceStandardResponse.toJSON(res),
        () => `${res.standard?.standardId}: ${short.stage(res.standard?.stage ?? 0)} (revision ${res.standard?.revision})`,
      );
    },
  },
  {
    path: ['programme', 'coverage'],
    summary: 'Per category: kinds of standard in force / in progress, the kinds missing, and items no standard supports',
    flags: { missing: { type: 'boolean', description: 'only categories with a kind missing' } },
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.getCoverage.bind(c), {});
      const categories = bool(ctx.parsed, 'missing') ? res.categories.filter((c) => c.missing.length > 0) : res.categories;
      const cell = (c: (typeof categories)[number], k: StandardKind): string => {
        const kc = c.kinds.find((x) => x.kind === k);
        return `${kc?.inForce ?? 0}/${kc?.inProgress ?? 0}`;
      };
      ctx.print(GetCoverageResponse.toJSON({ categories }), () =>
        renderTable(
          ['CATEGORY', 'ITEMS', 'FACILITY', 'PROCESS', 'MANAGEMENT', 'EVALUATION', 'MISSING'],
          categories.map((c) => [
            `${c.categoryName || c.categoryCode} (${c.categoryCode})`,
            String(c.itemCount),
            ...Object.values(kindNames).map((k) => cell(c, k)),
            c.missing.map((k) => short.kind(k)).join(',') || '-',
          ]),
        ),
      );
    },
  },
  {
    path: ['programme', 'progress'],
    summary: 'Progress against the 2027 targets (200 national and sector standards, 80 pilots)',
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.getProgrammeProgress.bind(c), {});
      ctx.print(GetProgrammeProgressResponse.toJSON(res), () =>
        renderTable(
          ['TARGET', 'GOAL', 'ACHIEVED', 'IN PROGRESS', 'DUE', 'SOURCE'],
          res.targets.map((t) => [t.title || t.code, String(t.target), String(t.achieved), String(t.inProgress), fmtDate(t.due), t.source]),
        ),
      );
    },
  },
  {
    path: ['programme', 'experts'],
    summary: 'The national expert committee and provincial experts',
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.listExperts.bind(c), {});
      ctx.print(ListExpertsResponse.toJSON(res), () =>
        renderTable(
          ['ID', 'NAME', 'AFFILIATION', 'NATIONAL COMMITTEE', 'FIELDS'],
          res.experts.map((x) => [x.expertId, x.name, x.affiliation, x.nationalCommittee ? 'yes' : 'no', x.fieldCodes.join(',')]),
        ),
      );
    },
  },
  {
    path: ['programme', 'register-expert'],
    summary: 'Register an expert (SAMR: the national expert committee; a province’s programme officers: its own experts)',
    flags: {
      name: { type: 'string', placeholder: 'text', description: 'the name (required)' },
      affiliation: { type: 'string', placeholder: 'code', description: 'organisation or locality code (required)' },
      national: { type: 'boolean', description: 'a member of the national expert committee' },
      field: { type: 'string', repeatable: true, placeholder: 'code', description: 'a field of expertise (repeatable)' },
    },
    async run(ctx) {
      const res = await ctx.change('programme', (c) => c.registerExpert.bind(c), {
        name: required(ctx, 'name'),
        affiliation: required(ctx, 'affiliation'),
        nationalCommittee: bool(ctx.parsed, 'national'),
        fieldCodes: codes(ctx, 'field'),
      });
      ctx.print(RegisterExpertResponse.toJSON(res), () => `registered ${res.expert?.expertId} ${res.expert?.name}`);
    },
  },
  {
    path: ['programme', 'batches'],
    summary: 'Calls for pilot applications',
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.listPilotBatches.bind(c), {});
      ctx.print(ListPilotBatchesResponse.toJSON(res), () =>
        renderTable(
          ['BATCH', 'CLOSES', 'PER PROVINCE', 'TITLE'],
          res.batches.map((b) => [b.batchId, fmtDate(b.applicationsClose), String(b.candidatesPerProvince), b.title]),
        ),
      );
    },
  },
  {
    path: ['programme', 'open-batch'],
    args: '<batch-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Open a call for pilot applications (SAMR)',
    flags: {
      title: { type: 'string', placeholder: 'text', description: 'the title (required)' },
      closes: { type: 'string', placeholder: 'YYYY-MM-DD', description: 'applications close (required)' },
    },
    examples: ["bps programme open-batch 2026-1 --title '2026年基本公共服务标准化试点' --closes 2026-09-30 --as samr-officer"],
    async run(ctx) {
      const res = await ctx.change('programme', (c) => c.openPilotBatch.bind(c), {
        batchId: ctx.arg(0),
        title: required(ctx, 'title'),
        applicationsClose: parseDateArg(required(ctx, 'closes'), '--closes'),
      });
      ctx.print(OpenPilotBatchResponse.toJSON(res), () => `opened ${res.batch?.batchId} (applications close ${fmtDate(res.batch?.applicationsClose)})`);
    },
  },
  {
    path: ['programme', 'pilots'],
    summary: 'Standardisation pilots (filters: batch, province, status)',
    flags: {
      batch: { type: 'string', placeholder: 'id', description: 'only this batch' },
      province: { type: 'string', placeholder: 'code', description: 'only pilots in this province' },
      status: { type: 'string', placeholder: 'status', description: `only this status: ${Object.keys(pilotStatusNames).join('|')}` },
    },
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.listPilots.bind(c), {
        batchId: ctx.flag('batch') ?? '',
        provinceCode: ctx.flag('province') ?? '',
        status: enumFlag(ctx.flag('status'), pilotStatusNames, '--status'),
      });
      ctx.print(ListPilotsResponse.toJSON(res), () =>
        res.pilots.length === 0
          ? 'no pilots'
          : renderTable(
              ['PILOT', 'BATCH', 'TYPE', 'STATUS', 'LOCALITIES', 'NAME'],
              res.pilots.map((p) => [
                p.pilotId,
                p.batchId,
                enumShort(pilotTypeToJSON(p.type), 'PILOT_TYPE_'),
                short.status(p.status),
                p.localities.map((l) => l.localityCode).join(','),
                p.name,
              ]),
            ),
      );
    },
  },
  {
    path: ['programme', 'pilot'],
    args: '<pilot-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'A pilot: localities, screenings, selection, tasks, incidents, expert group, evaluation and history',
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.getPilot.bind(c), { pilotId: ctx.arg(0) });
      ctx.print(GetPilotResponse.toJSON(res), () => pilotRecord(res.pilot));
    },
  },
  {
    path: ['programme', 'apply-pilot'],
    args: '<batch-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: "A city or county applies: the application form (PilotApplication JSON, as the HTTP API's `application`)",
    flags: { file: { type: 'string', placeholder: 'path|-', description: 'the application JSON (- for stdin; required)' } },
    examples: ['bps programme apply-pilot 2026-1 --file tongzhou.json --as tongzhou-officer'],
    async run(ctx) {
      const json = readJson(required(ctx, 'file')) as { application?: unknown };
      const application = json && typeof json === 'object' && 'application' in json ? json.application : json;
      const request = ApplyForPilotRequest.fromJSON({ batchId: ctx.arg(0), application });
      const res = await ctx.change('programme', (c) => c.applyForPilot.bind(c), request);
      ctx.print(ApplyForPilotResponse.toJSON(res), () => `${res.pilot?.pilotId}: ${short.status(res.pilot?.status ?? 0)} — ${res.pilot?.name}`);
    },
  },
  {
    path: ['programme', 'act-pilot'],
    args: '<pilot-id> <step>',
    minArgs: 1,
    maxArgs: 2,
    summary: `Take a step of a pilot: ${pilotActionNames.join('|')} (or --file with the HTTP API's JSON, e.g. {"screen":{…}})`,
    flags: {
      file: { type: 'string', placeholder: 'path|-', description: 'the step as JSON, one member of the action (instead of the flags)' },
      recommend: { type: 'string', placeholder: 'yes|no', description: 'screen: recommend the pilot' },
      select: { type: 'string', placeholder: 'yes|no', description: 'decide-selection: select it' },
      opinion: { type: 'string', placeholder: 'text', description: 'screen / decide-selection: the opinion' },
      'term-start': { type: 'string', placeholder: 'YYYY-MM-DD', description: 'decide-selection (SAMR): the term' },
      'term-end': { type: 'string', placeholder: 'YYYY-MM-DD', description: 'decide-selection (SAMR): the term' },
      task: {
        type: 'string',
        repeatable: true,
        placeholder: 'task=status[:note]',
        description: `report-progress: ${Object.keys(taskNames).join('|')} = ${Object.keys(taskStatusNames).join('|')}`,
      },
      description: { type: 'string', placeholder: 'text', description: 'report-incident: what happened' },
      'occurred-on': { type: 'string', placeholder: 'YYYY-MM-DD', description: 'report-incident: when' },
      decision: { type: 'string', placeholder: 'extend|cancel', description: 'decide-incident' },
      'extended-to': { type: 'string', placeholder: 'YYYY-MM-DD', description: 'decide-incident: the new term end' },
      expert: { type: 'string', repeatable: true, placeholder: 'id', description: 'form-expert-group: an expert (repeatable)' },
      conclusion: { type: 'string', placeholder: 'pass|fail', description: 'record-evaluation' },
      score: { type: 'string', placeholder: 'text', description: 'record-evaluation: the score as stated' },
      summary: { type: 'string', placeholder: 'text', description: 'record-evaluation' },
      doc: { ...doc, description: 'record-evaluation: the report (repeatable)' },
      outcome: { type: 'string', placeholder: 'confirmed|overturned', description: 'recheck' },
      note: { type: 'string', placeholder: 'text', description: 'a note (decide-incident, request-evaluation, recheck, publish-results)' },
    },
    examples: [
      "bps programme act-pilot <pilot-id> screen --recommend yes --opinion '同意推荐' --as beijing-programme-officer",
      'bps programme act-pilot <pilot-id> form-expert-group --expert E1 --expert E2 --expert E3 --expert E4 --expert E5 --as hebei-programme-officer',
      'bps programme act-pilot <pilot-id> --file step.json --as samr-officer',
    ],
    async run(ctx) {
      const file = ctx.flag('file');
      if (file && ctx.arg(1)) throw new UsageError('give either a <step> with its flags or --file, not both');
      if (!file && !ctx.arg(1)) throw new UsageError(`expected <pilot-id> <step> (${pilotActionNames.join(', ')}) or --file`);
      const action = file ? ActOnPilotRequest.fromJSON({ ...(readJson(file) as object), pilotId: ctx.arg(0) }).action : pilotActionFromFlags(ctx.arg(1), ctx);
      if (!action) throw new UsageError('the JSON names no step (one of screen, decideSelection, reportProgress, …)');
      const res = await ctx.change('programme', (c) => c.actOnPilot.bind(c), { pilotId: ctx.arg(0), action });
      ctx.print(ActOnPilotResponse.toJSON(res), () => `${res.pilot?.pilotId}: ${action.$case} done; status ${short.status(res.pilot?.status ?? 0)}`);
    },
  },
  {
    path: ['programme', 'evaluations'],
    summary: 'Implementation evaluations (filters: item, field, province, kind)',
    flags: {
      item: { type: 'string', placeholder: 'code', description: 'only this item' },
      field: { type: 'string', placeholder: 'code', description: 'only this field' },
      province: { type: 'string', placeholder: 'code', description: 'only this province (000000: national)' },
      kind: { type: 'string', placeholder: Object.keys(evaluationKindNames).join('|'), description: 'only this kind' },
    },
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.listEvaluations.bind(c), {
        itemCode: ctx.flag('item') ?? '',
        fieldCode: ctx.flag('field') ?? '',
        provinceCode: ctx.flag('province') ?? '',
        kind: enumFlag(ctx.flag('kind'), evaluationKindNames, '--kind'),
      });
      ctx.print(ListEvaluationsResponse.toJSON(res), () =>
        renderTable(
          ['ID', 'KIND', 'ITEM', 'PROVINCE', 'PERIOD', 'SATISFIED %', 'SUMMARY'],
          res.evaluations.map((e) => [
            e.evaluationId,
            enumShort(evaluationKindToJSON(e.kind), 'EVALUATION_KIND_'),
            e.itemCode,
            e.provinceCode,
            e.period,
            e.satisfactionPercent,
            e.summary,
          ]),
        ),
      );
    },
  },
  {
    path: ['programme', 'evaluation'],
    args: '<evaluation-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'One implementation evaluation',
    async run(ctx) {
      const res = await ctx.call('programme', (c) => c.getEvaluation.bind(c), { evaluationId: ctx.arg(0) });
      const e = res.evaluation;
      ctx.print(GetEvaluationResponse.toJSON(res), () =>
        e
          ? renderRecord([
              ['evaluation', e.evaluationId],
              ['kind', enumShort(evaluationKindToJSON(e.kind), 'EVALUATION_KIND_')],
              ['item / field', `${e.itemCode} / ${e.fieldCode}`],
              ['province', e.provinceCode],
              ['period', e.period],
              ['method / sample', `${e.method} / ${e.sampleSize}`],
              ['satisfied %', e.satisfactionPercent || '-'],
              ['indicators', e.indicators.map((i) => `${i.name}=${i.value}${i.unit}`).join(', ') || '-'],
              ['summary', e.summary],
              ['recorded', `${e.recordedBy?.organisation ?? ''} ${time(e.recordedAt)}`],
            ])
          : '(no evaluation)',
      );
    },
  },
  {
    path: ['programme', 'record-evaluation'],
    summary: 'Record an effect evaluation, a satisfaction survey or an equalisation indicator set',
    flags: {
      kind: { type: 'string', placeholder: Object.keys(evaluationKindNames).join('|'), description: 'what it is (required)' },
      item: { type: 'string', placeholder: 'code', description: 'the service item (required)' },
      province: { type: 'string', placeholder: 'code', description: 'the province, or 000000 for national (required)' },
      period: { type: 'string', placeholder: 'YYYY|YYYY-MM…YYYY-MM', description: 'the period evaluated (required)' },
      method: { type: 'string', placeholder: 'text', description: 'how it was evaluated (required by the service)' },
      sample: { type: 'string', placeholder: 'n', description: 'the sample size' },
      satisfied: { type: 'string', placeholder: 'percent', description: 'surveys: the share satisfied, e.g. 86.4' },
      indicator: { type: 'string', repeatable: true, placeholder: 'name=value[unit]', description: 'an indicator (repeatable), e.g. 覆盖率=95%' },
      summary: { type: 'string', placeholder: 'text', description: 'the conclusion' },
      doc: { ...doc, description: 'the report it rests on (repeatable; required by the service)' },
    },
    async run(ctx) {
      const sample = ctx.flag('sample');
      if (sample !== undefined && !/^\d{1,9}$/.test(sample)) throw new UsageError('--sample must be a whole number');
      const res = await ctx.change('programme', (c) => c.recordEvaluation.bind(c), {
        kind: enumFlag(required(ctx, 'kind'), evaluationKindNames, '--kind'),
        itemCode: required(ctx, 'item'),
        provinceCode: required(ctx, 'province'),
        period: required(ctx, 'period'),
        method: ctx.flag('method') ?? '',
        sampleSize: sample ? Number(sample) : 0,
        satisfactionPercent: ctx.flag('satisfied') ?? '',
        indicators: list(ctx.parsed, 'indicator').map(parseIndicatorArg),
        summary: ctx.flag('summary') ?? '',
        documents: docs(ctx, 'doc'),
      });
      ctx.print(RecordEvaluationResponse.toJSON(res), () => `recorded ${res.evaluation?.evaluationId}`);
    },
  },
];

/** "覆盖率=95%" → {name 覆盖率, value 95, unit %}: the value is the leading decimal, the unit what follows. */
export function parseIndicatorArg(text: string): { name: string; value: string; unit: string } {
  const m = /^([^=]+)=(-?\d+(?:\.\d+)?)(.*)$/.exec(text);
  if (!m) throw new UsageError(`--indicator takes name=value[unit], got "${text}"`);
  return { name: (m[1] ?? '').trim(), value: m[2] ?? '', unit: (m[3] ?? '').trim() };
}
