// The audit service process: config from env, then startAudit.
import { z } from 'zod';
import { TokenService } from '../shared/auth/identity';
import { configSchema, loadConfig, port } from '../shared/config/config';
import { createLogger } from '../shared/log/logger';
import { runMain } from '../shared/runtime/main';
import { initTelemetry } from '../shared/telemetry/otel';
import { startAudit } from './app';
import { hashAlgorithms } from './domain/hashing';
import { signatureAlgorithms } from './domain/signing';

const schema = configSchema({
  AUDIT_GRPC_PORT: port.default(50055),
  AUDIT_DB: z.string().min(1).default('bps_audit'),
  AUDIT_HASH_ALGORITHM: z.enum(hashAlgorithms).default('sha256'),
  AUDIT_SIGNATURE_ALGORITHM: z.enum(signatureAlgorithms).default('ed25519'),
  // Ed25519: PKCS#8 PEM or 64 hex digits (seed); SM2: 64 hex digits. Required in production.
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
}).refine((c) => c.BPS_ENV !== 'production' || c.AUDIT_SIGNING_KEY !== undefined, {
  path: ['AUDIT_SIGNING_KEY'],
  message: 'must be set in production (checkpoints signed with a generated key prove nothing)',
}).refine((c) => c.BPS_DECISION_PUBLIC_JWKS !== undefined, { path: ['BPS_DECISION_PUBLIC_JWKS'], message: 'required: decisions changing the standard are verified before they are recorded as fact' });

runMain('audit', async () => {
  const config = loadConfig(schema);
  initTelemetry({ serviceName: 'audit', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const app = await startAudit({
    mongoUri: config.MONGODB_URI,
    dbName: config.AUDIT_DB,
    kafkaBrokers: config.BPS_KAFKA_BROKERS,
    topicNamespace: config.BPS_TOPIC_NAMESPACE,
    grpcPort: config.AUDIT_GRPC_PORT,
    tokens: new TokenService(config.BPS_JWT_SECRET, config.BPS_JWT_ISSUER),
    logger: createLogger('audit', config.BPS_LOG_LEVEL),
    environment: config.BPS_ENV,
    hashAlgorithm: config.AUDIT_HASH_ALGORITHM,
    signatureAlgorithm: config.AUDIT_SIGNATURE_ALGORITHM,
    signingKey: config.AUDIT_SIGNING_KEY,
    checkpointIntervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MS,
    decisionPublicJwks: config.BPS_DECISION_PUBLIC_JWKS ?? '',
  });
  return { stop: app.stop };
});
