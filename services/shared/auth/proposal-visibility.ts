// Who may read a proposal that is not published (issue #14, object-level reads): its content (justification,
// fiscal data) in any state, its approval steps and their comments. Pure: both the proposals service (which knows
// the lead ministry and the co-proposers) and the approvals service (which also knows the route's steps) decide
// with these two functions. Everyone else is told NOT_FOUND — never PERMISSION_DENIED, so a proposal's existence
// is not revealed — and lists leave such proposals out.
//
// Readers:
// - the auditor and the operator (oversight), and the final approver (a party of every route: its last stage and
//   the escalation of every step) read every proposal;
// - staff and approvers (roles ministry-staff, approver) of the proposing ministry, of a co-proposer (NDRC, MOF)
//   or of an organisation holding a step on the proposal's approval route;
// - nobody else: provincial officers and subscriber systems read published standards through the registry.

/** What visibility looks at of a caller: its organisation and roles (a verified Identity or a workflow ActorRef). */
export type Viewer = { readonly organisation: string; readonly roles: readonly string[] };

/** The parties of one proposal. `route` lists the approval steps (role, organisation) when the caller knows them. */
export type ProposalParties = {
  readonly leadMinistry: string;
  readonly coProposers: readonly string[];
  readonly route?: readonly { readonly role: string; readonly organisation: string }[];
};

/** How far a caller's reading reaches, for listings that filter in the database. */
export type ProposalReadScope =
  | { readonly kind: 'all' }
  /** proposals its organisation leads or co-proposes (or holds a route step of) */
  | { readonly kind: 'organisation'; readonly organisation: string }
  | { readonly kind: 'none' };

const overseers = ['auditor', 'operator', 'final-approver'] as const;
const partyRoles = ['ministry-staff', 'approver'] as const;

export function proposalReadScope(viewer: Viewer): ProposalReadScope {
  if (overseers.some((r) => viewer.roles.includes(r))) return { kind: 'all' };
  if (viewer.organisation !== '' && partyRoles.some((r) => viewer.roles.includes(r))) return { kind: 'organisation', organisation: viewer.organisation };
  return { kind: 'none' };
}

/** True when `viewer` may read the proposal (its content, approval steps and comments). */
export function mayReadProposal(viewer: Viewer, parties: ProposalParties): boolean {
  const scope = proposalReadScope(viewer);
  switch (scope.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'organisation': {
      const org = scope.organisation;
      if (org === parties.leadMinistry || parties.coProposers.includes(org)) return true;
      return (parties.route ?? []).some((step) => step.organisation === org && viewer.roles.includes(step.role));
    }
    default: {
      const never: never = scope;
      throw new Error(`unknown scope ${String(never)}`);
    }
  }
}
