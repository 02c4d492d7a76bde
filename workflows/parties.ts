// Who holds which office in the approval workflows, stated once: the workflows' validators, the approvals service's
// edges (inbox, cycles) and its request checks all ask here. Pure; safe in workflow code and in services.
import type { ActorRef } from './contracts';

/** The final approver: the State Council's office (SCO) in the role final-approver. */
export function isFinalApprover(actor: ActorRef): boolean {
  return actor.organisation === 'SCO' && actor.roles.includes('final-approver');
}

/**
 * The unified revision cycle's organisers: NDRC's approver (NDRC organises the unified revision, seed 000 annex rows 1
 * and 16) and the final approver. They open cycles and trim entries in consolidation.
 */
export function isCycleOrganiser(actor: ActorRef): boolean {
  return (actor.organisation === 'NDRC' && actor.roles.includes('approver')) || isFinalApprover(actor);
}
