// Fan-out of publication events to webhook subscribers on loopback: the notifications service (Kafka -> feed ->
// per-subscription queues in the database -> signed POST) next to a bare kafkajs consumer doing the same signed
// POSTs straight from eachMessage, in the same run. Figures: deliveries per second and latency from the event's
// acknowledgement by Kafka to the receiver's 200. Sized by BENCH_NOTIF_EVENTS / BENCH_NOTIF_SUBSCRIBERS (the issue
// asks 1,000 x 100; the default here fits a few minutes on the FerretDB/SQLite dev database).
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { SubscriptionsClient } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { VersionPublished } from '../../proto/gen/bps/standards/v1/events';
import { tokenFor } from '../support/identity';
import { standardEvents } from '../../services/shared/events/standards';
import { unary } from '../../services/shared/grpc/client';
import { ensureTopics, EventProducer, newEvent } from '../../services/shared/kafka/kafka';
import { fromKafkaMessage } from '../../services/shared/kafka/cloudevents';
import { structuredCloudEvent } from '../../services/notifications/domain/cloudevent';
import { signatureHeader } from '../../services/notifications/adapters/webhooks/sender';
import type { Bench, BenchRow } from './run';
import { databaseCpu, processCpu } from './cpu';
import { adminKafka } from '../support/kafka';
import { startPlatform } from '../support/platform';
import { startWebhookReceiver } from '../support/webhooks';

const events = Number(process.env['BENCH_NOTIF_EVENTS'] ?? 30);
const subscribers = Number(process.env['BENCH_NOTIF_SUBSCRIBERS'] ?? 10);
const phaseLimitMs = Number(process.env['BENCH_NOTIF_LIMIT_MS'] ?? 240_000);
/** Kafka partitions the service fans out side by side (unset: the service's default). */
const partitions = process.env['BENCH_NOTIF_PARTITIONS'] ? Number(process.env['BENCH_NOTIF_PARTITIONS']) : undefined;
const name = (p: string): string => `bench-${p}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;

type Receivers = { urls: string[]; arrivals(): Map<string, number[]>; count(): number; close(): Promise<void> };

/** n of the kit's webhook receivers (tests/support/webhooks.ts), with the arrival times of each webhook-id. */
async function startReceivers(n: number): Promise<Receivers> {
  const receivers = await Promise.all(Array.from({ length: n }, () => startWebhookReceiver()));
  return {
    urls: receivers.map((r) => r.url),
    // Built once per summary: every webhook-id's arrival times (a fresh map for each lookup made the summary of
    // 1,000 x 100 quadratic — minutes of the bench's own CPU after the phase had ended).
    arrivals() {
      const arrivals = new Map<string, number[]>();
      for (const r of receivers)
        for (const x of r.received) {
          const times = arrivals.get(x.webhookId);
          if (times) times.push(x.at);
          else arrivals.set(x.webhookId, [x.at]);
        }
      return arrivals;
    },
    count: () => receivers.reduce((sum, r) => sum + r.received.length, 0),
    close: async () => {
      await Promise.all(receivers.map((r) => r.stop()));
    },
  };
}

function payload(i: number) {
  return VersionPublished.fromPartial({
    releaseId: `bench-${i}`,
    kind: 2,
    title: '病有所医领域标准调整',
    publishedAt: new Date(),
    fieldCodes: ['HEALTH'],
    itemVersions: [{ itemCode: `HEALTH-${String(i % 20).padStart(2, '0')}`, version: 2, fieldCode: 'HEALTH', name: '基本公共卫生服务' }],
  });
}

/** Publishes the events in batches of 10; returns when Kafka acknowledged each one (the latency origin). */
async function publish(producer: EventProducer, namespace: string | undefined, topic: string | undefined): Promise<Map<string, number>> {
  const acked = new Map<string, number>();
  for (let i = 0; i < events; i += 10) {
    const batch = Array.from({ length: Math.min(10, events - i) }, (_, j) => {
      const e = newEvent(standardEvents.versionPublished, payload(i + j), { source: '/bps/registry', key: `bench-${(i + j) % 20}`, topicNamespace: namespace });
      return topic ? { ...e, topic } : e;
    });
    await producer.publish(batch);
    const now = Date.now();
    for (const e of batch) acked.set(e.id, now);
  }
  return acked;
}

async function waitFor(done: () => boolean, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return done();
}

/** CPU seconds the database and this process (bench, receivers and the in-process service) use during a phase. */
function cpuMeter(): () => { database: number; process: number } {
  const db = databaseCpu();
  const db0 = db();
  const p0 = processCpu();
  return () => ({ database: db() - db0, process: processCpu() - p0 });
}

function summarise(
  system: string,
  acked: Map<string, number>,
  receivers: Receivers,
  startedAt: number,
  complete: boolean,
  cpu: { database: number; process: number },
): BenchRow {
  const latencies: number[] = [];
  let last = startedAt;
  const arrivals = receivers.arrivals();
  for (const [id, at] of acked) {
    for (const t of arrivals.get(id) ?? []) {
      latencies.push(t - at);
      last = Math.max(last, t);
    }
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  const seconds = (last - startedAt) / 1000;
  return {
    system,
    events,
    subscribers,
    deliveries: latencies.length,
    complete: complete ? 'yes' : 'no (time limit)',
    seconds: Number(seconds.toFixed(1)),
    'deliveries/s': Number((latencies.length / seconds).toFixed(1)),
    'p50 ms': pct(50),
    'p99 ms': pct(99),
    'db cpu s': Number(cpu.database.toFixed(1)),
    'node cpu s': Number(cpu.process.toFixed(1)),
  };
}

const bench: Bench = {
  title: `Webhook fan-out: ${events} publication events x ${subscribers} subscribers on loopback`,
  async run(endpoints) {
    const kafka = adminKafka('bench-notifications', endpoints.kafkaBrokers); // producer and the bare consumer's topic
    const producer = new EventProducer(kafka);
    await producer.connect();
    const rows: BenchRow[] = [];

    // 1. The notifications service.
    {
      const receivers = await startReceivers(subscribers);
      // Production-like delivery settings (not the tests' short ones).
      const p = await startPlatform('bench-notif', {
        services: ['notifications'],
        overrides: {
          notifications: {
            retry: { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 5_000, maxRetryAfterMs: 10_000 },
            delivery: {
              concurrency: 64,
              perSubscriptionConcurrency: 4,
              requestTimeoutMs: 5_000,
              leaseMs: 30_000,
              pollMs: 50,
              sweepMs: 2_000,
              ...(partitions ? { partitionsConcurrently: partitions } : {}),
            },
            stream: { pollMs: 100, gapGraceMs: 2_000, batchSize: 200 },
            defaultSecretGraceMs: 3_600_000,
            outboxPollMs: 200,
          },
        },
      });
      const { namespace } = p;
      const client = new SubscriptionsClient(p.address('notifications'), grpc.credentials.createInsecure());
      const token = await tokenFor('statistics-subscriber');
      for (const url of receivers.urls) {
        await unary(
          client.createSubscription.bind(client),
          { endpointUrl: url, description: 'bench', filter: { eventTypes: [], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 0 } },
          token,
        );
      }
      client.close();
      const startedAt = Date.now();
      const cpu = cpuMeter();
      const acked = await publish(producer, namespace, undefined);
      const complete = await waitFor(() => receivers.count() >= events * subscribers, phaseLimitMs);
      rows.push(summarise('notifications service', acked, receivers, startedAt, complete, cpu()));
      await p.stop();
      await receivers.close();
    }

    // 2. A bare kafkajs consumer posting the same signed CloudEvents to every receiver, nothing persisted.
    {
      const receivers = await startReceivers(subscribers);
      const topic = name('bare');
      await ensureTopics(kafka, [topic]);
      const secret = `whsec_${randomBytes(32).toString('base64')}`;
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const post = (url: string, id: string, body: string): Promise<void> =>
        new Promise((resolve) => {
          const ts = Math.floor(Date.now() / 1000);
          const req = request(
            url,
            {
              method: 'POST',
              agent,
              headers: {
                'content-type': 'application/cloudevents+json',
                'webhook-id': id,
                'webhook-timestamp': String(ts),
                'webhook-signature': signatureHeader([secret], id, ts, body),
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve());
            },
          );
          req.on('error', () => resolve());
          req.end(body);
        });
      const consumer = kafka.consumer({ groupId: name('bare-g') });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 3,
        eachMessage: async ({ message }) => {
          const event = fromKafkaMessage(message);
          const body = structuredCloudEvent({ ...event, time: new Date(event.time), data: event.data.toString('utf8') });
          await Promise.all(receivers.urls.map((url) => post(url, event.id, body)));
        },
      });
      const startedAt = Date.now();
      const cpu = cpuMeter();
      const acked = await publish(producer, undefined, topic);
      const complete = await waitFor(() => receivers.count() >= events * subscribers, phaseLimitMs);
      rows.push(summarise('bare kafkajs consumer', acked, receivers, startedAt, complete, cpu()));
      await consumer.disconnect();
      agent.destroy();
      await receivers.close();
    }

    await producer.disconnect();
    const [service, bare] = rows as [BenchRow, BenchRow];
    rows.push({
      system: 'ratio service / bare',
      events,
      subscribers,
      deliveries: '',
      complete: '',
      seconds: '',
      'deliveries/s': Number((Number(service['deliveries/s']) / Number(bare['deliveries/s'])).toFixed(3)),
      'p50 ms': Number((Number(service['p50 ms']) / Number(bare['p50 ms'])).toFixed(1)),
      'p99 ms': Number((Number(service['p99 ms']) / Number(bare['p99 ms'])).toFixed(1)),
      'db cpu s': '',
      'node cpu s': '',
    });
    return rows;
  },
};

export default bench;
