// Who may see and manage which subscriptions. Subscriptions belong to the creator's organisation; a province
// officer subscribes only for its own province; an operator inspects and redelivers for everyone.
import { PermissionDeniedError, ValidationError } from '../../shared/errors/errors';
import type { Identity } from '../../shared/auth/identity';
import type { EventFilter } from './filter';
import { internalEventRoles, isInternalEventType } from '../../shared/events/subscribable';

export type Access = 'manage' | 'operate';

const subscriberRoles = ['subscriber-admin', 'province-officer'] as const;

export function requireSubscriber(identity: Identity, action: string): void {
  if (!subscriberRoles.some((r) => identity.roles.includes(r))) {
    throw new PermissionDeniedError(`${action} requires role subscriber-admin or province-officer`, 'MISSING_ROLE');
  }
}

/** Operators and auditors read every organisation's subscriptions and deliveries. */
export function seesEverything(identity: Identity): boolean {
  return identity.roles.includes('operator') || identity.roles.includes('auditor');
}

/** True when `identity` may read the subscription of `organisation` (its own; any for an operator or auditor). */
export function canRead(identity: Identity, organisation: string): boolean {
  return identity.organisation === organisation || seesEverything(identity);
}

/** True when `identity` may change the subscription (pause, rotate, delete…): its own organisation only. */
export function canManage(identity: Identity, organisation: string): boolean {
  return identity.organisation === organisation && subscriberRoles.some((r) => identity.roles.includes(r));
}

/** True when `identity` may re-send deliveries of the subscription: its owner or an operator. */
export function canRedeliver(identity: Identity, organisation: string): boolean {
  return canManage(identity, organisation) || identity.roles.includes('operator');
}

/**
 * The filter a caller may use: a province officer (whose organisation is its GB/T 2260 code) is limited to its
 * own province; asking for another is refused rather than silently narrowed.
 */
export function scopedFilter(identity: Identity, filter: EventFilter, field = 'filter.province_codes'): EventFilter {
  const internal = filter.eventTypes.filter(isInternalEventType);
  if (internal.length > 0 && !identity.roles.some((r) => internalEventRoles.includes(r))) {
    throw new PermissionDeniedError(
      `internal event types (${internal.join(', ')}) need role ${internalEventRoles.join(' or ')}; downstream systems receive publications only`,
      'INTERNAL_EVENT_TYPE',
    );
  }
  if (identity.roles.includes('subscriber-admin') || identity.roles.includes('operator')) return filter;
  if (identity.roles.includes('province-officer')) {
    const others = filter.provinceCodes.filter((p) => p !== identity.organisation);
    if (others.length > 0) {
      throw new ValidationError([
        {
          field,
          description: `a province officer of ${identity.organisation} may only subscribe for its own province (not ${others.join(', ')})`,
          reason: 'OTHER_PROVINCE',
        },
      ]);
    }
    return { ...filter, provinceCodes: [identity.organisation] };
  }
  throw new PermissionDeniedError('subscribing requires role subscriber-admin or province-officer', 'MISSING_ROLE');
}
