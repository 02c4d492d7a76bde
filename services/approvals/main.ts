// Approvals process: Temporal worker + outbox relay + ApprovalInbox gRPC server.
import { z } from 'zod';
import { approvalTaskQueue } from '../../workflows/contracts';
import { directoryFromConfig, tokenVerifierFromConfig } from '../shared/auth/from-config';
import { configSchema, kafkaCredentials, loadConfig, payloadKey, port, healthCheckTiming } from '../shared/config/config';
import { createLogger } from '../shared/log/logger';
import { grpcTlsFromConfig } from '../shared/grpc/tls';
import { mongoUriFromConfig } from '../shared/mongo/mongo';
import { runMain } from '../shared/runtime/main';
import { initTelemetry } from '../shared/telemetry/otel';
import { initMetrics } from '../shared/telemetry/metrics';
import { temporalOptionsFromConfig } from '../shared/temporal/temporal';
import { startApprovals } from './app';

const schema = configSchema(
  {
    APPROVALS_GRPC_PORT: port.default(50053),
    // Prometheus metrics at http://BPS_METRICS_HOST:APPROVALS_METRICS_PORT/metrics (0: any free port).
    APPROVALS_METRICS_PORT: port.default(9463),
    BPS_TEMPORAL_PAYLOAD_KEY: payloadKey,
    APPROVALS_DB: z.string().min(1).default('bps_approvals'),
    APPROVALS_TASK_QUEUE: z.string().min(1).default(approvalTaskQueue),
    // Default route durations: a step is due this long after its stage opens; reminder this long before.
    APPROVALS_STEP_DUE_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(5 * 24 * 3600),
    APPROVALS_REMINDER_BEFORE_SECONDS: z.coerce
      .number()
      .int()
      .nonnegative()
      .default(24 * 3600),
  },
  'approvals',
);

runMain('approvals', async () => {
  const config = loadConfig(schema);
  const temporal = temporalOptionsFromConfig(config);
  const directory = directoryFromConfig(config);
  initTelemetry({ serviceName: 'approvals', ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}) });
  await initMetrics({ serviceName: 'approvals', port: config.APPROVALS_METRICS_PORT, host: config.BPS_METRICS_HOST });
  return startApprovals({
    healthCheck: healthCheckTiming(config),
    mongoUri: mongoUriFromConfig(config),
    dbName: config.APPROVALS_DB,
    kafkaBrokers: config.BPS_KAFKA_BROKERS,
    kafkaCredentials: kafkaCredentials(config),
    topicNamespace: config.BPS_TOPIC_NAMESPACE,
    temporalAddress: config.BPS_TEMPORAL_ADDRESS,
    temporalNamespace: config.BPS_TEMPORAL_NAMESPACE,
    temporalPayloadKeys: temporal.payloadKeys,
    ...(temporal.tls ? { temporalTls: temporal.tls } : {}),
    taskQueue: config.APPROVALS_TASK_QUEUE,
    grpcPort: config.APPROVALS_GRPC_PORT,
    grpcHost: config.BPS_GRPC_HOST,
    grpcTls: grpcTlsFromConfig(config),
    tokens: tokenVerifierFromConfig(config, directory),
    directory,
    logger: createLogger('approvals', config.BPS_LOG_LEVEL),
    decisionSigningJwk: config.BPS_DECISION_SIGNING_JWK ?? '',
    durations: { dueSeconds: config.APPROVALS_STEP_DUE_SECONDS, reminderBeforeSeconds: config.APPROVALS_REMINDER_BEFORE_SECONDS },
  });
});
