// How every service process starts and stops: config errors and start-up failures exit non-zero with a clear
// message; SIGINT/SIGTERM run the service's stop function once (drain gRPC, stop consumers, close clients).
import { ConfigError } from '../config/config';
import { onDependencyWedged } from '../grpc/health';
import { createLogger } from '../log/logger';
import { shutdownTelemetry } from '../telemetry/otel';
import { shutdownMetrics } from '../telemetry/metrics';

export type Running = { stop(): Promise<void> };

export function runMain(serviceName: string, start: () => Promise<Running>): void {
  const logger = createLogger(serviceName);
  let running: Running | undefined;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    try {
      await running?.stop();
      await shutdownTelemetry();
      await shutdownMetrics();
    } finally {
      process.exit(0);
    }
  };
  // A client stuck while its dependency answers others: exit, to be started afresh by the supervisor.
  onDependencyWedged((dependency, detail) => {
    logger.fatal({ dependency, err: detail }, 'exiting: this process cannot reach a dependency that answers a new connection; its supervisor restarts it');
    process.exit(75);
  });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  start().then(
    (r) => {
      running = r;
      logger.info('started');
    },
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(`${serviceName}: ${error.message}`);
      else logger.fatal({ err: error instanceof Error ? error.stack : String(error) }, 'failed to start');
      process.exit(1);
    },
  );
}
