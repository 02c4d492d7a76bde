// The gateway's readiness (/readyz): asks each backend's gRPC health (grpc.health.v1 List) for its overall status
// and the status of each of its dependencies (`dependency/<name>` entries, services/shared/grpc/health.ts). Ready
// only when every backend answers SERVING. Liveness (/healthz) does not come here: it stays cheap.
import * as grpc from '@grpc/grpc-js';
import {
  HealthCheckResponse_ServingStatus,
  healthCheckResponse_ServingStatusToJSON,
  HealthClient,
  type HealthListResponse,
} from '../../../proto/gen/grpc/health/v1/health';
import { serviceClient } from '../../shared/grpc/client';
import { grpcClientCredentials, type GrpcTls } from '../../shared/grpc/tls';
import type { BackendAddresses } from './backends';

export type BackendReadiness = {
  /** SERVING, NOT_SERVING, or UNREACHABLE when the backend did not answer. */
  readonly status: string;
  readonly address: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly error?: string;
};

export type ReadinessReport = { readonly ready: boolean; readonly backends: Readonly<Record<keyof BackendAddresses, BackendReadiness>> };

const dependencyPrefix = 'dependency/';

export class Readiness {
  private readonly clients = new Map<keyof BackendAddresses, HealthClient>();

  constructor(
    private readonly addresses: BackendAddresses,
    private readonly timeoutMs = 2_000,
    /** mTLS to the backends (production); plaintext without. */
    private readonly tls?: GrpcTls,
  ) {}

  private client(name: keyof BackendAddresses): HealthClient {
    let client = this.clients.get(name);
    if (!client) {
      client = serviceClient(HealthClient, this.addresses[name], grpcClientCredentials(this.tls));
      this.clients.set(name, client);
    }
    return client;
  }

  private async backend(name: keyof BackendAddresses): Promise<BackendReadiness> {
    const address = this.addresses[name];
    try {
      const listed = await new Promise<HealthListResponse>((resolve, reject) => {
        this.client(name).list({}, new grpc.Metadata(), { deadline: Date.now() + this.timeoutMs }, (error, response) =>
          error ? reject(error) : resolve(response),
        );
      });
      const overall = listed.statuses['']?.status ?? HealthCheckResponse_ServingStatus.UNKNOWN;
      const dependencies = Object.fromEntries(
        Object.entries(listed.statuses)
          .filter(([service]) => service.startsWith(dependencyPrefix))
          .map(([service, response]) => [service.slice(dependencyPrefix.length), healthCheckResponse_ServingStatusToJSON(response.status)]),
      );
      return { status: healthCheckResponse_ServingStatusToJSON(overall), address, dependencies };
    } catch (error) {
      return { status: 'UNREACHABLE', address, error: (error as grpc.ServiceError).details || (error as Error).message };
    }
  }

  async report(): Promise<ReadinessReport> {
    const names = Object.keys(this.addresses) as (keyof BackendAddresses)[];
    const results = await Promise.all(names.map(async (name) => [name, await this.backend(name)] as const));
    const backends = Object.fromEntries(results) as Record<keyof BackendAddresses, BackendReadiness>;
    return { ready: results.every(([, r]) => r.status === 'SERVING'), backends };
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
