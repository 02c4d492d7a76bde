// Event types a subscription filter may name: what the notifications service takes in (the registry's events, the
// approval outcomes and the standardisation programme's publications). Shared so the gateway's console offers
// exactly the types the service accepts.
import { approvalEvents } from './approvals';
import { programmeEvents } from './programme';
import { standardEvents } from './standards';

/**
 * The programme's public steps (seeds 002–004: standards and evaluation results are published to society):
 * a technical standard published, in force or withdrawn; a pilot selected or its results published; an
 * implementation evaluation recorded. Its working steps (applications, screenings, expert groups) are not sent out.
 */
export const programmePublicationEventTypes: readonly string[] = [
  programmeEvents.standard.published,
  programmeEvents.standard['in-force'],
  programmeEvents.standard.withdrawn,
  programmeEvents.pilot.selected,
  programmeEvents.pilot.published,
  programmeEvents.evaluationRecorded,
].map((d) => d.type);

export const subscribableEventTypes: readonly string[] = [
  ...[...Object.values(standardEvents), ...Object.values(approvalEvents)].map((d) => d.type),
  ...programmePublicationEventTypes,
];

/**
 * What a subscription naming no event type receives, and what downstream systems may receive of the registry: its
 * publications and filing notices (the programme's publications only when named). Everything else — the
 * approval deliberations (steps signed, objections, approved change sets, decisions) and the registry's refusals
 * of change sets — is internal and needs an internal role (issue #14: subscribers saw the deliberations).
 */
export const publicationEventTypes: readonly string[] = [
  standardEvents.versionPublished,
  standardEvents.versionEffective,
  standardEvents.localStandardFiled,
  standardEvents.floorBreached,
].map((d) => d.type);

/**
 * National monitoring's early warnings (issue #17): public (a province's state against the national floor is public
 * like its compliance report), received only when named, as the programme's publications.
 */
export const monitoringWarningEventTypes: readonly string[] = [standardEvents.complianceWarning.type];

/** What downstream systems may receive: the registry's publications and early warnings, and the programme's publications. */
const publicTypes: readonly string[] = [...publicationEventTypes, ...monitoringWarningEventTypes, ...programmePublicationEventTypes];

/** Roles that may receive internal event types. */
export const internalEventRoles: readonly string[] = ['operator', 'auditor'];

export function isInternalEventType(type: string): boolean {
  return !publicTypes.includes(type);
}
