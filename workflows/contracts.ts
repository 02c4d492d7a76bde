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

/**
 * The one key of the value a payload not sealed with the platform's key decodes to on the approvals worker
 * (services/shared/temporal/sealing.ts); workflows refuse it (workflows/sealed.ts).
 */
export const unsealedMarker = '__bpsUnsealed';

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
  /**
   * Subjects of every author of the proposal: its drafter, everyone who recorded a revision, its submitters. None of
   * them may approve it (sign, overrule, be delegated to). Optional: workflows started before it was sent replay
   * without it (the proposer alone is then the author).
   */
  readonly authors?: readonly string[];
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
  /** Every author so far (see ProposalApprovalInput.authors); optional for signals sent before it existed. */
  readonly authors?: readonly string[];
  readonly changeSet: unknown;
};

/** Update the proposals service sends when the proposer withdraws (allowed until final approval). */
export const withdrawProposalUpdate = 'withdrawProposal';
export type WithdrawProposal = { readonly actor: ActorRef; readonly reason: string };

// ---- Approval steps (approvals worker <-> inbox). Added by the approvals service. ----

/** A countersign ballot position, or the decision of a single-approver step. */
export type Position = 'APPROVE' | 'NO_OBJECTION' | 'OBJECT' | 'ABSTAIN' | 'REJECT' | 'RETURN_FOR_REVISION';

/** `organisation` may be "$leadMinistry": resolved to the proposal's lead ministry when the route starts. */
export type RouteParty = {
  readonly partyId: string;
  readonly label: string;
  readonly role: string;
  readonly organisation: string;
  readonly mustConcur: boolean;
};
export type RouteStage = {
  readonly stageId: string;
  readonly name: string;
  /** countersign (会签): every party in parallel; single: one party decides. */
  readonly kind: 'countersign' | 'single';
  readonly parties: readonly RouteParty[];
  readonly dueSeconds: number;
  readonly reminderBeforeSeconds: number;
  readonly escalationRole: string;
  readonly escalationOrganisation: string;
};
/** Stored, versioned configuration; the workflow records the version it ran. */
export type ApprovalRoute = { readonly routeId: string; readonly version: number; readonly stages: readonly RouteStage[] };

export const signOffUpdate = 'signOff';
export type SignOffArgs = { readonly actor: ActorRef; readonly stepId: string; readonly position: Position; readonly comment: string };
export const claimStepUpdate = 'claimStep';
export const releaseStepUpdate = 'releaseStep';
export const takeBackStepUpdate = 'takeBackStep';
export type StepArgs = { readonly actor: ActorRef; readonly stepId: string };
export const delegateStepUpdate = 'delegateStep';
/**
 * `delegateIdentity`: the delegate as the directory of people knows them (resolved by the approvals service); a
 * delegate must hold the step's role in the step's organisation. Optional only so histories recorded before it
 * existed replay.
 */
export type DelegateStepArgs = StepArgs & { readonly delegate: string; readonly delegateIdentity?: ActorRef };
/** The final approver overrules a countersign objection. */
export const overruleObjectionUpdate = 'overruleObjection';
export type OverruleObjectionArgs = StepArgs & { readonly comment: string };

/** Query: the whole approval as the inbox shows it. */
export const approvalStateQuery = 'approvalState';

export type ApprovalStatus = 'in_progress' | 'awaiting_resubmission' | 'approved' | 'rejected' | 'withdrawn';
export type RoundOutcome = 'approved' | 'rejected' | 'returned' | 'withdrawn';

/** A step as the workflow holds it and the inbox shows it: its party, its position and who holds it. */
export type StepCore = {
  readonly stepId: string; // `${stageId}.${partyId}`: the same step in every round
  readonly stageId: string;
  readonly label: string;
  readonly role: string;
  readonly organisation: string;
  readonly mustConcur: boolean;
  readonly position?: Position;
  readonly signedBy?: string;
  readonly comment?: string;
  readonly signedAt?: number; // epoch ms
  readonly claimedBy?: string;
  readonly delegatedTo?: string;
  readonly delegatedBy?: string;
  readonly overruledBy?: string;
};
export type StepView = StepCore & {
  readonly stageName: string;
  readonly dueAt?: number; // epoch ms
  readonly escalated: boolean;
  readonly escalationRole: string;
  readonly escalationOrganisation: string;
  /** The step belongs to the open stage of the current round and still needs a (non-objecting) position. */
  readonly open: boolean;
};
export type RoundView = { readonly round: number; readonly proposalRevision: number; readonly steps: readonly StepView[]; readonly outcome?: RoundOutcome };
/** A unified revision released a new edition while this ad-hoc revision was running: it must be rebased or withdrawn. */
export type RebaseNotice = { readonly cycleId: string; readonly title: string; readonly effectiveFrom: string; readonly releasedAt: number };
export type ApprovalView = {
  readonly proposal: Omit<ProposalApprovalInput, 'changeSet'>;
  readonly workflowId: string;
  readonly routeId: string;
  readonly routeVersion: number;
  readonly status: ApprovalStatus;
  readonly round: number;
  readonly rounds: readonly RoundView[];
  /** What the open stage still needs ("waiting for 财政部", "objection from 国家发展改革委: …"). */
  readonly needs: readonly string[];
  /** Set while the proposal waits to be rebased onto a released edition (or withdrawn). */
  readonly rebase?: RebaseNotice;
};
export type ApprovalResult = { readonly status: ApprovalStatus; readonly rounds: number; readonly routeVersion: number };
/** Query: the approval's full decision state (workflows/approval/domain.ts ApprovalState), so the inbox can run
 * the same separation-of-duties rules before it sends an update. */
export const approvalDecisionStateQuery = 'approvalDecisionState';
/** Signal the cycle (through an activity) sends every running ad-hoc revision when its edition is released. */
export const editionReleasedSignal = 'editionReleased';

// ---- Unified revision cycle (集中统一调整). Added by the approvals service. ----

/** A field of the cycle, its lead ministry and (optionally) its own proposal window; default: the cycle's. */
export type CycleField = { readonly fieldCode: string; readonly leadMinistry: string; readonly proposalWindowSeconds?: number };
export type CycleInput = {
  readonly cycleId: string;
  readonly planPeriod: string; // e.g. "2026–2030"
  readonly title: string; // the edition's title, e.g. "国家基本公共服务标准（2026年版）"
  readonly effectiveFrom: string; // YYYY-MM-DD: one date for the whole edition
  readonly fields: readonly CycleField[];
  /** Fiscal-capacity ceiling of the whole package, by level of government (fen, decimal strings). */
  readonly fiscalCeiling: { readonly centralFen: string; readonly localFen: string };
  readonly evaluationSeconds: number;
  readonly proposalWindowSeconds: number;
  /** Re-filing period after a breach, overriding the registry's deadline date (tests run it in seconds). */
  readonly refilingSeconds?: number;
  /** Who opened the cycle (recorded on its first phase event). */
  readonly openedBy?: ActorRef;
};
export type CyclePhase = 'evaluation' | 'proposals' | 'consolidation' | 'released' | 'refiling' | 'closed';

export const fileEvaluationUpdate = 'fileEvaluation';
/**
 * An implementation evaluation of the standardisation programme (bps.programme.evaluation.recorded) as a field's
 * evaluation cites it: resolved by the approvals service from its projection of bps.programme.v1 when the
 * evaluation is filed, and kept as it was then. `kind`: EFFECT, SATISFACTION_SURVEY or EQUALISATION_INDICATORS.
 */
export type CycleCitedEvaluation = {
  readonly evaluationId: string;
  readonly kind: string;
  readonly itemCode: string;
  readonly fieldCode: string;
  readonly provinceCode: string;
  readonly period: string;
  readonly satisfactionPercent: string;
  readonly summary: string;
  readonly recordedBy: string;
  readonly recordedAt?: number; // epoch ms
};
/** `citedEvaluations`: absent in histories recorded before citations existed (and when nothing is cited). */
export type FileEvaluationArgs = {
  readonly actor: ActorRef;
  readonly fieldCode: string;
  readonly summary: string;
  readonly citedEvaluations?: readonly CycleCitedEvaluation[];
};
/** The most implementation evaluations one field evaluation may cite. */
export const maxCitedEvaluations = 50;
/** A field's filed evaluation as the cycle keeps it. */
export type CycleEvaluation = { readonly by: string; readonly summary: string; readonly citedEvaluations?: readonly CycleCitedEvaluation[] };
/** A proposal filed into the cycle's window; it runs its own adHocRevision child (kind UNIFIED, not published alone). */
export const submitCycleProposalUpdate = 'submitCycleProposal';
export type SubmitCycleProposalArgs = { readonly actor: ActorRef; readonly proposal: ProposalApprovalInput };
/** The lead ministry closes its field's proposal window before the deadline (nothing more to file). */
export const closeProposalWindowUpdate = 'closeProposalWindow';
export type CloseProposalWindowArgs = { readonly actor: ActorRef; readonly fieldCode: string };
export const resolveConflictUpdate = 'resolveConflict';
export type ResolveConflictArgs = { readonly actor: ActorRef; readonly itemCode: string; readonly keepProposalId: string; readonly reason: string };
export const trimProposalUpdate = 'trimProposal';
/** `reason` is required since 'cycle-trim-money-only' (absent in histories recorded before); `changeSet` must be absent or the one held. */
export type TrimProposalArgs = {
  readonly actor: ActorRef;
  readonly proposalId: string;
  readonly fiscalTotals: FiscalTotals;
  readonly changeSet: unknown;
  readonly reason?: string;
};
/** A trim as recorded on its package entry: who lowered which amounts, when and why. */
export type CycleTrim = { readonly actor: ActorRef; readonly at: number; readonly reason: string; readonly before: FiscalTotals; readonly after: FiscalTotals };
export const approvePackageUpdate = 'approvePackage';
export type ApprovePackageArgs = { readonly actor: ActorRef; readonly comment: string };
/** Signals driven by the registry's bps.standard.floor.breached / re-filing events. */
export const floorBreachedSignal = 'floorBreached';
export type FloorBreachedSignal = { readonly provinceCode: string; readonly itemCode: string; readonly refileDeadline: number /* epoch ms */ };
export const provinceRefiledSignal = 'provinceRefiled';
export type ProvinceRefiledSignal = { readonly provinceCode: string; readonly itemCode: string };
export const closeCycleUpdate = 'closeCycle';

export const cycleStateQuery = 'cycleState';
export type CyclePackageEntry = {
  readonly proposalId: string;
  readonly proposalRevision: number;
  readonly fieldCode: string;
  readonly itemCodes: readonly string[];
  readonly fiscalTotals: FiscalTotals;
  readonly status: 'in_approval' | 'approved' | 'not_approved' | 'dropped';
  readonly note?: string;
  readonly trims?: readonly CycleTrim[];
};
export type ProposalWindow = {
  readonly fieldCode: string;
  readonly leadMinistry: string;
  readonly closesAt: number;
  readonly closed: boolean;
  readonly closedEarlyBy?: string;
};
export type CycleView = {
  readonly cycleId: string;
  readonly planPeriod?: string;
  readonly title?: string;
  readonly effectiveFrom?: string;
  readonly fiscalCeiling?: { readonly centralFen: string; readonly localFen: string };
  readonly fields?: readonly CycleField[];
  readonly openedAt?: number;
  readonly phase: CyclePhase;
  readonly evaluations: Readonly<Record<string, CycleEvaluation>>;
  /** The latest closing of the proposal windows (kept for older clients; see windows). */
  readonly windowClosesAt?: number;
  /** One proposal window per field (empty before the proposal phase). */
  readonly windows?: readonly ProposalWindow[];
  /** Ad-hoc revisions that were running at release and were sent back to be rebased or withdrawn. */
  readonly rebaseRequired?: readonly string[];
  readonly package: readonly CyclePackageEntry[];
  readonly conflicts: readonly { readonly itemCode: string; readonly proposalIds: readonly string[] }[];
  readonly totals: { readonly centralFen: string; readonly localFen: string };
  readonly ceilingExceeded: boolean;
  readonly refiling: readonly {
    readonly provinceCode: string;
    readonly itemCode: string;
    readonly deadline: number;
    readonly refiled: boolean;
    readonly overdue: boolean;
  }[];
};
