// The container image's runtime, without a Docker engine: infra/image/build-runtime.sh (what the Dockerfile's build
// stage runs into /app, which its runtime stage copies) lays the runtime out in a directory outside the checkout with
// production dependencies only; registry and approvals (a Temporal worker: it bundles workflows/ at start) are then
// started from there with plain `node --import tsx <entry>` (the image's entrypoint) against the real stack, and
// answer: the image's health probe (plain node) finds them SERVING, the registry serves its seeded catalogue, and
// the approvals worker runs a revision cycle workflow. A runtime import of a dev dependency makes a service exit here.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devServiceEnv } from '../../infra/local/secrets';
import { RevisionCyclesClient } from '../../proto/gen/bps/approvals/v1/cycles';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import { unary } from '../../services/shared/grpc/client';
import { tokenFor } from '../support/identity';
import { uniqueName } from '../support/names';
import { platformNames } from '../support/platform';
import { stack, stackSecrets } from '../support/stack';
import { openCycleRequest } from '../support/cycles';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lockHash = createHash('sha256')
  .update(readFileSync(join(root, 'package-lock.json')))
  .digest('hex')
  .slice(0, 16);
/** Cached per lock file: build-runtime.sh re-copies the sources every run and skips `npm ci` when the lock is the same. */
const runtimeDir = join(tmpdir(), 'bps-image-runtime', lockHash);

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout: number }): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Where the test runs as root (CI, this machine), the services run as nobody, as the image runs them as `node`. */
const NOBODY = 65534;
const asServiceUser = process.getuid?.() === 0;

type Started = { child: ChildProcess; output: () => string; address: string };

/** Only what the image's environment would hold: no inherited NODE_OPTIONS, NODE_PATH or loaders from vitest. */
function imageEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', NODE_ENV: 'production', ...extra };
}

async function startFromImage(service: 'registry' | 'approvals', env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const portEnv = `${service.toUpperCase()}_GRPC_PORT`;
  const child = spawn(process.execPath, ['--import', 'tsx', `services/${service}/main.ts`], {
    cwd: runtimeDir,
    // As the image's USER: not root, and nothing of the layout (root's) writable; HOME is not writable either.
    ...(asServiceUser ? { uid: NOBODY, gid: NOBODY } : {}),
    env: imageEnv({
      ...(asServiceUser ? { HOME: runtimeDir } : {}),
      ...devServiceEnv(stackSecrets(), service),
      ...env,
      [portEnv]: String(port),
      [`${service.toUpperCase()}_METRICS_PORT`]: '0',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output, address: `127.0.0.1:${port}` };
}

/** The image's health probe (plain node, from the runtime layout) until SERVING; fails at once if the service exits. */
async function untilServing(name: string, s: Started, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (s.child.exitCode !== null || s.child.signalCode !== null)
      throw new Error(`${name} exited (${s.child.exitCode ?? s.child.signalCode}) before serving:\n${s.output().slice(-4000)}`);
    const probe = await run(process.execPath, ['infra/image/health.mjs', 'grpc', s.address], { cwd: runtimeDir, env: imageEnv({}), timeout: 10_000 });
    if (probe.code === 0) return probe.output;
    last = probe.output;
    if (Date.now() > deadline) throw new Error(`${name} not SERVING within ${timeoutMs} ms (probe: ${last.trim()}):\n${s.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function stop(s: Started | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    s.child.once('exit', () => resolve());
    s.child.kill('SIGTERM');
    setTimeout(() => s.child.kill('SIGKILL'), 10_000).unref();
  });
}

describe('container image runtime (infra/image/build-runtime.sh, production dependencies only)', () => {
  let built: { code: number; output: string };
  let registry: Started | undefined;
  let approvals: Started | undefined;

  beforeAll(async () => {
    built = await run('sh', [join(root, 'infra/image/build-runtime.sh'), runtimeDir], { cwd: root, timeout: 600_000 });
  }, 620_000);
  afterAll(async () => {
    await Promise.all([stop(registry), stop(approvals)]);
  });

  it('lays out the sources, proto/gen and production node_modules only, outside any node_modules of the checkout', () => {
    expect(built.code, built.output).toBe(0);
    for (const path of [
      'services/registry/main.ts',
      'workflows/index.ts',
      'proto/gen/descriptors.binpb',
      'proto/grpc/health/v1/health.proto',
      'infra/image/health.mjs',
    ])
      expect(existsSync(join(runtimeDir, path)), path).toBe(true);
    expect(existsSync(join(runtimeDir, 'tests'))).toBe(false);
    // Every package the lock file marks dev-only is absent (what a production dependency needs stays).
    const lock = JSON.parse(readFileSync(join(runtimeDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path.startsWith('node_modules/') && p.dev === true);
    expect(devOnly.length).toBeGreaterThan(50);
    expect(devOnly.filter(([path]) => existsSync(join(runtimeDir, path))).map(([path]) => path)).toEqual([]);
    for (const name of ['vitest', 'typescript', 'ts-proto', '@bufbuild/buf', 'eslint', 'testcontainers', 'yaml'])
      expect(existsSync(join(runtimeDir, 'node_modules', name)), name).toBe(false);
    for (const name of ['tsx', '@temporalio/worker', '@grpc/grpc-js', 'kafkajs', 'mongodb'])
      expect(existsSync(join(runtimeDir, 'node_modules', name)), name).toBe(true);
  });

  it("applies the broker's ACL table with Compose's one-shot step (infra/image/kafka-acls.ts) from that layout", async () => {
    expect(built.code, built.output).toBe(0);
    const admin = stackSecrets().kafka.admin;
    const applied = await run(process.execPath, ['--import', 'tsx', 'infra/image/kafka-acls.ts'], {
      cwd: runtimeDir,
      env: imageEnv({ BPS_KAFKA_BROKERS: stack().kafkaBrokers, BPS_KAFKA_ADMIN_USER: admin.username, BPS_KAFKA_ADMIN_PASSWORD: admin.password }),
      timeout: 120_000,
    });
    expect(applied.code, applied.output).toBe(0);
    expect(applied.output).toMatch(/kafka-acls: table applied \(\d+ created, 0 deleted\)/);
    const refused = await run(process.execPath, ['--import', 'tsx', 'infra/image/kafka-acls.ts'], { cwd: runtimeDir, env: imageEnv({}), timeout: 60_000 });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('BPS_KAFKA_ADMIN_PASSWORD must be set');
  }, 180_000);

  it('runs registry and the approvals worker with plain node from that layout: SERVING, seeded catalogue, a workflow runs', async () => {
    expect(built.code, built.output).toBe(0);
    const s = stack();
    const names = platformNames('image');
    const common = {
      BPS_LOG_LEVEL: 'info',
      BPS_KAFKA_BROKERS: s.kafkaBrokers,
      MONGODB_URI: s.mongoUri,
      BPS_TEMPORAL_ADDRESS: s.temporalAddress,
      BPS_TEMPORAL_NAMESPACE: s.temporalNamespace,
      BPS_TOPIC_NAMESPACE: names.namespace,
      BPS_HEALTH_CHECK_INTERVAL_MS: '500',
    };
    registry = await startFromImage('registry', { ...common, REGISTRY_DB: names.db('registry') });
    approvals = await startFromImage('approvals', { ...common, APPROVALS_DB: names.db('approvals'), APPROVALS_TASK_QUEUE: names.taskQueue });
    expect(await untilServing('registry', registry, 120_000)).toContain('SERVING');
    // Readiness of approvals includes its Temporal worker, which first bundles workflows/ from the layout's sources.
    expect(await untilServing('approvals', approvals, 240_000)).toContain('SERVING');

    const registryClient = new StandardRegistryClient(registry.address, grpc.credentials.createInsecure());
    const cycles = new RevisionCyclesClient(approvals.address, grpc.credentials.createInsecure());
    try {
      const listed = await unary(
        registryClient.listItems.bind(registryClient),
        { asOf: { date: { year: 2018, month: 1, day: 1 }, knownAt: undefined }, fieldCode: '', categoryCode: '', provinceCode: '' },
        await tokenFor('nhc-staff'),
      );
      expect(listed.items).toHaveLength(81);

      const cycleId = uniqueName('C');
      const opened = await unary(
        cycles.openCycle.bind(cycles),
        openCycleRequest(cycleId, { fiscalCeiling: { centralFen: '900', localFen: '1000' }, refilingSeconds: '600' }),
        await tokenFor('ndrc-approver'),
        60_000,
      );
      expect(opened.cycle).toMatchObject({ cycleId, workflowId: cycleId, phase: 'evaluation' });
      const read = await unary(cycles.getCycle.bind(cycles), { cycleId }, await tokenFor('auditor'));
      expect(read.cycle).toMatchObject({ cycleId, phase: 'evaluation', planPeriod: '2026–2030' });
    } finally {
      registryClient.close();
      cycles.close();
    }
  }, 420_000);
});
