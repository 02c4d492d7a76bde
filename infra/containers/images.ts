// The one source of the container settings: pinned images, environment, commands, ports and health checks of
// Kafka, MongoDB and the Temporal dev server as containers. Two users read it:
//   - infra/containers/testcontainers.ts starts them for the test suite (BPS_INFRA=containers, or a Docker engine
//     answers; see infra/containers/select.ts);
//   - infra/containers/compose.ts generates infra/compose.yaml from it (`npm run infra -- compose-file`;
//     tests/unit/infra-containers.unit.test.ts fails when the committed file differs from the generated one).
//
// What differs between the two users is passed in as ContainerVars: Compose gets `${VAR}` interpolations (filled
// from its env file and the shell), testcontainers gets the real values. Such values appear only in `environment`,
// `ports` and exec-form `command` arguments. Shell text (`script`, CMD-SHELL health checks) never embeds them: it
// reads the container's environment at run time, so the Compose generator can escape every `$` in it.
import { kafkaSecurityProperties } from '../local/kafka';
import { temporalSearchAttributes, versions } from '../local/settings';

/** Pinned images. Kafka and the Temporal CLI follow the local stack's versions; MongoDB is the real `mongod`. */
export const images = {
  kafka: `apache/kafka:${versions.kafka}`,
  mongo: 'mongo:7.0.14',
  temporal: `temporalio/temporal:${versions.temporalCli.replace(/^v/, '')}`,
} as const;

/** Ports inside the containers. Only `kafka`, `mongo` (Compose: its published port) and `temporal` are published. */
export const containerPorts = {
  /** CLIENT listener: SASL/SCRAM-SHA-512, what every service and test connects to (published). */
  kafka: 9092,
  /** CONTROLLER listener: SASL/PLAIN with the static admin user (KRaft quorum). */
  kafkaController: 9093,
  /** BROKER listener: inter-broker traffic, health check and SCRAM-user set-up inside the container; SASL/PLAIN admin. */
  kafkaBroker: 9094,
  mongo: 27017,
  temporal: 7233,
  /** The Temporal dev server's Web UI (Compose: published; testcontainers runs the server headless). */
  temporalUi: 8233,
} as const;

export type HealthCheckDef = {
  readonly test: readonly ['CMD-SHELL', string] | readonly ['CMD', ...string[]];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
};

export type ContainerName = 'kafka' | 'mongo' | 'temporal';

export type ContainerDef = {
  readonly name: ContainerName;
  readonly image: string;
  /** A /bin/sh script the container runs instead of its image command (entrypoint `/bin/sh -c`). */
  readonly script?: string;
  /** Exec-form arguments to the image's own entrypoint (used when there is no script). */
  readonly command?: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** The container port clients reach (published by Compose, mapped to a random host port by testcontainers). */
  readonly port: number;
  /** A Docker health check (Compose `healthcheck`, testcontainers `withHealthCheck` + `Wait.forHealthCheck()`). */
  readonly healthcheck?: HealthCheckDef;
  /** A log line that says the component is up, for images without a shell to run a health check in. */
  readonly readyLog?: RegExp;
};

/** Values that differ between Compose (interpolations) and testcontainers (real values). */
export type ContainerVars = {
  readonly kafkaAdminUser: string;
  readonly kafkaAdminPassword: string;
  /** Every SCRAM user the broker stores, as `name:password` separated by spaces (see kafkaScramUsers). */
  readonly kafkaScramUsers: string;
  /** The CLIENT address clients are told (host:port as seen from the host). Testcontainers sets it at start. */
  readonly kafkaAdvertisedClient: string;
  /** The port mongod listens on inside its container, and the host of its replica-set member. */
  readonly mongoPort: string;
  readonly temporalNamespace: string;
  /** Serve the Temporal Web UI on containerPorts.temporalUi (Compose); otherwise the dev server runs headless. */
  readonly temporalUi?: boolean;
};

export const KAFKA_CLUSTER_ID = '5L6g3nShT-eMCtK--X86sw';
export const KAFKA_READY_FILE = '/tmp/bps-kafka-users-ready';
const KAFKA_ADMIN_PROPERTIES = '/tmp/bps-admin.properties';
export const MONGO_REPLICA_SET = 'rs0';

/** `name:password` of admin and every service principal, space separated (passwords are base64url: no spaces). */
export function kafkaScramUsers(users: readonly { readonly username: string; readonly password: string }[]): string {
  for (const u of users) {
    if (!/^[A-Za-z0-9_.-]+$/.test(u.username) || !/^[A-Za-z0-9_-]+$/.test(u.password))
      throw new Error(`Kafka credentials of "${u.username}" must be base64url`);
  }
  return users.map((u) => `${u.username}:${u.password}`).join(' ');
}

/** The apache/kafka image's env name of a broker property: KAFKA_ + upper case, "-" -> "___", "_" -> "__", "." -> "_". */
export function kafkaImageEnvName(property: string): string {
  return `KAFKA_${property.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase()}`;
}

/**
 * The container broker's security properties: the local broker's (kafkaSecurityProperties) for the CLIENT and
 * CONTROLLER listeners, plus the internal BROKER listener, which authenticates like the controller (PLAIN, static
 * admin) and therefore carries inter-broker traffic. Why a BROKER listener: CLIENT is advertised with the host's
 * address and port, which the broker cannot reach from inside its own container.
 */
export function containerKafkaSecurityProperties(adminUser: string, adminPassword: string): string[] {
  const local = kafkaSecurityProperties(adminUser, adminPassword);
  const controller = local.filter((line) => line.startsWith('listener.name.controller.'));
  return [
    ...local.map((line) => (line.startsWith('sasl.mechanism.inter.broker.protocol=') ? 'sasl.mechanism.inter.broker.protocol=PLAIN' : line)),
    ...controller.map((line) => line.replace('listener.name.controller.', 'listener.name.broker.')),
  ];
}

/**
 * The broker's start: launches the image's own start (`/etc/kafka/docker/run`, which writes server.properties from
 * the KAFKA_* environment and formats the storage), waits for the BROKER listener, stores every SCRAM-SHA-512 user
 * with kafka-configs (idempotent: a restarted broker gets the same credentials), then marks itself ready and stays
 * in the foreground with the broker.
 */
export const kafkaStartScript = [
  'set -euf',
  `umask 077`,
  `printf 'security.protocol=SASL_PLAINTEXT\\nsasl.mechanism=PLAIN\\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="%s" password="%s";\\n' "$BPS_KAFKA_ADMIN_USER" "$BPS_KAFKA_ADMIN_PASSWORD" > ${KAFKA_ADMIN_PROPERTIES}`,
  `rm -f ${KAFKA_READY_FILE}`,
  '/etc/kafka/docker/run & broker=$!',
  `trap 'kill -TERM "$broker" 2>/dev/null; wait "$broker"; exit $?' TERM INT`,
  `until /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:${containerPorts.kafkaBroker} --command-config ${KAFKA_ADMIN_PROPERTIES} >/dev/null 2>&1; do`,
  '  kill -0 "$broker" 2>/dev/null || { wait "$broker"; exit $?; }',
  '  sleep 1',
  'done',
  'for user in $BPS_KAFKA_SCRAM_USERS; do',
  `  /opt/kafka/bin/kafka-configs.sh --bootstrap-server localhost:${containerPorts.kafkaBroker} --command-config ${KAFKA_ADMIN_PROPERTIES} --alter --entity-type users --entity-name "\${user%%:*}" --add-config "SCRAM-SHA-512=[password=\${user#*:}]" >/dev/null`,
  'done',
  `touch ${KAFKA_READY_FILE}`,
  "echo 'bps: SCRAM users stored, broker ready'",
  'wait "$broker"',
  '',
].join('\n');

const mongoReplicaSetCheck =
  `try { rs.status() } catch (e) { rs.initiate({ _id: "${MONGO_REPLICA_SET}", members: [{ _id: 0, host: "127.0.0.1:" + process.env.BPS_MONGO_PORT }] }) } ` +
  'if (!db.hello().isWritablePrimary) quit(1)';

export function containerDefinitions(v: ContainerVars): Readonly<Record<ContainerName, ContainerDef>> {
  const security = Object.fromEntries(
    containerKafkaSecurityProperties(v.kafkaAdminUser, v.kafkaAdminPassword).map((line) => {
      const at = line.indexOf('=');
      return [kafkaImageEnvName(line.slice(0, at)), line.slice(at + 1)];
    }),
  );
  const { kafka: client, kafkaController: controller, kafkaBroker: broker } = containerPorts;
  return {
    kafka: {
      name: 'kafka',
      image: images.kafka,
      script: kafkaStartScript,
      environment: {
        CLUSTER_ID: KAFKA_CLUSTER_ID,
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LOG_DIRS: '/var/lib/kafka/data',
        KAFKA_LISTENERS: `CLIENT://:${client},BROKER://:${broker},CONTROLLER://:${controller}`,
        KAFKA_ADVERTISED_LISTENERS: `CLIENT://${v.kafkaAdvertisedClient},BROKER://localhost:${broker}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${controller}`,
        ...security,
        // The rest as the local broker (infra/local/kafka.ts writeServerProperties).
        KAFKA_NUM_PARTITIONS: '1',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
        KAFKA_MIN_INSYNC_REPLICAS: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_DELETE_TOPIC_ENABLE: 'true',
        BPS_KAFKA_ADMIN_USER: v.kafkaAdminUser,
        BPS_KAFKA_ADMIN_PASSWORD: v.kafkaAdminPassword,
        BPS_KAFKA_SCRAM_USERS: v.kafkaScramUsers,
      },
      port: client,
      healthcheck: {
        test: [
          'CMD-SHELL',
          `test -f ${KAFKA_READY_FILE} && /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:${broker} --command-config ${KAFKA_ADMIN_PROPERTIES} >/dev/null 2>&1`,
        ],
        intervalMs: 2_000,
        timeoutMs: 30_000,
        retries: 30,
        startPeriodMs: 120_000,
      },
    },
    mongo: {
      name: 'mongo',
      image: images.mongo,
      // A single-node replica set (what production runs: transactions, change streams and write concerns behave as
      // there). The member's host is 127.0.0.1:<port>, so clients on the host that discover the set reach it
      // through Compose's same-number port mapping; testcontainers' clients connect with directConnection=true.
      script: `exec docker-entrypoint.sh mongod --replSet ${MONGO_REPLICA_SET} --bind_ip_all --port "$BPS_MONGO_PORT"`,
      environment: { BPS_MONGO_PORT: v.mongoPort },
      port: containerPorts.mongo,
      healthcheck: {
        // Initiates the replica set on its first run, then is healthy once this node is the writable primary.
        test: ['CMD-SHELL', `mongosh --quiet --port "$BPS_MONGO_PORT" --eval '${mongoReplicaSetCheck}'`],
        intervalMs: 1_000,
        timeoutMs: 10_000,
        retries: 60,
        startPeriodMs: 60_000,
      },
    },
    temporal: {
      name: 'temporal',
      image: images.temporal,
      // The image is built FROM scratch (no shell): exec-form arguments to its `temporal` entrypoint, readiness from
      // the log line the dev server prints once it serves, then (testcontainers) the namespace answering over gRPC.
      command: [
        'server',
        'start-dev',
        ...(v.temporalUi ? ['--ui-port', String(containerPorts.temporalUi)] : ['--headless']),
        '--ip',
        '0.0.0.0',
        '--port',
        String(containerPorts.temporal),
        '--namespace',
        v.temporalNamespace,
        '--log-level',
        'warn',
        ...Object.entries(temporalSearchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
      ],
      environment: {},
      port: containerPorts.temporal,
      readyLog: new RegExp(`Server:\\s+\\S+:${containerPorts.temporal}`),
    },
  };
}
