// The registry as the proposals service sees it: GetItem over gRPC for each item a proposal touches.
// Calls carry a service token (service account svc.proposals, organisation BPS, role operator; see
// services/shared/auth/personas.ts) from the service's token source rather than the caller's token: the checks
// must not depend on what the caller happens to be allowed to read, and event consumers (which follow approval
// outcomes) have no caller token at all.
import * as grpc from '@grpc/grpc-js';
import { StandardRegistryClient } from '../../../../proto/gen/bps/registry/v1/registry';
import type { ServiceTokenSource } from '../../../shared/auth/service-tokens';
import { TransientError } from '../../../shared/errors/errors';
import { serviceClient, unary } from '../../../shared/grpc/client';
import { grpcClientCredentials, type GrpcTls } from '../../../shared/grpc/tls';
import type { PackageView, RegistryItem, RegistryView } from '../../domain/checks';
import type { RegistryPort } from '../../application/ports';

const latestKnown = { year: 9999, month: 12, day: 31 };

export class GrpcRegistry implements RegistryPort {
  private readonly client: StandardRegistryClient;

  constructor(
    address: string,
    private readonly tokens: ServiceTokenSource,
    /** mTLS to the registry (production); plaintext without. */
    tls: GrpcTls | undefined,
    private readonly timeoutMs = 10_000,
  ) {
    this.client = serviceClient(StandardRegistryClient, address, grpcClientCredentials(tls));
  }

  private async item(itemCode: string): Promise<RegistryItem | null> {
    const token = await this.tokens.token();
    try {
      // The latest published version, even if not yet in force: the registry applies a change only on top of it.
      const response = await unary(
        this.client.getItem.bind(this.client),
        { itemCode, asOf: { date: latestKnown, knownAt: undefined }, provinceCode: '' },
        token,
        this.timeoutMs,
      );
      const national = response.national;
      if (!national?.item) return null;
      return { version: national.version, retired: national.retired, item: national.item };
    } catch (error) {
      const code = (error as grpc.ServiceError).code;
      if (code === grpc.status.NOT_FOUND) return null;
      throw new TransientError(`registry GetItem(${itemCode}) failed: ${(error as Error).message}`, error);
    }
  }

  async view(itemCodes: readonly string[]): Promise<RegistryView> {
    const codes = [...new Set(itemCodes)];
    const items = await Promise.all(codes.map((code) => this.item(code)));
    return new Map(codes.map((code, i) => [code, items[i] ?? null]));
  }

  async packages(): Promise<PackageView> {
    const token = await this.tokens.token();
    try {
      const response = await unary(
        this.client.listPackageLevels.bind(this.client),
        { asOf: { date: latestKnown, knownAt: undefined }, itemCode: '' },
        token,
        this.timeoutMs,
      );
      return new Map(response.levels.flatMap((v) => (v.level ? [[v.level.packageCode, { version: v.version, level: v.level }] as const] : [])));
    } catch (error) {
      throw new TransientError(`registry ListPackageLevels failed: ${(error as Error).message}`, error);
    }
  }

  close(): void {
    this.client.close();
  }
}
