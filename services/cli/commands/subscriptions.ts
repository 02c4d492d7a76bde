// bps subscriptions add | list | pause | resume | deliveries | redeliver
import {
  CreateSubscriptionResponse,
  DeliveryStatus,
  deliveryStatusToJSON,
  ListDeliveriesResponse,
  ListSubscriptionsResponse,
  PauseSubscriptionResponse,
  RedeliverResponse,
  ResumeSubscriptionResponse,
  subscriptionStatusToJSON,
  type Subscription,
} from '../../../proto/gen/bps/notifications/v1/subscriptions';
import { ReleaseKind, releaseKindToJSON } from '../../../proto/gen/bps/standards/v1/changes';
import { list, UsageError } from '../args';
import type { Command } from '../cli';
import { enumShort } from '../format';
import { renderRecord, renderTable } from '../table';

const releaseKinds: Record<string, ReleaseKind> = { edition: ReleaseKind.RELEASE_KIND_EDITION, amendment: ReleaseKind.RELEASE_KIND_AMENDMENT };
const deliveryStatuses: Record<string, DeliveryStatus> = {
  pending: DeliveryStatus.DELIVERY_STATUS_PENDING,
  delivered: DeliveryStatus.DELIVERY_STATUS_DELIVERED,
  'dead-lettered': DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED,
  cancelled: DeliveryStatus.DELIVERY_STATUS_CANCELLED,
};

const statusOf = (s: Subscription | undefined): string => enumShort(subscriptionStatusToJSON(s?.status ?? 0), 'SUBSCRIPTION_STATUS_');

function filterText(s: Subscription): string {
  const f = s.filter;
  if (!f) return 'everything';
  const parts = [
    f.eventTypes.length > 0 ? `types=${f.eventTypes.join(',')}` : '',
    f.fieldCodes.length > 0 ? `fields=${f.fieldCodes.join(',')}` : '',
    f.itemCodes.length > 0 ? `items=${f.itemCodes.join(',')}` : '',
    f.provinceCodes.length > 0 ? `provinces=${f.provinceCodes.join(',')}` : '',
    f.releaseKind ? `release=${enumShort(releaseKindToJSON(f.releaseKind), 'RELEASE_KIND_').toLowerCase()}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : 'every registry event';
}

const time = (d: Date | undefined): string => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '');

export const subscriptionCommands: Command[] = [
  {
    path: ['subscriptions', 'add'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'Register a webhook endpoint; prints the signing secret once (store it now)',
    flags: {
      endpoint: { type: 'string', placeholder: 'url', description: 'http(s) URL that receives the webhooks (required)' },
      'event-type': {
        type: 'string',
        repeatable: true,
        placeholder: 'type',
        description: 'only these CloudEvents types (e.g. bps.standard.version.published); default: every registry event',
      },
      field: { type: 'string', repeatable: true, placeholder: 'code', description: 'only events about these fields' },
      item: { type: 'string', repeatable: true, placeholder: 'code', description: 'only events about these service items' },
      province: { type: 'string', repeatable: true, placeholder: 'code', description: 'only these provinces (national publications always match)' },
      'release-kind': { type: 'string', placeholder: 'edition|amendment', description: 'only editions (unified revision) or amendments (ad-hoc)' },
      description: { type: 'string', placeholder: 'text', description: 'what this subscription is for' },
    },
    examples: ['bps subscriptions add --endpoint https://stats.example.gov.cn/bps --event-type bps.standard.version.published --as statistics-subscriber'],
    async run(ctx) {
      const endpointUrl = ctx.flag('endpoint');
      if (!endpointUrl) throw new UsageError('--endpoint is required');
      const kind = ctx.flag('release-kind');
      if (kind !== undefined && !(kind in releaseKinds)) throw new UsageError('--release-kind must be edition or amendment');
      const res = await ctx.change('notifications', (c) => c.createSubscription.bind(c), {
        endpointUrl,
        description: ctx.flag('description') ?? '',
        filter: {
          eventTypes: list(ctx.parsed, 'event-type'),
          fieldCodes: list(ctx.parsed, 'field'),
          itemCodes: list(ctx.parsed, 'item'),
          provinceCodes: list(ctx.parsed, 'province'),
          releaseKind: kind ? (releaseKinds[kind] ?? 0) : 0,
        },
      });
      const s = res.subscription;
      ctx.print(CreateSubscriptionResponse.toJSON(res), () =>
        [
          `created subscription ${s?.subscriptionId} (${statusOf(s)}) for ${s?.organisation}`,
          renderRecord([
            ['endpoint', s?.endpointUrl ?? ''],
            ['filter', s ? filterText(s) : ''],
          ]),
          '',
          `signing secret (shown only now): ${res.secret}`,
        ].join('\n'),
      );
    },
  },
  {
    path: ['subscriptions', 'list'],
    minArgs: 0,
    maxArgs: 0,
    summary: "Your organisation's subscriptions (an operator or auditor sees all)",
    async run(ctx) {
      const res = await ctx.call('notifications', (c) => c.listSubscriptions.bind(c), {});
      ctx.print(ListSubscriptionsResponse.toJSON(res), () =>
        res.subscriptions.length === 0
          ? 'no subscriptions'
          : renderTable(
              ['ID', 'STATUS', 'ORG', 'ENDPOINT', 'FILTER', 'DESCRIPTION'],
              res.subscriptions.map((s) => [s.subscriptionId, statusOf(s), s.organisation, s.endpointUrl, filterText(s), s.description]),
            ),
      );
    },
  },
  {
    path: ['subscriptions', 'pause'],
    args: '<subscription-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Stop sending; events keep queueing and are sent in order on resume',
    async run(ctx) {
      const res = await ctx.change('notifications', (c) => c.pauseSubscription.bind(c), { subscriptionId: ctx.arg(0) });
      ctx.print(PauseSubscriptionResponse.toJSON(res), () => `${ctx.arg(0)}: ${statusOf(res.subscription)}`);
    },
  },
  {
    path: ['subscriptions', 'resume'],
    args: '<subscription-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Send again (also after the endpoint answered 410 and the subscription was disabled)',
    async run(ctx) {
      const res = await ctx.change('notifications', (c) => c.resumeSubscription.bind(c), { subscriptionId: ctx.arg(0) });
      ctx.print(ResumeSubscriptionResponse.toJSON(res), () => `${ctx.arg(0)}: ${statusOf(res.subscription)}`);
    },
  },
  {
    path: ['subscriptions', 'deliveries'],
    args: '<subscription-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Deliveries of a subscription: status, attempts, last response and error (dead letters marked)',
    flags: {
      status: { type: 'string', placeholder: 'status', description: `only this status: ${Object.keys(deliveryStatuses).join('|')}` },
      limit: { type: 'string', placeholder: 'n', description: 'at most n deliveries (default 100, at most 1000)' },
    },
    examples: ['bps subscriptions deliveries <id> --status dead-lettered'],
    async run(ctx) {
      const statusFlag = ctx.flag('status');
      if (statusFlag !== undefined && !(statusFlag in deliveryStatuses))
        throw new UsageError(`--status must be one of ${Object.keys(deliveryStatuses).join(', ')}`);
      const limitFlag = ctx.flag('limit');
      const pageSize = limitFlag === undefined ? 0 : Number(limitFlag);
      if (limitFlag !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000))
        throw new UsageError('--limit must be an integer between 1 and 1000');
      const res = await ctx.call('notifications', (c) => c.listDeliveries.bind(c), {
        subscriptionId: ctx.arg(0),
        eventId: '',
        status: statusFlag ? (deliveryStatuses[statusFlag] ?? 0) : 0,
        pageSize,
        pageToken: '',
      });
      ctx.print(ListDeliveriesResponse.toJSON(res), () => {
        if (res.deliveries.length === 0) return 'no deliveries';
        const dead = res.deliveries.filter((d) => d.status === DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED).length;
        return [
          `${res.deliveries.length} deliveries${dead > 0 ? `, ${dead} DEAD-LETTERED (bps subscriptions redeliver ${ctx.arg(0)} sends them again)` : ''}`,
          renderTable(
            ['EVENT', 'TYPE', 'STATUS', 'ATTEMPTS', 'LAST CODE', 'LAST ERROR', 'DELIVERED', 'SUBJECT'],
            res.deliveries.map((d) => [
              d.eventId,
              d.eventType,
              d.status === DeliveryStatus.DELIVERY_STATUS_DEAD_LETTERED ? '!! DEAD-LETTERED' : enumShort(deliveryStatusToJSON(d.status), 'DELIVERY_STATUS_'),
              String(d.attempts),
              d.lastStatusCode ? String(d.lastStatusCode) : '-',
              d.lastError || '-',
              time(d.deliveredAt) || '-',
              d.subject,
            ]),
            48,
          ),
        ].join('\n');
      });
    },
  },
  {
    path: ['subscriptions', 'redeliver'],
    args: '<subscription-id>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'Send deliveries again with their original webhook ids: the events named, or every dead letter',
    flags: {
      event: {
        type: 'string',
        repeatable: true,
        placeholder: 'event-id',
        description: 'the event to send again (repeatable); default: every dead-lettered delivery',
      },
    },
    examples: ['bps subscriptions redeliver <id>', 'bps subscriptions redeliver <id> --event <event-id> --json'],
    async run(ctx) {
      const eventIds = list(ctx.parsed, 'event');
      const res = await ctx.change('notifications', (c) => c.redeliver.bind(c), { subscriptionId: ctx.arg(0), eventIds });
      ctx.print(
        RedeliverResponse.toJSON(res),
        () => `requeued ${res.requeued} ${res.requeued === 1 ? 'delivery' : 'deliveries'}${eventIds.length === 0 ? ' (every dead letter)' : ''}`,
      );
    },
  },
];
