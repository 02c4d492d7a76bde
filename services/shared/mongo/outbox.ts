// Transactional outbox without transactions: the event is written in the same single-document write as the
// state change it describes (an event-store entry, or an `outbox` document that is itself the change), and the
// relay publishes unsent entries to Kafka afterwards, then marks them sent. A crash between the two only
// causes a re-send with the same ce_id, which consumers skip: at least once, never lost.
import type { Collection, Db, ObjectId } from 'mongodb';
import type { CloudEvent } from '../kafka/cloudevents';
import { isUnsendable, type EventProducer } from '../kafka/kafka';
import { errorMessage } from '../errors/errors';
import type { Logger } from '../log/logger';
import { ensureIndexes } from './mongo';

/** The fields a document needs so the relay can publish it. Event-store entries embed them. */
export type OutboxFields = {
  readonly outbox: {
    readonly topic: string;
    readonly event: Omit<CloudEvent, 'data'> & { readonly data: string /* utf-8 */ };
    readonly sentAt: Date | null;
    /** Set when Kafka can never take the event (too large, invalid): kept for an operator, no longer relayed. */
    readonly setAsideAt?: Date;
    readonly setAsideReason?: string;
  };
};

export function toOutboxFields(event: CloudEvent & { topic: string }): OutboxFields {
  const { topic, data, ...rest } = event;
  return { outbox: { topic, event: { ...rest, data: data.toString('utf8') }, sentAt: null } };
}

type OutboxDoc = OutboxFields & { _id: ObjectId };

export async function ensureOutboxIndexes(collection: Collection<any>): Promise<void> {
  await ensureIndexes(collection, [{ key: { 'outbox.sentAt': 1, _id: 1 }, name: 'outbox_unsent' }]);
}

/** A plain outbox collection, for services whose state is not an event log. */
export class Outbox {
  readonly collection: Collection<OutboxDoc>;
  constructor(db: Db, name = 'outbox') {
    this.collection = db.collection<OutboxDoc>(name);
  }
  async init(): Promise<void> {
    await ensureOutboxIndexes(this.collection);
  }
  async append(events: readonly (CloudEvent & { topic: string })[]): Promise<void> {
    if (events.length === 0) return;
    await this.collection.insertMany(events.map((e) => toOutboxFields(e) as OutboxDoc));
  }
}

/** Entries still to publish: unsent and not set aside as never sendable. */
const unsent = { 'outbox.sentAt': null, 'outbox.setAsideAt': { $exists: false } };

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /**
   * Entries Kafka acknowledged whose "sent" mark then failed (a database hiccup). The next pass marks them before
   * reading anything, so they are not sent a second time while this process lives; only a crash in that window
   * re-sends (same ce_id, which consumers skip).
   */
  private readonly acknowledgedUnmarked = new Map<Collection<any>, ObjectId[]>();

  constructor(
    private readonly collections: readonly Collection<any>[],
    private readonly producer: EventProducer,
    private readonly logger: Logger,
    private readonly options: { pollMs?: number; batchSize?: number } = {},
  ) {}

  start(): void {
    this.stopped = false;
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.relayOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'outbox relay pass failed; will retry'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs ?? 200);
        });
    };
    tick();
  }

  /** Publishes every unsent entry once, oldest first; returns how many were sent. */
  async relayOnce(): Promise<number> {
    let sent = 0;
    for (const collection of this.collections) {
      await this.markAcknowledged(collection);
      for (;;) {
        const batch = (await collection.find(unsent).sort({ _id: 1 }).limit(this.options.batchSize ?? 100).toArray()) as OutboxDoc[];
        if (batch.length === 0) break;
        const published = await this.publish(collection, batch);
        this.acknowledgedUnmarked.set(collection, published);
        await this.markAcknowledged(collection);
        sent += published.length;
      }
    }
    return sent;
  }

  private async markAcknowledged(collection: Collection<any>): Promise<void> {
    const ids = this.acknowledgedUnmarked.get(collection);
    if (!ids || ids.length === 0) return;
    await collection.updateMany({ _id: { $in: ids } }, { $set: { 'outbox.sentAt': new Date() } });
    this.acknowledgedUnmarked.delete(collection);
  }

  /**
   * Sends a batch; returns the ids Kafka acknowledged. An entry Kafka can never take (too large, an invalid record)
   * is set aside — marked, logged at error level, kept for an operator — instead of blocking every later entry.
   * Outages and authorization errors are thrown: the pass is retried, nothing is set aside for them.
   */
  private async publish(collection: Collection<any>, batch: readonly OutboxDoc[]): Promise<ObjectId[]> {
    const asEvent = (d: OutboxDoc) => ({ ...d.outbox.event, topic: d.outbox.topic, data: Buffer.from(d.outbox.event.data, 'utf8') });
    try {
      await this.producer.publish(batch.map(asEvent));
      return batch.map((d) => d._id);
    } catch (error) {
      if (!isUnsendable(error)) throw error;
    }
    // One of them is unsendable: send one by one, in order, setting aside what Kafka will never take.
    const published: ObjectId[] = [];
    for (const doc of batch) {
      try {
        await this.producer.publish([asEvent(doc)]);
        published.push(doc._id);
      } catch (error) {
        if (!isUnsendable(error)) {
          this.acknowledgedUnmarked.set(collection, published);
          throw error;
        }
        await collection.updateOne({ _id: doc._id }, { $set: { 'outbox.setAsideAt': new Date(), 'outbox.setAsideReason': errorMessage(error) } });
        this.logger.error({ ceId: doc.outbox.event.id, type: doc.outbox.event.type, topic: doc.outbox.topic, err: errorMessage(error) }, 'outbox entry set aside: Kafka will never take it');
      }
    }
    return published;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
