// Proposal commands through the one command handler (services/shared/domain/command-handler.ts): load → decide →
// append → on a concurrent append load and decide again. The domain returns refusals; here, at its edge, they become
// the platform errors the gRPC bootstrap maps (and audits), with the domain's codes, reasons and messages.
import type { Actor } from '../../../proto/gen/bps/common/v1/common';
import { handleCommand } from '../../shared/domain/command-handler';
import type { Decider, Refusal } from '../../shared/domain/decider';
import { ConcurrencyError, NotFoundError, PermissionDeniedError, ruleRefusalError, type PlatformError } from '../../shared/errors/errors';
import { currentRevision, decide, evolve, isEditable, proposerRefusal, type Command, type ProposalEvent, type ProposalState } from '../domain/proposal';
import type { ProposalEventLog } from './ports';

/**
 * Appends lost to a concurrent writer before the call fails (ABORTED). More than the handler's default: keeping
 * conflicts symmetric writes to other proposals' logs, so several writers meet on one log.
 */
export const appendAttempts = 8;

/** The error of a domain refusal about proposal `subject`. */
export function refusalError(refusal: Refusal, subject: string): PlatformError {
  // The domain's message is the whole message (ruleRefusalError would prefix a permission refusal with its reason).
  if (refusal.code === 'PERMISSION_DENIED') return new PermissionDeniedError(refusal.message, refusal.reason);
  return ruleRefusalError(refusal, subject, 'proposal_id');
}

/** Only staff of the lead ministry act on a proposal's lifecycle (domain/proposal.ts proposerRefusal). */
export function authorise(state: ProposalState, actor: Actor, action: string): void {
  const refusal = proposerRefusal(state, actor, action);
  if (refusal) throw refusalError(refusal, state.id);
}

/**
 * Optimistic concurrency on the content: the revision a caller edited must still be the current one while the
 * proposal can change (ABORTED with the current revision otherwise). A frozen proposal is refused by the domain.
 */
export function expectRevision(state: ProposalState, expected: number): void {
  if (!isEditable(state)) return;
  const current = currentRevision(state).revision;
  if (expected !== current) throw new ConcurrencyError(`proposal ${state.id} is at revision ${current}, not ${expected}`, current);
}

/** The aggregate as a Decider; events decided now are recorded at `at`. */
function deciderAt(at: Date): Decider<ProposalState | undefined, Command, ProposalEvent> {
  return { initialState: undefined, decide, evolve: (state, event) => evolve(state, { sequence: (state?.sequence ?? 0) + 1, at, event }) };
}

/**
 * Runs a command on a proposal that may not exist yet (create); `command` is built again from the fresh state on each
 * attempt. Returns the state after it; a refusal is returned, for the caller to report.
 */
export async function execute(
  log: ProposalEventLog,
  at: Date,
  id: string,
  command: (state: ProposalState | undefined) => Command,
): Promise<{ ok: true; state: ProposalState | undefined } | { ok: false; refusal: Refusal; state: ProposalState | undefined }> {
  const handled = await handleCommand(log, deciderAt(at), id, command, appendAttempts);
  return handled.ok ? { ok: true, state: handled.state } : { ok: false, refusal: handled.refusal, state: handled.state };
}

/** Runs a command on an existing proposal (NOT_FOUND otherwise); a refusal is thrown as its platform error. */
export async function executeExisting(log: ProposalEventLog, at: Date, id: string, command: (state: ProposalState) => Command): Promise<ProposalState> {
  const handled = await execute(log, at, id, (s) => {
    if (!s) throw new NotFoundError('proposal', id);
    return command(s);
  });
  if (!handled.ok) throw refusalError(handled.refusal, id);
  if (!handled.state) throw new NotFoundError('proposal', id);
  return handled.state;
}
