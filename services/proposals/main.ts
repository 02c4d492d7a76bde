// Proposals process: config from env, a Temporal client, then startProposals.
import { z } from 'zod';
import { approvalTaskQueue } from '../../workflows/contracts';
import { serviceTokensFromConfig, tokenVerifierFromConfig } from '../shared/auth/from-config';
import { serviceAccounts } from '../shared/auth/personas';
import { configSchema, grpcAddress, kafkaCredentials, loadConfig, payloadKey, port, healthCheckTiming } from '../shared/config/config';
import { createLogger } from '../shared/log/logger';
import { grpcTlsFromConfig } from '../shared/grpc/tls';
import { mongoUriFromConfig } from '../shared/mongo/mongo';
import { runMain } from '../shared/runtime/main';
import { initTelemetry } from '../shared/telemetry/otel';
import { initMetrics } from '../shared/telemetry/metrics';
import { connectTemporal, temporalOptionsFromConfig } from '../shared/temporal/temporal';
import { startProposals } from './app';

const schema = configSchema(
  {
    PROPOSALS_GRPC_PORT: port.default(50052),
    // Prometheus metrics at http://BPS_METRICS_HOST:PROPOSALS_METRICS_PORT/metrics (0: any free port).
    PROPOSALS_METRICS_PORT: port.default(9462),
    BPS_TEMPORAL_PAYLOAD_KEY: payloadKey,
    PROPOSALS_DB: z.string().min(1).default('bps_proposals'),
    REGISTRY_GRPC_ADDRESS: grpcAddress.default('127.0.0.1:50051'),
    PROPOSALS_APPROVAL_TASK_QUEUE: z.string().min(1).default(approvalTaskQueue),
  },
  'proposals',
);

runMain('proposals', async () => {
  const config = loadConfig(schema);
  initTelemetry({ serviceName: 'proposals', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await initMetrics({ serviceName: 'proposals', port: config.PROPOSALS_METRICS_PORT, host: config.BPS_METRICS_HOST });
  const logger = createLogger('proposals', config.BPS_LOG_LEVEL);
  const temporal = await connectTemporal(temporalOptionsFromConfig(config));
  const running = await startProposals({
    healthCheck: healthCheckTiming(config),
    mongoUri: mongoUriFromConfig(config),
    dbName: config.PROPOSALS_DB,
    kafkaBrokers: config.BPS_KAFKA_BROKERS,
    kafkaCredentials: kafkaCredentials(config),
    topicNamespace: config.BPS_TOPIC_NAMESPACE,
    grpcPort: config.PROPOSALS_GRPC_PORT,
    grpcHost: config.BPS_GRPC_HOST,
    grpcTls: grpcTlsFromConfig(config),
    registryAddress: config.REGISTRY_GRPC_ADDRESS,
    temporal: temporal.client,
    approvalTaskQueue: config.PROPOSALS_APPROVAL_TASK_QUEUE,
    tokens: tokenVerifierFromConfig(config),
    serviceTokens: serviceTokensFromConfig(config, serviceAccounts.proposals),
    logger,
  });
  return {
    async stop() {
      await running.stop();
      await temporal.close();
    },
  };
});
