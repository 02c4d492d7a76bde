// The national list as the programme sees it (port Catalogue): the registry's items in force and its taxonomy, read
// over gRPC with the service's own token (svc.programme) and kept for a short while — the list changes by published
// editions, not by the minute; an unknown item code refreshes at once.
import { StandardRegistryClient } from '../../../../proto/gen/bps/registry/v1/registry';
import type { ServiceTokenSource } from '../../../shared/auth/service-tokens';
import { TransientError } from '../../../shared/errors/errors';
import { serviceClient, unary } from '../../../shared/grpc/client';
import { grpcClientCredentials, type GrpcTls } from '../../../shared/grpc/tls';
import type { Catalogue, CatalogueView } from '../../application/programme';

const today = { date: undefined, knownAt: undefined };

export class GrpcCatalogue implements Catalogue {
  private readonly client: StandardRegistryClient;
  private cached: { at: number; view: Promise<CatalogueView> } | undefined;

  constructor(
    address: string,
    private readonly tokens: ServiceTokenSource,
    /** mTLS to the registry (production); plaintext without. */
    tls: GrpcTls | undefined,
    private readonly ttlMs = 30_000,
    private readonly timeoutMs = 10_000,
  ) {
    this.client = serviceClient(StandardRegistryClient, address, grpcClientCredentials(tls));
  }

  private async load(): Promise<CatalogueView> {
    const token = await this.tokens.token();
    try {
      const [items, taxonomy] = await Promise.all([
        unary(this.client.listItems.bind(this.client), { asOf: today, fieldCode: '', categoryCode: '', provinceCode: '' }, token, this.timeoutMs),
        unary(this.client.getTaxonomy.bind(this.client), { asOf: today }, token, this.timeoutMs),
      ]);
      return {
        items: new Map(
          items.items
            .filter((v) => v.item)
            .map((v) => [
              v.item!.itemCode,
              {
                itemCode: v.item!.itemCode,
                fieldCode: v.item!.fieldCode,
                categoryCode: v.item!.categoryCode,
                leadUnit: v.item!.leadUnit?.code ?? '',
                retired: v.retired,
              },
            ]),
        ),
        taxonomy: taxonomy.fields.map((f) => ({ code: f.code, name: f.name, categories: f.categories.map((c) => ({ code: c.code, name: c.name })) })),
      };
    } catch (error) {
      throw new TransientError(`the registry cannot be read now: ${(error as Error).message}`, error);
    }
  }

  async view(mustKnow: readonly string[] = []): Promise<CatalogueView> {
    const fresh = this.cached && Date.now() - this.cached.at < this.ttlMs;
    if (fresh) {
      const view = await this.cached!.view.catch(() => undefined);
      if (view && mustKnow.every((c) => view.items.has(c))) return view;
    }
    const view = this.load();
    this.cached = { at: Date.now(), view };
    view.catch(() => (this.cached = undefined));
    return view;
  }

  close(): void {
    this.client.close();
  }
}
