// Idempotency-Key on the gateway's state-changing routes (issue #19), over the real services: sent twice with the
// same key a request answers the same and has one effect (where a plain repeat would be refused or do it again);
// the same key with another body or target is 412 REQUEST_ID_REUSED. Every authenticated POST/PUT/PATCH/DELETE
// documents the header; the ones exercised here span every service (registry, proposals, approvals inbox and
// cycles, notifications, audit, programme).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { editionColumns, editionRowOf } from '../../services/shared/standards/edition';
import { templateHeader } from '../../services/shared/standards/edition-file';
import type { PersonaName } from '../../services/shared/auth/personas';
import { healthProposal } from '../unit/proposals-fixtures';
import { uniqueName } from '../support/names';
import { todayInChina } from '../../services/shared/standards/china-date';
import { startGateway } from '../../services/gateway/app';
import { testLogger } from '../support/stack';
import { startTestPlatform, startWebhookReceiver, type TestPlatform, type WebhookReceiver } from './gateway-platform';

type Answer = { status: number; json: any };

describe('gateway: Idempotency-Key on every state-changing route', { timeout: 600_000 }, () => {
  let p: TestPlatform;
  let receiver: WebhookReceiver;
  const exercised = new Set<string>();
  beforeAll(async () => {
    [p, receiver] = await Promise.all([
      startTestPlatform('gw-idem', {}, { full: true, notifications: true, audit: true, programme: true }),
      startWebhookReceiver(),
    ]);
  }, 300_000);
  afterAll(async () => {
    await p?.stop();
    await receiver?.close();
  });

  const send = async (persona: PersonaName, method: string, path: string, body?: unknown, key?: string): Promise<Answer> => {
    const res = await fetch(p.gateway.url + path, {
      method,
      headers: {
        authorization: `Bearer ${await p.token(persona)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  };
  const ok = (a: Answer, what: string): any => {
    expect(a.status, `${what}: ${JSON.stringify(a.json)}`).toBeLessThan(300);
    return a.json;
  };

  /**
   * Sends a request twice under one fresh key (same answer), then the key with `other` (another body or target
   * of the same operation): refused with 412 REQUEST_ID_REUSED. Returns the first answer.
   */
  async function twice(
    operationId: string,
    persona: PersonaName,
    method: string,
    path: string,
    body: unknown,
    other: { path?: string; body?: unknown },
  ): Promise<any> {
    exercised.add(operationId);
    const key = uniqueName('idem').replace(/[^A-Za-z0-9._:-]/g, '-');
    const first = await send(persona, method, path, body, key);
    ok(first, operationId);
    const second = await send(persona, method, path, body, key);
    expect(second, `${operationId}: the retry answers as the first call did`).toEqual(first);
    const reused = await send(persona, method, other.path ?? path, 'body' in other ? other.body : body, key);
    expect(reused.status, `${operationId} reused: ${JSON.stringify(reused.json)}`).toBe(412);
    expect(reused.json.error).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'REQUEST_ID_REUSED' });
    return first.json;
  }

  const proposalIds = async (): Promise<string[]> =>
    (ok(await send('nhc-staff', 'GET', '/api/v1/proposals?pageSize=200'), 'list proposals').proposals ?? []).map((x: any) => x.proposalId);

  it('proposals: create, update, validate, estimate, submit, withdraw', async () => {
    const content = ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-03', title: '幂等键：新建' })) as Record<string, unknown>;
    const before = await proposalIds();
    const created = await twice(
      'createProposal',
      'nhc-staff',
      'POST',
      '/api/v1/proposals',
      { content },
      { body: { content: { ...content, title: '幂等键：另一个' } } },
    );
    const id: string = created.proposal.proposalId;
    expect((await proposalIds()).length).toBe(before.length + 1);

    const revised = { ...content, title: '幂等键：修改' };
    const updated = await twice(
      'updateDraft',
      'nhc-staff',
      'PUT',
      `/api/v1/proposals/${id}/draft`,
      { expectedRevision: 1, content: revised },
      { body: { expectedRevision: 1, content: { ...revised, title: '幂等键：又一个修改' } } },
    );
    expect(updated.proposal.revision).toBe(2);
    expect((await send('nhc-staff', 'PUT', `/api/v1/proposals/${id}/draft`, { expectedRevision: 1, content: revised })).status).toBe(409); // a plain repeat: stale

    await twice('validateProposal', 'nhc-staff', 'POST', `/api/v1/proposals/${id}/validate`, undefined, {
      path: `/api/v1/proposals/${before[0] ?? 'P-none'}/validate`,
    });
    await twice('computeFiscalEstimate', 'nhc-staff', 'POST', '/api/v1/fiscal-estimates', { proposalId: id }, { body: { content } });
    const submitted = await twice(
      'submitProposal',
      'nhc-staff',
      'POST',
      `/api/v1/proposals/${id}/submit`,
      { expectedRevision: 2 },
      { body: { expectedRevision: 3 } },
    );
    expect(submitted.proposal.state).toBe('PROPOSAL_STATE_IN_REVIEW');

    const other = ok(await send('nhc-staff', 'POST', '/api/v1/proposals', { content: { ...content, title: '幂等键：撤回' } }), 'create').proposal
      .proposalId as string;
    const withdrawn = await twice(
      'withdrawProposal',
      'nhc-staff',
      'POST',
      `/api/v1/proposals/${other}/withdraw`,
      { reason: '重复' },
      { body: { reason: '另一个理由' } },
    );
    expect(withdrawn.proposal.state).toBe('PROPOSAL_STATE_WITHDRAWN');

    // Approvals inbox: claim, release and sign a step of the submitted proposal.
    let stepId = '';
    await expect
      .poll(
        async () => {
          const inbox = ok(await send('mof-approver', 'GET', '/api/v1/inbox'), 'inbox');
          stepId = (inbox.items ?? []).find((i: any) => i.proposal?.proposalId === id)?.step?.stepId ?? '';
          return stepId;
        },
        { timeout: 90_000, interval: 500 },
      )
      .not.toBe('');
    const step = `/api/v1/approvals/${id}/steps/${stepId}`;
    await twice('claimStep', 'mof-approver', 'POST', `${step}/claim`, undefined, { path: `/api/v1/approvals/${id}/steps/${stepId}x/claim` });
    await twice('releaseStep', 'mof-approver', 'POST', `${step}/release`, undefined, { path: `/api/v1/approvals/${id}/steps/${stepId}x/release` });
    await twice(
      'signOff',
      'mof-approver',
      'POST',
      `${step}/sign`,
      { position: 'POSITION_APPROVE', comment: '同意' },
      { body: { position: 'POSITION_NO_OBJECTION', comment: '同意' } },
    );
    expect((await send('mof-approver', 'POST', `${step}/sign`, { position: 'POSITION_APPROVE', comment: '同意' })).status).toBeGreaterThanOrEqual(400); // signed once
    const signOffs = ok(await send('mof-approver', 'GET', `/api/v1/approvals/${id}/my-sign-offs`), 'my sign-offs');
    expect(JSON.stringify(signOffs).match(/POSITION_APPROVE/g)?.length).toBe(1);
  });

  it('a create that timed out at the gateway (504) and is retried with its key leaves one draft, the one the retry returns', async () => {
    // A second gateway over the same services whose budget is too short for a create.
    const a = p.addresses;
    const hasty = await startGateway({
      port: 0,
      tokens: p.tokens,
      logger: testLogger,
      environment: 'test',
      backendTimeoutMs: 100,
      rateLimit: { burst: 1_000, perSecond: 1_000 },
      backends: {
        registry: a['REGISTRY_GRPC_ADDRESS']!,
        proposals: a['PROPOSALS_GRPC_ADDRESS']!,
        approvals: a['APPROVALS_GRPC_ADDRESS']!,
        notifications: a['NOTIFICATIONS_GRPC_ADDRESS']!,
        audit: a['AUDIT_GRPC_ADDRESS']!,
        programme: a['PROGRAMME_GRPC_ADDRESS']!,
      },
    });
    try {
      const content = ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-05', title: '幂等键：超时后重试' }));
      const before = (await proposalIds()).length;
      const key = uniqueName('timeout').replace(/[^A-Za-z0-9._:-]/g, '-');
      const res = await fetch(`${hasty.url}/api/v1/proposals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await p.token('nhc-staff')}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ content }),
      });
      expect([201, 504]).toContain(res.status);
      const retried = ok(await send('nhc-staff', 'POST', '/api/v1/proposals', { content }, key), 'retry');
      const again = ok(await send('nhc-staff', 'POST', '/api/v1/proposals', { content }, key), 'second retry');
      expect(again.proposal.proposalId).toBe(retried.proposal.proposalId);
      const after = await proposalIds();
      expect(after.length).toBe(before + 1);
      expect(after).toContain(retried.proposal.proposalId);
    } finally {
      await hasty.stop();
    }
  });

  it('revision cycles: open a cycle, file an evaluation', async () => {
    const cycleId = uniqueName('C').replace(/[^A-Za-z0-9._-]/g, '-');
    const body = {
      cycleId,
      planPeriod: '2026-2030',
      title: '幂等键测试周期',
      effectiveFrom: { year: 2027, month: 7, day: 1 },
      fields: [{ fieldCode: 'F17-HEA', leadMinistry: 'NHC' }],
      fiscalCeiling: { centralFen: '100000', localFen: '100000' },
      evaluationSeconds: '3600',
      proposalWindowSeconds: '3600',
    };
    await twice('openCycle', 'ndrc-approver', 'POST', '/api/v1/cycles', body, { body: { ...body, title: '另一个标题' } });
    expect((await send('ndrc-approver', 'POST', '/api/v1/cycles', body)).status).toBe(409); // a plain repeat: exists
    await twice(
      'fileEvaluation',
      'nhc-staff',
      'POST',
      `/api/v1/cycles/${cycleId}/evaluations`,
      { fieldCode: 'F17-HEA', summary: '经费标准需提高' },
      { body: { fieldCode: 'F17-HEA', summary: '另一份评估' } },
    );
  });

  it('registry: a filing, an erratum and its approval', async () => {
    const filing = {
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: { year: 2019, month: 1, day: 1 },
      metrics: [{ metric: 'government_subsidy_per_capita', value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
    };
    const filed = await twice('fileLocalStandard', 'beijing-officer', 'POST', '/api/v1/standards/filings', filing, {
      body: { ...filing, effectiveFrom: { year: 2019, month: 1, day: 2 } },
    });
    const again = ok(await send('beijing-officer', 'POST', '/api/v1/standards/filings', filing), 'plain repeat');
    expect(again.filingId).not.toBe(filed.filingId); // without a key a repeat files again

    const item = ok(await send('nhc-staff', 'GET', '/api/v1/standards/items/HEA-04'), 'item').national.item;
    const errata = async () => (ok(await send('nhc-staff', 'GET', '/api/v1/standards/items/HEA-04/errata'), 'errata').errata ?? []).length as number;
    const before = await errata();
    const correction = { item: { ...item, name: `${item.name as string}（幂等勘误）` }, reason: '名称勘误' };
    const proposed = await twice('correctItemVersion', 'nhc-approver', 'POST', '/api/v1/standards/items/HEA-04/versions/1/corrections', correction, {
      body: { ...correction, reason: '另一个理由' },
    });
    expect(await errata()).toBe(before + 1);
    const erratumId: string = proposed.erratum.erratumId;
    await twice('approveErratum', 'final-approver', 'POST', `/api/v1/standards/items/HEA-04/versions/1/corrections/${erratumId}/approve`, undefined, {
      path: `/api/v1/standards/items/HEA-04/versions/1/corrections/${erratumId}x/approve`,
    });
  });

  it('notifications: create, rotate the secret, pause, resume, replay, redeliver and delete a subscription', async () => {
    const list = async () => (ok(await send('statistics-subscriber', 'GET', '/api/v1/subscriptions'), 'list').subscriptions ?? []) as any[];
    const before = (await list()).length;
    const body = { endpointUrl: receiver.url, description: '幂等键', filter: { eventTypes: ['bps.standard.local.filed'] } };
    const created = await twice('createSubscription', 'statistics-subscriber', 'POST', '/api/v1/subscriptions', body, {
      body: { ...body, description: '另一个' },
    });
    expect((await list()).length).toBe(before + 1);
    const id: string = created.subscription.subscriptionId;
    const sub = `/api/v1/subscriptions/${id}`;
    const other = `/api/v1/subscriptions/${id}x`;
    const rotated = await twice(
      'rotateSecret',
      'statistics-subscriber',
      'POST',
      `${sub}/rotate-secret`,
      { gracePeriodSeconds: 60 },
      { body: { gracePeriodSeconds: 61 } },
    );
    const plain = ok(await send('statistics-subscriber', 'POST', `${sub}/rotate-secret`, { gracePeriodSeconds: 60 }), 'plain rotate');
    expect(plain.secret).not.toBe(rotated.secret); // without a key a repeat rotates again
    await twice('pauseSubscription', 'statistics-subscriber', 'POST', `${sub}/pause`, undefined, { path: `${other}/pause` });
    await twice('resumeSubscription', 'statistics-subscriber', 'POST', `${sub}/resume`, undefined, { path: `${other}/resume` });
    await twice(
      'replay',
      'statistics-subscriber',
      'POST',
      `${sub}/replay`,
      { sinceTime: '2026-01-01T00:00:00Z' },
      { body: { sinceTime: '2026-01-02T00:00:00Z' } },
    );
    await twice('redeliver', 'statistics-subscriber', 'POST', `${sub}/redeliver`, {}, { body: { eventIds: ['00000000-0000-4000-8000-000000000000'] } });
    await twice('deleteSubscription', 'statistics-subscriber', 'DELETE', sub, undefined, { path: other });
    expect((await send('statistics-subscriber', 'DELETE', sub)).status).toBe(404); // a plain repeat: gone
    expect((await list()).length).toBe(before);
  });

  it('programme: 立项, the next stage, an expert, a batch, an application, a screening and an evaluation', async () => {
    const doc = (title: string) => ({
      title,
      uri: `https://example.gov.cn/${encodeURIComponent(title)}.pdf`,
      digest: 'ef'.repeat(32),
      digestAlgorithm: 'sha256',
    });
    const base = '/api/v1/programme';
    const proposal = {
      title: '基本公共卫生服务 幂等键规范',
      level: 'STANDARD_LEVEL_NATIONAL',
      kind: 'STANDARD_KIND_SERVICE_PROCESS_QUALITY',
      itemCodes: ['HEA-03'],
      supportingMeasures: [doc('配套措施')],
    };
    const proposed = await twice('proposeStandard', 'nhc-staff', 'POST', `${base}/standards`, proposal, { body: { ...proposal, title: '另一个标题' } });
    const standardId: string = proposed.standard.standardId;
    const plain = ok(await send('nhc-staff', 'POST', `${base}/standards`, proposal), 'plain repeat');
    expect(plain.standard.standardId).not.toBe(standardId); // without a key a repeat proposes again
    await twice(
      'advanceStandard',
      'nhc-staff',
      'POST',
      `${base}/standards/${standardId}/advance`,
      { to: 'STANDARD_STAGE_DRAFTING' },
      {
        body: { to: 'STANDARD_STAGE_WITHDRAWN' },
      },
    );
    expect((await send('nhc-staff', 'POST', `${base}/standards/${standardId}/advance`, { to: 'STANDARD_STAGE_DRAFTING' })).status).toBe(422);
    const expert = { name: '幂等专家', affiliation: 'CNIS', nationalCommittee: true, fieldCodes: [] };
    await twice('registerExpert', 'samr-officer', 'POST', `${base}/experts`, expert, { body: { ...expert, name: '另一位专家' } });
    const batchId = uniqueName('B').replace(/[^A-Za-z0-9._-]/g, '-');
    const batch = { batchId, title: '幂等键批次', applicationsClose: { year: 2099, month: 12, day: 31 } };
    await twice('openPilotBatch', 'samr-officer', 'POST', `${base}/pilot-batches`, batch, { body: { ...batch, title: '另一个批次' } });
    const application = {
      name: '北京市通州区基本公共服务标准化试点',
      type: 'PILOT_TYPE_COMPREHENSIVE',
      periodStart: '2026-07',
      periodEnd: '2028-06',
      localityCode: '110112',
      localityName: '北京市通州区',
      groundwork: '已梳理清单',
      policyAndFundingSupport: '专项经费',
      goals: '建成标准体系',
      workPlan: '两年完成五项任务',
      funding: '每年100万元',
    };
    const applied = await twice(
      'applyForPilot',
      'tongzhou-officer',
      'POST',
      `${base}/pilots`,
      { batchId, application },
      {
        body: { batchId, application: { ...application, goals: '另一个目标' } },
      },
    );
    const pilotId: string = applied.pilot.pilotId;
    const screen = { screen: { recommend: true, opinion: '同意推荐' } };
    await twice('actOnPilot', 'beijing-programme-officer', 'POST', `${base}/pilots/${pilotId}/actions`, screen, {
      body: { screen: { recommend: false, opinion: '不推荐' } },
    });
    expect((await send('beijing-programme-officer', 'POST', `${base}/pilots/${pilotId}/actions`, screen)).status).toBe(422); // screened once
    const survey = {
      kind: 'EVALUATION_KIND_SATISFACTION_SURVEY',
      itemCode: 'HEA-03',
      provinceCode: '110000',
      period: '2026',
      method: '入户问卷',
      sampleSize: 500,
      satisfactionPercent: '90.5',
      summary: '总体满意',
      documents: [doc('满意度调查报告')],
    };
    await twice('recordImplementationEvaluation', 'beijing-programme-officer', 'POST', `${base}/evaluations`, survey, {
      body: { ...survey, summary: '另一份结论' },
    });
  });

  it('editions: validate and import (issue #17; the rows are test data)', async () => {
    const v = ok(await send('nhc-staff', 'GET', '/api/v1/standards/items/HEA-06'), 'HEA-06').national;
    const row = editionRowOf(ServiceItem.fromJSON(v.item), v.placement.fieldCode, v.placement.categoryCode);
    const csv = (content: string) =>
      [templateHeader(), editionColumns.map((c) => (c.key === 'service_content' ? content : row[c.key]))]
        .map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(','))
        .join('\n');
    const file = csv('幂等键：测试数据（非官方修订）');
    const before = await proposalIds();
    const body = { format: 'csv', content: file, documentNumber: '（测试）幂等键第1号', documentDate: '2026-11-01', effectiveFrom: '2027-01-01' };
    await twice('importEdition', 'nhc-staff', 'POST', '/api/v1/editions/import', body, { body: { ...body, documentNumber: '（测试）幂等键第2号' } });
    expect((await proposalIds()).length).toBe(before.length + 1);
  });

  it('public consultation: open, comment (signed in or not), moderate (issue #17)', async () => {
    const content = ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-05', title: '幂等键：征求意见' })) as Record<string, unknown>;
    const id: string = ok(await send('nhc-staff', 'POST', '/api/v1/proposals', { content }), 'draft').proposal.proposalId;
    const period = { opensOn: todayInChina(), closesOn: todayInChina(new Date(Date.now() + 30 * 86_400_000)) };
    await twice(
      'openConsultation',
      'nhc-staff',
      'POST',
      `/api/v1/proposals/${id}/consultation`,
      { ...period, summary: '幂等键' },
      { body: { ...period, summary: '另一个' } },
    );
    const comment = await twice(
      'submitConsultationComment',
      'beijing-officer',
      'POST',
      `/api/v1/consultations/${id}/comments`,
      { text: '幂等键：意见' },
      { body: { text: '另一条意见' } },
    );
    const commentId: string = comment.commentId;
    await twice(
      'moderateConsultationComment',
      'nhc-staff',
      'POST',
      `/api/v1/proposals/${id}/consultation/comments/${commentId}/moderation`,
      { decision: 'PUBLISH' },
      { body: { decision: 'REJECT', reason: '另一个决定' } },
    );
    const shown = ok(await send('beijing-officer', 'GET', `/api/v1/consultations/${id}`), 'consultation');
    expect(JSON.stringify(shown).match(/幂等键：意见/g)).toHaveLength(1);
  });

  it('audit: verification', async () => {
    await twice('verifyLog', 'auditor', 'POST', '/api/v1/audit/verify', {}, { body: { log: 'actor:nhc.staff.li' } });
  });

  it('documents the header and 412 on every authenticated POST, PUT, PATCH and DELETE', async () => {
    const doc = ok(await send('auditor', 'GET', '/openapi.json'), 'openapi');
    const mutating: string[] = [];
    // POSTs that only read (a report on the file sent; nothing stored): no Idempotency-Key to document.
    const readOnly = ['validateEdition'];
    for (const operations of Object.values(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(operations)) {
        if (method === 'get' || (op.security ?? []).length === 0 || readOnly.includes(op.operationId)) continue;
        mutating.push(op.operationId);
        expect(
          op.parameters.some((x: any) => x.in === 'header' && x.name === 'Idempotency-Key'),
          op.operationId,
        ).toBe(true);
        expect(Object.keys(op.responses), op.operationId).toContain('412');
      }
    }
    // Exercised above, one by one, or by the same mechanism with no fixture here (named, so a new route is noticed).
    const notExercised = [
      'closeProposalWindow',
      'resolveConflict',
      'trimProposal',
      'approvePackage',
      'closeCycle',
      'delegateStep',
      'takeBackStep',
      'overruleObjection',
      'rebaseProposal',
    ];
    expect(
      [...mutating].filter((o) => !exercised.has(o) && !notExercised.includes(o)),
      'state-changing routes without a case here',
    ).toEqual([]);
    expect([...exercised, ...notExercised].filter((o) => !mutating.includes(o))).toEqual([]);
  });
});
