// In-process platform for gateway, CLI and browser tests: the real services (started from their app.ts with
// their own database and topic names) behind a gateway on a free port. Backends that have not been started are
// addressed at a closed port, so the gateway answers 503 for them as it would in production.
import { startApprovals, type ApprovalsService } from '../../services/approvals/app';
import { startGateway, type GatewayDeps, type RunningGateway } from '../../services/gateway/app';
import { startProposals, type RunningProposals } from '../../services/proposals/app';
import { startRegistry, type RunningRegistry } from '../../services/registry/app';
import { connectTemporal, type TemporalHandle } from '../../services/shared/temporal/temporal';
import { TokenService } from '../../services/shared/auth/identity';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { testJwtSecret, uniqueName } from '../support/names';
import { stack, testLogger } from '../support/stack';

// Nothing listens here (port 9 is "discard", never bound in the test environment).
export const CLOSED_ADDRESS = '127.0.0.1:9';

export type TestPlatform = {
  gateway: RunningGateway;
  registry: RunningRegistry;
  /** Present with { full: true }: proposals and approvals (Temporal worker) on the same topics. */
  proposals?: RunningProposals;
  approvals?: ApprovalsService;
  tokens: TokenService;
  namespace: string;
  /** gRPC addresses as the CLI reads them from env. */
  addresses: Record<string, string>;
  token(persona: PersonaName): Promise<string>;
  stop(): Promise<void>;
};

export async function startTestPlatform(prefix: string, gatewayOverrides: Partial<GatewayDeps> = {}, options: { full?: boolean } = {}): Promise<TestPlatform> {
  const { mongoUri, kafkaBrokers, temporalAddress, temporalNamespace } = stack();
  const namespace = uniqueName(prefix);
  const dbName = uniqueName(`${prefix}-reg`).replace(/[^a-zA-Z0-9_-]/g, '_');
  const tokens = new TokenService(testJwtSecret, 'bps-platform');
  const registry = await startRegistry({ mongoUri, dbName, kafkaBrokers, topicNamespace: namespace, grpcPort: 0, tokens, logger: testLogger, schedulerPollMs: 500, relayPollMs: 100 });
  const dbNames = [dbName];
  let proposals: RunningProposals | undefined;
  let approvals: ApprovalsService | undefined;
  let temporal: TemporalHandle | undefined;
  if (options.full) {
    const taskQueue = uniqueName(`${prefix}-tq`);
    const approvalsDb = `${dbName}_appr`;
    const proposalsDb = `${dbName}_prop`;
    dbNames.push(approvalsDb, proposalsDb);
    [approvals, temporal] = await Promise.all([
      startApprovals({
        mongoUri, dbName: approvalsDb, kafkaBrokers, topicNamespace: namespace, temporalAddress, temporalNamespace, taskQueue, grpcPort: 0, tokens,
        logger: testLogger, durations: { dueSeconds: 7 * 86400, reminderBeforeSeconds: 86400 }, relayPollMs: 100,
      }),
      connectTemporal({ address: temporalAddress, namespace: temporalNamespace }),
    ]);
    proposals = await startProposals({
      mongoUri, dbName: proposalsDb, kafkaBrokers, topicNamespace: namespace, grpcPort: 0, registryAddress: `127.0.0.1:${registry.grpcPort}`,
      temporal: temporal.client, approvalTaskQueue: taskQueue, tokens, logger: testLogger, relayPollMs: 100,
    });
  }
  const addresses = {
    registry: `127.0.0.1:${registry.grpcPort}`,
    proposals: proposals ? `127.0.0.1:${proposals.grpcPort}` : CLOSED_ADDRESS,
    approvals: approvals ? `127.0.0.1:${approvals.grpcPort}` : CLOSED_ADDRESS,
    notifications: CLOSED_ADDRESS, audit: CLOSED_ADDRESS,
  };
  const gateway = await startGateway({
    port: 0, tokens, logger: testLogger, environment: 'test', backends: addresses, backendTimeoutMs: 10_000,
    rateLimit: { burst: 10_000, perSecond: 10_000 }, ...gatewayOverrides,
  });
  return {
    gateway, registry, tokens, namespace,
    ...(proposals ? { proposals } : {}), ...(approvals ? { approvals } : {}),
    addresses: {
      REGISTRY_GRPC_ADDRESS: addresses.registry, PROPOSALS_GRPC_ADDRESS: addresses.proposals, APPROVALS_GRPC_ADDRESS: addresses.approvals,
      NOTIFICATIONS_GRPC_ADDRESS: addresses.notifications, AUDIT_GRPC_ADDRESS: addresses.audit,
    },
    token: (p) => tokens.mint(personas[p]),
    async stop() {
      await gateway.stop();
      await proposals?.stop();
      await approvals?.stop();
      await temporal?.close();
      await registry.stop();
      for (const name of dbNames) {
        const mongo = await connectMongo(mongoUri, name);
        await mongo.db.dropDatabase();
        await mongo.close();
      }
    },
  };
}
