// The OpenAPI document comes from the route declarations and the .proto files.
import { describe, expect, it } from 'vitest';
import { Backends } from '../../services/gateway/adapters/backends';
import { auditRoutes } from '../../services/gateway/api/audit-routes';
import { authRoutes } from '../../services/gateway/api/auth-routes';
import { registryRoutes } from '../../services/gateway/api/registry-routes';
import { subscriptionRoutes } from '../../services/gateway/api/subscriptions-routes';
import { buildOpenApi } from '../../services/gateway/http/openapi';
import { ProtoSchemas } from '../../services/gateway/http/proto-schema';
import { testIssuer } from '../support/identity';

describe('proto-derived schemas', () => {
  const schemas = new ProtoSchemas();

  it('describes messages as ts-proto toJSON writes them', () => {
    const item = schemas.inline('bps.common.v1.ServiceItem') as { properties: Record<string, any> };
    expect(Object.keys(item.properties)).toEqual(
      expect.arrayContaining(['itemCode', 'serviceTarget', 'qualityStandard', 'paymentCategory', 'expenditureResponsibility', 'leadUnit', 'leadUnitStated']),
    );
    expect(item.properties['paymentCategory'].enum).toContain('PAYMENT_CATEGORY_CASH_SUBSIDY');
    expect(item.properties['qualityStandard'].properties.metrics.type).toBe('array');
    const money = schemas.inline('bps.common.v1.MoneyAmount') as { properties: Record<string, any> };
    expect(money.properties['fen']).toMatchObject({ type: 'string', pattern: '^-?\\d+$' });
    const version = schemas.inline('bps.registry.v1.ItemVersion') as { properties: Record<string, any> };
    expect(version.properties['recordedAt']).toEqual({ type: 'string', format: 'date-time' });
  });

  it('flattens oneof members into optional properties and registers referenced components', () => {
    const ref = schemas.ref('bps.registry.v1.DiffStandardsRequest');
    expect(ref).toEqual({ $ref: '#/components/schemas/bps.registry.v1.DiffStandardsRequest' });
    const all = schemas.all() as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(all['bps.registry.v1.DiffStandardsRequest']?.properties ?? {})).toEqual([
      'fromDate',
      'fromReleaseId',
      'toDate',
      'toReleaseId',
      'fieldCode',
    ]);
    expect(all['bps.common.v1.Date']).toBeDefined();
  });
});

describe('OpenAPI 3.1 document', () => {
  const schemas = new ProtoSchemas();
  const backends = new Backends({ registry: 'x:1', proposals: 'x:1', approvals: 'x:1', notifications: 'x:1', audit: 'x:1', programme: 'x:1' });
  const routes = [
    ...authRoutes(testIssuer, schemas),
    ...registryRoutes(backends, schemas),
    ...subscriptionRoutes(backends, schemas),
    ...auditRoutes(backends, schemas),
  ];
  const doc = buildOpenApi(routes, schemas.all(), { version: 't' }) as any;

  it('has every route with path/query parameters, bodies, responses and bearer security', () => {
    expect(doc.openapi).toBe('3.1.0');
    const getItem = doc.paths['/api/v1/standards/items/{itemCode}'].get;
    expect(getItem.operationId).toBe('getItem');
    expect(getItem.parameters.map((p: any) => `${p.in}:${p.name}:${p.required}`)).toEqual([
      'path:itemCode:true',
      'query:date:false',
      'query:knownAt:false',
      'query:province:false',
    ]);
    expect(getItem.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/bps.registry.v1.GetItemResponse' });
    expect(getItem.responses['404'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorBody');
    // The published standard is public (issue #17): no token, or a bearer token that must verify.
    expect(getItem.security).toEqual([{}, { bearerAuth: [] }]);
    expect(doc.paths['/api/v1/standards/filings'].post.security).toEqual([{ bearerAuth: [] }]);
    const filing = doc.paths['/api/v1/standards/filings'].post;
    expect(filing.requestBody.content['application/json'].schema.properties.metrics.type).toBe('array');
    expect(Object.keys(filing.responses)).toEqual(expect.arrayContaining(['201', '400', '422', '413', '429']));
    expect(doc.paths['/api/v1/auth/token'].post.security).toEqual([]);
  });

  it('has the subscription routes: create (201, secret once), deliveries with the dead-letter filter, redeliver', () => {
    const create = doc.paths['/api/v1/subscriptions'].post;
    expect(create.operationId).toBe('createSubscription');
    expect(create.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/bps.notifications.v1.CreateSubscriptionResponse',
    });
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['endpointUrl']);
    expect(body.properties.filter.properties.eventTypes.items.enum).toContain('bps.standard.version.published');
    expect(Object.keys(body.properties.filter.properties)).toEqual(expect.arrayContaining(['fieldCodes', 'itemCodes', 'provinceCodes', 'releaseKind']));
    expect(doc.components.schemas['bps.notifications.v1.CreateSubscriptionResponse'].properties.secret).toEqual({ type: 'string' });
    expect(doc.paths['/api/v1/subscriptions'].get.operationId).toBe('listSubscriptions');
    for (const [path, method] of [
      ['/api/v1/subscriptions/{subscriptionId}', 'get'],
      ['/api/v1/subscriptions/{subscriptionId}', 'delete'],
      ['/api/v1/subscriptions/{subscriptionId}/pause', 'post'],
      ['/api/v1/subscriptions/{subscriptionId}/resume', 'post'],
      ['/api/v1/subscriptions/{subscriptionId}/rotate-secret', 'post'],
      ['/api/v1/subscriptions/{subscriptionId}/attempts', 'get'],
      ['/api/v1/subscriptions/{subscriptionId}/replay', 'post'],
      ['/api/v1/events/{eventId}/deliveries', 'get'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    const deliveries = doc.paths['/api/v1/subscriptions/{subscriptionId}/deliveries'].get;
    expect(deliveries.parameters.find((p: any) => p.name === 'status').schema.enum).toContain('DELIVERY_STATUS_DEAD_LETTERED');
    expect(doc.components.schemas['bps.notifications.v1.Delivery'].properties.cursor).toMatchObject({ type: 'string' });
    const redeliver = doc.paths['/api/v1/subscriptions/{subscriptionId}/redeliver'].post;
    expect(redeliver.requestBody.content['application/json'].schema.properties.eventIds.type).toBe('array');
    expect(Object.keys(redeliver.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404']));
  });

  it('has the audit routes: a trace and an export per target, and verify', () => {
    const trace = doc.paths['/api/v1/audit/items/{itemCode}/versions/{version}/trace'].get;
    expect(trace.operationId).toBe('traceItemVersion');
    expect(trace.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(['path:itemCode', 'path:version']);
    expect(trace.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/bps.audit.v1.TraceItemVersionResponse');
    expect(doc.paths['/api/v1/audit/proposals/{proposalId}/trace'].get.operationId).toBe('traceProposal');
    expect(doc.paths['/api/v1/audit/cycles/{cycleId}/trace'].get.operationId).toBe('traceCycle');
    expect(doc.paths['/api/v1/audit/actors/{subject}/trace'].get.parameters.map((p: any) => p.name)).toEqual(['subject', 'from', 'to']);
    for (const kind of ['items/{itemCode}/versions/{version}', 'proposals/{proposalId}', 'cycles/{cycleId}', 'actors/{subject}']) {
      expect(doc.paths[`/api/v1/audit/${kind}/export`].get.responses['200'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/bps.audit.v1.ExportTraceResponse',
      );
    }
    const verify = doc.paths['/api/v1/audit/verify'].post;
    expect(verify.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/bps.audit.v1.VerifyResponse');
    expect(doc.components.schemas['bps.audit.v1.VerifyResponse'].properties.firstMismatch.$ref).toBe('#/components/schemas/bps.audit.v1.EntryMismatch');
    const steps = doc.components.schemas['bps.audit.v1.Trace'].properties.steps;
    expect(steps.items.$ref).toBe('#/components/schemas/bps.audit.v1.TraceStep');
  });

  it('gives every operation a unique id', () => {
    const ids = Object.values(doc.paths).flatMap((ops: any) => Object.values(ops).map((o: any) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every $ref to a component', () => {
    const refs = new Set<string>();
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object')
        for (const [k, v] of Object.entries(n)) {
          if (k === '$ref') refs.add(String(v));
          else walk(v);
        }
    };
    walk(doc);
    for (const ref of refs) expect(doc.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
    expect(refs.size).toBeGreaterThan(10);
  });
});
