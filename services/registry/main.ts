// Registry process: config from env, then startRegistry. On an empty database it seeds the real catalogue.
import { z } from 'zod';
import { tokenVerifierFromConfig } from '../shared/auth/from-config';
import { configSchema, kafkaCredentials, loadConfig, port, healthCheckTiming } from '../shared/config/config';
import { createLogger } from '../shared/log/logger';
import { grpcTlsFromConfig } from '../shared/grpc/tls';
import { mongoUriFromConfig } from '../shared/mongo/mongo';
import { runMain } from '../shared/runtime/main';
import { initTelemetry } from '../shared/telemetry/otel';
import { initMetrics } from '../shared/telemetry/metrics';
import { startRegistry } from './app';

const schema = configSchema(
  {
    REGISTRY_GRPC_PORT: port.default(50051),
    // Prometheus metrics at http://BPS_METRICS_HOST:REGISTRY_METRICS_PORT/metrics (0: any free port).
    REGISTRY_METRICS_PORT: port.default(9461),
    REGISTRY_DB: z.string().min(1).default('bps_registry'),
    REGISTRY_REFILE_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    REGISTRY_SCHEDULER_POLL_MS: z.coerce.number().int().min(100).default(60_000),
    // National monitoring (issue #17): the "blindly high" margin (percent above the national level) early warnings
    // use, and how often the monitor looks for new warnings (re-filing deadlines passing) besides after each change.
    REGISTRY_BLINDLY_HIGH_MARGIN_PERCENT: z.coerce.number().int().min(0).max(1000).default(50),
    REGISTRY_MONITOR_POLL_MS: z.coerce.number().int().min(1000).default(600_000),
  },
  'registry',
);

runMain('registry', async () => {
  const config = loadConfig(schema);
  initTelemetry({ serviceName: 'registry', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await initMetrics({ serviceName: 'registry', port: config.REGISTRY_METRICS_PORT, host: config.BPS_METRICS_HOST });
  const logger = createLogger('registry', config.BPS_LOG_LEVEL);
  return startRegistry({
    healthCheck: healthCheckTiming(config),
    mongoUri: mongoUriFromConfig(config),
    dbName: config.REGISTRY_DB,
    kafkaBrokers: config.BPS_KAFKA_BROKERS,
    kafkaCredentials: kafkaCredentials(config),
    topicNamespace: config.BPS_TOPIC_NAMESPACE,
    grpcPort: config.REGISTRY_GRPC_PORT,
    grpcHost: config.BPS_GRPC_HOST,
    grpcTls: grpcTlsFromConfig(config),
    tokens: tokenVerifierFromConfig(config),
    logger,
    refileDays: config.REGISTRY_REFILE_DAYS,
    schedulerPollMs: config.REGISTRY_SCHEDULER_POLL_MS,
    blindlyHighMarginPercent: config.REGISTRY_BLINDLY_HIGH_MARGIN_PERCENT,
    monitorPollMs: config.REGISTRY_MONITOR_POLL_MS,
    decisionPublicJwks: config.BPS_DECISION_PUBLIC_JWKS ?? '',
  });
});
