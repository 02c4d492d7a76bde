// TLS to Kafka (issue #20) against the real broker: the local stack's SASL_SSL listener (SCRAM over TLS, its
// certificate signed by the stack's own CA; infra/local/kafka.ts). The one Kafka wrapper, given BPS_KAFKA_TLS_CA as
// config reads it, produces as a service principal and the event arrives; with a client certificate too (mTLS);
// a plaintext client and a client trusting another CA do not get through.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaCredentials as credentialsFromConfig } from '../../services/shared/config/config';
import { topicName, topicOwners, topics } from '../../services/shared/events/catalog';
import { createKafka, EventProducer, type CloudEvent } from '../../services/shared/kafka/kafka';
import { collectEvents, type EventCollector } from '../support/collector';
import { kafkaCredentials } from '../support/kafka';
import { uniqueName } from '../support/names';
import { stack, testLogger } from '../support/stack';
import { testCa, writeTls } from '../support/tls';

const listener = stack().kafkaTls;

describe.skipIf(!listener)('Kafka over SASL_SSL (the real broker)', { timeout: 120_000 }, () => {
  const namespace = uniqueName('ktls');
  const topic = topicName(topics.standards, namespace);
  let collector: EventCollector;
  let dir: string;
  const producers: EventProducer[] = [];

  const marker = (): CloudEvent & { topic: string } => {
    const id = randomUUID();
    return {
      topic,
      specversion: '1.0',
      id,
      type: 'bps.test.marker',
      source: topicOwners.standards.sources[0],
      subject: id,
      key: id,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: Buffer.from('{}'),
    };
  };
  /** Publishes one event as the registry principal with the settings given as env, then waits for it to arrive. */
  const publishWith = async (env: Record<string, string>): Promise<void> => {
    const { username, password } = kafkaCredentials('registry');
    const credentials = credentialsFromConfig({ BPS_KAFKA_USERNAME: username, BPS_KAFKA_PASSWORD: password, ...env });
    const producer = new EventProducer(createKafka({ brokers: listener!.brokers, clientId: 'test-tls', logger: testLogger, credentials }));
    producers.push(producer);
    const event = marker();
    await producer.publish([event]);
    expect((await collector.waitForId(event.id)).type).toBe('bps.test.marker');
  };
  /** Whether a raw kafkajs client with these options gets the cluster's description from the TLS listener. */
  const reaches = async (options: Partial<ConstructorParameters<typeof Kafka>[0]>): Promise<boolean> => {
    const { username, password } = kafkaCredentials('registry');
    const admin = new Kafka({
      clientId: 'test-tls-raw',
      brokers: [listener!.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2_000,
      retry: { retries: 0 },
      sasl: { mechanism: 'scram-sha-512', username, password },
      ...options,
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bps-kafka-tls-'));
    collector = await collectEvents({ namespace, families: ['standards'] });
  });
  afterAll(async () => {
    for (const p of producers) await p.disconnect().catch(() => undefined);
    await collector?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a service principal produces over SCRAM + TLS with BPS_KAFKA_TLS_CA, and the event arrives', async () => {
    await publishWith({ BPS_KAFKA_TLS_CA: listener!.caFile });
  });

  it('with a client certificate as well (BPS_KAFKA_TLS_CERT / _KEY: mutual TLS to the broker)', async () => {
    // The broker trusts its own CA for client certificates; a client certificate it did not sign would be refused.
    const ca = await testCa('client CA');
    const files = writeTls(join(dir, 'client'), ca, await ca.issue('registry'));
    expect(await reaches({ ssl: { ca: [readFileSync(listener!.caFile)], cert: readFileSync(files.cert), key: readFileSync(files.key) } })).toBe(false);
    // One its CA signed (the stack's client certificate) gets through.
    await publishWith({ BPS_KAFKA_TLS_CA: listener!.caFile, BPS_KAFKA_TLS_CERT: listener!.clientCertFile, BPS_KAFKA_TLS_KEY: listener!.clientKeyFile });
  });

  it('refuses a plaintext client and a client trusting another CA', async () => {
    expect(await reaches({ ssl: { ca: [readFileSync(listener!.caFile)] } })).toBe(true);
    expect(await reaches({})).toBe(false);
    const other = await testCa('Someone Else CA');
    expect(await reaches({ ssl: { ca: [Buffer.from(other.cert)] } })).toBe(false);
  });
});
