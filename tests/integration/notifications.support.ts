// Shared by the notifications integration tests: the service started in-process on its own names, HTTP receivers
// on 127.0.0.1 that verify Standard Webhooks signatures with the `standardwebhooks` package, event builders.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { Webhook } from 'standardwebhooks';
import { ChangeType, FloorBreached, LocalStandardFiled, VersionPublished } from '../../proto/gen/bps/standards/v1/events';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { SubscriptionsClient, type CreateSubscriptionRequest } from '../../proto/gen/bps/notifications/v1/subscriptions';
import type { PersonaName } from '../../services/shared/auth/personas';
import { standardEvents } from '../../services/shared/events/standards';
import { unary } from '../../services/shared/grpc/client';
import { EventProducer, newEvent } from '../../services/shared/kafka/kafka';
import { startNotifications, type NotificationsApp, type NotificationsDeps } from '../../services/notifications/app';
import { stack, testLogger } from '../support/stack';
import { uniqueName } from '../support/names';
import { testVerifier, tokenFor } from '../support/identity';
import { testGroup, testKafka } from '../support/kafka';
import { decisionVerifyingDeps } from '../support/decisions';

export const tokens = testVerifier();
export const tokenOf = (persona: PersonaName): Promise<string> => tokenFor(persona);

export type Names = { dbName: string; topicNamespace: string; consumerGroup: string };
export const newNames = (prefix: string): Names => ({ dbName: uniqueName(prefix), topicNamespace: uniqueName(prefix), consumerGroup: testGroup('notifications', `${prefix}-g`) });

export function startApp(names: Names, overrides: Partial<NotificationsDeps> = {}): Promise<NotificationsApp> {
  const kafka = testKafka('notifications', 'notifications-test');
  return startNotifications({
    mongoUri: stack().mongoUri, ...names, kafka, grpcPort: 0, tokens, logger: testLogger,
    allowedHosts: ['127.0.0.1'],
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 400, maxRetryAfterMs: 3_000 },
    delivery: { concurrency: 32, perSubscriptionConcurrency: 4, requestTimeoutMs: 2_000, leaseMs: 10_000, pollMs: 50, sweepMs: 300 },
    stream: { pollMs: 50, gapGraceMs: 1_000, batchSize: 100 },
    defaultSecretGraceMs: 60_000, outboxPollMs: 50, ...decisionVerifyingDeps(),
    ...overrides,
  });
}

export type Client = InstanceType<typeof SubscriptionsClient>;
export const clientFor = (app: NotificationsApp): Client => new SubscriptionsClient(`127.0.0.1:${app.grpcPort}`, grpc.credentials.createInsecure());

export async function createSubscription(client: Client, persona: PersonaName, request: Partial<CreateSubscriptionRequest> & { endpointUrl: string }) {
  const filter = { eventTypes: [], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 0, ...request.filter };
  return unary(client.createSubscription.bind(client), { description: '', ...request, filter }, await tokenOf(persona));
}

export async function rpcError(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

// ---------- receivers ----------

export type Received = {
  readonly webhookId: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly body: string;
  readonly event: { id: string; type: string; data: any; [k: string]: unknown };
  readonly at: number;
  /** Index of the secret (in receiver.secrets) that verified, or -1. */
  readonly verifiedWith: number[];
};

export type Reply = { status: number; headers?: Record<string, string>; delayMs?: number; destroy?: boolean };

export class Receiver {
  readonly received: Received[] = [];
  secrets: string[] = [];
  private server: Server | undefined;
  url = '';
  /** Answers the n-th request (0-based, over all requests this receiver got). */
  constructor(public reply: (n: number, received: Received) => Reply = () => ({ status: 200 })) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void readBody(req).then(async (body) => {
        const headers = {
          'webhook-id': String(req.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
        };
        const verifiedWith = this.secrets.flatMap((secret, i) => {
          try {
            new Webhook(secret).verify(body, headers);
            return [i];
          } catch {
            return [];
          }
        });
        let event: Received['event'];
        try {
          event = JSON.parse(body);
        } catch {
          event = { id: '', type: '', data: undefined };
        }
        const received: Received = { webhookId: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, event, at: Date.now(), verifiedWith };
        const n = this.received.length;
        this.received.push(received);
        const reply = this.reply(n, received);
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        res.writeHead(reply.status, reply.headers ?? {});
        res.end();
      });
    });
    // Keep-alive sockets from the sender must not keep the server from closing.
    this.server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/bps`;
    return this;
  }

  idsOf(eventIds: readonly string[]): Received[] {
    return this.received.filter((r) => eventIds.includes(r.event.id));
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------- events ----------

export function producerFor(): EventProducer {
  return new EventProducer(testKafka('registry', 'notifications-test-producer')); // registry events, as the registry
}

const registrySource = '/bps/registry';

export function versionPublished(names: Names, options: { releaseId: string; itemCode: string; fieldCode?: string; kind?: ReleaseKind; key?: string; time?: Date }) {
  const fieldCode = options.fieldCode ?? 'HEALTH';
  const payload = VersionPublished.fromPartial({
    releaseId: options.releaseId, kind: options.kind ?? ReleaseKind.RELEASE_KIND_AMENDMENT, title: '病有所医领域标准调整（2026年第1号）',
    effectiveFrom: { year: 2027, month: 1, day: 1 }, publishedAt: new Date(), changeSetId: `cs-${options.releaseId}`, fieldCodes: [fieldCode],
    itemVersions: [{ itemCode: options.itemCode, version: 2, name: '基本公共卫生服务', fieldCode, categoryCode: `${fieldCode}-01`, changeType: ChangeType.CHANGE_TYPE_MODIFIED }],
  });
  return newEvent(standardEvents.versionPublished, payload, { source: registrySource, key: options.key ?? options.itemCode, subject: `releases/${options.releaseId}`, topicNamespace: names.topicNamespace, ...(options.time ? { time: options.time } : {}) });
}

export function floorBreached(names: Names, options: { provinceCode: string; itemCode: string; releaseId: string; fieldCode?: string }) {
  const payload = FloorBreached.fromPartial({
    provinceCode: options.provinceCode, itemCode: options.itemCode, releaseId: options.releaseId, filingId: `filing-${options.provinceCode}-${options.itemCode}`,
    metric: 'funding_per_capita', label: '人均经费补助', requiredValue: '89', actualValue: '84', unit: 'CNY', effectiveFrom: { year: 2027, month: 1, day: 1 },
    refileDeadline: { year: 2027, month: 3, day: 31 }, fieldCode: options.fieldCode ?? 'HEALTH',
  });
  return newEvent(standardEvents.floorBreached, payload, { source: registrySource, key: `${options.provinceCode}/${options.itemCode}`, topicNamespace: names.topicNamespace });
}

export function localStandardFiled(names: Names, options: { provinceCode: string; itemCode: string; fieldCode?: string }) {
  const payload = LocalStandardFiled.fromPartial({
    filingId: `filing-${options.provinceCode}-${options.itemCode}`, provinceCode: options.provinceCode, itemCode: options.itemCode, nationalVersion: 2,
    effectiveFrom: { year: 2027, month: 1, day: 1 }, exceedsNationalLevel: false, fieldCode: options.fieldCode ?? 'HEALTH',
  });
  return newEvent(standardEvents.localStandardFiled, payload, { source: registrySource, key: `${options.provinceCode}/${options.itemCode}`, topicNamespace: names.topicNamespace });
}
