// The test kit's platform of real OS processes: the services started exactly as `npm start` starts them
// (infra/scripts/launch.ts: `node --import tsx main.ts`, supervised, restarted with backoff after a crash), with
// N instances each, on the run's stack with their own databases, topic namespace, task queues and ports — so a
// test can kill -9 an instance, watch the supervisor bring it back, and read each instance's metrics.
// (tests/support/platform.ts starts services in-process instead: faster, for everything that needs no process.)
//
//   const p = await startProcessPlatform('replicas', { replicas: 2, services: ['registry', 'proposals', 'gateway'] });
//   p.kill('registry-1'); await p.waitServing('registry-1');
//   await p.stop();
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import type { Kafka } from 'kafkajs';
import { DevIssuer } from '../../services/shared/auth/dev-issuer';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { topicName, topics } from '../../services/shared/events/catalog';
import { fromKafkaMessage, type CloudEvent } from '../../services/shared/kafka/cloudevents';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { instanceAddressEnv, launchInstances, REPLICA_PORT_STEP, serviceInstances, type ServiceInstance } from '../../infra/scripts/launch';
import { portOpen } from '../../infra/local/process';
import { platformServices } from '../../infra/scripts/services';
import { Supervisor } from '../../infra/scripts/supervisor';
import type { TopicFamily } from './collector';
import { adminKafka } from './kafka';
import { uniqueName } from './names';
import { platformNames, type PlatformNames, type ServiceName } from './platform';
import { stack, stackSecrets } from './stack';
import { waitUntil } from './wait';

const root = fileURLToPath(new URL('../..', import.meta.url));

export type ProcessPlatformOptions = {
  readonly replicas: number;
  /** Default: every service. */
  readonly services?: readonly ServiceName[];
  /** More environment for every instance (after the kit's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Supervisor backoff (default: npm start's, 0.5 s doubling). */
  readonly initialBackoffMs?: number;
};

export type ProcessPlatform = {
  readonly names: PlatformNames;
  readonly instances: readonly ServiceInstance[];
  readonly supervisor: Supervisor;
  /** Every line the supervisor said (exits, restarts). */
  readonly said: readonly string[];
  /** The gateways' base URLs, one per instance. */
  readonly gatewayUrls: readonly string[];
  instance(name: string): ServiceInstance;
  /** A development bearer token for a seeded persona (the stack's issuer, as `npm run token`). */
  token(persona: PersonaName): Promise<string>;
  /** Sends a signal (default SIGKILL) to the instance's current process; returns its pid. */
  kill(name: string, signal?: NodeJS.Signals): number;
  /** Waits until the instance runs a process other than `oldPid` and answers on its port; returns the ms waited. */
  waitBack(name: string, oldPid: number, timeoutMs?: number): Promise<number>;
  /** The instance's Prometheus exposition. */
  metrics(name: string): Promise<string>;
  /** Stops every instance, then drops the platform's databases. */
  stop(): Promise<void>;
};

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A block of ports for every service's instances: base + service index (+ 20 for metrics) + k × REPLICA_PORT_STEP. */
async function portEnv(replicas: number): Promise<Record<string, string>> {
  for (let attempt = 0; attempt < 20; attempt++) {
    // Below Linux's ephemeral range (32768+), where an outgoing connection could take a port a restarted instance
    // needs (the chaos suite saw a restart fail with EADDRINUSE on 52403).
    const base = 20_000 + Math.floor(Math.random() * 120) * 100; // 20000 … 31900, a multiple of 100
    if (base + replicas * REPLICA_PORT_STEP > 32_700) continue;
    const env: Record<string, string> = {};
    const ports: number[] = [];
    platformServices.forEach((spec, i) => {
      env[spec.httpPortEnv ?? spec.grpcPortEnv] = String(base + i);
      env[spec.metricsPortEnv] = String(base + 20 + i);
    });
    for (let k = 0; k < replicas; k++) for (const value of Object.values(env)) ports.push(Number(value) + k * REPLICA_PORT_STEP);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return env;
  }
  throw new Error('no free block of ports for a process platform');
}

export async function startProcessPlatform(prefix: string, options: ProcessPlatformOptions): Promise<ProcessPlatform> {
  const { mongoUri, kafkaBrokers, temporalAddress, temporalNamespace } = stack();
  const secrets = stackSecrets();
  const names = platformNames(prefix);
  const services = options.services ?? (platformServices.map((s) => s.name) as ServiceName[]);
  const ports = await portEnv(options.replicas);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...ports,
    BPS_KAFKA_BROKERS: kafkaBrokers,
    MONGODB_URI: mongoUri,
    BPS_TEMPORAL_ADDRESS: temporalAddress,
    BPS_TEMPORAL_NAMESPACE: temporalNamespace,
    BPS_TOPIC_NAMESPACE: names.namespace,
    ...Object.fromEntries(platformServices.map((s) => [`${s.name.toUpperCase()}_DB`, names.db(s.name)])),
    APPROVALS_TASK_QUEUE: names.taskQueue,
    PROPOSALS_APPROVAL_TASK_QUEUE: names.taskQueue,
    PROGRAMME_TASK_QUEUE: `${names.taskQueue}-programme`,
    NOTIFICATIONS_CONSUMER_GROUP: `bps-notifications.${names.namespace}`,
    NOTIFICATIONS_ALLOWED_HOSTS: '127.0.0.1',
    BPS_LOG_LEVEL: 'info',
    ...options.env,
  };
  const said: string[] = [];
  const supervisor = new Supervisor({ say: (line) => said.push(line), initialBackoffMs: options.initialBackoffMs ?? 500 });
  const logDir = `${root}/test-results/processes/${names.namespace}`;
  const instances = serviceInstances({ replicas: options.replicas, logDir, env, services });
  const drop = async (): Promise<void> => {
    const mongo = await connectMongo(mongoUri, names.db('registry'));
    try {
      for (const service of services) await mongo.client.db(names.db(service)).dropDatabase();
    } finally {
      await mongo.close();
    }
  };
  try {
    await launchInstances({ root, instances, env: { ...env, ...instanceAddressEnv(options.replicas, env) }, secrets, supervisor, startTimeoutMs: 180_000 });
  } catch (error) {
    await supervisor.stop();
    await drop().catch(() => undefined);
    throw error;
  }
  const issuer = new DevIssuer(JSON.stringify({ ...secrets.tokenIssuer.privateJwk, kid: secrets.tokenIssuer.keyId }), {
    issuer: secrets.tokenIssuer.issuer,
    audience: secrets.tokenIssuer.audience,
  });
  const byName = new Map(instances.map((i) => [i.name, i]));
  const instance = (name: string): ServiceInstance => {
    const found = byName.get(name);
    if (!found) throw new Error(`no instance ${name} (have ${[...byName.keys()].join(', ')})`);
    return found;
  };
  const pidOf = (name: string): number | undefined => supervisor.current(instance(name).name)?.pid;
  return {
    names,
    instances,
    supervisor,
    said,
    gatewayUrls: instances.filter((i) => i.spec.name === 'gateway').map((i) => `http://127.0.0.1:${i.port}`),
    instance,
    token: (persona) => issuer.mint(personas[persona]),
    kill(name, signal = 'SIGKILL') {
      const child = supervisor.current(instance(name).name);
      if (!child?.pid) throw new Error(`${name} has no running process`);
      child.kill(signal);
      return child.pid;
    },
    async waitBack(name, oldPid, timeoutMs = 60_000) {
      const began = Date.now();
      const { port } = instance(name);
      await waitUntil(
        async () => {
          const pid = pidOf(name);
          return pid !== undefined && pid !== oldPid && supervisor.current(name)?.exitCode === null && (await portOpen(port));
        },
        `${name} back after a kill`,
        timeoutMs,
        100,
      );
      return Date.now() - began;
    },
    async metrics(name) {
      const res = await fetch(`http://127.0.0.1:${instance(name).metricsPort}/metrics`);
      return res.text();
    },
    async stop() {
      await supervisor.stop();
      await drop();
    },
  };
}

/** The value of a Prometheus counter summed over the series whose labels contain every `labels` pair. */
export function metricSum(exposition: string, metric: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([^\s]+)/.exec(line);
    if (!match || match[1] !== metric) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}

/**
 * Every record on the families' topics of a namespace, read from the start to the end as it is now — duplicates
 * included (the test collector skips a ce_id it has seen; this does not), to count what was written twice.
 */
export async function readTopics(namespace: string, families: readonly TopicFamily[], kafka: Kafka = adminKafka('read-topics')): Promise<CloudEvent[]> {
  const admin = kafka.admin();
  await admin.connect();
  const names = families.map((f) => topicName(topics[f], namespace));
  const ends = new Map<string, bigint>(); // `${topic}|${partition}` → high watermark
  try {
    for (const topic of names) {
      for (const p of await admin.fetchTopicOffsets(topic)) if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}|${p.partition}`, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  const events: CloudEvent[] = [];
  if (ends.size === 0) return events;
  const consumer = kafka.consumer({ groupId: uniqueName(`read-${namespace}`) });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: names, fromBeginning: true });
    const left = new Set(ends.keys());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${names.join(', ')}: ${[...left].join(', ')} not read to the end`)), 60_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const key = `${topic}|${partition}`;
            const end = ends.get(key);
            if (end === undefined || BigInt(message.offset) >= end) return;
            events.push(fromKafkaMessage(message));
            if (BigInt(message.offset) + 1n >= end) left.delete(key);
            if (left.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return events;
}
