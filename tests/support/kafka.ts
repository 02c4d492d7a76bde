// Kafka for tests: every client authenticates as a principal of the running stack (its development secrets), so a
// test exercises the same ACLs as the services. Use the principal of the service a test stands in for.
import type { Kafka } from 'kafkajs';
import { groupPrefixes } from '../../infra/local/kafka-acls';
import { type DevSecrets, type KafkaPrincipal } from '../../infra/local/secrets';
import { topicFamilyOf, topicOwners } from '../../services/shared/events/catalog';
import { createKafka, EventProducer, type CloudEvent, type KafkaCredentials } from '../../services/shared/kafka/kafka';
import { uniqueName } from './names';
import { stack, stackSecrets, testLogger } from './stack';

export type { KafkaPrincipal };

/** The stack's secrets: handed over by the test setup, or read from the data dir (benchmarks run outside vitest). */
const secrets = (): DevSecrets => stackSecrets();

/** The SCRAM credentials of one service principal of the test stack. */
export function kafkaCredentials(principal: KafkaPrincipal): KafkaCredentials {
  return secrets().kafka.principals[principal];
}

/** A Kafka client authenticated as that service's principal. */
export function testKafka(principal: KafkaPrincipal, clientId = `test-${principal}`, brokers = stack().kafkaBrokers): Kafka {
  return createKafka({ brokers, clientId, logger: testLogger, credentials: kafkaCredentials(principal) });
}

/** A Kafka client as the broker's super user (only for what no service may do, e.g. reading the audit topic). */
export function adminKafka(clientId = 'test-admin', brokers = stack().kafkaBrokers): Kafka {
  return createKafka({ brokers, clientId, logger: testLogger, credentials: secrets().kafka.admin });
}

/** A unique consumer group the principal may use (its groups live under its prefix; see infra/local/kafka-acls.ts). */
export function testGroup(principal: KafkaPrincipal, label: string): string {
  return `${groupPrefixes[principal]}.${uniqueName(label)}`;
}

/** The ce_source the owner of this (namespaced) topic stamps on its events. */
export function ownerSource(topic: string): string {
  const family = topicFamilyOf(topic);
  if (family === undefined) throw new Error(`${topic} is not a platform topic`);
  return topicOwners[family].sources[0];
}

/**
 * Publishes each event as the owner of its topic (registry for bps.standards.v1, approvals for bps.approvals.v1, …):
 * for tests that stand in for several services at once.
 */
export class OwnersProducer {
  private readonly producers = new Map<string, EventProducer>();
  constructor(private readonly brokers = stack().kafkaBrokers) {}
  async publish(events: readonly (CloudEvent & { topic: string })[]): Promise<void> {
    for (const event of events) {
      const family = topicFamilyOf(event.topic);
      if (family === undefined) throw new Error(`${event.topic} is not a platform topic`);
      const principal = topicOwners[family].principal;
      let producer = this.producers.get(principal);
      if (!producer) {
        producer = new EventProducer(testKafka(principal, `test-as-${principal}`, this.brokers));
        this.producers.set(principal, producer);
      }
      await producer.publish([event]);
    }
  }
  async disconnect(): Promise<void> {
    await Promise.all([...this.producers.values()].map((p) => p.disconnect()));
  }
}
