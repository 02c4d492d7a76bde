// gRPC clients for the services the gateway fronts. One channel per backend, created lazily on first use so the
// gateway starts (and serves what it can) while a backend is still coming up; calls carry the caller's token.
import { AsyncLocalStorage } from 'node:async_hooks';
import type * as grpc from '@grpc/grpc-js';
import { RevisionCyclesClient } from '../../../proto/gen/bps/approvals/v1/cycles';
import { ApprovalInboxClient } from '../../../proto/gen/bps/approvals/v1/inbox';
import { AuditClient } from '../../../proto/gen/bps/audit/v1/audit';
import { IdentityServiceClient } from '../../../proto/gen/bps/identity/v1/identity';
import { SubscriptionsClient } from '../../../proto/gen/bps/notifications/v1/subscriptions';
import { ProgrammeClient } from '../../../proto/gen/bps/programme/v1/programme';
import { ProposalsClient } from '../../../proto/gen/bps/proposals/v1/proposals';
import { StandardRegistryClient } from '../../../proto/gen/bps/registry/v1/registry';
import { currentDeadline, serviceClient, unary, withCallContext, type UnaryMethod } from '../../shared/grpc/client';
import { nthChangeKey } from '../../shared/idempotency/idempotency';
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

/** The idempotency key of the request being served (a console form's), and how many changes it has made so far. */
const requestKeys = new AsyncLocalStorage<{ readonly key: string; changes: number }>();

/**
 * Runs `fn` with the changes it makes through `Backends.change` named by `key` (issue #19): the console's form
 * posts carry one, so that the same form posted twice — a double click, a retry after a timeout — makes each change
 * once and the second post gets the first one's result. Without a key, changes carry none.
 */
export function withRequestKey<T>(key: string | undefined, fn: () => T): T {
  return key === undefined ? fn() : requestKeys.run({ key, changes: 0 }, fn);
}

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
      const Ctor = constructors[name] as unknown as new (target: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => grpc.Client;
      client = serviceClient(Ctor, this.addresses[serverOf[name]], grpcClientCredentials(this.tls));
      this.clients.set(name, client);
    }
    return client as Clients[K];
  }

  /** `backends.call('registry', (c) => c.getItem.bind(c), request, token)`. */
  call<K extends BackendName, Req, Res>(name: K, pick: (client: Clients[K]) => UnaryMethod<Req, Res>, request: Req, token: string | undefined): Promise<Res> {
    return unary(pick(this.client(name)), request, token, this.timeoutMs);
  }

  /**
   * A call that changes something: like `call`, carrying the idempotency key of the request being served
   * (`withRequestKey`) — the first change as is, the second and later as `<key>.2`, `<key>.3`… (a key is scoped to
   * the method and the caller, and a form's handler makes its changes in the same order each time).
   */
  change<K extends BackendName, Req, Res>(name: K, pick: (client: Clients[K]) => UnaryMethod<Req, Res>, request: Req, token: string | undefined): Promise<Res> {
    const store = requestKeys.getStore();
    if (!store) return this.call(name, pick, request, token);
    store.changes += 1;
    const idempotencyKey = nthChangeKey(store.key, store.changes);
    const deadline = currentDeadline();
    return withCallContext({ idempotencyKey, ...(deadline === undefined ? {} : { deadline }) }, () => this.call(name, pick, request, token));
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
