// Generates infra/compose.yaml from the container definitions (infra/containers/images.ts), so Compose and the
// testcontainers path cannot drift: `npm run infra -- compose-file` rewrites it, and
// tests/unit/infra-containers.unit.test.ts fails when the committed file is not what this generates.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Document } from 'yaml';
import { devServiceEnv, generateDevSecrets, kafkaPrincipals, type DevSecrets } from '../local/secrets';
import { platformServices, type ServiceSpec } from '../scripts/services';
import { containerDefinitions, containerPorts, type ContainerDef, type ContainerVars, type HealthCheckDef } from './images';

export const composeFile = fileURLToPath(new URL('../compose.yaml', import.meta.url));

const need = 'run npm run infra -- compose-env and pass its --env-file';

/** Compose fills these from its env file (`npm run infra -- compose-env`) and the shell. */
export const composeVars: ContainerVars = {
  kafkaAdminUser: 'admin',
  kafkaAdminPassword: `\${BPS_KAFKA_ADMIN_PASSWORD:?${need}}`,
  kafkaScramUsers: `\${BPS_KAFKA_SCRAM_USERS:?${need}}`,
  kafkaAdvertisedClient: '127.0.0.1:${BPS_KAFKA_PORT:-9092}',
  mongoPort: '${BPS_MONGO_PORT:-27017}',
  temporalNamespace: '${BPS_TEMPORAL_NAMESPACE:-bps}',
  temporalUi: true,
};

/** Host port of each service: the same env names and defaults as infra/local/settings.ts. */
const published: Record<ContainerDef['name'], (def: ContainerDef) => string[]> = {
  kafka: (def) => [`\${BPS_KAFKA_PORT:-9092}:${def.port}`],
  // Same number inside and out: the replica-set member 127.0.0.1:<port> is then reachable from the host.
  mongo: () => ['${BPS_MONGO_PORT:-27017}:${BPS_MONGO_PORT:-27017}'],
  temporal: (def) => [`\${BPS_TEMPORAL_PORT:-7233}:${def.port}`, `\${BPS_TEMPORAL_UI_PORT:-8233}:${containerPorts.temporalUi}`],
};

const volumes: Partial<Record<ContainerDef['name'], string[]>> = {
  kafka: ['kafka-data:/var/lib/kafka/data'],
};

/** Shell text reads the container's environment at run time; Compose must not interpolate it. */
const shellText = (text: string): string => text.replace(/\$/g, '$$$$');

const seconds = (ms: number): string => `${ms / 1000}s`;

function healthcheck(h: HealthCheckDef): Record<string, unknown> {
  const test = h.test[0] === 'CMD-SHELL' ? ['CMD-SHELL', shellText(h.test[1])] : [...h.test];
  return { test, interval: seconds(h.intervalMs), timeout: seconds(h.timeoutMs), retries: h.retries, start_period: seconds(h.startPeriodMs) };
}

function service(def: ContainerDef): Record<string, unknown> {
  return {
    image: def.image,
    ...(def.script !== undefined ? { entrypoint: ['/bin/sh', '-c'], command: [shellText(def.script)] } : {}),
    ...(def.command !== undefined ? { command: [...def.command] } : {}),
    ports: published[def.name](def),
    ...(volumes[def.name] ? { volumes: volumes[def.name] } : {}),
    ...(Object.keys(def.environment).length > 0 ? { environment: { ...def.environment } } : {}),
    ...(def.healthcheck ? { healthcheck: healthcheck(def.healthcheck) } : {}),
  };
}

// ---- The platform (profile `platform`): one container per service from the one image (Dockerfile), as `npm start`
// runs them: development mode, the stack's development secrets (from the env file), the same ports and addresses.

/** The image every service container runs (built from the repository's Dockerfile by `up --build`). */
export const platformImage = '${BPS_IMAGE:-bps/platform:dev}';
export const PLATFORM_PROFILE = 'platform';
/** The port the `platform` container relays to the gateway's loopback listener (published on the host's loopback). */
export const GATEWAY_RELAY_PORT = 8088;

const build = { context: '..', dockerfile: 'Dockerfile' };
const upperName = (service: string): string => service.toUpperCase().replace(/-/g, '_');
/** The env-file variable holding a service principal's Kafka password. */
export const kafkaPasswordVar = (principal: string): string => `BPS_KAFKA_PASSWORD_${upperName(principal)}`;

/**
 * The secrets env `npm start` gives a service (devServiceEnv), as Compose interpolations from the env file: the same
 * keys, each read from the variable of its own name, the Kafka password from the principal's own variable.
 */
function secretEnv(service: string): Record<string, string> {
  const keys = Object.keys(devServiceEnv(generateDevSecrets(), service)).sort();
  return Object.fromEntries(
    keys.map((key) => {
      if (key === 'BPS_ENV') return [key, 'development'];
      if (key === 'BPS_KAFKA_USERNAME') return [key, service];
      if (key === 'BPS_KAFKA_PASSWORD') return [key, `\${${kafkaPasswordVar(service)}:?${need}}`];
      return [key, `\${${key}:?${need}}`];
    }),
  );
}

/**
 * The env file's platform part (`npm run infra -- compose-env` appends it): every secret a service container reads,
 * single-quoted (Compose takes such values literally: JSON keys and `$` stay as they are).
 */
export function composePlatformEnv(secrets: DevSecrets): string {
  const values = new Map<string, string>();
  for (const service of platformServices) {
    for (const [key, value] of Object.entries(devServiceEnv(secrets, service.name))) {
      if (key === 'BPS_ENV' || key === 'BPS_KAFKA_USERNAME' || key === 'BPS_KAFKA_PASSWORD') continue;
      const seen = values.get(key);
      if (seen !== undefined && seen !== value) throw new Error(`compose-env: ${key} differs between services; give it one variable per service`);
      values.set(key, value);
    }
  }
  for (const principal of kafkaPrincipals) values.set(kafkaPasswordVar(principal), secrets.kafka.principals[principal].password);
  const lines = [...values].map(([key, value]) => {
    if (value.includes("'") || value.includes('\n')) throw new Error(`compose-env: ${key} cannot be single-quoted`);
    return `${key}='${value}'`;
  });
  return ["# The platform services' secrets (infra/compose.yaml, profile platform).", ...lines, ''].join('\n');
}

const hostAddress = {
  kafka: '127.0.0.1:${BPS_KAFKA_PORT:-9092}',
  mongo: '127.0.0.1:${BPS_MONGO_PORT:-27017}',
  temporal: '127.0.0.1:${BPS_TEMPORAL_PORT:-7233}',
};

/** The network-namespace owner: relays (infra/image/relay.mjs) the infrastructure's host addresses and the gateway. */
function platformAnchor(gateway: ServiceSpec): Record<string, unknown> {
  return {
    profiles: [PLATFORM_PROFILE],
    image: platformImage,
    build,
    entrypoint: ['node'],
    command: [
      'infra/image/relay.mjs',
      `0.0.0.0:${GATEWAY_RELAY_PORT}=127.0.0.1:${gateway.httpPort}`,
      `${hostAddress.kafka}=kafka:${containerPorts.kafka}`,
      `${hostAddress.mongo}=mongo:\${BPS_MONGO_PORT:-27017}`,
      `${hostAddress.temporal}=temporal:${containerPorts.temporal}`,
    ],
    ports: [`127.0.0.1:\${GATEWAY_HTTP_PORT:-${gateway.httpPort}}:${GATEWAY_RELAY_PORT}`],
    init: true,
    read_only: true,
    restart: 'unless-stopped',
  };
}

/** What every container of the platform shares: the image, the anchor's network, a read-only root with a /tmp. */
const inPlatform = {
  profiles: [PLATFORM_PROFILE],
  image: platformImage,
  build,
  network_mode: 'service:platform',
  init: true,
  read_only: true,
  tmpfs: ['/tmp'],
};

const infrastructureReady = {
  platform: { condition: 'service_started' },
  kafka: { condition: 'service_healthy' },
  mongo: { condition: 'service_healthy' },
  // The dev server's image has no shell for a health check: a service started before it serves exits and is restarted.
  temporal: { condition: 'service_started' },
  'kafka-acls': { condition: 'service_completed_successfully' },
};

/** One-shot: the broker's ACL table (infra/local/kafka-acls.ts), as the local stack applies it at every start. */
function kafkaAclsStep(): Record<string, unknown> {
  return {
    ...inPlatform,
    command: ['infra/image/kafka-acls.ts'],
    environment: { BPS_KAFKA_BROKERS: hostAddress.kafka, BPS_KAFKA_ADMIN_USER: 'admin', BPS_KAFKA_ADMIN_PASSWORD: `\${BPS_KAFKA_ADMIN_PASSWORD:?${need}}` },
    depends_on: { platform: { condition: 'service_started' }, kafka: { condition: 'service_healthy' } },
    restart: 'on-failure',
  };
}

/** The service's container: its entry as the command (entrypoint `node --import tsx`), env as `npm start` gives it. */
function platformService(spec: ServiceSpec, earlier: readonly ServiceSpec[]): Record<string, unknown> {
  const listenPort = spec.httpPortEnv ? spec.httpPort! : spec.grpcPort;
  const probe = spec.httpPortEnv ? ['http', `http://127.0.0.1:${spec.httpPort}/healthz`] : ['grpc', `127.0.0.1:${spec.grpcPort}`];
  return {
    ...inPlatform,
    command: [spec.entry],
    environment: {
      ...secretEnv(spec.name),
      BPS_KAFKA_BROKERS: hostAddress.kafka,
      MONGODB_URI: `mongodb://${hostAddress.mongo}/`,
      BPS_TEMPORAL_ADDRESS: hostAddress.temporal,
      BPS_TEMPORAL_NAMESPACE: '${BPS_TEMPORAL_NAMESPACE:-bps}',
      // Every service's gRPC address, as `npm start` gives them with one instance each (instanceAddressEnv, infra/scripts/launch.ts) (one network namespace).
      ...Object.fromEntries(
        platformServices.filter((s) => s.grpcPort > 0).map((s) => [s.grpcPortEnv.replace('_GRPC_PORT', '_GRPC_ADDRESS'), `127.0.0.1:${s.grpcPort}`]),
      ),
      [spec.httpPortEnv ?? spec.grpcPortEnv]: String(listenPort),
      [spec.metricsPortEnv]: String(spec.metricsPort),
    },
    // Started in `npm start`'s order: each once the infrastructure and every service before it are healthy.
    depends_on: { ...infrastructureReady, ...Object.fromEntries(earlier.map((s) => [s.name, { condition: 'service_healthy' }])) },
    healthcheck: healthcheck({
      test: ['CMD', 'node', 'infra/image/health.mjs', ...probe],
      intervalMs: 5_000,
      timeoutMs: 10_000,
      retries: 30,
      // The Temporal workers bundle workflows/ at start: a minute or more on a small machine.
      startPeriodMs: 300_000,
    }),
    restart: 'unless-stopped',
  };
}

function platform(): Record<string, unknown> {
  const gateway = platformServices.find((s) => s.name === 'gateway');
  if (!gateway?.httpPort) throw new Error('compose: the gateway (HTTP) is not among the platform services');
  return {
    platform: platformAnchor(gateway),
    'kafka-acls': kafkaAclsStep(),
    ...Object.fromEntries(platformServices.map((spec, i) => [spec.name, platformService(spec, platformServices.slice(0, i))])),
  };
}

const header = [
  ' GENERATED by `npm run infra -- compose-file` from infra/containers/images.ts (infrastructure) and',
  ' infra/scripts/services.ts (the platform): edit those, not this file.',
  ' (tests/unit/infra-containers.unit.test.ts fails when this file differs from what it generates.)',
  '',
  " First write the env file with the stack's development secrets (Kafka credentials, keys; not to be committed):",
  '   npm run infra -- compose-env     (prints the file and the commands)',
  '',
  ' The whole platform (Docker users, no Node needed on the host): the infrastructure, then the one image',
  " (Dockerfile) built and run once per service, in development mode with the env file's keys:",
  '   docker compose --env-file <that file> -f infra/compose.yaml --profile platform up -d --build',
  '   web console and API: http://127.0.0.1:${GATEWAY_HTTP_PORT:-8080}/     Temporal Web UI: http://127.0.0.1:${BPS_TEMPORAL_UI_PORT:-8233}/',
  '   a persona token: npm run token -- nhc-staff (same env), or sign in on the console',
  '   docker compose -f infra/compose.yaml --profile platform down      (add -v to drop the data)',
  ' The services share the network namespace of the `platform` container (as one host under `npm start`: gRPC on',
  " 127.0.0.1), which relays the infrastructure's host addresses to its containers and the gateway to the host's",
  " loopback; `kafka-acls` applies the broker's ACL table once; the registry seeds the catalogue on an empty database.",
  '',
  ' The infrastructure only (no profile): the same containers the test suite starts with testcontainers',
  ' (BPS_INFRA=containers), for machines with a Docker engine, on fixed ports:',
  '   docker compose --env-file <that file> -f infra/compose.yaml up -d',
  '   BPS_INFRA=local BPS_KEEP_INFRA=1 npm test   /   npm start',
  ' The local-stack path finds the components healthy on BPS_KAFKA_PORT / BPS_MONGO_PORT / BPS_TEMPORAL_PORT, uses them,',
  ' and applies the Kafka ACLs (infra/local/kafka-acls.ts).',
  '',
  " kafka: KRaft, SASL/SCRAM-SHA-512 on CLIENT (the local broker's security settings, infra/local/kafka.ts), PLAIN admin",
  '   on CONTROLLER and on the internal BROKER listener; the start script stores every SCRAM user with kafka-configs.',
  ' mongo: real mongod as a single-node replica set (the health check initiates it).',
  ' temporal: the Temporal CLI dev server with the namespace and search attributes of the local stack, and its Web UI',
  '   (no health check: the image has no shell; the test setup checks the namespace over gRPC).',
].join('\n');

export function composeYaml(): string {
  const defs = containerDefinitions(composeVars);
  const doc = new Document(
    {
      name: 'bps',
      services: { kafka: service(defs.kafka), mongo: service(defs.mongo), temporal: service(defs.temporal), ...platform() },
      volumes: { 'kafka-data': {} },
    },
    { aliasDuplicateObjects: false }, // every service spelled out, no YAML anchors
  );
  doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

export function composeFileIsCurrent(): boolean {
  return readFileSync(composeFile, 'utf8') === composeYaml();
}

export function writeComposeFile(): string {
  writeFileSync(composeFile, composeYaml());
  return composeFile;
}
