// Event types every service emits on its own topic family (each family has one writer, so each family has its own
// definition of the same CloudEvents type): a refusal at the service's edge and an event its consumer dead-lettered.
// The audit service files them; subscribers never receive them (they are not publication events, and the
// notifications intake skips them).
import { AccessRefused, EventDeadLettered } from '../../../proto/gen/bps/common/v1/events';
import { defineEvent, topics, type EventDefinition, type TopicFamily } from './catalog';

export const ACCESS_REFUSED_TYPE = 'bps.access.refused';
export const EVENT_DEAD_LETTERED_TYPE = 'bps.event.deadlettered';

const perFamily = <T>(type: string, protoName: string, codec: EventDefinition<T>['codec']): Record<TopicFamily, EventDefinition<T>> => ({
  standards: defineEvent(type, topics.standards, protoName, codec),
  proposals: defineEvent(type, topics.proposals, protoName, codec),
  approvals: defineEvent(type, topics.approvals, protoName, codec),
  notifications: defineEvent(type, topics.notifications, protoName, codec),
  audit: defineEvent(type, topics.audit, protoName, codec),
  programme: defineEvent(type, topics.programme, protoName, codec),
});

export const refusalEvents = {
  accessRefused: perFamily(ACCESS_REFUSED_TYPE, 'bps.common.v1.AccessRefused', AccessRefused),
  eventDeadLettered: perFamily(EVENT_DEAD_LETTERED_TYPE, 'bps.common.v1.EventDeadLettered', EventDeadLettered),
} as const;

/** Types that are records for the audit trail only: never fed to subscribers. */
export const auditOnlyEventTypes: readonly string[] = [ACCESS_REFUSED_TYPE, EVENT_DEAD_LETTERED_TYPE];
