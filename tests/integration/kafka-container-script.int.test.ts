// The Kafka container's start (infra/containers/images.ts) run here without Docker, as close to the apache/kafka
// image as this machine allows: the SAME start script and environment the container gets (only its container ports
// moved to free local ports and its paths moved into a temp dir), with the image's own entry points stood in for by
// the same Kafka 3.9.1 jars the local stack uses — `/etc/kafka/docker/run` runs the image's
// kafka.docker.KafkaDockerWrapper (server.properties from the KAFKA_* environment, storage format) and then the
// broker; the `kafka-configs.sh` / `kafka-broker-api-versions.sh` tools are their main classes. This proves the
// container broker's listeners, the PLAIN inter-broker listener, the SCRAM users the script stores, its health check,
// and that services' principals then meet the ACLs of infra/local/kafka-acls.ts exactly as on the local broker.
// What it cannot prove: the image itself (its scripts, paths, user) — that needs a Docker engine (see README).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerPorts, KAFKA_READY_FILE } from '../../infra/containers/images';
import { containerSpecs, kafkaStartScriptFor } from '../../infra/containers/testcontainers';
import { ensureKafkaAcls } from '../../infra/local/kafka-acls';
import { kafkaInstalled } from '../../infra/local/kafka';
import { generateDevSecrets, type Credentials } from '../../infra/local/secrets';
import { settings } from '../../infra/local/settings';
import { topics } from '../../services/shared/events/catalog';
import { uniqueName } from '../support/names';

const s = settings();
const libs = join(s.kafka.home, 'libs');
const log4j = fileURLToPath(new URL('../../infra/local/kafka-files/log4j.properties', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const java = (main: string, heap: string): string =>
  `exec java -Xmx${heap} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j.configuration=file:${log4j} -cp '${libs}/*' ${main} "$@"`;

// Only where the local stack's Kafka jars are installed (always on the local path; the containers path runs the
// real image instead, so it has no need of this stand-in).
describe.skipIf(!kafkaInstalled(s))("the Kafka container start script, run on the image's own Kafka classes without Docker", () => {
  const secrets = generateDevSecrets();
  const spec = containerSpecs(secrets, 'bps').kafka;
  let root = '';
  let broker: ChildProcess | undefined;
  let output = '';
  let client = 0;
  let ports = (text: string): string => text;
  let paths = (text: string): string => text;
  const clientFor = (c: Credentials, clientId = uniqueName('ctr')): Kafka =>
    new Kafka({
      clientId,
      brokers: [`127.0.0.1:${client}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      retry: { retries: 2 },
      sasl: { mechanism: 'scram-sha-512', username: c.username, password: c.password },
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kafka-container-emulation-'));
    client = await freePort();
    const [controller, brokerPort] = [await freePort(), await freePort()];
    ports = (text: string): string =>
      text
        .replaceAll(`:${containerPorts.kafka}`, `:${client}`)
        .replaceAll(`:${containerPorts.kafkaController}`, `:${controller}`)
        .replaceAll(`:${containerPorts.kafkaBroker}`, `:${brokerPort}`);
    paths = (text: string): string =>
      text
        .replaceAll('/etc/kafka/docker/run', `${root}/etc/kafka/docker/run`)
        .replaceAll('/opt/kafka/bin/', `${root}/opt/kafka/bin/`)
        .replaceAll('/tmp/bps-', `${root}/tmp/bps-`)
        .replaceAll('localhost:', '127.0.0.1:');
    for (const dir of ['etc/kafka/docker', 'mnt/shared/config', 'opt/kafka/config', 'opt/kafka/bin', 'tmp', 'data'])
      mkdirSync(join(root, dir), { recursive: true });
    for (const f of ['log4j.properties', 'tools-log4j.properties']) copyFileSync(log4j, join(root, 'etc/kafka/docker', f));
    writeFileSync(join(root, 'etc/kafka/docker/server.properties'), '');
    const shim = (path: string, body: string): void => {
      writeFileSync(join(root, path), `#!/bin/sh\n${body}\n`);
      chmodSync(join(root, path), 0o755);
    };
    // The image's run: configure (KafkaDockerWrapper setup: properties from env + format, "already formatted" is
    // fine, as in the image's script), then launch the broker in the foreground.
    shim(
      'etc/kafka/docker/run',
      [
        `out=$(java -Xmx256m -Dlog4j.configuration=file:${log4j} -cp '${libs}/*' kafka.docker.KafkaDockerWrapper setup --default-configs-dir ${root}/etc/kafka/docker --mounted-configs-dir ${root}/mnt/shared/config --final-configs-dir ${root}/opt/kafka/config 2>&1) || echo "$out" | grep -qi 'already formatted' || { echo "$out"; exit 1; }`,
        `exec java -Xmx512m -XX:+UseG1GC -Dlog4j.configuration=file:${log4j} -cp '${libs}/*' kafka.Kafka ${root}/opt/kafka/config/server.properties`,
      ].join('\n'),
    );
    shim('opt/kafka/bin/kafka-broker-api-versions.sh', java('kafka.admin.BrokerApiVersionsCommand', '128m'));
    shim('opt/kafka/bin/kafka-configs.sh', java('kafka.admin.ConfigCommand', '128m'));
    // Exactly what the container runs (advertised listener line + the shared start script), ports and paths moved.
    const script = paths(ports(kafkaStartScriptFor(spec, '127.0.0.1', containerPorts.kafka, containerPorts.kafkaBroker)));
    writeFileSync(join(root, 'start.sh'), script);
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', HOME: root };
    for (const [k, v] of Object.entries(spec.environment)) env[k] = ports(v);
    env['KAFKA_LOG_DIRS'] = join(root, 'data');
    env['KAFKA_LISTENERS'] = env['KAFKA_LISTENERS']!.replace(/\/\/:/g, '//127.0.0.1:');
    env['KAFKA_CONTROLLER_QUORUM_VOTERS'] = env['KAFKA_CONTROLLER_QUORUM_VOTERS']!.replace('localhost', '127.0.0.1');
    broker = spawn('sh', [join(root, 'start.sh')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    broker.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    broker.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const deadline = Date.now() + 150_000;
    while (!output.includes('bps: SCRAM users stored, broker ready')) {
      if (broker.exitCode !== null) throw new Error(`start script exited ${broker.exitCode}:\n${output.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`no ready line within 150 s:\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 180_000);

  afterAll(async () => {
    if (broker && broker.exitCode === null) {
      const exited = new Promise((r) => broker!.once('exit', r));
      broker.kill('SIGTERM'); // the script's trap forwards it to the broker
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      if (broker.exitCode === null) broker.kill('SIGKILL');
    }
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it("becomes healthy by the container's own health check once every SCRAM user is stored", () => {
    const test = spec.healthCheck!.test[1]!;
    const moved = paths(ports(test));
    expect(moved).toContain(`${root}${KAFKA_READY_FILE}`);
    const result = spawnSync('sh', ['-c', moved], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
  }, 90_000);

  function readListeners(): string {
    return spawnSync('cat', [join(root, 'opt/kafka/config/server.properties')], { encoding: 'utf8' }).stdout;
  }

  it('writes the broker configuration the container environment describes (SASL everywhere, authorizer, no anonymous access)', () => {
    const props = readListeners();
    expect(props).toMatch(/^listener\.security\.protocol\.map=CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT$/m);
    expect(props).toMatch(/^inter\.broker\.listener\.name=BROKER$/m);
    expect(props).toMatch(/^listener\.name\.client\.sasl\.enabled\.mechanisms=SCRAM-SHA-512$/m);
    expect(props).toMatch(/^authorizer\.class\.name=org\.apache\.kafka\.metadata\.authorizer\.StandardAuthorizer$/m);
    expect(props).toMatch(/^allow\.everyone\.if\.no\.acl\.found=false$/m);
    expect(props).toMatch(/^super\.users=User:admin$/m);
  });

  it('takes the admin over SCRAM-SHA-512 from outside and gets the ACL table of infra/local/kafka-acls.ts', async () => {
    const { created, deleted } = await ensureKafkaAcls(clientFor(secrets.kafka.admin));
    expect(created).toBeGreaterThan(0);
    expect(deleted).toBe(0);
    expect(await ensureKafkaAcls(clientFor(secrets.kafka.admin))).toEqual({ created: 0, deleted: 0 });
  }, 60_000);

  it("lets a service principal write its own family and refuses it another's; refuses a wrong password", async () => {
    const registry = clientFor(secrets.kafka.principals.registry);
    const producer = registry.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    try {
      const own = `${topics.standards}.${uniqueName('t')}`;
      await expect(producer.send({ topic: own, messages: [{ value: 'x' }] })).resolves.toBeDefined();
      const foreign = `${topics.proposals}.${uniqueName('t')}`;
      await expect(producer.send({ topic: foreign, messages: [{ value: 'x' }] })).rejects.toThrow(/authoriz/i);
    } finally {
      await producer.disconnect();
    }
    const wrong = clientFor({ username: 'registry', password: 'not-the-password' }).admin();
    await expect(wrong.connect()).rejects.toThrow(/SASL|authenticat/i);
  }, 90_000);
});
