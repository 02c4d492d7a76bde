// The registry tests' fixtures over the test kit (tests/support/platform.ts): the registry on its own database and
// topics with a collector of bps.standards.v1, a gRPC client, and `approve`, which publishes a signed
// bps.approval.changeset.approved as the approvals service would.
import * as grpc from '@grpc/grpc-js';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import type { ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import type { RegistryDeps, RunningRegistry } from '../../services/registry/app';
import type { Identity, TokenVerifier } from '../../services/shared/auth/identity';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { approvalEvents } from '../../services/shared/events/approvals';
import { standardEvents } from '../../services/shared/events/standards';
import { newEvent, type CloudEvent } from '../../services/shared/kafka/kafka';
import { signedEvent } from '../support/decisions';
import { startPlatform, type ServiceName, type StartedPlatform } from '../support/platform';

export type TestRegistry<S extends ServiceName = 'registry'> = {
  /** The kit's platform (with the other services asked for in `with`). */
  readonly platform: StartedPlatform<'registry' | S>;
  running: RunningRegistry;
  client: StandardRegistryClient;
  tokens: TokenVerifier;
  namespace: string;
  dbName: string;
  token(persona: PersonaName | Identity): Promise<string>;
  /** Produces bps.approval.changeset.approved for the change set (returns the ce_id). */
  approve(changeSet: Partial<ChangeSet>, id?: string): Promise<string>;
  /** Every bps.standards.v1 event received so far (decoded later by type). */
  events: CloudEvent[];
  eventsOf<T>(definition: { type: string; codec: { fromJSON(o: unknown): T } }): T[];
  restart(overrides?: Partial<RegistryDeps>): Promise<void>;
  stop(): Promise<void>;
};

export async function startTestRegistry<S extends ServiceName = 'registry'>(
  prefix: string,
  overrides: Partial<RegistryDeps> = {},
  options: { with?: readonly S[] } = {},
): Promise<TestRegistry<S>> {
  const p = await startPlatform(prefix, { services: ['registry', ...(options.with ?? [])], collect: ['standards'], overrides: { registry: overrides } });
  const collector = p.collector!;
  const connect = () => new StandardRegistryClient(p.address('registry'), grpc.credentials.createInsecure());
  let client = connect();
  return {
    platform: p,
    get running() {
      return p.registry;
    },
    get client() {
      return client;
    },
    tokens: p.tokens,
    namespace: p.namespace,
    dbName: p.names.db('registry'),
    events: collector.events,
    token: (who) => p.token(who),
    async approve(changeSet, id) {
      const actor = { subject: personas['final-approver'].subject, organisation: 'SCO', roles: ['final-approver'] };
      const payload = approvalEvents.changeSetApproved.codec.fromPartial({ changeSet, actor });
      const event = newEvent(approvalEvents.changeSetApproved, payload, {
        source: '/bps/approvals',
        key: changeSet.changeSetId ?? 'x',
        topicNamespace: p.namespace,
        ...(id ? { id } : {}),
      });
      await p.publisher.publish([await signedEvent(event)]);
      return event.id;
    },
    eventsOf: (definition) => collector.eventsOf(definition as never),
    async restart(more = {}) {
      client.close();
      await p.restart('registry', more);
      client = connect();
    },
    async stop() {
      client.close();
      await p.stop();
    },
  };
}

export { standardEvents };
