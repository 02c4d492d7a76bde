// Programme process: the standardisation programme's gRPC API, its outbox relay and the pilots' Temporal worker.
import { z } from 'zod';
import { programmeTaskQueue } from '../../workflows/pilot/contracts';
import { serviceTokensFromConfig, tokenVerifierFromConfig } from '../shared/auth/from-config';
import { serviceAccounts } from '../shared/auth/personas';
import { configSchema, grpcAddress, healthCheckTiming, kafkaCredentials, loadConfig, payloadKey, port } from '../shared/config/config';
import { createLogger } from '../shared/log/logger';
import { grpcTlsFromConfig } from '../shared/grpc/tls';
import { mongoUriFromConfig } from '../shared/mongo/mongo';
import { runMain } from '../shared/runtime/main';
import { initMetrics } from '../shared/telemetry/metrics';
import { initTelemetry } from '../shared/telemetry/otel';
import { temporalOptionsFromConfig } from '../shared/temporal/temporal';
import { startProgramme } from './app';

const schema = configSchema(
  {
    PROGRAMME_GRPC_PORT: port.default(50056),
    // Prometheus metrics at http://BPS_METRICS_HOST:PROGRAMME_METRICS_PORT/metrics (0: any free port).
    PROGRAMME_METRICS_PORT: port.default(9467),
    BPS_TEMPORAL_PAYLOAD_KEY: payloadKey,
    PROGRAMME_DB: z.string().min(1).default('bps_programme'),
    PROGRAMME_TASK_QUEUE: z.string().min(1).default(programmeTaskQueue),
    REGISTRY_GRPC_ADDRESS: grpcAddress.default('127.0.0.1:50051'),
  },
  'programme',
);

runMain('programme', async () => {
  const config = loadConfig(schema);
  const temporal = temporalOptionsFromConfig(config);
  initTelemetry({ serviceName: 'programme', ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}) });
  await initMetrics({ serviceName: 'programme', port: config.PROGRAMME_METRICS_PORT, host: config.BPS_METRICS_HOST });
  return startProgramme({
    healthCheck: healthCheckTiming(config),
    mongoUri: mongoUriFromConfig(config),
    dbName: config.PROGRAMME_DB,
    kafkaBrokers: config.BPS_KAFKA_BROKERS,
    kafkaCredentials: kafkaCredentials(config),
    topicNamespace: config.BPS_TOPIC_NAMESPACE,
    grpcPort: config.PROGRAMME_GRPC_PORT,
    grpcHost: config.BPS_GRPC_HOST,
    grpcTls: grpcTlsFromConfig(config),
    registryAddress: config.REGISTRY_GRPC_ADDRESS,
    temporalAddress: config.BPS_TEMPORAL_ADDRESS,
    temporalNamespace: config.BPS_TEMPORAL_NAMESPACE,
    temporalPayloadKeys: temporal.payloadKeys,
    ...(temporal.tls ? { temporalTls: temporal.tls } : {}),
    taskQueue: config.PROGRAMME_TASK_QUEUE,
    tokens: tokenVerifierFromConfig(config),
    serviceTokens: serviceTokensFromConfig(config, serviceAccounts.programme),
    logger: createLogger('programme', config.BPS_LOG_LEVEL),
  });
});
