// Shared by the notifications integration tests: the service started in-process on its own names with the kit's
// test settings (several instances may share the names: restart and lease tests), the kit's verifying webhook
// receiver, and builders of the registry's events.
import * as grpc from '@grpc/grpc-js';
import { ChangeType, FloorBreached, LocalStandardFiled, VersionPublished } from '../../proto/gen/bps/standards/v1/events';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { SubscriptionsClient, type CreateSubscriptionRequest } from '../../proto/gen/bps/notifications/v1/subscriptions';
import type { PersonaName } from '../../services/shared/auth/personas';
import { standardEvents } from '../../services/shared/events/standards';
import { unary } from '../../services/shared/grpc/client';
import { EventProducer, newEvent } from '../../services/shared/kafka/kafka';
import { startNotifications, type RunningNotifications, type NotificationsDeps } from '../../services/notifications/app';
import { stack, testLogger } from '../support/stack';
import { uniqueName } from '../support/names';
import { testVerifier, tokenFor } from '../support/identity';
import { testGroup, testKafka } from '../support/kafka';
import { decisionVerifyingDeps } from '../support/decisions';
import { testSettings } from '../support/platform';

export const tokenOf = (persona: PersonaName): Promise<string> => tokenFor(persona);

export type Names = { dbName: string; topicNamespace: string; consumerGroup: string };
export const newNames = (prefix: string): Names => ({
  dbName: uniqueName(prefix),
  topicNamespace: uniqueName(prefix),
  consumerGroup: testGroup('notifications', `${prefix}-g`),
});

export function startApp(names: Names, overrides: Partial<NotificationsDeps> = {}): Promise<RunningNotifications> {
  const kafka = testKafka('notifications', 'notifications-test');
  return startNotifications({
    mongoUri: stack().mongoUri,
    ...names,
    kafka,
    grpcPort: 0,
    tokens: testVerifier(),
    logger: testLogger,
    ...testSettings.notifications,
    ...decisionVerifyingDeps(),
    ...overrides,
  });
}

export type Client = InstanceType<typeof SubscriptionsClient>;
export const clientFor = (app: RunningNotifications): Client => new SubscriptionsClient(`127.0.0.1:${app.grpcPort}`, grpc.credentials.createInsecure());

export async function createSubscription(client: Client, persona: PersonaName, request: Partial<CreateSubscriptionRequest> & { endpointUrl: string }) {
  const filter = { eventTypes: [], fieldCodes: [], itemCodes: [], provinceCodes: [], releaseKind: 0, ...request.filter };
  return unary(client.createSubscription.bind(client), { description: '', ...request, filter }, await tokenOf(persona));
}

// ---------- receivers ----------

/** The kit's verifying webhook receiver (tests/support/webhooks.ts). */
export { WebhookReceiver as Receiver, type ReceivedWebhook as Received, type Reply } from '../support/webhooks';

// ---------- events ----------

export function producerFor(): EventProducer {
  return new EventProducer(testKafka('registry', 'notifications-test-producer')); // registry events, as the registry
}

const registrySource = '/bps/registry';

export function versionPublished(
  names: Names,
  options: { releaseId: string; itemCode: string; fieldCode?: string; kind?: ReleaseKind; key?: string; time?: Date },
) {
  const fieldCode = options.fieldCode ?? 'HEALTH';
  const payload = VersionPublished.fromPartial({
    releaseId: options.releaseId,
    kind: options.kind ?? ReleaseKind.RELEASE_KIND_AMENDMENT,
    title: '病有所医领域标准调整（2026年第1号）',
    effectiveFrom: { year: 2027, month: 1, day: 1 },
    publishedAt: new Date(),
    changeSetId: `cs-${options.releaseId}`,
    fieldCodes: [fieldCode],
    itemVersions: [
      {
        itemCode: options.itemCode,
        version: 2,
        name: '基本公共卫生服务',
        fieldCode,
        categoryCode: `${fieldCode}-01`,
        changeType: ChangeType.CHANGE_TYPE_MODIFIED,
      },
    ],
  });
  return newEvent(standardEvents.versionPublished, payload, {
    source: registrySource,
    key: options.key ?? options.itemCode,
    subject: `releases/${options.releaseId}`,
    topicNamespace: names.topicNamespace,
    ...(options.time ? { time: options.time } : {}),
  });
}

export function floorBreached(names: Names, options: { provinceCode: string; itemCode: string; releaseId: string; fieldCode?: string }) {
  const payload = FloorBreached.fromPartial({
    provinceCode: options.provinceCode,
    itemCode: options.itemCode,
    releaseId: options.releaseId,
    filingId: `filing-${options.provinceCode}-${options.itemCode}`,
    metric: 'funding_per_capita',
    label: '人均经费补助',
    requiredValue: '89',
    actualValue: '84',
    unit: 'CNY',
    effectiveFrom: { year: 2027, month: 1, day: 1 },
    refileDeadline: { year: 2027, month: 3, day: 31 },
    fieldCode: options.fieldCode ?? 'HEALTH',
  });
  return newEvent(standardEvents.floorBreached, payload, {
    source: registrySource,
    key: `${options.provinceCode}/${options.itemCode}`,
    topicNamespace: names.topicNamespace,
  });
}

export function localStandardFiled(names: Names, options: { provinceCode: string; itemCode: string; fieldCode?: string }) {
  const payload = LocalStandardFiled.fromPartial({
    filingId: `filing-${options.provinceCode}-${options.itemCode}`,
    provinceCode: options.provinceCode,
    itemCode: options.itemCode,
    nationalVersion: 2,
    effectiveFrom: { year: 2027, month: 1, day: 1 },
    exceedsNationalLevel: false,
    fieldCode: options.fieldCode ?? 'HEALTH',
  });
  return newEvent(standardEvents.localStandardFiled, payload, {
    source: registrySource,
    key: `${options.provinceCode}/${options.itemCode}`,
    topicNamespace: names.topicNamespace,
  });
}
