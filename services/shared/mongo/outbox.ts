// Transactional outbox without transactions: the event is written in the same single-document write as the
// state change it describes (an event-store entry, or an `outbox` document that is itself the change), and the
// relay publishes unsent entries to Kafka afterwards, then marks them sent. A crash between the two only
// causes a re-send with the same ce_id, which consumers skip: at least once, never lost.
import type { Collection, Db, ObjectId } from 'mongodb';
import type { CloudEvent } from '../kafka/cloudevents';
import type { EventProducer } from '../kafka/kafka';
import { errorMessage } from '../errors/errors';
import type { Logger } from '../log/logger';
import { ensureIndexes } from './mongo';

/** The fields a document needs so the relay can publish it. Event-store entries embed them. */
export type OutboxFields = {
  readonly outbox: {
    readonly topic: string;
    readonly event: Omit<CloudEvent, 'data'> & { readonly data: string /* utf-8 */ };
    readonly sentAt: Date | null;
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

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

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
      for (;;) {
        const batch = (await collection
          .find({ 'outbox.sentAt': null })
          .sort({ _id: 1 })
          .limit(this.options.batchSize ?? 100)
          .toArray()) as OutboxDoc[];
        if (batch.length === 0) break;
        await this.producer.publish(batch.map((d) => ({ ...d.outbox.event, topic: d.outbox.topic, data: Buffer.from(d.outbox.event.data, 'utf8') })));
        await collection.updateMany({ _id: { $in: batch.map((d) => d._id) } }, { $set: { 'outbox.sentAt': new Date() } });
        sent += batch.length;
      }
    }
    return sent;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
