// /api/v1/cycles over the real approvals service: who may open a cycle, 400 with the service's field violations,
// 403/404/422 mapped from the workflow's refusals, and the cycle as the dashboard reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, startTestPlatform, type TestPlatform } from './gateway-platform';
import { uniqueName } from '../support/names';

describe('gateway: revision cycles API', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform('gw-cycles', {}, { full: true });
  }, 240_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('opens a cycle for NDRC, refuses others and bad input, and maps workflow refusals', async () => {
    const cycleId = uniqueName('C').replace(/[^A-Za-z0-9._-]/g, '-');
    const body = {
      cycleId,
      planPeriod: '2026-2030',
      title: '国家基本公共服务标准（2026年版）',
      effectiveFrom: { year: 2027, month: 7, day: 1 },
      fields: [
        { fieldCode: 'F17-HEA', leadMinistry: 'NHC' },
        { fieldCode: 'F17-EDU', leadMinistry: 'MOE', proposalWindowSeconds: '600' },
      ],
      fiscalCeiling: { centralFen: '100000', localFen: '100000' },
      evaluationSeconds: '3600',
      proposalWindowSeconds: '3600',
    };
    expect((await apiAs(p, 'nhc-staff', 'POST', '/api/v1/cycles', body)).status).toBe(403);
    const bad = await apiAs(p, 'ndrc-approver', 'POST', '/api/v1/cycles', {
      ...body,
      planPeriod: '2030',
      fields: [{ fieldCode: 'F17-HEA', leadMinistry: '' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fieldViolations.map((v: { field: string }) => v.field)).toEqual(['planPeriod', 'fields[0].leadMinistry']);
    const schemaBad = await apiAs(p, 'ndrc-approver', 'POST', `/api/v1/cycles/${cycleId}/evaluations`, { fieldCode: 'F17-HEA' });
    expect(schemaBad.status).toBe(400);

    const opened = await apiAs(p, 'ndrc-approver', 'POST', '/api/v1/cycles', body);
    expect(opened.status).toBe(201);
    expect(opened.json.cycle).toMatchObject({ cycleId, phase: 'evaluation', planPeriod: '2026–2030' });
    expect((await apiAs(p, 'ndrc-approver', 'POST', '/api/v1/cycles', body)).status).toBe(409);

    const wrong = await apiAs(p, 'moe-staff', 'POST', `/api/v1/cycles/${cycleId}/evaluations`, { fieldCode: 'F17-HEA', summary: '教育部不能代评' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.message).toContain('NOT_LEAD_MINISTRY');
    const early = await apiAs(p, 'final-approver', 'POST', `/api/v1/cycles/${cycleId}/approve`, { comment: '' });
    expect(early.status).toBe(422);
    expect(early.json.error.violations).toEqual([expect.objectContaining({ type: 'NOT_IN_CONSOLIDATION' })]);

    const filed = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/cycles/${cycleId}/evaluations`, { fieldCode: 'F17-HEA', summary: '经费标准需提高' });
    expect(filed.status).toBe(200);
    expect(filed.json.cycle.fields[0]).toMatchObject({ fieldCode: 'F17-HEA', evaluatedBy: 'nhc.staff.li' });
    const listed = await apiAs(p, 'auditor', 'GET', '/api/v1/cycles');
    expect(listed.json.cycles.map((c: { cycleId: string }) => c.cycleId)).toContain(cycleId);
    expect((await apiAs(p, 'auditor', 'GET', `/api/v1/cycles/${cycleId}-missing`)).status).toBe(404);
  });
});
