// The ports the approvals' use cases (the workflows' activities, application/activities.ts) declare; adapters
// implement them: Mongo (adapters/mongo/: routes, the event outbox, the approval records) and Temporal
// (adapters/temporal/running-revisions.ts).
import type { ApprovalRoute, RebaseNotice } from '../../../workflows/contracts';
import type { RecordApprovalArgs } from '../../../workflows/approval/record';
import type { ApprovalCloudEvent, SignOffDoc } from './messages';

/** Stored, versioned approval routes: the most specific route's latest version for a proposal kind and field. */
export interface ApprovalRoutes {
  choose(kind: string, fieldCode: string): Promise<ApprovalRoute>;
}

/** The approvals' outbox (events written once per id) and the sign-offs' projection ("what I signed"). */
export interface ApprovalEventLog {
  append(events: readonly ApprovalCloudEvent[]): Promise<void>;
  recordSignOff(signOff: SignOffDoc): Promise<void>;
}

/** The record of every approval the workflows keep (what a resumed workflow goes on from). */
export interface ApprovalRecordStore {
  /** False when a newer version is already recorded. `alongside` runs once the record is stored (or found newer). */
  save(workflowId: string, args: RecordApprovalArgs, alongside?: () => Promise<void>): Promise<boolean>;
}

/** The ad-hoc revisions running now, told that a cycle released its edition under them. */
export interface RunningRevisions {
  /** Signals every running ad-hoc revision but `exclude`; returns the ids signalled, sorted. */
  sendToRebase(notice: RebaseNotice, exclude: readonly string[]): Promise<string[]>;
}
