// Wiring only: config from env, then startNotifications.
import { z } from 'zod';
import { tokenVerifierFromConfig } from '../shared/auth/from-config';
import { configSchema, kafkaCredentials, loadConfig, port, healthCheckTiming } from '../shared/config/config';
import { createKafka } from '../shared/kafka/kafka';
import { createLogger } from '../shared/log/logger';
import { grpcTlsFromConfig } from '../shared/grpc/tls';
import { mongoUriFromConfig } from '../shared/mongo/mongo';
import { runMain } from '../shared/runtime/main';
import { initTelemetry } from '../shared/telemetry/otel';
import { initMetrics } from '../shared/telemetry/metrics';
import { startNotifications } from './app';
import { allowListFor } from './domain/endpoint-policy';

const ms = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const schema = configSchema(
  {
    NOTIFICATIONS_GRPC_PORT: port.default(50054),
    // Prometheus metrics at http://BPS_METRICS_HOST:NOTIFICATIONS_METRICS_PORT/metrics (0: any free port).
    NOTIFICATIONS_METRICS_PORT: port.default(9464),
    NOTIFICATIONS_DB: z.string().min(1).default('bps_notifications'),
    NOTIFICATIONS_CONSUMER_GROUP: z.string().min(1).default('bps-notifications'),
    // Comma-separated hosts, addresses or CIDRs that webhooks may reach although internal (SSRF allow-list).
    // BPS_ENV=development adds localhost, 127.0.0.0/8 and ::1; in production a loopback entry stops the start.
    NOTIFICATIONS_ALLOWED_HOSTS: z.string().default(''),
    NOTIFICATIONS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
    NOTIFICATIONS_BACKOFF_BASE_MS: ms(2_000),
    NOTIFICATIONS_BACKOFF_MAX_MS: ms(3_600_000),
    NOTIFICATIONS_RETRY_AFTER_MAX_MS: ms(6 * 3_600_000),
    NOTIFICATIONS_REQUEST_TIMEOUT_MS: ms(10_000),
    NOTIFICATIONS_LEASE_MS: ms(60_000),
    NOTIFICATIONS_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
    // Kafka partitions fanned out side by side (a key stays in its partition, so per-standard order holds).
    NOTIFICATIONS_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(3),
    NOTIFICATIONS_PER_SUBSCRIPTION_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
    NOTIFICATIONS_POLL_MS: ms(500),
    NOTIFICATIONS_SECRET_GRACE_MS: ms(24 * 3_600_000),
  },
  'notifications',
).refine((c) => c.NOTIFICATIONS_LEASE_MS > c.NOTIFICATIONS_REQUEST_TIMEOUT_MS, {
  path: ['NOTIFICATIONS_LEASE_MS'],
  message: 'must exceed NOTIFICATIONS_REQUEST_TIMEOUT_MS (a claim must outlive its request)',
});

runMain('notifications', async () => {
  const config = loadConfig(schema);
  initTelemetry({ serviceName: 'notifications', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await initMetrics({ serviceName: 'notifications', port: config.NOTIFICATIONS_METRICS_PORT, host: config.BPS_METRICS_HOST });
  const logger = createLogger('notifications', config.BPS_LOG_LEVEL);
  return startNotifications({
    healthCheck: healthCheckTiming(config),
    mongoUri: mongoUriFromConfig(config),
    dbName: config.NOTIFICATIONS_DB,
    kafka: createKafka({ brokers: config.BPS_KAFKA_BROKERS, clientId: 'notifications', logger, credentials: kafkaCredentials(config) }),
    topicNamespace: config.BPS_TOPIC_NAMESPACE,
    consumerGroup: config.NOTIFICATIONS_CONSUMER_GROUP,
    grpcPort: config.NOTIFICATIONS_GRPC_PORT,
    grpcHost: config.BPS_GRPC_HOST,
    grpcTls: grpcTlsFromConfig(config),
    tokens: tokenVerifierFromConfig(config),
    logger,
    // Development adds loopback (try a webhook receiver on 127.0.0.1 locally); production refuses it.
    allowedHosts: allowListFor(config.BPS_ENV, config.NOTIFICATIONS_ALLOWED_HOSTS.split(',')),
    retry: {
      maxAttempts: config.NOTIFICATIONS_MAX_ATTEMPTS,
      baseDelayMs: config.NOTIFICATIONS_BACKOFF_BASE_MS,
      maxDelayMs: config.NOTIFICATIONS_BACKOFF_MAX_MS,
      maxRetryAfterMs: config.NOTIFICATIONS_RETRY_AFTER_MAX_MS,
    },
    delivery: {
      concurrency: config.NOTIFICATIONS_CONCURRENCY,
      perSubscriptionConcurrency: config.NOTIFICATIONS_PER_SUBSCRIPTION_CONCURRENCY,
      requestTimeoutMs: config.NOTIFICATIONS_REQUEST_TIMEOUT_MS,
      leaseMs: config.NOTIFICATIONS_LEASE_MS,
      pollMs: config.NOTIFICATIONS_POLL_MS,
      sweepMs: 5_000,
      partitionsConcurrently: config.NOTIFICATIONS_PARTITIONS_CONCURRENTLY,
    },
    stream: { pollMs: config.NOTIFICATIONS_POLL_MS, gapGraceMs: 5_000, batchSize: 200 },
    defaultSecretGraceMs: config.NOTIFICATIONS_SECRET_GRACE_MS,
    outboxPollMs: 2_000, // a safety net: writes wake the relay at once
    decisionPublicJwks: config.BPS_DECISION_PUBLIC_JWKS ?? '',
  });
});
