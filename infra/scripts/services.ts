// The services `npm start` runs, in start order, with their default gRPC ports (override with the env names given).
// An entry whose main.ts does not exist yet is skipped.
export type ServiceSpec = {
  readonly name: string;
  readonly entry: string;
  readonly grpcPortEnv: string;
  readonly grpcPort: number;
  readonly httpPortEnv?: string;
  readonly httpPort?: number;
  /** Prometheus /metrics. */ readonly metricsPortEnv: string;
  readonly metricsPort: number;
};

export const platformServices: readonly ServiceSpec[] = [
  {
    name: 'registry',
    entry: 'services/registry/main.ts',
    grpcPortEnv: 'REGISTRY_GRPC_PORT',
    grpcPort: 50051,
    metricsPortEnv: 'REGISTRY_METRICS_PORT',
    metricsPort: 9461,
  },
  {
    name: 'proposals',
    entry: 'services/proposals/main.ts',
    grpcPortEnv: 'PROPOSALS_GRPC_PORT',
    grpcPort: 50052,
    metricsPortEnv: 'PROPOSALS_METRICS_PORT',
    metricsPort: 9462,
  },
  {
    name: 'approvals',
    entry: 'services/approvals/main.ts',
    grpcPortEnv: 'APPROVALS_GRPC_PORT',
    grpcPort: 50053,
    metricsPortEnv: 'APPROVALS_METRICS_PORT',
    metricsPort: 9463,
  },
  {
    name: 'notifications',
    entry: 'services/notifications/main.ts',
    grpcPortEnv: 'NOTIFICATIONS_GRPC_PORT',
    grpcPort: 50054,
    metricsPortEnv: 'NOTIFICATIONS_METRICS_PORT',
    metricsPort: 9464,
  },
  { name: 'audit', entry: 'services/audit/main.ts', grpcPortEnv: 'AUDIT_GRPC_PORT', grpcPort: 50055, metricsPortEnv: 'AUDIT_METRICS_PORT', metricsPort: 9465 },
  {
    name: 'programme',
    entry: 'services/programme/main.ts',
    grpcPortEnv: 'PROGRAMME_GRPC_PORT',
    grpcPort: 50056,
    metricsPortEnv: 'PROGRAMME_METRICS_PORT',
    metricsPort: 9467,
  },
  // HTTP only (JSON API, OpenAPI, web console); grpcPort 0 = none, so it gets no *_GRPC_ADDRESS.
  {
    name: 'gateway',
    entry: 'services/gateway/main.ts',
    grpcPortEnv: 'GATEWAY_GRPC_PORT',
    grpcPort: 0,
    httpPortEnv: 'GATEWAY_HTTP_PORT',
    httpPort: 8080,
    metricsPortEnv: 'GATEWAY_METRICS_PORT',
    metricsPort: 9466,
  },
];
