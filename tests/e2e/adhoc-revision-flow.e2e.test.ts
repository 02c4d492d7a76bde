// The whole ad-hoc revision, across every service on the real stack: a 国家卫生健康委 staff member submits a
// proposal raising a basic public health service level; the lead ministry, NDRC and Finance countersign and the
// final approver approves in their inboxes; the registry publishes the new version with its effective date; a
// subscriber's webhook receives the publication (signature verified); the proposal follows the outcome; and the
// audit trail traces the published version back to the proposal, every sign-off and the delivery — all in one
// OpenTelemetry trace.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { Webhook } from 'standardwebhooks';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { AuditClient } from '../../proto/gen/bps/audit/v1/audit';
import { SubscriptionsClient } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { ProposalState } from '../../proto/gen/bps/proposals/v1/proposal';
import { ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import { startApprovals, type ApprovalsService } from '../../services/approvals/app';
import { startAudit, type AuditApp } from '../../services/audit/app';
import { startNotifications, type NotificationsApp } from '../../services/notifications/app';
import { startProposals, type RunningProposals } from '../../services/proposals/app';
import { startRegistry, type RunningRegistry } from '../../services/registry/app';
import type { PersonaName } from '../../services/shared/auth/personas';
import { decodeStatus } from '../../services/shared/grpc/status';
import { unary } from '../../services/shared/grpc/client';
import { connectMongo } from '../../services/shared/mongo/mongo';
import type { TemporalHandle } from '../../services/shared/temporal/temporal';
import { testPayloadKeys, testTemporal } from '../support/temporal';
import { healthProposal } from '../unit/proposals-fixtures';
import { stack, testLogger } from '../support/stack';
import { uniqueName } from '../support/names';
import { testDirectory, testServiceTokens, testVerifier, tokenFor } from '../support/identity';
import { kafkaCredentials, testGroup, testKafka } from '../support/kafka';

import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { initTelemetry } from '../../services/shared/telemetry/otel';
import { decisionSigningDeps, decisionVerifyingDeps } from '../support/decisions';
initTelemetry({ serviceName: 'e2e', exporter: new InMemorySpanExporter() });
const tokens = testVerifier();
const token = (p: PersonaName) => tokenFor(p);
const insecure = grpc.credentials.createInsecure();

type Delivery = { id: string; type: string; body: any };

describe('ad-hoc field revision, end to end', () => {
  const s = stack();
  const ns = uniqueName('e2e');
  const db = (name: string) => `${ns.replace(/[^a-zA-Z0-9_-]/g, '_')}_${name}`;
  const taskQueue = uniqueName('e2e-tq');
  let registry: RunningRegistry;
  let proposals: RunningProposals;
  let approvals: ApprovalsService;
  let notifications: NotificationsApp;
  let audit: AuditApp;
  let temporal: TemporalHandle;
  let receiver: Server;
  const deliveries: Delivery[] = [];
  let verifier: Webhook | undefined;

  beforeAll(async () => {
    const common = { mongoUri: s.mongoUri, kafkaBrokers: s.kafkaBrokers, topicNamespace: ns, grpcPort: 0, tokens, logger: testLogger };
    registry = await startRegistry({ ...decisionVerifyingDeps(), ...common, kafkaCredentials: kafkaCredentials('registry'), dbName: db('registry'), schedulerPollMs: 500, relayPollMs: 50 });
    temporal = await testTemporal();
    proposals = await startProposals({ ...common, kafkaCredentials: kafkaCredentials('proposals'), dbName: db('proposals'), registryAddress: `127.0.0.1:${registry.grpcPort}`, temporal: temporal.client, approvalTaskQueue: taskQueue, serviceTokens: testServiceTokens(), relayPollMs: 50 });
    approvals = await startApprovals({ ...decisionSigningDeps(),
      ...common, directory: testDirectory, kafkaCredentials: kafkaCredentials('approvals'), dbName: db('approvals'), temporalAddress: s.temporalAddress, temporalNamespace: s.temporalNamespace, temporalPayloadKeys: testPayloadKeys(), taskQueue,
      durations: { dueSeconds: 3600, reminderBeforeSeconds: 600 }, relayPollMs: 50,
    });
    notifications = await startNotifications({ ...decisionVerifyingDeps(),
      mongoUri: s.mongoUri, dbName: db('notifications'), kafka: testKafka('notifications', 'e2e-notifications'),
      topicNamespace: ns, consumerGroup: testGroup('notifications', 'e2e-notif'), grpcPort: 0, tokens, logger: testLogger, allowedHosts: ['127.0.0.1'],
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 400, maxRetryAfterMs: 3_000 },
      delivery: { concurrency: 8, perSubscriptionConcurrency: 2, requestTimeoutMs: 2_000, leaseMs: 3_000, pollMs: 50, sweepMs: 300 },
      stream: { pollMs: 50, gapGraceMs: 1_000, batchSize: 100 }, defaultSecretGraceMs: 60_000, outboxPollMs: 50,
    });
    audit = await startAudit({ ...decisionVerifyingDeps(), 
      ...common, kafkaCredentials: kafkaCredentials('audit'), dbName: db('audit'), environment: 'test', hashAlgorithm: 'sha256', signatureAlgorithm: 'ed25519', checkpointIntervalMs: 60_000, outboxPollMs: 100,
    });

    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
          const payload = verifier!.verify(body, headers) as any;
          deliveries.push({ id: headers['webhook-id'], type: payload.type, body: payload });
          res.writeHead(200).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled([proposals?.stop(), approvals?.stop(), notifications?.stop(), audit?.stop()]);
    await registry?.stop();
    await temporal?.close();
    await new Promise((r) => receiver?.close(r));
    for (const name of ['registry', 'proposals', 'approvals', 'notifications', 'audit']) {
      const mongo = await connectMongo(s.mongoUri, db(name));
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  }, 120_000);

  it('submits, countersigns, approves, publishes, notifies and traces', async () => {
    const registryClient = new StandardRegistryClient(`127.0.0.1:${registry.grpcPort}`, insecure);
    const proposalsClient = new ProposalsClient(`127.0.0.1:${proposals.grpcPort}`, insecure);
    const inbox = new ApprovalInboxClient(`127.0.0.1:${approvals.grpcPort}`, insecure);
    const subscriptions = new SubscriptionsClient(`127.0.0.1:${notifications.grpcPort}`, insecure);
    const auditClient = new AuditClient(`127.0.0.1:${audit.port}`, insecure);

    // A downstream statistics system subscribes to publications.
    const created = await unary(subscriptions.createSubscription.bind(subscriptions), {
      endpointUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/bps`, description: '国家统计局数据系统',
      filter: { eventTypes: ['bps.standard.version.published'], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 0 },
    }, await token('statistics-subscriber'));
    verifier = new Webhook(created.secret);

    // 国家卫生健康委 drafts and submits (HEA-01, example level 89 yuan per person per year from 2027-01-01).
    const nhc = await token('nhc-staff');
    const draft = (await unary(proposalsClient.createProposal.bind(proposalsClient), { content: healthProposal({ itemCode: 'HEA-01' }) }, nhc)).proposal!;
    const proposalId = draft.proposalId;
    await unary(proposalsClient.submitProposal.bind(proposalsClient), { proposalId, expectedRevision: draft.revision }, nhc);

    // The proposer may not sign its own proposal: refused synchronously, with the reason.
    const openFor = async (p: PersonaName) => {
      const t = await token(p);
      const listSteps = async () => (await unary(inbox.listMyOpenSteps.bind(inbox), { fieldCode: '', kind: '', cycleId: '', dueBefore: undefined, overdueOnly: false }, t)).items.filter((i) => i.proposal?.proposalId === proposalId);
      let items: Awaited<ReturnType<typeof listSteps>> = [];
      await expect.poll(async () => (items = await listSteps()).length, { timeout: 30_000, interval: 300 }).toBeGreaterThan(0);
      return { t, step: items[0]!.step! };
    };
    const nhcApprover = await openFor('nhc-approver');
    const selfApproval = await unary(inbox.signOff.bind(inbox), { proposalId, stepId: nhcApprover.step.stepId, position: Position.POSITION_APPROVE, comment: '' }, nhc).catch((e: grpc.ServiceError) => e);
    expect((selfApproval as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(decodeStatus(selfApproval as grpc.ServiceError).message).not.toBe('');

    // 会签: lead ministry, NDRC and Finance in parallel; then final approval.
    for (const who of ['nhc-approver', 'ndrc-approver', 'mof-approver'] as const) {
      const { t, step } = who === 'nhc-approver' ? nhcApprover : await openFor(who);
      await unary(inbox.signOff.bind(inbox), { proposalId, stepId: step.stepId, position: Position.POSITION_APPROVE, comment: `${who} 同意` }, t);
    }
    const final = await openFor('final-approver');
    await unary(inbox.signOff.bind(inbox), { proposalId, stepId: final.step.stepId, position: Position.POSITION_APPROVE, comment: '批准' }, final.t);

    // The registry publishes HEA-01 version 2, in force from its effective date and not before.
    const reader = await token('auditor');
    const asOf = (year: number, month: number, day: number) => unary(registryClient.getItem.bind(registryClient), { itemCode: 'HEA-01', asOf: { date: { year, month, day }, knownAt: undefined }, provinceCode: '' }, reader);
    await expect.poll(async () => (await asOf(2027, 1, 1)).national?.version, { timeout: 30_000, interval: 300 }).toBe(2);
    const after = (await asOf(2027, 1, 1)).national!;
    expect(after.item?.qualityStandard?.metrics[0]).toMatchObject({ metric: 'funding_per_capita', value: '89', unit: 'CNY' });
    expect(after.provenance?.proposalIds).toEqual([proposalId]);
    expect((await asOf(2026, 12, 31)).national?.version).toBe(1);

    // The proposal follows the outcome.
    await expect.poll(async () => (await unary(proposalsClient.getProposal.bind(proposalsClient), { proposalId, revision: 0 }, nhc)).proposal?.state, { timeout: 30_000, interval: 300 })
      .toBe(ProposalState.PROPOSAL_STATE_APPROVED);

    // The subscriber's webhook received the publication, signed.
    await expect.poll(() => deliveries.length, { timeout: 30_000, interval: 300 }).toBeGreaterThan(0);
    expect(deliveries[0]!.type).toBe('bps.standard.version.published');
    expect(JSON.stringify(deliveries[0]!.body.data)).toContain('HEA-01');

    // The audit trail traces version 2 back to the proposal, every sign-off with its signer, and the delivery.
    let steps: { eventType: string; actor?: { subject: string } | undefined; traceId: string }[] = [];
    await expect.poll(async () => {
      const trace = await unary(auditClient.traceItemVersion.bind(auditClient), { itemCode: 'HEA-01', version: 2 }, reader);
      steps = trace.trace?.steps ?? [];
      return steps.some((st) => st.eventType.startsWith('bps.notification.'));
    }, { timeout: 45_000, interval: 500 }).toBe(true);
    const types = steps.map((st) => st.eventType);
    expect(types).toContain('bps.proposal.submitted');
    expect(types).toContain('bps.approval.changeset.approved');
    expect(types).toContain('bps.standard.version.published');
    const signers = steps.filter((st) => st.actor?.subject).map((st) => st.actor!.subject);
    for (const who of ['nhc.staff.li', 'nhc.approver.zhao', 'ndrc.approver.chen', 'mof.approver.sun', 'sco.final.zhou']) expect(signers).toContain(who);

    // One OpenTelemetry trace: the submit call → the approval workflow's activity → the registry's publication →
    // the webhook delivery (each audit entry records the trace id of its event).
    const traceOf = (type: string) => steps.find((st) => st.eventType === type)?.traceId;
    const submitTrace = traceOf('bps.proposal.submitted');
    expect(submitTrace).toMatch(/^[0-9a-f]{32}$/);
    expect({
      approved: traceOf('bps.approval.changeset.approved'),
      published: traceOf('bps.standard.version.published'),
      delivered: traceOf('bps.notification.delivered'),
    }).toEqual({ approved: submitTrace, published: submitTrace, delivered: submitTrace });

    for (const c of [registryClient, proposalsClient, inbox, subscriptions, auditClient]) c.close();
  }, 180_000);
});
