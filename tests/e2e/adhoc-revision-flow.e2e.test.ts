// The whole ad-hoc revision, across every service on the real stack: a 国家卫生健康委 staff member submits a
// proposal raising a basic public health service level; the lead ministry, NDRC and Finance countersign and the
// final approver approves in their inboxes; the registry publishes the new version with its effective date; a
// subscriber's webhook receives the publication (signature verified); the proposal follows the outcome; and the
// audit trail traces the published version back to the proposal, every sign-off and the delivery — all in one
// OpenTelemetry trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { AuditClient } from '../../proto/gen/bps/audit/v1/audit';
import { SubscriptionsClient } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { ProposalState } from '../../proto/gen/bps/proposals/v1/proposal';
import { ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import type { PersonaName } from '../../services/shared/auth/personas';
import { decodeStatus } from '../../services/shared/grpc/status';
import { unary } from '../../services/shared/grpc/client';
import { healthProposal } from '../unit/proposals-fixtures';
import { tokenFor } from '../support/identity';

import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { initTelemetry } from '../../services/shared/telemetry/otel';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks';
import { refused } from '../support/grpc';
initTelemetry({ serviceName: 'e2e', exporter: new InMemorySpanExporter() });
const token = (p: PersonaName) => tokenFor(p);
const insecure = grpc.credentials.createInsecure();

describe('ad-hoc field revision, end to end', () => {
  let p: StartedPlatform<'registry' | 'proposals' | 'approvals' | 'notifications' | 'audit'>;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [p, receiver] = await Promise.all([
      startPlatform('e2e', { services: ['registry', 'proposals', 'approvals', 'notifications', 'audit'] }),
      startWebhookReceiver(),
    ]);
  }, 240_000);

  afterAll(async () => {
    await receiver?.stop();
    await p?.stop();
  }, 120_000);

  it('submits, countersigns, approves, publishes, notifies and traces', async () => {
    const registryClient = new StandardRegistryClient(p.address('registry'), insecure);
    const proposalsClient = new ProposalsClient(p.address('proposals'), insecure);
    const inbox = new ApprovalInboxClient(p.address('approvals'), insecure);
    const subscriptions = new SubscriptionsClient(p.address('notifications'), insecure);
    const auditClient = new AuditClient(p.address('audit'), insecure);

    // A downstream statistics system subscribes to publications.
    const created = await unary(
      subscriptions.createSubscription.bind(subscriptions),
      {
        endpointUrl: receiver.url,
        description: '国家统计局数据系统',
        filter: { eventTypes: ['bps.standard.version.published'], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 0 },
      },
      await token('statistics-subscriber'),
    );
    receiver.secrets = [created.secret];

    // 国家卫生健康委 drafts and submits (HEA-01, example level 89 yuan per person per year from 2027-01-01).
    const nhc = await token('nhc-staff');
    const draft = (await unary(proposalsClient.createProposal.bind(proposalsClient), { content: healthProposal({ itemCode: 'HEA-01' }) }, nhc)).proposal!;
    const proposalId = draft.proposalId;
    await unary(proposalsClient.submitProposal.bind(proposalsClient), { proposalId, expectedRevision: draft.revision }, nhc);

    // The proposer may not sign its own proposal: refused synchronously, with the reason.
    const openFor = async (p: PersonaName) => {
      const t = await token(p);
      const listSteps = async () =>
        (await unary(inbox.listMyOpenSteps.bind(inbox), { fieldCode: '', kind: '', cycleId: '', dueBefore: undefined, overdueOnly: false }, t)).items.filter(
          (i) => i.proposal?.proposalId === proposalId,
        );
      let items: Awaited<ReturnType<typeof listSteps>> = [];
      await expect.poll(async () => (items = await listSteps()).length, { timeout: 30_000, interval: 300 }).toBeGreaterThan(0);
      return { t, step: items[0]!.step! };
    };
    const nhcApprover = await openFor('nhc-approver');
    const selfApproval = await refused(
      unary(inbox.signOff.bind(inbox), { proposalId, stepId: nhcApprover.step.stepId, position: Position.POSITION_APPROVE, comment: '' }, nhc),
    );
    expect((selfApproval as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(decodeStatus(selfApproval as grpc.ServiceError).message).not.toBe('');

    // 会签: lead ministry, NDRC and Finance in parallel; then final approval.
    for (const who of ['nhc-approver', 'ndrc-approver', 'mof-approver'] as const) {
      const { t, step } = who === 'nhc-approver' ? nhcApprover : await openFor(who);
      await unary(inbox.signOff.bind(inbox), { proposalId, stepId: step.stepId, position: Position.POSITION_APPROVE, comment: `${who} 同意` }, t);
    }
    const final = await openFor('final-approver');
    await unary(inbox.signOff.bind(inbox), { proposalId, stepId: final.step.stepId, position: Position.POSITION_APPROVE, comment: '批准' }, final.t);

    // The registry publishes HEA-01 version 2, in force from its effective date and not before.
    const reader = await token('auditor');
    const asOf = (year: number, month: number, day: number) =>
      unary(
        registryClient.getItem.bind(registryClient),
        { itemCode: 'HEA-01', asOf: { date: { year, month, day }, knownAt: undefined }, provinceCode: '' },
        reader,
      );
    await expect.poll(async () => (await asOf(2027, 1, 1)).national?.version, { timeout: 30_000, interval: 300 }).toBe(2);
    const after = (await asOf(2027, 1, 1)).national!;
    expect(after.item?.qualityStandard?.metrics[0]).toMatchObject({ metric: 'funding_per_capita', value: '89', unit: 'CNY' });
    expect(after.provenance?.proposalIds).toEqual([proposalId]);
    expect((await asOf(2026, 12, 31)).national?.version).toBe(1);

    // The proposal follows the outcome.
    await expect
      .poll(async () => (await unary(proposalsClient.getProposal.bind(proposalsClient), { proposalId, revision: 0 }, nhc)).proposal?.state, {
        timeout: 30_000,
        interval: 300,
      })
      .toBe(ProposalState.PROPOSAL_STATE_APPROVED);

    // The subscriber's webhook received the publication, signed.
    const delivery = await receiver.waitFor((r) => r.type === 'bps.standard.version.published', 'the publication at the subscriber');
    expect(delivery.verifiedWith).toEqual([0]); // signed with the subscription's secret (Standard Webhooks)
    expect(JSON.stringify(delivery.event.data)).toContain('HEA-01');

    // The audit trail traces version 2 back to the proposal, every sign-off with its signer, and the delivery.
    let steps: { eventType: string; actor?: { subject: string } | undefined; traceId: string }[] = [];
    await expect
      .poll(
        async () => {
          const trace = await unary(auditClient.traceItemVersion.bind(auditClient), { itemCode: 'HEA-01', version: 2 }, reader);
          steps = trace.trace?.steps ?? [];
          return steps.some((st) => st.eventType.startsWith('bps.notification.'));
        },
        { timeout: 45_000, interval: 500 },
      )
      .toBe(true);
    const types = steps.map((st) => st.eventType);
    expect(types).toContain('bps.proposal.submitted');
    expect(types).toContain('bps.approval.changeset.approved');
    expect(types).toContain('bps.standard.version.published');
    const signers = steps.filter((st) => st.actor?.subject).map((st) => st.actor!.subject);
    for (const who of ['nhc.staff.li', 'nhc.approver.zhao', 'ndrc.approver.chen', 'mof.approver.sun', 'sco.final.zhou']) expect(signers).toContain(who);

    // One OpenTelemetry trace: the submit call → the approval workflow's activity → the registry's publication →
    // the webhook delivery (each audit entry records the trace id of its event).
    const traceOf = (type: string) => steps.find((st) => st.eventType === type)?.traceId;
    const submitTrace = traceOf('bps.proposal.submitted');
    expect(submitTrace).toMatch(/^[0-9a-f]{32}$/);
    expect({
      approved: traceOf('bps.approval.changeset.approved'),
      published: traceOf('bps.standard.version.published'),
      delivered: traceOf('bps.notification.delivered'),
    }).toEqual({ approved: submitTrace, published: submitTrace, delivered: submitTrace });

    for (const c of [registryClient, proposalsClient, inbox, subscriptions, auditClient]) c.close();
  }, 180_000);
});
