// The Kafka side: every event on the consumed topics enters the feed (idempotently, by event id) and gets one
// delivery row per matching subscription (idempotently, by (subscription, event)). A crash anywhere in between is
// repaired by Kafka redelivering the uncommitted event.
import { auditOnlyEventTypes } from '../../shared/events/refusals';
import type { EventHandler } from '../../shared/kafka/kafka';
import type { Logger } from '../../shared/log/logger';
import { decodeKnown, facetsOf } from '../domain/facets';
import { matches } from '../domain/filter';
import { deliveryId, type DeliveryDoc, type DeliveryRepository, type FeedDoc, type FeedRepository, type SubscriptionRepository } from './mongo-store';
import type { SubscriptionState } from '../domain/subscription';

export function deliveryRow(subscription: SubscriptionState, entry: FeedDoc, now = new Date()): DeliveryDoc {
  return {
    _id: deliveryId(subscription.id, entry._id), subscriptionId: subscription.id, organisation: subscription.organisation,
    eventId: entry._id, eventType: entry.type, subject: entry.subject ?? '', releaseId: entry.facets.releaseId ?? '', key: entry.key,
    cursor: entry.cursor, status: 'pending', held: subscription.status !== 'active', availableAt: now, claim: null,
    attempts: 0, roundAttempts: 0, createdAt: now, updatedAt: now, deliveredAt: null, lastStatusCode: 0, lastError: '',
  };
}

export function intakeHandler(deps: {
  feed: FeedRepository;
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  logger: Logger;
  /** Called after an entry is appended and fanned out (wakes streams and the worker). */
  onAppended: (entry: FeedDoc) => void;
}): EventHandler {
  return async (event) => {
    if (auditOnlyEventTypes.includes(event.type)) return; // refusals and dead letters are for the audit trail only
    // Not JSON: decoding throws a ValidationError; the consumer sends the event to the dead-letter topic.
    const known = decodeKnown(event.type, event.data);
    const [entry, receiving] = await Promise.all([deps.feed.append({
      _id: event.id, type: event.type, source: event.source, subject: event.subject, time: new Date(event.time),
      datacontenttype: event.datacontenttype, dataschema: event.dataschema, data: event.data.toString('utf8'), key: event.key,
      facets: facetsOf(event.type, known),
      ...(event.traceparent ? { traceparent: event.traceparent } : {}),
      ...(event.tracestate ? { tracestate: event.tracestate } : {}),
    }), deps.subscriptions.listReceiving()]);
    const rows = receiving.filter((s) => matches(s.filter, entry.facets)).map((s) => deliveryRow(s, entry));
    const created = await deps.deliveries.createMissing(rows);
    deps.logger.debug({ ceId: event.id, type: event.type, cursor: entry.cursor, deliveries: rows.length, created }, 'event fanned out');
    deps.onAppended(entry);
  };
}
