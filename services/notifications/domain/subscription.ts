// A subscription's life: decide (command -> events, or a refusal) and evolve (event -> state). Pure.
import { FailedPreconditionError } from '../../shared/errors/errors';
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
      readonly type: 'create';
      readonly id: string;
      readonly organisation: string;
      readonly endpointUrl: string;
      readonly filter: EventFilter;
      readonly description: string;
      readonly secret: string;
      readonly by: string;
      readonly at: Date;
    }
  | { readonly type: 'pause'; readonly at: Date }
  | { readonly type: 'resume'; readonly at: Date }
  | { readonly type: 'rotateSecret'; readonly secret: string; readonly graceMs: number; readonly at: Date }
  | { readonly type: 'disable'; readonly reason: string; readonly at: Date }
  | { readonly type: 'delete'; readonly at: Date };

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

const refuse = (state: SubscriptionState, what: string): never => {
  throw new FailedPreconditionError(
    `cannot ${what} a ${state.status} subscription`,
    [{ type: 'SUBSCRIPTION_STATUS', subject: `subscriptions/${state.id}`, description: `subscription is ${state.status}` }],
    'SUBSCRIPTION_STATUS',
  );
};

export function decide(state: SubscriptionState | undefined, command: SubscriptionCommand): readonly SubscriptionEvent[] {
  if (command.type === 'create') {
    if (state) throw new FailedPreconditionError(`subscription ${command.id} already exists`);
    const { type: _type, ...rest } = command;
    return [{ type: 'created', ...rest }];
  }
  if (!state) throw new FailedPreconditionError('subscription does not exist');
  if (state.status === 'deleted') return refuse(state, command.type);
  switch (command.type) {
    case 'pause':
      if (state.status === 'paused') return []; // idempotent
      return state.status === 'active' ? [{ type: 'paused', at: command.at }] : refuse(state, 'pause');
    case 'resume':
      return state.status === 'active' ? [] : [{ type: 'resumed', at: command.at }];
    case 'rotateSecret':
      return [{ type: 'secretRotated', secret: command.secret, previousExpiresAt: new Date(command.at.getTime() + command.graceMs), at: command.at }];
    case 'disable':
      return state.status === 'active' ? [{ type: 'disabled', reason: command.reason, at: command.at }] : []; // a paused one stays paused
    case 'delete':
      return [{ type: 'deleted', at: command.at }];
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

export function evolve(state: SubscriptionState | undefined, event: SubscriptionEvent): SubscriptionState {
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

/** The secrets a delivery is signed with at `now`: the current one and any previous one still in its grace period. */
export function signingSecrets(state: SubscriptionState, now: Date): readonly string[] {
  return state.secrets.filter((s) => s.expiresAt === null || s.expiresAt.getTime() > now.getTime()).map((s) => s.secret);
}

export function previousSecretExpiry(state: SubscriptionState, now: Date): Date | undefined {
  return state.secrets.find((s) => s.expiresAt !== null && s.expiresAt.getTime() > now.getTime())?.expiresAt ?? undefined;
}
