// The containers path (issue #22) as far as it can be proven without a Docker engine: which infrastructure the
// test setup chooses, the Docker probe (against real sockets served here), the container definitions and their
// testcontainers form, and that infra/compose.yaml is exactly what the one source generates.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { composeFileIsCurrent, composePlatformEnv, composeVars, composeYaml, PLATFORM_PROFILE } from '../../infra/containers/compose';
import {
  containerDefinitions,
  containerKafkaSecurityProperties,
  images,
  kafkaImageEnvName,
  kafkaScramUsers,
  kafkaStartScript,
} from '../../infra/containers/images';
import { chooseInfra, dockerCandidates, probeDocker, selectInfra, type DockerProbe, type ProbeEnvironment } from '../../infra/containers/select';
import {
  containerSpecs,
  deliverKafkaStartScript,
  KAFKA_START_SCRIPT,
  KAFKA_WAITING_LOG,
  kafkaStartScriptFor,
  toContainer,
} from '../../infra/containers/testcontainers';
import { aclRules } from '../../infra/local/kafka-acls';
import { composeEnv, kafkaSecurityProperties, scramUsers } from '../../infra/local/kafka';
import { devServiceEnv, generateDevSecrets, kafkaPrincipals } from '../../infra/local/secrets';
import { platformServices } from '../../infra/scripts/services';
import { temporalSearchAttributes, versions } from '../../infra/local/settings';

const answers = (detail = 'unix:///var/run/docker.sock'): (() => Promise<DockerProbe>) => vi.fn(async () => ({ answers: true, detail }));
const silent = (): (() => Promise<DockerProbe>) => vi.fn(async () => ({ answers: false, detail: 'no socket' }));

describe('infrastructure selection (BPS_INFRA, else a Docker probe)', () => {
  it('BPS_INFRA=containers forces containers without probing', async () => {
    const probe = silent();
    expect(await selectInfra({ BPS_INFRA: 'containers' }, probe)).toEqual({ infra: 'containers', reason: 'BPS_INFRA=containers' });
    expect(probe).not.toHaveBeenCalled();
  });

  it('BPS_INFRA=local forces the local stack without probing, even when Docker answers', async () => {
    const probe = answers();
    expect(await selectInfra({ BPS_INFRA: 'local' }, probe)).toEqual({ infra: 'local', reason: 'BPS_INFRA=local' });
    expect(probe).not.toHaveBeenCalled();
  });

  it('unset (or empty): containers when a Docker engine answers, else local', async () => {
    for (const env of [{}, { BPS_INFRA: '' }, { BPS_INFRA: '  ' }]) {
      expect(await selectInfra(env, answers('DOCKER_HOST'))).toEqual({ infra: 'containers', reason: 'a Docker engine answers (DOCKER_HOST)' });
      expect(await selectInfra(env, silent())).toEqual({ infra: 'local', reason: 'no Docker engine (no socket)' });
    }
  });

  it('a probe that throws means the local stack, saying why', async () => {
    const choice = await selectInfra({}, async () => {
      throw new Error('EACCES /var/run/docker.sock');
    });
    expect(choice).toEqual({ infra: 'local', reason: 'no Docker engine (probe failed: EACCES /var/run/docker.sock)' });
  });

  it('refuses any other BPS_INFRA value', async () => {
    await expect(selectInfra({ BPS_INFRA: 'docker' }, answers())).rejects.toThrow(/BPS_INFRA must be "containers" or "local"/);
    await expect(selectInfra({ BPS_INFRA: 'Containers' }, answers())).rejects.toThrow(/BPS_INFRA must be/);
  });

  it('refuses a probe timeout that is not a number of milliseconds', async () => {
    await expect(chooseInfra({ BPS_INFRA: 'local', BPS_DOCKER_PROBE_TIMEOUT_MS: 'soon' })).rejects.toThrow(/BPS_DOCKER_PROBE_TIMEOUT_MS/);
    expect(await chooseInfra({ BPS_INFRA: 'local', BPS_DOCKER_PROBE_TIMEOUT_MS: '250' })).toEqual({ infra: 'local', reason: 'BPS_INFRA=local' });
  });
});

describe("where the Docker probe looks (testcontainers' runtime strategies, in order)", () => {
  const machine = (over: Partial<ProbeEnvironment> & { sockets?: string[] } = {}): ProbeEnvironment => ({
    env: {},
    platform: 'linux',
    home: '/home/dev',
    uid: 1000,
    exists: (p) => (over.sockets ?? []).includes(p),
    ...over,
  });

  it('nothing configured and no socket: no candidate', () => {
    expect(dockerCandidates(machine())).toEqual([]);
  });

  it('tc.host, then DOCKER_HOST (over docker.host), then the sockets that exist', () => {
    const found = dockerCandidates(
      machine({
        properties: 'tc.host=tcp://127.0.0.1:41234\ndocker.host=unix:///from/properties.sock\n',
        env: { DOCKER_HOST: 'tcp://build-host:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs', XDG_RUNTIME_DIR: '/run/user/1000' },
        sockets: ['/var/run/docker.sock', '/home/dev/.docker/desktop/docker.sock', '/run/user/1000/docker.sock'],
      }),
    );
    expect(found).toEqual([
      { kind: 'tcp', host: '127.0.0.1', port: 41234, tls: false, source: 'tc.host in ~/.testcontainers.properties' },
      { kind: 'tcp', host: 'build-host', port: 2376, tls: true, certPath: '/certs', source: 'DOCKER_HOST' },
      { kind: 'socket', socketPath: '/var/run/docker.sock', source: '/var/run/docker.sock' },
      { kind: 'socket', socketPath: '/run/user/1000/docker.sock', source: '/run/user/1000/docker.sock' },
      { kind: 'socket', socketPath: '/home/dev/.docker/desktop/docker.sock', source: '/home/dev/.docker/desktop/docker.sock' },
    ]);
  });

  it('docker.host from ~/.testcontainers.properties when DOCKER_HOST is unset; ssh:// is named but not probed', () => {
    expect(dockerCandidates(machine({ properties: 'docker.host = unix:///custom/docker.sock' }))).toEqual([
      { kind: 'socket', socketPath: '/custom/docker.sock', source: 'docker.host in ~/.testcontainers.properties' },
    ]);
    expect(dockerCandidates(machine({ env: { DOCKER_HOST: 'ssh://me@box' } }))).toEqual([{ kind: 'unsupported', uri: 'ssh://me@box', source: 'DOCKER_HOST' }]);
  });

  it('no unix sockets on Windows', () => {
    expect(dockerCandidates(machine({ platform: 'win32', sockets: ['/var/run/docker.sock'] }))).toEqual([]);
  });
});

describe('the Docker probe against real sockets', () => {
  const dirs: string[] = [];
  const servers: { close(): unknown }[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const socketPath = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'bps-probe-'));
    dirs.push(dir);
    return join(dir, 'docker.sock');
  };
  const listen = (server: Server | ReturnType<typeof createNetServer>, path: string): Promise<void> =>
    new Promise((resolve) => {
      servers.push(server);
      server.listen(path, () => resolve());
    });
  const onSocket = (path: string): ProbeEnvironment => ({
    env: { DOCKER_HOST: `unix://${path}` },
    platform: 'linux',
    home: '/nonexistent',
    uid: 1000,
    exists: () => false,
  });

  it('answers true when the engine replies 200 to GET /_ping', async () => {
    const path = socketPath();
    const seen: string[] = [];
    await listen(
      createHttpServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        res.end('OK');
      }),
      path,
    );
    expect(await probeDocker(onSocket(path), 1000)).toEqual({ answers: true, detail: 'DOCKER_HOST' });
    expect(seen).toEqual(['GET /_ping']);
  });

  it('answers false on an error status', async () => {
    const path = socketPath();
    await listen(
      createHttpServer((_req, res) => {
        res.statusCode = 500;
        res.end('no');
      }),
      path,
    );
    expect((await probeDocker(onSocket(path), 1000)).answers).toBe(false);
  });

  it('gives up on an engine that accepts but never replies, within the timeout', async () => {
    const path = socketPath();
    await listen(
      createNetServer(() => undefined),
      path,
    );
    const began = Date.now();
    const result = await probeDocker(onSocket(path), 300);
    expect(result.answers).toBe(false);
    expect(result.detail).toMatch(/no answer within 300 ms/);
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it('resolves on its own in a process with nothing else to do (the setup awaits it; nothing may end the process first)', async () => {
    const path = socketPath();
    await listen(
      createNetServer(() => undefined),
      path,
    ); // accepts, never answers: only the probe's timer ends it
    const select = new URL('../../infra/containers/select.ts', import.meta.url).pathname;
    const code =
      `import { probeDocker } from ${JSON.stringify(select)};\n` +
      `const r = await probeDocker({ env: { DOCKER_HOST: 'unix://${path}' }, platform: 'linux', home: '/nonexistent', uid: 1000, exists: () => false }, 300);\n` +
      'console.log(JSON.stringify(r));\n';
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(status, out).toBe(0);
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ answers: false, detail: 'no answer within 300 ms from DOCKER_HOST' });
  }, 20_000);

  it('costs nothing when there is no candidate', async () => {
    const began = Date.now();
    expect(await probeDocker({ env: {}, platform: 'linux', home: '/nonexistent', uid: 1000, exists: () => false }, 1000)).toEqual({
      answers: false,
      detail: 'no DOCKER_HOST, testcontainers host or Docker socket',
    });
    expect(Date.now() - began).toBeLessThan(100);
  });
});

describe('container definitions', () => {
  const secrets = generateDevSecrets();
  const specs = containerSpecs(secrets, 'bps-test');

  it('pins every image to an exact version; Kafka and the Temporal CLI follow the local stack', () => {
    for (const image of Object.values(images)) expect(image).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+$/);
    expect(images.kafka).toBe(`apache/kafka:${versions.kafka}`);
    expect(images.temporal).toBe(`temporalio/temporal:${versions.temporalCli.replace(/^v/, '')}`);
    expect(images.mongo).toMatch(/^mongo:/);
  });

  it("runs the broker with the local broker's authentication on CLIENT (SCRAM-SHA-512, authorizer, no anonymous access)", () => {
    const env = specs.kafka.environment;
    const { password, username } = secrets.kafka.admin;
    for (const line of kafkaSecurityProperties(username, password)) {
      const at = line.indexOf('=');
      const [key, value] = [line.slice(0, at), line.slice(at + 1)];
      if (key === 'sasl.mechanism.inter.broker.protocol') continue; // inter-broker runs on the internal BROKER listener
      expect(env[kafkaImageEnvName(key)], key).toBe(value);
    }
    expect(env['KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS']).toBe('SCRAM-SHA-512');
    expect(env['KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND']).toBe('false');
    expect(env['KAFKA_SUPER_USERS']).toBe(`User:${username}`);
    expect(env['KAFKA_LISTENER_SECURITY_PROTOCOL_MAP']).toBe('CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT,BROKER:SASL_PLAINTEXT');
    expect(Object.values(env).join('\n')).not.toMatch(/(^|[,:])PLAINTEXT(:|,|$)/m);
    expect(containerKafkaSecurityProperties('admin', 'pw')).toContain('listener.name.broker.sasl.enabled.mechanisms=PLAIN');
    expect(kafkaImageEnvName('listener.name.client.scram-sha-512.sasl.jaas.config')).toBe('KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG');
  });

  it("stores a SCRAM user for admin and every principal the ACL table names, with the stack's own passwords", () => {
    const users = new Map(specs.kafka.environment['BPS_KAFKA_SCRAM_USERS']!.split(' ').map((u) => [u.slice(0, u.indexOf(':')), u.slice(u.indexOf(':') + 1)]));
    expect([...users.keys()].sort()).toEqual(['admin', ...kafkaPrincipals].sort());
    expect(users.get('admin')).toBe(secrets.kafka.admin.password);
    for (const p of kafkaPrincipals) expect(users.get(p)).toBe(secrets.kafka.principals[p].password);
    for (const rule of aclRules()) expect(users.has(rule.principal), rule.principal).toBe(true);
    // Compose's env file carries the same users.
    expect(composeEnv(secrets)).toContain(`BPS_KAFKA_SCRAM_USERS=${kafkaScramUsers(scramUsers(secrets))}\n`);
    expect(() => kafkaScramUsers([{ username: 'x', password: 'has space' }])).toThrow(/base64url/);
  });

  it('has start scripts and health checks that are valid /bin/sh', () => {
    const scripts = [kafkaStartScript, specs.mongo.command[0]!, specs.kafka.command[0]!, specs.kafka.healthCheck!.test[1]!, specs.mongo.healthCheck!.test[1]!];
    for (const script of scripts) {
      const check = spawnSync('sh', ['-n', '-c', script], { encoding: 'utf8' });
      expect(check.status, `${script}\n${check.stderr}`).toBe(0);
    }
    expect(kafkaStartScript).toContain('--add-config "SCRAM-SHA-512=[password=${user#*:}]"');
  });

  it("waits for each container with a real strategy: Docker health checks, the dev server's ready line", () => {
    expect(specs.kafka.wait).toEqual({ kind: 'health' });
    expect(specs.kafka.healthCheck?.test[1]).toMatch(/kafka-broker-api-versions\.sh --bootstrap-server localhost:9094/);
    expect(specs.mongo.wait).toEqual({ kind: 'health' });
    expect(specs.mongo.healthCheck?.test[1]).toMatch(/rs\.initiate.*isWritablePrimary/);
    expect(specs.temporal.wait.kind).toBe('log');
    const line = specs.temporal.wait.kind === 'log' ? specs.temporal.wait.line : /never/;
    // What `temporal server start-dev` (CLI v1.5.1) prints once it serves (seen from the local binary).
    expect('CLI 1.5.1 (Server 1.29.1, UI 2.42.1)\n\nServer:  0.0.0.0:7233\nMetrics: http://0.0.0.0:41231/metrics').toMatch(line);
    expect('Server:  localhost:7233').toMatch(line);
    expect('Server:  localhost:17233').not.toMatch(line);
    expect(specs.temporal.command).toEqual(expect.arrayContaining(['start-dev', '--namespace', 'bps-test', '--ip', '0.0.0.0']));
    for (const [name, type] of Object.entries(temporalSearchAttributes)) expect(specs.temporal.command).toContain(`${name}=${type}`);
  });

  it('builds testcontainers containers carrying exactly those settings (no Docker engine is contacted)', () => {
    type Inside = {
      waitStrategy: object;
      healthCheck?: unknown;
      environment: Record<string, string>;
      exposedPorts: unknown[];
      createOpts: { Cmd?: string[]; Entrypoint?: string[]; Image?: string };
      startupTimeoutMs?: number;
    };
    const inside = (c: unknown): Inside => c as Inside;
    const kafka = inside(toContainer(specs.kafka, 9094));
    expect(kafka.waitStrategy.constructor.name).toBe('LogWaitStrategy'); // phase 1: waiting for its start script
    expect(kafka.createOpts.Cmd?.[0]).toContain(KAFKA_WAITING_LOG);
    expect(kafka.createOpts.Cmd?.[0]).toContain(KAFKA_START_SCRIPT);
    expect(kafka.healthCheck).toEqual(specs.kafka.healthCheck);
    expect(kafka.environment['KAFKA_ADVERTISED_LISTENERS']).toBeUndefined(); // set by the start script
    expect(inside(kafka)['exposedPorts']).toEqual([9092]);
    const mongo = inside(toContainer(specs.mongo, 9094));
    expect(mongo.waitStrategy.constructor.name).toBe('HealthCheckWaitStrategy');
    expect(mongo.createOpts.Entrypoint).toEqual(['/bin/sh', '-c']);
    const temporal = inside(toContainer(specs.temporal, 9094));
    expect(temporal.waitStrategy.constructor.name).toBe('LogWaitStrategy');
    expect(temporal.createOpts.Entrypoint).toBeUndefined(); // the image's own /temporal (it has no shell)
    expect(temporal.createOpts.Cmd).toEqual([...specs.temporal.command]);
  });

  it("hands the running Kafka container its start script, readable by the image's user, with the host's address", async () => {
    const copies: { content: unknown; target: string; mode?: number }[] = [];
    const stops: unknown[] = [];
    const container = {
      getHost: () => 'localhost',
      getMappedPort: (port: number) => (port === 9092 ? 55002 : 0),
      copyContentToContainer: async (contents: { content: unknown; target: string; mode?: number }[]) => {
        copies.push(...contents);
      },
      stop: async (options?: unknown) => {
        stops.push(options);
        return {} as never;
      },
    };
    await deliverKafkaStartScript(container as never, specs.kafka, 9094);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.target).toBe(KAFKA_START_SCRIPT);
    expect(copies[0]!.mode! & 0o005).toBe(0o005); // others may read and run it: the image does not run as root
    expect(String(copies[0]!.content)).toBe(kafkaStartScriptFor(specs.kafka, 'localhost', 55002, 9094));
    expect(stops).toEqual([]);
    const failing = {
      ...container,
      copyContentToContainer: async () => {
        throw new Error('disk full');
      },
    };
    await expect(deliverKafkaStartScript(failing as never, specs.kafka, 9094)).rejects.toThrow('disk full');
    expect(stops).toEqual([{ remove: true, removeVolumes: true }]);
  });

  it('tells Kafka clients the host and mapped port, before the shared start script', () => {
    const script = kafkaStartScriptFor(specs.kafka, 'localhost', 55001, 9094);
    expect(script.split('\n')[0]).toBe("export KAFKA_ADVERTISED_LISTENERS='CLIENT://localhost:55001,BROKER://localhost:9094'");
    expect(script.endsWith(kafkaStartScript)).toBe(true);
    expect(() => kafkaStartScriptFor(specs.kafka, "evil';rm -rf /", 1, 9094)).toThrow(/unexpected container host/);
  });
});

describe('infra/compose.yaml and the testcontainers path come from one source', () => {
  it('the committed compose.yaml is exactly what infra/containers/compose.ts generates', () => {
    expect(composeFileIsCurrent(), 'run `npm run infra -- compose-file` and commit infra/compose.yaml').toBe(true);
  });

  it("each Compose service has the testcontainers container's image, environment, command and health check", () => {
    type Service = { image: string; entrypoint?: string[]; command?: string[]; environment?: Record<string, string>; healthcheck?: { test: string[] } };
    const compose = parse(composeYaml()) as { services: Record<string, Service> };
    const secrets = generateDevSecrets();
    const specs = containerSpecs(secrets, 'bps');
    const defs = containerDefinitions(composeVars);
    const unescape = (s: string): string => s.replace(/\$\$/g, '$');
    for (const name of ['kafka', 'mongo', 'temporal'] as const) {
      const service = compose.services[name]!;
      const spec = specs[name];
      expect(service.image).toBe(spec.image);
      // Same variables; values equal wherever they do not carry a secret, a port or the namespace.
      const envKeys = Object.keys(service.environment ?? {})
        .filter((k) => k !== 'KAFKA_ADVERTISED_LISTENERS')
        .sort();
      expect(envKeys, name).toEqual(Object.keys(spec.environment).sort());
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!value.includes('${')) expect(spec.environment[key], `${name} ${key}`).toBe(value);
      }
      expect(service.healthcheck?.test.map(unescape), name).toEqual(spec.healthCheck?.test);
      if (name === 'temporal') {
        expect(service.command).toEqual(defs.temporal.command);
        expect(service.entrypoint).toBeUndefined();
      } else {
        expect(service.entrypoint).toEqual(['/bin/sh', '-c']);
        expect(unescape(service.command![0]!)).toBe(defs[name].script);
        // Compose would interpolate a lone `$` from the host's environment: shell text carries only `$$`.
        expect(service.command![0]!.replace(/\$\$/g, ''), name).not.toContain('$');
      }
      if (service.healthcheck?.test[0] === 'CMD-SHELL') expect(service.healthcheck.test[1]!.replace(/\$\$/g, ''), name).not.toContain('$');
    }
    expect(compose.services['kafka']!.environment!['KAFKA_ADVERTISED_LISTENERS']).toBe('CLIENT://127.0.0.1:${BPS_KAFKA_PORT:-9092},BROKER://localhost:9094');
    expect(specs.mongo.command[0]).toBe(defs.mongo.script);
    expect(kafkaStartScriptFor(specs.kafka, 'h', 1, 9094)).toContain(defs.kafka.script!);
  });
});

describe('infra/compose.yaml runs the whole platform (profile platform) from the one image', () => {
  type PlatformService = {
    profiles?: string[];
    image: string;
    build?: { context: string; dockerfile: string };
    command?: string[];
    entrypoint?: string[];
    network_mode?: string;
    read_only?: boolean;
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: { test: string[] };
    ports?: string[];
  };
  const compose = parse(composeYaml()) as { services: Record<string, PlatformService> };
  const secrets = generateDevSecrets();
  // The env file compose-env writes (Kafka part + platform part), read as Compose reads it.
  const envFile = new Map(
    (composeEnv(secrets) + composePlatformEnv(secrets))
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const at = line.indexOf('=');
        const raw = line.slice(at + 1);
        return [line.slice(0, at), raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw] as const;
      }),
  );
  /** Compose's interpolation with that env file and an empty shell: ${VAR:?msg} must be set, ${VAR:-default}. */
  const interpolate = (value: string): string =>
    value.replace(/\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (_all, name: string, op: string | undefined, rest: string) => {
      const set = envFile.get(name);
      if (set !== undefined) return set;
      if (op === '-') return rest;
      throw new Error(`\${${name}} is not in the env file`);
    });

  it('keeps the infrastructure-only usage: without the profile only kafka, mongo and temporal start', () => {
    const unprofiled = Object.entries(compose.services).filter(([, s]) => !s.profiles?.includes(PLATFORM_PROFILE));
    expect(unprofiled.map(([name]) => name).sort()).toEqual(['kafka', 'mongo', 'temporal']);
  });

  it('runs every service of npm start as a container of the one image, its entry as the command, healthy by its own probe', () => {
    for (const spec of platformServices) {
      const service = compose.services[spec.name]!;
      expect(service, spec.name).toBeDefined();
      expect(service.profiles).toEqual([PLATFORM_PROFILE]);
      expect(service.image).toBe('${BPS_IMAGE:-bps/platform:dev}');
      expect(service.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
      expect(service.command).toEqual([spec.entry]);
      expect(service.entrypoint).toBeUndefined(); // the image's: node --import tsx
      expect(service.network_mode).toBe('service:platform');
      expect(service.read_only).toBe(true);
      const probe = spec.httpPort ? ['http', `http://127.0.0.1:${spec.httpPort}/healthz`] : ['grpc', `127.0.0.1:${spec.grpcPort}`];
      expect(service.healthcheck?.test).toEqual(['CMD', 'node', 'infra/image/health.mjs', ...probe]);
      // After the infrastructure, the ACL table and every service npm start starts before it.
      const earlier = platformServices.slice(0, platformServices.indexOf(spec)).map((s) => s.name);
      expect(service.depends_on).toMatchObject({
        kafka: { condition: 'service_healthy' },
        mongo: { condition: 'service_healthy' },
        'kafka-acls': { condition: 'service_completed_successfully' },
        ...Object.fromEntries(earlier.map((n) => [n, { condition: 'service_healthy' }])),
      });
    }
    expect(compose.services['kafka-acls']!.command).toEqual(['infra/image/kafka-acls.ts']);
    // The gateway is published on the host's loopback only; the Temporal Web UI is published too.
    expect(compose.services['platform']!.ports).toEqual(['127.0.0.1:${GATEWAY_HTTP_PORT:-8080}:8088']);
    expect(compose.services['platform']!.command).toContain('0.0.0.0:8088=127.0.0.1:8080');
    expect(compose.services['temporal']!.ports).toContain('${BPS_TEMPORAL_UI_PORT:-8233}:8233');
    expect(compose.services['temporal']!.command).not.toContain('--headless');
    expect(containerDefinitions({ ...composeVars, temporalUi: false }).temporal.command).toContain('--headless');
  });

  it("gives each service, through compose-env's file, exactly the secrets npm start gives it", () => {
    for (const spec of platformServices) {
      const environment = compose.services[spec.name]!.environment!;
      const resolved = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, interpolate(v)]));
      expect(resolved, spec.name).toMatchObject(devServiceEnv(secrets, spec.name));
      expect(resolved['BPS_KAFKA_BROKERS']).toBe('127.0.0.1:9092');
      expect(resolved['MONGODB_URI']).toBe('mongodb://127.0.0.1:27017/');
      expect(resolved['BPS_TEMPORAL_ADDRESS']).toBe('127.0.0.1:7233');
    }
    expect(interpolate(compose.services['kafka-acls']!.environment!['BPS_KAFKA_ADMIN_PASSWORD']!)).toBe(secrets.kafka.admin.password);
    // Every variable the file requires is in the env file.
    for (const name of composeYaml().matchAll(/\$\{([A-Z0-9_]+):\?/g)) expect(envFile.has(name[1]!), name[1]).toBe(true);
  });
});
