// The audit service process: config from env, then startAudit.
import { z } from 'zod';
import { tokenVerifierFromConfig } from '../shared/auth/from-config';
import { configSchema, kafkaCredentials, loadConfig, port, healthCheckTiming } from '../shared/config/config';
import { createLogger } from '../shared/log/logger';
import { grpcTlsFromConfig } from '../shared/grpc/tls';
import { mongoUriFromConfig } from '../shared/mongo/mongo';
import { runMain } from '../shared/runtime/main';
import { initTelemetry } from '../shared/telemetry/otel';
import { initMetrics } from '../shared/telemetry/metrics';
import { startAudit } from './app';
import { hashAlgorithms } from './domain/hashing';
import { signatureAlgorithms } from './domain/signing';

const schema = configSchema(
  {
    AUDIT_GRPC_PORT: port.default(50055),
    // Prometheus metrics at http://BPS_METRICS_HOST:AUDIT_METRICS_PORT/metrics (0: any free port).
    AUDIT_METRICS_PORT: port.default(9465),
    AUDIT_DB: z.string().min(1).default('bps_audit'),
    AUDIT_HASH_ALGORITHM: z.enum(hashAlgorithms).default('sha256'),
    AUDIT_SIGNATURE_ALGORITHM: z.enum(signatureAlgorithms).default('ed25519'),
    // Ed25519: PKCS#8 PEM or 64 hex digits (seed); SM2: 64 hex digits. Required in production; development may
    // keep the key stored in the audit database.
    AUDIT_SIGNING_KEY: z.string().min(1).optional(),
    AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  },
  'audit',
); // production requires AUDIT_SIGNING_KEY (services/shared/config/config.ts `requirements`)

runMain('audit', async () => {
  const config = loadConfig(schema);
  initTelemetry({ serviceName: 'audit', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await initMetrics({ serviceName: 'audit', port: config.AUDIT_METRICS_PORT, host: config.BPS_METRICS_HOST });
  return startAudit({
    healthCheck: healthCheckTiming(config),
    mongoUri: mongoUriFromConfig(config),
    dbName: config.AUDIT_DB,
    kafkaBrokers: config.BPS_KAFKA_BROKERS,
    kafkaCredentials: kafkaCredentials(config),
    topicNamespace: config.BPS_TOPIC_NAMESPACE,
    grpcPort: config.AUDIT_GRPC_PORT,
    grpcHost: config.BPS_GRPC_HOST,
    grpcTls: grpcTlsFromConfig(config),
    tokens: tokenVerifierFromConfig(config),
    logger: createLogger('audit', config.BPS_LOG_LEVEL),
    environment: config.BPS_ENV,
    hashAlgorithm: config.AUDIT_HASH_ALGORITHM,
    signatureAlgorithm: config.AUDIT_SIGNATURE_ALGORITHM,
    signingKey: config.AUDIT_SIGNING_KEY,
    checkpointIntervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MS,
    decisionPublicJwks: config.BPS_DECISION_PUBLIC_JWKS ?? '',
  });
});
