// Starts the platform's services as supervised OS processes: one instance of each by default, or several
// (`npm start -- --replicas 2`). Shared by `npm start` (platform.ts), the replicas test and the chaos suite, so that
// what is tested is what an operator runs.
//
// Instance k (0-based) of a service listens on its ports plus k × REPLICA_PORT_STEP (registry: gRPC 50051, 50151;
// metrics 9461, 9561; the gateway: HTTP 8080, 8180). Every instance is told the addresses of all instances of the
// others (REGISTRY_GRPC_ADDRESS=127.0.0.1:50051,127.0.0.1:50151), which clients spread their calls over. Instances of
// one service share everything else — consumer groups, task queues, databases — which is what makes two of them
// share the work rather than do it twice.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { portOpen, sleep } from '../local/process';
import { devServiceEnv, type DevSecrets } from '../local/secrets';
import { platformServices, type ServiceSpec } from './services';
import type { Supervisor } from './supervisor';

/** How far apart the ports of two instances of one service are. */
export const REPLICA_PORT_STEP = 100;

export type ServiceInstance = {
  readonly spec: ServiceSpec;
  /** `registry` when one instance runs; `registry-1`, `registry-2` … when several do. */
  readonly name: string;
  readonly index: number;
  /** The port it serves on: gRPC, or HTTP for the gateway. */
  readonly port: number;
  readonly portEnv: string;
  readonly metricsPort: number;
  readonly logPath: string;
};

function basePort(spec: ServiceSpec, env: NodeJS.ProcessEnv): number {
  return spec.httpPortEnv ? Number(env[spec.httpPortEnv] ?? spec.httpPort) : Number(env[spec.grpcPortEnv] ?? spec.grpcPort);
}

/** The instances to run, in start order (each service's instances together, services in platformServices order). */
export function serviceInstances(options: {
  readonly replicas: number;
  readonly logDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly services?: readonly string[];
}): ServiceInstance[] {
  const { replicas, logDir } = options;
  const env = options.env ?? process.env;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 9) throw new Error(`replicas must be a whole number from 1 to 9, got ${replicas}`);
  return platformServices
    .filter((spec) => options.services === undefined || options.services.includes(spec.name))
    .flatMap((spec) =>
      Array.from({ length: replicas }, (_, index) => {
        const name = replicas === 1 ? spec.name : `${spec.name}-${index + 1}`;
        return {
          spec,
          name,
          index,
          port: basePort(spec, env) + index * REPLICA_PORT_STEP,
          portEnv: spec.httpPortEnv ?? spec.grpcPortEnv,
          metricsPort: Number(env[spec.metricsPortEnv] ?? spec.metricsPort) + index * REPLICA_PORT_STEP,
          logPath: join(logDir, `${name}.log`),
        };
      }),
    );
}

/** Every gRPC service's address list — all its instances — handed to every process so they can call each other. */
export function instanceAddressEnv(replicas: number, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    platformServices
      .filter((spec) => spec.grpcPort > 0)
      .map((spec) => [
        spec.grpcPortEnv.replace('_GRPC_PORT', '_GRPC_ADDRESS'),
        Array.from({ length: replicas }, (_, k) => `127.0.0.1:${Number(env[spec.grpcPortEnv] ?? spec.grpcPort) + k * REPLICA_PORT_STEP}`).join(','),
      ]),
  );
}

/** The environment of one instance: the shared one, its service's credentials, its own ports and instance id. */
export function instanceEnv(instance: ServiceInstance, shared: NodeJS.ProcessEnv, secrets: DevSecrets): NodeJS.ProcessEnv {
  const attributes = [shared['OTEL_RESOURCE_ATTRIBUTES'], `service.instance.id=${instance.name}`].filter(Boolean).join(',');
  return {
    ...shared,
    ...devServiceEnv(secrets, instance.spec.name),
    [instance.portEnv]: String(instance.port),
    [instance.spec.metricsPortEnv]: String(instance.metricsPort),
    OTEL_RESOURCE_ATTRIBUTES: attributes,
  };
}

export class LaunchError extends Error {
  constructor(
    readonly instance: ServiceInstance,
    reason: string,
  ) {
    super(`${instance.name} did not start (${reason}); see ${instance.logPath}`);
  }
}

/**
 * Starts the instances in order under `supervisor` — `node --import tsx <main.ts>`, so the supervised pid is the
 * service itself (a kill -9 of it is seen at once, and no orphan keeps its port) — each waited for until its port
 * answers. Throws LaunchError for the first that exits or is not listening within `startTimeoutMs`; the caller stops
 * the supervisor. Instances whose entry does not exist are skipped.
 */
export async function launchInstances(options: {
  readonly root: string;
  readonly instances: readonly ServiceInstance[];
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: DevSecrets;
  readonly supervisor: Supervisor;
  readonly startTimeoutMs?: number;
}): Promise<ServiceInstance[]> {
  const started: ServiceInstance[] = [];
  for (const instance of options.instances) {
    const entry = join(options.root, instance.spec.entry);
    if (!existsSync(entry)) continue;
    mkdirSync(join(instance.logPath, '..'), { recursive: true });
    const env = instanceEnv(instance, options.env, options.secrets);
    options.supervisor.start({
      name: instance.name,
      spawn: () => {
        const out = openSync(instance.logPath, 'a');
        try {
          return spawn(process.execPath, ['--import', 'tsx', entry], { cwd: options.root, env, stdio: ['ignore', out, out] });
        } finally {
          closeSync(out);
        }
      },
    });
    const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
    while (!(await portOpen(instance.port))) {
      const child = options.supervisor.current(instance.name);
      if (child && child.exitCode !== null && options.supervisor.restarts(instance.name) === 0)
        throw new LaunchError(instance, `exited with code ${child.exitCode}`);
      if (Date.now() > deadline) throw new LaunchError(instance, `not listening on ${instance.port}`);
      await sleep(300);
    }
    started.push(instance);
  }
  return started;
}
