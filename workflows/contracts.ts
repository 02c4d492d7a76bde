// The contract between the services that start or drive approval workflows (proposals) and the workflows
// themselves (approvals worker). Types and names only: safe to import from services and from workflow code.

export const approvalTaskQueue = 'bps-approvals';

export const workflowTypes = {
  adHocRevision: 'adHocRevision',
  unifiedRevisionCycle: 'unifiedRevisionCycle',
} as const;

/** Workflow id = proposal id, so a repeated submit can never start a second workflow. */
export function approvalWorkflowId(proposalId: string): string {
  return proposalId;
}

export type ActorRef = { readonly subject: string; readonly organisation: string; readonly roles: readonly string[] };

/** Fiscal totals in fen (decimal strings: exact, JSON-safe). */
export type FiscalTotals = { readonly totalFen: string; readonly centralFen: string; readonly localFen: string };

/**
 * Input of `adHocRevision` (and of each proposal inside a unified revision cycle).
 * `changeSet` is the proto `bps.standards.v1.ChangeSet` in its canonical JSON form (ChangeSet.toJSON), passed
 * through the workflow untouched to the activity that emits it.
 */
export type ProposalApprovalInput = {
  readonly proposalId: string;
  readonly proposalRevision: number;
  readonly kind: 'AD_HOC' | 'UNIFIED';
  readonly cycleId?: string;
  readonly title: string;
  readonly leadMinistry: string;
  readonly proposer: ActorRef;
  readonly fieldCodes: readonly string[];
  readonly itemCodes: readonly string[];
  readonly effectiveFrom: string; // YYYY-MM-DD
  readonly fiscalTotals: FiscalTotals;
  /** Other open proposals touching the same items (flagged by the proposals service). */
  readonly conflictsWith: readonly string[];
  readonly changeSet: unknown;
};

/** Signal the proposals service sends when a returned proposal is resubmitted. */
export const proposalResubmittedSignal = 'proposalResubmitted';
export type ProposalResubmitted = {
  readonly proposalRevision: number;
  readonly title: string;
  readonly fieldCodes: readonly string[];
  readonly itemCodes: readonly string[];
  readonly effectiveFrom: string;
  readonly fiscalTotals: FiscalTotals;
  readonly conflictsWith: readonly string[];
  readonly changeSet: unknown;
};

/** Update the proposals service sends when the proposer withdraws (allowed until final approval). */
export const withdrawProposalUpdate = 'withdrawProposal';
export type WithdrawProposal = { readonly actor: ActorRef; readonly reason: string };
