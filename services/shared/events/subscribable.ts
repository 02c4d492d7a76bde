// Event types a subscription filter may name: what the notifications service takes in (the registry's events and
// the approval outcomes). Shared so the gateway's console offers exactly the types the service accepts.
import { approvalEvents } from './approvals';
import { standardEvents } from './standards';

export const subscribableEventTypes: readonly string[] = [...Object.values(standardEvents), ...Object.values(approvalEvents)].map((d) => d.type);

/**
 * What downstream systems may receive: the registry's publications and filing notices. Everything else — the
 * approval deliberations (steps signed, objections, approved change sets, decisions) and the registry's refusals
 * of change sets — is internal and needs an internal role (issue #14: subscribers saw the deliberations).
 */
export const publicationEventTypes: readonly string[] = [
  standardEvents.versionPublished,
  standardEvents.versionEffective,
  standardEvents.localStandardFiled,
  standardEvents.floorBreached,
].map((d) => d.type);

/** Roles that may receive internal event types. */
export const internalEventRoles: readonly string[] = ['operator', 'auditor'];

export function isInternalEventType(type: string): boolean {
  return !publicationEventTypes.includes(type);
}
