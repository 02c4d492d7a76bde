// A subscription's life: decide (command -> events, or a refusal) and evolve (event -> state), as the shared
// Decider (services/shared/domain/decider.ts). Pure.
import { accepted, refused, type Decider, type Decision } from '../../shared/domain/decider';
import type { EventFilter } from './filter';

export type SubscriptionStatus = 'active' | 'paused' | 'disabled' | 'deleted';

export type SigningSecret = { readonly secret: string; readonly createdAt: Date; /** null = current secret */ readonly expiresAt: Date | null };

export type SubscriptionState = {
  readonly id: string;
  readonly organisation: string;
  readonly endpointUrl: string;
  readonly filter: EventFilter;
  readonly description: string;
  readonly status: SubscriptionStatus;
  readonly disabledReason: string;
  /** Newest first. Expired previous secrets are dropped by the next rotation. */
  readonly secrets: readonly SigningSecret[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly createdBy: string;
  readonly revision: number;
};

export type SubscriptionCommand =
  | {
      readonly kind: 'create';
      readonly id: string;
      readonly organisation: string;
      readonly endpointUrl: string;
      readonly filter: EventFilter;
      readonly description: string;
      readonly secret: string;
      readonly by: string;
      readonly at: Date;
    }
  | { readonly kind: 'pause'; readonly at: Date }
  | { readonly kind: 'resume'; readonly at: Date }
  | { readonly kind: 'rotateSecret'; readonly secret: string; readonly graceMs: number; readonly at: Date }
  | { readonly kind: 'disable'; readonly reason: string; readonly at: Date }
  | { readonly kind: 'delete'; readonly at: Date };

export type SubscriptionEvent =
  | {
      readonly type: 'created';
      readonly id: string;
      readonly organisation: string;
      readonly endpointUrl: string;
      readonly filter: EventFilter;
      readonly description: string;
      readonly secret: string;
      readonly by: string;
      readonly at: Date;
    }
  | { readonly type: 'paused'; readonly at: Date }
  | { readonly type: 'resumed'; readonly at: Date }
  | { readonly type: 'secretRotated'; readonly secret: string; readonly previousExpiresAt: Date; readonly at: Date }
  | { readonly type: 'disabled'; readonly reason: string; readonly at: Date }
  | { readonly type: 'deleted'; readonly at: Date };

/** A subscription that does not exist yet (the Decider's initial state). */
export type MaybeSubscription = SubscriptionState | undefined;

const refuseStatus = (state: SubscriptionState, what: string): Decision<SubscriptionEvent> =>
  refused('FAILED_PRECONDITION', 'SUBSCRIPTION_STATUS', `cannot ${what} a ${state.status} subscription`, [
    { field: `subscriptions/${state.id}`, description: `subscription is ${state.status}`, reason: 'SUBSCRIPTION_STATUS' },
  ]);

export function decide(state: MaybeSubscription, command: SubscriptionCommand): Decision<SubscriptionEvent> {
  if (command.kind === 'create') {
    if (state) return refused('FAILED_PRECONDITION', 'SUBSCRIPTION_EXISTS', `subscription ${command.id} already exists`);
    const { kind: _kind, ...rest } = command;
    return accepted<SubscriptionEvent>({ type: 'created', ...rest });
  }
  if (!state) return refused('FAILED_PRECONDITION', 'SUBSCRIPTION_UNKNOWN', 'subscription does not exist');
  if (state.status === 'deleted') return refuseStatus(state, command.kind);
  switch (command.kind) {
    case 'pause':
      if (state.status === 'paused') return accepted(); // idempotent
      return state.status === 'active' ? accepted<SubscriptionEvent>({ type: 'paused', at: command.at }) : refuseStatus(state, 'pause');
    case 'resume':
      return state.status === 'active' ? accepted() : accepted<SubscriptionEvent>({ type: 'resumed', at: command.at });
    case 'rotateSecret':
      return accepted<SubscriptionEvent>({
        type: 'secretRotated',
        secret: command.secret,
        previousExpiresAt: new Date(command.at.getTime() + command.graceMs),
        at: command.at,
      });
    case 'disable':
      // A paused one stays paused.
      return state.status === 'active' ? accepted<SubscriptionEvent>({ type: 'disabled', reason: command.reason, at: command.at }) : accepted();
    case 'delete':
      return accepted<SubscriptionEvent>({ type: 'deleted', at: command.at });
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

export function evolve(state: MaybeSubscription, event: SubscriptionEvent): SubscriptionState {
  if (event.type === 'created') {
    return {
      id: event.id,
      organisation: event.organisation,
      endpointUrl: event.endpointUrl,
      filter: event.filter,
      description: event.description,
      status: 'active',
      disabledReason: '',
      secrets: [{ secret: event.secret, createdAt: event.at, expiresAt: null }],
      createdAt: event.at,
      updatedAt: event.at,
      createdBy: event.by,
      revision: 1,
    };
  }
  if (!state) throw new Error(`cannot apply ${event.type} to a subscription that does not exist`);
  const next = { ...state, updatedAt: event.at, revision: state.revision + 1 };
  switch (event.type) {
    case 'paused':
      return { ...next, status: 'paused' };
    case 'resumed':
      return { ...next, status: 'active', disabledReason: '' };
    case 'disabled':
      return { ...next, status: 'disabled', disabledReason: event.reason };
    case 'deleted':
      return { ...next, status: 'deleted' };
    case 'secretRotated': {
      // The current secret becomes the previous one; older previous secrets end now (two keys at most).
      const current = state.secrets.find((s) => s.expiresAt === null);
      return {
        ...next,
        secrets: [{ secret: event.secret, createdAt: event.at, expiresAt: null }, ...(current ? [{ ...current, expiresAt: event.previousExpiresAt }] : [])],
      };
    }
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export const subscriptionDecider: Decider<MaybeSubscription, SubscriptionCommand, SubscriptionEvent> = { decide, evolve, initialState: undefined };

/** The secrets a delivery is signed with at `now`: the current one and any previous one still in its grace period. */
export function signingSecrets(state: SubscriptionState, now: Date): readonly string[] {
  return state.secrets.filter((s) => s.expiresAt === null || s.expiresAt.getTime() > now.getTime()).map((s) => s.secret);
}

export function previousSecretExpiry(state: SubscriptionState, now: Date): Date | undefined {
  return state.secrets.find((s) => s.expiresAt !== null && s.expiresAt.getTime() > now.getTime())?.expiresAt ?? undefined;
}
