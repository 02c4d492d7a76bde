// Kafka, MongoDB and the Temporal dev server as containers for the test suite (testcontainers), built from the one
// source of their settings (infra/containers/images.ts, which also generates infra/compose.yaml). Each container
// gets a random host port, a real wait strategy (Docker health check, or a log line plus a gRPC check where the
// image has no shell), its output written to a log file (kept when the run fails), and is removed at the end.
// Loaded only on the containers path (tests/support/global-setup.ts imports it dynamically).
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import {
  BoundPorts,
  GenericContainer,
  getContainerRuntimeClient,
  Wait,
  waitForContainer,
  type InspectResult,
  type StartedTestContainer,
  type WaitStrategy,
} from 'testcontainers';
import { waitUntilHealthy } from '../local/component';
import { ensureKafkaAcls } from '../local/kafka-acls';
import { infraKafka, kafkaHealthy, scramUsers } from '../local/kafka';
import { say } from '../local/process';
import type { DevSecrets } from '../local/secrets';
import type { Settings } from '../local/settings';
import type { StackEndpoints } from '../local/stack';
import { containerDefinitions, kafkaScramUsers, type ContainerDef, type ContainerName, type ContainerVars } from './images';

/** Where the Kafka container waits for its start script (it needs the host port, known only once it runs). */
export const KAFKA_START_SCRIPT = '/tmp/bps-kafka-start.sh';
export const KAFKA_WAITING_LOG = 'bps: waiting for the start script';

export const startupTimeoutsMs: Readonly<Record<ContainerName, number>> = { kafka: 180_000, mongo: 120_000, temporal: 120_000 };

/** What testcontainers is given for one container: derived from its ContainerDef, nothing added but the wait. */
export type ContainerSpec = {
  readonly name: ContainerName;
  readonly image: string;
  readonly entrypoint?: readonly string[];
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly port: number;
  readonly healthCheck?: { test: ['CMD-SHELL', string] | ['CMD', ...string[]]; interval: number; timeout: number; retries: number; startPeriod: number };
  /** health: Docker reports the container healthy; log: the line appears (images without a shell). */
  readonly wait: { readonly kind: 'health' } | { readonly kind: 'log'; readonly line: RegExp };
  readonly startupTimeoutMs: number;
  /** Kafka only: the start script, copied in once the host port is known. */
  readonly startScript?: string;
};

/** The values testcontainers passes where Compose interpolates `${VAR}` (KAFKA_ADVERTISED_LISTENERS is set at start). */
export function testcontainersVars(secrets: DevSecrets, namespace: string): ContainerVars {
  return {
    kafkaAdminUser: secrets.kafka.admin.username,
    kafkaAdminPassword: secrets.kafka.admin.password,
    kafkaScramUsers: kafkaScramUsers(scramUsers(secrets)),
    kafkaAdvertisedClient: 'set-by-the-start-script:0',
    mongoPort: '27017',
    temporalNamespace: namespace,
  };
}

function spec(def: ContainerDef): ContainerSpec {
  const healthCheck = def.healthcheck && {
    test: [...def.healthcheck.test] as ['CMD-SHELL', string] | ['CMD', ...string[]],
    interval: def.healthcheck.intervalMs,
    timeout: def.healthcheck.timeoutMs,
    retries: def.healthcheck.retries,
    startPeriod: def.healthcheck.startPeriodMs,
  };
  const wait: ContainerSpec['wait'] = healthCheck
    ? { kind: 'health' }
    : def.readyLog
      ? { kind: 'log', line: def.readyLog }
      : (() => {
          throw new Error(`${def.name}: no health check and no ready log line`);
        })();
  const base = {
    name: def.name,
    image: def.image,
    port: def.port,
    wait,
    startupTimeoutMs: startupTimeoutsMs[def.name],
    ...(healthCheck ? { healthCheck } : {}),
  };
  if (def.name === 'kafka') {
    if (def.script === undefined) throw new Error('kafka: the definition has no start script');
    // KAFKA_ADVERTISED_LISTENERS is exported by the copied start script (the host port is not known before).
    const { KAFKA_ADVERTISED_LISTENERS: _unknownYet, ...environment } = def.environment;
    return {
      ...base,
      environment,
      entrypoint: ['/bin/sh', '-c'],
      command: [`echo '${KAFKA_WAITING_LOG}'; while [ ! -f ${KAFKA_START_SCRIPT} ]; do sleep 0.1; done; exec /bin/sh ${KAFKA_START_SCRIPT}`],
      startScript: def.script,
    };
  }
  if (def.script !== undefined) return { ...base, environment: def.environment, entrypoint: ['/bin/sh', '-c'], command: [def.script] };
  return { ...base, environment: def.environment, command: def.command ?? [] };
}

export function containerSpecs(secrets: DevSecrets, namespace: string): Readonly<Record<ContainerName, ContainerSpec>> {
  const defs = containerDefinitions(testcontainersVars(secrets, namespace));
  return { kafka: spec(defs.kafka), mongo: spec(defs.mongo), temporal: spec(defs.temporal) };
}

/** The script the Kafka container runs: the advertised CLIENT address (host and mapped port), then the shared start. */
export function kafkaStartScriptFor(s: ContainerSpec, host: string, mappedPort: number, brokerPort: number): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new Error(`unexpected container host "${host}"`);
  return `export KAFKA_ADVERTISED_LISTENERS='CLIENT://${host}:${mappedPort},BROKER://localhost:${brokerPort}'\n${s.startScript ?? ''}`;
}

/** The Kafka container: waits for its start script, which it gets once its host port is mapped (as @testcontainers/kafka does). */
class KafkaStartScriptContainer extends GenericContainer {
  constructor(
    private readonly kafkaSpec: ContainerSpec,
    private readonly brokerPort: number,
    private readonly ready: WaitStrategy,
  ) {
    super(kafkaSpec.image);
  }

  protected override async containerStarted(container: StartedTestContainer, inspectResult: InspectResult): Promise<void> {
    await deliverKafkaStartScript(container, this.kafkaSpec, this.brokerPort);
    const client = await getContainerRuntimeClient();
    const boundPorts = BoundPorts.fromInspectResult(client.info.containerRuntime.hostIps, inspectResult).filter(this.exposedPorts);
    await waitForContainer(client, client.container.getById(container.getId()), this.ready, boundPorts);
  }
}

/**
 * Copies the Kafka start script into the running container, with the address clients on the host use. World-readable:
 * the copy is owned by root and the image runs as its own user; the script holds no secret (credentials come from
 * the environment). A failed copy removes the container.
 */
export async function deliverKafkaStartScript(
  container: Pick<StartedTestContainer, 'getHost' | 'getMappedPort' | 'copyContentToContainer' | 'stop'>,
  kafkaSpec: ContainerSpec,
  brokerPort: number,
): Promise<void> {
  const script = kafkaStartScriptFor(kafkaSpec, container.getHost(), container.getMappedPort(kafkaSpec.port), brokerPort);
  try {
    await container.copyContentToContainer([{ content: script, target: KAFKA_START_SCRIPT, mode: 0o755 }]);
  } catch (error) {
    await container.stop({ remove: true, removeVolumes: true }).catch(() => undefined);
    throw error;
  }
}

function waitStrategy(s: ContainerSpec): WaitStrategy {
  const w = s.wait.kind === 'health' ? Wait.forHealthCheck() : Wait.forLogMessage(s.wait.line);
  return w.withStartupTimeout(s.startupTimeoutMs);
}

/** A testcontainers container from its spec (no Docker engine is contacted until start()). */
export function toContainer(s: ContainerSpec, brokerPort: number, logTo?: (stream: Readable) => void): GenericContainer {
  const ready = waitStrategy(s);
  const container =
    s.name === 'kafka'
      ? new KafkaStartScriptContainer(s, brokerPort, ready).withWaitStrategy(Wait.forLogMessage(KAFKA_WAITING_LOG).withStartupTimeout(60_000))
      : new GenericContainer(s.image).withWaitStrategy(ready);
  container
    .withEnvironment({ ...s.environment })
    .withCommand([...s.command])
    .withExposedPorts(s.port)
    .withStartupTimeout(s.name === 'kafka' ? 60_000 : s.startupTimeoutMs)
    .withLabels({ 'org.bps.component': s.name });
  if (s.entrypoint) container.withEntrypoint([...s.entrypoint]);
  if (s.healthCheck) container.withHealthCheck(s.healthCheck);
  if (logTo) container.withLogConsumer(logTo);
  return container;
}

export type ContainerStack = {
  readonly endpoints: StackEndpoints;
  readonly logDir: string;
  /** Removes the containers; keeps their logs when the run failed (and says where), deletes them otherwise. */
  stop(options: { readonly failed: boolean }): Promise<void>;
};

async function temporalNamespaceReady(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}

async function mongoPrimary(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.connect();
    const hello = await client.db('admin').command({ hello: 1 });
    return hello['isWritablePrimary'] === true;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function startContainerStack(s: Settings, secrets: DevSecrets): Promise<ContainerStack> {
  const began = Date.now();
  const specs = containerSpecs(secrets, s.temporal.namespace);
  const logDir = join(s.logDir, 'containers', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(logDir, { recursive: true });
  const logTo =
    (name: ContainerName) =>
    (stream: Readable): void => {
      stream.pipe(createWriteStream(join(logDir, `${name}.log`)));
    };
  const brokerPort = Number(/BROKER:\/\/:(\d+)/.exec(specs.kafka.environment['KAFKA_LISTENERS'] ?? '')?.[1]);
  say(
    `containers: starting ${Object.values(specs)
      .map((c) => c.image)
      .join(', ')} (logs: ${logDir})`,
  );
  const started = new Map<ContainerName, StartedTestContainer>();
  const stopAll = async (): Promise<void> => {
    await Promise.all([...started.values()].map((c) => c.stop({ remove: true, removeVolumes: true }).catch(() => undefined)));
    started.clear();
  };
  try {
    const results = await Promise.allSettled(
      (Object.keys(specs) as ContainerName[]).map(async (name) => {
        started.set(name, await toContainer(specs[name], brokerPort, logTo(name)).start());
      }),
    );
    const failures = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${Object.keys(specs)[i]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : [],
    );
    if (failures.length > 0) throw new Error(failures.join('\n'));
    const at = (name: ContainerName): string => `${started.get(name)!.getHost()}:${started.get(name)!.getMappedPort(specs[name].port)}`;
    const endpoints: StackEndpoints = {
      kafkaBrokers: at('kafka'),
      // directConnection: the replica-set member's own address (127.0.0.1:27017) is the container's, not ours.
      mongoUri: `mongodb://${at('mongo')}/?directConnection=true`,
      temporalAddress: at('temporal'),
      temporalNamespace: s.temporal.namespace,
    };
    // The same checks the local stack's components pass, from this side of the port mapping.
    await Promise.all([
      waitUntilHealthy({
        name: 'kafka (SCRAM admin from the host)',
        healthy: () => kafkaHealthy(s, secrets.kafka.admin, endpoints.kafkaBrokers),
        readyWithinMs: 30_000,
        logPath: join(logDir, 'kafka.log'),
      }),
      waitUntilHealthy({
        name: 'mongo (writable primary)',
        healthy: () => mongoPrimary(endpoints.mongoUri),
        readyWithinMs: 30_000,
        logPath: join(logDir, 'mongo.log'),
      }),
      waitUntilHealthy({
        name: 'temporal (namespace)',
        healthy: () => temporalNamespaceReady(endpoints.temporalAddress, endpoints.temporalNamespace),
        readyWithinMs: 60_000,
        logPath: join(logDir, 'temporal.log'),
      }),
    ]);
    const acls = await ensureKafkaAcls(infraKafka(s, secrets.kafka.admin, 'bps-infra-acls', endpoints.kafkaBrokers));
    say(`containers: ready in ${((Date.now() - began) / 1000).toFixed(1)}s (Kafka ACLs from infra/local/kafka-acls.ts: ${acls.created} created)`);
    return {
      endpoints,
      logDir,
      stop: async ({ failed }) => {
        await stopAll();
        if (failed) say(`containers removed; their logs are kept in ${logDir}`);
        else rmSync(logDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    const message = error instanceof Error ? error.message : String(error);
    const noEngine = /Could not find a working container runtime strategy/.test(message)
      ? '\nNo Docker engine is reachable: start one, or run with BPS_INFRA=local (or unset) to use the local stack.'
      : '';
    const kept = readdirSync(logDir).length > 0;
    if (!kept) rmSync(logDir, { recursive: true, force: true });
    throw new Error(`container stack failed to start${kept ? ` (logs kept in ${logDir})` : ''}:\n${message}${noEngine}`, { cause: error });
  }
}
