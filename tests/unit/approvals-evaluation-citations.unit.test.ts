// Issue #18: the rules for a revision cycle's field evaluation citing implementation evaluations (ids as given, then
// resolved against what the approvals service knows), the kind names, and the console form's id list.
import { describe, expect, it } from 'vitest';
import { Cycle } from '../../proto/gen/bps/approvals/v1/cycles';
import { EvaluationKind } from '../../proto/gen/bps/programme/v1/programme';
import { personas } from '../../services/shared/auth/personas';
import { translator } from '../../services/gateway/web/i18n';
import { evaluationKindName } from '../../services/approvals/adapters/kafka/evaluations-projection';
import { citedIdsViolations, resolveCitations } from '../../services/approvals/domain/evaluation-citations';
import { citedIdsFromForm, cyclePage } from '../../services/gateway/web/cycle-pages';
import type { CycleCitedEvaluation } from '../../workflows/contracts';

const survey = (evaluationId: string, fieldCode: string): CycleCitedEvaluation => ({
  evaluationId,
  kind: 'SATISFACTION_SURVEY',
  itemCode: 'HEA-01',
  fieldCode,
  provinceCode: '110000',
  period: '2025',
  satisfactionPercent: '86.4',
  summary: 's',
  recordedBy: 'x',
});

describe('cited evaluation ids', () => {
  it('takes up to 50 distinct ids and names every bad one', () => {
    expect(citedIdsViolations([])).toEqual([]);
    expect(citedIdsViolations(Array.from({ length: 50 }, (_, i) => `EV-${i}`))).toEqual([]);
    expect(citedIdsViolations(Array.from({ length: 51 }, (_, i) => `EV-${i}`))).toEqual([
      expect.objectContaining({ field: 'cited_evaluation_ids', reason: 'TOO_MANY_CITATIONS' }),
    ]);
    expect(citedIdsViolations(['EV-1', ' ', 'EV-2', 'EV-1 '])).toEqual([
      expect.objectContaining({ field: 'cited_evaluation_ids[1]', reason: 'EVALUATION_ID_REQUIRED' }),
      expect.objectContaining({ field: 'cited_evaluation_ids[3]', reason: 'DUPLICATE_CITATION' }),
    ]);
  });

  it('resolves known evaluations of the field, in the order cited', () => {
    const known = new Map([
      ['EV-2', survey('EV-2', 'HEALTH')],
      ['EV-1', survey('EV-1', 'HEALTH')],
    ]);
    expect(resolveCitations('HEALTH', ['EV-1', 'EV-2'], known)).toEqual({ ok: true, citations: [known.get('EV-1'), known.get('EV-2')] });
  });

  it('refuses unknown evaluations first, then evaluations of another field', () => {
    const known = new Map([['EV-EDU', survey('EV-EDU', 'EDU')]]);
    const result = resolveCitations('HEALTH', ['EV-EDU', 'EV-NONE'], known);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusals.map((r) => [r.reason, r.subject])).toEqual([
      ['EVALUATION_NOT_FOUND', 'EV-NONE'],
      ['EVALUATION_OF_ANOTHER_FIELD', 'EV-EDU'],
    ]);
    expect(result.refusals[0]!.message).toMatch(/not reached the approvals service yet/);
  });
});

describe('evaluation kinds and the console form', () => {
  it('names kinds without the enum prefix', () => {
    expect(evaluationKindName(EvaluationKind.EVALUATION_KIND_SATISFACTION_SURVEY)).toBe('SATISFACTION_SURVEY');
    expect(evaluationKindName(EvaluationKind.EVALUATION_KIND_EFFECT)).toBe('EFFECT');
    expect(evaluationKindName(EvaluationKind.EVALUATION_KIND_UNSPECIFIED)).toBe('');
  });

  it('reads ids one per line or comma-separated', () => {
    expect(citedIdsFromForm('EV-1\r\nEV-2, EV-3，EV-4\n\n')).toEqual(['EV-1', 'EV-2', 'EV-3', 'EV-4']);
    expect(citedIdsFromForm('  ')).toEqual([]);
  });

  it('shows the cited evaluations per field (zh-CN first, English second) and offers the ids field to the lead ministry', () => {
    const cycle = Cycle.fromPartial({
      cycleId: 'C-2026',
      phase: 'evaluation',
      fields: [
        {
          fieldCode: 'F21-HEALTH',
          leadMinistry: 'NHC',
          evaluationSummary: '经费标准需提高',
          evaluatedBy: 'nhc.staff.li',
          citedEvaluations: [{ ...survey('EV-1', 'F21-HEALTH'), recordedAt: new Date('2026-03-01T00:00:00Z') }],
        },
        { fieldCode: 'F21-EDUCATION', leadMinistry: 'NHC' },
      ],
    });
    const ctx = (lang: 'zh' | 'en') => ({
      lang,
      t: translator(lang),
      identity: { ...personas['nhc-staff'], roles: [...personas['nhc-staff'].roles] },
      url: '/',
      signInEnabled: true,
    });
    const zh = String(cyclePage(ctx('zh'), cycle));
    expect(zh).toContain('data-evaluation="EV-1"');
    expect(zh).toContain('群众满意度调查');
    expect(zh).toContain('满意度 86.4%');
    expect(zh).toContain('name="citedEvaluationIds"');
    const en = String(cyclePage(ctx('en'), cycle));
    expect(en).toContain('Satisfaction survey');
    expect(en).toContain('Cited implementation evaluations (1)');
  });
});
