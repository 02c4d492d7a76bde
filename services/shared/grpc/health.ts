// Health that tells the truth (issue #20): each service names what it cannot serve without (its database, the Kafka
// brokers it publishes to, Temporal for approvals), and a monitor checks them on an interval. gRPC health
// (grpc.health.v1) then answers NOT_SERVING for the server ('') and every service on the port while one is down,
// SERVING once all are back; each dependency has its own entry `dependency/<name>` (see Health/List), which the
// gateway's /readyz reports.
import type { Kafka } from 'kafkajs';
import type { ConnectionLike } from '@temporalio/client';
import type { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '../log/logger';
import type { MongoHandle } from '../mongo/mongo';
import { errorMessage } from '../errors/errors';

/**
 * One thing the service needs: `check` resolves when it answers, rejects (or times out) when it does not. `fresh`,
 * when given, asks the same over a brand-new connection: if it answers while `check` keeps failing, the process's own
 * client is stuck, not the dependency down (see onDependencyWedged).
 */
export type DependencyCheck = { readonly name: string; check(): Promise<void>; fresh?(): Promise<void> };

/**
 * What a process does when one of its clients is stuck while the dependency itself answers: a database restart left
 * 2 of 14 processes' MongoDB clients failing every operation ("connection … closed") for minutes while the others
 * and a new connection worked (issue #19, the chaos suite). The known cause, a driver check that never ends, is
 * repaired in-process first by connectMongo's watchdog (25 s); this is the last resort. The service host (services/shared/runtime/main.ts) exits
 * so that its supervisor — `npm start`, Kubernetes — starts it afresh; by default (tests, in-process) it is logged.
 */
let wedgedHandler: ((dependency: string, detail: string) => void) | undefined;
export function onDependencyWedged(handler: (dependency: string, detail: string) => void): void {
  wedgedHandler = handler;
}
/** Consecutive failed checks, with a fresh connection answering, that make a client "stuck" (at 5 s a round: 30 s). */
export const WEDGED_AFTER_FAILURES = 6;

/** `failuresBeforeDown` consecutive failed checks mark a dependency down (one slow answer is no outage); one success marks it up. */
export type HealthCheckTiming = { readonly intervalMs: number; readonly timeoutMs: number; readonly failuresBeforeDown?: number };
export const defaultHealthCheckTiming: HealthCheckTiming = { intervalMs: 5_000, timeoutMs: 2_000, failuresBeforeDown: 2 };

/** The health service name of a dependency's entry. */
export const dependencyHealthName = (name: string): string => `dependency/${name}`;

/** The database answers a ping. */
export function mongoDependency(mongo: MongoHandle): DependencyCheck {
  return {
    name: 'mongodb',
    check: async () => {
      await mongo.db.command({ ping: 1 });
    },
    ...(mongo.pingFresh ? { fresh: () => mongo.pingFresh!() } : {}),
  };
}

/**
 * A fresh client authenticates to the brokers and reads the cluster (the producer's path: bootstrap, SASL, metadata);
 * no retries, so an outage shows at once.
 */
export function kafkaDependency(kafka: Kafka): DependencyCheck {
  return {
    name: 'kafka',
    check: async () => {
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('no broker in the cluster metadata');
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

/** The Temporal frontend answers (GetSystemInfo: cheap, needs no namespace). */
export function temporalDependency(connection: ConnectionLike, timeoutMs = defaultHealthCheckTiming.timeoutMs): DependencyCheck {
  return {
    name: 'temporal',
    check: async () => {
      await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    },
  };
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type DependencyState = { readonly name: string; readonly up: boolean; readonly detail?: string; readonly since: Date };

export type DependencyMonitor = { states(): readonly DependencyState[]; stop(): void };

/**
 * Checks `checks` now and then every `timing.intervalMs`, each within `timing.timeoutMs`, and keeps `health` in step:
 * `services` (and '') are SERVING only while every dependency is up. Resolves after the first round.
 */
export async function monitorDependencies(
  health: HealthImplementation,
  services: readonly string[],
  checks: readonly DependencyCheck[],
  logger: Logger,
  timing: HealthCheckTiming = defaultHealthCheckTiming,
): Promise<DependencyMonitor> {
  const states = new Map<string, DependencyState>();
  const failures = new Map<string, number>();
  const threshold = Math.max(1, timing.failuresBeforeDown ?? defaultHealthCheckTiming.failuresBeforeDown ?? 1);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const round = async (): Promise<void> => {
    const results = await Promise.all(
      checks.map(async (dependency) => {
        try {
          await withTimeout(dependency.check(), timing.timeoutMs);
          return { name: dependency.name, up: true } as const;
        } catch (error) {
          return { name: dependency.name, up: false, detail: errorMessage(error) } as const;
        }
      }),
    );
    if (stopped) return;
    for (const checked of results) {
      const failed = checked.up ? 0 : (failures.get(checked.name) ?? 0) + 1;
      failures.set(checked.name, failed);
      const dependency = checks.find((c) => c.name === checked.name);
      if (failed > 0 && failed % WEDGED_AFTER_FAILURES === 0 && dependency?.fresh) {
        const freshAnswers = await withTimeout(dependency.fresh(), timing.timeoutMs * 3).then(
          () => true,
          () => false,
        );
        if (freshAnswers) {
          logger.error({ dependency: checked.name, err: checked.detail, failures: failed }, 'client stuck: the dependency answers a new connection');
          (wedgedHandler ?? (() => undefined))(checked.name, checked.detail ?? '');
        }
      }
      const before = states.get(checked.name);
      // Down only after `threshold` failures in a row (at start at once: nothing is known to be up yet).
      const up = checked.up || (before !== undefined && before.up && failed < threshold);
      if (before?.up !== up) {
        if (up) logger.info({ dependency: checked.name }, 'dependency is up');
        else logger.warn({ dependency: checked.name, err: checked.detail, failures: failed }, 'dependency is down: not serving until it is back');
      }
      states.set(checked.name, {
        name: checked.name,
        up,
        ...(checked.detail !== undefined ? { detail: checked.detail } : {}),
        since: before && before.up === up ? before.since : new Date(),
      });
      health.setStatus(dependencyHealthName(checked.name), up ? 'SERVING' : 'NOT_SERVING');
    }
    const serving = [...states.values()].every((state) => state.up) ? 'SERVING' : 'NOT_SERVING';
    for (const service of ['', ...services]) health.setStatus(service, serving);
  };
  const loop = (): void => {
    timer = setTimeout(
      () =>
        void round()
          .catch(() => undefined)
          .finally(() => {
            if (!stopped) loop();
          }),
      timing.intervalMs,
    );
    timer.unref();
  };
  await round();
  loop();
  return {
    states: () => [...states.values()],
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
