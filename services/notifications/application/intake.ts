// Use case: every consumed event enters the feed (idempotently, by event id) and gets one
// delivery row per matching subscription (idempotently, by (subscription, event)). A crash anywhere in between is
// repaired by Kafka redelivering the uncommitted event. The subscriptions are matched in memory (the index checks
// its version first: one `_id` read, not a read of every subscription), the rows are written in one insert, already
// claimed by the local worker, which gets them with the feed entry and sends them without reading them back.
import { auditOnlyEventTypes } from '../../shared/events/refusals';
import type { CloudEvent } from '../../shared/kafka/cloudevents';
import type { Logger } from '../../shared/log/logger';
import { decodeKnown, facetsOf } from '../domain/facets';
import { matches } from '../domain/filter';
import type { SubscriptionState } from '../domain/subscription';
import { deliveryId, type DeliveryDoc, type DeliveryQueue, type Feed, type FeedDoc } from './ports';

export function deliveryRow(subscription: SubscriptionState, entry: FeedDoc, now = new Date()): DeliveryDoc {
  return {
    _id: deliveryId(subscription.id, entry._id),
    subscriptionId: subscription.id,
    organisation: subscription.organisation,
    eventId: entry._id,
    eventType: entry.type,
    subject: entry.subject ?? '',
    releaseId: entry.facets.releaseId ?? '',
    key: entry.key,
    cursor: entry.cursor,
    status: 'pending',
    held: subscription.status !== 'active',
    availableAt: now,
    claim: null,
    owner: '',
    attempts: 0,
    roundAttempts: 0,
    createdAt: now,
    updatedAt: now,
    deliveredAt: null,
    lastStatusCode: 0,
    lastError: '',
  };
}

export type IntakePorts = {
  feed: Pick<Feed, 'append'>;
  /** The subscriptions that can receive events (held in memory: application/subscription-index.ts). */
  subscriptions: { receiving(): Promise<SubscriptionState[]> };
  deliveries: Pick<DeliveryQueue, 'insertNew'>;
  /** The local worker: claims the rows as they are written (`prepare`), then sends them (`accept`). */
  worker: { prepare(row: DeliveryDoc): DeliveryDoc; accept(rows: readonly DeliveryDoc[], entry: FeedDoc): void };
  logger: Logger;
  /** Called after an entry is appended and fanned out (wakes streams and the worker). */
  onAppended: (entry: FeedDoc) => void;
};

/** Feeds one consumed event to the feed and its subscribers (idempotent: Kafka may deliver it again). */
export async function intakeEvent(deps: IntakePorts, event: CloudEvent): Promise<void> {
  if (auditOnlyEventTypes.includes(event.type)) return; // refusals and dead letters are for the audit trail only
  // Not JSON: decoding throws a ValidationError; the consumer sends the event to the dead-letter topic.
  const known = decodeKnown(event.type, event.data);
  const [entry, receiving] = await Promise.all([
    deps.feed.append({
      _id: event.id,
      type: event.type,
      source: event.source,
      subject: event.subject,
      time: new Date(event.time),
      datacontenttype: event.datacontenttype,
      dataschema: event.dataschema,
      data: event.data.toString('utf8'),
      key: event.key,
      facets: facetsOf(event.type, known),
      ...(event.traceparent ? { traceparent: event.traceparent } : {}),
      ...(event.tracestate ? { tracestate: event.tracestate } : {}),
    }),
    deps.subscriptions.receiving(),
  ]);
  const rows = receiving.filter((s) => matches(s.filter, entry.facets)).map((s) => deps.worker.prepare(deliveryRow(s, entry)));
  const created = await deps.deliveries.insertNew(rows);
  deps.worker.accept(created, entry);
  deps.logger.debug({ ceId: event.id, type: event.type, cursor: entry.cursor, deliveries: rows.length, created: created.length }, 'event fanned out');
  deps.onAppended(entry);
}
