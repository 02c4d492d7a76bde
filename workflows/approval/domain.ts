// The approval of one proposal as a pure state machine: decide(state, command) -> events | refusal,
// evolve(state, event) -> state. The workflow runs it (validators call decide, handlers apply), the inbox's gRPC
// handler calls decide on the queried state before it sends an update, so both enforce the same rules.
import type {
  ActorRef,
  ApprovalRoute,
  ApprovalStatus,
  ApprovalView,
  Position,
  ProposalApprovalInput,
  ProposalResubmitted,
  RebaseNotice,
  RoundOutcome,
  RouteStage,
  StepCore,
  StepView,
} from '../contracts';
import { accepted, refused, type Decision as SharedDecision, type Refusal, type RefusalCode } from '../../services/shared/domain/decider';

export type Step = StepCore & {
  /** Claims, releases, delegations and take-backs of this step in this round (capped: maxStepActions). */
  readonly actions?: number;
  /** Objections signed on this step in this round (capped: maxObjections). */
  readonly objections?: number;
};
export type Stage = {
  readonly definition: RouteStage;
  readonly openedAt?: number;
  readonly dueAt?: number;
  readonly reminded: boolean;
  readonly escalated: boolean;
  readonly steps: readonly Step[];
};
export type Round = {
  readonly round: number;
  readonly proposalRevision: number;
  readonly stages: readonly Stage[];
  readonly current: number;
  readonly outcome?: RoundOutcome;
};
export type ApprovalState = {
  readonly workflowId: string;
  readonly proposal: Omit<ProposalApprovalInput, 'changeSet'>;
  readonly route: ApprovalRoute;
  readonly status: ApprovalStatus;
  readonly rounds: readonly Round[];
  /** subject -> the one step id that person has signed in this proposal (separation of duties). */
  readonly signers: Readonly<Record<string, string>>;
  readonly finalApprover?: ActorRef;
  readonly decidedAt?: number;
  /** A unified revision released an edition under this proposal: it must be rebased (resubmitted) or withdrawn. */
  readonly rebase?: RebaseNotice;
};

export type Command =
  | { readonly type: 'signOff'; readonly actor: ActorRef; readonly stepId: string; readonly position: Position; readonly comment: string; readonly at: number }
  | { readonly type: 'claim'; readonly actor: ActorRef; readonly stepId: string; readonly at: number }
  | { readonly type: 'release'; readonly actor: ActorRef; readonly stepId: string; readonly at: number }
  | {
      readonly type: 'delegate';
      readonly actor: ActorRef;
      readonly stepId: string;
      readonly delegate: string;
      readonly delegateIdentity?: ActorRef;
      readonly at: number;
    }
  | { readonly type: 'takeBack'; readonly actor: ActorRef; readonly stepId: string; readonly at: number }
  | { readonly type: 'overrule'; readonly actor: ActorRef; readonly stepId: string; readonly comment: string; readonly at: number }
  | { readonly type: 'withdraw'; readonly actor: ActorRef; readonly reason: string; readonly at: number }
  | { readonly type: 'resubmit'; readonly resubmission: ProposalResubmitted; readonly at: number }
  | { readonly type: 'supersede'; readonly edition: RebaseNotice; readonly at: number }
  | { readonly type: 'tick'; readonly at: number };

export type ApprovalEvent =
  | {
      readonly type: 'stepSigned';
      readonly stepId: string;
      readonly actor: ActorRef;
      readonly position: Position;
      readonly comment: string;
      readonly at: number;
      readonly asDelegate: boolean;
      readonly previous?: Position;
    }
  | { readonly type: 'stepClaimed'; readonly stepId: string; readonly actor: ActorRef; readonly at: number }
  | { readonly type: 'stepReleased'; readonly stepId: string; readonly actor: ActorRef; readonly at: number }
  | { readonly type: 'stepDelegated'; readonly stepId: string; readonly actor: ActorRef; readonly delegate: string; readonly at: number }
  | { readonly type: 'delegationTakenBack'; readonly stepId: string; readonly actor: ActorRef; readonly at: number }
  | { readonly type: 'objectionOverruled'; readonly stepId: string; readonly actor: ActorRef; readonly comment: string; readonly at: number }
  | { readonly type: 'stageOpened'; readonly stageIndex: number; readonly at: number }
  | { readonly type: 'stageReminded'; readonly at: number }
  | { readonly type: 'stageEscalated'; readonly at: number }
  | { readonly type: 'roundDecided'; readonly outcome: RoundOutcome; readonly actor: ActorRef; readonly comment: string; readonly at: number }
  | { readonly type: 'resubmitted'; readonly resubmission: ProposalResubmitted; readonly at: number }
  | { readonly type: 'superseded'; readonly edition: RebaseNotice; readonly at: number };

// The one decision shape (services/shared/domain/decider.ts); the names stay for the inbox and the workflow.
export type { Refusal, RefusalCode };
export type Decision = SharedDecision<ApprovalEvent>;

/**
 * Which rules decide: `duties` (issue #14: a delegate holds the step's role in its organisation, every author is
 * excluded from approving, actions per step are capped) for everything decided now; `original` only where the
 * workflow replays a history recorded before those rules (ad-hoc-revision.ts, patched('approval-duties')).
 */
export type RuleSet = 'original' | 'duties';
/** Claims, releases, delegations and take-backs of one step in one round; at the cap, claim and delegate are refused. */
export const maxStepActions = 20;
/** Objections one step may raise in one round. */
export const maxObjections = 5;

export const systemActor: ActorRef = { subject: 'system:approvals', organisation: 'BPS', roles: [] };
export const leadMinistryPlaceholder = '$leadMinistry';

const refuse = (code: RefusalCode, reason: string, message: string): Decision => refused(code, reason, message);
const accept = (...events: ApprovalEvent[]): Decision => accepted(...events);

function openRound(route: ApprovalRoute, proposal: Omit<ProposalApprovalInput, 'changeSet'>, round: number): Round {
  return {
    round,
    proposalRevision: proposal.proposalRevision,
    current: 0,
    stages: route.stages.map((definition) => ({
      definition,
      reminded: false,
      escalated: false,
      steps: definition.parties.map((p) => ({
        stepId: `${definition.stageId}.${p.partyId}`,
        stageId: definition.stageId,
        label: p.label,
        role: p.role,
        organisation: p.organisation === leadMinistryPlaceholder ? proposal.leadMinistry : p.organisation,
        mustConcur: p.mustConcur,
      })),
    })),
  };
}

export function summaryOf(input: ProposalApprovalInput): Omit<ProposalApprovalInput, 'changeSet'> {
  // A resumed run's input also carries its record (approval/record.ts): never part of the proposal.
  const { changeSet: _changeSet, resumeFrom: _resumeFrom, ...summary } = input as ProposalApprovalInput & { readonly resumeFrom?: unknown };
  return summary;
}

/** The state when the workflow starts: round 1, first stage opened at `at`. */
export function initialState(workflowId: string, input: ProposalApprovalInput, route: ApprovalRoute, at: number): ApprovalState {
  const state: ApprovalState = {
    workflowId,
    proposal: summaryOf(input),
    route,
    status: 'in_progress',
    rounds: [openRound(route, summaryOf(input), 1)],
    signers: {},
  };
  return evolve(state, { type: 'stageOpened', stageIndex: 0, at });
}

export function currentRound(state: ApprovalState): Round {
  const round = state.rounds[state.rounds.length - 1];
  if (!round) throw new Error('approval state without a round');
  return round;
}
export function currentStage(state: ApprovalState): Stage | undefined {
  const round = currentRound(state);
  return round.stages[round.current];
}

/** The subjects nobody of whom may approve the proposal: its drafter (proposer), editors and submitters. */
export function authorsOf(proposal: Pick<ProposalApprovalInput, 'proposer' | 'authors'>): string[] {
  return [...new Set([proposal.proposer.subject, ...(proposal.authors ?? [])])];
}
function isAuthor(state: ApprovalState, subject: string, rules: RuleSet): boolean {
  return rules === 'duties' ? authorsOf(state.proposal).includes(subject) : subject === state.proposal.proposer.subject;
}

/**
 * Who may act on a step: a recorded delegate, else holders of its role and organisation. A delegate must hold the
 * step's role in the step's organisation too (checked at delegation and again here, at every action).
 */
export function mayHold(step: Step, actor: ActorRef, rules: RuleSet = 'duties'): Refusal | undefined {
  if (step.delegatedTo) {
    if (actor.subject !== step.delegatedTo)
      return { code: 'PERMISSION_DENIED', reason: 'DELEGATED_TO_OTHER', message: `step ${step.stepId} is delegated to ${step.delegatedTo}` };
    if (rules === 'original') return undefined;
  }
  if (actor.organisation !== step.organisation) {
    return {
      code: 'PERMISSION_DENIED',
      reason: 'WRONG_ORGANISATION',
      message: `step ${step.stepId} belongs to organisation ${step.organisation}, not ${actor.organisation}`,
    };
  }
  if (!actor.roles.includes(step.role)) {
    return { code: 'PERMISSION_DENIED', reason: 'MISSING_ROLE', message: `step ${step.stepId} requires role ${step.role}` };
  }
  return undefined;
}

export function isBlocking(step: Step): boolean {
  return step.position === undefined || (step.position === 'OBJECT' && step.overruledBy === undefined);
}

/** After `stepId` stops blocking: open the next stage, or approve after the last one. */
function advanceIfComplete(state: ApprovalState, steps: readonly Step[], actor: ActorRef, comment: string, at: number): ApprovalEvent[] {
  if (steps.some(isBlocking)) return [];
  const round = currentRound(state);
  if (round.current + 1 < round.stages.length) return [{ type: 'stageOpened', stageIndex: round.current + 1, at }];
  return [{ type: 'roundDecided', outcome: 'approved', actor, comment, at }];
}

const countersignPositions: readonly Position[] = ['APPROVE', 'NO_OBJECTION', 'OBJECT', 'ABSTAIN', 'RETURN_FOR_REVISION', 'REJECT'];
const singlePositions: readonly Position[] = ['APPROVE', 'RETURN_FOR_REVISION', 'REJECT'];

function decideSignOff(state: ApprovalState, cmd: Extract<Command, { type: 'signOff' }>, rules: RuleSet): Decision {
  if (awaitingRebase(state)) return refuse('FAILED_PRECONDITION', 'REBASE_REQUIRED', rebaseMessage(state.rebase!));
  if (state.status !== 'in_progress') return refuse('FAILED_PRECONDITION', 'NOT_IN_APPROVAL', `proposal ${state.proposal.proposalId} is ${state.status}`);
  const stage = currentStage(state);
  const step = stage?.steps.find((s) => s.stepId === cmd.stepId);
  if (!stage || !step) return refuse('FAILED_PRECONDITION', 'STEP_NOT_OPEN', `step ${cmd.stepId} is not open in round ${currentRound(state).round}`);
  if (isAuthor(state, cmd.actor.subject, rules))
    return refuse('PERMISSION_DENIED', 'SELF_APPROVAL', 'nobody signs a step of their own proposal (its drafter, editors and submitters are its authors)');
  const signed = state.signers[cmd.actor.subject];
  if (signed !== undefined && signed !== step.stepId)
    return refuse('PERMISSION_DENIED', 'ONE_STEP_PER_PERSON', `${cmd.actor.subject} already signed step ${signed} of this proposal`);
  const holder = mayHold(step, cmd.actor, rules);
  if (holder) return { ok: false, refusal: holder };
  if (step.claimedBy && step.claimedBy !== cmd.actor.subject)
    return refuse('FAILED_PRECONDITION', 'CLAIMED_BY_OTHER', `step ${step.stepId} is claimed by ${step.claimedBy}`);
  // A position is final, except an objection, which its holder may withdraw by signing again.
  if (step.position !== undefined && step.position !== 'OBJECT')
    return refuse('FAILED_PRECONDITION', 'ALREADY_SIGNED', `step ${step.stepId} was already signed (${step.position})`);
  const allowed = stage.definition.kind === 'countersign' ? countersignPositions : singlePositions;
  if (!allowed.includes(cmd.position))
    return refuse('INVALID_ARGUMENT', 'POSITION_NOT_ALLOWED', `${cmd.position} is not a position of a ${stage.definition.kind} step`);
  if (step.mustConcur && cmd.position === 'ABSTAIN')
    return refuse('FAILED_PRECONDITION', 'MUST_CONCUR', `${step.label} must concur; abstaining is not possible`);
  if (['OBJECT', 'REJECT', 'RETURN_FOR_REVISION'].includes(cmd.position) && cmd.comment.trim() === '') {
    return refuse('INVALID_ARGUMENT', 'COMMENT_REQUIRED', `${cmd.position} requires a comment`);
  }
  if (rules === 'duties' && cmd.position === 'OBJECT' && (step.objections ?? 0) >= maxObjections) {
    return refuse('FAILED_PRECONDITION', 'OBJECTION_LIMIT', `step ${step.stepId} has objected ${maxObjections} times in this round; sign another position`);
  }
  const signedEvent: ApprovalEvent = {
    type: 'stepSigned',
    stepId: step.stepId,
    actor: cmd.actor,
    position: cmd.position,
    comment: cmd.comment,
    at: cmd.at,
    asDelegate: step.delegatedTo === cmd.actor.subject,
    ...(step.position ? { previous: step.position } : {}),
  };
  if (cmd.position === 'REJECT') return accept(signedEvent, { type: 'roundDecided', outcome: 'rejected', actor: cmd.actor, comment: cmd.comment, at: cmd.at });
  if (cmd.position === 'RETURN_FOR_REVISION')
    return accept(signedEvent, { type: 'roundDecided', outcome: 'returned', actor: cmd.actor, comment: cmd.comment, at: cmd.at });
  const after = stage.steps.map((s) => (s.stepId === step.stepId ? { ...withoutKey(s, 'overruledBy'), position: cmd.position } : s));
  return accept(signedEvent, ...advanceIfComplete(state, after, cmd.actor, cmd.comment, cmd.at));
}

function decideOverrule(state: ApprovalState, cmd: Extract<Command, { type: 'overrule' }>, rules: RuleSet): Decision {
  if (state.status !== 'in_progress') return refuse('FAILED_PRECONDITION', 'NOT_IN_APPROVAL', `proposal ${state.proposal.proposalId} is ${state.status}`);
  const step = currentStage(state)?.steps.find((s) => s.stepId === cmd.stepId);
  if (!step || step.position !== 'OBJECT' || step.overruledBy !== undefined)
    return refuse('FAILED_PRECONDITION', 'NO_OBJECTION_TO_OVERRULE', `step ${cmd.stepId} has no standing objection`);
  if (isAuthor(state, cmd.actor.subject, rules))
    return refuse('PERMISSION_DENIED', 'SELF_APPROVAL', 'nobody decides on their own proposal (its drafter, editors and submitters are its authors)');
  // Only the holder of the route's final approval may overrule (the last stage's parties).
  const finalStage = currentRound(state).stages[currentRound(state).stages.length - 1];
  const holds = finalStage?.steps.some((s) => s.organisation === cmd.actor.organisation && cmd.actor.roles.includes(s.role)) ?? false;
  if (!holds) return refuse('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'only the final approver may overrule an objection');
  if (cmd.comment.trim() === '') return refuse('INVALID_ARGUMENT', 'COMMENT_REQUIRED', 'overruling an objection requires a comment');
  const stage = currentStage(state);
  const after = (stage?.steps ?? []).map((s) => (s.stepId === step.stepId ? { ...s, overruledBy: cmd.actor.subject } : s));
  return accept(
    { type: 'objectionOverruled', stepId: step.stepId, actor: cmd.actor, comment: cmd.comment, at: cmd.at },
    ...advanceIfComplete(state, after, cmd.actor, cmd.comment, cmd.at),
  );
}

function openStepFor(state: ApprovalState, stepId: string): Step | Refusal {
  if (state.status !== 'in_progress')
    return { code: 'FAILED_PRECONDITION', reason: 'NOT_IN_APPROVAL', message: `proposal ${state.proposal.proposalId} is ${state.status}` };
  const step = currentStage(state)?.steps.find((s) => s.stepId === stepId);
  if (!step || step.position !== undefined) return { code: 'FAILED_PRECONDITION', reason: 'STEP_NOT_OPEN', message: `step ${stepId} is not open` };
  return step;
}
const isRefusal = (x: Step | Refusal): x is Refusal => 'code' in x;

/** Claim and delegate take hold of a step: refused once the step's actions in this round reach the cap. */
function actionLimit(step: Step, rules: RuleSet): Decision | undefined {
  if (rules === 'duties' && (step.actions ?? 0) >= maxStepActions) {
    return refuse(
      'FAILED_PRECONDITION',
      'STEP_ACTION_LIMIT',
      `step ${step.stepId} was claimed, released, delegated or taken back ${maxStepActions} times in this round; sign it or leave it`,
    );
  }
  return undefined;
}

/** `rules`: 'duties' for every decision made now; 'original' only to replay a history recorded before them. */
export function decide(state: ApprovalState, cmd: Command, rules: RuleSet = 'duties'): Decision {
  switch (cmd.type) {
    case 'signOff':
      return decideSignOff(state, cmd, rules);
    case 'overrule':
      return decideOverrule(state, cmd, rules);
    case 'claim': {
      const step = openStepFor(state, cmd.stepId);
      if (isRefusal(step)) return { ok: false, refusal: step };
      const holder = mayHold(step, cmd.actor, rules);
      if (holder) return { ok: false, refusal: holder };
      if (step.claimedBy === cmd.actor.subject) return accept();
      if (step.claimedBy) return refuse('FAILED_PRECONDITION', 'CLAIMED_BY_OTHER', `step ${step.stepId} is claimed by ${step.claimedBy}`);
      const limited = actionLimit(step, rules);
      if (limited) return limited;
      return accept({ type: 'stepClaimed', stepId: step.stepId, actor: cmd.actor, at: cmd.at });
    }
    case 'release': {
      const step = openStepFor(state, cmd.stepId);
      if (isRefusal(step)) return { ok: false, refusal: step };
      if (step.claimedBy !== cmd.actor.subject)
        return refuse('FAILED_PRECONDITION', 'NOT_CLAIMED_BY_YOU', `step ${step.stepId} is not claimed by ${cmd.actor.subject}`);
      return accept({ type: 'stepReleased', stepId: step.stepId, actor: cmd.actor, at: cmd.at });
    }
    case 'delegate': {
      const step = openStepFor(state, cmd.stepId);
      if (isRefusal(step)) return { ok: false, refusal: step };
      if (step.delegatedTo) return refuse('FAILED_PRECONDITION', 'ALREADY_DELEGATED', `step ${step.stepId} is already delegated to ${step.delegatedTo}`);
      const holder = mayHold(step, cmd.actor, rules);
      if (holder) return { ok: false, refusal: holder };
      if (cmd.delegate.trim() === '' || cmd.delegate === cmd.actor.subject)
        return refuse('INVALID_ARGUMENT', 'INVALID_DELEGATE', 'delegate must name a colleague');
      if (isAuthor(state, cmd.delegate, rules)) return refuse('PERMISSION_DENIED', 'SELF_APPROVAL', 'a step cannot be delegated to an author of the proposal');
      if (rules === 'duties') {
        const who = cmd.delegateIdentity;
        if (!who || who.subject !== cmd.delegate)
          return refuse('INVALID_ARGUMENT', 'DELEGATE_NOT_RESOLVED', `delegate ${cmd.delegate} was not resolved through the directory of people`);
        if (who.organisation !== step.organisation)
          return refuse(
            'PERMISSION_DENIED',
            'DELEGATE_WRONG_ORGANISATION',
            `step ${step.stepId} belongs to organisation ${step.organisation}; ${cmd.delegate} is in ${who.organisation}`,
          );
        if (!who.roles.includes(step.role))
          return refuse('PERMISSION_DENIED', 'DELEGATE_MISSING_ROLE', `step ${step.stepId} requires role ${step.role}, which ${cmd.delegate} does not hold`);
        const limited = actionLimit(step, rules);
        if (limited) return limited;
      }
      return accept({ type: 'stepDelegated', stepId: step.stepId, actor: cmd.actor, delegate: cmd.delegate, at: cmd.at });
    }
    case 'takeBack': {
      const step = openStepFor(state, cmd.stepId);
      if (isRefusal(step)) return { ok: false, refusal: step };
      if (!step.delegatedTo || step.delegatedBy !== cmd.actor.subject)
        return refuse('FAILED_PRECONDITION', 'NOT_YOUR_DELEGATION', `step ${step.stepId} was not delegated by ${cmd.actor.subject}`);
      return accept({ type: 'delegationTakenBack', stepId: step.stepId, actor: cmd.actor, at: cmd.at });
    }
    case 'withdraw': {
      if (state.status !== 'in_progress' && state.status !== 'awaiting_resubmission')
        return refuse('FAILED_PRECONDITION', 'ALREADY_DECIDED', `proposal ${state.proposal.proposalId} is ${state.status}`);
      if (cmd.actor.subject !== state.proposal.proposer.subject)
        return refuse('PERMISSION_DENIED', 'NOT_PROPOSER', 'only the proposer may withdraw the proposal');
      if (cmd.reason.trim() === '') return refuse('INVALID_ARGUMENT', 'COMMENT_REQUIRED', 'withdrawal requires a reason');
      return accept({ type: 'roundDecided', outcome: 'withdrawn', actor: cmd.actor, comment: cmd.reason, at: cmd.at });
    }
    case 'resubmit':
      if (state.status !== 'awaiting_resubmission')
        return refuse('FAILED_PRECONDITION', 'NOT_RETURNED', `proposal ${state.proposal.proposalId} is ${state.status}`);
      if (cmd.resubmission.proposalRevision <= state.proposal.proposalRevision)
        return refuse(
          'FAILED_PRECONDITION',
          'STALE_REVISION',
          `revision ${cmd.resubmission.proposalRevision} is not newer than ${state.proposal.proposalRevision}`,
        );
      return accept({ type: 'resubmitted', resubmission: cmd.resubmission, at: cmd.at }, { type: 'stageOpened', stageIndex: 0, at: cmd.at });
    case 'supersede': {
      // Approving against bases the edition has replaced would publish a stale change: the round goes back to
      // the proposer, who rebases onto the edition and resubmits (a new round), or withdraws.
      if (state.rebase?.cycleId === cmd.edition.cycleId) return accept();
      const superseded: ApprovalEvent = { type: 'superseded', edition: cmd.edition, at: cmd.at };
      if (state.status === 'awaiting_resubmission') return accept(superseded);
      if (state.status !== 'in_progress') return refuse('FAILED_PRECONDITION', 'ALREADY_DECIDED', `proposal ${state.proposal.proposalId} is ${state.status}`);
      return accept(superseded, { type: 'roundDecided', outcome: 'returned', actor: systemActor, comment: rebaseMessage(cmd.edition), at: cmd.at });
    }
    case 'tick': {
      const stage = currentStage(state);
      if (state.status !== 'in_progress' || !stage || stage.dueAt === undefined) return accept();
      const events: ApprovalEvent[] = [];
      if (!stage.reminded && cmd.at >= stage.dueAt - stage.definition.reminderBeforeSeconds * 1000) events.push({ type: 'stageReminded', at: cmd.at });
      if (!stage.escalated && cmd.at >= stage.dueAt) events.push({ type: 'stageEscalated', at: cmd.at });
      return accept(...events);
    }
    default: {
      const unreachable: never = cmd;
      throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
    }
  }
}

function mapCurrentStage(state: ApprovalState, f: (stage: Stage) => Stage): ApprovalState {
  const round = currentRound(state);
  const stages = round.stages.map((s, i) => (i === round.current ? f(s) : s));
  return { ...state, rounds: [...state.rounds.slice(0, -1), { ...round, stages }] };
}
function mapStep(state: ApprovalState, stepId: string, f: (step: Step) => Step): ApprovalState {
  return mapCurrentStage(state, (stage) => ({ ...stage, steps: stage.steps.map((s) => (s.stepId === stepId ? f(s) : s)) }));
}
function withoutKey<T extends object>(o: T, ...keys: (keyof T)[]): T {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
}

export function evolve(state: ApprovalState, event: ApprovalEvent): ApprovalState {
  switch (event.type) {
    case 'stepSigned': {
      const next = mapStep(state, event.stepId, (s) => ({
        ...withoutKey(s, 'claimedBy', 'overruledBy'),
        position: event.position,
        signedBy: event.actor.subject,
        comment: event.comment,
        signedAt: event.at,
        ...(event.position === 'OBJECT' ? { objections: (s.objections ?? 0) + 1 } : {}),
      }));
      return { ...next, signers: { ...next.signers, [event.actor.subject]: event.stepId } };
    }
    case 'objectionOverruled':
      return mapStep(state, event.stepId, (s) => ({ ...s, overruledBy: event.actor.subject }));
    case 'stepClaimed':
      return mapStep(state, event.stepId, (s) => ({ ...s, claimedBy: event.actor.subject, actions: (s.actions ?? 0) + 1 }));
    case 'stepReleased':
      return mapStep(state, event.stepId, (s) => ({ ...withoutKey(s, 'claimedBy'), actions: (s.actions ?? 0) + 1 }));
    case 'stepDelegated':
      return mapStep(state, event.stepId, (s) => ({
        ...withoutKey(s, 'claimedBy'),
        delegatedTo: event.delegate,
        delegatedBy: event.actor.subject,
        actions: (s.actions ?? 0) + 1,
      }));
    case 'delegationTakenBack':
      return mapStep(state, event.stepId, (s) => ({ ...withoutKey(s, 'delegatedTo', 'delegatedBy', 'claimedBy'), actions: (s.actions ?? 0) + 1 }));
    case 'stageOpened': {
      const round = currentRound(state);
      const stages = round.stages.map((s, i) => (i === event.stageIndex ? { ...s, openedAt: event.at, dueAt: event.at + s.definition.dueSeconds * 1000 } : s));
      return { ...state, rounds: [...state.rounds.slice(0, -1), { ...round, stages, current: event.stageIndex }] };
    }
    case 'stageReminded':
      return mapCurrentStage(state, (s) => ({ ...s, reminded: true }));
    case 'stageEscalated':
      return mapCurrentStage(state, (s) => ({ ...s, escalated: true }));
    case 'roundDecided': {
      const round = currentRound(state);
      const status: ApprovalStatus = event.outcome === 'returned' ? 'awaiting_resubmission' : event.outcome;
      return {
        ...state,
        status,
        rounds: [...state.rounds.slice(0, -1), { ...round, outcome: event.outcome }],
        ...(event.outcome === 'approved' ? { finalApprover: event.actor, decidedAt: event.at } : { decidedAt: event.at }),
      };
    }
    case 'resubmitted': {
      const { changeSet: _changeSet, ...summary } = event.resubmission;
      const authors =
        summary.authors || state.proposal.authors ? { authors: [...new Set([...(state.proposal.authors ?? []), ...(summary.authors ?? [])])] } : {};
      const proposal = { ...state.proposal, ...summary, ...authors };
      const next = openRound(state.route, proposal, state.rounds.length + 1);
      return { ...withoutKey(state, 'decidedAt', 'rebase'), proposal, status: 'in_progress', rounds: [...state.rounds, next] };
    }
    case 'superseded':
      return { ...state, rebase: event.edition };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The next instant the workflow must wake up by itself (reminder, then escalation), if any. */
export function nextDeadline(state: ApprovalState): number | undefined {
  const stage = currentStage(state);
  if (state.status !== 'in_progress' || !stage || stage.dueAt === undefined) return undefined;
  if (!stage.reminded) return stage.dueAt - stage.definition.reminderBeforeSeconds * 1000;
  if (!stage.escalated) return stage.dueAt;
  return undefined;
}

export function rebaseMessage(edition: RebaseNotice): string {
  return `rebase or withdraw: unified revision ${edition.cycleId} released "${edition.title}" (effective ${edition.effectiveFrom}); the proposer must rebase onto it and resubmit, or withdraw`;
}

/** Rebase pending: the round was sent back because an edition replaced its bases; approvers keep seeing it. */
function awaitingRebase(state: ApprovalState): boolean {
  return state.status === 'awaiting_resubmission' && state.rebase !== undefined;
}

export function needsOf(state: ApprovalState): string[] {
  const stage = currentStage(state);
  if (awaitingRebase(state)) return [rebaseMessage(state.rebase!)];
  if (state.status !== 'in_progress' || !stage) return [];
  return stage.steps.flatMap((s) =>
    s.position === undefined ? [`waiting for ${s.label}`] : isBlocking(s) ? [`objection from ${s.label}: ${s.comment ?? ''}`] : [],
  );
}

export function toView(state: ApprovalState): ApprovalView {
  const last = state.rounds.length - 1;
  return {
    proposal: state.proposal,
    workflowId: state.workflowId,
    routeId: state.route.routeId,
    routeVersion: state.route.version,
    status: state.status,
    round: currentRound(state).round,
    needs: needsOf(state),
    ...(state.rebase ? { rebase: state.rebase } : {}),
    rounds: state.rounds.map((round, ri) => ({
      round: round.round,
      proposalRevision: round.proposalRevision,
      ...(round.outcome ? { outcome: round.outcome } : {}),
      steps: round.stages.flatMap((stage, si) =>
        stage.openedAt === undefined
          ? []
          : stage.steps.map(({ actions: _actions, objections: _objections, ...step }): StepView => ({
              ...step,
              stageName: stage.definition.name,
              ...(stage.dueAt !== undefined ? { dueAt: stage.dueAt } : {}),
              escalated: stage.escalated,
              escalationRole: stage.definition.escalationRole,
              escalationOrganisation: stage.definition.escalationOrganisation,
              open: ri === last && si === round.current && state.status === 'in_progress' && isBlocking(step),
            })),
      ),
    })),
  };
}

/** Visibility keys of the open steps: "role@organisation" for holders and escalation, "subject:<id>" for delegates. */
export function openKeys(state: ApprovalState): { roles: string[]; organisations: string[]; dueAt?: number; escalated: boolean } {
  const stage = currentStage(state);
  if ((state.status !== 'in_progress' && !awaitingRebase(state)) || !stage) return { roles: [], organisations: [], escalated: false };
  const open = stage.steps.filter(isBlocking);
  const roles = new Set<string>();
  const organisations = new Set<string>();
  for (const s of open) {
    roles.add(s.delegatedTo ? `subject:${s.delegatedTo}` : `${s.role}@${s.organisation}`);
    organisations.add(s.organisation);
  }
  if (stage.escalated && open.length > 0) {
    roles.add(`${stage.definition.escalationRole}@${stage.definition.escalationOrganisation}`);
    organisations.add(stage.definition.escalationOrganisation);
  }
  return {
    roles: [...roles].sort(),
    organisations: [...organisations].sort(),
    ...(stage.dueAt !== undefined ? { dueAt: stage.dueAt } : {}),
    escalated: stage.escalated,
  };
}

/** The keys under which an actor finds their inbox items (see openKeys). */
export function inboxKeysOf(actor: ActorRef): string[] {
  return [...actor.roles.map((r) => `${r}@${actor.organisation}`), `subject:${actor.subject}`];
}

/**
 * Inbox items of one approval for an actor: open steps they may sign, plus escalations addressed to their role.
 * While a rebase is pending, the steps that were open stay listed (not signable) so the inbox says why they wait.
 */
export function inboxItemsFor(view: ApprovalView, actor: ActorRef): { step: StepView; escalation: boolean }[] {
  const rebasing = view.status === 'awaiting_resubmission' && view.rebase !== undefined;
  if (view.status !== 'in_progress' && !rebasing) return [];
  const round = view.rounds[view.rounds.length - 1];
  if (!round) return [];
  const items: { step: StepView; escalation: boolean }[] = [];
  const authors = authorsOf(view.proposal);
  for (const step of round.steps) {
    if (rebasing ? step.position !== undefined : !step.open) continue;
    const holdsRole = step.organisation === actor.organisation && actor.roles.includes(step.role);
    const holds = step.delegatedTo ? step.delegatedTo === actor.subject && holdsRole : holdsRole;
    const claimedByOther = step.claimedBy !== undefined && step.claimedBy !== actor.subject;
    if (holds && !claimedByOther && !authors.includes(actor.subject)) items.push({ step, escalation: false });
    else if (step.escalated && step.escalationOrganisation === actor.organisation && actor.roles.includes(step.escalationRole))
      items.push({ step, escalation: true });
  }
  return items;
}
