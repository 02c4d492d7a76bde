// The records the notifications use cases work on (feed entries, delivery rows, attempts) and the ports they
// declare; adapters/mongo/store.ts implements them on MongoDB. Stored as they are here (document shapes).
import type { AggregateStore } from '../../shared/domain/command-handler';
import type { FeedEvent } from '../domain/cloudevent';
import type { EventFacets } from '../domain/filter';
import type { MaybeSubscription, SubscriptionEvent, SubscriptionState } from '../domain/subscription';

// traceparent/tracestate: the publication's trace context, so each webhook delivery joins the publication's trace.
export type FeedDoc = Omit<FeedEvent, 'id'> & {
  _id: string;
  cursor: number;
  key: string;
  facets: EventFacets;
  appendedAt: Date;
  traceparent?: string;
  tracestate?: string;
};

export const feedEventOf = (doc: FeedDoc): FeedEvent & { cursor: number } => ({
  id: doc._id,
  type: doc.type,
  source: doc.source,
  subject: doc.subject,
  time: doc.time,
  datacontenttype: doc.datacontenttype,
  dataschema: doc.dataschema,
  data: doc.data,
  cursor: doc.cursor,
});

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';

export type DeliveryDoc = {
  _id: string; // `${subscriptionId}/${eventId}`: one row per (subscription, event)
  subscriptionId: string;
  organisation: string;
  eventId: string;
  eventType: string;
  subject: string;
  releaseId: string;
  /** Ordering lane: the event's Kafka key (the standard / aggregate it is about). */
  key: string;
  cursor: number;
  status: DeliveryStatus;
  /** True while the subscription is paused/disabled: not claimable. */
  held: boolean;
  /** Next time a worker may claim it: due time, or the end of the current claim's lease. */
  availableAt: Date;
  /** Token of the current claim; a worker that lost its lease cannot overwrite the row. */
  claim: string | null;
  /**
   * The worker (one start of a process) that has the row, '' when nobody has it. Recovery finds rows nobody has, and
   * the rows of workers whose lease ran out, by equality on it: never by reading every pending row.
   */
  owner: string;
  attempts: number;
  roundAttempts: number;
  createdAt: Date;
  updatedAt: Date;
  /** When the delivery was recorded as delivered: at most one outcome batch after the 2xx (the attempt has the exact time). */
  deliveredAt: Date | null;
  lastStatusCode: number;
  lastError: string;
};

export const deliveryId = (subscriptionId: string, eventId: string): string => `${subscriptionId}/${eventId}`;

export type AttemptOutcome = 'delivered' | 'retry-scheduled' | 'dead-lettered' | 'endpoint-gone';

export type AttemptDoc = {
  _id: string;
  deliveryId: string;
  subscriptionId: string;
  organisation: string;
  eventId: string;
  eventType: string;
  attempt: number;
  startedAt: Date;
  latencyMs: number;
  statusCode: number;
  outcome: AttemptOutcome;
  error: string;
  endpointUrl: string;
  worker: string;
};

// ---------- ports ----------

/** The subscriptions: event-sourced aggregates (load and append at a revision) and the reads of the current ones. */
export interface SubscriptionStore extends AggregateStore<MaybeSubscription, SubscriptionEvent> {
  get(id: string): Promise<SubscriptionState | undefined>;
  /** Not deleted, of `organisation` (every organisation's when undefined), oldest first. */
  list(organisation: string | undefined): Promise<SubscriptionState[]>;
  /** Every subscription that can still receive events (paused and disabled ones queue). */
  listReceiving(): Promise<SubscriptionState[]>;
  /** The version of the whole set of subscriptions ('' before the first write): another after every write. */
  version(): Promise<string>;
}

/** The feed: every consumed event once, in cursor order. */
export interface Feed {
  /** Idempotent by event id: appending the same event again returns the entry already there. */
  append(entry: Omit<FeedDoc, 'cursor' | 'appendedAt'>): Promise<FeedDoc>;
  /** Entries after `cursor` in cursor order (unfiltered: a reader needs to see gaps). */
  after(cursor: number, limit: number): Promise<FeedDoc[]>;
  /** Entries after `cursor` whose event time is at or after `since` (any when undefined), in cursor order. */
  page(cursor: number, since: Date | undefined, limit: number): Promise<FeedDoc[]>;
  lastCursor(): Promise<number>;
  /** The cursor just before the first entry whose event time is at or after `time` (the last cursor when none). */
  cursorBefore(time: Date): Promise<number>;
}

/** Which delivery rows a list shows (every field given must match). */
export type DeliveryQuery = {
  readonly subscriptionId?: string;
  readonly organisation?: string;
  readonly eventId?: string;
  readonly status?: DeliveryStatus;
};

/** The delivery rows of a subscription, or only those of some events. */
export type DeliveryScope = { readonly subscriptionId: string; readonly eventIds?: readonly string[] };

/** The delivery queue, as the use cases change and read it (the worker claims and finishes rows on the adapter). */
export interface DeliveryQueue {
  /** Inserts the rows that do not exist yet and returns them. */
  insertNew(rows: readonly DeliveryDoc[]): Promise<DeliveryDoc[]>;
  /** Inserts the rows that do not exist yet; returns how many were new. */
  createMissing(rows: readonly DeliveryDoc[]): Promise<number>;
  setHeld(subscriptionId: string, held: boolean): Promise<void>;
  cancelPending(subscriptionId: string): Promise<void>;
  /** Re-opens finished deliveries (a new round of attempts, same ids); returns how many. */
  reopen(scope: DeliveryScope, statuses: readonly DeliveryStatus[], held: boolean): Promise<number>;
  /** In cursor order. */
  list(query: DeliveryQuery, skip: number, limit: number): Promise<DeliveryDoc[]>;
}

/** The delivery log, as it is read. */
export interface AttemptReader {
  /** In the order they started. */
  list(query: Omit<DeliveryQuery, 'status'>, skip: number, limit: number): Promise<AttemptDoc[]>;
}
