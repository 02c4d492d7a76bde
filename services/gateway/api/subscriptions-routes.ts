// /api/v1/subscriptions/*: webhook subscriptions of downstream systems, their deliveries and dead letters.
import {
  CreateSubscriptionRequest,
  CreateSubscriptionResponse,
  deliveryStatusFromJSON,
  GetSubscriptionResponse,
  ListDeliveriesResponse,
  ListDeliveryAttemptsResponse,
  ListSubscriptionsResponse,
  PauseSubscriptionResponse,
  RedeliverResponse,
  ReplayRequest,
  ReplayResponse,
  ResumeSubscriptionResponse,
  RotateSecretResponse,
} from '../../../proto/gen/bps/notifications/v1/subscriptions';
import { subscribableEventTypes } from '../../shared/events/subscribable';
import type { Backends } from '../adapters/backends';
import { commonErrors, objectSchema, type ApiRoute } from '../http/api';
import type { JsonSchema, ProtoSchemas } from '../http/proto-schema';

const id = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' };
const eventId = { type: 'string', minLength: 1, maxLength: 256, pattern: '^\\S+$', description: 'CloudEvent id' };
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export const deliveryStatuses = ['DELIVERY_STATUS_PENDING', 'DELIVERY_STATUS_DELIVERED', 'DELIVERY_STATUS_DEAD_LETTERED', 'DELIVERY_STATUS_CANCELLED'] as const;

/** The page a list request asks for (`?pageSize=&pageToken=`). */
const page = (query: Record<string, unknown>) => ({ pageSize: num(query['pageSize']), pageToken: str(query['pageToken']) });
/** The page of deliveries a list request asks for, with its optional `?status=` filter. */
const deliveriesPage = (query: Record<string, unknown>) => ({
  status: query['status'] ? deliveryStatusFromJSON(query['status']) : 0,
  ...page(query),
});

const paging = { pageSize: { type: 'integer', minimum: 1, maximum: 1000 }, pageToken: { type: 'string', maxLength: 512 } };

/** The filter schema with the event types the service accepts spelled out (so clients see them in OpenAPI). */
function filterSchema(schemas: ProtoSchemas): JsonSchema {
  const filter = schemas.inline('bps.notifications.v1.EventFilter') as { properties: Record<string, JsonSchema> };
  return {
    ...filter,
    properties: { ...filter.properties, eventTypes: { type: 'array', maxItems: 200, items: { type: 'string', enum: [...subscribableEventTypes] } } },
  };
}

export function subscriptionRoutes(backends: Backends, schemas: ProtoSchemas): ApiRoute[] {
  const call = backends.call.bind(backends);
  const tag = 'subscriptions';
  const idParams = objectSchema({ subscriptionId: id }, ['subscriptionId']);
  const subscriptionId = (p: Record<string, string>) => p['subscriptionId'] ?? '';
  const readErrors = [...commonErrors, 404];
  /** The deliveries of a subscription or of an event, a page at a time, optionally of one status. */
  const deliveries = async (of: { subscriptionId: string; eventId: string }, query: Record<string, unknown>, token: string | undefined) =>
    ListDeliveriesResponse.toJSON(await call('notifications', (c) => c.listDeliveries.bind(c), { ...of, ...deliveriesPage(query) }, token));
  const writeErrors = [...commonErrors, 404, 409, 412, 413];
  return [
    {
      method: 'POST',
      url: '/api/v1/subscriptions',
      operationId: 'createSubscription',
      tag,
      auth: true,
      summary: 'Register a webhook endpoint (Standard Webhooks); the signing secret is in this response only',
      description: 'Roles subscriber-admin or province-officer (a province officer is limited to its own province). Empty filter lists do not restrict.',
      body: objectSchema(
        {
          endpointUrl: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL of the receiver' },
          filter: filterSchema(schemas),
          description: { type: 'string', maxLength: 500 },
        },
        ['endpointUrl'],
      ),
      response: schemas.ref('bps.notifications.v1.CreateSubscriptionResponse'),
      successStatus: 201,
      errors: writeErrors,
      handler: async ({ body, token }) =>
        CreateSubscriptionResponse.toJSON(await call('notifications', (c) => c.createSubscription.bind(c), CreateSubscriptionRequest.fromJSON(body), token)),
    },
    {
      method: 'GET',
      url: '/api/v1/subscriptions',
      operationId: 'listSubscriptions',
      tag,
      auth: true,
      summary: "The caller's organisation's subscriptions (operators and auditors see all)",
      response: schemas.ref('bps.notifications.v1.ListSubscriptionsResponse'),
      errors: [...commonErrors],
      handler: async ({ token }) => ListSubscriptionsResponse.toJSON(await call('notifications', (c) => c.listSubscriptions.bind(c), {}, token)),
    },
    {
      method: 'GET',
      url: '/api/v1/subscriptions/:subscriptionId',
      operationId: 'getSubscription',
      tag,
      auth: true,
      summary: "One subscription (another organisation's answers 404)",
      params: idParams,
      response: schemas.ref('bps.notifications.v1.GetSubscriptionResponse'),
      errors: readErrors,
      handler: async ({ params, token }) =>
        GetSubscriptionResponse.toJSON(await call('notifications', (c) => c.getSubscription.bind(c), { subscriptionId: subscriptionId(params) }, token)),
    },
    {
      method: 'POST',
      url: '/api/v1/subscriptions/:subscriptionId/pause',
      operationId: 'pauseSubscription',
      tag,
      auth: true,
      summary: 'Stop sending; events keep queueing and are sent in order on resume',
      params: idParams,
      response: schemas.ref('bps.notifications.v1.PauseSubscriptionResponse'),
      errors: writeErrors,
      handler: async ({ params, token }) =>
        PauseSubscriptionResponse.toJSON(await call('notifications', (c) => c.pauseSubscription.bind(c), { subscriptionId: subscriptionId(params) }, token)),
    },
    {
      method: 'POST',
      url: '/api/v1/subscriptions/:subscriptionId/resume',
      operationId: 'resumeSubscription',
      tag,
      auth: true,
      summary: 'Send again (also after the endpoint answered 410 and the subscription was disabled)',
      params: idParams,
      response: schemas.ref('bps.notifications.v1.ResumeSubscriptionResponse'),
      errors: writeErrors,
      handler: async ({ params, token }) =>
        ResumeSubscriptionResponse.toJSON(await call('notifications', (c) => c.resumeSubscription.bind(c), { subscriptionId: subscriptionId(params) }, token)),
    },
    {
      method: 'POST',
      url: '/api/v1/subscriptions/:subscriptionId/rotate-secret',
      operationId: 'rotateSecret',
      tag,
      auth: true,
      summary: 'A new signing secret (returned once); the previous one keeps signing during the grace period',
      params: idParams,
      bodyOptional: true,
      body: objectSchema({ gracePeriodSeconds: { type: 'integer', minimum: 0, maximum: 7 * 24 * 3600, description: '0 = the service default (24 h)' } }),
      response: schemas.ref('bps.notifications.v1.RotateSecretResponse'),
      errors: writeErrors,
      handler: async ({ params, body, token }) =>
        RotateSecretResponse.toJSON(
          await call(
            'notifications',
            (c) => c.rotateSecret.bind(c),
            { subscriptionId: subscriptionId(params), gracePeriodSeconds: num((body as { gracePeriodSeconds?: unknown } | undefined)?.gracePeriodSeconds) },
            token,
          ),
        ),
    },
    {
      method: 'DELETE',
      url: '/api/v1/subscriptions/:subscriptionId',
      operationId: 'deleteSubscription',
      tag,
      auth: true,
      summary: 'Delete a subscription (its pending deliveries are cancelled)',
      params: idParams,
      response: schemas.ref('bps.notifications.v1.DeleteSubscriptionResponse'),
      errors: writeErrors,
      handler: async ({ params, token }) => {
        await call('notifications', (c) => c.deleteSubscription.bind(c), { subscriptionId: subscriptionId(params) }, token);
        return {};
      },
    },
    {
      method: 'GET',
      url: '/api/v1/subscriptions/:subscriptionId/deliveries',
      operationId: 'listDeliveries',
      tag,
      auth: true,
      summary: 'Deliveries of a subscription (status, attempts, last error); status=DELIVERY_STATUS_DEAD_LETTERED lists the dead letters',
      params: idParams,
      querystring: objectSchema({ status: { type: 'string', enum: [...deliveryStatuses] }, ...paging }),
      response: schemas.ref('bps.notifications.v1.ListDeliveriesResponse'),
      errors: readErrors,
      handler: async ({ params, query, token }) => deliveries({ subscriptionId: subscriptionId(params), eventId: '' }, query, token),
    },
    {
      method: 'GET',
      url: '/api/v1/subscriptions/:subscriptionId/attempts',
      operationId: 'listDeliveryAttempts',
      tag,
      auth: true,
      summary: 'Every delivery attempt of a subscription: time, latency, response code, outcome, error',
      params: idParams,
      querystring: objectSchema({ ...paging }),
      response: schemas.ref('bps.notifications.v1.ListDeliveryAttemptsResponse'),
      errors: readErrors,
      handler: async ({ params, query, token }) =>
        ListDeliveryAttemptsResponse.toJSON(
          await call(
            'notifications',
            (c) => c.listDeliveryAttempts.bind(c),
            {
              subscriptionId: subscriptionId(params),
              eventId: '',
              ...page(query),
            },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/events/:eventId/deliveries',
      operationId: 'listEventDeliveries',
      tag,
      auth: true,
      summary: 'Who received an event, and when (subscribers see their own deliveries; operators and auditors all)',
      params: objectSchema({ eventId }, ['eventId']),
      querystring: objectSchema({ status: { type: 'string', enum: [...deliveryStatuses] }, ...paging }),
      response: schemas.ref('bps.notifications.v1.ListDeliveriesResponse'),
      errors: readErrors,
      handler: async ({ params, query, token }) => deliveries({ subscriptionId: '', eventId: params['eventId'] ?? '' }, query, token),
    },
    {
      method: 'POST',
      url: '/api/v1/subscriptions/:subscriptionId/redeliver',
      operationId: 'redeliver',
      tag,
      auth: true,
      summary: 'Send deliveries again with their original webhook ids: the events named, or every dead letter when none are',
      params: idParams,
      bodyOptional: true,
      body: objectSchema({ eventIds: { type: 'array', maxItems: 1000, items: eventId } }),
      response: schemas.ref('bps.notifications.v1.RedeliverResponse'),
      errors: writeErrors,
      handler: async ({ params, body, token }) =>
        RedeliverResponse.toJSON(
          await call(
            'notifications',
            (c) => c.redeliver.bind(c),
            {
              subscriptionId: subscriptionId(params),
              eventIds: (body as { eventIds?: string[] } | undefined)?.eventIds ?? [],
            },
            token,
          ),
        ),
    },
    {
      method: 'POST',
      url: '/api/v1/subscriptions/:subscriptionId/replay',
      operationId: 'replay',
      tag,
      auth: true,
      summary: "Send every feed event since a time or after a cursor that matches the subscription's filter again",
      params: idParams,
      body: objectSchema({
        sinceTime: { type: 'string', format: 'date-time' },
        afterCursor: { type: 'string', pattern: '^\\d+$', description: 'exclusive feed cursor' },
      }),
      response: schemas.ref('bps.notifications.v1.ReplayResponse'),
      errors: writeErrors,
      handler: async ({ params, body, token }) =>
        ReplayResponse.toJSON(
          await call(
            'notifications',
            (c) => c.replay.bind(c),
            ReplayRequest.fromJSON({ ...(body as object | undefined), subscriptionId: subscriptionId(params) }),
            token,
          ),
        ),
    },
  ];
}
