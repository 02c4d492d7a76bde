// Apache Kafka 3.9 in single-node KRaft mode, from Maven Central jars, run with the machine's Java 17.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { Component } from './component';
import { ensureKafkaAcls } from './kafka-acls';
import { ensureListenerPki, listenerPkiFiles, type ListenerPki } from './pki';
import { kafkaPrincipals, type Credentials, type DevSecrets } from './secrets';
import { runStep, runningPid, say, startDetached, stopProcess, which } from './process';
import { versions, type Settings } from './settings';

const pom = fileURLToPath(new URL('./kafka-files/pom.xml', import.meta.url));
const log4j = fileURLToPath(new URL('./kafka-files/log4j.properties', import.meta.url));

function libs(s: Settings): string {
  return join(s.kafka.home, 'libs');
}

export function kafkaInstalled(s: Settings): boolean {
  return existsSync(join(libs(s), `kafka_2.13-${versions.kafka}.jar`));
}

export async function installKafka(s: Settings): Promise<void> {
  if (kafkaInstalled(s)) return;
  if (!which('java')) throw new Error('Kafka needs Java 17 on PATH (apt-get install openjdk-17-jre-headless)');
  if (!which('mvn')) throw new Error('Kafka jars are resolved with Maven; install it (apt-get install maven)');
  mkdirSync(s.kafka.home, { recursive: true });
  await runStep(
    `Kafka ${versions.kafka}: resolving broker jars from Maven Central`,
    'mvn',
    ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libs(s)}`, `-Dkafka.version=${versions.kafka}`],
    { usually: 'about 1 min' },
  );
}

function java(s: Settings, mainClass: string, args: readonly string[]): string[] {
  return [
    `-Xms256m`,
    `-Xmx${s.kafka.heap}`,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4j}`,
    `-Dkafka.logs.dir=${s.logDir}`,
    '-cp',
    `${libs(s)}/*`,
    mainClass,
    ...args,
  ];
}

// Security: the client listener speaks SASL_PLAINTEXT with SCRAM-SHA-512 (one principal per service, credentials
// stored in the KRaft metadata log at format time); the controller listener speaks SASL_PLAINTEXT with PLAIN and a
// single static user (the broker itself, as admin), so no anonymous client reaches either. The StandardAuthorizer
// refuses whatever no ACL allows; `admin` is the only super user (the stack's own clients: health, ACLs).
function jaasValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** The stack's Kafka TLS material (infra/local/pki.ts): its CA, the broker's key store, a client certificate. */
export function kafkaTlsFiles(s: Settings): ListenerPki {
  return listenerPkiFiles(join(s.kafka.dataDir, 'tls'));
}

/** The SASL_SSL listener's certificates (issue #20), made once and again before they expire. */
async function ensureKafkaTls(s: Settings): Promise<void> {
  const dir = join(s.kafka.dataDir, 'tls');
  if (await ensureListenerPki(dir, 'kafka')) say(`Kafka: TLS certificates for the SASL_SSL listener made in ${dir}`);
}

/** The SASL_SSL listener (SCRAM over TLS), PEM key store and trust store; a client certificate is checked when given. */
function tlsListenerProperties(s: Settings): string[] {
  const files = kafkaTlsFiles(s);
  return [
    'listener.name.client_tls.sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.client_tls.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.client_tls.ssl.keystore.type=PEM',
    `listener.name.client_tls.ssl.keystore.location=${files.serverKeystore}`,
    'listener.name.client_tls.ssl.truststore.type=PEM',
    `listener.name.client_tls.ssl.truststore.location=${files.ca}`,
    'listener.name.client_tls.ssl.client.auth=requested',
  ];
}

function writeServerProperties(s: Settings, secrets: DevSecrets): string {
  const file = join(s.kafka.dataDir, 'server.properties');
  const { port, controllerPort, tlsPort } = s.kafka;
  const admin = secrets.kafka.admin;
  const user = jaasValue(admin.username);
  const pass = jaasValue(admin.password);
  writeFileSync(
    file,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=CLIENT://127.0.0.1:${port},CLIENT_TLS://127.0.0.1:${tlsPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=CLIENT://127.0.0.1:${port},CLIENT_TLS://127.0.0.1:${tlsPort}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=CLIENT',
      'listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT,CLIENT_TLS:SASL_SSL',
      ...kafkaSecurityProperties(user, pass),
      ...tlsListenerProperties(s),
      `log.dirs=${join(s.kafka.dataDir, 'log')}`,
      'num.partitions=1',
      'auto.create.topics.enable=true',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      // Consumers in tests join groups constantly; the default 3 s delay would dominate the run.
      'group.initial.rebalance.delay.ms=0',
      'log.retention.hours=168',
      'delete.topic.enable=true',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  chmodSync(file, 0o600); // it holds the admin password
  return file;
}

/** The broker's security settings (also mirrored in infra/compose.yaml; tests/unit/infra-config.unit.test.ts checks parity). */
export function kafkaSecurityProperties(adminUser: string, adminPassword: string): string[] {
  return [
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512',
    `listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${adminUser}" password="${adminPassword}";`,
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${adminUser}" password="${adminPassword}" user_${adminUser}="${adminPassword}";`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:${adminUser}`,
  ];
}

/** A kafkajs client of the stack itself (health check, ACL set-up): the admin super user; over TLS with `ca`. */
export function infraKafka(s: Settings, admin: Credentials, clientId: string, brokers = `127.0.0.1:${s.kafka.port}`, ca?: Buffer): Kafka {
  return new Kafka({
    ...(ca ? { ssl: { ca: [ca] } } : {}),
    clientId,
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
    sasl: { mechanism: 'scram-sha-512', username: admin.username, password: admin.password },
  });
}

export async function kafkaHealthy(s: Settings, admin: Credentials, brokers?: string, ca?: Buffer): Promise<boolean> {
  const admin_ = infraKafka(s, admin, 'bps-infra-health', brokers, ca).admin();
  try {
    await admin_.connect();
    const cluster = await admin_.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin_.disconnect().catch(() => undefined);
  }
}

/** The SASL_SSL listener answers, its certificate verified against the stack's CA. */
export async function kafkaTlsHealthy(s: Settings, admin: Credentials): Promise<boolean> {
  const files = kafkaTlsFiles(s);
  if (!Object.values(files).every((f) => existsSync(f))) return false;
  return kafkaHealthy(s, admin, `127.0.0.1:${s.kafka.tlsPort}`, readFileSync(files.ca));
}

/**
 * What the storage was formatted with: a digest of every SCRAM credential. A data dir formatted before the broker
 * had authentication (or with other credentials) has no or another marker and is formatted anew.
 */
function securityMarker(s: Settings): string {
  return join(s.kafka.dataDir, 'scram-credentials.sha256');
}

/** admin and every service principal (a secrets file from before may name more, e.g. the gateway: not stored). */
export function scramUsers(secrets: DevSecrets): Credentials[] {
  return [secrets.kafka.admin, ...kafkaPrincipals.map((p) => secrets.kafka.principals[p])];
}

function credentialsDigest(secrets: DevSecrets): string {
  const all = scramUsers(secrets)
    .map((c) => `${c.username}:${c.password}`)
    .sort();
  return createHash('sha256').update(all.join('\n')).digest('hex');
}

function scramArgs(secrets: DevSecrets): string[] {
  return scramUsers(secrets).flatMap((c) => ['--add-scram', `SCRAM-SHA-512=[name=${c.username},password=${c.password}]`]);
}

/**
 * The env file for infra/compose.yaml: the admin password and every SCRAM user (`name:password`), which the
 * container's start script stores with kafka-configs (infra/containers/images.ts).
 */
export function composeEnv(secrets: DevSecrets): string {
  return [
    "# Generated by `npm run infra -- compose-env` from the stack's development secrets. Do not commit.",
    `BPS_KAFKA_ADMIN_PASSWORD=${secrets.kafka.admin.password}`,
    `BPS_KAFKA_SCRAM_USERS=${scramUsers(secrets)
      .map((c) => `${c.username}:${c.password}`)
      .join(' ')}`,
    '',
  ].join('\n');
}

/** Formats the KRaft storage on first use (with every SCRAM credential) and launches the broker; readiness is awaited by the caller. */
export async function launchKafka(s: Settings, secrets: DevSecrets): Promise<void> {
  mkdirSync(s.kafka.dataDir, { recursive: true });
  if (runningPid(s, 'kafka') !== undefined) {
    // Ours, yet not healthy with the admin credentials or without the SASL_SSL listener: a broker started before they existed.
    say("Kafka: the running broker does not accept this stack's admin credentials or has no SASL_SSL listener (started before they existed?); restarting it");
    await stopKafka(s);
  }
  await ensureKafkaTls(s);
  const properties = writeServerProperties(s, secrets);
  const logDir = join(s.kafka.dataDir, 'log');
  const digest = credentialsDigest(secrets);
  const marker = securityMarker(s);
  const formatted = existsSync(join(logDir, 'meta.properties'));
  if (formatted && (!existsSync(marker) || readFileSync(marker, 'utf8').trim() !== digest)) {
    say(
      `Kafka: the data in ${logDir} was formatted without this stack's credentials (a broker from before authentication); ` +
        'deleting it and formatting anew — local development data only, every topic and offset is lost',
    );
    rmSync(logDir, { recursive: true, force: true });
  }
  if (!existsSync(join(logDir, 'meta.properties'))) {
    rmSync(marker, { force: true });
    await runStep(
      'Kafka: formatting KRaft storage with SCRAM credentials',
      'java',
      java(s, 'kafka.tools.StorageTool', [
        'format',
        '-t',
        randomBytes(16).toString('base64url'),
        '-c',
        properties,
        '--ignore-formatted',
        ...scramArgs(secrets),
      ]),
      { quiet: true },
    );
    writeFileSync(marker, `${digest}\n`, { mode: 0o600 });
  }
  say(`Kafka: starting broker on 127.0.0.1:${s.kafka.port} (SASL/SCRAM-SHA-512, ACLs)`);
  startDetached(s, 'kafka', 'java', java(s, 'kafka.Kafka', [properties]));
}

export function kafkaComponent(s: Settings, secrets: DevSecrets): Component {
  return {
    name: 'kafka',
    // Both listeners: a broker started before the SASL_SSL listener existed is restarted with it.
    healthy: async () => (await kafkaHealthy(s, secrets.kafka.admin)) && (await kafkaTlsHealthy(s, secrets.kafka.admin)),
    install: () => installKafka(s),
    launch: () => launchKafka(s, secrets),
    readyWithinMs: 90_000,
    logPath: join(s.logDir, 'kafka.log'),
    stop: () => stopKafka(s),
  };
}

/** Applies the ACL table (infra/local/kafka-acls.ts) as admin; idempotent, run at every stack start. */
export async function applyKafkaAcls(s: Settings, secrets: DevSecrets): Promise<void> {
  const { created, deleted } = await ensureKafkaAcls(infraKafka(s, secrets.kafka.admin, 'bps-infra-acls'));
  if (created > 0 || deleted > 0) say(`Kafka: ACLs of the service principals set from infra/local/kafka-acls.ts (${created} created, ${deleted} removed)`);
}

export async function stopKafka(s: Settings): Promise<boolean> {
  return stopProcess(s, 'kafka', 30_000);
}

export function kafkaPid(s: Settings): number | undefined {
  return runningPid(s, 'kafka');
}
