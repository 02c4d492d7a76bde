// Apache Kafka 3.9 in single-node KRaft mode, from Maven Central jars, run with the machine's Java 17.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { Component } from './component';
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
  await runStep(`Kafka ${versions.kafka}: resolving broker jars from Maven Central`, 'mvn', [
    '-B', '-q', '-f', pom, 'dependency:copy-dependencies',
    '-DincludeScope=runtime', `-DoutputDirectory=${libs(s)}`, `-Dkafka.version=${versions.kafka}`,
  ], { usually: 'about 1 min' });
}

function java(s: Settings, mainClass: string, args: readonly string[]): string[] {
  return [
    `-Xms256m`, `-Xmx${s.kafka.heap}`, '-XX:+UseG1GC', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${s.logDir}`,
    '-cp', `${libs(s)}/*`, mainClass, ...args,
  ];
}

function writeServerProperties(s: Settings): string {
  const file = join(s.kafka.dataDir, 'server.properties');
  const { port, controllerPort } = s.kafka;
  writeFileSync(file, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
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
  ].join('\n'));
  return file;
}

export async function kafkaHealthy(s: Settings): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'bps-infra-health',
    brokers: [`127.0.0.1:${s.kafka.port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Formats the KRaft storage on first use and launches the broker; readiness is awaited by the caller. */
export async function launchKafka(s: Settings): Promise<void> {
  mkdirSync(s.kafka.dataDir, { recursive: true });
  const properties = writeServerProperties(s);
  if (!existsSync(join(s.kafka.dataDir, 'log', 'meta.properties'))) {
    await runStep('Kafka: formatting KRaft storage', 'java', java(s, 'kafka.tools.StorageTool', [
      'format', '-t', randomBytes(16).toString('base64url'), '-c', properties, '--ignore-formatted',
    ]));
  }
  say(`Kafka: starting broker on 127.0.0.1:${s.kafka.port}`);
  startDetached(s, 'kafka', 'java', java(s, 'kafka.Kafka', [properties]));
}

export function kafkaComponent(s: Settings): Component {
  return {
    name: 'kafka',
    healthy: () => kafkaHealthy(s),
    install: () => installKafka(s),
    launch: () => launchKafka(s),
    readyWithinMs: 90_000,
    logPath: join(s.logDir, 'kafka.log'),
    stop: () => stopKafka(s),
  };
}

export async function stopKafka(s: Settings): Promise<boolean> {
  return stopProcess(s, 'kafka', 30_000);
}

export function kafkaPid(s: Settings): number | undefined {
  return runningPid(s, 'kafka');
}
