// A second process with an outbox relay, for tests of several relays on one database (tests/integration/
// outbox-instances.int.test.ts): run with `node --import tsx`. It relays the given collection, optionally writes
// events itself first (waking its own relay), and prints one JSON line per batch Kafka acknowledged
// (`{"published":[ce_id…]}`). With OUTBOX_HANG=1 its producer never answers: it prints `{"publishing":[…]}` once it
// holds claims and is sending, and waits there to be killed.
import { EventProducer, newEvent, type CloudEvent } from '../../services/shared/kafka/kafka';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { Outbox, OutboxRelay } from '../../services/shared/mongo/outbox';
import { defineEvent } from '../../services/shared/events/catalog';
import { DateMessage as ProtoDate } from '../../proto/gen/bps/common/v1/common';
import { createLogger } from '../../services/shared/log/logger';
import { adminKafka } from './kafka';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const Recorded = defineEvent('bps.test.date.recorded', 'unused', 'bps.common.v1.Date', ProtoDate);
const logger = createLogger('outbox-relay-process', process.env['BPS_TEST_LOG_LEVEL'] ?? 'silent');
const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

class ReportingProducer extends EventProducer {
  override async publish(events: readonly (CloudEvent & { topic: string })[]): Promise<void> {
    if (process.env['OUTBOX_HANG'] === '1') {
      print({ publishing: events.map((e) => e.id) });
      return new Promise(() => undefined);
    }
    await super.publish(events);
    print({ published: events.map((e) => e.id) });
  }
}

const mongo = await connectMongo(env('OUTBOX_MONGO_URI'), env('OUTBOX_DB'));
const kafka = adminKafka('outbox-relay-process', env('OUTBOX_BROKERS'));
const producer = new ReportingProducer(kafka);
const outbox = new Outbox(mongo.db, env('OUTBOX_COLLECTION'));
const relay = new OutboxRelay([outbox.collection], producer, logger, {
  pollMs: Number(process.env['OUTBOX_POLL_MS'] ?? '20'),
  leaseMs: Number(process.env['OUTBOX_LEASE_MS'] ?? '30000'),
  batchSize: Number(process.env['OUTBOX_BATCH'] ?? '100'),
});
relay.start();
print({ ready: true });

// Events written by this process: `OUTBOX_WRITE` of them, from a few concurrent writers, one key per writer.
const count = Number(process.env['OUTBOX_WRITE'] ?? '0');
const topic = process.env['OUTBOX_TOPIC'] ?? '';
const writers = 5;
const written: string[] = [];
await Promise.all(
  Array.from({ length: writers }, async (_, w) => {
    for (let i = w; i < count; i += writers) {
      const event = { ...newEvent(Recorded, { year: 2026, month: 11, day: 1 + (i % 28) }, { source: '/bps/test', key: `child-${w}` }), topic };
      await outbox.append([event]);
      written.push(event.id);
    }
  }),
);
if (count > 0) print({ written });

process.on('SIGTERM', () => {
  void relay
    .stop()
    .then(() => producer.disconnect())
    .then(() => mongo.close())
    .finally(() => process.exit(0));
});
