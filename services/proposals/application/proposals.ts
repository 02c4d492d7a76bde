// The proposals use cases: load the proposal, ask the registry what the domain needs, run the command through the
// one command handler (application/commands.ts: decide, append optimistic on the event log's unique sequence,
// project), keep conflicts symmetric, drive the workflow. The ports they use are declared in application/ports.ts.
import { createHash } from 'node:crypto';
import type { Actor } from '../../../proto/gen/bps/common/v1/common';
import type { ProposalDecided } from '../../../proto/gen/bps/approvals/v1/events';
import { Decision as ProtoDecision } from '../../../proto/gen/bps/approvals/v1/events';
import type { RebasedItem } from '../../../proto/gen/bps/proposals/v1/events';
import { ProposalContent, type FiscalEstimate, type Proposal, type ProposalConflict } from '../../../proto/gen/bps/proposals/v1/proposal';
import type { Consultation, SubmissionViolation } from '../../../proto/gen/bps/proposals/v1/proposals';
import { approvalWorkflowId } from '../../../workflows/contracts';
import type { Identity } from '../../shared/auth/identity';
import { mayReadProposal, proposalReadScope, type Viewer } from '../../shared/auth/proposal-visibility';
import { FailedPreconditionError, NotFoundError, ValidationError, type PreconditionViolation } from '../../shared/errors/errors';
import type { Logger } from '../../shared/log/logger';
import {
  assertMayDraft,
  completenessViolations,
  coProposersFor,
  fieldCodesOf,
  rebaseContent,
  registryCodesOf,
  registryViolations,
  type PackageView,
  type RegistryView,
} from '../domain/checks';
import { computeFiscalEstimate, costedChanges } from '../domain/fiscal';
import { itemCodesOf, packageCodesOf } from '../domain/items';
import { currentRevision, isOpen, lastSubmission, openStatuses, type Command, type Outcome, type ProposalState } from '../domain/proposal';
import { contentViolations } from '../domain/validation';
import { approvalInput, consultationView, proposalId, resubmittedSignal, statusOf, toView } from '../domain/view';
import { todayInChina, yearInChina } from '../../shared/standards/china-date';
import { authorise, execute, executeExisting, expectRevision, refusalError } from './commands';
import type { ApprovalWorkflowPort, ListFilter, ProposalEventLog, ProposalRepository, RegistryPort } from './ports';

export type ProposalsDeps = {
  readonly store: ProposalRepository;
  /** The same proposals' event logs, for the command handler. */
  readonly log: ProposalEventLog;
  readonly registry: RegistryPort;
  readonly workflows: ApprovalWorkflowPort;
  readonly logger: Logger;
  /** Appended to proposal ids (they double as Temporal workflow ids): the topic namespace. */
  readonly idNamespace: string;
  readonly now: () => Date;
};

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** How long a reconciliation mark may wait for the append it announced (see reconcileMarked). */
const markPatienceMs = 60_000;

/** A stable digest of a draft's content, so a reused request id with other content is told apart from a retry. */
function contentDigest(content: ProposalContent): string {
  return createHash('sha256')
    .update(JSON.stringify(ProposalContent.toJSON(content)))
    .digest('hex');
}

export function actorOf(identity: Identity): Actor {
  return { subject: identity.subject, organisation: identity.organisation, roles: [...identity.roles] };
}

const decisions: Partial<Record<ProtoDecision, Outcome>> = {
  [ProtoDecision.DECISION_APPROVED]: 'APPROVED',
  [ProtoDecision.DECISION_REJECTED]: 'REJECTED',
  [ProtoDecision.DECISION_RETURNED_FOR_REVISION]: 'RETURNED',
  [ProtoDecision.DECISION_WITHDRAWN]: 'WITHDRAWN',
};

export type Validation = { ok: boolean; violations: SubmissionViolation[]; fiscalEstimate: FiscalEstimate; conflicts: ProposalConflict[] };

export class Proposals {
  constructor(private readonly deps: ProposalsDeps) {}

  private async load(id: string): Promise<ProposalState> {
    const state = id ? await this.deps.store.load(id) : undefined;
    if (!state) throw new NotFoundError('proposal', id);
    return state;
  }

  /**
   * The proposal as `viewer` may see it: one it may not read (shared/auth/proposal-visibility.ts) is answered
   * exactly like a missing one, so its existence is not revealed — for reads and for every action on it.
   */
  private async loadFor(viewer: Viewer, id: string): Promise<ProposalState> {
    const state = await this.load(id);
    if (!mayReadProposal(viewer, { leadMinistry: state.leadMinistry, coProposers: state.coProposers })) throw new NotFoundError('proposal', id);
    return state;
  }

  /** Runs `command` on existing proposal `id` (application/commands.ts); a refusal is thrown as its error. */
  private executeExisting(id: string, command: (state: ProposalState) => Command): Promise<ProposalState> {
    return executeExisting(this.deps.log, this.deps.now(), id, command);
  }

  /**
   * The read model with the proposal's conflicts as they stand now: the other open proposals claiming any of its
   * current items (the item claims, kept in step with every proposal's latest state). The conflict events on the
   * logs follow them in the background (reconcileMarked), so they are not what a caller is shown.
   */
  private async view(state: ProposalState, revision = 0): Promise<Proposal> {
    const view = toView(state, revision);
    if (!view) throw new NotFoundError('proposal revision', `${state.id}@${revision}`);
    return { ...view, conflicts: await this.conflictsNow(state) };
  }

  /** Other open proposals touching the current items of open proposal `state` (none once it is closed). */
  private async conflictsNow(state: ProposalState): Promise<ProposalConflict[]> {
    if (!isOpen(state)) return [];
    const touching = await this.deps.store.openTouching(currentRevision(state).itemCodes, state.id);
    return touching.map((o) => ({ proposalId: o.id, itemCodes: [...o.itemCodes].sort() })).sort((a, b) => a.proposalId.localeCompare(b.proposalId));
  }

  private async draftOf(actor: Actor, content: ProposalContent | undefined): Promise<{ content: ProposalContent; itemCodes: string[]; fieldCodes: string[] }> {
    const violations = contentViolations(content);
    if (violations.length > 0 || !content) throw new ValidationError(violations);
    const registry = await this.deps.registry.view(registryCodesOf(content));
    const packages = await this.packagesFor(content);
    assertMayDraft(actor, content, registry, packages);
    return { content, itemCodes: itemCodesOf(content), fieldCodes: fieldCodesOf(content, registry, packages) };
  }

  /**
   * Creates a draft. With a request id (idempotency key, scoped to the caller) a retry — say after the caller's
   * deadline passed while this call was still working — returns the proposal the first call created instead of a
   * second draft; the key is claimed before the draft is written, so concurrent retries converge on one id.
   */
  async create(identity: Identity, content: ProposalContent | undefined, requestId = ''): Promise<Proposal> {
    const actor = actorOf(identity);
    if (requestId && !requestIdPattern.test(requestId)) {
      throw new ValidationError([{ field: 'request_id', description: 'must be 1–128 of A–Z a–z 0–9 . _ : -' }]);
    }
    const draft = await this.draftOf(actor, content);
    // JSON, not a NUL separator: PostgreSQL (FerretDB's backend) refuses U+0000 in any stored string.
    const key = requestId ? JSON.stringify([actor.subject, requestId]) : undefined;
    const digest = key ? contentDigest(draft.content) : '';
    const earlier = key ? await this.deps.store.findRequest(key) : undefined;
    let id = earlier?.proposalId;
    if (earlier && earlier.contentDigest !== digest) {
      throw new FailedPreconditionError(
        `request id ${requestId} was already used for proposal ${earlier.proposalId} with other content`,
        [],
        'REQUEST_ID_REUSED',
      );
    }
    if (!id) {
      const now = this.deps.now();
      const year = yearInChina(now);
      const counter = await this.deps.store.nextCounter(`${year}-${actor.organisation}`);
      id = proposalId(year, actor.organisation, counter, this.deps.idNamespace);
      if (key) {
        const claim = await this.deps.store.claimRequest(key, id, digest, now);
        if (claim.contentDigest !== digest) {
          throw new FailedPreconditionError(
            `request id ${requestId} was already used for proposal ${claim.proposalId} with other content`,
            [],
            'REQUEST_ID_REUSED',
          );
        }
        id = claim.proposalId; // a concurrent retry claimed the key first: converge on its id
      }
    }
    const target = id;
    // A retry whose first call already wrote the draft returns it; a concurrent twin that lost the append race
    // (its `create` is refused on the now existing stream) does the same.
    const existing = key ? await this.deps.store.load(target) : undefined;
    if (existing) return this.view(existing);
    const handled = await execute(this.deps.log, this.deps.now(), target, () => ({
      kind: 'create',
      proposalId: target,
      leadMinistry: actor.organisation,
      coProposers: coProposersFor(actor.organisation),
      draft,
      actor,
    }));
    if (!handled.ok) {
      const twin = key && handled.refusal.code === 'FAILED_PRECONDITION' ? await this.deps.store.load(target) : undefined;
      if (twin) return this.view(twin);
      throw refusalError(handled.refusal, target);
    }
    const created = handled.state;
    if (!created) throw new Error(`proposal ${target} was not created`);
    return this.view(created);
  }

  async update(identity: Identity, id: string, expectedRevision: number, content: ProposalContent | undefined): Promise<Proposal> {
    const actor = actorOf(identity);
    const state = await this.loadFor(identity, id);
    authorise(state, actor, 'edit');
    const draft = await this.draftOf(actor, content);
    const revised = await this.executeExisting(id, (s) => {
      expectRevision(s, expectedRevision);
      return { kind: 'revise', draft, actor };
    });
    return this.view(revised);
  }

  async get(viewer: Viewer, id: string, revision: number): Promise<Proposal> {
    if (revision < 0) throw new ValidationError([{ field: 'revision', description: 'must be 0 (current) or a revision number' }]);
    return this.view(await this.loadFor(viewer, id), revision);
  }

  /** The proposals `viewer` may read that match the filter (the visibility scope is part of the query). */
  async list(viewer: Viewer, filter: Omit<ListFilter, 'scope'>): Promise<Proposal[]> {
    const page = await this.deps.store.list({ ...filter, scope: proposalReadScope(viewer) });
    // Conflicts as they stand now (see view): one claims lookup per distinct item on the page.
    const open = page.filter((p) => openStatuses.includes(statusOf(p.state) ?? 'APPROVED'));
    const claims = await this.deps.store.claimsOf(open.flatMap((p) => p.itemCodes));
    return page.map((p) => {
      if (!open.includes(p)) return { ...p, conflicts: [] };
      const others = new Map<string, string[]>();
      for (const code of p.itemCodes) for (const id of claims.get(code) ?? []) if (id !== p.proposalId) others.set(id, [...(others.get(id) ?? []), code]);
      const conflicts = [...others]
        .map(([proposalId, codes]) => ({ proposalId, itemCodes: codes.sort() }))
        .sort((a, b) => a.proposalId.localeCompare(b.proposalId));
      return { ...p, conflicts };
    });
  }

  /** The estimate for content, with the registry's current items as fallback for expenditure responsibility. */
  async estimate(content: ProposalContent, registry?: RegistryView, packages?: PackageView): Promise<FiscalEstimate> {
    const view = registry ?? (await this.deps.registry.view(costedChanges(content).map((c) => c.item.itemCode)));
    const current = new Map([...view].flatMap(([code, item]) => (item ? [[code, item.item] as const] : [])));
    return computeFiscalEstimate(content, current, packages ?? (await this.packagesFor(content)));
  }

  /** Package levels (issue #17) matter only to content that sets one or raises a money level: others skip the call. */
  private async packagesFor(content: ProposalContent): Promise<PackageView> {
    const needed = packageCodesOf(content).length > 0 || costedChanges(content).length > 0;
    return needed ? this.deps.registry.packages() : new Map();
  }

  async estimateContent(content: ProposalContent | undefined): Promise<FiscalEstimate> {
    const violations = contentViolations(content);
    if (violations.length > 0 || !content) throw new ValidationError(violations);
    return this.estimate(content);
  }

  async estimateStored(viewer: Viewer, id: string, revision: number): Promise<FiscalEstimate> {
    const content = (await this.get(viewer, id, revision)).content;
    if (!content) throw new NotFoundError('proposal revision', `${id}@${revision}`);
    return this.estimate(content);
  }

  private async check(state: ProposalState): Promise<{ violations: PreconditionViolation[]; estimate: FiscalEstimate }> {
    const content = currentRevision(state).content;
    if (!content) throw new Error(`proposal ${state.id} has no content`);
    const registry = await this.deps.registry.view(registryCodesOf(content));
    const packages = await this.packagesFor(content);
    const estimate = await this.estimate(content, registry, packages);
    return { violations: [...registryViolations(content, registry, packages), ...completenessViolations(content, estimate)], estimate };
  }

  async validate(viewer: Viewer, id: string): Promise<Validation> {
    const state = await this.loadFor(viewer, id);
    const { violations, estimate } = await this.check(state);
    return { ok: violations.length === 0, violations, fiscalEstimate: estimate, conflicts: await this.conflictsNow(state) };
  }

  async submit(identity: Identity, id: string, expectedRevision: number): Promise<Proposal> {
    const actor = actorOf(identity);
    let state = await this.loadFor(identity, id);
    authorise(state, actor, 'submit');
    const already = (state.status === 'SUBMITTED' || state.status === 'IN_REVIEW') && lastSubmission(state)?.revision === expectedRevision;
    if (!already) {
      expectRevision(state, expectedRevision); // a stale revision is refused before the registry is asked anything
      const { violations, estimate } = await this.check(state);
      const revision = currentRevision(state);
      // A unified revision's proposal must find its cycle's window open before it is marked submitted.
      if (violations.length === 0 && revision.content?.cycleId && state.submissions.length === 0) {
        await this.deps.workflows.assertCycleAccepts(revision.content.cycleId, revision.fieldCodes[0] ?? '', actor);
      }
      if (violations.length > 0) {
        throw new FailedPreconditionError(
          `proposal ${id} cannot be submitted: ${violations.map((v) => v.description).join('; ')}`,
          violations,
          'SUBMISSION_CHECKS_FAILED',
        );
      }
      // The same revision (checked below) has the same items: its conflicts now are those it is submitted with.
      const conflictsWith = await this.conflictsNow(state);
      state = await this.executeExisting(id, (s) => {
        expectRevision(s, expectedRevision);
        return {
          kind: 'submit',
          revision: expectedRevision,
          fiscalEstimate: estimate,
          conflictsWith,
          workflowId: approvalWorkflowId(id),
          actor,
        };
      });
    }
    return this.view(await this.ensureWorkflow(state, actor));
  }

  /** Hands a submitted revision to its workflow: start it (round 1) or signal it (resubmission); idempotent. */
  private async ensureWorkflow(state: ProposalState, actor: Actor): Promise<ProposalState> {
    const submission = lastSubmission(state);
    if (state.status !== 'SUBMITTED' || !submission) return state;
    let runId = '';
    if (submission.round === 1) runId = await this.deps.workflows.start(approvalInput(state, submission));
    else await this.deps.workflows.resubmitted(state.id, resubmittedSignal(state, submission));
    return this.executeExisting(state.id, () => ({ kind: 'markInReview', revision: submission.revision, workflowRunId: runId, actor }));
  }

  async withdraw(identity: Identity, id: string, reason: string): Promise<Proposal> {
    const actor = actorOf(identity);
    if (reason.trim() === '') throw new ValidationError([{ field: 'reason', description: 'a withdrawal must say why' }]);
    const state = await this.loadFor(identity, id);
    authorise(state, actor, 'withdraw');
    if (state.status === 'WITHDRAWN') return this.view(state);
    // Once submitted, the workflow decides (it refuses after final approval); then the proposal records it.
    if (isOpen(state) && state.submissions.length > 0) await this.deps.workflows.withdraw(id, { actor, reason });
    const withdrawn = await this.executeExisting(id, () => ({ kind: 'withdraw', reason, actor }));
    return this.view(withdrawn);
  }

  // ---- Public consultation (domain/consultation.ts) ----

  private today(): string {
    return todayInChina(this.deps.now());
  }

  /**
   * A proposal under public consultation is public: its existence, summary and changes are on the portal. Without
   * a consultation it stays hidden from non-readers (NOT_FOUND), as every other proposal.
   */
  private async loadConsulted(viewer: Viewer, id: string): Promise<ProposalState> {
    const state = await this.load(id);
    if (!state.consultation && !mayReadProposal(viewer, { leadMinistry: state.leadMinistry, coProposers: state.coProposers }))
      throw new NotFoundError('proposal', id);
    return state;
  }

  private consultationOf(viewer: Viewer, state: ProposalState): Consultation {
    const all = mayReadProposal(viewer, { leadMinistry: state.leadMinistry, coProposers: state.coProposers });
    const view = consultationView(state, this.today(), all);
    if (!view) throw new NotFoundError('consultation', state.id);
    return view;
  }

  async openConsultation(identity: Identity, id: string, period: { opensOn: string; closesOn: string; summary: string }): Promise<Consultation> {
    const actor = actorOf(identity);
    await this.loadFor(identity, id); // NOT_FOUND for a proposal the caller may not read
    const today = this.today();
    const opened = await this.executeExisting(id, () => ({ kind: 'openConsultation', ...period, today, actor }));
    return this.consultationOf(identity, opened);
  }

  async getConsultation(viewer: Viewer, id: string): Promise<Consultation> {
    return this.consultationOf(viewer, await this.loadConsulted(viewer, id));
  }

  /** Consultations accepting comments today (or every one ever opened), without their comments. */
  async listConsultations(includeClosed: boolean): Promise<Consultation[]> {
    const today = this.today();
    const ids = await this.deps.store.consultationIds(includeClosed ? '' : today, includeClosed);
    const states = await Promise.all(ids.map((id) => this.deps.store.load(id)));
    return states
      .map((s) => (s ? consultationView(s, today, false, false) : undefined))
      .filter((c): c is Consultation => !!c && (includeClosed || c.acceptingComments));
  }

  async submitComment(
    identity: Identity,
    id: string,
    comment: { text: string; commenterName: string; commenterOrganisation: string; clientHash: string },
  ): Promise<{ commentId: string }> {
    const actor = actorOf(identity);
    const state = await this.loadConsulted(identity, id);
    const today = this.today();
    const before = state.consultation?.comments.length ?? 0;
    const after = await this.executeExisting(id, () => ({ kind: 'submitComment', ...comment, today, actor }));
    // The comment this call appended: the first one after those known before (a concurrent one may follow it).
    const mine = after.consultation?.comments.slice(before).find((c) => c.text === comment.text.trim());
    return { commentId: mine?.commentId ?? '' };
  }

  async moderateComment(identity: Identity, id: string, commentId: string, publish: boolean, reason: string): Promise<Consultation> {
    const actor = actorOf(identity);
    const state = await this.loadConsulted(identity, id);
    // Who may moderate, then which comment (NOT_FOUND), before the rules decide on the comment's state.
    authorise(state, actor, 'moderate comments on');
    if (!state.consultation?.comments.some((c) => c.commentId === commentId)) throw new NotFoundError('consultation comment', `${id}/${commentId}`);
    const moderated = await this.executeExisting(id, () => ({ kind: 'moderateComment', commentId, publish, reason, actor }));
    return this.consultationOf(identity, moderated);
  }

  async rebase(identity: Identity, id: string, expectedRevision: number): Promise<{ proposal: Proposal; moved: RebasedItem[] }> {
    const actor = actorOf(identity);
    const state = await this.loadFor(identity, id);
    authorise(state, actor, 'rebase');
    const content = currentRevision(state).content;
    if (!content) throw new Error(`proposal ${id} has no content`);
    const registry = await this.deps.registry.view(registryCodesOf(content));
    const { content: rebased, moved } = rebaseContent(content, registry, await this.packagesFor(content));
    const next = await this.executeExisting(id, (s) => {
      expectRevision(s, expectedRevision);
      return { kind: 'rebase', content: rebased, moved, actor };
    });
    return { proposal: await this.view(next), moved };
  }

  /**
   * After a crash: re-project proposals whose read model lags their log, and hand every submitted-but-not-yet-
   * in-review revision to its workflow (start/signal are idempotent). Failures are logged; Submit retries too.
   */
  async recover(): Promise<{ reprojected: number; resumed: number }> {
    let reprojected = 0;
    await this.deps.store.backfillClaims();
    for (const id of await this.deps.store.lagging()) {
      const state = await this.deps.store.load(id);
      if (state) {
        await this.deps.store.syncClaims(state);
        await this.deps.store.project(state);
        reprojected++;
      }
    }
    let resumed = 0;
    for (const id of await this.deps.store.idsInStatus('SUBMITTED')) {
      const state = await this.deps.store.load(id);
      const submission = state && lastSubmission(state);
      if (!state || !submission) continue;
      try {
        await this.ensureWorkflow(state, state.draftedBy);
        resumed++;
      } catch (error) {
        this.deps.logger.warn(
          { proposalId: id, err: (error as Error).message },
          'could not hand a submitted proposal to its workflow; will retry on next start or submit',
        );
      }
    }
    return { reprojected, resumed };
  }

  /** Follows an approval outcome (bps.approval.proposal.decided). Unknown proposals are someone else's. */
  async followDecision(decided: ProposalDecided, sourceEventId: string): Promise<void> {
    const decision = decisions[decided.decision];
    if (!decision) throw new ValidationError([{ field: 'decision', description: `unsupported decision ${decided.decision}` }]);
    const state = await this.deps.store.load(decided.proposalId);
    if (!state) {
      this.deps.logger.warn({ proposalId: decided.proposalId }, 'decision for an unknown proposal ignored');
      return;
    }
    const actor = decided.actor ?? { subject: 'approvals', organisation: '', roles: [] };
    const next = await this.executeExisting(state.id, () => ({
      kind: 'recordDecision',
      decision,
      revision: decided.proposalRevision,
      round: decided.round,
      workflowId: decided.workflowId,
      comment: decided.comment,
      decidedAt: decided.decidedAt,
      sourceEventId,
      actor,
    }));
    if (!isOpen(next)) this.deps.logger.debug({ proposalId: next.id }, 'closed: its conflicts are reconciled in the background');
  }

  /**
   * Brings the conflict events in line with the item claims for proposals marked by an append that changed their
   * items or openness (the mark is written before that append): flags new overlaps on both sides, clears the ones
   * that ended. Off the request path, so a draft's create or edit costs the same however many drafts it overlaps.
   * Returns how many marks were done; a failure leaves its mark for the next pass.
   */
  async reconcileMarked(limit = 20): Promise<number> {
    const marks = await this.deps.store.markedForReconcile(limit);
    const byProposal = new Map<string, typeof marks>();
    for (const m of marks) byProposal.set(m.proposalId, [...(byProposal.get(m.proposalId) ?? []), m]);
    let done = 0;
    for (const [proposalId, pending] of byProposal) {
      const state = await this.deps.store.load(proposalId);
      // A mark past the state read belongs to an append still under way (its writer wakes a pass when done); one
      // that old belongs to an append that never happened, and the current state is all there is to reconcile.
      const abandoned = this.deps.now().getTime() - markPatienceMs;
      const covered = pending.filter((m) => !state || m.sequence <= state.sequence || m.at.getTime() < abandoned);
      if (state && covered.length > 0) await this.reconcileConflicts(state, covered[covered.length - 1]!.actor);
      for (const m of covered) await this.deps.store.reconciled(m.id);
      done += covered.length;
    }
    return done;
  }

  /**
   * Keeps "two open proposals touching the same item are both flagged, each listing the other" true after this
   * proposal's items or openness changed: flags new overlaps on both sides, clears the ones that ended.
   */
  private async reconcileConflicts(state: ProposalState, actor: Actor): Promise<ProposalState> {
    const mine = isOpen(state) ? currentRevision(state).itemCodes : [];
    const desired = new Map<string, string[]>();
    for (const other of await this.deps.store.openTouching(mine, state.id)) {
      desired.set(other.id, other.itemCodes.filter((c) => mine.includes(c)).sort());
    }
    // This proposal's side in one append, then one append on each other proposal whose side changes.
    const current = await this.executeExisting(state.id, () => ({ kind: 'setConflicts', others: Object.fromEntries(desired), actor }));
    for (const [otherId, items] of desired) {
      await this.executeExisting(otherId, () => ({ kind: 'flagConflict', otherProposalId: state.id, itemCodes: items, actor }));
    }
    for (const otherId of Object.keys(state.conflicts)) {
      if (desired.has(otherId)) continue;
      const other = await this.deps.store.load(otherId);
      if (other) await this.executeExisting(otherId, () => ({ kind: 'clearConflict', otherProposalId: state.id, actor }));
    }
    return current;
  }
}
