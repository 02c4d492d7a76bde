// Gateway process: config from env, then startGateway (HTTP JSON API, OpenAPI, web console).
import { devIssuerFromConfig, serviceTokensFromConfig, tokenVerifierFromConfig } from '../shared/auth/from-config';
import { serviceAccounts } from '../shared/auth/personas';
import { loadConfig } from '../shared/config/config';
import { createLogger } from '../shared/log/logger';
import { grpcTlsFromConfig } from '../shared/grpc/tls';
import { runMain } from '../shared/runtime/main';
import { initTelemetry } from '../shared/telemetry/otel';
import { initMetrics } from '../shared/telemetry/metrics';
import { startGateway } from './app';
import { gatewayConfigSchema } from './config';

runMain('gateway', async () => {
  const config = loadConfig(gatewayConfigSchema);
  initTelemetry({ serviceName: 'gateway', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await initMetrics({ serviceName: 'gateway', port: config.GATEWAY_METRICS_PORT, host: config.BPS_METRICS_HOST });
  const logger = createLogger('gateway', config.BPS_LOG_LEVEL);
  if (config.BPS_ENV !== 'production')
    logger.warn({ environment: config.BPS_ENV }, 'development mode: persona sign-in on loopback only; never expose this gateway');
  return startGateway({
    port: config.GATEWAY_HTTP_PORT,
    host: config.GATEWAY_HTTP_HOST,
    tokens: tokenVerifierFromConfig(config),
    devIssuer: devIssuerFromConfig(config),
    jwks: config.BPS_JWT_JWKS ? (JSON.parse(config.BPS_JWT_JWKS) as { keys: object[] }) : undefined,
    logger,
    environment: config.BPS_ENV,
    backends: {
      registry: config.REGISTRY_GRPC_ADDRESS,
      proposals: config.PROPOSALS_GRPC_ADDRESS,
      approvals: config.APPROVALS_GRPC_ADDRESS,
      notifications: config.NOTIFICATIONS_GRPC_ADDRESS,
      audit: config.AUDIT_GRPC_ADDRESS,
      programme: config.PROGRAMME_GRPC_ADDRESS,
    },
    bodyLimitBytes: config.GATEWAY_BODY_LIMIT_BYTES,
    rateLimit: { burst: config.GATEWAY_RATE_LIMIT_BURST, perSecond: config.GATEWAY_RATE_LIMIT_PER_SECOND },
    backendTimeoutMs: config.GATEWAY_BACKEND_TIMEOUT_MS,
    grpcTls: grpcTlsFromConfig(config),
    ...(config.BPS_DECISION_PUBLIC_JWKS ? { decisionPublicJwks: config.BPS_DECISION_PUBLIC_JWKS } : {}),
    ...(config.GATEWAY_PUBLIC_PORTAL === 'on' ? { publicReader: serviceTokensFromConfig(config, serviceAccounts.publicReader) } : {}),
  });
});
