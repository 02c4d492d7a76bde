// /api/v1/standards/*: the StandardRegistry over HTTP.
import {
  ApproveErratumResponse,
  type AsOf,
  CorrectItemVersionRequest,
  CorrectItemVersionResponse,
  type DiffStandardsRequest,
  DiffStandardsResponse,
  FileLocalStandardRequest,
  FileLocalStandardResponse,
  GetComplianceReportResponse,
  GetItemHistoryResponse,
  GetItemLineageResponse,
  GetItemResponse,
  GetPackageLevelResponse,
  GetTaxonomyResponse,
  ListErrataResponse,
  ListItemsResponse,
  ListMetricLabelsResponse,
  ListPackageLevelsResponse,
  ListReleasesResponse,
} from '../../../proto/gen/bps/registry/v1/registry';
import type { Backends } from '../adapters/backends';
import { commonErrors, GatewayHttpError, objectSchema, RawBody, type ApiRoute } from '../http/api';
import { editionCsv } from '../web/edition-csv';
import { isoDatePattern } from '../http/dates';
import { parseIsoDate, todayInChina } from '../../shared/standards/china-date';
import type { ProtoSchemas } from '../http/proto-schema';

const itemCode = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'service item code' };
const provinceCode = { type: 'string', pattern: '^\\d{6}$', description: 'GB/T 2260 province code, e.g. 110000' };
const dateParam = { type: 'string', pattern: isoDatePattern, description: 'valid-time date YYYY-MM-DD (default: today, Asia/Shanghai)' };
const knownAtParam = { type: 'string', format: 'date-time', description: 'transaction time: what the registry knew at this instant (default: now)' };
const codeParam = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' };

/** A YYYY-MM-DD query value as a proto Date; a malformed day is a 400 naming the parameter. */
export function dateQuery(value: unknown, field: string) {
  if (value === undefined || value === '') return undefined;
  const date = parseIsoDate(String(value));
  if (!date) throw GatewayHttpError.invalid([{ field, description: 'must be a calendar date YYYY-MM-DD' }]);
  return date;
}

export function asOfQuery(query: Record<string, unknown>): AsOf | undefined {
  const date = dateQuery(query['date'], 'date');
  const knownAt = typeof query['knownAt'] === 'string' && query['knownAt'] ? new Date(query['knownAt']) : undefined;
  if (knownAt && Number.isNaN(knownAt.getTime())) throw GatewayHttpError.invalid([{ field: 'knownAt', description: 'must be an RFC 3339 timestamp' }]);
  return date || knownAt ? { date, knownAt } : undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function registryRoutes(backends: Backends, schemas: ProtoSchemas): ApiRoute[] {
  const call = backends.call.bind(backends);
  const tag = 'standards';
  return [
    {
      method: 'GET',
      url: '/api/v1/standards/items',
      operationId: 'listItems',
      tag,
      auth: 'public',
      summary: "The catalogue (or a field / category) as in force on a date, optionally with a province's values",
      querystring: objectSchema({ date: dateParam, knownAt: knownAtParam, field: codeParam, category: codeParam, province: provinceCode }),
      response: schemas.ref('bps.registry.v1.ListItemsResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token }) =>
        ListItemsResponse.toJSON(
          await call(
            'registry',
            (c) => c.listItems.bind(c),
            {
              asOf: asOfQuery(query),
              fieldCode: str(query['field']),
              categoryCode: str(query['category']),
              provinceCode: str(query['province']),
            },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/items/:itemCode',
      operationId: 'getItem',
      tag,
      auth: 'public',
      summary: "One item as in force on a date, with the province's filed value when a province is given",
      params: objectSchema({ itemCode }, ['itemCode']),
      querystring: objectSchema({ date: dateParam, knownAt: knownAtParam, province: provinceCode }),
      response: schemas.ref('bps.registry.v1.GetItemResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, query, token }) =>
        GetItemResponse.toJSON(
          await call(
            'registry',
            (c) => c.getItem.bind(c),
            {
              itemCode: params['itemCode'] ?? '',
              asOf: asOfQuery(query),
              provinceCode: str(query['province']),
            },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/items/:itemCode/history',
      operationId: 'getItemHistory',
      tag,
      auth: 'public',
      summary: 'Every version of an item with the proposal, workflow and cycle that produced it',
      params: objectSchema({ itemCode }, ['itemCode']),
      querystring: objectSchema({ includeCorrections: { type: 'boolean', default: false } }),
      response: schemas.ref('bps.registry.v1.GetItemHistoryResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, query, token }) =>
        GetItemHistoryResponse.toJSON(
          await call(
            'registry',
            (c) => c.getItemHistory.bind(c),
            {
              itemCode: params['itemCode'] ?? '',
              includeCorrections: query['includeCorrections'] === true,
            },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/items/:itemCode/lineage',
      operationId: 'getItemLineage',
      tag,
      auth: 'public',
      summary: 'Lineage of an item across editions (renamed, moved, split, merged, retired)',
      params: objectSchema({ itemCode }, ['itemCode']),
      response: schemas.ref('bps.registry.v1.GetItemLineageResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token }) =>
        GetItemLineageResponse.toJSON(await call('registry', (c) => c.getItemLineage.bind(c), { itemCode: params['itemCode'] ?? '' }, token)),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/diff',
      operationId: 'diffStandards',
      tag,
      auth: 'public',
      summary: 'Differences between two dates or two releases',
      description: '`from` and `to` are each a date (YYYY-MM-DD) or a release id.',
      querystring: objectSchema(
        {
          from: { type: 'string', minLength: 1, maxLength: 128, description: 'date YYYY-MM-DD or release id' },
          to: { type: 'string', minLength: 1, maxLength: 128, description: 'date YYYY-MM-DD or release id' },
          field: codeParam,
        },
        ['from', 'to'],
      ),
      response: schemas.ref('bps.registry.v1.DiffStandardsResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ query, token }) =>
        DiffStandardsResponse.toJSON(
          await call('registry', (c) => c.diffStandards.bind(c), diffRequest(str(query['from']), str(query['to']), str(query['field'])), token),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/releases',
      operationId: 'listReleases',
      tag,
      auth: 'public',
      summary: 'Every published edition and amendment',
      response: schemas.ref('bps.registry.v1.ListReleasesResponse'),
      errors: [...commonErrors],
      handler: async ({ token }) => ListReleasesResponse.toJSON(await call('registry', (c) => c.listReleases.bind(c), {}, token)),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/taxonomy',
      operationId: 'getTaxonomy',
      tag,
      auth: 'public',
      summary: 'Fields and categories in force on a date',
      querystring: objectSchema({ date: dateParam, knownAt: knownAtParam }),
      response: schemas.ref('bps.registry.v1.GetTaxonomyResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token }) => GetTaxonomyResponse.toJSON(await call('registry', (c) => c.getTaxonomy.bind(c), { asOf: asOfQuery(query) }, token)),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/units',
      operationId: 'listMetricLabels',
      tag,
      auth: 'public',
      summary: 'Human labels (zh, en) of every metric unit and basis used by the catalogue',
      response: schemas.ref('bps.registry.v1.ListMetricLabelsResponse'),
      errors: [...commonErrors],
      handler: async ({ token }) => ListMetricLabelsResponse.toJSON(await call('registry', (c) => c.listMetricLabels.bind(c), {}, token)),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/packages',
      operationId: 'listPackageLevels',
      tag,
      auth: 'public',
      summary: 'Levels stated for packages of items (e.g. basic public health service funding per person), as in force on a date',
      querystring: objectSchema({ date: dateParam, knownAt: knownAtParam, item: itemCode }),
      response: schemas.ref('bps.registry.v1.ListPackageLevelsResponse'),
      errors: [...commonErrors],
      handler: async ({ query, token }) =>
        ListPackageLevelsResponse.toJSON(
          await call('registry', (c) => c.listPackageLevels.bind(c), { asOf: asOfQuery(query), itemCode: str(query['item']) }, token),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/packages/:packageCode',
      operationId: 'getPackageLevel',
      tag,
      auth: 'public',
      summary: 'One package level as in force on a date, with every version of it',
      params: objectSchema({ packageCode: codeParam }, ['packageCode']),
      querystring: objectSchema({ date: dateParam, knownAt: knownAtParam }),
      response: schemas.ref('bps.registry.v1.GetPackageLevelResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, query, token }) =>
        GetPackageLevelResponse.toJSON(
          await call('registry', (c) => c.getPackageLevel.bind(c), { packageCode: params['packageCode'] ?? '', asOf: asOfQuery(query) }, token),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/compliance/:provinceCode',
      operationId: 'getComplianceReport',
      tag,
      auth: 'public',
      summary: "For every item: national floor vs the province's value, filed or not, breach or not",
      params: objectSchema({ provinceCode }, ['provinceCode']),
      querystring: objectSchema({ date: dateParam, knownAt: knownAtParam }),
      response: schemas.ref('bps.registry.v1.GetComplianceReportResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, query, token }) =>
        GetComplianceReportResponse.toJSON(
          await call(
            'registry',
            (c) => c.getComplianceReport.bind(c),
            {
              provinceCode: params['provinceCode'] ?? '',
              asOf: asOfQuery(query),
            },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/edition.csv',
      operationId: 'downloadEdition',
      tag,
      auth: 'public',
      summary: 'The standard in force on a date as CSV (UTF-8 with BOM): taxonomy place and the six attributes of every item',
      querystring: objectSchema({ date: dateParam, field: codeParam, lang: { type: 'string', enum: ['zh', 'en'], default: 'zh' } }),
      response: { type: 'string', description: 'text/csv' },
      errors: [...commonErrors],
      handler: async ({ query, token }) => {
        const asOf = asOfQuery(query);
        const [list, taxonomy] = await Promise.all([
          call('registry', (c) => c.listItems.bind(c), { asOf, fieldCode: str(query['field']), categoryCode: '', provinceCode: '' }, token),
          call('registry', (c) => c.getTaxonomy.bind(c), { asOf }, token),
        ]);
        const date = str(query['date']) || todayInChina();
        return new RawBody(
          editionCsv(query['lang'] === 'en' ? 'en' : 'zh', list, taxonomy),
          'text/csv; charset=utf-8',
          `attachment; filename="bps-standard-${date}.csv"`,
        );
      },
    },
    {
      method: 'POST',
      url: '/api/v1/standards/filings',
      operationId: 'fileLocalStandard',
      tag,
      auth: true,
      summary: 'A province files its local implementation standard for an item (checked against the national floor)',
      body: schemas.inline('bps.registry.v1.FileLocalStandardRequest'),
      response: schemas.ref('bps.registry.v1.FileLocalStandardResponse'),
      successStatus: 201,
      errors: [...commonErrors, 404, 409, 412, 413, 422],
      handler: async ({ body, token }) =>
        FileLocalStandardResponse.toJSON(await call('registry', (c) => c.fileLocalStandard.bind(c), FileLocalStandardRequest.fromJSON(body), token)),
    },
    {
      method: 'POST',
      url: '/api/v1/standards/items/:itemCode/versions/:version/corrections',
      operationId: 'correctItemVersion',
      tag,
      auth: true,
      summary: 'Propose an erratum of a published version: wording only (name, service target/content text); in effect once a second person approves it',
      params: objectSchema({ itemCode, version: { type: 'integer', minimum: 1 } }, ['itemCode', 'version']),
      body: objectSchema({ item: schemas.inline('bps.common.v1.ServiceItem'), reason: { type: 'string', minLength: 1, maxLength: 2000 } }, ['item', 'reason']),
      response: schemas.ref('bps.registry.v1.CorrectItemVersionResponse'),
      successStatus: 201,
      errors: [...commonErrors, 404, 409, 412, 413, 422],
      handler: async ({ params, body, token }) => {
        const b = body as { item: unknown; reason: string };
        const request = CorrectItemVersionRequest.fromJSON({
          item: b.item,
          reason: b.reason,
          itemCode: params['itemCode'],
          version: Number(params['version']),
        });
        return CorrectItemVersionResponse.toJSON(await call('registry', (c) => c.correctItemVersion.bind(c), request, token));
      },
    },
    {
      method: 'POST',
      url: '/api/v1/standards/items/:itemCode/versions/:version/corrections/:erratumId/approve',
      operationId: 'approveErratum',
      tag,
      auth: true,
      summary: "Approve a proposed erratum (a second person: an approver of the item's lead unit or the final approver); the corrected wording takes effect",
      params: objectSchema({ itemCode, version: { type: 'integer', minimum: 1 }, erratumId: codeParam }, ['itemCode', 'version', 'erratumId']),
      response: schemas.ref('bps.registry.v1.ApproveErratumResponse'),
      errors: [...commonErrors, 404, 409, 412, 422],
      handler: async ({ params, token }) =>
        ApproveErratumResponse.toJSON(
          await call(
            'registry',
            (c) => c.approveErratum.bind(c),
            {
              itemCode: params['itemCode'] ?? '',
              version: Number(params['version']),
              erratumId: params['erratumId'] ?? '',
            },
            token,
          ),
        ),
    },
    {
      method: 'GET',
      url: '/api/v1/standards/items/:itemCode/errata',
      operationId: 'listErrata',
      tag,
      auth: true,
      summary: 'The errata of an item, proposed and approved: who proposed and approved, when, the wording before and after',
      params: objectSchema({ itemCode }, ['itemCode']),
      response: schemas.ref('bps.registry.v1.ListErrataResponse'),
      errors: [...commonErrors, 404],
      handler: async ({ params, token }) =>
        ListErrataResponse.toJSON(await call('registry', (c) => c.listErrata.bind(c), { itemCode: params['itemCode'] ?? '' }, token)),
    },
  ];
}

/** `from`/`to` are each a date or a release id. */
export function diffRequest(from: string, to: string, fieldCode: string): DiffStandardsRequest {
  const side = (value: string, name: 'from' | 'to') => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return { date: dateQuery(value, name) };
    return { releaseId: value };
  };
  const f = side(from, 'from');
  const t = side(to, 'to');
  return {
    from: f.date ? { $case: 'fromDate', fromDate: f.date } : { $case: 'fromReleaseId', fromReleaseId: f.releaseId ?? '' },
    to: t.date ? { $case: 'toDate', toDate: t.date } : { $case: 'toReleaseId', toReleaseId: t.releaseId ?? '' },
    fieldCode,
  };
}
