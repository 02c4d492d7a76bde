// Realistic platform events for the audit tests: an ad-hoc revision of one item from draft to publication and
// delivery, built from the real proto messages where they exist, and documented CloudEvents types otherwise
// (the proposals family: bps.proposal.*). Each event is published and then awaited in the audit's global log,
// so arrival order (and so trace order) is the order written here.
import { randomUUID } from 'node:crypto';
import {
  ChangeSetApproved,
  Decision,
  ObjectionRaised,
  Position,
  ProposalDecided,
  SignOffRefused,
  StepDelegated,
  StepEscalated,
  StepSignedOff,
} from '../../proto/gen/bps/approvals/v1/events';
import { ProposalCreated, ProposalDecisionRecorded, ProposalReviewStarted, ProposalRevised, ProposalSubmitted } from '../../proto/gen/bps/proposals/v1/events';
import { AdHocTrigger, ProposalKind } from '../../proto/gen/bps/proposals/v1/proposal';
import { proposalEvents } from '../../services/shared/events/proposals';
import { NotificationDelivered } from '../../proto/gen/bps/notifications/v1/events';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { ChangeType, VersionPublished } from '../../proto/gen/bps/standards/v1/events';
import { personas } from '../../services/shared/auth/personas';
import { approvalEvents } from '../../services/shared/events/approvals';
import { topicName, topics, type EventDefinition } from '../../services/shared/events/catalog';
import { notificationEvents } from '../../services/shared/events/notifications';
import { standardEvents } from '../../services/shared/events/standards';
import type { CloudEvent } from '../../services/shared/kafka/cloudevents';
import { ownerSource } from '../support/kafka';
import { newEvent, ProcessedEvents, type EventProducer } from '../../services/shared/kafka/kafka';
import { isStandardChanging } from '../../services/shared/events/decision-signature';
import { signedEvent } from '../support/decisions';
import { waitUntil } from '../support/wait';
import { injectTraceContext } from '../../services/shared/telemetry/otel';
import type { RunningAudit } from '../../services/audit/app';

// Approval step events, as catalogued by the approvals service.
export const stepEvents = {
  signed: approvalEvents.stepSignedOff,
  refused: approvalEvents.signOffRefused,
  objection: approvalEvents.objectionRaised,
  escalated: approvalEvents.stepEscalated,
  delegated: approvalEvents.stepDelegated,
  claimed: approvalEvents.stepClaimed,
} as const;

export type Published = CloudEvent & { topic: string };

/** Whether the audit consumer has finished with this event (an _id lookup: cheap on FerretDB). */
export async function recorded(app: RunningAudit, event: CloudEvent): Promise<boolean> {
  return (await app.db.collection<{ _id: string }>('processed_events').findOne({ _id: ProcessedEvents.key(app.consumerGroup, event) })) !== null;
}

const actorOf = (p: keyof typeof personas) => ({ subject: personas[p].subject, organisation: personas[p].organisation, roles: [...personas[p].roles] });
export const actors = {
  nhcStaff: actorOf('nhc-staff'),
  nhcApprover: actorOf('nhc-approver'),
  ndrcApprover: actorOf('ndrc-approver'),
  mofApprover: actorOf('mof-approver'),
  finalApprover: actorOf('final-approver'),
  ndrcDeputy: { subject: 'ndrc.approver.wu', organisation: 'NDRC', roles: ['approver'] },
  system: { subject: 'system:approvals', organisation: 'BPS', roles: [] as string[] },
};

export class Emitter {
  private clock: number;
  readonly sent: Published[] = [];
  constructor(
    private readonly producer: Pick<EventProducer, 'publish'>,
    private readonly app: RunningAudit,
    private readonly namespace: string,
    start = Date.parse('2026-03-02T01:00:00.000Z'),
  ) {
    this.clock = start;
  }

  private nextTime(): Date {
    this.clock += 3_600_000;
    return new Date(this.clock);
  }

  /** A catalogued event built with the real proto message. */
  typed<T>(definition: EventDefinition<T>, payload: T, key: string, subject?: string): Published {
    return newEvent(definition, payload, { source: ownerSource(definition.topic), key, subject, time: this.nextTime(), topicNamespace: this.namespace });
  }

  /** A hand-made CloudEvent (JSON data, key = proposal id), for event families with no catalogued type. */
  proposal(type: string, proposalId: string, data: Record<string, unknown>): Published {
    const trace = injectTraceContext();
    return {
      topic: topicName(topics.proposals, this.namespace),
      specversion: '1.0',
      id: randomUUID(),
      type,
      source: '/bps/proposals',
      subject: `proposals/${proposalId}`,
      time: this.nextTime().toISOString(),
      datacontenttype: 'application/json',
      data: Buffer.from(JSON.stringify({ proposalId, ...data }), 'utf8'),
      key: proposalId,
      traceparent: trace['traceparent'],
      tracestate: trace['tracestate'],
    };
  }

  /** Publishes and waits until the audit service has recorded it in every log (it then marks the ce_id processed). */
  async send(unsigned: Published): Promise<Published> {
    const event = isStandardChanging(unsigned.type) ? await signedEvent(unsigned) : unsigned; // as the approvals service does
    await this.producer.publish([event]);
    await waitUntil(() => recorded(this.app, event), `event ${event.type} recorded`);
    this.sent.push(event);
    return event;
  }
}

export const P1 = 'P-2026-HEA-0001';
export const CS1 = 'CS-2026-HEA-0001';
export const R1 = 'R-2026-A01';

export const step = (stepId: string, organisation: string, round = 1, stageId = 'countersign') => ({
  proposalId: P1,
  workflowId: P1,
  round,
  stageId,
  stepId,
  role: 'approver',
  organisation,
  routeVersion: 'adhoc-v1',
});

/** The ad-hoc revision of HEA-01 (basic public health service funding 89 → 94 yuan per person per year). */
export async function adHocRevision(emit: Emitter): Promise<Published[]> {
  const changeSet = {
    changeSetId: CS1,
    kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
    title: '病有所医领域标准调整（2026年第1号）',
    effectiveFrom: { year: 2026, month: 7, day: 1 },
    fieldCodes: ['HEALTH'],
    provenance: {
      proposalIds: [P1],
      proposalRevisions: [2],
      workflowId: P1,
      workflowRunId: 'run-1',
      approvalRouteVersion: 'adhoc-v1',
      approvedBy: actors.finalApprover,
    },
  };
  const revision = (n: number, level: string) => ({
    revision: n,
    itemCodes: ['HEA-01'],
    fieldCodes: ['HEALTH'],
    content: {
      title: '提高基本公共卫生服务经费补助标准',
      kind: ProposalKind.PROPOSAL_KIND_AD_HOC,
      trigger: AdHocTrigger.AD_HOC_TRIGGER_MAJOR_POLICY,
      changes: [
        {
          changeId: 'c1',
          change: {
            $case: 'modifyItem' as const,
            modifyItem: {
              base: { itemCode: 'HEA-01', version: 1 },
              item: { itemCode: 'HEA-01', name: '基本公共卫生服务', qualityStandard: { text: `人均基本公共卫生服务经费补助标准${level}元`, stated: true } },
            },
          },
        },
      ],
      justification: {
        economicSocialDevelopment: '经济社会发展水平稳步提高',
        urbanRuralIncomeGrowth: '城乡居民收入持续增长',
        sectorNeeds: '慢病管理需求上升',
        fiscalCapacity: '中央和地方财政可承受',
        technicalInnovation: '家庭医生签约信息化',
      },
      evidence: [{ title: '基本公共卫生服务需求调查报告', uri: 'bps://evidence/survey-2026.pdf', digest: 'ab'.repeat(32), digestAlgorithm: 'sm3' }],
      effectiveFrom: changeSet.effectiveFrom,
    },
  });
  const money = (fen: string) => ({ currency: 'CNY', fen });
  const fiscalEstimate = (total: string) => ({
    annualTotal: money(total),
    total: money(total),
    centralTotal: money(String((BigInt(total) * 6n) / 10n)),
    localTotal: money(String((BigInt(total) * 4n) / 10n)),
    affordabilityAssessment: '在中央和地方财政承受能力范围内',
  });
  const events: Published[] = [];
  const send = async (e: Published) => {
    events.push(await emit.send(e));
  };
  await send(
    emit.typed(
      proposalEvents.created,
      ProposalCreated.fromPartial({ proposalId: P1, revision: revision(1, '94'), leadMinistry: 'NHC', coProposers: ['NDRC', 'MOF'], actor: actors.nhcStaff }),
      P1,
      `proposals/${P1}`,
    ),
  );
  await send(
    emit.typed(
      proposalEvents.submitted,
      ProposalSubmitted.fromPartial({
        proposalId: P1,
        revision: revision(1, '94'),
        fiscalEstimate: fiscalEstimate('700000000000'),
        conflictsWith: [{ proposalId: 'P-2026-OTHER', itemCodes: ['HEA-01'] }],
        workflowId: P1,
        round: 1,
        leadMinistry: 'NHC',
        actor: actors.nhcStaff,
      }),
      P1,
      `proposals/${P1}`,
    ),
  );
  await send(
    emit.typed(
      proposalEvents.reviewStarted,
      ProposalReviewStarted.fromPartial({ proposalId: P1, revision: 1, round: 1, workflowId: P1, workflowRunId: 'run-1', actor: actors.nhcStaff }),
      P1,
      `proposals/${P1}`,
    ),
  );
  await send(
    emit.typed(
      stepEvents.signed,
      StepSignedOff.fromPartial({ step: step('nhc', 'NHC'), position: Position.POSITION_APPROVE, comment: '同意', actor: actors.nhcApprover }),
      P1,
    ),
  );
  await send(
    emit.typed(
      stepEvents.refused,
      SignOffRefused.fromPartial({
        proposalId: P1,
        stepId: 'nhc',
        position: Position.POSITION_APPROVE,
        reason: 'SELF_APPROVAL',
        message: 'the proposer may not sign their own proposal',
        actor: actors.nhcStaff,
      }),
      P1,
    ),
  );
  await send(
    emit.typed(
      stepEvents.objection,
      ObjectionRaised.fromPartial({ step: step('mof', 'MOF'), reason: '财政测算依据不足，请补充分地区测算', actor: actors.mofApprover }),
      P1,
    ),
  );
  await send(
    emit.typed(
      approvalEvents.proposalDecided,
      ProposalDecided.fromPartial({
        proposalId: P1,
        proposalRevision: 1,
        workflowId: P1,
        round: 1,
        decision: Decision.DECISION_RETURNED_FOR_REVISION,
        comment: '退回修改：补充分地区财政测算',
        actor: actors.mofApprover,
      }),
      P1,
    ),
  );
  await send(
    emit.typed(
      proposalEvents.returned,
      ProposalDecisionRecorded.fromPartial({
        proposalId: P1,
        revision: 1,
        round: 1,
        workflowId: P1,
        comment: '退回修改：补充分地区财政测算',
        actor: actors.mofApprover,
        sourceEventId: events[events.length - 1]!.id,
      }),
      P1,
      `proposals/${P1}`,
    ),
  );
  await send(
    emit.typed(
      proposalEvents.revised,
      ProposalRevised.fromPartial({ proposalId: P1, revision: revision(2, '94'), actor: actors.nhcStaff }),
      P1,
      `proposals/${P1}`,
    ),
  );
  await send(
    emit.typed(
      proposalEvents.resubmitted,
      ProposalSubmitted.fromPartial({
        proposalId: P1,
        revision: revision(2, '94'),
        fiscalEstimate: fiscalEstimate('720000000000'),
        workflowId: P1,
        round: 2,
        leadMinistry: 'NHC',
        actor: actors.nhcStaff,
      }),
      P1,
      `proposals/${P1}`,
    ),
  );
  await send(
    emit.typed(
      stepEvents.escalated,
      StepEscalated.fromPartial({ step: step('ndrc', 'NDRC', 2), escalationRole: 'approver', escalationOrganisation: 'NDRC', actor: actors.system }),
      P1,
    ),
  );
  await send(
    emit.typed(
      stepEvents.delegated,
      StepDelegated.fromPartial({ step: step('ndrc', 'NDRC', 2), delegate: actors.ndrcDeputy.subject, actor: actors.ndrcApprover }),
      P1,
    ),
  );
  await send(
    emit.typed(
      stepEvents.signed,
      StepSignedOff.fromPartial({ step: step('ndrc', 'NDRC', 2), position: Position.POSITION_APPROVE, asDelegate: true, actor: actors.ndrcDeputy }),
      P1,
    ),
  );
  await send(
    emit.typed(
      stepEvents.signed,
      StepSignedOff.fromPartial({ step: step('mof', 'MOF', 2), position: Position.POSITION_APPROVE, comment: '测算已补充，同意', actor: actors.mofApprover }),
      P1,
    ),
  );
  await send(
    emit.typed(
      stepEvents.signed,
      StepSignedOff.fromPartial({ step: step('final', 'SCO', 2, 'final'), position: Position.POSITION_APPROVE, actor: actors.finalApprover }),
      P1,
    ),
  );
  await send(
    emit.typed(
      approvalEvents.proposalDecided,
      ProposalDecided.fromPartial({
        proposalId: P1,
        proposalRevision: 2,
        workflowId: P1,
        round: 2,
        decision: Decision.DECISION_APPROVED,
        actor: actors.finalApprover,
      }),
      P1,
    ),
  );
  await send(
    emit.typed(
      proposalEvents.approved,
      ProposalDecisionRecorded.fromPartial({
        proposalId: P1,
        revision: 2,
        round: 2,
        workflowId: P1,
        actor: actors.finalApprover,
        sourceEventId: events[events.length - 1]!.id,
      }),
      P1,
      `proposals/${P1}`,
    ),
  );
  await send(emit.typed(approvalEvents.changeSetApproved, ChangeSetApproved.fromPartial({ changeSet, actor: actors.finalApprover }), CS1));
  await send(
    emit.typed(
      standardEvents.versionPublished,
      VersionPublished.fromPartial({
        releaseId: R1,
        kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
        title: changeSet.title,
        effectiveFrom: changeSet.effectiveFrom,
        changeSetId: CS1,
        itemVersions: [{ itemCode: 'HEA-01', version: 2, name: '基本公共卫生服务', fieldCode: 'HEALTH', changeType: ChangeType.CHANGE_TYPE_MODIFIED }],
        provenance: changeSet.provenance,
        fieldCodes: ['HEALTH'],
      }),
      R1,
      `releases/${R1}`,
    ),
  );
  const published = events[events.length - 1]!;
  for (const [subscriptionId, organisation] of [
    ['S-NBS', 'NBS'],
    ['S-BJ', '110000'],
  ] as const) {
    await send(
      emit.typed(
        notificationEvents.delivered,
        NotificationDelivered.fromPartial({
          subscriptionId,
          subscriberOrganisation: organisation,
          eventId: published.id,
          eventType: 'bps.standard.version.published',
          subject: `releases/${R1}`,
          releaseId: R1,
          attempt: 1,
          statusCode: 204,
          endpointUrl: `https://${organisation.toLowerCase()}.example/hooks/bps`,
          latencyMs: 12,
        }),
        subscriptionId,
      ),
    );
  }
  return events;
}
