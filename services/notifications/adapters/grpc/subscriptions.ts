// gRPC Subscriptions: handlers typed against ts-proto's SubscriptionsServer. Callers are identified by their
// verified token; the handlers validate and map messages, run the use cases (application/subscriptions.ts) and turn
// a command's refusal into an error (`ruleRefusalError`), which the bootstrap maps to a status and audits.
import { openPageToken, sealPageToken } from '../../../shared/validation/page-token';
import { randomBytes, randomUUID } from 'node:crypto';
import type { handleUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import {
  AttemptOutcome,
  DeliveryStatus,
  SubscriptionStatus,
  type Delivery,
  type DeliveryAttempt,
  type EventFilter as EventFilterMessage,
  type SubscribeRequest,
  type SubscribeResponse,
  type Subscription,
  type SubscriptionsServer,
} from '../../../../proto/gen/bps/notifications/v1/subscriptions';
import type { Identity } from '../../../shared/auth/identity';
import type { Handled } from '../../../shared/domain/command-handler';
import { errorMessage, PlatformError, ruleRefusalError, ValidationError, type FieldViolation } from '../../../shared/errors/errors';
import { toServiceError } from '../../../shared/grpc/status';
import { subscribableEventTypes } from '../../../shared/events/subscribable';
import { identityOf } from '../../../shared/grpc/server';
import type { Logger } from '../../../shared/log/logger';
import { requireSubscriber, scopedFilter } from '../../domain/access';
import { checkEndpointUrl, type EndpointPolicy } from '../../domain/endpoint-policy';
import { matches, releaseKindFilterOf, releaseKindOf, type EventFilter } from '../../domain/filter';
import {
  previousSecretExpiry,
  type MaybeSubscription,
  type SubscriptionEvent,
  type SubscriptionState,
  type SubscriptionStatus as Status,
} from '../../domain/subscription';
import { readFeed, type FeedSignal } from '../../application/feed';
import {
  feedEventOf,
  type AttemptDoc,
  type AttemptOutcome as Outcome,
  type DeliveryDoc,
  type DeliveryStatus as DStatus,
  type FeedDoc,
} from '../../application/ports';
import { Subscriptions, type SubscriptionsPorts } from '../../application/subscriptions';
import { EndpointRefusedError, resolveAllowed, secretPrefix } from '../webhooks/sender';

export type SubscriptionsDeps = SubscriptionsPorts & {
  readonly feedSignal: FeedSignal;
  readonly endpointPolicy: EndpointPolicy;
  readonly defaultGraceMs: number;
  readonly stream: { readonly pollMs: number; readonly gapGraceMs: number; readonly batchSize: number };
  /** Aborted when the service stops: open streams end so the server can shut down. */
  readonly stopping: AbortSignal;
  readonly kickWorker: () => void;
  readonly logger: Logger;
};

const provinceCode = /^\d{6}$/;
const code = /^[A-Za-z0-9_.-]{1,64}$/;

export function filterFromMessage(message: EventFilterMessage | undefined, prefix = 'filter'): EventFilter {
  const m = message ?? { eventTypes: [], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 0 };
  const violations: FieldViolation[] = [];
  const check = (values: readonly string[], name: string, ok: (v: string) => boolean, what: string): void => {
    values.forEach((v, i) => {
      if (!ok(v)) violations.push({ field: `${prefix}.${name}[${i}]`, description: `"${v}" is not ${what}` });
    });
    if (values.length > 200) violations.push({ field: `${prefix}.${name}`, description: 'at most 200 values' });
  };
  check(m.eventTypes, 'event_types', (v) => subscribableEventTypes.includes(v), `a known event type (${subscribableEventTypes.join(', ')})`);
  check(m.fieldCodes, 'field_codes', (v) => code.test(v), 'a field code');
  check(m.itemCodes, 'item_codes', (v) => code.test(v), 'an item code');
  check(m.provinceCodes, 'province_codes', (v) => provinceCode.test(v), 'a GB/T 2260 province code (6 digits)');
  if (!(m.releaseKind >= 0 && m.releaseKind <= 2)) violations.push({ field: `${prefix}.release_kind`, description: 'unknown release kind' });
  if (violations.length > 0) throw new ValidationError(violations);
  const uniq = (v: readonly string[]): string[] => [...new Set(v)];
  return {
    eventTypes: uniq(m.eventTypes),
    fieldCodes: uniq(m.fieldCodes),
    itemCodes: uniq(m.itemCodes),
    provinceCodes: uniq(m.provinceCodes),
    releaseKind: releaseKindFilterOf(m.releaseKind),
  };
}

const filterMessage = (f: EventFilter): EventFilterMessage => ({
  eventTypes: [...f.eventTypes],
  fieldCodes: [...f.fieldCodes],
  itemCodes: [...f.itemCodes],
  provinceCodes: [...f.provinceCodes],
  releaseKind: releaseKindOf(f.releaseKind),
});

const statusMessage = (s: Status): SubscriptionStatus => {
  switch (s) {
    case 'active':
      return SubscriptionStatus.SUBSCRIPTION_STATUS_ACTIVE;
    case 'paused':
      return SubscriptionStatus.SUBSCRIPTION_STATUS_PAUSED;
    case 'disabled':
      return SubscriptionStatus.SUBSCRIPTION_STATUS_DISABLED;
    case 'deleted':
      return SubscriptionStatus.SUBSCRIPTION_STATUS_DELETED;
    default: {
      const unreachable: never = s;
      return unreachable;
    }
  }
};

export const subscriptionMessage = (s: SubscriptionState, now = new Date()): Subscription => ({
  subscriptionId: s.id,
  organisation: s.organisation,
  endpointUrl: s.endpointUrl,
  filter: filterMessage(s.filter),
  status: statusMessage(s.status),
  description: s.description,
  disabledReason: s.disabledReason,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  revision: s.revision,
  createdBy: s.createdBy,
  previousSecretExpiresAt: previousSecretExpiry(s, now),
});

const deliveryStatusMessage = (s: DStatus): DeliveryStatus => {
  switch (s) {
    case 'pending':
      return DeliveryStatus.DELIVERY_STATUS_PENDING;
    case 'delivered':
      return DeliveryStatus.DELIVERY_STATUS_DELIVERED;
    case 'dead':
      return DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED;
    case 'cancelled':
      return DeliveryStatus.DELIVERY_STATUS_CANCELLED;
    default: {
      const unreachable: never = s;
      return unreachable;
    }
  }
};

const deliveryStatusOf = (s: DeliveryStatus): DStatus | undefined => {
  switch (s) {
    case DeliveryStatus.DELIVERY_STATUS_PENDING:
      return 'pending';
    case DeliveryStatus.DELIVERY_STATUS_DELIVERED:
      return 'delivered';
    case DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED:
      return 'dead';
    case DeliveryStatus.DELIVERY_STATUS_CANCELLED:
      return 'cancelled';
    case DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED:
    case DeliveryStatus.UNRECOGNIZED:
      return undefined;
    default: {
      const unreachable: never = s;
      return unreachable;
    }
  }
};

const outcomeMessage = (o: Outcome): AttemptOutcome => {
  switch (o) {
    case 'delivered':
      return AttemptOutcome.ATTEMPT_OUTCOME_DELIVERED;
    case 'retry-scheduled':
      return AttemptOutcome.ATTEMPT_OUTCOME_RETRY_SCHEDULED;
    case 'dead-lettered':
      return AttemptOutcome.ATTEMPT_OUTCOME_DEAD_LETTERED;
    case 'endpoint-gone':
      return AttemptOutcome.ATTEMPT_OUTCOME_ENDPOINT_GONE;
    default: {
      const unreachable: never = o;
      return unreachable;
    }
  }
};

const deliveryMessage = (d: DeliveryDoc): Delivery => ({
  deliveryId: d._id,
  subscriptionId: d.subscriptionId,
  organisation: d.organisation,
  eventId: d.eventId,
  eventType: d.eventType,
  subject: d.subject,
  releaseId: d.releaseId,
  cursor: String(d.cursor),
  status: deliveryStatusMessage(d.status),
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.availableAt : undefined,
  deliveredAt: d.deliveredAt ?? undefined,
  createdAt: d.createdAt,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  endpointUrl: '',
});

const attemptMessage = (a: AttemptDoc): DeliveryAttempt => ({
  deliveryId: a.deliveryId,
  subscriptionId: a.subscriptionId,
  organisation: a.organisation,
  eventId: a.eventId,
  eventType: a.eventType,
  attempt: a.attempt,
  startedAt: a.startedAt,
  latencyMs: a.latencyMs,
  statusCode: a.statusCode,
  outcome: outcomeMessage(a.outcome),
  error: a.error,
  endpointUrl: a.endpointUrl,
});

export const feedMessage = (doc: FeedDoc): SubscribeResponse => {
  const e = feedEventOf(doc);
  return {
    cursor: String(doc.cursor),
    event: { id: e.id, type: e.type, source: e.source, subject: e.subject ?? '', time: e.time, dataschema: e.dataschema ?? '', dataJson: e.data },
  };
};

/** Page tokens are HMAC-sealed offsets bound to the list (`scope`: the method and its filters); forged ones are refused. */
function page(pageSize: number, pageToken: string, scope: string): { skip: number; limit: number } {
  const violations: FieldViolation[] = [];
  if (pageSize < 0 || pageSize > 1000) violations.push({ field: 'page_size', description: 'must be between 0 and 1000' });
  let skip = 0;
  try {
    const position = openPageToken(scope, pageToken);
    skip = position === '' ? 0 : Number(position);
    if (!Number.isSafeInteger(skip) || skip < 0) throw new ValidationError([{ field: 'page_token', description: 'is not a token this service issued' }]);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    violations.push(...error.violations);
  }
  if (violations.length > 0) throw new ValidationError(violations);
  return { skip, limit: pageSize === 0 ? 100 : pageSize };
}
const nextToken = (scope: string, skip: number, limit: number, got: number): string => (got < limit ? '' : sealPageToken(scope, String(skip + got)));

function cursorOf(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError([{ field, description: 'must be a cursor received from this service' }]);
  return n;
}

const newSecret = (): string => `${secretPrefix}${randomBytes(32).toString('base64')}`;

/** Wraps an async handler: its result or its PlatformError goes to the callback (the bootstrap maps errors). */
function unaryHandler<Req, Res>(fn: (request: Req, identity: Identity) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => fn(call.request, identityOf(call)).then((response) => callback(null, response)) as unknown as void;
}

/** The subscription a command left, or the error of its refusal. */
function applied(handled: Handled<MaybeSubscription, SubscriptionEvent>, id: string): SubscriptionState {
  if (!handled.ok) throw ruleRefusalError(handled.refusal, `subscriptions/${id}`, 'subscription_id');
  return handled.state!;
}

export function subscriptionsServer(deps: SubscriptionsDeps): SubscriptionsServer {
  const { feed } = deps;
  const subscriptions = new Subscriptions(deps);

  const checkEndpoint = async (value: string): Promise<string> => {
    const { url, violations } = checkEndpointUrl(value);
    if (!url) throw new ValidationError(violations);
    try {
      await resolveAllowed(url, deps.endpointPolicy);
    } catch (error) {
      const description =
        error instanceof EndpointRefusedError ? error.message : `cannot be resolved (${error instanceof Error ? error.message : String(error)})`;
      throw new ValidationError([{ field: 'endpoint_url', description, reason: 'ENDPOINT_NOT_ALLOWED' }]);
    }
    return url.toString();
  };

  return {
    createSubscription: unaryHandler(async (request, identity) => {
      requireSubscriber(identity, 'creating a subscription');
      const filter = scopedFilter(identity, filterFromMessage(request.filter));
      if (request.description.length > 500) throw new ValidationError([{ field: 'description', description: 'at most 500 characters' }]);
      const endpointUrl = await checkEndpoint(request.endpointUrl);
      const secret = newSecret();
      const id = randomUUID();
      const state = applied(await subscriptions.create(identity, { id, endpointUrl, filter, description: request.description, secret, at: new Date() }), id);
      deps.logger.info({ subscription: state.id, organisation: state.organisation }, 'subscription created');
      return { subscription: subscriptionMessage(state), secret };
    }),

    listSubscriptions: unaryHandler(async (_request, identity) => {
      return { subscriptions: (await subscriptions.list(identity)).map((s) => subscriptionMessage(s)) };
    }),

    getSubscription: unaryHandler(async (request, identity) => ({
      subscription: subscriptionMessage(await subscriptions.readable(identity, request.subscriptionId)),
    })),

    pauseSubscription: unaryHandler(async (request, identity) => {
      const state = applied(await subscriptions.pause(identity, request.subscriptionId, new Date()), request.subscriptionId);
      return { subscription: subscriptionMessage(state) };
    }),

    resumeSubscription: unaryHandler(async (request, identity) => {
      const state = applied(await subscriptions.resume(identity, request.subscriptionId, new Date()), request.subscriptionId);
      deps.kickWorker();
      return { subscription: subscriptionMessage(state) };
    }),

    rotateSecret: unaryHandler(async (request, identity) => {
      const secret = newSecret();
      const rotated = await subscriptions.rotateSecret(identity, request.subscriptionId, {
        secret,
        gracePeriodSeconds: request.gracePeriodSeconds,
        defaultGraceMs: deps.defaultGraceMs,
        at: new Date(),
      });
      return { subscription: subscriptionMessage(applied(rotated, request.subscriptionId)), secret };
    }),

    deleteSubscription: unaryHandler(async (request, identity) => {
      applied(await subscriptions.delete(identity, request.subscriptionId, new Date()), request.subscriptionId);
      return {};
    }),

    listDeliveries: unaryHandler(async (request, identity) => {
      const scope = JSON.stringify(['ListDeliveries', identity.subject, request.subscriptionId, request.eventId, request.status]);
      const { skip, limit } = page(request.pageSize, request.pageToken, scope);
      const query = { subscriptionId: request.subscriptionId, eventId: request.eventId, status: deliveryStatusOf(request.status) };
      const rows = await subscriptions.deliveries(identity, query, skip, limit);
      return { deliveries: rows.map(deliveryMessage), nextPageToken: nextToken(scope, skip, limit, rows.length) };
    }),

    listDeliveryAttempts: unaryHandler(async (request, identity) => {
      const scope = JSON.stringify(['ListDeliveryAttempts', identity.subject, request.subscriptionId, request.eventId]);
      const { skip, limit } = page(request.pageSize, request.pageToken, scope);
      const rows = await subscriptions.attempts(identity, { subscriptionId: request.subscriptionId, eventId: request.eventId }, skip, limit);
      return { attempts: rows.map(attemptMessage), nextPageToken: nextToken(scope, skip, limit, rows.length) };
    }),

    redeliver: unaryHandler(async (request, identity) => {
      const s = await subscriptions.redeliverable(identity, request.subscriptionId);
      const requeued = await subscriptions.redeliver(s, request.eventIds);
      deps.kickWorker();
      return { requeued };
    }),

    replay: unaryHandler(async (request, identity) => {
      const s = await subscriptions.redeliverable(identity, request.subscriptionId);
      const from = request.from;
      if (!from) throw new ValidationError([{ field: 'from', description: 'since_time or after_cursor is required' }]);
      const after = from.$case === 'afterCursor' ? cursorOf(from.afterCursor, 'after_cursor') : 0;
      const since = from.$case === 'sinceTime' ? from.sinceTime : undefined;
      const { queued, upToCursor } = await subscriptions.replay(s, after, since);
      deps.kickWorker();
      return { queued, upToCursor: String(upToCursor) };
    }),

    subscribe: (async (call: ServerWritableStream<SubscribeRequest, SubscribeResponse>) => {
      try {
        await streamFeed(call);
      } catch (error) {
        // Sent as the call's status through 'error' (the stream's own way; destroying the call would drop it).
        if (!(error instanceof PlatformError)) deps.logger.error({ err: errorMessage(error) }, 'feed stream failed');
        if (!call.cancelled) call.emit('error', toServiceError(error));
      }
    }) as unknown as SubscriptionsServer['subscribe'],
  };

  async function streamFeed(call: ServerWritableStream<SubscribeRequest, SubscribeResponse>): Promise<void> {
    const identity = identityOf(call);
    const filter = scopedFilter(identity, filterFromMessage(call.request.filter));
    const from = call.request.from;
    const start =
      from?.$case === 'afterCursor'
        ? cursorOf(from.afterCursor, 'after_cursor')
        : from?.$case === 'sinceTime'
          ? await feed.cursorBefore(from.sinceTime)
          : await feed.lastCursor();
    // From a time: what the feed already holds is sent when its event time is at or after it (events of
    // different standards do not enter the feed in time order); what arrives later is sent as it comes.
    const since = from?.$case === 'sinceTime' ? { time: from.sinceTime.getTime(), until: await feed.lastCursor() } : undefined;
    const stop = new AbortController();
    const end = (): void => stop.abort();
    call.on('cancelled', end);
    call.on('close', end);
    deps.stopping.addEventListener('abort', end, { once: true });
    try {
      for await (const doc of readFeed(feed, start, { ...deps.stream, signal: stop.signal, feedSignal: deps.feedSignal })) {
        if (!matches(filter, doc.facets)) continue;
        if (since && doc.cursor <= since.until && doc.time.getTime() < since.time) continue;
        if (!call.write(feedMessage(doc))) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              call.off('drain', done);
              stop.signal.removeEventListener('abort', done);
              resolve();
            };
            call.on('drain', done);
            stop.signal.addEventListener('abort', done, { once: true });
          });
        }
      }
    } finally {
      deps.stopping.removeEventListener('abort', end);
    }
    if (!call.cancelled) call.end();
  }
}
