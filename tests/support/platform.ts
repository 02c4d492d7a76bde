// The test kit's platform: starts any subset of the services in-process, from their app.ts, on the run's stack
// with one topic namespace, one database per service, one task queue and ONE set of test settings; stops them in
// reverse start order and drops their databases. Services not started are addressed at a closed port (the gateway
// answers 503 for them, as it would in production). Approvals workers load the run's workflow bundle
// (workflow-bundle.ts) instead of bundling the workflows again.
//
//   const p = await startPlatform('flow', { services: ['registry', 'proposals', 'approvals', 'gateway'], collect: ['approvals'] });
//   await p.collector!.waitFor((e) => e.type === 'bps.approval.proposal.decided');
//   await p.stop();
import { randomUUID } from 'node:crypto';
import { startApprovals, type ApprovalsDeps, type RunningApprovals } from '../../services/approvals/app';
import { startAudit, type RunningAudit, type AuditDeps } from '../../services/audit/app';
import { startGateway, type GatewayDeps, type RunningGateway } from '../../services/gateway/app';
import { startNotifications, type RunningNotifications, type NotificationsDeps } from '../../services/notifications/app';
import { startProgramme, type ProgrammeDeps, type RunningProgramme } from '../../services/programme/app';
import { startProposals, type ProposalsDeps, type RunningProposals } from '../../services/proposals/app';
import { startRegistry, type RegistryDeps, type RunningRegistry } from '../../services/registry/app';
import type { Identity, TokenVerifier } from '../../services/shared/auth/identity';
import { serviceAccounts, type PersonaName } from '../../services/shared/auth/personas';
import { topicName, topicOwners, topics } from '../../services/shared/events/catalog';
import type { CloudEvent } from '../../services/shared/kafka/kafka';
import { connectMongo } from '../../services/shared/mongo/mongo';
import type { TemporalHandle } from '../../services/shared/temporal/temporal';
import type { GrpcTls } from '../../services/shared/grpc/tls';
import { collectEvents, type EventCollector, type TopicFamily } from './collector';
import { decisionSigningDeps, decisionVerifyingDeps } from './decisions';
import { testDirectory, testIssuer, testJwks, testServiceTokens, testVerifier, tokenFor } from './identity';
import { kafkaCredentials, OwnersProducer, testGroup, testKafka } from './kafka';
import { uniqueName } from './names';
import { stack, testLogger } from './stack';
import { testPayloadKeys, testTemporal } from './temporal';
import { testWorkflowBundle } from './workflow-bundle';

// Nothing listens here (port 9 is "discard", never bound in the test environment).
export const CLOSED_ADDRESS = '127.0.0.1:9';

export type ServiceName = 'registry' | 'proposals' | 'approvals' | 'notifications' | 'audit' | 'programme' | 'gateway';

export type Running = {
  registry: RunningRegistry;
  proposals: RunningProposals;
  approvals: RunningApprovals;
  notifications: RunningNotifications;
  audit: RunningAudit;
  programme: RunningProgramme;
  gateway: RunningGateway;
};

export type Overrides = {
  registry?: Partial<RegistryDeps>;
  proposals?: Partial<ProposalsDeps>;
  approvals?: Partial<ApprovalsDeps>;
  notifications?: Partial<NotificationsDeps>;
  audit?: Partial<AuditDeps>;
  programme?: Partial<ProgrammeDeps>;
  gateway?: Partial<GatewayDeps>;
};

/** The one set of test settings (timings short enough for tests, limits high enough not to get in the way). */
export const testSettings = {
  registry: { schedulerPollMs: 200, relayPollMs: 100 },
  proposals: { relayPollMs: 50 },
  approvals: { durations: { dueSeconds: 3600, reminderBeforeSeconds: 600 }, relayPollMs: 50 },
  notifications: {
    allowedHosts: ['127.0.0.1'],
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 400, maxRetryAfterMs: 3_000 },
    delivery: { concurrency: 32, perSubscriptionConcurrency: 4, requestTimeoutMs: 2_000, leaseMs: 10_000, pollMs: 50, sweepMs: 300 },
    stream: { pollMs: 50, gapGraceMs: 1_000, batchSize: 100 },
    defaultSecretGraceMs: 60_000,
    outboxPollMs: 50,
  },
  audit: { environment: 'test', hashAlgorithm: 'sha256', signatureAlgorithm: 'ed25519', checkpointIntervalMs: 60_000, outboxPollMs: 100 },
  programme: { relayPollMs: 50 },
  gateway: { environment: 'test', backendTimeoutMs: 10_000, rateLimit: { burst: 10_000, perSecond: 10_000 } },
} as const satisfies {
  registry: Partial<RegistryDeps>;
  proposals: Partial<ProposalsDeps>;
  approvals: Partial<ApprovalsDeps>;
  notifications: Partial<NotificationsDeps>;
  audit: Partial<AuditDeps>;
  programme: Partial<ProgrammeDeps>;
  gateway: Partial<GatewayDeps>;
};

/** Database, topic and queue names of one platform (unique per start). */
export type PlatformNames = {
  readonly namespace: string;
  readonly taskQueue: string;
  /** The database of a service (or of a test's own records: any label). */
  db(service: ServiceName | string): string;
};

export function platformNames(prefix: string): PlatformNames {
  const namespace = uniqueName(prefix);
  const base = namespace.replace(/[^a-zA-Z0-9_-]/g, '_');
  return { namespace, taskQueue: uniqueName(`${prefix}-tq`), db: (service) => `${base}_${service}` };
}

export type PlatformOptions<S extends ServiceName> = {
  readonly services: readonly S[];
  readonly overrides?: Overrides;
  /** Topic families to collect (p.collector); the collector joins before any service starts. */
  readonly collect?: readonly TopicFamily[];
  /** Another platform's names: start on its databases, topics and queue (as after a restore). Default: new names. */
  readonly names?: PlatformNames;
  /** Mutual TLS for every gRPC server and client of the platform (as production runs); default plaintext. */
  readonly grpcTls?: GrpcTls;
};

export type Platform = {
  readonly names: PlatformNames;
  readonly namespace: string;
  /** The databases the started services write to. */
  readonly databases: readonly string[];
  readonly tokens: TokenVerifier;
  /** A Temporal client on the stack's namespace (with proposals or approvals). */
  readonly temporal?: TemporalHandle;
  readonly collector?: EventCollector;
  /** Publishes events as the owner of their topics (created on first use). */
  readonly publisher: OwnersProducer;
  token(who: PersonaName | Identity, ttlSeconds?: number): Promise<string>;
  /** The gRPC address of a service ("127.0.0.1:port"; CLOSED_ADDRESS when not started). */
  address(service: Exclude<ServiceName, 'gateway'>): string;
  /** The gRPC addresses as the CLI reads them from env. */
  readonly addresses: Record<string, string>;
  /** The deps a service was started with (after overrides). */
  deps<K extends ServiceName>(service: K): DepsOf[K];
  /**
   * Barrier "nothing more is coming": publishes a marker (type bps.test.marker, as the topic's owner) on the family's
   * topic with this key — the partition of the events it stands behind — and waits until the collector has it; every
   * event published on that partition before now has then been collected. Needs `collect` with that family.
   * A service's events leave through its outbox after the call returns: wait for the last expected event first
   * (`collector.waitFor`), then settle to see that nothing else (a duplicate) follows it.
   */
  settle(family: TopicFamily, key: string): Promise<void>;
  /** Stops one service and starts it again on the same database and names (as after a crash), with more overrides. */
  restart<K extends ServiceName>(service: K, overrides?: Partial<DepsOf[K]>): Promise<Running[K]>;
  /** Stops everything in reverse start order, then drops the databases. */
  stop(): Promise<void>;
};

type DepsOf = {
  registry: RegistryDeps;
  proposals: ProposalsDeps;
  approvals: ApprovalsDeps;
  notifications: NotificationsDeps;
  audit: AuditDeps;
  programme: ProgrammeDeps;
  gateway: GatewayDeps;
};

export type StartedPlatform<S extends ServiceName> = Platform & { readonly [K in S]: Running[K] } & { readonly [K in Exclude<ServiceName, S>]?: undefined };

/** Starts the chosen services (proposals needs registry: it is added) and, with `collect`, a collector. */
export async function startPlatform<S extends ServiceName>(prefix: string, options: PlatformOptions<S>): Promise<StartedPlatform<S>> {
  const { mongoUri, kafkaBrokers, temporalAddress, temporalNamespace } = stack();
  const names = options.names ?? platformNames(prefix);
  const { namespace, taskQueue } = names;
  const chosen = new Set<ServiceName>(options.services);
  if (chosen.has('proposals') || chosen.has('programme')) chosen.add('registry');
  const o = options.overrides ?? {};
  const grpcTls = options.grpcTls ? { grpcTls: options.grpcTls } : {};
  const tokens = testVerifier();
  const running: Partial<Running> = {};
  const deps: Partial<DepsOf> = {};
  const order: ServiceName[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  let publisher: OwnersProducer | undefined;
  const address = (service: Exclude<ServiceName, 'gateway'>): string => (running[service] ? `127.0.0.1:${running[service].grpcPort}` : CLOSED_ADDRESS);
  const starters: { [K in ServiceName]: (d: DepsOf[K]) => Promise<Running[K]> } = {
    registry: startRegistry,
    proposals: startProposals,
    approvals: startApprovals,
    notifications: startNotifications,
    audit: startAudit,
    programme: startProgramme,
    gateway: startGateway,
  };
  const start = async <K extends ServiceName>(service: K, d: DepsOf[K]): Promise<void> => {
    deps[service] = d as never;
    running[service] = (await starters[service](d)) as never;
    order.push(service);
  };

  const stop = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const service of [...order].reverse()) {
      try {
        await running[service]?.stop();
      } catch (error) {
        errors.push(error);
      }
    }
    order.length = 0;
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => errors.push(error));
    await publisher?.disconnect();
    for (const service of chosen) {
      const mongo = await connectMongo(mongoUri, names.db(service));
      await mongo.db.dropDatabase();
      await mongo.close();
    }
    if (errors.length > 0) throw new AggregateError(errors, `stopping the test platform ${namespace}`);
  };

  try {
    let collector: EventCollector | undefined;
    if (options.collect?.length) {
      collector = await collectEvents({ namespace, families: options.collect });
      cleanups.push(() => collector!.stop());
    }
    let temporal: TemporalHandle | undefined;
    if (chosen.has('proposals') || chosen.has('approvals') || chosen.has('programme')) {
      temporal = await testTemporal();
      cleanups.push(() => temporal!.close());
    }
    const workflowBundle = chosen.has('approvals') || chosen.has('programme') ? await testWorkflowBundle() : undefined;
    // Independent start-ups run side by side; proposals waits for the registry, the gateway for everyone.
    const first: Promise<void>[] = [];
    if (chosen.has('registry')) {
      first.push(
        start('registry', {
          ...decisionVerifyingDeps(),
          mongoUri,
          dbName: names.db('registry'),
          kafkaBrokers,
          kafkaCredentials: kafkaCredentials('registry'),
          topicNamespace: namespace,
          grpcPort: 0,
          tokens,
          logger: testLogger,
          ...grpcTls,
          ...testSettings.registry,
          ...o.registry,
        }),
      );
    }
    if (chosen.has('approvals')) {
      first.push(
        start('approvals', {
          ...decisionSigningDeps(),
          mongoUri,
          dbName: names.db('approvals'),
          kafkaBrokers,
          kafkaCredentials: kafkaCredentials('approvals'),
          topicNamespace: namespace,
          temporalAddress,
          temporalNamespace,
          temporalPayloadKeys: testPayloadKeys(),
          taskQueue,
          grpcPort: 0,
          tokens,
          directory: testDirectory,
          logger: testLogger,
          ...(workflowBundle ? { workflowBundle } : {}),
          ...grpcTls,
          ...testSettings.approvals,
          ...o.approvals,
        }),
      );
    }
    if (chosen.has('notifications')) {
      first.push(
        start('notifications', {
          ...decisionVerifyingDeps(),
          mongoUri,
          dbName: names.db('notifications'),
          kafka: testKafka('notifications', `${prefix}-notifications`, kafkaBrokers),
          topicNamespace: namespace,
          consumerGroup: testGroup('notifications', `${prefix}-notif`),
          grpcPort: 0,
          tokens,
          logger: testLogger,
          ...grpcTls,
          ...testSettings.notifications,
          ...o.notifications,
        }),
      );
    }
    if (chosen.has('audit')) {
      first.push(
        start('audit', {
          ...decisionVerifyingDeps(),
          mongoUri,
          dbName: names.db('audit'),
          kafkaBrokers,
          kafkaCredentials: kafkaCredentials('audit'),
          topicNamespace: namespace,
          grpcPort: 0,
          tokens,
          logger: testLogger,
          ...grpcTls,
          ...testSettings.audit,
          ...o.audit,
        }),
      );
    }
    const settled = await Promise.allSettled(first);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const second: Promise<void>[] = [];
    if (chosen.has('programme')) {
      second.push(
        start('programme', {
          mongoUri,
          dbName: names.db('programme'),
          kafkaBrokers,
          kafkaCredentials: kafkaCredentials('programme'),
          topicNamespace: namespace,
          grpcPort: 0,
          registryAddress: address('registry'),
          temporalAddress,
          temporalNamespace,
          temporalPayloadKeys: testPayloadKeys(),
          taskQueue: `${taskQueue}-programme`,
          tokens,
          serviceTokens: testServiceTokens(serviceAccounts.programme),
          logger: testLogger,
          ...(workflowBundle ? { workflowBundle } : {}),
          ...grpcTls,
          ...testSettings.programme,
          ...o.programme,
        }),
      );
    }
    if (chosen.has('proposals')) {
      second.push(
        start('proposals', {
          mongoUri,
          dbName: names.db('proposals'),
          kafkaBrokers,
          kafkaCredentials: kafkaCredentials('proposals'),
          topicNamespace: namespace,
          grpcPort: 0,
          registryAddress: address('registry'),
          temporal: temporal!.client,
          approvalTaskQueue: taskQueue,
          tokens,
          serviceTokens: testServiceTokens(),
          logger: testLogger,
          ...grpcTls,
          ...testSettings.proposals,
          ...o.proposals,
        }),
      );
    }
    const secondSettled = await Promise.allSettled(second);
    const secondFailed = secondSettled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (secondFailed) throw secondFailed.reason;
    if (chosen.has('gateway')) {
      await start('gateway', {
        ...decisionVerifyingDeps(),
        port: 0,
        tokens,
        devIssuer: testIssuer,
        jwks: JSON.parse(testJwks) as { keys: object[] },
        logger: testLogger,
        publicReader: testServiceTokens(serviceAccounts.publicReader),
        backends: {
          registry: address('registry'),
          proposals: address('proposals'),
          approvals: address('approvals'),
          notifications: address('notifications'),
          audit: address('audit'),
          programme: address('programme'),
        },
        ...grpcTls,
        ...testSettings.gateway,
        ...o.gateway,
      });
    }
    const platform: Platform = {
      names,
      namespace,
      tokens,
      databases: [...chosen].filter((s) => s !== 'gateway').map((s) => names.db(s)),
      ...(temporal ? { temporal } : {}),
      ...(collector ? { collector } : {}),
      get publisher() {
        return (publisher ??= new OwnersProducer(kafkaBrokers));
      },
      token: (who, ttl) => tokenFor(who, ttl),
      address,
      async settle(family, key) {
        if (!collector || !options.collect?.includes(family)) throw new Error(`settle(${family}): the platform does not collect ${family}`);
        const marker: CloudEvent & { topic: string } = {
          topic: topicName(topics[family], namespace),
          specversion: '1.0',
          id: randomUUID(),
          type: 'bps.test.marker',
          source: topicOwners[family].sources[0],
          subject: key,
          key,
          time: new Date().toISOString(),
          datacontenttype: 'application/json',
          data: Buffer.from('{}'),
        };
        await platform.publisher.publish([marker]);
        await collector.waitForId(marker.id);
      },
      get addresses() {
        return {
          REGISTRY_GRPC_ADDRESS: address('registry'),
          PROPOSALS_GRPC_ADDRESS: address('proposals'),
          APPROVALS_GRPC_ADDRESS: address('approvals'),
          NOTIFICATIONS_GRPC_ADDRESS: address('notifications'),
          AUDIT_GRPC_ADDRESS: address('audit'),
          PROGRAMME_GRPC_ADDRESS: address('programme'),
        };
      },
      deps: (service) => {
        const d = deps[service];
        if (!d) throw new Error(`${service} was not started on this platform`);
        return d;
      },
      async restart(service, more = {}) {
        const d = { ...platform.deps(service), ...more };
        await running[service]!.stop();
        order.splice(order.indexOf(service), 1);
        await start(service, d);
        return running[service]!;
      },
      stop,
    };
    for (const service of ['registry', 'proposals', 'approvals', 'notifications', 'audit', 'gateway'] as const) {
      Object.defineProperty(platform, service, { get: () => running[service], enumerable: true });
    }
    return platform as StartedPlatform<S>;
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
