// What the approvals service records of an approval after every change (services/approvals/adapters/mongo/approval-records.ts,
// `approval_records`), and the input of a run resumed from that record. Types only: safe to import from services
// and from workflow code.
import type { ProposalApprovalInput } from '../contracts';
import type { ApprovalState } from './domain';
import type { OutgoingEvent } from './outgoing';

/**
 * The workflow's whole decision state, the change set it carries, the sequence number of its outgoing events and the
 * last batch of them (written with the record, so a batch recorded but not yet in the outbox is not lost).
 * `version` grows with every record: an older record never replaces a newer one.
 */
export type ApprovalRecord = {
  readonly version: number;
  readonly state: ApprovalState;
  readonly seq: number;
  readonly changeSet: unknown;
  readonly events: readonly OutgoingEvent[];
};
/** The recordApproval activity's input: the record, and whether the approval is over (off the open list). */
export type RecordApprovalArgs = ApprovalRecord & { readonly closed: boolean };

/**
 * The input of adHocRevision. `resumeFrom`: the approval as the approvals service recorded it, when its workflow is
 * started again because Temporal no longer has it (a restore of the databases without Temporal's history): the new
 * run goes on from this state, publishing nothing again. Set by the approvals service only.
 */
export type ResumableApprovalInput = ProposalApprovalInput & { readonly resumeFrom?: ApprovalRecord };
