// The registry as the proposals service sees it: GetItem over gRPC for each item a proposal touches.
// Calls carry a service token (subject svc.proposals, organisation BPS, role operator) minted here rather than
// the caller's token: the checks must not depend on what the caller happens to be allowed to read, and event
// consumers (which follow approval outcomes) have no caller token at all.
import * as grpc from '@grpc/grpc-js';
import { StandardRegistryClient } from '../../../../proto/gen/bps/registry/v1/registry';
import type { TokenService } from '../../../shared/auth/identity';
import { TransientError } from '../../../shared/errors/errors';
import { clientChannelOptions, unary } from '../../../shared/grpc/client';
import type { RegistryItem, RegistryView } from '../../domain/checks';

export type RegistryPort = { view(itemCodes: readonly string[]): Promise<RegistryView>; close(): void };

export const serviceIdentity = { subject: 'svc.proposals', name: 'proposals service', organisation: 'BPS', roles: ['operator'] } as const;

const TOKEN_TTL_SECONDS = 3600;
const latestKnown = { year: 9999, month: 12, day: 31 };

export class GrpcRegistry implements RegistryPort {
  private readonly client: StandardRegistryClient;
  private token: { value: string; expiresAt: number } | undefined;

  constructor(address: string, private readonly tokens: TokenService, private readonly timeoutMs = 10_000) {
    this.client = new StandardRegistryClient(address, grpc.credentials.createInsecure(), clientChannelOptions);
  }

  private async serviceToken(): Promise<string> {
    const now = Date.now();
    if (!this.token || this.token.expiresAt - now < 60_000) {
      this.token = { value: await this.tokens.mint({ ...serviceIdentity, roles: [...serviceIdentity.roles] }, TOKEN_TTL_SECONDS), expiresAt: now + TOKEN_TTL_SECONDS * 1000 };
    }
    return this.token.value;
  }

  private async item(itemCode: string): Promise<RegistryItem | null> {
    const token = await this.serviceToken();
    try {
      // The latest published version, even if not yet in force: the registry applies a change only on top of it.
      const response = await unary(this.client.getItem.bind(this.client), { itemCode, asOf: { date: latestKnown, knownAt: undefined }, provinceCode: '' }, token, this.timeoutMs);
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

  close(): void {
    this.client.close();
  }
}
