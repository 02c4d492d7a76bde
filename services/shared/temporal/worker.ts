// The one way a service runs a Temporal worker: its own connection, the platform's sealing data converter (what a
// raw client sent reaches the workflows as the "unsealed" marker), the workflows bundle (pre-built in tests), the
// telemetry interceptors, a health dependency that fails when the worker is not running, and an idempotent stop.
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DependencyCheck } from '../grpc/health';
import type { Logger } from '../log/logger';
import { sealedWorkerDataConverter } from './sealing';
import { temporalTls, workerTelemetryOptions, workflowsPath, type TemporalOptions } from './temporal';

/** The same connection settings as the service's client (TemporalOptions), plus what the worker runs. */
export type SealedWorkerOptions = TemporalOptions & {
  readonly name: string;
  readonly taskQueue: string;
  readonly workflowBundle?: WorkflowBundleWithSourceMap;
  readonly activities: object;
  readonly logger: Logger;
};

export type RunningWorker = {
  /** gRPC health: the workflows of this queue wait while the worker is not running. */
  readonly dependency: DependencyCheck;
  /** Stops polling, drains and closes the connection (once; later calls wait for the first). */
  stop(): Promise<void>;
};

export async function runSealedWorker(options: SealedWorkerOptions): Promise<RunningWorker> {
  const tls = temporalTls(options.tls);
  const connection = await NativeConnection.connect({ address: options.address, ...(tls ? { tls } : {}) });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    dataConverter: sealedWorkerDataConverter(options.payloadKeys),
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: options.activities,
    ...workerTelemetryOptions({ prebuiltBundle: options.workflowBundle !== undefined }),
  });
  const running = worker.run();
  running.catch((error: unknown) => options.logger.error({ err: String(error) }, `${options.name} worker stopped with an error`));
  let stopped: Promise<void> | undefined;
  return {
    dependency: {
      name: 'temporal-worker',
      check: async () => {
        if (worker.getState() !== 'RUNNING') throw new Error(`worker ${worker.getState()}`);
      },
    },
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
      })();
      return stopped;
    },
  };
}
