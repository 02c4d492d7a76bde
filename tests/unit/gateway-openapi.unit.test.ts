// The OpenAPI document comes from the route declarations and the .proto files.
import { describe, expect, it } from 'vitest';
import { Backends } from '../../services/gateway/adapters/backends';
import { authRoutes } from '../../services/gateway/api/auth-routes';
import { registryRoutes } from '../../services/gateway/api/registry-routes';
import { buildOpenApi } from '../../services/gateway/http/openapi';
import { ProtoSchemas } from '../../services/gateway/http/proto-schema';
import { TokenService } from '../../services/shared/auth/identity';
import { DEV_JWT_SECRET } from '../../services/shared/config/config';

describe('proto-derived schemas', () => {
  const schemas = new ProtoSchemas();

  it('describes messages as ts-proto toJSON writes them', () => {
    const item = schemas.inline('bps.common.v1.ServiceItem') as { properties: Record<string, any> };
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(['itemCode', 'serviceTarget', 'qualityStandard', 'paymentCategory', 'expenditureResponsibility', 'leadUnit', 'leadUnitStated']));
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
    expect(Object.keys(all['bps.registry.v1.DiffStandardsRequest']?.properties ?? {})).toEqual(['fromDate', 'fromReleaseId', 'toDate', 'toReleaseId', 'fieldCode']);
    expect(all['bps.common.v1.Date']).toBeDefined();
  });
});

describe('OpenAPI 3.1 document', () => {
  const schemas = new ProtoSchemas();
  const tokens = new TokenService(DEV_JWT_SECRET, 'bps-platform');
  const routes = [...authRoutes(tokens, true, schemas), ...registryRoutes(new Backends({ registry: 'x:1', proposals: 'x:1', approvals: 'x:1', notifications: 'x:1', audit: 'x:1' }), schemas)];
  const doc = buildOpenApi(routes, schemas.all(), { version: 't' }) as any;

  it('has every route with path/query parameters, bodies, responses and bearer security', () => {
    expect(doc.openapi).toBe('3.1.0');
    const getItem = doc.paths['/api/v1/standards/items/{itemCode}'].get;
    expect(getItem.operationId).toBe('getItem');
    expect(getItem.parameters.map((p: any) => `${p.in}:${p.name}:${p.required}`)).toEqual(['path:itemCode:true', 'query:date:false', 'query:knownAt:false', 'query:province:false']);
    expect(getItem.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/bps.registry.v1.GetItemResponse' });
    expect(getItem.responses['404'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorBody');
    expect(getItem.security).toEqual([{ bearerAuth: [] }]);
    const filing = doc.paths['/api/v1/standards/filings'].post;
    expect(filing.requestBody.content['application/json'].schema.properties.metrics.type).toBe('array');
    expect(Object.keys(filing.responses)).toEqual(expect.arrayContaining(['201', '400', '422', '413', '429']));
    expect(doc.paths['/api/v1/auth/token'].post.security).toEqual([]);
  });

  it('resolves every $ref to a component', () => {
    const refs = new Set<string>();
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) {
        if (k === '$ref') refs.add(String(v));
        else walk(v);
      }
    };
    walk(doc);
    for (const ref of refs) expect(doc.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
    expect(refs.size).toBeGreaterThan(10);
  });
});
