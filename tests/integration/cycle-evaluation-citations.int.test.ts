// Issue #18, "a satisfaction survey cited by a revision cycle's evaluation": the approvals service projects the
// programme service's bps.programme.evaluation.recorded events (published here as the programme service does, as
// the topic's owner); a field evaluation of a unified revision cycle cites them by id — through gRPC, the JSON API and
// the console form. Accepted citations are kept in the cycle, shown on its page and carried by the
// bps.approval.cycle.action.recorded event of the filing, hence in the cycle's audit trace. Unknown ids and
// evaluations of another field are refused (FAILED_PRECONDITION, on record as bps.access.refused); a forged
// evaluation event (a ce_source that is not the programme service's) is dead-lettered and never citable.
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevisionCyclesClient, type FileEvaluationRequest } from '../../proto/gen/bps/approvals/v1/cycles';
import { AuditClient } from '../../proto/gen/bps/audit/v1/audit';
import { EvaluationKind, ProgrammeClient } from '../../proto/gen/bps/programme/v1/programme';
import { personas } from '../../services/shared/auth/personas';
import { programmeEvents } from '../../services/shared/events/programme';
import { unary } from '../../services/shared/grpc/client';
import { newEvent } from '../../services/shared/kafka/kafka';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { refusal } from '../support/grpc';
import { uniqueName } from '../support/names';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { stack } from '../support/stack';
import { waitFor, waitUntil } from '../support/wait';
import { openCycleRequest } from '../support/cycles';

type Evaluation = { id: string; kind: EvaluationKind; itemCode: string; fieldCode: string; satisfactionPercent?: string; summary: string };

describe('a revision cycle field evaluation cites implementation evaluations (issue #18)', () => {
  let p: StartedPlatform<'approvals' | 'audit' | 'gateway' | 'programme'>;
  let cycles: RevisionCyclesClient;
  let audit: AuditClient;
  let mongo: MongoHandle;
  const run = uniqueName('ev').replace(/[^A-Za-z0-9._-]/g, '-');
  const survey: Evaluation = {
    id: `EV-${run}-survey`,
    kind: EvaluationKind.EVALUATION_KIND_SATISFACTION_SURVEY,
    itemCode: 'HEA-01',
    fieldCode: 'F21-HEALTH',
    satisfactionPercent: '86.4',
    summary: '北京市居民健康档案服务群众满意度调查',
  };
  const eduEffect: Evaluation = {
    id: `EV-${run}-edu`,
    kind: EvaluationKind.EVALUATION_KIND_EFFECT,
    itemCode: 'EDU-01',
    fieldCode: 'F21-EDUCATION',
    summary: '学前教育幼儿资助实施效果评估',
  };
  const forgedId = `EV-${run}-forged`;
  let forged: ReturnType<typeof newEvent>;

  const recorded = (e: Evaluation, source = '/bps/programme') =>
    newEvent(
      programmeEvents.evaluationRecorded,
      programmeEvents.evaluationRecorded.codec.fromPartial({
        evaluationId: e.id,
        evaluation: {
          evaluationId: e.id,
          kind: e.kind,
          itemCode: e.itemCode,
          fieldCode: e.fieldCode,
          provinceCode: '110000',
          period: '2025',
          method: '问卷调查',
          sampleSize: 1200,
          satisfactionPercent: e.satisfactionPercent ?? '',
          summary: e.summary,
          recordedBy: { subject: 'samr.officer', organisation: 'SAMR', roles: ['programme-officer'] },
          recordedAt: new Date('2026-03-01T02:00:00Z'),
        },
        actor: { subject: 'samr.officer', organisation: 'SAMR', roles: ['programme-officer'] },
      }),
      { source, key: e.id, subject: `evaluations/${e.id}`, topicNamespace: p.namespace },
    );
  const projected = async (id: string): Promise<boolean> => (await mongo.db.collection('programme_evaluations').findOne({ _id: id as never })) !== null;
  const file = async (request: Omit<FileEvaluationRequest, 'citedEvaluationIds'> & { citedEvaluationIds: string[] }, who: 'nhc-staff' | 'moe-staff') =>
    unary(cycles.fileEvaluation.bind(cycles), request, await p.token(who));

  beforeAll(async () => {
    p = await startPlatform('citations', { services: ['approvals', 'audit', 'gateway', 'programme'], collect: ['approvals'] });
    cycles = new RevisionCyclesClient(p.address('approvals'), grpc.credentials.createInsecure());
    audit = new AuditClient(p.address('audit'), grpc.credentials.createInsecure());
    mongo = await connectMongo(stack().mongoUri, p.names.db('approvals'));
    // As the programme service records them (its principal, its ce_source) — and one forged: the programme topic,
    // but a ce_source that is not the programme service's.
    forged = recorded({ ...survey, id: forgedId }, '/bps/registry');
    await p.publisher.publish([recorded(survey), recorded(eduEffect), forged]);
    await waitUntil(async () => (await projected(survey.id)) && (await projected(eduEffect.id)), 'the evaluations projected', 60_000, 200);
  }, 240_000);
  afterAll(async () => {
    cycles?.close();
    audit?.close();
    await mongo?.close();
    await p?.stop();
  });

  it('does not take a forged evaluation event: dead-lettered for its foreign ce_source, not projected', async () => {
    const dead = await p.collector!.waitFor(
      (e) => e.type === 'bps.event.deadlettered' && JSON.parse(e.data.toString('utf8')).eventId === forged.id,
      'the forged evaluation dead-lettered',
      60_000,
    );
    expect(JSON.parse(dead.data.toString('utf8'))).toMatchObject({
      service: 'approvals',
      consumerGroup: `approvals-evaluations.${p.namespace}`,
      reason: 'foreign-source',
      eventType: 'bps.programme.evaluation.recorded',
    });
    expect(await projected(forgedId)).toBe(false);
  });

  it('cites a satisfaction survey of the field; refuses unknown, forged and other fields’ evaluations; shows and audits the citation', async () => {
    const cycleId = `C-${run}`;
    await unary(
      cycles.openCycle.bind(cycles),
      openCycleRequest(cycleId, {
        fields: [
          { fieldCode: 'F21-HEALTH', leadMinistry: 'NHC', proposalWindowSeconds: '600' },
          { fieldCode: 'F21-EDUCATION', leadMinistry: 'MOE', proposalWindowSeconds: '600' },
        ],
      }),
      await p.token('ndrc-approver'),
    );
    const health = { cycleId, fieldCode: 'F21-HEALTH', summary: '经费标准需提高' };

    // Refusals: unknown (and forged) ids, another field's evaluation, repeats — each on record.
    const unknown = await refusal(file({ ...health, citedEvaluationIds: [survey.id, `EV-${run}-missing`] }, 'nhc-staff'));
    expect(unknown).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, reason: 'EVALUATION_NOT_FOUND' });
    expect(unknown.preconditionViolations).toEqual([expect.objectContaining({ type: 'EVALUATION_NOT_FOUND', subject: `EV-${run}-missing` })]);
    expect(unknown.message).toContain('has not reached the approvals service yet');
    expect(await refusal(file({ ...health, citedEvaluationIds: [forgedId] }, 'nhc-staff'))).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      reason: 'EVALUATION_NOT_FOUND',
    });
    const foreign = await refusal(file({ ...health, citedEvaluationIds: [survey.id, eduEffect.id] }, 'nhc-staff'));
    expect(foreign).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, reason: 'EVALUATION_OF_ANOTHER_FIELD' });
    expect(foreign.preconditionViolations).toEqual([expect.objectContaining({ type: 'EVALUATION_OF_ANOTHER_FIELD', subject: eduEffect.id })]);
    const repeated = await refusal(file({ ...health, citedEvaluationIds: [survey.id, survey.id] }, 'nhc-staff'));
    expect(repeated.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(repeated.fieldViolations.map((v) => v.field)).toEqual(['cited_evaluation_ids[1]']);
    const tooMany = await refusal(file({ ...health, citedEvaluationIds: Array.from({ length: 51 }, (_, i) => `EV-${i}`) }, 'nhc-staff'));
    expect(tooMany.code).toBe(grpc.status.INVALID_ARGUMENT);
    // Not the lead ministry: the cycle's own refusal, before anything is looked up.
    expect(await refusal(file({ ...health, citedEvaluationIds: [survey.id] }, 'moe-staff'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    for (const reason of ['EVALUATION_NOT_FOUND', 'EVALUATION_OF_ANOTHER_FIELD'])
      await p.collector!.waitFor(
        (e) => e.type === 'bps.access.refused' && JSON.parse(e.data.toString('utf8')).reason === reason,
        `the ${reason} refusal on record`,
        30_000,
      );
    expect((await unary(cycles.getCycle.bind(cycles), { cycleId }, await p.token('auditor'))).cycle!.fields.map((f) => f.evaluatedBy)).toEqual(['', '']);

    // Through the JSON API: a refusal is 422 naming the evaluation, a repeat 400; then the survey of the field, kept as recorded.
    const api = async (citedEvaluationIds: string[]) => {
      const res = await fetch(`${p.gateway.url}/api/v1/cycles/${cycleId}/evaluations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await p.token('nhc-staff')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ fieldCode: health.fieldCode, summary: health.summary, citedEvaluationIds }),
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    const missing = await api([`EV-${run}-missing`]);
    expect(missing.status).toBe(422);
    expect(missing.json.error.violations).toEqual([expect.objectContaining({ type: 'EVALUATION_NOT_FOUND', subject: `EV-${run}-missing` })]);
    expect((await api([survey.id, survey.id])).status).toBe(400);
    const { status, json: filed } = await api([survey.id]);
    expect(status, JSON.stringify(filed)).toBe(200);
    const citation = {
      evaluationId: survey.id,
      kind: 'SATISFACTION_SURVEY',
      itemCode: 'HEA-01',
      fieldCode: 'F21-HEALTH',
      provinceCode: '110000',
      period: '2025',
      satisfactionPercent: '86.4',
      summary: survey.summary,
      recordedBy: 'samr.officer',
      recordedAt: '2026-03-01T02:00:00.000Z',
    };
    expect(filed.cycle.fields.find((f: any) => f.fieldCode === 'F21-HEALTH')).toMatchObject({
      evaluatedBy: personas['nhc-staff'].subject,
      citedEvaluations: [citation],
    });

    // The filing's event carries the citation...
    const event = await p.collector!.waitFor(
      (e) => e.type === 'bps.approval.cycle.action.recorded' && e.key === cycleId && JSON.parse(e.data.toString('utf8')).action === 'evaluation.filed',
      'evaluation.filed',
      30_000,
    );
    expect(JSON.parse(event.data.toString('utf8'))).toMatchObject({ fieldCode: 'F21-HEALTH', citedEvaluations: [citation] });
    // ... and so does the cycle's audit trace.
    const auditor = await p.token('auditor');
    const step = await waitFor(
      async () =>
        (await unary(audit.traceCycle.bind(audit), { cycleId }, auditor)).trace?.steps.find(
          (s) => s.eventType === 'bps.approval.cycle.action.recorded' && s.dataJson.includes('evaluation.filed'),
        ),
      'the filing in the cycle audit trace',
      60_000,
      250,
    );
    expect(JSON.parse(step.dataJson)).toMatchObject({
      cycleId,
      action: 'evaluation.filed',
      citedEvaluations: [expect.objectContaining({ evaluationId: survey.id })],
    });

    // The console: MOE files through the form, citing its effect evaluation (one id per line); the page shows both.
    const session = async (who: 'moe-staff' | 'auditor') => ({ cookie: `bps_token=${await p.token(who)}` });
    const form = await fetch(`${p.gateway.url}/cycles/${cycleId}/evaluate`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: p.gateway.url, ...(await session('moe-staff')) },
      body: new URLSearchParams({ fieldCode: 'F21-EDUCATION', summary: '学前教育资助覆盖面需扩大', citedEvaluationIds: `${eduEffect.id}\n` }).toString(),
    });
    expect(form.status, await form.clone().text()).toBe(303);
    const page = await (await fetch(`${p.gateway.url}/cycles/${cycleId}`, { headers: await session('auditor') })).text();
    expect(page).toContain(`data-evaluation="${survey.id}"`);
    expect(page).toContain('群众满意度调查');
    expect(page).toContain('86.4%');
    expect(page).toContain(`data-evaluation="${eduEffect.id}"`);
    expect(page).toContain('实施效果评估');
    const cycle = (await unary(cycles.getCycle.bind(cycles), { cycleId }, auditor)).cycle!;
    expect(cycle.fields.map((f) => [f.fieldCode, f.citedEvaluations.map((c) => c.evaluationId)])).toEqual([
      ['F21-HEALTH', [survey.id]],
      ['F21-EDUCATION', [eduEffect.id]],
    ]);
  }, 180_000);

  it('cites a satisfaction survey recorded through the programme service itself', async () => {
    const programme = new ProgrammeClient(p.address('programme'), grpc.credentials.createInsecure());
    try {
      const { evaluation } = await unary(
        programme.recordEvaluation.bind(programme),
        {
          kind: EvaluationKind.EVALUATION_KIND_SATISFACTION_SURVEY,
          itemCode: 'INS-05',
          provinceCode: '110000',
          period: '2025',
          method: '入户问卷',
          sampleSize: 2000,
          satisfactionPercent: '91.2',
          indicators: [],
          summary: '北京市城乡居民医保群众满意度调查',
          documents: [
            {
              title: '2025年北京市城乡居民医保满意度调查报告',
              uri: 'https://example.org/bj-ins05-2025.pdf',
              digest: createHash('sha256').update('bj-ins05-2025').digest('hex'),
              digestAlgorithm: 'sha256',
            },
          ],
        },
        await p.token('beijing-programme-officer'),
      );
      const id = evaluation!.evaluationId;
      await waitUntil(() => projected(id), `${id} projected from the programme service's event`, 60_000, 200);
      const cycleId = `C-${run}-real`;
      const field = evaluation!.fieldCode;
      await unary(
        cycles.openCycle.bind(cycles),
        openCycleRequest(cycleId, { fields: [{ fieldCode: field, leadMinistry: 'NHC', proposalWindowSeconds: '600' }] }),
        await p.token('ndrc-approver'),
      );
      const { cycle } = await file({ cycleId, fieldCode: field, summary: '医保待遇标准评估', citedEvaluationIds: [id] }, 'nhc-staff');
      expect(cycle!.fields[0]!.citedEvaluations).toEqual([
        expect.objectContaining({
          evaluationId: id,
          kind: 'SATISFACTION_SURVEY',
          itemCode: 'INS-05',
          fieldCode: field,
          provinceCode: '110000',
          satisfactionPercent: '91.2',
          recordedBy: personas['beijing-programme-officer'].subject,
        }),
      ]);
    } finally {
      programme.close();
    }
  }, 120_000);
});
