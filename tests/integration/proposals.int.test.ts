// The proposals service on real Kafka, MongoDB protocol and Temporal, with the real registry in-process: a
// proposal raising the basic public health service funding of a seed item (89 yuan: an EXAMPLE input), its
// fiscal estimate checked by hand, submission starting exactly one workflow, a stale base refused then rebased,
// permission by lead unit, malformed input refused with nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { type ProposalContent, ProposalState } from '../../proto/gen/bps/proposals/v1/proposal';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { proposalEvents } from '../../services/shared/events/proposals';
import { workflowTypes } from '../../workflows/contracts';
import { decide } from '../../services/proposals/domain/proposal';
import { openPayload } from '../support/temporal';
import { fundedHealthItem, healthProposal } from '../unit/proposals-fixtures';
import { startProposalsTestEnv, type ProposalsTestEnv } from './proposals-helpers';
import { refused } from '../support/grpc';

describe('proposals service', () => {
  let env: ProposalsTestEnv;
  let nhc: string;
  beforeAll(async () => {
    env = await startProposalsTestEnv('prop');
    nhc = await env.token('nhc-staff');
  });
  afterAll(async () => env?.stop());

  const create = (content: ProposalContent, token = nhc) => unary(env.client.createProposal.bind(env.client), { content }, token);
  const get = (proposalId: string, revision = 0) => unary(env.client.getProposal.bind(env.client), { proposalId, revision }, nhc);
  const submit = (proposalId: string, expectedRevision: number, token = nhc) =>
    unary(env.client.submitProposal.bind(env.client), { proposalId, expectedRevision }, token);

  it('drafts HEA-01 at 89 yuan (example), estimates it by hand, submits once and starts exactly one workflow', async () => {
    const { proposal } = await create(healthProposal({ itemCode: 'HEA-01' }));
    expect(proposal?.proposalId).toMatch(new RegExp(`^P-20\\d\\d-NHC-0001\\.${env.namespace}$`));
    expect(proposal).toMatchObject({
      state: ProposalState.PROPOSAL_STATE_DRAFT,
      revision: 1,
      currentRevision: 1,
      leadMinistry: 'NHC',
      coProposers: ['NDRC', 'MOF'],
      itemCodes: ['HEA-01'],
      fieldCodes: ['F21-HEALTH'],
    });
    expect(proposal?.draftedBy).toEqual({ subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] });
    const id = proposal!.proposalId;

    // By hand (example inputs): HEA-01's funding is the level of package BPHS (40 yuan in force, issue #17), so the
    // increase is priced: 1,360,000,000 people x 4,900 fen = 6,664,000,000,000 fen a year (66.64 bn yuan);
    // central = 560e6x4,900x30% + 420e6x4,900x60% + 380e6x4,900x80% = 3,547,600,000,000 fen; over 2027-2029 x3.
    const { estimate } = await unary(env.client.computeFiscalEstimate.bind(env.client), { source: { $case: 'proposalId', proposalId: id }, revision: 0 }, nhc);
    expect(estimate?.problems).toEqual([]);
    expect(estimate?.annualTotal?.fen).toBe('6664000000000');
    expect(estimate?.lines[0]).toMatchObject({
      itemCode: 'HEA-01',
      unitLevel: '89',
      coveredPopulation: '1360000000',
      centralAnnual: { fen: '3547600000000' },
      localAnnual: { fen: '3116400000000' },
    });
    expect(estimate?.years.map((y) => [y.year, y.central?.fen, y.local?.fen])).toEqual([
      [2027, '3547600000000', '3116400000000'],
      [2028, '3547600000000', '3116400000000'],
      [2029, '3547600000000', '3116400000000'],
    ]);
    expect([estimate?.total?.fen, estimate?.centralTotal?.fen, estimate?.localTotal?.fen]).toEqual(['19992000000000', '10642800000000', '9349200000000']);

    const validation = await unary(env.client.validateProposal.bind(env.client), { proposalId: id }, nhc);
    expect(validation).toMatchObject({ ok: true, violations: [] });

    const first = await submit(id, 1);
    expect(first.proposal).toMatchObject({ state: ProposalState.PROPOSAL_STATE_IN_REVIEW, submittedRevision: 1, round: 1, workflowId: id });
    expect(first.proposal?.submittedFiscalEstimate?.total?.fen).toBe('19992000000000');
    const again = await submit(id, 1);
    expect(again.proposal?.state).toBe(ProposalState.PROPOSAL_STATE_IN_REVIEW);

    const handle = env.temporal.workflow.getHandle(id);
    const described = await handle.describe();
    expect(described).toMatchObject({ type: workflowTypes.adHocRevision, taskQueue: env.taskQueue, status: { name: 'RUNNING' } });
    await expect.poll(() => env.workflowCount(id), { timeout: 20_000, interval: 300 }).toBe(1);
    const history = await handle.fetchHistory();
    const input = await openPayload(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0], id);
    expect(input).toMatchObject({
      proposalId: id,
      proposalRevision: 1,
      kind: 'AD_HOC',
      leadMinistry: 'NHC',
      itemCodes: ['HEA-01'],
      fieldCodes: ['F21-HEALTH'],
      effectiveFrom: '2027-01-01',
      fiscalTotals: { totalFen: '19992000000000', centralFen: '10642800000000', localFen: '9349200000000' },
      changeSet: { kind: 'RELEASE_KIND_AMENDMENT', changes: [{ modifyItem: { base: { itemCode: 'HEA-01', version: 1 } } }] },
    });

    // Submitted proposals are frozen.
    const frozen = await refused(
      unary(env.client.updateDraft.bind(env.client), { proposalId: id, expectedRevision: 1, content: healthProposal({ level: '95' }) }, nhc),
    );
    expect(frozen.code).toBe(grpc.status.FAILED_PRECONDITION);

    // Every transition reached bps.proposals.v1 with its actor; the submission carries the full snapshot.
    await expect.poll(() => env.eventsOf(proposalEvents.reviewStarted, id).length, { timeout: 20_000 }).toBe(1);
    expect(env.eventsOf(proposalEvents.created, id)[0]?.actor?.subject).toBe('nhc.staff.li');
    const [submitted] = env.eventsOf(proposalEvents.submitted, id);
    expect(submitted).toMatchObject({
      proposalId: id,
      round: 1,
      leadMinistry: 'NHC',
      coProposers: ['NDRC', 'MOF'],
      actor: { subject: 'nhc.staff.li', organisation: 'NHC' },
    });
    expect(submitted?.revision?.content?.justification?.fiscalCapacity).toBe('中央和地方财政可承受（测试）');
    expect(submitted?.revision?.content?.justification?.demandSurvey?.documents[0]?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(submitted?.fiscalEstimate?.annualTotal?.fen).toBe('6664000000000');
    expect(env.eventsOf(proposalEvents.submitted, id)).toHaveLength(1); // the repeated submit added nothing

    const listed = await unary(
      env.client.listProposals.bind(env.client),
      { leadMinistry: 'NHC', fieldCode: 'F21-HEALTH', kind: 0, state: ProposalState.PROPOSAL_STATE_IN_REVIEW, cycleId: '', pageSize: 0, pageToken: '' },
      nhc,
    );
    expect(listed.proposals.map((p) => p.proposalId)).toContain(id);
  });

  it('refuses a stale base with FAILED_PRECONDITION listing the item, then rebases and submits', async () => {
    const { proposal } = await create(healthProposal({ itemCode: 'HEA-02' }));
    const id = proposal!.proposalId;
    // Meanwhile another change to HEA-02 is published: version 2 is in force.
    const outcome = await env.publishInRegistry({
      changeSetId: `${env.namespace}-other-hea02`,
      kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
      title: '健康教育标准调整（测试）',
      effectiveFrom: { year: 2025, month: 1, day: 1 },
      changes: [
        {
          changeId: 'x1',
          change: {
            $case: 'modifyItem',
            modifyItem: { base: { itemCode: 'HEA-02', version: 1 }, item: fundedHealthItem('HEA-02', '60'), lowersFloor: false, loweringJustification: '' },
          },
        },
      ],
      fieldCodes: ['F17-HEA'],
    });
    expect(outcome).toBe('published');

    const stale = await refused(submit(id, 1));
    expect(stale.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(decodeStatus(stale).preconditionViolations).toEqual([
      { type: 'STALE_BASE', subject: 'HEA-02', description: 'c1: made against version 1 but version 2 is in force; rebase the proposal' },
    ]);
    const dryRun = await unary(env.client.validateProposal.bind(env.client), { proposalId: id }, nhc);
    expect(dryRun.ok).toBe(false);
    expect(dryRun.violations.map((v) => [v.type, v.subject])).toEqual([['STALE_BASE', 'HEA-02']]);
    expect((await get(id)).proposal?.state).toBe(ProposalState.PROPOSAL_STATE_DRAFT); // nothing changed

    const rebased = await unary(env.client.rebaseProposal.bind(env.client), { proposalId: id, expectedRevision: 1 }, nhc);
    expect(rebased.moved).toEqual([{ itemCode: 'HEA-02', fromVersion: 1, toVersion: 2 }]);
    expect(rebased.proposal).toMatchObject({ revision: 2, currentRevision: 2 });
    expect(rebased.proposal?.content?.changes[0]?.change).toMatchObject({ modifyItem: { base: { itemCode: 'HEA-02', version: 2 } } });
    expect((await get(id, 1)).proposal?.content?.changes[0]?.change).toMatchObject({ modifyItem: { base: { version: 1 } } });

    const ok = await submit(id, 2);
    expect(ok.proposal).toMatchObject({ state: ProposalState.PROPOSAL_STATE_IN_REVIEW, submittedRevision: 2 });
    await expect.poll(() => env.workflowCount(id), { timeout: 20_000, interval: 300 }).toBe(1);
  });

  it('lets only staff of the lead unit draft: MOE staff and an NHC approver get PERMISSION_DENIED', async () => {
    const moe = await env.token('moe-staff');
    const denied = await refused(create(healthProposal({ itemCode: 'HEA-04' }), moe));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(decodeStatus(denied).reason).toBe('NOT_LEAD_UNIT');
    expect(denied.details).toMatch(/MOE does not lead HEA-04 \(lead unit NHC\)/);
    const approver = await refused(create(healthProposal({ itemCode: 'HEA-04' }), await env.token('nhc-approver')));
    expect(approver.code).toBe(grpc.status.PERMISSION_DENIED);

    const { proposal } = await create(healthProposal({ itemCode: 'HEA-04' }));
    const foreignEdit = await refused(
      unary(
        env.client.updateDraft.bind(env.client),
        { proposalId: proposal!.proposalId, expectedRevision: 1, content: healthProposal({ itemCode: 'HEA-04', level: '95' }) },
        moe,
      ),
    );
    // MOE is no party of NHC's proposal: for it the proposal does not exist (issue #14, object-level reads).
    expect(foreignEdit.code).toBe(grpc.status.NOT_FOUND);
    const foreignSubmit = await refused(submit(proposal!.proposalId, 1, moe));
    expect(foreignSubmit.code).toBe(grpc.status.NOT_FOUND);
    // NHC's approver reads it but may not act as its drafter.
    const approverSubmit = await refused(submit(proposal!.proposalId, 1, await env.token('nhc-approver')));
    expect(approverSubmit.code).toBe(grpc.status.PERMISSION_DENIED);
    const moeList = await unary(
      env.client.listProposals.bind(env.client),
      { leadMinistry: 'MOE', fieldCode: '', kind: 0, state: 0, cycleId: '', pageSize: 0, pageToken: '' },
      moe,
    );
    expect(moeList.proposals).toEqual([]);
  });

  it('refuses malformed input with field violations and stores nothing; a stale edit is ABORTED with the current revision', async () => {
    const before = await env.proposals.store.events.countDocuments();
    const bad = healthProposal({ itemCode: 'HEA-06' });
    bad.title = '';
    bad.fiscal!.lines[0]!.populations[0]!.coveredPopulation = '-5'; // int64 on the wire: only the sign can be wrong
    bad.fiscal!.lines[0]!.override = { annualFen: '1', reason: '' };
    const invalid = await refused(create(bad));
    expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(decodeStatus(invalid).fieldViolations.map((v) => v.field)).toEqual(
      expect.arrayContaining(['content.title', 'content.fiscal.lines[0].populations[0].covered_population', 'content.fiscal.lines[0].override.reason']),
    );
    const missing = await refused(unary(env.client.createProposal.bind(env.client), { content: undefined }, nhc));
    expect(decodeStatus(missing).fieldViolations).toEqual([{ field: 'content', description: 'is required', reason: '' }]);
    const unknownItem = await refused(create(healthProposal({ itemCode: 'HEA-99' })));
    expect(unknownItem.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await env.proposals.store.events.countDocuments()).toBe(before);

    const { proposal } = await create(healthProposal({ itemCode: 'HEA-06' }));
    const id = proposal!.proposalId;
    const v2 = await unary(
      env.client.updateDraft.bind(env.client),
      { proposalId: id, expectedRevision: 1, content: healthProposal({ itemCode: 'HEA-06', level: '90' }) },
      nhc,
    );
    expect(v2.proposal?.currentRevision).toBe(2);
    const stale = await refused(
      unary(
        env.client.updateDraft.bind(env.client),
        { proposalId: id, expectedRevision: 1, content: healthProposal({ itemCode: 'HEA-06', level: '91' }) },
        nhc,
      ),
    );
    expect(stale.code).toBe(grpc.status.ABORTED);
    expect(decodeStatus(stale).metadata['currentRevision']).toBe('2');
    const badEdit = await refused(
      unary(
        env.client.updateDraft.bind(env.client),
        { proposalId: id, expectedRevision: 2, content: { ...healthProposal({ itemCode: 'HEA-06' }), effectiveFrom: { year: 2027, month: 13, day: 1 } } },
        nhc,
      ),
    );
    expect(decodeStatus(badEdit).fieldViolations.map((v) => v.field)).toEqual(['content.effective_from']);
    const current = (await get(id)).proposal;
    expect(current?.currentRevision).toBe(2);
    expect(current?.content?.changes[0]?.change).toMatchObject({ modifyItem: { item: { qualityStandard: { metrics: [{ value: '90' }] } } } });
    const notFound = await refused(get('P-1999-NHC-9999'));
    expect(notFound.code).toBe(grpc.status.NOT_FOUND);
  });

  it('after a crash between the submitted event and the workflow start, a restart hands the revision to its workflow', async () => {
    const { proposal } = await create(healthProposal({ itemCode: 'HEA-11' }));
    const id = proposal!.proposalId;
    // The "process" records the submission, then dies before Temporal is called and before projecting it.
    const store = env.proposals.store;
    const state = (await store.load(id))!;
    const estimate = (await unary(env.client.computeFiscalEstimate.bind(env.client), { source: { $case: 'proposalId', proposalId: id }, revision: 0 }, nhc))
      .estimate!;
    const decision = decide(state, { kind: 'submit', revision: 1, fiscalEstimate: estimate, conflictsWith: [], workflowId: id, actor: state.draftedBy });
    if (!decision.ok) throw new Error(decision.refusal.message);
    await store.append(id, state.sequence, decision.events, new Date());
    expect((await get(id)).proposal?.state).toBe(ProposalState.PROPOSAL_STATE_SUBMITTED);
    const lagging = await unary(
      env.client.listProposals.bind(env.client),
      { leadMinistry: 'NHC', fieldCode: '', kind: 0, state: ProposalState.PROPOSAL_STATE_SUBMITTED, cycleId: '', pageSize: 0, pageToken: '' },
      nhc,
    );
    expect(lagging.proposals.map((p) => p.proposalId)).not.toContain(id); // the list projection lags

    await env.restartProposals();
    expect((await get(id)).proposal?.state).toBe(ProposalState.PROPOSAL_STATE_IN_REVIEW);
    await expect.poll(() => env.workflowCount(id), { timeout: 20_000, interval: 300 }).toBe(1);
    const listed = await unary(
      env.client.listProposals.bind(env.client),
      { leadMinistry: 'NHC', fieldCode: '', kind: 0, state: ProposalState.PROPOSAL_STATE_IN_REVIEW, cycleId: '', pageSize: 0, pageToken: '' },
      nhc,
    );
    expect(listed.proposals.map((p) => p.proposalId)).toContain(id);
  });
});
