// gRPC clients for the services the gateway fronts. One channel per backend, created lazily on first use so the
// gateway starts (and serves what it can) while a backend is still coming up; calls carry the caller's token.
import type * as grpc from '@grpc/grpc-js';
import { RevisionCyclesClient } from '../../../proto/gen/bps/approvals/v1/cycles';
import { ApprovalInboxClient } from '../../../proto/gen/bps/approvals/v1/inbox';
import { AuditClient } from '../../../proto/gen/bps/audit/v1/audit';
import { IdentityServiceClient } from '../../../proto/gen/bps/identity/v1/identity';
import { SubscriptionsClient } from '../../../proto/gen/bps/notifications/v1/subscriptions';
import { ProgrammeClient } from '../../../proto/gen/bps/programme/v1/programme';
import { ProposalsClient } from '../../../proto/gen/bps/proposals/v1/proposals';
import { StandardRegistryClient } from '../../../proto/gen/bps/registry/v1/registry';
import { clientChannelOptions, unary } from '../../shared/grpc/client';
import { grpcClientCredentials, type GrpcTls } from '../../shared/grpc/tls';

export type BackendAddresses = {
  readonly registry: string;
  readonly proposals: string;
  readonly approvals: string;
  readonly notifications: string;
  readonly audit: string;
  readonly programme: string;
};

const constructors = {
  registry: StandardRegistryClient,
  proposals: ProposalsClient,
  approvals: ApprovalInboxClient,
  cycles: RevisionCyclesClient,
  notifications: SubscriptionsClient,
  audit: AuditClient,
  programme: ProgrammeClient,
  // The audit service's Identity service: where the gateway puts its own refusals on record (see app.ts).
  identity: IdentityServiceClient,
} as const;

/** The process serving each client (the approvals service serves both the inbox and the revision cycles). */
const serverOf: Record<keyof typeof constructors, keyof BackendAddresses> = {
  registry: 'registry',
  proposals: 'proposals',
  approvals: 'approvals',
  cycles: 'approvals',
  notifications: 'notifications',
  audit: 'audit',
  programme: 'programme',
  identity: 'audit',
};

type Clients = { [K in keyof typeof constructors]: InstanceType<(typeof constructors)[K]> };
export type BackendName = keyof Clients;

// The last overload of a ts-proto unary method (the one `bind` exposes), as `unary` expects it.
type Method<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

export class Backends {
  private readonly clients = new Map<BackendName, grpc.Client>();

  constructor(
    private readonly addresses: BackendAddresses,
    private readonly timeoutMs = 15_000,
    /** mTLS to the backends (production); plaintext without. */
    private readonly tls?: GrpcTls,
  ) {}

  client<K extends BackendName>(name: K): Clients[K] {
    let client = this.clients.get(name);
    if (!client) {
      const Ctor = constructors[name] as unknown as new (address: string, credentials: grpc.ChannelCredentials, options?: object) => grpc.Client;
      client = new Ctor(this.addresses[serverOf[name]], grpcClientCredentials(this.tls), clientChannelOptions);
      this.clients.set(name, client);
    }
    return client as Clients[K];
  }

  /** `backends.call('registry', (c) => c.getItem.bind(c), request, token)`. */
  call<K extends BackendName, Req, Res>(name: K, pick: (client: Clients[K]) => Method<Req, Res>, request: Req, token: string | undefined): Promise<Res> {
    return unary(pick(this.client(name)), request, token, this.timeoutMs);
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
