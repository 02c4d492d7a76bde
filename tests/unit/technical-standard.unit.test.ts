// A technical standard's life (seed 004) as pure decide/evolve: who may propose and move it, and the checks.
import { describe, expect, it } from 'vitest';
import {
  decideAdvance,
  decidePropose,
  numberViolation,
  standardDecider,
  type AdvanceStandard,
  type CatalogueItem,
  type TechnicalStandard,
} from '../../services/programme/domain/standard';
import { coverage, evaluationViolations, progress } from '../../services/programme/domain/programme';

const nhc = { subject: 'nhc', organisation: 'NHC', roles: ['ministry-staff'] };
const samr = { subject: 'samr', organisation: 'SAMR', roles: ['programme-officer'] };
const at = new Date('2026-01-01T00:00:00Z');
const catalogue = new Map<string, CatalogueItem>([
  ['HEA-01', { itemCode: 'HEA-01', fieldCode: 'F-MED', categoryCode: 'C-PH', leadUnit: 'NHC', retired: false }],
  ['EDU-01', { itemCode: 'EDU-01', fieldCode: 'F-EDU', categoryCode: 'C-EDU', leadUnit: 'MOE', retired: false }],
  ['OLD-01', { itemCode: 'OLD-01', fieldCode: 'F-MED', categoryCode: 'C-PH', leadUnit: 'NHC', retired: true }],
]);
const doc = { title: 'd', uri: '', digest: '', digestAlgorithm: '' };
const cmd = {
  standardId: 'TS-1',
  title: 't',
  level: 'NATIONAL' as const,
  mandatory: false,
  kind: 'FACILITY_EQUIPMENT' as const,
  itemCodes: ['HEA-01'],
  provinceCode: '',
  supportingMeasures: [doc],
  revisesStandardId: '',
};
const move = (to: AdvanceStandard['to'], over: Partial<AdvanceStandard> = {}): AdvanceStandard => ({
  to,
  note: '',
  demandSurvey: [],
  costEstimate: [],
  number: '',
  issuingBody: '',
  publishedOn: '',
  implementedOn: '',
  ...over,
});
function reason(d: ReturnType<typeof decideAdvance>): string | undefined {
  if (d.ok) return undefined;
  return d.refusal.code === 'INVALID_ARGUMENT' ? 'INVALID_ARGUMENT' : d.refusal.reason;
}
function step(s: TechnicalStandard, who: typeof nhc, m: AdvanceStandard): TechnicalStandard {
  const d = decideAdvance(who, s, m, at);
  if (!d.ok) throw new Error(JSON.stringify(d.refusal));
  return d.events[0]!.standard;
}

describe('technical standards', () => {
  it('立项: only for items on the list, by their lead unit or SAMR, with supporting measures', () => {
    const r = (d: ReturnType<typeof decidePropose>) => (d.ok ? 'ok' : d.refusal.code === 'INVALID_ARGUMENT' ? 'INVALID' : d.refusal.reason);
    expect(r(decidePropose(nhc, { ...cmd, itemCodes: ['NOPE'] }, catalogue, undefined, at))).toBe('ITEM_NOT_ON_LIST');
    expect(r(decidePropose(nhc, { ...cmd, itemCodes: ['OLD-01'] }, catalogue, undefined, at))).toBe('ITEM_NOT_ON_LIST');
    expect(r(decidePropose(nhc, { ...cmd, itemCodes: ['HEA-01', 'EDU-01'] }, catalogue, undefined, at))).toBe('NOT_THE_PROPOSING_DEPARTMENT');
    expect(r(decidePropose(samr, { ...cmd, itemCodes: ['HEA-01', 'EDU-01'] }, catalogue, undefined, at))).toBe('ok');
    // A sector standard is the lead ministry's: SAMR could propose one nobody could then issue.
    expect(r(decidePropose(samr, { ...cmd, level: 'SECTOR' }, catalogue, undefined, at))).toBe('NOT_THE_PROPOSING_DEPARTMENT');
    expect(r(decidePropose(nhc, { ...cmd, level: 'SECTOR' }, catalogue, undefined, at))).toBe('ok');
    expect(r(decidePropose(nhc, { ...cmd, supportingMeasures: [] }, catalogue, undefined, at))).toBe('SUPPORTING_MEASURES_REQUIRED');
    const local = { ...cmd, level: 'LOCAL' as const, provinceCode: '110000' };
    expect(r(decidePropose(nhc, local, catalogue, undefined, at))).toBe('NOT_THE_PROPOSING_DEPARTMENT');
    expect(r(decidePropose({ subject: 'bj', organisation: '110000', roles: ['province-officer'] }, local, catalogue, undefined, at))).toBe('ok');
  });

  it('leaves 起草 only with the demand survey, the cost estimate and the same-level finance agreement', () => {
    const proposed = decidePropose(nhc, cmd, catalogue, undefined, at);
    if (!proposed.ok) throw new Error('refused');
    const drafting = step(proposed.events[0]!.standard, nhc, move('DRAFTING'));
    const missing = decideAdvance(nhc, drafting, move('CONSULTATION', { demandSurvey: [doc] }), at);
    expect(!missing.ok && missing.refusal.code === 'FAILED_PRECONDITION' && missing.refusal.violations?.map((v) => v.reason)).toEqual([
      'COST_ESTIMATE_REQUIRED',
      'FINANCE_AGREEMENT_REQUIRED',
    ]);
    const provincial = decideAdvance(
      nhc,
      drafting,
      move('CONSULTATION', { demandSurvey: [doc], costEstimate: [doc], financeAgreement: { organisation: '110000', documents: [doc] } }),
      at,
    );
    expect(!provincial.ok && provincial.refusal.code === 'FAILED_PRECONDITION' && provincial.refusal.violations?.[0]?.reason).toBe(
      'FINANCE_DEPARTMENT_NOT_SAME_LEVEL',
    );
    const consultation = step(
      drafting,
      nhc,
      move('CONSULTATION', { demandSurvey: [doc], costEstimate: [doc], financeAgreement: { organisation: 'MOF', documents: [doc] } }),
    );
    expect(reason(decideAdvance(nhc, consultation, move('PUBLISHED'), at))).toBe('STAGE_NOT_NEXT');
    const review = step(consultation, nhc, move('REVIEW'));
    expect(reason(decideAdvance(nhc, review, move('PUBLISHED', { number: 'GB/T 1—2026', issuingBody: 'x', publishedOn: '2026-01-01' }), at))).toBe(
      'NOT_THE_RESPONSIBLE_DEPARTMENT',
    );
    expect(reason(decideAdvance(samr, review, move('PUBLISHED', { number: 'GB 1—2026', issuingBody: 'x', publishedOn: '2026-01-01' }), at))).toBe(
      'INVALID_ARGUMENT',
    );
    const published = step(review, samr, move('PUBLISHED', { number: 'GB/T 1—2026', issuingBody: 'x', publishedOn: '2026-01-01' }));
    expect(published.stage).toBe('PUBLISHED');
    expect(reason(decideAdvance(samr, published, move('IN_FORCE', { implementedOn: '2025-12-01' }), at))).toBe('INVALID_ARGUMENT');
    const inForce = step(published, samr, move('IN_FORCE', { implementedOn: '2026-03-01' }));
    expect(reason(decideAdvance(nhc, inForce, move('WITHDRAWN', { note: '废止' }), at))).toBe('NOT_THE_RESPONSIBLE_DEPARTMENT');
    expect(step(inForce, samr, move('REVIEWED', { note: '复审继续有效' })).stage).toBe('REVIEWED');
  });

  it('the register as a Decider: a standard is proposed once, and only an existing one moves', () => {
    const proposal = { kind: 'propose' as const, actor: nhc, standard: cmd, catalogue, revised: undefined, at };
    const proposed = standardDecider.decide(standardDecider.initialState, proposal);
    expect(proposed).toMatchObject({ ok: true, events: [{ type: 'stepped', stage: 'PROPOSED' }] });
    const standard = proposed.ok ? proposed.events.reduce(standardDecider.evolve, standardDecider.initialState) : undefined;
    expect(standard?.revision).toBe(1);
    expect(standardDecider.decide(standard, proposal)).toMatchObject({ ok: false, refusal: { code: 'FAILED_PRECONDITION', reason: 'STANDARD_EXISTS' } });
    const advance = { kind: 'advance' as const, actor: nhc, move: move('DRAFTING'), at };
    expect(standardDecider.decide(undefined, advance)).toMatchObject({ ok: false, refusal: { reason: 'STANDARD_UNKNOWN' } });
    const drafting = standardDecider.decide(standard, advance);
    expect(drafting.ok && drafting.events.reduce(standardDecider.evolve, standard)).toMatchObject({ stage: 'DRAFTING', revision: 2 });
    // A refusal is the same one decideAdvance gives: the edge maps it (ruleRefusalError), nothing throws here.
    expect(standardDecider.decide(standard, { ...advance, move: move('PUBLISHED') })).toMatchObject({ ok: false, refusal: { reason: 'STAGE_NOT_NEXT' } });
  });

  it('numbers standards by level', () => {
    expect(numberViolation({ level: 'NATIONAL', mandatory: true, provinceCode: '' }, 'GB 12345—2026')).toBeUndefined();
    expect(numberViolation({ level: 'NATIONAL', mandatory: false, provinceCode: '' }, 'GB 12345—2026')).toBeDefined();
    expect(numberViolation({ level: 'LOCAL', mandatory: false, provinceCode: '110000' }, 'DB11/T 1234—2026')).toBeUndefined();
    expect(numberViolation({ level: 'LOCAL', mandatory: false, provinceCode: '110000' }, 'DB12/T 1234—2026')).toBeDefined();
    expect(numberViolation({ level: 'SECTOR', mandatory: false, provinceCode: '' }, 'MZ/T 123—2026')).toBeUndefined();
    expect(numberViolation({ level: 'GROUP', mandatory: false, provinceCode: '' }, 'T/CAS 123—2026')).toBeUndefined();
  });

  it('coverage names the kinds a category lacks; progress counts published national and sector standards since 2023', () => {
    const proposed = decidePropose(nhc, cmd, catalogue, undefined, at);
    if (!proposed.ok) throw new Error('refused');
    const inForce = { ...proposed.events[0]!.standard, stage: 'IN_FORCE' as const, publishedOn: '2026-01-01' };
    const rows = coverage([{ code: 'F-MED', name: '病有所医', categories: [{ code: 'C-PH', name: '公共卫生服务' }] }], [...catalogue.values()], [inForce]);
    expect(rows[0]).toMatchObject({ itemCount: 1, itemsWithoutStandard: [] });
    expect(rows[0]?.missing).toEqual(['SERVICE_PROCESS_QUALITY', 'OPERATION_MANAGEMENT', 'PERFORMANCE_EVALUATION']);
    const targets = progress([inForce, { ...inForce, standardId: 'old', publishedOn: '2020-01-01' }], { selected: 2, inProgress: 1 });
    expect(targets.map((t) => [t.code, t.target, t.achieved])).toEqual([
      ['STANDARDS_2027', 200, 1],
      ['PILOTS_2027', 80, 2],
    ]);
  });

  it('checks an evaluation record', () => {
    const base = {
      kind: 'SATISFACTION_SURVEY' as const,
      itemCode: 'HEA-01',
      provinceCode: '110000',
      period: '2025',
      method: 'm',
      sampleSize: 10,
      satisfactionPercent: '86.4',
      indicators: [],
      summary: 's',
      documents: [doc],
    };
    expect(evaluationViolations(base)).toEqual([]);
    expect(evaluationViolations({ ...base, satisfactionPercent: '100.1' }).map((v) => v.field)).toEqual(['satisfaction_percent']);
    expect(evaluationViolations({ ...base, sampleSize: 0, period: '25' }).map((v) => v.field)).toEqual(['period', 'sample_size']);
    expect(evaluationViolations({ ...base, kind: 'EQUALISATION_INDICATORS', satisfactionPercent: '' }).map((v) => v.field)).toEqual(['indicators']);
  });
});
