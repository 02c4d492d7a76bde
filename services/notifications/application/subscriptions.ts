// The Subscriptions API's use cases: a subscription is visible only to its organisation (and to operators/auditors,
// read-only), changed only by its organisation, redelivered by it or an operator. Each step checks access first and
// acts on the subscription it returns; the gRPC edge (adapters/grpc/subscriptions.ts) validates the request between
// the steps, maps messages and turns a command's refusal into an error.
import type { Identity } from '../../shared/auth/identity';
import { NotFoundError, PermissionDeniedError, ValidationError } from '../../shared/errors/errors';
import { canManage, canRead, canRedeliver, seesEverything } from '../domain/access';
import { matches, type EventFilter } from '../domain/filter';
import type { SubscriptionState } from '../domain/subscription';
import { deliveryRow } from './intake';
import type { AttemptDoc, AttemptReader, DeliveryDoc, DeliveryQueue, DeliveryQuery, DeliveryStatus, Feed, SubscriptionStore } from './ports';
import type { SubscriptionCommands, SubscriptionHandled } from './subscription-commands';

export type SubscriptionsPorts = {
  readonly subscriptions: SubscriptionStore;
  readonly commands: SubscriptionCommands;
  readonly deliveries: DeliveryQueue;
  readonly attempts: AttemptReader;
  readonly feed: Feed;
};

/** Replays read the feed in pages of this many entries. */
const REPLAY_PAGE = 500;

export class Subscriptions {
  constructor(private readonly ports: SubscriptionsPorts) {}

  /** The subscription if the caller may read it; another organisation's is "not found" (its existence is not revealed). */
  async readable(identity: Identity, id: string): Promise<SubscriptionState> {
    if (id.trim() === '') throw new ValidationError([{ field: 'subscription_id', description: 'is required' }]);
    const s = await this.ports.subscriptions.get(id);
    if (!s || s.status === 'deleted' || !canRead(identity, s.organisation)) throw new NotFoundError('subscription', id);
    return s;
  }

  /** The subscription if the caller may change it (`action`: what it asks, for the refusal). */
  async manageable(identity: Identity, id: string, action: string): Promise<SubscriptionState> {
    const s = await this.readable(identity, id);
    if (!canManage(identity, s.organisation)) throw new PermissionDeniedError(`only ${s.organisation} may ${action} this subscription`, 'NOT_OWNER');
    return s;
  }

  /** The subscription if the caller may send its deliveries again. */
  async redeliverable(identity: Identity, id: string): Promise<SubscriptionState> {
    const s = await this.readable(identity, id);
    if (!canRedeliver(identity, s.organisation)) throw new PermissionDeniedError(`only ${s.organisation} or an operator may redeliver`, 'NOT_OWNER');
    return s;
  }

  /** The caller's organisation's subscriptions (every one for an operator or auditor). */
  list(identity: Identity): Promise<SubscriptionState[]> {
    return this.ports.subscriptions.list(seesEverything(identity) ? undefined : identity.organisation);
  }

  /** A new subscription of the caller's organisation (`filter` already scoped to what the caller may subscribe to). */
  create(
    identity: Identity,
    input: { id: string; endpointUrl: string; filter: EventFilter; description: string; secret: string; at: Date },
  ): Promise<SubscriptionHandled> {
    const { id, endpointUrl, filter, description, secret, at } = input;
    return this.ports.commands.run(id, {
      kind: 'create',
      id,
      organisation: identity.organisation,
      endpointUrl,
      filter,
      description,
      secret,
      by: identity.subject,
      at,
    });
  }

  async pause(identity: Identity, id: string, at: Date): Promise<SubscriptionHandled> {
    await this.manageable(identity, id, 'pause');
    return this.ports.commands.run(id, { kind: 'pause', at });
  }

  async resume(identity: Identity, id: string, at: Date): Promise<SubscriptionHandled> {
    await this.manageable(identity, id, 'resume');
    return this.ports.commands.run(id, { kind: 'resume', at });
  }

  /** A new signing secret; the previous one signs too for `gracePeriodSeconds` (0: `defaultGraceMs`). */
  async rotateSecret(
    identity: Identity,
    id: string,
    input: { secret: string; gracePeriodSeconds: number; defaultGraceMs: number; at: Date },
  ): Promise<SubscriptionHandled> {
    await this.manageable(identity, id, 'rotate the secret of');
    if (input.gracePeriodSeconds < 0 || input.gracePeriodSeconds > 7 * 24 * 3600) {
      throw new ValidationError([{ field: 'grace_period_seconds', description: 'must be between 0 and 604800 (7 days)' }]);
    }
    const graceMs = input.gracePeriodSeconds === 0 ? input.defaultGraceMs : input.gracePeriodSeconds * 1000;
    return this.ports.commands.run(id, { kind: 'rotateSecret', secret: input.secret, graceMs, at: input.at });
  }

  async delete(identity: Identity, id: string, at: Date): Promise<SubscriptionHandled> {
    await this.manageable(identity, id, 'delete');
    return this.ports.commands.run(id, { kind: 'delete', at });
  }

  /** Deliveries of a subscription the caller reads, or of an event (a subscriber sees only its own). */
  async deliveries(
    identity: Identity,
    request: { subscriptionId: string; eventId: string; status: DeliveryStatus | undefined },
    skip: number,
    limit: number,
  ): Promise<DeliveryDoc[]> {
    const query = { ...(await this.scope(identity, request)), ...(request.status ? { status: request.status } : {}) };
    return this.ports.deliveries.list(query, skip, limit);
  }

  /** Attempts of a subscription's deliveries, or of an event's (a subscriber sees only its own). */
  async attempts(identity: Identity, request: { subscriptionId: string; eventId: string }, skip: number, limit: number): Promise<AttemptDoc[]> {
    return this.ports.attempts.list(await this.scope(identity, request), skip, limit);
  }

  private async scope(identity: Identity, request: { subscriptionId: string; eventId: string }): Promise<DeliveryQuery> {
    let query: DeliveryQuery;
    if (request.subscriptionId !== '') query = { subscriptionId: (await this.readable(identity, request.subscriptionId)).id };
    else if (request.eventId !== '') query = seesEverything(identity) ? {} : { organisation: identity.organisation };
    else throw new ValidationError([{ field: 'subscription_id', description: 'subscription_id or event_id is required' }]);
    return request.eventId !== '' ? { ...query, eventId: request.eventId } : query;
  }

  /** Sends `s`'s dead deliveries again, or those of `eventIds` (delivered ones too); returns how many were requeued. */
  redeliver(s: SubscriptionState, eventIds: readonly string[]): Promise<number> {
    const held = s.status !== 'active';
    return eventIds.length === 0
      ? this.ports.deliveries.reopen({ subscriptionId: s.id }, ['dead'], held)
      : this.ports.deliveries.reopen({ subscriptionId: s.id, eventIds }, ['dead', 'delivered'], held);
  }

  /** Queues for `s` every feed entry after `after` (at or after `since`) its filter matches, delivered before or not. */
  async replay(s: SubscriptionState, after: number, since: Date | undefined): Promise<{ queued: number; upToCursor: number }> {
    let queued = 0;
    for (;;) {
      const batch = await this.ports.feed.page(after, since, REPLAY_PAGE);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.cursor;
      const wanted = batch.filter((doc) => matches(s.filter, doc.facets));
      if (wanted.length === 0) continue;
      queued += await this.ports.deliveries.createMissing(wanted.map((doc) => deliveryRow(s, doc)));
      queued += await this.ports.deliveries.reopen({ subscriptionId: s.id, eventIds: wanted.map((d) => d._id) }, ['delivered', 'dead'], s.status !== 'active');
    }
    return { queued, upToCursor: after };
  }
}
