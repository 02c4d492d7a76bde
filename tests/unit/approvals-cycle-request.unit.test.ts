// Opening a unified revision cycle: who may open one, and the field violations of a malformed request.
import { describe, expect, it } from 'vitest';
import { cycleActionRefusal, mayOpenCycle, openCycleInput, type OpenCycleCommand } from '../../services/approvals/domain/cycle-request';
import { personas } from '../../services/shared/auth/personas';
import { cycleOfRelease } from '../../services/approvals/adapters/kafka/refiling';
import { endOfDayInChina } from '../../services/shared/standards/china-date';

const ndrc = { subject: 'ndrc.approver.chen', organisation: 'NDRC', roles: ['approver'] };
const good: OpenCycleCommand = {
  cycleId: '',
  planPeriod: '2026-2030',
  title: '国家基本公共服务标准（2026年版）',
  effectiveFrom: { year: 2026, month: 7, day: 1 },
  fields: [
    { fieldCode: 'F17-HEA', leadMinistry: 'NHC', proposalWindowSeconds: 0 },
    { fieldCode: 'F17-EDU', leadMinistry: 'MOE', proposalWindowSeconds: 600 },
  ],
  fiscalCeiling: { centralFen: '90000000000', localFen: '60000000000' },
  evaluationSeconds: 3600,
  proposalWindowSeconds: 7200,
  refilingSeconds: 0,
};

describe('opening a unified revision cycle', () => {
  it('is for NDRC approvers and the final approver only', () => {
    expect(mayOpenCycle(ndrc)).toBe(true);
    expect(mayOpenCycle({ subject: 'sco.final.zhou', organisation: 'SCO', roles: ['final-approver'] })).toBe(true);
    expect(mayOpenCycle({ subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] })).toBe(false);
    expect(mayOpenCycle({ subject: 'mof.approver.sun', organisation: 'MOF', roles: ['approver'] })).toBe(false);
  });

  it('builds the workflow input: default id from the plan period, per-field windows, the opener recorded', () => {
    const r = openCycleInput(good, ndrc);
    expect(r).toEqual({
      ok: true,
      input: {
        cycleId: 'C-2026',
        planPeriod: '2026–2030',
        title: '国家基本公共服务标准（2026年版）',
        effectiveFrom: '2026-07-01',
        fields: [
          { fieldCode: 'F17-HEA', leadMinistry: 'NHC' },
          { fieldCode: 'F17-EDU', leadMinistry: 'MOE', proposalWindowSeconds: 600 },
        ],
        fiscalCeiling: { centralFen: '90000000000', localFen: '60000000000' },
        evaluationSeconds: 3600,
        proposalWindowSeconds: 7200,
        openedBy: ndrc,
      },
    });
  });

  it('names every malformed field', () => {
    const r = openCycleInput(
      {
        ...good,
        cycleId: 'bad id!',
        planPeriod: '2030-2026',
        title: ' ',
        effectiveFrom: { year: 2026, month: 2, day: 30 },
        fields: [
          { fieldCode: 'F17-HEA', leadMinistry: 'NHC', proposalWindowSeconds: 0 },
          { fieldCode: 'F17-HEA', leadMinistry: '', proposalWindowSeconds: -1 },
        ],
        fiscalCeiling: { centralFen: '-5', localFen: '1.5' },
        evaluationSeconds: 0,
      },
      ndrc,
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.violations.map((v) => v.field)).toEqual([
      'plan_period',
      'cycle_id',
      'title',
      'effective_from',
      'fields[1].field_code',
      'fields[1].lead_ministry',
      'fields[1].proposal_window_seconds',
      'fiscal_ceiling.central_fen',
      'fiscal_ceiling.local_fen',
      'evaluation_seconds',
    ]);
    const empty = openCycleInput({ ...good, fields: [], fiscalCeiling: undefined as never, effectiveFrom: undefined as never }, ndrc);
    expect(!empty.ok && empty.violations.map((v) => v.field)).toEqual(['effective_from', 'fields', 'fiscal_ceiling']);
  });
});

describe('who may attempt a cycle action (before its phase is looked at)', () => {
  const actor = (p: keyof typeof personas) => ({ ...personas[p], roles: [...personas[p].roles] });
  it('leaves conflicts, the package and the close to the final approver', () => {
    for (const action of ['resolveConflict', 'approvePackage', 'closeCycle'] as const) {
      expect(cycleActionRefusal(action, actor('final-approver'))).toBeUndefined();
      for (const p of ['nhc-staff', 'ndrc-approver', 'beijing-officer', 'statistics-subscriber', 'auditor'] as const) {
        expect(cycleActionRefusal(action, actor(p))?.reason).toBe('NOT_FINAL_APPROVER');
      }
      expect(cycleActionRefusal(action, { subject: 'x', organisation: 'NHC', roles: ['final-approver'] })?.reason).toBe('NOT_FINAL_APPROVER');
    }
  });
  it("leaves evaluations and windows to ministries (the workflow then requires the field's lead ministry)", () => {
    for (const action of ['fileEvaluation', 'closeProposalWindow'] as const) {
      for (const p of ['nhc-staff', 'moe-staff', 'nhc-approver'] as const) expect(cycleActionRefusal(action, actor(p))).toBeUndefined();
      for (const p of ['beijing-officer', 'statistics-subscriber', 'auditor', 'operator'] as const)
        expect(cycleActionRefusal(action, actor(p))?.reason).toBe('NOT_LEAD_MINISTRY');
    }
  });
});

describe('re-filing events', () => {
  it('finds the cycle of an edition release and ends the deadline day in China time', () => {
    expect(cycleOfRelease('release-C-2026-edition')).toBe('C-2026');
    expect(cycleOfRelease('release-P-2026-NHC-0001-r1')).toBeUndefined();
    expect(new Date(endOfDayInChina({ year: 2026, month: 9, day: 29 })).toISOString()).toBe('2026-09-29T15:59:59.999Z');
  });
});
