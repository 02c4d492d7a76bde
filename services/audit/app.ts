// The audit service from explicit dependencies: tests start it in-process with their own database, topic
// namespace and consumer group.
import { AuditService } from '../../proto/gen/bps/audit/v1/audit';
import type { JSONWebKeySet } from 'jose';
import { topicName, topics } from '../shared/events/catalog';
import { decisionVerifier } from '../shared/events/decision-signature';
import { kafkaDependency, mongoDependency } from '../shared/grpc/health';
import { EventConsumer, newEvent, ProcessedEvents } from '../shared/kafka/kafka';
import { refusalEvents } from '../shared/events/refusals';
import { AUDIT_SOURCE } from './domain/refusal';
import type { Db } from 'mongodb';
import { hostService } from '../shared/runtime/host';
import { startGrpcEdge, startKafka, startMongo, startOutboxRelay, type DatabaseDeps, type GrpcEdgeDeps, type KafkaDeps } from '../shared/runtime/parts';
import { CheckpointStore } from './adapters/mongo/checkpoints';
import { auditHandler } from './adapters/kafka/consumer';
import { recordPlatformEvent } from './application/record-event';
import { auditServer } from './adapters/grpc/audit';
import { KeyRing } from './adapters/mongo/keys';
import { LogStore } from './adapters/mongo/log-store';
import { TraceReader } from './application/trace';
import { MongoVerificationAnchors } from './adapters/mongo/verification-anchors';
import type { HashAlgorithm } from './domain/hashing';
import type { SignatureAlgorithm, SigningKey } from './domain/signing';

export type AuditDeps = DatabaseDeps &
  KafkaDeps &
  GrpcEdgeDeps & {
    readonly environment: string;
    readonly hashAlgorithm: HashAlgorithm;
    readonly signatureAlgorithm: SignatureAlgorithm;
    /** PEM or hex; absent outside production = a development key kept in the audit DB. */
    readonly signingKey?: string;
    readonly checkpointIntervalMs: number;
    readonly consumerGroup?: string;
    readonly outboxPollMs?: number;
    /** The public JWKS decisions changing the standard are verified against (BPS_DECISION_PUBLIC_JWKS). */
    readonly decisionPublicJwks: string | JSONWebKeySet;
  };

export type RunningAudit = {
  readonly grpcPort: number;
  readonly db: Db;
  /** The consumer group; its processed_events record which ce_ids are fully recorded. */
  readonly consumerGroup: string;
  readonly store: LogStore;
  readonly checkpoints: CheckpointStore;
  readonly keys: KeyRing;
  readonly signingKey: SigningKey;
  stop(): Promise<void>;
};

/** Every platform topic the audit service records (not its own: checkpoints of checkpoints would never settle). */
export function auditedTopics(namespace: string): string[] {
  return Object.values(topics)
    .filter((t) => t !== topics.audit)
    .map((t) => topicName(t, namespace));
}

export function startAudit(deps: AuditDeps): Promise<RunningAudit> {
  const { logger } = deps;
  const decisions = decisionVerifier(deps.decisionPublicJwks); // fails fast on a bad key set
  return hostService({ name: 'audit', logger }, async (host) => {
    const mongo = await startMongo(host, deps);
    const store = new LogStore(mongo.db, deps.hashAlgorithm);
    const keys = new KeyRing(mongo.db);
    await host.step('log store and keys', () => Promise.all([store.init(), keys.init()]));
    const signingKey = await keys.signingKey({ algorithm: deps.signatureAlgorithm, configured: deps.signingKey, environment: deps.environment, logger });
    const checkpoints = new CheckpointStore(mongo.db, store, signingKey, { hashAlgorithm: deps.hashAlgorithm, topicNamespace: deps.topicNamespace, logger });
    await host.step('checkpoint store', () => checkpoints.init());

    const consumed = auditedTopics(deps.topicNamespace);
    const { kafka, producer } = await startKafka(host, deps, 'bps-audit', [...consumed, topicName(topics.audit, deps.topicNamespace)]);
    const consumerGroup = deps.consumerGroup ?? (deps.topicNamespace ? `bps-audit.${deps.topicNamespace}` : 'bps-audit');
    // Not waiting for the group join: after a kill -9 it waits for the dead member's session to expire, and the trail
    // can be read and verified meanwhile; entries follow once joined (from the committed offsets).
    await host.launch(
      'audited-events consumer',
      new EventConsumer({
        kafka,
        groupId: consumerGroup,
        topics: consumed,
        handler: auditHandler(store, deps.topicNamespace, decisions, logger),
        processed: new ProcessedEvents(mongo.db),
        logger,
        service: 'audit',
        // Its own dead letters go straight into its log (it does not consume bps.audit.v1).
        onDeadLetter: async (record) => {
          await recordPlatformEvent(
            store,
            topics.audit,
            newEvent(refusalEvents.eventDeadLettered.audit, record, {
              source: AUDIT_SOURCE,
              key: record.consumerGroup,
              subject: `dead-letters/${record.consumerGroup}`,
              topicNamespace: deps.topicNamespace,
            }),
          );
        },
      }),
    );
    await startOutboxRelay(host, [checkpoints.collection], producer, { pollMs: deps.outboxPollMs });
    await host.start(
      'checkpoints',
      () => checkpoints.startInterval(deps.checkpointIntervalMs),
      () => checkpoints.stop(),
    );

    const traces = new TraceReader(store, checkpoints, () => keys.all());
    const server = await startGrpcEdge(host, deps, {
      serviceName: 'audit',
      family: 'audit',
      db: mongo.db,
      // The audit service files its own refusals straight into its log (it does not consume its own topic).
      refusals: async (events) => {
        for (const e of events) await recordPlatformEvent(store, topics.audit, e);
      },
      services: [
        { definition: AuditService, implementation: auditServer({ store, checkpoints, anchors: new MongoVerificationAnchors(mongo.db), keys, traces }) },
      ],
      dependencies: [mongoDependency(mongo), kafkaDependency(kafka)],
    });

    return { grpcPort: server.port, db: mongo.db, consumerGroup, store, checkpoints, keys, signingKey };
  });
}
