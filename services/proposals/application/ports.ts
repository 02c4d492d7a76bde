// The ports the proposals use cases need. The adapters implement them: adapters/mongo/store.ts (the event log, its
// projection and the id claims), adapters/registry/registry-client.ts (the registry over gRPC),
// adapters/temporal/approval-workflows.ts (the approval and cycle workflows).
import type { Actor } from '../../../proto/gen/bps/common/v1/common';
import type { Proposal } from '../../../proto/gen/bps/proposals/v1/proposal';
import type { ActorRef, ProposalApprovalInput, ProposalResubmitted, WithdrawProposal } from '../../../workflows/contracts';
import type { ProposalReadScope } from '../../shared/auth/proposal-visibility';
import type { AggregateStore } from '../../shared/domain/command-handler';
import type { PackageView, RegistryView } from '../domain/checks';
import type { ProposalEvent, ProposalState } from '../domain/proposal';

/**
 * A proposal's event log as the one command handler (services/shared/domain/command-handler.ts) sees it: the state
 * with its revision (the sequence of the last event), and an append after that revision that fails with
 * ConcurrencyError when another writer appended first. An append also projects the new state (read model, snapshot).
 */
export type ProposalEventLog = AggregateStore<ProposalState | undefined, ProposalEvent>;

export type ListFilter = {
  readonly leadMinistry?: string;
  readonly fieldCode?: string;
  readonly kind?: number;
  readonly status?: string;
  readonly cycleId?: string;
  readonly after?: string;
  readonly limit: number;
  /** Whose proposals the caller may read (shared/auth/proposal-visibility.ts). */
  readonly scope: ProposalReadScope;
};

/** A proposal whose conflict events must be reconciled with the item claims, as of `sequence` (see reconcileMarked). */
export type ReconcileMark = { readonly id: string; readonly proposalId: string; readonly sequence: number; readonly at: Date; readonly actor: Actor };

/** A caller's idempotency key for CreateProposal and the proposal (and content) it stands for. */
export type CreateRequest = { readonly proposalId: string; readonly contentDigest: string };

/** Proposals as stored: folded state, read model, id counters and create-request claims. */
export interface ProposalRepository {
  /** The proposal's current state (snapshot plus later events), undefined when it has no events. */
  load(proposalId: string): Promise<ProposalState | undefined>;
  /** Writes the read model of `state` unless a newer one is stored. */
  project(state: ProposalState): Promise<void>;
  /** Next value of a named counter; two callers never get the same one. */
  nextCounter(name: string): Promise<number>;
  findRequest(key: string): Promise<CreateRequest | undefined>;
  /** Claims a key for a proposal id: returns this claim, or the one a concurrent call made first. */
  claimRequest(key: string, proposalId: string, contentDigest: string, at: Date): Promise<CreateRequest>;
  /** Other open proposals touching any of `itemCodes`, with those of `itemCodes` they touch (the item claims). */
  openTouching(itemCodes: readonly string[], except: string): Promise<{ id: string; itemCodes: string[] }[]>;
  /** The open proposals claiming each of `itemCodes`. */
  claimsOf(itemCodes: readonly string[]): Promise<Map<string, string[]>>;
  /** Makes the item claims those of the proposal's latest state (after a crash: with the read model). */
  syncClaims(state: ProposalState): Promise<void>;
  /** Once per database: claims for the open proposals stored before item claims existed. */
  backfillClaims(): Promise<number>;
  /** Proposals marked for conflict reconciliation, oldest first. */
  markedForReconcile(limit: number): Promise<ReconcileMark[]>;
  reconciled(markId: string): Promise<void>;
  list(filter: ListFilter): Promise<Proposal[]>;
  /** Proposals whose read model lags their event log. */
  lagging(): Promise<string[]>;
  /** Proposals with a consultation ending on or after `closesFrom` ('' = any), open ones only unless `includeClosed`. */
  consultationIds(closesFrom: string, includeClosed: boolean): Promise<string[]>;
  idsInStatus(status: string): Promise<string[]>;
}

/** The registry's current items and package levels, as the checks and the fiscal estimate read them. */
export interface RegistryPort {
  view(itemCodes: readonly string[]): Promise<RegistryView>;
  /** The latest version of every package level (issue #17). */
  packages(): Promise<PackageView>;
}

/** The approval workflow of a proposal (and the revision cycle a unified revision's proposal enters). */
export interface ApprovalWorkflowPort {
  /**
   * Starts the workflow for the proposal unless one with its id exists; returns the run id. A unified revision's
   * proposal enters its cycle instead, which runs the proposal's approval as a child workflow (same id).
   */
  start(input: ProposalApprovalInput): Promise<string>;
  /** Refuses (FAILED_PRECONDITION / NOT_FOUND) when the cycle does not take proposals for the field now. */
  assertCycleAccepts(cycleId: string, fieldCode: string, actor: ActorRef): Promise<void>;
  resubmitted(proposalId: string, signal: ProposalResubmitted): Promise<void>;
  /** Asks the workflow to withdraw; refused (FAILED_PRECONDITION) when it is past final approval. */
  withdraw(proposalId: string, request: WithdrawProposal): Promise<void>;
}
