// The whole local stack: install what is missing, start what is down, report, stop.
import { existsSync } from 'node:fs';
import { bringUp, type Component } from './component';
import { applyKafkaAcls, kafkaComponent, kafkaTlsFiles, kafkaHealthy, kafkaInstalled, kafkaPid, stopKafka } from './kafka';
import {
  ferretdbBackendName,
  ferretdbBinary,
  mongoComponent,
  mongoFlavour,
  mongoHealthy,
  mongoPid,
  mongoTlsFiles,
  mongoTlsUri,
  mongoUri,
  stopMongo,
  usesPostgres,
} from './mongo';
import { applyFerretdbLookups, postgresComponent, postgresHealthy, postgresInstalled, postgresPid, stopPostgres } from './postgres';
import { say } from './process';
import { ensureDevSecrets, type DevSecrets } from './secrets';
import { settings, versions, type Settings } from './settings';
import { stopTemporal, temporalComponent, temporalHealthy, temporalInstalled, temporalPid } from './temporal';

export type StackEndpoints = {
  readonly kafkaBrokers: string;
  /** The broker's SASL_SSL listener, the CA file its certificate is signed by, a client certificate it accepts (local stack only). */
  readonly kafkaTls?: { readonly brokers: string; readonly caFile: string; readonly clientCertFile: string; readonly clientKeyFile: string };
  /** FerretDB's mutual-TLS listener, its CA, and a client certificate and key in one file (local FerretDB only). */
  readonly mongoTls?: { readonly uri: string; readonly caFile: string; readonly clientCertKeyFile: string };
  readonly temporalAddress: string;
  readonly temporalNamespace: string;
  readonly mongoUri: string;
};

export function endpoints(s: Settings = settings()): StackEndpoints {
  return {
    kafkaBrokers: `127.0.0.1:${s.kafka.port}`,
    kafkaTls: {
      brokers: `127.0.0.1:${s.kafka.tlsPort}`,
      caFile: kafkaTlsFiles(s).ca,
      clientCertFile: kafkaTlsFiles(s).clientCert,
      clientKeyFile: kafkaTlsFiles(s).clientKey,
    },
    ...(mongoFlavour(s) === 'ferretdb'
      ? { mongoTls: { uri: mongoTlsUri(s), caFile: mongoTlsFiles(s).ca, clientCertKeyFile: mongoTlsFiles(s).clientCertKey } }
      : {}),
    temporalAddress: `127.0.0.1:${s.temporal.port}`,
    temporalNamespace: s.temporal.namespace,
    mongoUri: mongoUri(s),
  };
}

/** The stack's components in install order: the quick Kafka jars first, the long Temporal build last. */
export function stackComponents(s: Settings = settings(), secrets: DevSecrets = ensureDevSecrets(s)): Component[] {
  return [kafkaComponent(s, secrets), ...(usesPostgres(s) ? [postgresComponent(s)] : []), mongoComponent(s), temporalComponent(s)];
}

/** Starts every component that is not already healthy; returns the names of those it started. */
export async function ensureStack(s: Settings = settings()): Promise<{ started: string[]; endpoints: StackEndpoints; secrets: DevSecrets }> {
  const began = Date.now();
  const secrets = ensureDevSecrets(s);
  const started = await bringUp(stackComponents(s, secrets));
  await applyKafkaAcls(s, secrets); // every start: a broker kept running from before gets a changed table too
  if (usesPostgres(s)) await applyFerretdbLookups(s); // likewise a database kept running from before
  if (started.length > 0) say(`stack ready in ${((Date.now() - began) / 1000).toFixed(1)}s (started: ${started.join(', ')})`);
  return { started, endpoints: endpoints(s), secrets };
}

export async function stopStack(s: Settings = settings(), only?: readonly string[]): Promise<void> {
  const wanted = (name: string): boolean => only === undefined || only.includes(name);
  await Promise.all([wanted('kafka') ? stopKafka(s) : undefined, wanted('mongo') ? stopMongo(s) : undefined, wanted('temporal') ? stopTemporal(s) : undefined]);
  // After FerretDB, its storage ("stop mongo" stops both).
  if (wanted('postgres') || wanted('mongo')) await stopPostgres(s);
}

export type ComponentStatus = { name: string; up: boolean; version: string; port: number; pid?: number; dataDir: string; installed: boolean };

export async function stackStatus(s: Settings = settings()): Promise<ComponentStatus[]> {
  const flavour = mongoFlavour(s);
  return [
    {
      name: 'kafka',
      up: await kafkaHealthy(s, ensureDevSecrets(s).kafka.admin),
      version: `Apache Kafka ${versions.kafka} (KRaft)`,
      port: s.kafka.port,
      pid: kafkaPid(s),
      dataDir: s.kafka.dataDir,
      installed: kafkaInstalled(s),
    },
    {
      name: 'temporal',
      up: await temporalHealthy(s).catch(() => false),
      version: `Temporal CLI ${versions.temporalCli} dev server`,
      port: s.temporal.port,
      pid: temporalPid(s),
      dataDir: s.temporal.dataDir,
      installed: temporalInstalled(s),
    },
    {
      name: 'mongo',
      up: await mongoHealthy(s),
      version:
        flavour === 'ferretdb'
          ? `FerretDB ${versions.ferretdb} (${ferretdbBackendName(s)})`
          : flavour === 'mongod'
            ? 'mongod (PATH)'
            : `external ${s.mongo.externalUri}`,
      port: s.mongo.port,
      pid: mongoPid(s),
      dataDir: s.mongo.dataDir,
      installed: flavour !== 'ferretdb' || existsSync(ferretdbBinary(s)),
    },
    ...(usesPostgres(s)
      ? [
          {
            name: 'postgres',
            up: await postgresHealthy(s),
            version: `PostgreSQL ${versions.postgresql} (Debian package, FerretDB's storage)`,
            port: s.postgres.port,
            pid: postgresPid(s),
            dataDir: s.postgres.dataDir,
            installed: postgresInstalled(s),
          },
        ]
      : []),
  ];
}
