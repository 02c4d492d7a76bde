// A revision cycle as tests open it: the 2026-2030 edition with one health field led by NHC, ten-minute windows
// and a ceiling that does not bind; a test overrides what it is about (fields, ceiling, windows, dates).
import type { PersonaName } from '../../services/shared/auth/personas';
import type { OpenCycleRequest } from '../../proto/gen/bps/approvals/v1/cycles';

/** The OpenCycle request of a test cycle: the defaults above, then `overrides`. */
export function openCycleRequest(cycleId: string, overrides: Partial<Omit<OpenCycleRequest, 'cycleId'>> = {}): OpenCycleRequest {
  return {
    cycleId,
    planPeriod: '2026-2030',
    title: '国家基本公共服务标准（2026年版）',
    effectiveFrom: { year: 2026, month: 7, day: 1 },
    fields: [{ fieldCode: 'HEALTH', leadMinistry: 'NHC', proposalWindowSeconds: '600' }],
    fiscalCeiling: { centralFen: '1000000', localFen: '1000000' },
    evaluationSeconds: '600',
    proposalWindowSeconds: '600',
    refilingSeconds: '0',
    ...overrides,
  };
}

/** The steps of an NHC-led health proposal's approval, in order, and the persona who signs each. */
export const nhcLedSignOffs: readonly (readonly [PersonaName, string])[] = [
  ['nhc-approver', 'countersign.lead'],
  ['ndrc-approver', 'countersign.ndrc'],
  ['mof-approver', 'countersign.mof'],
  ['final-approver', 'final.sco'],
];

/** Beijing's local standard for HEA-01, basic public health funding per person and year (the standard a cycle's re-filing tracks). */
export const beijingHealthFunding = (effectiveFrom: { year: number; month: number; day: number }, value: string) => ({
  provinceCode: '110000',
  itemCode: 'HEA-01',
  effectiveFrom,
  metrics: [{ metric: 'funding_per_capita', value, unit: 'CNY', basis: 'per_person_per_year' }],
});
