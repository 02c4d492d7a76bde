// What the audit service reads out of real platform events without knowing their schemas.
import { describe, expect, it } from 'vitest';
import { ChangeSetApproved, ProposalDecided, Decision, StepSignedOff, Position } from '../../proto/gen/bps/approvals/v1/events';
import { NotificationDelivered } from '../../proto/gen/bps/notifications/v1/events';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { ChangeType, ErratumApproved, VersionPublished } from '../../proto/gen/bps/standards/v1/events';
import { actorLogsOf, actorOf, aggregatesOf, indexFieldsOf, traceIdOf, whatOf, whyOf } from '../../services/audit/domain/derive';
import { recordEvent } from '../../services/audit/domain/entry';
import { publishedProvenance } from '../../services/audit/domain/trace';

const actor = { subject: 'ndrc.approver.chen', organisation: 'NDRC', roles: ['approver'] };

function ce(type: string, data: unknown, extra: { key?: string; subject?: string; traceparent?: string } = {}) {
  return recordEvent({
    specversion: '1.0',
    id: 'e1',
    type,
    source: '/bps/test',
    time: '2026-03-01T08:00:00.000Z',
    datacontenttype: 'application/json',
    key: extra.key ?? 'k',
    subject: extra.subject,
    traceparent: extra.traceparent,
    data: Buffer.from(JSON.stringify(data)),
  });
}

describe('aggregates, actor, trace id', () => {
  it('reads a VersionPublished: release, change set, items, proposals, workflow and cycle from provenance', () => {
    const data = VersionPublished.toJSON(
      VersionPublished.fromPartial({
        releaseId: 'R-2026-01',
        kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
        changeSetId: 'CS-1',
        itemVersions: [{ itemCode: 'HEA-01', version: 2, changeType: ChangeType.CHANGE_TYPE_MODIFIED }],
        provenance: { proposalIds: ['P-1'], proposalRevisions: [2], workflowId: 'P-1', cycleId: 'C-2026' },
      }),
    );
    const event = ce('bps.standard.version.published', data, { key: 'R-2026-01' });
    expect(aggregatesOf(event)).toEqual([
      { kind: 'item', id: 'HEA-01' },
      { kind: 'release', id: 'R-2026-01' },
      { kind: 'change-set', id: 'CS-1' },
      { kind: 'proposal', id: 'P-1' },
      { kind: 'workflow', id: 'P-1' },
      { kind: 'cycle', id: 'C-2026' },
    ]);
    expect(publishedProvenance(event, 'HEA-01', 2)).toEqual({
      releaseId: 'R-2026-01',
      changeSetId: 'CS-1',
      proposalIds: ['P-1'],
      workflowId: 'P-1',
      cycleId: 'C-2026',
    });
    expect(publishedProvenance(event, 'HEA-01', 1)).toBeUndefined();
  });

  it('reads nested step references, the actor and why from an approval event', () => {
    const data = StepSignedOff.toJSON(
      StepSignedOff.fromPartial({
        step: { proposalId: 'P-1', workflowId: 'P-1', round: 1, stageId: 'countersign', stepId: 'ndrc', organisation: 'NDRC' },
        position: Position.POSITION_OBJECT,
        comment: '财政测算依据不足',
        actor,
      }),
    );
    const event = ce('bps.approval.step.signed', data);
    expect(aggregatesOf(event)).toEqual([
      { kind: 'proposal', id: 'P-1' },
      { kind: 'workflow', id: 'P-1' },
    ]);
    expect(actorOf(event)).toEqual(actor);
    expect(whyOf(event)).toBe('财政测算依据不足');
    expect(whatOf(event)).toContain('position=POSITION_OBJECT');
    expect(whatOf(event)).toContain('stepId=ndrc');
  });

  it('reads the change set id inside ChangeSetApproved and the decision of ProposalDecided', () => {
    const approved = ce(
      'bps.approval.changeset.approved',
      ChangeSetApproved.toJSON(ChangeSetApproved.fromPartial({ changeSet: { changeSetId: 'CS-1', provenance: { proposalIds: ['P-1'] } }, actor })),
    );
    expect(aggregatesOf(approved)).toEqual([
      { kind: 'change-set', id: 'CS-1' },
      { kind: 'proposal', id: 'P-1' },
    ]);
    const decided = ce(
      'bps.approval.proposal.decided',
      ProposalDecided.toJSON(
        ProposalDecided.fromPartial({
          proposalId: 'P-1',
          workflowId: 'P-1',
          decision: Decision.DECISION_RETURNED_FOR_REVISION,
          comment: '请补充需求调查',
          actor,
        }),
      ),
    );
    expect(whatOf(decided)).toContain('decision=DECISION_RETURNED_FOR_REVISION');
    expect(whyOf(decided)).toBe('请补充需求调查');
  });

  it('reads a delivery: subscription and release, no actor', () => {
    const data = NotificationDelivered.toJSON(
      NotificationDelivered.fromPartial({
        subscriptionId: 'S-9',
        subscriberOrganisation: 'NBS',
        releaseId: 'R-2026-01',
        eventId: 'other-event',
        attempt: 1,
        statusCode: 204,
      }),
    );
    const event = ce('bps.notification.delivered', data, { key: 'S-9' });
    expect(aggregatesOf(event)).toEqual([
      { kind: 'release', id: 'R-2026-01' },
      { kind: 'subscription', id: 'S-9' },
    ]);
    expect(actorOf(event)).toBeUndefined();
  });

  it('files programme events under the pilot, the technical standard (not the one it revises) and the evaluation', () => {
    const pilot = ce(
      'bps.programme.pilot.screened',
      { pilotId: 'PILOT-B1-x', step: 'screened', pilot: { pilotId: 'PILOT-B1-x' }, actor },
      { key: 'PILOT-B1-x' },
    );
    expect(aggregatesOf(pilot)).toEqual([{ kind: 'pilot', id: 'PILOT-B1-x' }]);
    const standard = ce(
      'bps.programme.standard.published',
      { standardId: 'TS-2', step: 'published', standard: { standardId: 'TS-2', revisesStandardId: 'TS-1', itemCodes: ['HEA-01'] }, actor },
      { key: 'TS-2' },
    );
    expect(aggregatesOf(standard)).toEqual([{ kind: 'technical-standard', id: 'TS-2' }]);
    const evaluation = ce(
      'bps.programme.evaluation.recorded',
      { evaluationId: 'EV-1', evaluation: { evaluationId: 'EV-1', itemCode: 'HEA-01' }, actor },
      { key: 'EV-1' },
    );
    expect(aggregatesOf(evaluation)).toEqual([
      { kind: 'item', id: 'HEA-01' },
      { kind: 'evaluation', id: 'EV-1' },
    ]);
  });

  it('does not file an event under the proposals it only names as conflicting', () => {
    const data = { proposalId: 'P-1', workflowId: 'P-1', conflictsWith: [{ proposalId: 'P-OTHER', itemCodes: ['HEA-01'] }], actor };
    expect(aggregatesOf(ce('bps.proposal.submitted', data, { key: 'P-1' }))).toEqual([
      { kind: 'proposal', id: 'P-1' },
      { kind: 'workflow', id: 'P-1' },
    ]);
    expect(aggregatesOf(ce('bps.proposal.conflict.flagged', { proposalId: 'P-1', otherProposalId: 'P-OTHER', actor }, { key: 'P-1' }))).toEqual([
      { kind: 'proposal', id: 'P-1' },
    ]);
  });

  it('uses ce_subject "kind/id" and the key of proposal events; ignores junk ids and unknown shapes', () => {
    expect(aggregatesOf(ce('bps.proposal.submitted', { title: 'x' }, { key: 'P-7', subject: 'cycles/C-1' }))).toEqual([
      { kind: 'proposal', id: 'P-7' },
      { kind: 'cycle', id: 'C-1' },
    ]);
    expect(aggregatesOf(ce('bps.proposal.submitted', { proposalId: 42, cycleId: '' }, { key: '' }))).toEqual([]);
    expect(aggregatesOf(recordEvent({ ...ce('x.y', {}), data: Buffer.from('not json') }))).toEqual([]);
    expect(actorOf(ce('x', { actor: 'someone' }))).toBeUndefined();
  });

  it('takes the trace id from traceparent, and none from an invalid or all-zero one', () => {
    expect(traceIdOf(ce('x', {}, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }))).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOf(ce('x', {}, { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' }))).toBeUndefined();
    expect(traceIdOf(ce('x', {}, { traceparent: 'garbage' }))).toBeUndefined();
    expect(indexFieldsOf(ce('x', { actor }))).toMatchObject({ actorSubject: actor.subject, traceId: null, eventType: 'x' });
  });
});

describe('two-person acts', () => {
  it("files an erratum approval in the approver's and the proposer's logs (actor + proposedBy), once each", () => {
    const proposer = { subject: 'nhc.approver.zhao', organisation: 'NHC', roles: ['approver'] };
    const approver = { subject: 'sco.final.zhou', organisation: 'SCO', roles: ['final-approver'] };
    const data = ErratumApproved.toJSON(
      ErratumApproved.fromPartial({ erratum: { erratumId: 'HEA-01-v1-E1', itemCode: 'HEA-01', version: 1 }, actor: approver, proposedBy: proposer }),
    );
    const event = ce('bps.standard.erratum.approved', data, { key: 'HEA-01' });
    expect(actorOf(event)?.subject).toBe('sco.final.zhou');
    expect(actorLogsOf(event)).toEqual(['actor:sco.final.zhou', 'actor:nhc.approver.zhao']);
    expect(aggregatesOf(event)).toEqual([{ kind: 'item', id: 'HEA-01' }]);
    const self = ce('bps.standard.erratum.approved', { ...(data as object), proposedBy: approver });
    expect(actorLogsOf(self)).toEqual(['actor:sco.final.zhou']);
    expect(actorLogsOf(ce('bps.approval.step.signed', { actor }))).toEqual(['actor:ndrc.approver.chen']);
  });
});
