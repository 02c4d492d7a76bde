// Gateway settings: its HTTP port, the gRPC address of every backend it fronts, and its abuse limits.
import { z } from 'zod';
import { configSchema, grpcAddress, port } from '../shared/config/config';

const address = grpcAddress;

export const gatewayConfigSchema = configSchema(
  {
    GATEWAY_HTTP_PORT: port.default(8080),
    // Prometheus metrics at http://BPS_METRICS_HOST:GATEWAY_METRICS_PORT/metrics (0: any free port).
    GATEWAY_METRICS_PORT: port.default(9466),
    // Development (and test) refuse anything but a loopback address (services/shared/config/config.ts).
    GATEWAY_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    REGISTRY_GRPC_ADDRESS: address.default('127.0.0.1:50051'),
    PROPOSALS_GRPC_ADDRESS: address.default('127.0.0.1:50052'),
    APPROVALS_GRPC_ADDRESS: address.default('127.0.0.1:50053'),
    NOTIFICATIONS_GRPC_ADDRESS: address.default('127.0.0.1:50054'),
    AUDIT_GRPC_ADDRESS: address.default('127.0.0.1:50055'),
    PROGRAMME_GRPC_ADDRESS: address.default('127.0.0.1:50056'),
    // Largest accepted request body; proposals with evidence lists stay far below this.
    GATEWAY_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(256 * 1024),
    // Token bucket per caller (token subject, else client IP): burst size and sustained requests per second.
    GATEWAY_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(120),
    GATEWAY_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(20),
    GATEWAY_BACKEND_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    // The public portal (seed 000 §二十): the published standard readable without sign-in, through the gateway's own
    // read-only service account (svc.gateway-public: the dev issuer in development, client credentials in production).
    GATEWAY_PUBLIC_PORTAL: z.enum(['on', 'off']).default('on'),
  },
  'gateway',
);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
