// The approvals' use cases: the activities of the approval workflows, all their I/O through the ports they declare
// (application/ports.ts). Each is idempotent: the events it writes carry ids fixed by the workflow, and the outbox's
// unique index turns a retry into a no-op.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { type ActorRef, type ApprovalRoute, type CycleCitedEvaluation, type FiscalTotals, type RebaseNotice } from '../../../workflows/contracts';
import type { RecordApprovalArgs } from '../../../workflows/approval/record';
import type { OutgoingEvent } from '../../../workflows/approval/outgoing';
import { systemActor } from '../../../workflows/approval/domain';
import { ChangeSet, ReleaseKind } from '../../../proto/gen/bps/standards/v1/changes';
import { approvalEvents } from '../../shared/events/approvals';
import { PlatformError, ValidationError } from '../../shared/errors/errors';
import { newEvent } from '../../shared/kafka/kafka';
import { dateOfIso } from '../domain/cycle-request';
import { approvalsSource, citedEvaluationMessage, toActor, toCloudEvent, toDecision } from './messages';
import type { ApprovalEventLog, ApprovalRecordStore, ApprovalRoutes, RunningRevisions } from './ports';

export type ApprovalActivityDeps = {
  readonly routes: ApprovalRoutes;
  readonly events: ApprovalEventLog;
  readonly records: ApprovalRecordStore;
  readonly topicNamespace: string;
  /** Finds and signals running ad-hoc revisions when a cycle releases its edition. */
  readonly runningRevisions: RunningRevisions;
  /** Test seam: runs after the approved change set is written, before the activity completes. */
  readonly afterChangeSetRecorded?: (attempt: number) => Promise<void>;
};

export type AnnounceApprovedChangeSet = {
  readonly workflowId: string;
  readonly proposalId: string;
  readonly proposalRevision: number;
  readonly cycleId: string;
  readonly round: number;
  readonly routeVersion: string;
  readonly approvedBy: ActorRef;
  readonly approvedAt: number;
  readonly title: string;
  readonly effectiveFrom: string; // YYYY-MM-DD
  readonly fieldCodes: readonly string[];
  readonly changeSet: unknown; // proto JSON of bps.standards.v1.ChangeSet
};

export type CycleEdition = {
  readonly cycleId: string;
  readonly workflowId: string;
  readonly title: string;
  readonly effectiveFrom: string;
  readonly approvedBy: ActorRef;
  readonly approvedAt: number;
  readonly proposals: readonly {
    readonly proposalId: string;
    readonly proposalRevision: number;
    readonly fieldCodes: readonly string[];
    readonly changeSet: unknown;
  }[];
  /** Approved on their own but left out of the package (a conflict resolved for another proposal). */
  readonly dropped?: readonly { readonly proposalId: string; readonly proposalRevision: number; readonly note: string }[];
};

export type CycleAction = {
  readonly cycleId: string;
  readonly workflowId: string;
  readonly seq: number;
  readonly action: string;
  readonly fieldCode?: string;
  readonly proposalId?: string;
  readonly itemCode?: string;
  readonly provinceCode?: string;
  readonly comment?: string;
  readonly proposalIds?: readonly string[];
  /** A trim's amounts before and after (proposal.trimmed). */
  readonly fiscalBefore?: FiscalTotals;
  readonly fiscalAfter?: FiscalTotals;
  /** The implementation evaluations a filed evaluation cites (evaluation.filed). */
  readonly citedEvaluations?: readonly CycleCitedEvaluation[];
  readonly actor: ActorRef;
  readonly at: number;
};

/** Platform errors that retrying cannot fix become non-retryable failures with the error's code as type. */
async function asActivity<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof PlatformError && !error.retriable)
      throw ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: true, cause: error });
    throw error;
  }
}

function parseDate(value: string): { year: number; month: number; day: number } {
  const date = dateOfIso(value);
  if (!date) throw new ValidationError([{ field: 'effectiveFrom', description: `not a YYYY-MM-DD date: "${value}"` }]);
  return date;
}

export function createActivities(deps: ApprovalActivityDeps) {
  async function appendOutgoing(events: readonly OutgoingEvent[]): Promise<void> {
    // The events and the signers' own list of sign-offs are separate collections: written at once.
    await Promise.all([
      deps.events.append(events.map((e) => toCloudEvent(e, deps.topicNamespace))),
      ...events.map((e) => (e.kind === 'stepSignedOff' ? recordSignOff(e) : undefined)),
    ]);
  }
  async function recordSignOff(e: Extract<OutgoingEvent, { kind: 'stepSignedOff' }>): Promise<void> {
    await deps.events.recordSignOff({
      _id: e.id,
      subject: e.actor.subject,
      proposalId: e.step.proposalId,
      round: e.step.round,
      stepId: e.step.stepId,
      position: e.position,
      comment: e.comment,
      signedAt: new Date(e.at),
    });
  }

  return {
    async chooseApprovalRoute(query: { kind: string; fieldCode: string }): Promise<ApprovalRoute> {
      return asActivity(() => deps.routes.choose(query.kind, query.fieldCode));
    },

    async recordApprovalEvents(events: readonly OutgoingEvent[]): Promise<void> {
      await asActivity(() => appendOutgoing(events));
    },

    /**
     * The approval as it is now (since 'approval-recorded-state'), then the events of this change: the record first,
     * so a batch recorded but not yet in the outbox is written again by a resumed workflow (same ids: no repeats).
     */
    async recordApproval(args: RecordApprovalArgs): Promise<void> {
      await asActivity(async () => {
        // The events go out once the record is stored (so a batch recorded but not yet in the outbox is written again
        // by a resumed workflow), alongside the record's open-list and inbox writes.
        await deps.records.save(args.state.workflowId, args, () => appendOutgoing(args.events));
      });
    },

    async recordCyclePhase(input: { cycleId: string; workflowId: string; phase: string; note: string; actor: ActorRef; at: number }): Promise<void> {
      await asActivity(() =>
        deps.events.append([
          newEvent(
            approvalEvents.cyclePhaseChanged,
            { cycleId: input.cycleId, workflowId: input.workflowId, phase: input.phase, note: input.note, actor: toActor(input.actor), at: new Date(input.at) },
            {
              source: approvalsSource,
              key: input.cycleId,
              id: `${input.workflowId}/cycle/${input.phase}`,
              time: new Date(input.at),
              topicNamespace: deps.topicNamespace,
            },
          ),
        ]),
      );
    },

    async recordProposalWindowClosed(input: {
      cycleId: string;
      workflowId: string;
      fieldCode: string;
      proposalIds: readonly string[];
      closedEarlyBy: string;
      at: number;
    }): Promise<void> {
      await asActivity(() =>
        deps.events.append([
          newEvent(
            approvalEvents.proposalWindowClosed,
            {
              cycleId: input.cycleId,
              workflowId: input.workflowId,
              fieldCode: input.fieldCode,
              proposalIds: [...input.proposalIds],
              closedEarlyBy: input.closedEarlyBy,
              closedAt: new Date(input.at),
              actor: toActor(systemActor),
            },
            {
              source: approvalsSource,
              key: input.cycleId,
              id: `${input.workflowId}/window/${input.fieldCode}`,
              time: new Date(input.at),
              topicNamespace: deps.topicNamespace,
            },
          ),
        ]),
      );
    },

    /** One human (or platform) action in a cycle, numbered by the workflow so a retry writes the same event. */
    async recordCycleAction(input: CycleAction): Promise<void> {
      await asActivity(() =>
        deps.events.append([
          newEvent(
            approvalEvents.cycleActionRecorded,
            {
              cycleId: input.cycleId,
              workflowId: input.workflowId,
              action: input.action,
              fieldCode: input.fieldCode ?? '',
              proposalId: input.proposalId ?? '',
              itemCode: input.itemCode ?? '',
              provinceCode: input.provinceCode ?? '',
              comment: input.comment ?? '',
              proposalIds: [...(input.proposalIds ?? [])],
              actor: toActor(input.actor),
              at: new Date(input.at),
              fiscalBefore: input.fiscalBefore ? { ...input.fiscalBefore } : undefined,
              fiscalAfter: input.fiscalAfter ? { ...input.fiscalAfter } : undefined,
              citedEvaluations: (input.citedEvaluations ?? []).map(citedEvaluationMessage),
            },
            {
              source: approvalsSource,
              key: input.cycleId,
              id: `${input.workflowId}/action/${input.seq}`,
              time: new Date(input.at),
              topicNamespace: deps.topicNamespace,
            },
          ),
        ]),
      );
    },

    /**
     * Every ad-hoc revision still running when a cycle's edition is released goes back to its proposer to be rebased
     * onto the edition or withdrawn. Signals are idempotent in the workflow (same cycle id), so a retry is harmless.
     */
    async sendRunningRevisionsToRebase(input: RebaseNotice & { exclude: readonly string[] }): Promise<string[]> {
      const notice: RebaseNotice = { cycleId: input.cycleId, title: input.title, effectiveFrom: input.effectiveFrom, releasedAt: input.releasedAt };
      return deps.runningRevisions.sendToRebase(notice, input.exclude);
    },

    async warnRefilingOverdue(input: { cycleId: string; workflowId: string; provinceCode: string; itemCode: string; deadline: number }): Promise<void> {
      await asActivity(() =>
        deps.events.append([
          newEvent(
            approvalEvents.provinceRefilingOverdue,
            {
              cycleId: input.cycleId,
              provinceCode: input.provinceCode,
              itemCode: input.itemCode,
              deadline: new Date(input.deadline),
              actor: toActor(systemActor),
            },
            {
              source: approvalsSource,
              key: input.cycleId,
              id: `${input.workflowId}/refiling/${input.provinceCode}/${input.itemCode}`,
              topicNamespace: deps.topicNamespace,
            },
          ),
        ]),
      );
    },

    /** The unified revision's one release: every approved change as one edition with one effective date. */
    async releaseCycleEdition(input: CycleEdition): Promise<void> {
      const { info } = Context.current();
      await asActivity(async () => {
        const approvedBy = toActor(input.approvedBy);
        const parts = input.proposals.map((p) => ({ p, cs: ChangeSet.fromJSON(p.changeSet ?? {}) }));
        const changeSet: ChangeSet = {
          changeSetId: `${input.cycleId}-edition`,
          kind: ReleaseKind.RELEASE_KIND_EDITION,
          title: input.title,
          effectiveFrom: parseDate(input.effectiveFrom),
          // Change ids are unique within one change set: prefix each with its proposal.
          changes: parts.flatMap(({ p, cs }) => cs.changes.map((c) => ({ ...c, changeId: `${p.proposalId}/${c.changeId}` }))),
          fieldCodes: [...new Set(parts.flatMap(({ p, cs }) => (cs.fieldCodes.length > 0 ? cs.fieldCodes : p.fieldCodes)))].sort(),
          provenance: {
            proposalIds: parts.map(({ p }) => p.proposalId),
            proposalRevisions: parts.map(({ p }) => p.proposalRevision),
            workflowId: input.workflowId,
            workflowRunId: info.workflowExecution?.runId ?? '',
            cycleId: input.cycleId,
            approvalRouteVersion: 'unified-cycle',
            approvedBy,
            approvedAt: new Date(input.approvedAt),
          },
        };
        const at = new Date(input.approvedAt);
        // Each proposal's own outcome is decided by the release: in the edition (approved) or dropped (rejected).
        const decided = (p: { proposalId: string; proposalRevision: number }, decision: 'approved' | 'rejected', comment: string) =>
          newEvent(
            approvalEvents.proposalDecided,
            {
              proposalId: p.proposalId,
              proposalRevision: p.proposalRevision,
              workflowId: p.proposalId,
              round: 0,
              decision: toDecision(decision),
              comment,
              actor: approvedBy,
              decidedAt: at,
            },
            {
              source: approvalsSource,
              key: p.proposalId,
              id: `${input.workflowId}/edition/decided/${p.proposalId}`,
              time: at,
              topicNamespace: deps.topicNamespace,
            },
          );
        await deps.events.append([
          newEvent(
            approvalEvents.changeSetApproved,
            { changeSet, actor: approvedBy },
            { source: approvalsSource, key: input.cycleId, id: `${input.workflowId}/edition`, time: at, topicNamespace: deps.topicNamespace },
          ),
          ...input.proposals.map((p) => decided(p, 'approved', `released in ${input.title} (${input.cycleId})`)),
          ...(input.dropped ?? []).map((p) => decided(p, 'rejected', `not in the edition of ${input.cycleId}: ${p.note}`)),
        ]);
      });
    },

    /** Emits the approved change set (with its provenance) and the APPROVED decision. */
    async publishApprovedChangeSet(input: AnnounceApprovedChangeSet): Promise<void> {
      const { info } = Context.current();
      await asActivity(async () => {
        const given = ChangeSet.fromJSON(input.changeSet ?? {});
        const approvedBy = toActor(input.approvedBy);
        const changeSet: ChangeSet = {
          ...given,
          changeSetId: given.changeSetId || `${input.proposalId}-r${input.proposalRevision}`,
          kind: given.kind === ReleaseKind.RELEASE_KIND_UNSPECIFIED ? ReleaseKind.RELEASE_KIND_AMENDMENT : given.kind,
          title: given.title || input.title,
          effectiveFrom: given.effectiveFrom ?? parseDate(input.effectiveFrom),
          fieldCodes: given.fieldCodes.length > 0 ? given.fieldCodes : [...input.fieldCodes],
          provenance: {
            proposalIds: [input.proposalId],
            proposalRevisions: [input.proposalRevision],
            workflowId: input.workflowId,
            workflowRunId: info.workflowExecution?.runId ?? '',
            cycleId: input.cycleId,
            approvalRouteVersion: input.routeVersion,
            approvedBy,
            approvedAt: new Date(input.approvedAt),
          },
        };
        const common = { source: approvalsSource, key: input.proposalId, time: new Date(input.approvedAt), topicNamespace: deps.topicNamespace };
        await deps.events.append([
          newEvent(
            approvalEvents.changeSetApproved,
            { changeSet, actor: approvedBy },
            { ...common, id: `${input.workflowId}/r${input.round}/changeset-approved` },
          ),
          newEvent(
            approvalEvents.proposalDecided,
            {
              proposalId: input.proposalId,
              proposalRevision: input.proposalRevision,
              workflowId: input.workflowId,
              round: input.round,
              decision: toDecision('approved'),
              comment: '',
              actor: approvedBy,
              decidedAt: new Date(input.approvedAt),
            },
            { ...common, id: `${input.workflowId}/r${input.round}/decided-approved` },
          ),
        ]);
        await deps.afterChangeSetRecorded?.(info.attempt);
      });
    },
  };
}

/** The activities as the workflows call them (types only in workflow code). */
export type ApprovalActivities = ReturnType<typeof createActivities>;
