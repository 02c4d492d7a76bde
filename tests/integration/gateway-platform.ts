// In-process platform for gateway, CLI and browser tests: the real services (started from their app.ts with
// their own database and topic names) behind a gateway on a free port. Backends that have not been started are
// addressed at a closed port, so the gateway answers 503 for them as it would in production.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { startApprovals, type ApprovalsService } from '../../services/approvals/app';
import { startAudit, type AuditApp } from '../../services/audit/app';
import { startNotifications, type NotificationsApp } from '../../services/notifications/app';
import { startGateway, type GatewayDeps, type RunningGateway } from '../../services/gateway/app';
import { startProposals, type RunningProposals } from '../../services/proposals/app';
import { startRegistry, type RunningRegistry } from '../../services/registry/app';
import type { TemporalHandle } from '../../services/shared/temporal/temporal';
import { testPayloadKeys, testTemporal } from '../support/temporal';
import type { TokenVerifier } from '../../services/shared/auth/identity';
import { personas, serviceAccounts, type PersonaName } from '../../services/shared/auth/personas';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { healthProposal } from '../unit/proposals-fixtures';
import { uniqueName } from '../support/names';
import { testDirectory, testIssuer, testServiceTokens, testVerifier, testJwks, tokenFor } from '../support/identity';
import { stack, testLogger } from '../support/stack';
import { kafkaCredentials, testGroup, testKafka } from '../support/kafka';
import { decisionSigningDeps, decisionVerifyingDeps } from '../support/decisions';

// Nothing listens here (port 9 is "discard", never bound in the test environment).
export const CLOSED_ADDRESS = '127.0.0.1:9';

export type TestPlatform = {
  gateway: RunningGateway;
  registry: RunningRegistry;
  /** Present with { full: true }: proposals and approvals (Temporal worker) on the same topics. */
  proposals?: RunningProposals;
  approvals?: ApprovalsService;
  /** Present with { notifications: true }: webhooks may go to 127.0.0.1 (the tests' receivers). */
  notifications?: NotificationsApp;
  /** Present with { audit: true }. */
  audit?: AuditApp;
  tokens: TokenVerifier;
  namespace: string;
  /** The databases the started services write to. */
  databases: readonly string[];
  /** gRPC addresses as the CLI reads them from env. */
  addresses: Record<string, string>;
  token(persona: PersonaName): Promise<string>;
  stop(): Promise<void>;
};

export type PlatformOptions = { full?: boolean; notifications?: boolean; audit?: boolean };

export async function startTestPlatform(prefix: string, gatewayOverrides: Partial<GatewayDeps> = {}, options: PlatformOptions = {}): Promise<TestPlatform> {
  const { mongoUri, kafkaBrokers, temporalAddress, temporalNamespace } = stack();
  const namespace = uniqueName(prefix);
  const dbName = uniqueName(`${prefix}-reg`).replace(/[^a-zA-Z0-9_-]/g, '_');
  const tokens = testVerifier();
  const registry = await startRegistry({ ...decisionVerifyingDeps(),  mongoUri, dbName, kafkaBrokers, kafkaCredentials: kafkaCredentials('registry'), topicNamespace: namespace, grpcPort: 0, tokens, logger: testLogger, schedulerPollMs: 500, relayPollMs: 100 });
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
      startApprovals({ ...decisionSigningDeps(), 
        mongoUri, dbName: approvalsDb, kafkaBrokers, kafkaCredentials: kafkaCredentials('approvals'), topicNamespace: namespace, temporalAddress, temporalNamespace, temporalPayloadKeys: testPayloadKeys(), taskQueue, grpcPort: 0, tokens,
        directory: testDirectory, logger: testLogger, durations: { dueSeconds: 7 * 86400, reminderBeforeSeconds: 86400 }, relayPollMs: 100,
      }),
      testTemporal(),
    ]);
    proposals = await startProposals({
      mongoUri, dbName: proposalsDb, kafkaBrokers, kafkaCredentials: kafkaCredentials('proposals'), topicNamespace: namespace, grpcPort: 0, registryAddress: `127.0.0.1:${registry.grpcPort}`,
      temporal: temporal.client, approvalTaskQueue: taskQueue, tokens, serviceTokens: testServiceTokens(), logger: testLogger, relayPollMs: 100,
    });
  }
  let notifications: NotificationsApp | undefined;
  let audit: AuditApp | undefined;
  if (options.notifications) {
    const notificationsDb = `${dbName}_notif`;
    dbNames.push(notificationsDb);
    notifications = await startNotifications({ ...decisionVerifyingDeps(), 
      mongoUri, dbName: notificationsDb, kafka: testKafka('notifications', `${prefix}-notifications`, kafkaBrokers),
      topicNamespace: namespace, consumerGroup: testGroup('notifications', `${prefix}-notif`), grpcPort: 0, tokens, logger: testLogger, allowedHosts: ['127.0.0.1'],
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 400, maxRetryAfterMs: 2_000 },
      delivery: { concurrency: 4, perSubscriptionConcurrency: 2, requestTimeoutMs: 2_000, leaseMs: 3_000, pollMs: 50, sweepMs: 300 },
      stream: { pollMs: 50, gapGraceMs: 1_000, batchSize: 100 }, defaultSecretGraceMs: 60_000, outboxPollMs: 50,
    });
  }
  if (options.audit) {
    const auditDb = `${dbName}_audit`;
    dbNames.push(auditDb);
    audit = await startAudit({ ...decisionVerifyingDeps(), 
      mongoUri, dbName: auditDb, kafkaBrokers, kafkaCredentials: kafkaCredentials('audit'), topicNamespace: namespace, grpcPort: 0, tokens, logger: testLogger, environment: 'test',
      hashAlgorithm: 'sha256', signatureAlgorithm: 'ed25519', checkpointIntervalMs: 60_000, outboxPollMs: 100,
    });
  }
  const addresses = {
    registry: `127.0.0.1:${registry.grpcPort}`,
    proposals: proposals ? `127.0.0.1:${proposals.grpcPort}` : CLOSED_ADDRESS,
    approvals: approvals ? `127.0.0.1:${approvals.grpcPort}` : CLOSED_ADDRESS,
    notifications: notifications ? `127.0.0.1:${notifications.grpcPort}` : CLOSED_ADDRESS,
    audit: audit ? `127.0.0.1:${audit.port}` : CLOSED_ADDRESS,
  };
  const gateway = await startGateway({ ...decisionVerifyingDeps(), 
    port: 0, tokens, devIssuer: testIssuer, jwks: JSON.parse(testJwks) as { keys: object[] }, logger: testLogger, environment: 'test', backends: addresses, backendTimeoutMs: 10_000,
    rateLimit: { burst: 10_000, perSecond: 10_000 }, publicReader: testServiceTokens(serviceAccounts.publicReader), ...gatewayOverrides,
  });
  return {
    gateway, registry, tokens, namespace, databases: dbNames,
    ...(proposals ? { proposals } : {}), ...(approvals ? { approvals } : {}), ...(notifications ? { notifications } : {}), ...(audit ? { audit } : {}),
    addresses: {
      REGISTRY_GRPC_ADDRESS: addresses.registry, PROPOSALS_GRPC_ADDRESS: addresses.proposals, APPROVALS_GRPC_ADDRESS: addresses.approvals,
      NOTIFICATIONS_GRPC_ADDRESS: addresses.notifications, AUDIT_GRPC_ADDRESS: addresses.audit,
    },
    token: (p) => tokenFor(p),
    async stop() {
      await gateway.stop();
      await proposals?.stop();
      await approvals?.stop();
      await Promise.allSettled([notifications?.stop(), audit?.stop()]);
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

/** Calls the gateway's JSON API as a persona. */
export async function apiAs(p: TestPlatform, persona: PersonaName, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(p.gateway.url + path, {
    method, headers: { authorization: `Bearer ${await p.token(persona)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * Publishes a new version of an NHC health item the way people do (needs { full: true }): 国家卫生健康委 drafts and
 * submits a proposal raising its funding, NHC, NDRC and MOF countersign and the final approver approves, each from
 * their inbox over the gateway's API; resolves once the registry has published the version.
 */
export async function publishThroughApproval(p: TestPlatform, itemCode: string, baseVersion = 1): Promise<{ proposalId: string; version: number }> {
  const must = (r: { status: number; json: any }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const created = must(await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', { content: ProposalContent.toJSON(healthProposal({ itemCode, baseVersion })) }), 'create proposal');
  const proposalId: string = created.proposal.proposalId;
  must(await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/submit`, { expectedRevision: created.proposal.revision }), 'submit');
  const deadline = Date.now() + 90_000;
  const signAs = async (persona: PersonaName): Promise<void> => {
    for (;;) {
      const inbox = must(await apiAs(p, persona, 'GET', '/api/v1/inbox'), `${persona} inbox`);
      const item = (inbox.items ?? []).find((i: any) => i.proposal?.proposalId === proposalId);
      if (item) {
        must(await apiAs(p, persona, 'POST', `/api/v1/approvals/${proposalId}/steps/${item.step.stepId}/sign`, { position: 'POSITION_APPROVE', comment: `${personas[persona].name} 同意（测试）` }), `${persona} sign`);
        return;
      }
      if (Date.now() > deadline) throw new Error(`${persona} never saw ${proposalId} in the inbox`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  for (const persona of ['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as const) await signAs(persona);
  const version = baseVersion + 1;
  for (;;) {
    const history = must(await apiAs(p, 'nhc-staff', 'GET', `/api/v1/standards/items/${itemCode}/history`), 'history');
    if ((history.versions ?? []).some((v: any) => v.version === version)) return { proposalId, version };
    if (Date.now() > deadline) throw new Error(`${itemCode} v${version} was never published`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export type ReceivedWebhook = { readonly id: string; readonly type: string; readonly status: number; readonly headers: Record<string, string>; readonly body: string };
export type WebhookReceiver = { readonly url: string; readonly received: ReceivedWebhook[]; close(): Promise<void> };

/** A local webhook endpoint; `answer(n)` picks the HTTP status for the n-th request (0-based), default 200. */
export async function startWebhookReceiver(answer: (n: number) => number = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = answer(received.length);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      let type = '';
      try {
        type = String((JSON.parse(body) as { type?: unknown }).type ?? '');
      } catch {
        type = '';
      }
      received.push({ id: headers['webhook-id'] ?? '', type, status, headers, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bps-webhook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
